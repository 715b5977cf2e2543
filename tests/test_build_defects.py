"""Defects found in the review of issue 18, each built for real:

- a build with search indexing switched off (extra.portal.pagefind: false) is a
  complete site: every page, the offline files, nothing a page loads missing;
- a record body cannot give an element an id the theme (Material), the site's
  scripts or the record templates already use.
"""

from __future__ import annotations

import collections
import json
import posixpath
import re
import textwrap
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from conftest import BUILD_DAY, MINIMAL, ROOT, page_links, run_portal, write_data


def _target(site: Path, page: Path, url: str) -> Path | None:
    """The file a same-site URL in `page` names (a directory: its index.html), or None for another site's."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    base = "" if parts.path.startswith("/") else page.parent.relative_to(site).as_posix()
    path = site / posixpath.normpath(posixpath.join(base, unquote(parts.path).lstrip("/")))
    return path / "index.html" if path.is_dir() or parts.path.endswith("/") else path


def _site_files(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}


def _config_without_search(directory: Path) -> Path:
    """The repository's mkdocs.yml with `pagefind: false`, its paths made absolute."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for old, new in (("docs_dir: content", f"docs_dir: {ROOT / 'content'}"),
                     ("custom_dir: overrides", f"custom_dir: {ROOT / 'overrides'}"),
                     ("  - hooks/portal_hooks.py", f"  - {ROOT / 'hooks' / 'portal_hooks.py'}"),
                     ("  - data\n", f"  - {ROOT / 'data'}\n"),
                     ("  - portal\n", f"  - {ROOT / 'portal'}\n"),
                     ("  - overrides\n", f"  - {ROOT / 'overrides'}\n"),
                     ("    pagefind: true\n", "    pagefind: false\n")):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "mkdocs.yml"
    config.write_text(text, encoding="utf-8")
    return config


# --- extra.portal.pagefind: false ---------------------------------------------

@pytest.fixture(scope="module")
def site_without_search(tmp_path_factory) -> Path:
    """The repository's content as of BUILD_DAY, built with search indexing switched off."""
    root = tmp_path_factory.mktemp("no-search")
    site = root / "site"
    result = run_portal("build", "--config", str(_config_without_search(root / "config")),
                        "--today", BUILD_DAY, "--site-dir", str(site), "--quiet")
    assert result.returncode == 0, result.stderr
    return site


def test_without_search_every_file_but_the_index_is_written(site_without_search, built_site):
    assert not (site_without_search / "pagefind").exists()
    expected = {f for f in _site_files(built_site) if not f.startswith("pagefind/")}
    assert _site_files(site_without_search) == expected
    for name in ("sw.js", "manifest.webmanifest", "assets/javascripts/build.js", "offline/collections.json",
                 "assets/icons/icon-192.png"):
        assert (site_without_search / name).stat().st_size > 0, name
    # Only the offline files (the version, the search file list) can differ.
    differing = {f for f in expected if f.endswith(".html")
                 and (site_without_search / f).read_bytes() != (built_site / f).read_bytes()}
    assert not differing, sorted(differing)[:10]


def test_without_search_nothing_a_page_loads_or_links_is_missing(site_without_search):
    pages = sorted(site_without_search.rglob("*.html"))
    assert len(pages) > 100
    missing = []
    for page in pages:
        parsed = page_links(page)
        for url in parsed.loads + parsed.hrefs:
            target = _target(site_without_search, page, url)
            if target is not None and not target.is_file():
                missing.append(f"{page.relative_to(site_without_search)} → {url}")
    assert not missing, missing[:20]


def test_without_search_the_offline_lists_name_only_files_that_exist(site_without_search):
    site = site_without_search

    def file_of(url: str) -> Path:
        return site / (url + "index.html" if url == "" or url.endswith("/") else url)

    worker = (site / "sw.js").read_text(encoding="utf-8")
    assert "__VERSION__" not in worker and "__SHELL__" not in worker
    shell = json.loads(re.search(r"const SHELL = (\[.*?\]);", worker).group(1))
    assert "assets/javascripts/build.js" in shell and "manifest.webmanifest" in shell
    assert [u for u in shell if not file_of(u).is_file()] == []
    assert not [u for u in shell if u.startswith("pagefind/")]
    offline = json.loads((site / "offline" / "collections.json").read_text(encoding="utf-8"))
    assert offline["search"] == {"urls": [], "bytes": 0}
    assert offline["collections"]
    for group in offline["collections"]:
        assert group["urls"] and [u for u in group["urls"] if not file_of(u).is_file()] == [], group["key"]
    version = re.match(r'window\.PORTAL_BUILD = "([0-9a-f]{16})";\n',
                        (site / "assets" / "javascripts" / "build.js").read_text(encoding="utf-8"))
    assert version and version.group(1) in worker
    manifest = json.loads((site / "manifest.webmanifest").read_text(encoding="utf-8"))
    assert all((site / icon["src"]).is_file() for icon in manifest["icons"])


# --- body ids ------------------------------------------------------------------

def _theme_ids() -> list[str]:
    """Every literal id in Material's templates, the overrides and the record templates,
    and those the review named (Material's `__skip`, its layout's `header`, `content`)."""
    import material

    found = {"__skip", "header", "content", "__nav_6", "__search", "__drawer"}
    for folder in (Path(material.__file__).parent / "templates", ROOT / "overrides", ROOT / "portal" / "render" / "templates"):
        for template in folder.rglob("*.html"):
            found.update(re.findall(r'\sid="([A-Za-z_][\w-]*)"', template.read_text(encoding="utf-8")))
    return sorted(found)


@pytest.fixture(scope="module")
def body_ids_site(tmp_path_factory):
    """MINIMAL, with a technology body that gives its headings every id the page's theme and template use."""
    ids = _theme_ids()
    body = "".join(f'<h2 id="{name}">标题{n}</h2>\n\n' for n, name in enumerate(ids))
    body += "## 属性写法 {#__search}\n\n" + "".join(f"[见{name}](#{name})\n" for name in ids)
    records = {name: textwrap.dedent(text) for name, text in MINIMAL.items()}
    records["technologies/ai-jiu.yaml"] += "body: |\n" + textwrap.indent(body, "  ")
    root = tmp_path_factory.mktemp("body-ids")
    data = write_data(root / "data", records)
    site = root / "site"
    result = run_portal("build", "--data", str(data), "--today", BUILD_DAY, "--site-dir", str(site), "--quiet")
    assert result.returncode == 0, result.stderr
    return site, ids


def test_body_headings_cannot_take_the_themes_or_templates_ids(body_ids_site):
    site, ids = body_ids_site
    page = page_links(site / "technologies" / "ai-jiu" / "index.html")
    # The page really carries the theme's and the template's ids…
    for own in ("__drawer", "__search", "portal-search-q", "details", "sources"):
        assert own in page.ids, own
    # …each once: the body's headings have theirs under a prefix.
    assert [i for i, n in collections.Counter(page.ids).items() if n > 1] == []
    assert [i for i in page.ids if i.startswith("user-content-")] == ["user-content-" + name for name in ids]
    html = (site / "technologies" / "ai-jiu" / "index.html").read_text(encoding="utf-8")
    assert "属性写法 {#__search}</h3>" in html  # attribute syntax is not Markdown here: text, no id
    # The body's fragment links reach the body's own headings.
    fragments = [h for h in page.hrefs if h.startswith("#user-content-")]
    assert fragments == ["#user-content-" + name for name in ids]
    # Every in-page link, the template's (#sources) and the body's, reaches its own target.
    assert [h for h in page.hrefs if h.startswith("#") and h != "#" and h[1:] not in page.ids] == []
