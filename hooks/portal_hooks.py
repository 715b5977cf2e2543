"""MkDocs hooks: the thin adapter between MkDocs and the `portal` package.

Everything here only hands data across: the catalogue, the pages and the
search index are built by plain Python in `portal`.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, InclusionLevel

from portal import preview
from portal.catalogue import CatalogueError, build_catalogue, china_today
from portal.destinations import site_path
from portal.history import load_history
from portal.offline import prepare_offline_files, write_offline_files
from portal.outputs import extra_files
from portal.progress import QUIET
from portal.render import generated_pages, render_home
from portal.render.pages import nav_pages, page_count, render_block
from portal.render.shell import ShellWriter, shell_url
from portal.render.text import clear_markdown_cache
from portal.search_docs import RecordDocuments, content_document
from portal.search_index import SearchIndexError, SearchIndexJob, SearchScratch, space_estimate

PLACEHOLDER = "<!-- portal:page -->"
HOME_PLACEHOLDER = "<!-- portal:home -->"
BLOCK = re.compile(r"<!-- portal:([a-z-]+) -->")

_state: dict = {}


def _options(config) -> dict:
    return (config.extra or {}).get("portal") or {}


def on_config(config):
    opts = _options(config)
    _state["preview"] = preview.active()
    _state["errors"] = []
    catalogue = opts.get("catalogue")  # handed over by `portal build`, already validated
    history = opts.get("history")
    if catalogue is None:
        root = Path(config.config_file_path).parent
        today = opts.get("today")
        today = dt.date.fromisoformat(str(today)) if today else china_today()
        try:
            catalogue = build_catalogue(root / opts.get("data", "data"), today,
                                        cache=preview.parse_cache() if _state["preview"] else None)
        except CatalogueError as exc:
            if not _state["preview"]:
                raise PluginError("记录校验失败：\n" + str(exc)) from None
            # The preview keeps serving the last good content and shows the errors.
            _state["errors"] = exc.problems
            catalogue, history = preview.last()
    if history is None:
        history = load_history(Path(config.config_file_path).parent / opts.get("data", "data"))
    if _state["preview"] and not _state["errors"]:
        preview.remember(catalogue, history)
    _state["catalogue"] = catalogue
    _state["history"] = history
    _state["search"] = []
    _state["documents"] = None
    return config


def _start_documents(config, catalogue, content_urls: list[str]):
    """(job, scratch or None, progress phase) of the records' search documents."""
    opts = _options(config)
    progress = opts.get("progress") or QUIET
    records = list(catalogue.all())
    scratch = None
    if opts.get("pagefind", True):
        scratch = SearchScratch(["/" + rec.url for rec in records] + content_urls,
                                space_estimate(sum(_file_size(rec.path) for rec in records), len(records)))
    phase = progress.phase("生成检索文档", total=len(records), unit="条")
    try:
        return RecordDocuments(records, scratch, on_done=phase.advance), scratch, phase
    except BaseException:
        phase.close()
        if scratch is not None:
            scratch.cleanup()
        raise


def _file_size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _stop_documents() -> None:
    started = _state.pop("documents", None)
    if started:
        job, scratch, phase = started
        job.cancel()
        phase.close()
        if scratch is not None:
            scratch.cleanup()
    index = _state.pop("index_job", None)
    if index is not None:
        index.cancel()


def on_build_error(error):
    """MkDocs failed before on_post_build: no workers or scratch documents may stay behind."""
    _stop_documents()


def on_env(env, config, files):
    _state["env"], _state["files"] = env, files
    return env


def on_nav(nav, config, files):
    _state["nav"] = nav
    return nav


def _render_shell(config, depth: int) -> str:
    """Material's page at the given depth, with the shell's markers in place of the page's parts."""
    from mkdocs.commands.build import get_context
    from mkdocs.structure.pages import Page
    from portal.render import shell

    file = File.generated(config, shell_url(depth).rstrip("/") + ".md", content="")
    page = Page(shell.TITLE, file, config)
    page.meta = {"description": shell.DESCRIPTION, "hide": ["toc"], "feeds": [[shell.FEED_TITLE, "feed.xml"]]}
    page.markdown, page.content = "", shell.CONTENT + shell.H1_GUARD
    context = get_context(_state["nav"], _state["files"], config, page)
    return _state["env"].get_template("main.html").render(context)


def _indexed_content_urls(files) -> list[str]:
    """The content pages whose text goes into the search index (see _page_content),
    known before MkDocs renders them, so the documents' shards are dealt at once."""
    from mkdocs.utils.meta import get_data

    urls = []
    for file in files.documentation_pages():
        text = file.content_string
        if HOME_PLACEHOLDER not in text and get_data(text)[1].get("searchable", True):
            urls.append("/" + file.url)
    return urls


def on_files(files, config):
    catalogue = _state["catalogue"]
    # The records' search documents are made on the other cores while MkDocs
    # renders its own pages; Pagefind starts on them in on_post_build.
    _state["documents"] = _start_documents(config, catalogue, _indexed_content_urls(files)) if catalogue else None
    # Only the collection pages in the nav (technologies/index.md, …) go through MkDocs;
    # the other generated pages (records, listings) are written after the build
    # through the theme shell.
    _state["pages"] = {p.src_uri: p for p in nav_pages(catalogue, _state["history"])} if catalogue else {}
    for page in _state["pages"].values():
        if files.get_file_from_path(page.src_uri) is not None:
            files.remove(files.get_file_from_path(page.src_uri))
        files.append(File.generated(config, page.src_uri, content=PLACEHOLDER, inclusion=InclusionLevel.INCLUDED))
    return files


def on_page_markdown(markdown, page, config, files):
    generated = _state["pages"].get(page.file.src_uri)
    if generated is not None:
        page.meta.setdefault("title", generated.title)
        page.meta.setdefault("description", generated.description)
        page.meta.setdefault("hide", ["toc"])
        page.meta["feeds"] = generated.feeds
    return markdown


def on_page_content(html, page, config, files):
    banner = preview.error_banner(_state["errors"]) if _state["errors"] else ""
    return banner + _page_content(html, page)


def _page_content(html, page):
    generated = _state["pages"].get(page.file.src_uri)
    if generated is not None:
        # Marked, so the preview can replace just this part after an edit (preview.update).
        return preview.CONTENT_START + generated.html + preview.CONTENT_END
    if _state["catalogue"] is None:
        return BLOCK.sub("", html.replace(HOME_PLACEHOLDER, ""))
    if HOME_PLACEHOLDER in html:
        _state["home"] = render_home(_state["catalogue"], _state["history"])
        return html.replace(HOME_PLACEHOLDER, preview.CONTENT_START + _state["home"] + preview.CONTENT_END)
    # Other content pages may hold generated blocks: <!-- portal:feeds -->, <!-- portal:open-data -->.
    html = BLOCK.sub(lambda m: render_block(_state["catalogue"], m.group(1), page.url), html)
    if page.meta.get("searchable", True):
        _state["search"].append(content_document("/" + page.url, page.title, html))
    return html


def site_url(config) -> str | None:
    """Where the site is published (feeds and calendars need absolute links): the
    PORTAL_SITE_URL environment variable (set by the publish workflow), else site_url."""
    url = os.environ.get("PORTAL_SITE_URL") or config.site_url or None
    return url.rstrip("/") + "/" if url else None


def on_post_build(config):
    opts = _options(config)
    progress = opts.get("progress") or QUIET
    catalogue = _state["catalogue"]
    if catalogue is None:
        config.extra["portal"] = {**opts, "search_documents": list(_state["search"])}
        return  # a preview with no valid content yet: pages show the errors only
    site = Path(config.site_dir)
    made, scratch, phase = _state["documents"]
    try:
        documents = made.result() + _state["search"]
        if scratch is not None:
            for doc in _state["search"]:
                scratch.write(doc)
    except BaseException:
        _stop_documents()
        raise
    phase.close()
    # `portal build --bundle` makes its offline search from the same documents.
    config.extra["portal"] = {**opts, "search_documents": documents}
    job = None
    if scratch is not None:
        # Pagefind indexes in the background while the pages are written.
        index_phase = progress.phase("建立检索索引", total=len(documents), unit="篇")
        try:
            job = SearchIndexJob(scratch, site / "pagefind", on_shard=index_phase.advance)
        except SearchIndexError as exc:
            index_phase.close()
            _stop_documents()
            raise PluginError(str(exc)) from None
        # The scratch stays reachable from _state at every step, so an interruption
        # anywhere here is cleaned up (on_build_error → _stop_documents).
        _state["index_job"] = job
    _state["documents"] = None
    prepared = None
    try:
        if job is not None:
            job.start()
        _write_pages(config, catalogue, site, progress)
        if job is not None:
            # The offline files' work on the written pages overlaps Pagefind's last minutes.
            with ThreadPoolExecutor(max_workers=1) as pool:
                preparing = pool.submit(prepare_offline_files, site, catalogue)
                job.wait()
                prepared = preparing.result()
    except SearchIndexError as exc:
        raise PluginError(str(exc)) from None
    except BaseException:
        # The build fails: no Pagefind may go on writing into the scratch site.
        if job is not None:
            job.cancel()
        raise
    finally:
        if job is not None:
            index_phase.close()
            _state.pop("index_job", None)
    # Last: the service worker's version covers every other file. Written with
    # search indexing switched off (extra.portal.pagefind: false) too: every page
    # loads build.js and registers sw.js.
    with progress.phase("离线文件"):
        write_offline_files(site, catalogue, preview=_state.get("preview", False), prepared=prepared)


def _write_pages(config, catalogue, site: Path, progress) -> None:
    """Every generated page outside the nav, through the theme shell, and the data files."""
    banner = preview.error_banner(_state["errors"]) if _state["errors"] else ""
    writer = ShellWriter(lambda depth: _render_shell(config, depth), site_url=site_url(config),
                         banner=banner, site_description=config.site_description or "")
    with progress.phase("写入页面", total=page_count(catalogue, include_nav=False), unit="页") as phase:
        writer.write(site, generated_pages(catalogue, _state["history"], include_nav=False), progress=phase.advance)
    clear_markdown_cache()
    if _state["preview"]:
        preview.remember_site(site, writer, errors=bool(_state["errors"]), home=_state.get("home"))
    for path, content in extra_files(catalogue, site_url=site_url(config)).items():
        target = site_path(site, path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
