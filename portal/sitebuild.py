"""One build of the site: everything the MkDocs hooks do, held by one object.

MkDocs drives the build through its events (hooks/portal_hooks.py forwards
each one here). A SiteBuild is made in on_config and lives on that config
object for the events of the same build; nothing is kept between builds but
what the caller hands in (BuildInputs: a validated catalogue, the preview's
state).

    on_config      the catalogue (given, or loaded and validated here)
    on_files       the route table; the records' search documents start on the
                   other cores; the collection pages join MkDocs' files
    on_env/on_nav  kept to render the theme shell
    on_page_*      the collection pages, the home page and content blocks
    on_post_build  search index, pages through the shell, data files, offline files
"""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .blocks import render_block
from .catalogue import Catalogue, CatalogueError, build_catalogue, china_today
from .destinations import site_path
from .history import History, load_history
from .offline import prepare_offline_files, write_offline_files
from .outputs import extra_files
from .preview import CONTENT_END, CONTENT_START, Preview, error_banner
from .progress import QUIET
from .render.pages import Renderer, generated_pages, nav_pages
from .render.shell import ShellWriter, render_theme_shell
from .render.text import MarkdownCache
from .routes import RouteTable
from .search_docs import RecordDocuments, SearchDocument, content_document
from .search_terms import search_term_files
from .search_index import SearchIndexError, SearchIndexJob, SearchScratch, space_estimate
from .workers import give_way

PLACEHOLDER = "<!-- portal:page -->"
HOME_PLACEHOLDER = "<!-- portal:home -->"
BLOCK = re.compile(r"<!-- portal:([a-z-]+) -->")
# The attribute of MkDocs' config object that holds the build (see SiteBuild.of).
_ATTRIBUTE = "portal_site_build"


class SiteBuildError(Exception):
    """The build cannot go on (records that do not validate, a search index that failed)."""


@dataclass
class BuildInputs:
    """What `portal build` and `portal serve` hand to a build besides mkdocs.yml."""

    catalogue: Catalogue | None = None   # validated already; else loaded from extra.portal.data
    history: History | None = None
    progress: object = QUIET
    preview: Preview | None = None       # the preview's state between its rebuilds
    data_dir: Path | None = None
    today: dt.date | None = None

    def attach(self, config) -> None:
        """Hand these inputs to the build MkDocs runs with this config."""
        setattr(config, _ATTRIBUTE, self)


def site_url(config) -> str | None:
    """Where the site is published (feeds and calendars need absolute links):
    the PORTAL_SITE_URL environment variable (set by the publish workflow), else site_url."""
    url = os.environ.get("PORTAL_SITE_URL") or config.site_url or None
    return url.rstrip("/") + "/" if url else None


class SiteBuild:
    def __init__(self, config, inputs: BuildInputs):
        options = (config.extra or {}).get("portal") or {}
        self.config, self.inputs = config, inputs
        self.root = Path(config.config_file_path).parent
        self.data_dir = inputs.data_dir or self.root / options.get("data", "data")
        self.pagefind = options.get("pagefind", True)
        self.progress = inputs.progress
        self.preview = inputs.preview
        self.site_name = config.site_name
        self.site_url = site_url(config)
        self.errors: list = []
        catalogue, history = inputs.catalogue, inputs.history
        if catalogue is None:
            today = inputs.today or options.get("today")
            today = dt.date.fromisoformat(str(today)) if today else china_today()
            try:
                catalogue = build_catalogue(self.data_dir, today,
                                            cache=self.preview.parse_cache if self.preview else None,
                                            parallel=self.preview is None)
            except CatalogueError as exc:
                if self.preview is None:
                    raise SiteBuildError("记录校验失败：\n" + str(exc)) from None
                # The preview keeps serving the last good content and shows the errors.
                self.errors = exc.problems
                catalogue, history = self.preview.catalogue, self.preview.history
        if history is None:
            history = load_history(self.data_dir)
        if self.preview is not None and not self.errors:
            self.preview.remember(catalogue, history)
        self.catalogue: Catalogue | None = catalogue
        self.history: History = history
        self.markdown = MarkdownCache()
        self.routes: RouteTable | None = None
        self.renderer: Renderer | None = None
        self.search: list[SearchDocument] = []     # the content pages' documents
        self.documents: list[SearchDocument] = []  # every document, once the build is done
        self.home: str | None = None
        self._nav_pages: dict = {}
        self._env = self._nav = self._files = None
        self._started = None       # (job, scratch or None, progress phase) of the records' documents
        self._index_job = None

    # -- where the build lives -----------------------------------------------------

    @classmethod
    def start(cls, config) -> "SiteBuild":
        """The build of this config (on_config), with the inputs attached to it, if any."""
        found = getattr(config, _ATTRIBUTE, None)
        # A config built again keeps what it was handed (found is then the last build).
        inputs = found.inputs if isinstance(found, SiteBuild) else found
        build = cls(config, inputs if isinstance(inputs, BuildInputs) else BuildInputs())
        setattr(config, _ATTRIBUTE, build)
        # MkDocs tells of a failed build without its config: the build listens itself.
        config.plugins["portal/build-error"] = _ErrorListener(build)
        return build

    @staticmethod
    def of(config) -> "SiteBuild":
        build = getattr(config, _ATTRIBUTE, None)
        if not isinstance(build, SiteBuild):
            raise SiteBuildError("MkDocs event before on_config: the portal's build was not started")
        return build

    # -- MkDocs events -----------------------------------------------------------

    def on_files(self, files, config):
        from mkdocs.structure.files import File, InclusionLevel

        self.routes = RouteTable.build(self.catalogue, _content_pages(files)) if self.catalogue else None
        if self.catalogue is None:
            return files
        self.renderer = Renderer(self.catalogue, self.history, markdown=self.markdown, routes=self.routes,
                                 site_url=self.site_url)
        # The records' search documents are made on the other cores while MkDocs
        # renders its own pages; Pagefind starts on them in on_post_build.
        self._started = self._start_documents()
        # Only the collection pages in the nav (technologies/index.md, …) go through
        # MkDocs; the other generated pages (records, listings) are written after
        # the build through the theme shell.
        self._nav_pages = {p.src_uri: p for p in nav_pages(self.catalogue, renderer=self.renderer)}
        for page in self._nav_pages.values():
            if files.get_file_from_path(page.src_uri) is not None:
                files.remove(files.get_file_from_path(page.src_uri))
            files.append(File.generated(config, page.src_uri, content=PLACEHOLDER,
                                        inclusion=InclusionLevel.INCLUDED))
        return files

    def on_env(self, env, files):
        self._env, self._files = env, files

    def on_nav(self, nav):
        self._nav = nav

    def on_page_markdown(self, page) -> None:
        generated = self._nav_pages.get(page.file.src_uri)
        if generated is not None:
            page.meta.setdefault("title", generated.title)
            page.meta.setdefault("description", generated.description)
            page.meta.setdefault("hide", ["toc"])
            page.meta["feeds"] = generated.feeds

    def on_page_content(self, html: str, page) -> str:
        banner = error_banner(self.errors) if self.errors else ""
        return banner + self._page_content(html, page)

    def _page_content(self, html: str, page) -> str:
        generated = self._nav_pages.get(page.file.src_uri)
        if generated is not None:
            # Marked, so the preview can replace just this part after an edit (Preview.update).
            return CONTENT_START + generated.html + CONTENT_END
        if self.catalogue is None:
            return BLOCK.sub("", html.replace(HOME_PLACEHOLDER, ""))
        if HOME_PLACEHOLDER in html:
            self.home = self.renderer.home()
            return html.replace(HOME_PLACEHOLDER, CONTENT_START + self.home + CONTENT_END)
        # Other content pages may hold generated blocks: <!-- portal:feeds -->, <!-- portal:open-data -->.
        html = BLOCK.sub(lambda m: render_block(self.renderer, m.group(1), page.url, self.site_url), html)
        route = self.routes.get(page.url)
        if route is not None and route.searchable:
            self.search.append(content_document("/" + page.url, page.title, html))
        return html

    def on_build_error(self) -> None:
        """MkDocs failed before on_post_build: no workers or scratch documents may stay behind."""
        self._stop_documents()

    def on_post_build(self) -> None:
        if self.catalogue is None:
            self.documents = list(self.search)
            return  # a preview with no valid content yet: pages show the errors only
        site = Path(self.config.site_dir)
        made, scratch, phase = self._started
        try:
            documents = made.result() + self.search
            if scratch is not None:
                for doc in self.search:
                    scratch.write(doc)
        except BaseException:
            self._stop_documents()
            raise
        phase.close()
        self.documents = documents  # `portal build --bundle` makes its offline search from them
        job = None
        if scratch is not None:
            # Pagefind indexes in the background while the pages are written.
            index_phase = self.progress.phase("建立检索索引", total=len(documents), unit="篇")
            try:
                job = SearchIndexJob(scratch, site / "pagefind", on_shard=index_phase.advance)
            except SearchIndexError as exc:
                index_phase.close()
                self._stop_documents()
                raise SiteBuildError(str(exc)) from None
            # The scratch stays reachable from the build at every step, so an
            # interruption anywhere here is cleaned up (on_build_error).
            self._index_job = job
        self._started = None
        prepared = None
        try:
            if job is None:
                self._write_pages(site)
            else:
                job.start()
                prepared = self._beside_index(site, job)
        except SearchIndexError as exc:
            raise SiteBuildError(str(exc)) from None
        except BaseException:
            # The build fails: no Pagefind may go on writing into the scratch site.
            if job is not None:
                job.cancel()
            raise
        finally:
            if job is not None:
                index_phase.close()
                self._index_job = None
        # Last: the service worker's version covers every other file. Written with
        # search indexing switched off (extra.portal.pagefind: false) too: every page
        # loads build.js and registers sw.js.
        with self.progress.phase("离线文件"):
            write_offline_files(site, self.routes, site_name=self.site_name, preview=self.preview is not None,
                                prepared=prepared, build_day=self.catalogue.today)

    # -- parts ------------------------------------------------------------------------

    def _start_documents(self):
        """(job, scratch or None, progress phase) of the records' search documents."""
        records = list(self.catalogue.all())
        scratch = None
        if self.pagefind:
            scratch = SearchScratch(self.routes.searchable(),
                                    space_estimate(sum(_file_size(rec.path) for rec in records), len(records)))
        phase = self.progress.phase("生成检索文档", total=len(records), unit="条")
        try:
            job = RecordDocuments(records, scratch, on_done=phase.advance, markdown=self.markdown,
                                  parallel=self.preview is None)
            return job, scratch, phase
        except BaseException:
            phase.close()
            if scratch is not None:
                scratch.cleanup()
            raise

    def _stop_documents(self) -> None:
        started, self._started = self._started, None
        if started:
            job, scratch, phase = started
            job.cancel()
            phase.close()
            if scratch is not None:
                scratch.cleanup()
        index, self._index_job = self._index_job, None
        if index is not None:
            index.cancel()

    def _beside_index(self, site: Path, job: SearchIndexJob):
        """The rest of the build, while Pagefind indexes: the pages, then the
        offline files' work on them, and what the search knows of words
        (written beside the index once Pagefind has written it). Returns the
        prepared offline files.

        Pagefind is the longest step and could only start once every document
        was made, so the build ends when it does. The work beside it runs in
        threads that give way to it (workers.give_way): given an equal share
        of the cores, the pages were written long before Pagefind finished,
        and Pagefind was the slower for it.
        """
        stop = threading.Event()

        def pages_then_offline():
            self._write_pages(site, stop)
            return prepare_offline_files(site, self.routes, self.site_name)

        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="beside-index", initializer=give_way) as pool:
            try:
                preparing = pool.submit(pages_then_offline)
                terms = pool.submit(search_term_files, self.catalogue, self.routes)
                prepared = preparing.result()
                job.wait()
                for name, content in terms.result().items():
                    (site / "pagefind" / name).write_bytes(content)
            except BaseException:
                # Failed or interrupted: the page writer stops at its next page (the pool waits for it).
                stop.set()
                job.cancel()
                raise
        return prepared

    def _write_pages(self, site: Path, stop: threading.Event | None = None) -> None:
        """Every generated page outside the nav, through the theme shell, and the
        data files; an interrupted build sets `stop`, and the writing ends there."""
        banner = error_banner(self.errors) if self.errors else ""
        writer = ShellWriter(lambda depth: render_theme_shell(self.config, self._env, self._nav, self._files, depth),
                             site_url=self.site_url, banner=banner,
                             site_description=self.config.site_description or "")
        pages = sum(1 for _route in self.routes.generated(include_nav=False))
        with self.progress.phase("写入页面", total=pages, unit="页") as phase:
            def written(n: int = 1) -> None:
                if stop is not None and stop.is_set():
                    raise _Stopped
                phase.advance(n)

            writer.write(site, generated_pages(self.catalogue, include_nav=False, renderer=self.renderer),
                         progress=written)
        if self.preview is not None:
            self.preview.remember_site(site, writer, errors=bool(self.errors), home=self.home)
        for path, content in extra_files(self.catalogue, self.routes, site_name=self.site_name,
                                         site_url=self.site_url, history=self.history).items():
            target = site_path(site, path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)


class _Stopped(Exception):
    """The page writer's stop: the build failed or was interrupted meanwhile."""


class _ErrorListener:
    """A plugin with one event: a build that failed before on_post_build stops
    the build's workers and removes their documents."""

    def __init__(self, build: SiteBuild):
        self._build = build

    def on_build_error(self, *, error) -> None:
        self._build.on_build_error()


def _content_pages(files) -> list[tuple[str, bool]]:
    """(url, searchable) of the site's own pages: their text goes into the
    search index unless their front matter says `searchable: false` (the home
    page is made of the records'), known before MkDocs renders them, so the
    documents' shards are dealt at once."""
    from mkdocs.utils.meta import get_data

    pages = []
    for file in files.documentation_pages():
        text = file.content_string
        url = "" if file.url == "./" else file.url  # the home page's address is the site's
        pages.append((url, HOME_PLACEHOLDER not in text and get_data(text)[1].get("searchable", True)))
    return pages


def _file_size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0
