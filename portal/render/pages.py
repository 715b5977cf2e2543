"""Generated pages: one per record, one listing per collection and one per facet value."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import jinja2
from markupsafe import Markup

from ..catalogue import Catalogue, Record
from ..history import Change, History
from .charts import monthly_timeline, region_tile_map
from .. import routes
from .listings import (
    FACETS, LABELS, PAGE_SIZE, SORTS, ListingPage, facet_counts, facet_url, listing_pages, listing_url, region_facet,
)
from .text import cn_date, markdown_to_html, relative_url

TEMPLATES = Path(__file__).parent / "templates"


@dataclass
class GeneratedPage:
    src_uri: str            # path of the virtual Markdown file under docs_dir
    url: str                # directory URL, relative to the site root
    title: str
    html: str
    description: str = ""
    # (title, site-relative path) of the Atom feeds the page links to.
    feeds: list = field(default_factory=list)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        # A build renders some 100,000 templates: checking each template file's
        # date on every use costs seconds. A changed template means a new build.
        auto_reload=False,
    )
    env.filters["cn_date"] = cn_date
    env.filters["markdown"] = lambda text: Markup(markdown_to_html(text))
    return env


class Renderer:
    def __init__(self, catalogue: Catalogue, history: History | None = None):
        self.catalogue = catalogue
        self.history = history or History()
        self.env = _environment()
        # Facet counts are the same on every page of a collection's listings.
        self._facets = {c: [(f, facet_counts(catalogue, c, f)) for f in facets] for c, facets in FACETS.items()}
        # Imported here: the feeds module builds on the listings in this package.
        from ..outputs.feeds import feeds_by_listing

        self._feeds = {url: (title, path) for url, (path, title) in feeds_by_listing(catalogue).items()}
        self._items: dict[tuple, str] = {}
        self._facet_navs: dict[tuple, Markup] = {}

    def render(self, template: str, page_url: str, **context) -> str:
        def url(target) -> str:
            return relative_url(page_url, target.url if isinstance(target, Record) else target)

        return self.env.get_template(template).render(
            catalogue=self.catalogue, vocab=self.catalogue.vocab, today=self.catalogue.today,
            url=url, facet_url=facet_url, **context,
        )

    def record(self, rec: Record) -> GeneratedPage:
        html = self.render(f"record_{rec.collection}.html", rec.url, rec=rec,
                           facets=FACETS[rec.collection],
                           changes=self.history.of(rec.collection, rec.id)[:5],
                           uncommitted=self.history.is_uncommitted(rec.collection, rec.id))
        feeds = [self._feeds[listing_url(rec.collection)]]
        if rec.collection == "policies" and rec.get("region"):
            feeds.append(self._feeds.get(facet_url("policies", region_facet("policies"), rec.data["region"])))
        return GeneratedPage(routes.source_file(rec.url), rec.url, rec.title, html,
                             description=rec.get("summary", rec.title), feeds=[f for f in feeds if f])

    def listing(self, listing: ListingPage) -> GeneratedPage:
        collection = listing.collection
        charts = ""
        if collection == "policies" and listing.facet is None and listing.page == 1:
            charts = self._policy_charts(listing.url)
        offline_key = None
        if listing.page == 1 and listing.sort is SORTS[collection][0]:
            if collection != "policies" and listing.facet is None:
                offline_key = collection
            elif collection == "policies" and listing.facet is region_facet(collection):
                offline_key = routes.offline_region_group(listing.value)
        depth = listing.url.count("/")
        items = {group: Markup("".join(self._item(r, depth) for r in records)) for group, records in listing.groups}
        html = self.render("listing.html", listing.url, listing=listing, collection=collection, offline_key=offline_key,
                           label=LABELS[collection], sorts=SORTS[collection], listing_url=routes.collection(collection),
                           charts=Markup(charts), items=items, page_numbers=_page_numbers(listing.page, listing.pages),
                           facets_nav=self._facets_nav(listing, depth))
        src = routes.source_file(listing.url)
        feed = self._feeds.get(listing_url(collection, listing.facet, listing.value))
        return GeneratedPage(src, listing.url, listing.title, html, feeds=[feed] if feed else [])

    # A record appears on some ten listing pages, at several depths, and a facet
    # list on hundreds: an item is rendered once, one level down, and its one
    # link moved to other depths; a facet list once per depth.
    def _item(self, rec: Record, depth: int) -> str:
        key = (rec.collection, rec.id)
        if key not in self._items:
            self._items[key] = self.render("listing_item.html", "x/", r=rec, collection=rec.collection)
        item = self._items[key]
        return item if depth == 1 else item.replace('href="../', 'href="' + "../" * depth, 1)

    def _facets_nav(self, listing: ListingPage, depth: int) -> Markup:
        collection = listing.collection
        key = (collection, listing.facet and listing.facet.key, listing.value, depth)
        if key not in self._facet_navs:
            self._facet_navs[key] = Markup(self.render(
                "listing_facets.html", "x/" * depth, listing=listing, collection=collection, label=LABELS[collection],
                facets=self._facets[collection], listing_url=routes.collection(collection)))
        return self._facet_navs[key]

    def _policy_charts(self, page_url: str) -> str:
        facet = region_facet("policies")
        counts = dict(next(found for f, found in self._facets["policies"] if f is facet))
        tiles = region_tile_map(
            {r: counts.get(r, 0) for r in self.catalogue.vocab.regions},
            lambda region: relative_url(page_url, facet_url("policies", facet, region)) if counts.get(region) else None,
        )
        timeline = monthly_timeline([r.data["published"] for r in self.catalogue.policies.values()])
        return self.render("charts.html", page_url, tiles=Markup(tiles), timeline=Markup(timeline))

    def home(self) -> str:
        return self.render("home.html", "", labels=LABELS, latest=self.catalogue.policies_newest_first()[:8],
                           deadlines=self.catalogue.upcoming_deadlines()[:10], changed=self.recently_changed())

    def recently_changed(self, limit: int = 8) -> list[tuple[Record, Change]]:
        found = []
        for path, change in self.history.recently_changed(limit=len(self.history.changes)):
            collection, _, name = path.partition("/")
            rec = self.catalogue.records.get(collection, {}).get(name.removesuffix(".yaml"))
            if rec is not None:
                found.append((rec, change))
            if len(found) == limit:
                break
        return found


def generated_pages(catalogue: Catalogue, history: History | None = None,
                    include_nav: bool = True) -> Iterator[GeneratedPage]:
    """Every generated page. Without include_nav, the collection pages in the
    site's nav are left out (MkDocs renders those: see nav_pages)."""
    renderer = Renderer(catalogue, history)
    for rec in catalogue.all():
        yield renderer.record(rec)
    for collection, facets in FACETS.items():
        for listing in listing_pages(catalogue, collection):
            if include_nav or not _in_nav(listing):
                yield renderer.listing(listing)
        for facet in facets:
            for value, _count in facet_counts(catalogue, collection, facet):
                for listing in listing_pages(catalogue, collection, facet, value):
                    yield renderer.listing(listing)


def _page_numbers(page: int, pages: int) -> list[int | None]:
    """Page links of a listing: first, last and two either side of the current one; None is a gap (…)."""
    shown = [n for n in range(max(1, page - 3), min(pages, page + 3) + 1)]
    numbers: list[int | None] = [1] if shown[0] > 1 else []
    for n in shown:
        if abs(n - page) <= 2 or n in (1, pages):
            numbers.append(n)
        elif abs(n - page) == 3:
            numbers.append(None)
    if shown[-1] < pages:
        numbers.append(pages)
    return numbers


def _in_nav(listing: ListingPage) -> bool:
    return listing.url == routes.collection(listing.collection)


def nav_pages(catalogue: Catalogue, history: History | None = None) -> list[GeneratedPage]:
    """The first page of each collection's listing: the site's nav links them."""
    renderer = Renderer(catalogue, history)
    return [renderer.listing(listing) for collection in FACETS
            for listing in listing_pages(catalogue, collection) if _in_nav(listing)]


def page_count(catalogue: Catalogue, include_nav: bool = True) -> int:
    """How many pages generated_pages yields (for progress), without rendering them."""
    def pages(n: int) -> int:
        return max(1, -(-n // PAGE_SIZE))

    count = 0
    for collection, facets in FACETS.items():
        records = catalogue.records[collection]
        count += len(records) + len(SORTS[collection]) * pages(len(records)) - (0 if include_nav else 1)
        for facet in facets:
            count += sum(len(SORTS[collection]) * pages(n) for _v, n in facet_counts(catalogue, collection, facet))
    return count


def render_home(catalogue: Catalogue, history: History | None = None) -> str:
    return Renderer(catalogue, history).home()


def render_block(catalogue: Catalogue, name: str, page_url: str) -> str:
    """A generated block inside a content page: `feeds` (订阅), `open-data` (开放数据)
    or `filing` (the 备案 rule, on the 管理类别 page)."""
    from ..outputs.feeds import feed_list
    from ..outputs.opendata import csv_columns
    from ..outputs.schemas import json_schema
    from ..schema import COLLECTIONS

    renderer = Renderer(catalogue)
    if name == "feeds":
        return renderer.render("block_feeds.html", page_url, feeds=feed_list(catalogue))
    if name == "filing":
        return renderer.render("block_filing.html", page_url)
    if name == "open-data":
        collections = [(c, json_schema(c.name, catalogue.vocab), len(catalogue.records[c.name]))
                       for c in COLLECTIONS]
        return renderer.render("block_open_data.html", page_url, collections=collections,
                               csv_columns=csv_columns)
    raise ValueError(f"unknown block <!-- portal:{name} -->")
