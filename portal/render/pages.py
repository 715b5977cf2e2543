"""Generated pages: one per record, one listing per collection and one per facet value.

Which pages there are, their titles and their feeds come from the route table
(routes.RouteTable); this module renders what each shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import jinja2
from markupsafe import Markup

from .. import routes
from ..catalogue import Catalogue, Record
from ..facets import FACETS, region_facet, selection_key, selections_of, sorts_for
from ..facility import verdicts
from ..history import Change, History
from ..routes import Route, RouteTable, facet_url
from .charts import monthly_timeline, region_tile_map
from .listings import LABELS, ListingPage, facet_choices, listing_pages, removals
from .qr import qr_svg
from ..dates import cn_date
from .text import MarkdownCache, relative_url

TEMPLATES = Path(__file__).parent / "templates"
# Stands for the way up to the site's root in an item rendered for every depth
# (plain ASCII: no escaping changes it, and no record text holds it).
_ROOT = "portalxrootx/"


@dataclass
class GeneratedPage:
    src_uri: str            # path of the virtual Markdown file under docs_dir
    url: str                # directory URL, relative to the site root
    title: str
    html: str
    description: str = ""
    # (title, site-relative path) of the Atom feeds the page links to.
    feeds: list = field(default_factory=list)


def _environment(markdown: MarkdownCache) -> jinja2.Environment:
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
    # Addresses come from the route functions, in templates and macros alike.
    env.globals["routes"] = routes
    env.filters["markdown"] = lambda text: Markup(markdown(text))
    return env


class Renderer:
    def __init__(self, catalogue: Catalogue, history: History | None = None, markdown: MarkdownCache | None = None,
                 routes: RouteTable | None = None, site_url: str | None = None):
        self.catalogue = catalogue
        # Where the site is published (sitebuild.site_url): a technology's printed
        # card carries a QR code of its whole address only where that is known.
        self.site_url = site_url
        self.history = history or History()
        self.routes = routes or RouteTable.build(catalogue)
        self.env = _environment(markdown or MarkdownCache())
        # Each facet value's count over the whole collection (the home page's ways in, the region map).
        self._facets = {c: [(f, self.routes.facet_counts[(c, f.key)]) for f in facets] for c, facets in FACETS.items()}
        self._items: dict[tuple, str] = {}
        # The facet nav of the last selection rendered (_ROOT marking its links).
        self._navs_of: tuple | None = None
        self._facet_nav = ""

    def render(self, template: str, page_url: str, **context) -> str:
        def url(target) -> str:
            return relative_url(page_url, target.url if isinstance(target, Record) else target)

        return self.env.get_template(template).render(
            catalogue=self.catalogue, vocab=self.catalogue.vocab, today=self.catalogue.today, labels=LABELS,
            url=url, facet_url=facet_url, **context,
        )

    def _page(self, route: Route, html: str) -> GeneratedPage:
        return GeneratedPage(routes.source_file(route.url), route.url, route.title, html,
                             description=route.description, feeds=list(route.feeds))

    def record(self, rec: Record) -> GeneratedPage:
        html = self.render(f"record_{rec.collection}.html", rec.url, rec=rec,
                           changes=self.history.of(rec.collection, rec.id)[:5],
                           uncommitted=self.history.is_uncommitted(rec.collection, rec.id),
                           verdicts=verdicts(rec, self.catalogue.vocab) if rec.collection == "technologies" else (),
                           qr=self.card_qr(rec))
        return self._page(self.routes[rec.url], with_contents(html))

    def card_qr(self, rec: Record) -> Markup | None:
        """The QR code of a technology's whole address for its printed card (qr.py);
        None for other records and where the site's address is unknown."""
        address = routes.absolute(self.site_url, rec.url)
        if rec.collection != "technologies" or address is None:
            return None
        return Markup(qr_svg(address))


    def listing(self, listing: ListingPage) -> GeneratedPage:
        route = self.routes[listing.url]
        collection = listing.collection
        charts = ""
        if collection == "policies" and not listing.filters and listing.page == 1:
            charts = self._policy_charts(listing.url)
        depth = routes.depth(listing.url)
        items = {group: Markup("".join(self._item(r, depth) for r in records)) for group, records in listing.groups}
        html = self.render("listing.html", listing.url, listing=listing, title=route.title, collection=collection,
                           offline_key=route.offline_group if route.offers_offline else None,
                           label=LABELS[collection], sorts=sorts_for(collection, listing.filters),
                           listing_url=routes.collection(collection),
                           charts=Markup(charts), items=items, page_numbers=_page_numbers(listing.page, listing.pages),
                           facets_nav=self._facets_nav(listing, depth))
        return self._page(route, html)

    # A record appears on some ten listing pages, at several depths, and a facet
    # list on every page of its selection: each is rendered once with its links
    # from the site's root marked (_ROOT), the mark replaced by the way up from
    # each depth.
    def _item(self, rec: Record, depth: int) -> str:
        key = (rec.collection, rec.id)
        if key not in self._items:
            self._items[key] = self.env.get_template("listing_item.html").render(
                url=lambda target: _ROOT + target.url, r=rec, collection=rec.collection)
        return self._items[key].replace(_ROOT, "../" * depth)

    def _facets_nav(self, listing: ListingPage, depth: int) -> Markup:
        collection, chosen = listing.collection, selection_key(listing.filters)
        if self._navs_of != (collection, chosen):
            # A listing's pages come together: keep the nav of one selection only.
            self._navs_of = (collection, chosen)
            self._facet_nav = self.env.get_template("listing_facets.html").render(
                url=lambda target: _ROOT + target, label=LABELS[collection],
                choices=facet_choices(self.routes, collection, listing.filters),
                removals=removals(collection, listing.filters), listing_url=routes.collection(collection))
        return Markup(self._facet_nav.replace(_ROOT, "../" * depth))

    def _policy_charts(self, page_url: str) -> str:
        facet = region_facet("policies")
        counts = dict(next(found for f, found in self._facets["policies"] if f is facet))
        regions = self.catalogue.vocab.regions
        tiles = region_tile_map(
            {r: counts.get(r, 0) for r in regions},
            lambda region: relative_url(page_url, facet_url("policies", facet, region)) if counts.get(region) else None,
            regions=regions,
        )
        timeline = monthly_timeline([r.data["published"] for r in self.catalogue.policies.values()])
        return self.render("charts.html", page_url, tiles=Markup(tiles), timeline=Markup(timeline))

    def home(self) -> str:
        upcoming = self.catalogue.upcoming_deadlines()
        # Dates a reader acts on (comments, calls, enrolment, effective dates) come
        # first; the programme's own review dates after them.
        reader = [item for item in upcoming if item[2].collection != "technologies"]
        reviews = [item for item in upcoming if item[2].collection == "technologies"]
        return self.render("home.html", "", latest=self.catalogue.policies_newest_first()[:8],
                           deadlines=reader[:10], reviews=reviews[:5], ways=self._ways_in(),
                           changed=self.recently_changed())

    # The ways into the site from the home page: (heading, collection, facet key).
    WAYS_IN = (("按机构层级找技术", "technologies", "level"), ("按地区找政策通知", "policies", "region"),
               ("按主题找政策通知", "policies", "topic"))

    def _ways_in(self) -> list[tuple[str, str, list[tuple[str, int, str]]]]:
        """(facet key, heading, [(value, count, address)]) of each way in that has records."""
        ways = []
        for heading, collection, key in self.WAYS_IN:
            facet, counts = next((f, c) for f, c in self._facets[collection] if f.key == key)
            values = [(value, count, facet_url(collection, facet, value)) for value, count in counts]
            if values:
                ways.append((key, heading, values))
        return ways

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


CONTENTS = "<!-- portal:contents -->"
_SECTION = re.compile(r'<h2 id="([^"]+)">(.*?)</h2>', re.S)
_TAGS = re.compile(r"<[^>]+>")


def with_contents(html: str) -> str:
    """The page with its 本页目录 (a contents list of its sections, GOV.UK's
    contents list) where the template marks it: made from the page's own
    section headings, so it lists exactly the sections the page has."""
    if CONTENTS not in html:
        return html
    sections = [(anchor, " ".join(_TAGS.sub(" ", title).split())) for anchor, title in _SECTION.findall(html)]
    nav = ""
    if len(sections) > 1:
        items = "".join(f'<li><a href="#{anchor}">{title}</a></li>' for anchor, title in sections)
        nav = f'<nav class="portal-contents" aria-label="本页目录"><h2 class="portal-contents__title">本页目录</h2><ul>{items}</ul></nav>'
    return html.replace(CONTENTS, nav, 1)


def generated_pages(catalogue: Catalogue, history: History | None = None, include_nav: bool = True,
                    renderer: Renderer | None = None) -> Iterator[GeneratedPage]:
    """Every generated page of the route table. Without include_nav, the
    collection pages in the site's nav are left out (MkDocs renders those: see
    nav_pages)."""
    renderer = renderer or Renderer(catalogue, history)
    listings: dict = {}
    members: dict = {}
    for route in renderer.routes.generated(include_nav=include_nav):
        if route.kind == routes.RECORD:
            yield renderer.record(catalogue.records[route.collection][route.record_id])
            continue
        # One listing's pages are sorted and cut together, then rendered one by one.
        key = (route.collection, selection_key(route.filters))
        if key not in listings:
            if route.collection not in members:
                members = {route.collection: _members(catalogue, route.collection)}
            listings = {key: {page.url: page for page in listing_pages(
                catalogue, route.collection, route.filters, records=members[route.collection].get(key[1], []))}}
        yield renderer.listing(listings[key][route.url])


def _members(catalogue: Catalogue, collection: str) -> dict[tuple, list[Record]]:
    """selection_key → records of each listing of a collection, from one pass over its records."""
    found: dict[tuple, list[Record]] = {}
    for rec in catalogue.records[collection].values():
        for key in selections_of(collection, rec):
            found.setdefault(key, []).append(rec)
    return found


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


def nav_pages(catalogue: Catalogue, history: History | None = None,
              renderer: Renderer | None = None) -> list[GeneratedPage]:
    """The first page of each collection's listing: the site's nav links them."""
    renderer = renderer or Renderer(catalogue, history)
    return [renderer.listing(listing_pages(catalogue, route.collection)[0])
            for route in renderer.routes.generated() if route.in_nav]
