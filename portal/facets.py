"""What a collection's listings can be narrowed by (facets) and ordered by (sorts).

Plain data over records, below the addresses (routes.py) and the renderers:
a facet's key is a folder of its listings' addresses, a sort's key another.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
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


def facet_by_key(collection: str, key: str) -> Facet | None:
    return next((f for f in FACETS[collection] if f.key == key), None)


def region_facet(collection: str) -> Facet | None:
    """The facet whose listings are offline groups (REGION_FACET), if the collection has it."""
    return facet_by_key(collection, REGION_FACET)


def default_sort(collection: str) -> Sort:
    """The order of a listing's address without a sort folder."""
    return SORTS[collection][0]
