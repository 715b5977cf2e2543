"""Atom 1.0 feeds of the catalogue, one file per subscription (which feeds
there are, their addresses and titles: routes.RouteTable).

    feeds/policies.xml                    every notice, newest published first
    feeds/policies-region-<slug>.xml      the notices of one region (only regions with notices)
    feeds/policies-topic-<slug>.xml       the notices of one topic (only topics with notices)
    feeds/technologies.xml                technologies, newest warehoused first
    feeds/mentors-enrolling.xml           mentors whose enrollment is open at the build date

The output is a pure function of the catalogue (and site_url, site_name): no clock, no random
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
from urllib.parse import quote

from ..catalogue import Catalogue, Record
from ..routes import Route, RouteTable
from ..dates import cn_date

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MAX_ENTRIES = 50
ENROLLING = "招收中"

# Characters XML 1.0 cannot carry at all (not even escaped).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Characters kept as they are when percent-encoding an IRI into a URI.
_URI_SAFE = ":/?#[]@!$&'()*+,;=%~"


# --- what each feed holds ---------------------------------------------------------

def _technologies(catalogue: Catalogue) -> list[Record]:
    """Newest warehoused first, those without a date last; ties by id."""
    def key(rec: Record):
        day = rec.get("warehoused")
        return (day is None, -day.toordinal() if day else 0, rec.id)
    return sorted(catalogue.technologies.values(), key=key)


def _enrolling(catalogue: Catalogue) -> list[Record]:
    mentors = [r for r in catalogue.mentors.values() if r.status is not None and r.status.label == ENROLLING]
    return sorted(mentors, key=lambda r: (_enrollment_deadline(r) or dt.date.max, r.id))


def _entries(catalogue: Catalogue, feed: Route, by_value) -> list[Record]:
    if feed.filters:
        ((facet, value),) = feed.filters
        return by_value().get((facet.key, value), [])
    return {"policies": Catalogue.policies_newest_first, "technologies": _technologies,
            "mentors": _enrolling}[feed.collection](catalogue)


def _newest_by_value(catalogue: Catalogue, feeds: list[Route]):
    """The notices of each (facet key, value) a feed follows, newest first: one
    pass for the fifty-odd feeds (filtering every notice for each took seconds
    at scale), made when a feed first asks."""
    keys = {facet.key: facet for feed in feeds for facet, _value in feed.filters}

    @functools.cache
    def groups() -> dict[tuple[str, str], list[Record]]:
        found: dict[tuple[str, str], list[Record]] = {}
        for rec in catalogue.policies_newest_first():
            for key, facet in keys.items():
                for value in dict.fromkeys(facet.values(rec)):
                    if value:
                        found.setdefault((key, value), []).append(rec)
        return found

    return groups


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


def _render(spec: Route, records: list[Record], catalogue: Catalogue, site_url: str | None, site_name: str) -> bytes:
    # The feed files sit in feeds/: the site root is one level up.
    up = "../" * spec.url.count("/")
    records = records[:MAX_ENTRIES]
    dated = [(rec, *_entry_date(rec, catalogue.today)) for rec in records]
    updated = max((day for _rec, day, _real in dated), default=catalogue.today)

    feed = ET.Element("feed", {"xmlns": ATOM, XML_LANG: "zh-CN"})
    _sub(feed, "title", spec.title)
    _sub(feed, "subtitle", spec.description)
    _sub(feed, "id", feed_id(spec.url, site_url))
    _sub(feed, "updated", rfc3339(updated))
    self_href = site_url + spec.url if site_url else spec.url.rsplit("/", 1)[-1]
    _sub(feed, "link", rel="self", type="application/atom+xml", href=_uri(self_href))
    _sub(feed, "link", rel="alternate", type="text/html", href=_uri((site_url or up) + spec.listing))
    author = _sub(feed, "author")
    _sub(author, "name", site_name)
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


def feed_files(catalogue: Catalogue, table: RouteTable, *, site_name: str,
               site_url: str | None = None) -> dict[str, bytes]:
    """{site-relative path: Atom XML} for every feed of the route table, in its order."""
    site_url = _normalize_site_url(site_url)
    feeds = table.feeds()
    by_value = _newest_by_value(catalogue, feeds)
    return {feed.url: _render(feed, _entries(catalogue, feed, by_value), catalogue, site_url, site_name)
            for feed in feeds}
