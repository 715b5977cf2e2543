"""`portal serve`: live preview that survives broken records.

A record with an error does not stop the preview server: pages are built from
the last catalogue that validated (none, if there never was one), and every
page shows the errors at its top until they are fixed.
"""

from __future__ import annotations

import html

from . import routes
from .facets import FACETS, selections_of
from .problems import Problem


def error_banner(problems: list[Problem]) -> str:
    items = "".join(f"<li><code>{html.escape(str(p))}</code></li>" for p in problems)
    return ('<div class="portal-build-error" role="alert">'
            f"<h2>记录有 {len(problems)} 个错误，预览显示的是上一次正确的内容</h2>"
            "<p>改正下列错误并保存文件，页面会自动刷新：</p>"
            f"<ul>{items}</ul></div>")


# --- Incremental preview -------------------------------------------------
#
# At national scale a full build takes minutes, so `portal serve` rewrites only
# the pages an edit touches: the record's page, the pages of records it links
# to or from (before and after the edit) and the listing pages that hold it.
# Anything else (a new or deleted record, an error, the vocabulary, content,
# templates or code) takes the full build. The search index, feeds and data
# files are refreshed by the next full build.


def _layout(listing) -> tuple:
    """What a listing page shows besides each item's own text: its groups and their records."""
    return listing.pages, listing.total, tuple((group, tuple(r.id for r in recs)) for group, recs in listing.groups)


def _changed_listings(old, new, collection: str, selections: set, changed_ids: set) -> dict:
    """{url: ListingPage} of the listing pages of `selections` (facets.Filters) that
    look different after the edit: a changed record on them, or records moved (a new
    title or date changes the order)."""
    from .render.listings import listing_pages

    found = {}
    for filters in selections:
        before = {page.url: _layout(page) for page in listing_pages(old, collection, filters)}
        for page in listing_pages(new, collection, filters):
            if before.get(page.url) != _layout(page) or any(
                    r.id in changed_ids for _group, recs in page.groups for r in recs):
                found[page.url] = page
    return found


def facets_changed(old, new, changed: list[tuple[str, str]]) -> bool:
    """Whether an edit moved a record between facet values: then every listing
    page's facet counts change, which takes the full build."""
    return any(facet.values(old.records[c][rid]) != facet.values(new.records[c][rid])
               for c, rid in changed for facet in FACETS[c])


def _linked(rec) -> list:
    """Records a record's page shows (and that show it): every resolved link and citation."""
    out = []
    for items in rec.links.values():
        for item in items if isinstance(items, list) else []:
            target = getattr(item, "record", item)  # a Citation points at a policy, if known
            if target is not None and hasattr(target, "collection"):
                out.append(target)
    return out


def affected_pages(old, new, changed: list[tuple[str, str]], history=None, renderer=None) -> list:
    """The generated pages to rewrite after records `changed` were edited (same ids and
    facet values before and after: see facets_changed)."""
    from .render.listings import listing_pages
    from .render.pages import Renderer

    renderer = renderer or Renderer(new, history)
    records, listings = {}, {}
    for collection in {c for c, _rid in changed}:
        ids = {rid for c, rid in changed if c == collection}
        by_key = {f.key: f for f in FACETS[collection]}
        selections = {tuple((by_key[k], v) for k, v in key)
                      for rid in ids for key in selections_of(collection, new.records[collection][rid])}
        if len(ids) == 1:
            # One record edited: the pages that list it and those its move shifted.
            (rid,) = ids
            for filters in selections:
                for page in listing_pages(new, collection, filters, holding=new.records[collection][rid],
                                          was=old.records[collection][rid]):
                    listings[page.url] = page
        else:
            listings.update(_changed_listings(old, new, collection, selections, ids))
        if collection == "policies" and routes.collection("policies") not in listings:
            # Its first page charts every notice's date and status.
            listings[routes.collection("policies")] = listing_pages(new, "policies")[0]
    for collection, rid in changed:
        before, after = old.records[collection][rid], new.records[collection][rid]
        records[(collection, rid)] = after
        for target in _linked(before) + _linked(after):
            records[(target.collection, target.id)] = new.records[target.collection][target.id]
    return [renderer.record(rec) for rec in records.values()] + \
        [renderer.listing(listing) for _url, listing in sorted(listings.items())]


CONTENT_START, CONTENT_END = "<!-- portal:content -->", "<!-- /portal:content -->"


def _patch(path, html: str) -> None:
    """Replace the generated part of a page MkDocs rendered (the collection pages in the nav)."""
    text = path.read_text(encoding="utf-8")
    start, end = text.index(CONTENT_START) + len(CONTENT_START), text.index(CONTENT_END)
    path.write_text(text[:start] + html + text[end:], encoding="utf-8")


class Preview:
    """What `portal serve` keeps from one rebuild to the next: the last catalogue
    that validated, the last full build's site and the parse cache."""

    def __init__(self) -> None:
        self.catalogue = None
        self.history = None
        # The catalogue cache kept between rebuilds (see catalogue.build_catalogue).
        self.parse_cache: dict = {}
        self._site: dict = {}

    def remember(self, catalogue, history) -> None:
        self.catalogue, self.history = catalogue, history

    def remember_site(self, site_dir, writer, errors: bool, home: str | None = None) -> None:
        """The last full build: where it is, how its pages are wrapped
        (render.shell.ShellWriter) and the generated part of its home page."""
        self._site = dict(site_dir=site_dir, writer=writer, errors=errors, home=home)

    def update(self, data_dir, today, history=None) -> bool:
        """Try the incremental path after a change; True when the site is up to date.

        False means a full build is needed (and nothing was written).
        """
        import dataclasses
        from pathlib import Path

        from .catalogue import CatalogueError, build_catalogue
        from .history import History, uncommitted_files

        old = self.catalogue
        if old is None or not self._site or self._site.get("errors"):
            return False
        try:
            new = build_catalogue(data_dir, today, cache=self.parse_cache, parallel=False)
        except CatalogueError:
            return False  # the full build puts the errors on every page
        if any(set(old.records[c]) != set(new.records[c]) for c in new.records):
            return False
        changed = [(c, rid) for c, records in new.records.items() for rid, rec in records.items()
                   if rec.data != old.records[c][rid].data]
        if facets_changed(old, new, changed):
            return False
        # The page of a record just saved says it has changes not yet committed.
        history = history or self.history or History()
        history = dataclasses.replace(history, uncommitted=uncommitted_files(data_dir))
        site = Path(self._site["site_dir"])
        from .render.pages import Renderer

        # The last full build's address for the site (the preview's): record pages keep their QR code.
        renderer = Renderer(new, history, site_url=self._site["writer"].site_url)
        pages = affected_pages(old, new, changed, history, renderer)
        # MkDocs rendered the nav's pages: only their generated part is replaced.
        nav = {p.url for p in pages if renderer.routes[p.url].in_nav}
        self._site["writer"].write(site, [p for p in pages if p.url not in nav])
        for page in pages:
            if page.url in nav:
                _patch(site / page.url / "index.html", page.html)
        home = renderer.home()
        if home != self._site.get("home"):
            _patch(site / "index.html", home)  # the latest notices, deadlines and changes
            self._site["home"] = home
        self.remember(new, history)
        return True


# --- A rebuild that failed -------------------------------------------------
#
# Not an error in the records (those are shown by error_banner) but a build
# that raised: a file that could not be read, a bug. The server goes on serving
# what the site directory holds, with this on top of every page.

def failure_banner(message: str, kept: bool = True) -> str:
    shown = "下面是上一次生成的内容。" if kept else "此页暂时无法显示。"
    # Styled by portal.css: the site's Content-Security-Policy drops inline styles.
    return ('<div class="portal-preview-failure" role="alert">'
            f"<strong>预览重建失败，{shown}</strong>改正后保存文件即重试。"
            f"<br><code>{html.escape(message)}</code></div>")


def failure_page(message: str) -> str:
    """The page for a path the site directory does not hold (the failed build may have removed it)."""
    # The preview is served at the root; the stylesheet may be gone with the failed build (then plain text).
    return ('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>预览重建失败</title>'
            '<link rel="stylesheet" href="/assets/stylesheets/portal.css"></head>'
            f"<body>{failure_banner(message, kept=False)}</body></html>")


def insert_failure(page: bytes, message: str) -> bytes:
    """A served HTML page with the failure banner at the top of its body."""
    banner = failure_banner(message).encode()
    body = page.find(b"<body")
    end = page.find(b">", body) + 1 if body >= 0 else 0
    return page[:end] + banner + page[end:]
