"""What a collection's listings can be narrowed by (facets) and ordered by (sorts).

Plain data over records, below the addresses (routes.py) and the renderers:
a facet's key is a folder of its listings' addresses, a sort's key another.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from pypinyin import lazy_pinyin

from .statuses import TECHNOLOGY

if TYPE_CHECKING:  # only read here: the catalogue builds on the addresses, which build on facets
    from .catalogue import Catalogue, Record

# The facet of the region; its policy listings are also offline groups ("save this region's notices").
REGION_FACET = "region"


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


def _status(rec: Record) -> list:
    return [rec.status.label] if rec.status else []


def _vocab_order(path):
    return lambda cat: cat.vocab.values(path)


FACETS: dict[str, tuple[Facet, ...]] = {
    "technologies": (
        Facet("category", "技术范围", _field("category"), _vocab_order("technology.category")),
        Facet("management-class", "管理类别", _field("management_class"), _vocab_order("technology.management_class")),
        Facet("status", TECHNOLOGY.title, _status, lambda cat: TECHNOLOGY.labels),
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


# The facets a listing can be narrowed by at once, two at a time: the pairs a
# reader combines. A facility level with anything else about a technology (村卫生室
# and 限制类), a region with a notice's topic or a mentor's track or tier. Each pair's combinations
# with records are pages of their own (routes.listing), so filters combine
# without JavaScript; three at once would multiply the pages again.
PAIRS: dict[str, tuple[frozenset, ...]] = {
    "technologies": tuple(frozenset(("level", key)) for key in ("category", "management-class", "status", "tradition")),
    "mentors": (frozenset(("track", "region")), frozenset(("tier", "region"))),
    "policies": (frozenset(("region", "topic")),),
}

# What a listing is narrowed by: ((Facet, value), ...), in the order of FACETS.
Filters = tuple


@functools.lru_cache(maxsize=None)
def _facet_order(collection: str) -> dict[str, int]:
    return {f.key: i for i, f in enumerate(FACETS[collection])}


def selection(collection: str, filters) -> Filters:
    """Filters in their one order (the order of FACETS), so one set of filters has one address."""
    order = _facet_order(collection)
    return tuple(sorted(filters, key=lambda item: order[item[0].key]))


def selection_key(filters: Filters) -> tuple:
    """((facet key, value), ...): filters as plain, hashable text."""
    return tuple((facet.key, value) for facet, value in filters)


def combines(collection: str, filters: Filters) -> bool:
    """Whether a listing can be narrowed by all these filters at once (one facet, or a pair)."""
    keys = [facet.key for facet, _value in filters]
    return len(keys) <= 1 or (len(keys) == 2 and frozenset(keys) in PAIRS[collection])


def narrowed(collection: str, filters: Filters, facet: Facet, value) -> Filters:
    """Where choosing facet = value leads from a listing narrowed by `filters`: the
    facet's value replaced or added, keeping as many of the other filters as can
    be combined with it (see dropped)."""
    others = tuple(item for item in filters if item[0].key != facet.key)
    if combines(collection, others + ((facet, value),)):
        return selection(collection, others + ((facet, value),))
    kept = next((item for item in others if combines(collection, (item, (facet, value)))), None)
    return selection(collection, ((kept, (facet, value)) if kept else ((facet, value),)))


def dropped(collection: str, filters: Filters, facet: Facet) -> Filters:
    """The filters that choosing a value of `facet` gives up (none when it combines)."""
    if not filters:
        return ()
    after = selection_key(narrowed(collection, filters, facet, None))
    return tuple((f, value) for f, value in filters if f.key != facet.key and (f.key, value) not in after)


def matches(rec: Record, filters: Filters) -> bool:
    return all(value in facet.values(rec) for facet, value in filters)


def selections_of(collection: str, rec: Record) -> list[tuple]:
    """The selection_key of every listing that holds the record: the whole
    collection, each of its facet values, each pair of them."""
    values = {facet.key: list(dict.fromkeys(facet.values(rec))) for facet in FACETS[collection]}
    keys: list[tuple] = [()]
    keys += [((key, value),) for key, found in values.items() for value in found]
    order = _facet_order(collection)
    for pair in PAIRS[collection]:
        first, second = sorted(pair, key=order.__getitem__)
        keys += [((first, a), (second, b)) for a in values[first] for b in values[second]]
    return keys


def sorts_for(collection: str, filters: Filters) -> tuple:
    """The orders a listing comes in: a combination of two filters in its first order only."""
    return SORTS[collection] if len(filters) < 2 else SORTS[collection][:1]


def facet_counts(catalogue: Catalogue, facet: Facet, counts: dict) -> list[tuple[str, int]]:
    """[(value, records)] of a facet's values with records (counts: value → records), in the facet's order."""
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


def facet_by_key(collection: str, key: str) -> Facet | None:
    return next((f for f in FACETS[collection] if f.key == key), None)


def region_facet(collection: str) -> Facet | None:
    """The facet whose listings are offline groups (REGION_FACET), if the collection has it."""
    return facet_by_key(collection, REGION_FACET)


def default_sort(collection: str) -> Sort:
    """The order of a listing's address without a sort folder."""
    return SORTS[collection][0]
