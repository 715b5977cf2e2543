"""The site's addresses: every URL of the site is built here, and the route
table lists every page and feed a build writes.

Addresses are relative to the site root; pages have directory URLs
("policies/x/"), as MkDocs writes them. Other modules ask for an address by
what it is (a record, a listing narrowed by a facet value, a feed, a data
file) and never assemble one from strings themselves.

    technologies/                          a collection's listing, page 1 (in the nav)
    technologies/<id>/                     a record
    policies/by/page/2/                    page 2
    policies/by/sort/title/                another order
    policies/by/region/北京/sort/title/page/2/
    policies/by/region/北京/topic/医保政策/    two filters at once (facets.PAIRS)
    feeds/policies-region-bei-jing.xml     the Atom feed of a listing
    calendar/deadlines.ics                 every deadline ahead
    calendar/shan3-xi1.ics                 a province's deadlines and the nationwide ones
    api/policies.json, schemas/…

The table (RouteTable.build) is computed once per build from the catalogue and
the site's content pages: each page's kind, title, description, feeds, nav
membership, offline group and searchability, and each feed and calendar.
Pages, feeds, calendars, offline lists, search shards, page counts, the
preview and the sitemap read it.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Iterator
from urllib.parse import quote

from pypinyin import Style, lazy_pinyin

from .facets import (FACETS, REGION_FACET, Facet, Filters, Sort, default_sort, facet_by_key, facet_counts, pinyin,
                     selection_key, selections_of, sorts_for)
from .schema import COLLECTION_BY_NAME, COLLECTIONS
from .vocab import NATIONAL, value_problem

if TYPE_CHECKING:  # read only: the catalogue builds on the addresses
    from .catalogue import Catalogue

# Folder under a collection that holds its narrowed, sorted and later pages.
LISTING_FOLDER = "by"
PAGE_SIZE = 50

FEEDS_FOLDER = "feeds"
CALENDARS_FOLDER = "calendar"
# The calendar of every deadline; each province's is named by its slug beside it.
ALL_DEADLINES = "deadlines"
CALENDAR = f"{CALENDARS_FOLDER}/{ALL_DEADLINES}.ics"
MANIFEST = "manifest.webmanifest"
SERVICE_WORKER = "sw.js"
# The build's version, for caches: written after everything else.
BUILD_SCRIPT = "assets/javascripts/build.js"
# What 离线保存 offers (offline.js reads it).
OFFLINE_LIST = "offline/collections.json"
# Each province's newest notices and open calls for comments (the home page, 我的机构).
PROVINCE_NEWS = "home/provinces.json"
# What changed lately (the 自上次联网以来 page).
CHANGES = "offline/changes.json"
API_INDEX = "api/index.json"
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
# The empty sitemap Material's script asks for beside the feeds (see outputs/__init__.py).
FEEDS_SITEMAP = f"{FEEDS_FOLDER}/sitemap.xml"

RECORD, LISTING, CONTENT, FEED, CALENDAR_FILE = "record", "listing", "content", "feed", "calendar"


# --- addresses ----------------------------------------------------------------------

def record(collection: str, record_id: str) -> str:
    return f"{collection}/{record_id}/"


def collection(name: str) -> str:
    """The first page of a collection's listing (the one the site's nav links)."""
    return f"{name}/"


def content_page(name: str) -> str:
    """A page of the site's own text (content/<name>.md)."""
    return f"{name}/"


def is_collection(url: str) -> bool:
    return url.count("/") == 1 and url.endswith("/")


@functools.lru_cache(maxsize=4096)
def segment(value) -> str:
    """A facet value as one folder name of a listing's address (policies/by/region/北京/).

    The Chinese value itself, which readers recognise in the address bar and
    links already use; vocabulary values are checked when the vocabulary is
    loaded (vocab.value_problem), and checked again here, so no value can
    name a folder outside its listing.
    """
    text = str(value)
    problem = value_problem(text)
    if problem:
        raise ValueError(f"facet value cannot be part of an address: {problem}")
    return text


def listing(name: str, filters: tuple = (), sort_key: str | None = None, page: int = 1) -> str:
    """A listing page narrowed by filters ((facet key, value), ...); sort_key None
    is the collection's first (default) order."""
    segments: list[str] = []
    for facet_key, value in filters:
        segments += [facet_key, segment(value)]
    if sort_key is not None:
        segments += ["sort", sort_key]
    if page > 1:
        segments += ["page", str(page)]
    return collection(name) + (f"{LISTING_FOLDER}/" + "/".join(segments) + "/" if segments else "")


def listing_url(name: str, filters: Filters = (), sort: Sort | None = None, page: int = 1) -> str:
    """listing() from a collection's filters ((Facet, value), ... in facets.selection's
    order) and Sort (the default sort has no folder)."""
    return listing(name, selection_key(filters), sort.key if sort is not None and sort is not default_sort(name) else None,
                   page)


def facet_url(name: str, facet: Facet | str, value: str) -> str:
    """The first page of a collection narrowed to one facet value (the facet or its key)."""
    facet = facet_by_key(name, facet) if isinstance(facet, str) else facet
    return listing_url(name, ((facet, value),))


def source_file(url: str) -> str:
    """The virtual Markdown file MkDocs knows a generated page by: a collection's
    first page is its folder's index.md, every other page <url>.md."""
    return url.rstrip("/") + ("/index.md" if is_collection(url) else ".md")


def absolute(site_url: str | None, url: str) -> str | None:
    """A page's whole address where the site's is known (site_url, as the build
    has it: sitebuild.site_url, the canonical links' and the sitemap's base),
    non-ASCII percent-encoded so any reader of it (a phone scanning the printed
    card's QR code) takes it as it is; None where the site's address is unknown."""
    if not site_url:
        return None
    return quote(site_url.rstrip("/") + "/" + url, safe=_URI_SAFE)


# Characters an address keeps as they are (RFC 3986 reserved, and % of what is already encoded).
_URI_SAFE = ":/?#[]@!$&'()*+,;=%~"


def depth(url: str) -> int:
    """How many folders down a page is (its relative links climb that many)."""
    return url.strip("/").count("/") + 1 if url.strip("/") else 0


def offline_region_group(region: str) -> str:
    """Key of the offline group holding one region's notices."""
    return f"policies-{region}"


def api_collection(name: str, suffix: str = "json") -> str:
    return f"api/{name}.{suffix}"


def api_record(name: str, record_id: str) -> str:
    return f"api/{name}/{record_id}.json"


def api_record_pattern(name: str) -> str:
    """api_record's address with "{id}" in place of the record's id (for the index's readers)."""
    return api_record(name, "{id}")


def schema(name: str) -> str:
    return f"schemas/{name}.schema.json"


def feed(name: str) -> str:
    return f"{FEEDS_FOLDER}/{name}.xml"


def calendar(name: str) -> str:
    """An iCalendar file: calendar(ALL_DEADLINES) is CALENDAR, every deadline;
    calendar(<a province's slug>) a province's (RouteTable.calendars gives the slugs)."""
    return f"{CALENDARS_FOLDER}/{name}.ics"


# --- feed names ---------------------------------------------------------------------

def _ascii_words(words: list[str]) -> list[str]:
    out: list[str] = []
    for word in words:
        out += re.findall(r"[a-z0-9]+", word.lower())
    return out


def slug(text: str) -> str:
    """北京 → bei-jing, 医保政策 → yi-bao-zheng-ce (ASCII only)."""
    return "-".join(_ascii_words(pinyin(text).split()))


def _tone_slug(text: str) -> str:
    """山西 → shan1-xi1: homophones differ by tone."""
    return "-".join(_ascii_words(lazy_pinyin(text, style=Style.TONE3)))


def value_slugs(values: list[str]) -> dict[str, str]:
    """A distinct slug for each value.

    Values whose plain pinyin collides with another value of the same list
    (山西 and 陕西 are both "shan xi") get tone numbers (shan1-xi1, shan3-xi1); a
    value still clashing, or with no letters at all, gets a numeric suffix in list
    order. Pass the whole vocabulary so a slug does not depend on which values
    happen to have records.
    """
    values = list(dict.fromkeys(values))
    plain = {v: slug(v) for v in values}
    counts: dict[str, int] = {}
    for s in plain.values():
        counts[s] = counts.get(s, 0) + 1
    result: dict[str, str] = {}
    taken: set[str] = set()
    for value in values:
        candidate = plain[value]
        if counts[candidate] > 1:
            candidate = _tone_slug(value) or candidate
        candidate = candidate or "x"
        base, n = candidate, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}-{n}"
        taken.add(candidate)
        result[value] = candidate
    return result


# --- the route table -------------------------------------------------------------------

@dataclass(frozen=True)
class Route:
    """One page or feed of the site."""

    url: str
    kind: str                       # RECORD, LISTING, CONTENT, FEED or CALENDAR_FILE
    title: str = ""
    description: str = ""
    collection: str | None = None
    record_id: str | None = None
    # Listings: what they are narrowed by and in which order, and which page;
    # feeds: the one filter they follow.
    filters: Filters = ()
    sort: Sort | None = None
    page: int = 1
    # Pages: (title, feed URL) of the Atom feeds they link to.
    feeds: tuple = ()
    # Feeds: the listing they follow (their alternate link).
    listing: str | None = None
    # A region's feed and a province's calendar: the region (None for the others).
    region: str | None = None
    in_nav: bool = False
    # The offline group the page belongs to, and whether its page offers to save the group.
    offline_group: str | None = None
    offers_offline: bool = False
    searchable: bool = False

    @property
    def depth(self) -> int:
        return depth(self.url)

    @property
    def is_page(self) -> bool:
        return self.kind not in (FEED, CALENDAR_FILE)

    @property
    def generated(self) -> bool:
        """Written by the portal (records, listings), not from a Markdown file in content/."""
        return self.kind in (RECORD, LISTING)


@dataclass(frozen=True)
class OfflineGroup:
    """What 离线保存 offers as one choice: a collection, or one region's notices."""

    key: str
    label: str
    url: str          # the page that offers it
    urls: tuple       # its pages, but for those of `includes`
    # Keys of groups whose pages this one holds too, listed there and not again
    # here (全部政策通知 holds every region's notices): the offline list stays small.
    includes: tuple = ()


@dataclass
class RouteTable:
    routes: list[Route]
    offline_groups: list[OfflineGroup]
    # (collection, facet key) → [(value, records)] of the values that have records (facets.facet_counts).
    facet_counts: dict = field(default_factory=dict, repr=False)
    # (collection, facets.selection_key) → how many records, of every listing with records.
    listed: dict = field(default_factory=dict, repr=False)
    _by_url: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_url = {r.url: r for r in self.routes}

    @classmethod
    def build(cls, catalogue: Catalogue, content: Iterable[tuple[str, bool]] = ()) -> "RouteTable":
        """Every route of a build: the content pages ((url, searchable) of each
        Markdown page in content/), the records, the listings and the feeds."""
        listed = {(name, ()): 0 for name in FACETS}
        for name in FACETS:
            for rec in catalogue.records[name].values():
                for key in selections_of(name, rec):
                    listed[(name, key)] = listed.get((name, key), 0) + 1
        by_value: dict = {(name, facet.key): {} for name, facets in FACETS.items() for facet in facets}
        for (name, key), count in listed.items():
            if len(key) == 1:
                by_value[(name, key[0][0])][key[0][1]] = count
        counts = {(name, facet.key): facet_counts(catalogue, facet, by_value[(name, facet.key)])
                  for name, facets in FACETS.items() for facet in facets}
        feeds = _feeds(catalogue, counts)
        followed = {f.listing: (f.title, f.url) for f in feeds}
        groups = _offline_groups(catalogue)
        routes = [Route(url, CONTENT, searchable=searchable) for url, searchable in content]
        region_feeds = {v: followed.get(facet_url("policies", REGION_FACET, v)) for v in catalogue.vocab.regions}
        for rec in catalogue.all():
            links = [followed[collection(rec.collection)]]
            region = rec.get("region") if rec.collection == "policies" else None
            if region and region_feeds.get(region):
                links.append(region_feeds[region])
            # The description travels alone (shared links, search engines): a fictional record says so in it.
            description = ("示例：" if rec.example else "") + rec.get("summary", rec.title)
            routes.append(Route(rec.url, RECORD, rec.title, description, rec.collection, rec.id,
                                feeds=tuple(links), offline_group=_record_group(rec), searchable=True))
        places = {(name, k): {v: i for i, (v, _n) in enumerate(found)} for (name, k), found in counts.items()}
        for (name, key), count in sorted(listed.items(), key=lambda item: _listing_order(item[0], places)):
            by_key = {f.key: f for f in FACETS[name]}
            routes += _listing_routes(name, tuple((by_key[k], v) for k, v in key), count, followed)
        members: dict[str, list[Route]] = {}
        for route in routes:
            if route.offline_group:
                members.setdefault(route.offline_group, []).append(route)
            # Every notice is also in 全部政策通知, beside its region's group.
            if route.kind == RECORD and route.collection == "policies":
                members.setdefault("policies", []).append(route)
        # A collection's pages in address order; a region's notices, then its listing pages.
        offline = [OfflineGroup(key, label, next(r.url for r in members[key] if r.offers_offline),
                                tuple(sorted(r.url for r in members.get(key, ()))) if key in FACETS
                                else tuple(r.url for r in sorted(members[key], key=lambda r: r.record_id or "")
                                           if r.kind == RECORD) +
                                tuple(sorted(r.url for r in members[key] if r.kind == LISTING)))
                   for key, label in groups]
        return cls(routes + feeds + _calendars(catalogue), _with_includes(offline), counts, listed)

    def count(self, collection: str, filters: Filters) -> int:
        """How many records a listing narrowed by `filters` holds."""
        return self.listed.get((collection, selection_key(filters)), 0)

    def group_pages(self, group: OfflineGroup) -> tuple:
        """Every page of an offline group, those of the groups it includes too."""
        included = {g.key: g for g in self.offline_groups}
        pages = dict.fromkeys(group.urls)
        for key in group.includes:
            pages.update(dict.fromkeys(included[key].urls))
        return tuple(pages)

    def get(self, url: str) -> Route | None:
        return self._by_url.get(url)

    def __getitem__(self, url: str) -> Route:
        return self._by_url[url]

    def pages(self) -> Iterator[Route]:
        return (r for r in self.routes if r.is_page)

    def generated(self, *, include_nav: bool = True) -> Iterator[Route]:
        return (r for r in self.routes if r.generated and (include_nav or not r.in_nav))

    def feeds(self) -> list[Route]:
        return [r for r in self.routes if r.kind == FEED]

    def calendars(self) -> list[Route]:
        """Every deadline's calendar (CALENDAR, region None), then one per province in the vocabulary's order."""
        return [r for r in self.routes if r.kind == CALENDAR_FILE]

    def searchable(self) -> list[str]:
        """Site-absolute URLs of the pages in the search index, records first."""
        records = ["/" + r.url for r in self.routes if r.searchable and r.kind == RECORD]
        return records + ["/" + r.url for r in self.routes if r.searchable and r.kind == CONTENT]

    def sitemap(self, site_url: str | None) -> bytes:
        """sitemap.xml of every page (absolute addresses when the site's is known)."""
        base = site_url.rstrip("/") + "/" if site_url else "/"
        lines = ['<?xml version="1.0" encoding="UTF-8"?>',
                 '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
        lines += [f"  <url><loc>{html.escape(base + url, quote=False)}</loc></url>"
                  for url in sorted(r.url for r in self.pages())]
        return ("\n".join(lines + ["</urlset>"]) + "\n").encode("utf-8")


def _with_includes(groups: list[OfflineGroup]) -> list[OfflineGroup]:
    """全部政策通知 names the region groups it holds rather than listing their pages again."""
    regions = [g for g in groups if g.key.startswith("policies-")]
    out = []
    for group in groups:
        if group.key == "policies":
            listed = {u for g in regions for u in g.urls}
            group = OfflineGroup(group.key, group.label, group.url, tuple(u for u in group.urls if u not in listed),
                                 tuple(g.key for g in regions))
        out.append(group)
    return out


def _record_group(rec) -> str | None:
    if rec.collection != "policies":
        return rec.collection
    return offline_region_group(rec.data["region"]) if rec.get("region") else None


def _offline_groups(catalogue: Catalogue) -> list[tuple[str, str]]:
    """(key, label) of each offline group, in the order 离线保存 lists them."""
    groups = [(c.name, f"全部{c.label}") for c in COLLECTIONS]
    regions = {r.data["region"] for r in catalogue.policies.values() if r.get("region")}
    groups += [(offline_region_group(region), f"{region}的政策通知")
               for region in catalogue.vocab.regions if region in regions]
    return groups


def _listing_order(listing: tuple, places: dict) -> tuple:
    """Listings by collection, then the whole collection, one filter, two; each
    filter's values in their vocabulary's order (places: (collection, facet key) → {value: place})."""
    name, key = listing
    facets = [f.key for f in FACETS[name]]
    return list(FACETS).index(name), len(key), [(facets.index(k), places[(name, k)][v]) for k, v in key]


def listing_title(name: str, filters: Filters) -> str:
    """入库技术 · 入库技术：适用机构 · 村卫生室 · 政策通知：地区 · 北京，主题 · 医保政策."""
    label = COLLECTION_BY_NAME[name].label
    return label + ("：" + "，".join(f"{facet.label} · {value}" for facet, value in filters) if filters else "")


def _listing_routes(name: str, filters: Filters, count: int, followed: dict) -> list[Route]:
    """Every page of one listing (count records): all its sorts, all page numbers."""
    title = listing_title(name, filters)
    feed_link = followed.get(listing_url(name, filters))
    region = next((value for facet, value in filters if facet.key == REGION_FACET), None)
    # Technologies and mentors are saved whole; notices whole (their first
    # listing) or by region, a region's listings narrowed further included.
    group = name if not filters or name != "policies" else offline_region_group(region) if region else None
    offers = not filters or (name == "policies" and len(filters) == 1 and region is not None)
    routes = []
    for sort in sorts_for(name, filters):
        for page in range(1, max(1, -(-count // PAGE_SIZE)) + 1):
            url = listing_url(name, filters, sort, page)
            first = page == 1 and sort is default_sort(name)
            routes.append(Route(url, LISTING, title, collection=name, filters=filters, sort=sort, page=page,
                                feeds=(feed_link,) if feed_link else (), in_nav=first and not filters,
                                offline_group=group, offers_offline=first and offers))
    return routes


def _feeds(catalogue: Catalogue, counts: dict) -> list[Route]:
    """The Atom feeds: every notice, technologies, mentors enrolling, then one per region and topic with notices."""
    feeds = [
        Route(feed("policies"), FEED, COLLECTION_BY_NAME["policies"].label, "全部政策通知，按发布日期从新到旧。",
              "policies", listing=collection("policies")),
        Route(feed("technologies"), FEED, COLLECTION_BY_NAME["technologies"].label,
              "卫生健康技术资料（名称、管理类别、适应证等，附信息来源）；有入库日期（示例）的按日期从新到旧排在前面。",
              "technologies", listing=collection("technologies")),
        Route(feed("mentors-enrolling"), FEED, "正在招收的传承人", "报名尚未截止的传承人，按报名截止日期从近到远。",
              "mentors", listing=collection("mentors")),
    ]
    for key, vocab_path in ((REGION_FACET, "regions"), ("topic", "policy.topics")):
        facet = facet_by_key("policies", key)
        values = [value for value, _count in counts[("policies", key)]]
        slugs = value_slugs(catalogue.vocab.values(vocab_path) + sorted(values))
        for value in values:
            feeds.append(Route(feed(f"policies-{key}-{slugs[value]}"), FEED, f"政策通知：{value}",
                               f"{facet.label}为“{value}”的政策通知，按发布日期从新到旧。", "policies",
                               filters=((facet, value),), listing=facet_url("policies", facet, value),
                               region=value if key == REGION_FACET else None))
    return feeds


def _calendars(catalogue: Catalogue) -> list[Route]:
    """The calendar of every deadline, then one per province-level region of the
    vocabulary (each has an address to subscribe to, deadlines of its own or not),
    named by the region's slug as its feed is (陕西: feeds/policies-region-shan3-xi1.xml,
    calendar/shan3-xi1.ics). ALL_DEADLINES goes first, so no region can take its name."""
    slugs = value_slugs([ALL_DEADLINES] + catalogue.vocab.regions)
    calendars = [Route(CALENDAR, CALENDAR_FILE, "截止日期",
                       "今后的意见反馈截止、申报截止、施行日期、传承人报名截止和技术评估到期日。")]
    calendars += [Route(calendar(slugs[region]), CALENDAR_FILE, f"{region}及{NATIONAL}的截止日期",
                        f"{region}和{NATIONAL}今后的意见反馈截止、申报截止、施行日期和传承人报名截止，"
                        "以及技术评估到期日。", region=region)
                  for region in catalogue.vocab.provinces]
    return calendars
