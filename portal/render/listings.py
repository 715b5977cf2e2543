"""Listing pages: every collection browsable without JavaScript.

Each listing can be narrowed by one facet value, ordered two ways and is cut
into pages, all as plain pages with plain links (addresses: routes.listing).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from pypinyin import lazy_pinyin

from .. import routes
from ..catalogue import Catalogue, Record
from ..schema import COLLECTIONS

PAGE_SIZE = 50
# What readers call each collection: its label in the record model, nowhere else.
LABELS = {c.name: c.label for c in COLLECTIONS}


@dataclass(frozen=True)
class Facet:
    key: str                # URL segment
    label: str
    values: Callable[[Record], list]
    order: Callable[[Catalogue], list] = field(default=lambda cat: [])


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _field(name):
    return lambda rec: _as_list(rec.get(name))


def _vocab_order(path):
    return lambda cat: cat.vocab.values(path)


FACETS: dict[str, tuple[Facet, ...]] = {
    "technologies": (
        Facet("category", "技术范围", _field("category"), _vocab_order("technology.category")),
        Facet("management-class", "管理类别", _field("management_class"), _vocab_order("technology.management_class")),
        Facet("stage", "推广阶段", _field("stage"), _vocab_order("technology.stage")),
        Facet("level", "适用机构", _field("levels"), _vocab_order("technology.levels")),
        Facet("tradition", "医学体系", _field("tradition"), _vocab_order("technology.tradition")),
    ),
    "mentors": (
        Facet("track", "传承类别", _field("track"), _vocab_order("mentor.tracks")),
        Facet("tier", "层级", _field("tier"), _vocab_order("mentor.tiers")),
        Facet("region", "地区", _field("region"), _vocab_order("regions")),
    ),
    "policies": (
        Facet("region", "地区", _field("region"), _vocab_order("regions")),
        Facet("topic", "主题", _field("topics"), _vocab_order("policy.topics")),
        Facet("year", "年份", lambda r: [str(r.data["published"].year)], lambda cat: sorted(
            {str(r.data["published"].year) for r in cat.policies.values()}, reverse=True)),
    ),
}


def facet_counts(catalogue: Catalogue, collection: str, facet: Facet) -> list[tuple[str, int]]:
    counts = Counter(v for rec in catalogue.records[collection].values() for v in facet.values(rec))
    ordered = [v for v in facet.order(catalogue) if counts.get(v)]
    ordered += sorted(v for v in counts if v not in ordered)
    return [(v, counts[v]) for v in ordered]


@functools.lru_cache(maxsize=None)
def pinyin(text: str) -> str:
    """Sort key in the order of a Chinese dictionary (by pinyin)."""
    return " ".join(lazy_pinyin(text))


def _initial(text: str) -> str:
    letter = pinyin(text)[:1].upper()
    return letter if "A" <= letter <= "Z" else "#"


@dataclass(frozen=True)
class Sort:
    key: str
    label: str
    order: Callable[[Record], tuple]
    group: Callable[[Record], str]
    reverse: bool = False


def _year(day: dt.date | None, missing: str) -> str:
    return f"{day.year}年" if day else missing


def _deadline(rec: Record) -> dt.date:
    return (rec.get("enrollment", {}) or {}).get("deadline") or dt.date.max


SORTS: dict[str, tuple[Sort, ...]] = {
    "policies": (
        Sort("date", "按发布日期", lambda r: (r.data["published"], r.id), lambda r: _year(r.data["published"], ""),
             reverse=True),
        Sort("title", "按标题拼音", lambda r: (pinyin(r.title), r.id), lambda r: _initial(r.title)),
    ),
    "technologies": (
        Sort("name", "按名称拼音", lambda r: (pinyin(r.title), r.id), lambda r: _initial(r.title)),
        Sort("date", "按入库日期", lambda r: (r.get("warehoused") or dt.date.min, r.id),
             lambda r: _year(r.get("warehoused"), "未注明入库日期"), reverse=True),
    ),
    "mentors": (
        Sort("name", "按姓名拼音", lambda r: (pinyin(r.title), r.id), lambda r: _initial(r.title)),
        Sort("deadline", "按报名截止日期", lambda r: (_deadline(r), r.id),
             lambda r: "未设报名截止日期" if _deadline(r) == dt.date.max else f"{_deadline(r).year}年{_deadline(r).month}月截止"),
    ),
}


def listing_url(collection: str, facet: Facet | None = None, value: str | None = None,
                sort: Sort | None = None, page: int = 1) -> str:
    return routes.listing(collection, facet.key if facet is not None else None, value,
                          sort.key if sort is not None and sort is not SORTS[collection][0] else None, page)


def region_facet(collection: str) -> Facet | None:
    """The facet whose listings are offline groups (routes.REGION_FACET), if the collection has it."""
    return next((f for f in FACETS[collection] if f.key == routes.REGION_FACET), None)


def facet_url(collection: str, facet: Facet, value: str) -> str:
    return listing_url(collection, facet, value)


@dataclass
class ListingPage:
    collection: str
    facet: Facet | None
    value: str | None
    sort: Sort
    page: int
    pages: int
    total: int
    groups: list[tuple[str, list[Record]]]

    @property
    def url(self) -> str:
        return listing_url(self.collection, self.facet, self.value, self.sort, self.page)

    def url_for(self, *, sort: Sort | None = None, page: int = 1) -> str:
        return listing_url(self.collection, self.facet, self.value, sort or self.sort, page)

    @property
    def title(self) -> str:
        label = LABELS[self.collection]
        return label if self.facet is None else f"{label}：{self.facet.label} · {self.value}"


def listing_pages(catalogue: Catalogue, collection: str, facet: Facet | None = None,
                  value: str | None = None, holding: Record | None = None,
                  was: Record | None = None) -> list[ListingPage]:
    """Every page of one listing (all sorts, all page numbers); with `holding`,
    only the pages that list that record, and with `was` (the same record before
    an edit that kept it in this listing) also the pages its move in the order
    shifted by one."""
    records = list(catalogue.records[collection].values())
    if facet is not None:
        records = [r for r in records if value in facet.values(r)]
    pages = []
    for sort in SORTS[collection]:
        ordered = sorted(records, key=sort.order, reverse=sort.reverse)
        count = max(1, -(-len(ordered) // PAGE_SIZE))
        numbers = range(1, count + 1)
        if holding is not None:
            at = next((i for i, r in enumerate(ordered) if r is holding), None)
            numbers = [] if at is None else [at // PAGE_SIZE + 1]
            if was is not None and at is not None:
                # Where it stood: after every other record whose key came first.
                key = sort.order(was)
                before = sum(1 for r in ordered if r is not holding
                             and (sort.order(r) > key if sort.reverse else sort.order(r) < key))
                low, high = sorted((at, before))
                numbers = range(low // PAGE_SIZE + 1, high // PAGE_SIZE + 2)
        for n in numbers:
            chunk = ordered[(n - 1) * PAGE_SIZE: n * PAGE_SIZE]
            groups: dict[str, list[Record]] = {}
            for rec in chunk:
                groups.setdefault(sort.group(rec), []).append(rec)
            pages.append(ListingPage(collection, facet, value, sort, n, count, len(ordered), list(groups.items())))
    return pages
