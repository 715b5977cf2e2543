"""Atom 1.0 feeds of the catalogue, one file per subscription.

    feeds/policies.xml                    every notice, newest published first
    feeds/policies-region-<slug>.xml      the notices of one region (only regions with notices)
    feeds/policies-topic-<slug>.xml       the notices of one topic (only topics with notices)
    feeds/technologies.xml                technologies, newest warehoused first
    feeds/mentors-enrolling.xml           mentors whose enrollment is open at the build date

The output is a pure function of the catalogue (and site_url): no clock, no random
ids, so two builds of the same data give byte-identical files.

Ids never change: an entry's id is a UUID derived from "<collection>/<id>", a feed's
id from its path (or site_url + path when the site address is known).

Dates, since Atom wants an instant per entry (midnight in China, +08:00):
  policies      published
  technologies  warehoused; catalogue.today when missing (then no <published>)
  mentors       the enrollment deadline, which is the only date a mentor record has;
                catalogue.today when there is none (then no <published>)
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Callable
from urllib.parse import quote

from pypinyin import Style, lazy_pinyin

from ..catalogue import Catalogue, Record
from ..render.listings import FACETS, LABELS, facet_counts, facet_url, listing_url, pinyin
from ..render.text import cn_date

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
AUTHOR = "卫生健康技术推广门户"
MAX_ENTRIES = 50
ENROLLING = "招收中"

# Characters XML 1.0 cannot carry at all (not even escaped).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Characters kept as they are when percent-encoding an IRI into a URI.
_URI_SAFE = ":/?#[]@!$&'()*+,;=%~"


# --- slugs ---------------------------------------------------------------------------

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


# --- what the feeds are -----------------------------------------------------------

@dataclass(frozen=True)
class FeedSpec:
    path: str
    title: str
    description: str
    listing: str                                  # site-relative listing page (alternate link)
    entries: Callable[[Catalogue], list[Record]]


def _policy_facet(key: str):
    return next(f for f in FACETS["policies"] if f.key == key)


def _facet_values(catalogue: Catalogue, key: str) -> list[str]:
    """Values having notices, in vocabulary order."""
    return [value for value, _count in facet_counts(catalogue, "policies", _policy_facet(key))]


def _facet_slugs(catalogue: Catalogue, key: str, vocab_path: str) -> dict[str, str]:
    values = catalogue.vocab.values(vocab_path) + sorted(_facet_values(catalogue, key))
    return value_slugs(values)


def _technologies(catalogue: Catalogue) -> list[Record]:
    """Newest warehoused first, those without a date last; ties by id."""
    def key(rec: Record):
        day = rec.get("warehoused")
        return (day is None, -day.toordinal() if day else 0, rec.id)
    return sorted(catalogue.technologies.values(), key=key)


def _enrolling(catalogue: Catalogue) -> list[Record]:
    mentors = [r for r in catalogue.mentors.values() if r.status is not None and r.status.label == ENROLLING]
    return sorted(mentors, key=lambda r: (_enrollment_deadline(r) or dt.date.max, r.id))


def _specs(catalogue: Catalogue) -> list[FeedSpec]:
    specs = [
        FeedSpec("feeds/policies.xml", LABELS["policies"], "全部政策通知，按发布日期从新到旧。",
                 listing_url("policies"), Catalogue.policies_newest_first),
        FeedSpec("feeds/technologies.xml", LABELS["technologies"], "卫生健康技术资料（名称、管理类别、适应证等，附信息来源）；有入库日期（示例）的按日期从新到旧排在前面。",
                 listing_url("technologies"), _technologies),
        FeedSpec("feeds/mentors-enrolling.xml", "正在招收的传承人", "报名尚未截止的传承人，按报名截止日期从近到远。",
                 listing_url("mentors"), _enrolling),
    ]
    per_value = (("region", "regions", "地区", lambda r: [r.get("region")]),
                 ("topic", "policy.topics", "主题", lambda r: r.get("topics", [])))

    # The policies of each region and topic, newest first, in one pass for
    # the fifty-odd feeds (filtering every policy for each took seconds at scale).
    @functools.cache
    def newest_by_value() -> dict[tuple[str, str], list[Record]]:
        groups: dict[tuple[str, str], list[Record]] = {}
        for rec in catalogue.policies_newest_first():
            for key, _path, _label, values in per_value:
                for value in dict.fromkeys(values(rec)):
                    if value:
                        groups.setdefault((key, value), []).append(rec)
        return groups

    for key, vocab_path, label, _values in per_value:
        slugs = _facet_slugs(catalogue, key, vocab_path)
        for value in _facet_values(catalogue, key):
            specs.append(FeedSpec(
                f"feeds/policies-{key}-{slugs[value]}.xml", f"政策通知：{value}",
                f"{label}为“{value}”的政策通知，按发布日期从新到旧。",
                facet_url("policies", _policy_facet(key), value),
                lambda cat, k=key, v=value: newest_by_value().get((k, v), [])))
    return specs


def feed_list(catalogue: Catalogue) -> list[tuple[str, str, str]]:
    """(path, title, description) of every feed: the three main feeds, then regions, then topics."""
    return [(s.path, s.title, s.description) for s in _specs(catalogue)]


def feeds_by_listing(catalogue: Catalogue) -> dict[str, tuple[str, str]]:
    """Listing page URL → (feed path, title), for the pages' <link rel="alternate">."""
    return {s.listing: (s.path, s.title) for s in _specs(catalogue)}


# --- entries -------------------------------------------------------------------

def _enrollment_deadline(rec: Record) -> dt.date | None:
    return (rec.get("enrollment") or {}).get("deadline")


def _entry_date(rec: Record, today: dt.date) -> tuple[dt.date, bool]:
    """(date, whether it is a real publication date)."""
    if rec.collection == "policies":
        return rec.data["published"], True
    if rec.collection == "technologies" and rec.get("warehoused"):
        return rec.data["warehoused"], True
    if rec.collection == "mentors" and _enrollment_deadline(rec):
        return _enrollment_deadline(rec), False
    return today, False


def _entry_title(rec: Record) -> str:
    if rec.example:
        return f"{rec.title}（示例）"
    return rec.title


def _summary(rec: Record) -> str:
    if rec.collection == "policies":
        parts = [rec.get("doc_number"), "、".join(rec.get("issuers", [])),
                 rec.status.label if rec.status else None]
        return " · ".join(p for p in parts if p)
    if rec.collection == "technologies":
        if rec.illustrative and not rec.example:
            return rec.get("summary", "") + "（入库与推广信息为演示用的示例）"
        return rec.get("summary", "")
    parts = [rec.get("title"), rec.get("institution")]
    deadline = _enrollment_deadline(rec)
    parts.append(f"报名截止：{cn_date(deadline)}" if deadline else "报名截止日期未定")
    text = " · ".join(p for p in parts if p)
    if rec.example:
        text += "（演示用的虚构示例记录）"
    return text


def _categories(rec: Record) -> list[str]:
    if rec.collection == "policies":
        values = list(rec.get("topics", [])) + ([rec.data["region"]] if rec.get("region") else [])
    elif rec.collection == "technologies":
        values = [rec.get(name) for name in ("category", "stage")]
    else:
        values = [rec.get(name) for name in ("track", "region")]
    return list(dict.fromkeys(v for v in values if v))


# --- XML -----------------------------------------------------------------------

def entry_id(rec: Record) -> str:
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"portal:{rec.collection}/{rec.id}"))


def feed_id(path: str, site_url: str | None) -> str:
    if site_url:
        return site_url + path
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"portal:{path}"))


def rfc3339(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00+08:00"


def _clean(text) -> str:
    return _XML_INVALID.sub("", str(text))


def _uri(iri: str) -> str:
    """Percent-encode non-ASCII (e.g. policies/by/region/北京/) so every reader accepts the link."""
    return quote(iri, safe=_URI_SAFE)


def _sub(parent: ET.Element, tag: str, text=None, **attrs) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _clean(v) for k, v in attrs.items()})
    if text is not None:
        element.text = _clean(text)
    return element


def _normalize_site_url(site_url: str | None) -> str | None:
    if not site_url:
        return None
    return site_url.rstrip("/") + "/"


def _render(spec: FeedSpec, catalogue: Catalogue, site_url: str | None) -> bytes:
    # The feed files sit in feeds/: the site root is one level up.
    up = "../" * spec.path.count("/")
    records = spec.entries(catalogue)[:MAX_ENTRIES]
    dated = [(rec, *_entry_date(rec, catalogue.today)) for rec in records]
    updated = max((day for _rec, day, _real in dated), default=catalogue.today)

    feed = ET.Element("feed", {"xmlns": ATOM, XML_LANG: "zh-CN"})
    _sub(feed, "title", spec.title)
    _sub(feed, "subtitle", spec.description)
    _sub(feed, "id", feed_id(spec.path, site_url))
    _sub(feed, "updated", rfc3339(updated))
    self_href = site_url + spec.path if site_url else spec.path.rsplit("/", 1)[-1]
    _sub(feed, "link", rel="self", type="application/atom+xml", href=_uri(self_href))
    _sub(feed, "link", rel="alternate", type="text/html", href=_uri((site_url or up) + spec.listing))
    author = _sub(feed, "author")
    _sub(author, "name", AUTHOR)
    for rec, day, real in dated:
        entry = _sub(feed, "entry")
        _sub(entry, "id", entry_id(rec))
        _sub(entry, "title", _entry_title(rec))
        _sub(entry, "link", rel="alternate", type="text/html", href=_uri((site_url or up) + rec.url))
        if real:
            _sub(entry, "published", rfc3339(day))
        _sub(entry, "updated", rfc3339(day))
        summary = _summary(rec)
        if summary:
            _sub(entry, "summary", summary)
        for term in _categories(rec):
            _sub(entry, "category", term=term)
    ET.indent(feed, space="  ")
    text = '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"
    return text.encode("utf-8")


def feed_files(catalogue: Catalogue, *, site_url: str | None = None) -> dict[str, bytes]:
    """{site-relative path: Atom XML} for every feed of feed_list(), in the same order."""
    site_url = _normalize_site_url(site_url)
    return {spec.path: _render(spec, catalogue, site_url) for spec in _specs(catalogue)}
