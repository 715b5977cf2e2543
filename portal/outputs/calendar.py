"""The deadline calendars, iCalendar files (RFC 5545) to subscribe to; which
there are, their addresses and names: routes.RouteTable.calendars().

    calendar/deadlines.ics     every deadline still ahead
    calendar/<slug>.ics        one per province-level region (陕西: shan3-xi1.ics):
                               the deadlines of its notices and mentors, and the
                               nationwide ones (notices and mentors of 全国 or of no
                               region, technologies' review dates), so a reader
                               subscribes once

Written by hand (no iCalendar library is a dependency): CRLF line endings,
content lines folded at 75 octets without splitting a UTF-8 character, TEXT values
escaped. One all-day VEVENT per item of Catalogue.upcoming_deadlines().

Deterministic: DTSTAMP is the build date (catalogue.today) at 00:00:00Z, and each
UID is built from the record and the deadline, so it stays the same from one build
to the next as long as the deadline does, and is the same in every calendar
that holds the event:

    {collection}-{id}-{kind}-{YYYYMMDD}@portal

kind is "comment" (a consultation's comment deadline), "effective" (the day a
notice takes effect), "step<n>" (the n-th item,
from 1, of the notice's own `deadlines` list), "enrollment" (a mentor's enrollment
deadline) or "review" (a technology's review due date).

Each event is written once and copied into the calendars that hold it.

A VTIMEZONE for Asia/Shanghai is always included: it matches X-WR-TIMEZONE and keeps
the calendar valid (RFC 5545 wants at least one component) when no deadline is ahead.
"""

from __future__ import annotations

import datetime as dt
import re

from ..catalogue import EFFECTIVE_LABEL, Catalogue, Record
from ..routes import Route, RouteTable
from ..schema import COLLECTION_BY_NAME
from ..vocab import NATIONAL

COMMENT_LABEL = "意见反馈截止"
MAX_OCTETS = 75

# Control characters RFC 5545 does not allow in a value (HTAB is allowed; newlines are escaped).
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f]")


def escape_text(value: str) -> str:
    """TEXT value escaping (RFC 5545 §3.3.11): backslash, semicolon, comma, newline."""
    value = str(value).replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
    return _CONTROL.sub("", value)


def fold(line: str) -> list[str]:
    """Split one content line into physical lines of at most 75 octets each.

    Continuation lines start with a space, which counts toward their 75 octets;
    a line is only ever cut between characters, never inside a UTF-8 sequence.
    """
    out: list[str] = []
    current, size, limit = [], 0, MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            out.append("".join(current))
            current, size, limit = [], 0, MAX_OCTETS - 1
        current.append(char)
        size += width
    out.append("".join(current))
    return [out[0]] + [" " + part for part in out[1:]]


def content_lines(lines: list[str]) -> str:
    """Content lines as written: each folded, each physical line ended by CRLF."""
    return "".join(part + "\r\n" for line in lines for part in fold(line))


def _ics_date(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def _kinds(rec: Record) -> list[tuple[dt.date, str, str]]:
    """Every deadline a record can have, as (date, label, kind), in upcoming_deadlines() order."""
    if rec.collection == "policies":
        items = []
        if rec.get("comment_deadline"):
            items.append((rec.data["comment_deadline"], COMMENT_LABEL, "comment"))
        if rec.get("effective"):
            items.append((rec.data["effective"], EFFECTIVE_LABEL, "effective"))
        for n, step in enumerate(rec.get("deadlines", []), start=1):
            items.append((step["date"], step["label"], f"step{n}"))
        return items
    if rec.collection == "mentors":
        deadline = (rec.get("enrollment") or {}).get("deadline")
        return [(deadline, None, "enrollment")] if deadline else []
    return [(rec.data["review_due"], None, "review")] if rec.get("review_due") else []


def _assign_kinds(items: list[tuple[dt.date, str, Record]]) -> list[tuple[dt.date, str, Record, str]]:
    """Match each upcoming deadline to its kind; a matched candidate is used once (labels may repeat)."""
    used: set[tuple[str, str, str]] = set()
    out = []
    for day, label, rec in items:
        kind = None
        for cand_day, cand_label, cand_kind in _kinds(rec):
            key = (rec.collection, rec.id, cand_kind)
            if key in used or cand_day != day or (cand_label is not None and cand_label != label):
                continue
            kind = cand_kind
            used.add(key)
            break
        if kind is None:  # not expected: fall back to something still stable
            kind = "other"
        out.append((day, label, rec, kind))
    return out


def event_uid(rec: Record, kind: str, day: dt.date) -> str:
    return f"{rec.collection}-{rec.id}-{kind}-{_ics_date(day)}@portal"


def _vtimezone() -> list[str]:
    return [
        "BEGIN:VTIMEZONE",
        "TZID:Asia/Shanghai",
        "BEGIN:STANDARD",
        "DTSTART:19700101T000000",
        "TZOFFSETFROM:+0800",
        "TZOFFSETTO:+0800",
        "TZNAME:CST",
        "END:STANDARD",
        "END:VTIMEZONE",
    ]


def _vevent(day: dt.date, label: str, rec: Record, kind: str, stamp: str, site_url: str | None) -> list[str]:
    url = (site_url or "") + rec.url
    collection = COLLECTION_BY_NAME[rec.collection].label
    description = "\n".join([f"{collection}：{rec.title}", f"{label}：{day.year}年{day.month}月{day.day}日",
                             f"链接：{url}"])
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event_uid(rec, kind, day)}",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{_ics_date(day)}",
        f"DTEND;VALUE=DATE:{_ics_date(day + dt.timedelta(days=1))}",
        f"SUMMARY:{escape_text(f'{label}：{rec.title}')}",
        f"DESCRIPTION:{escape_text(description)}",
        f"CATEGORIES:{escape_text(collection)}",
        "TRANSP:TRANSPARENT",
    ]
    if site_url:
        lines.append(f"URL;VALUE=URI:{url}")
    lines.append("END:VEVENT")
    return lines


def _province(rec: Record) -> str | None:
    """The province a record's deadlines belong to; None when they concern the
    whole country (全国, or no region, as a technology)."""
    region = rec.get("region")
    return None if not region or region == NATIONAL else region


def _calendar(route: Route, events: list[str], *, site_name: str) -> bytes:
    head = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{escape_text(f'-//{site_name}//deadlines//ZH')}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(f'{site_name}：{route.title}')}",
        f"X-WR-CALDESC:{escape_text(route.description)}",
        "X-WR-TIMEZONE:Asia/Shanghai",
        *_vtimezone(),
    ]
    return (content_lines(head) + "".join(events) + content_lines(["END:VCALENDAR"])).encode("utf-8")


def calendar_files(catalogue: Catalogue, table: RouteTable, *, site_name: str,
                   site_url: str | None = None) -> dict[str, bytes]:
    """{address: iCalendar bytes (UTF-8)} of every calendar of the route table, in its order."""
    site_url = site_url.rstrip("/") + "/" if site_url else None
    stamp = f"{_ics_date(catalogue.today)}T000000Z"
    # Every event written once, with the province it belongs to (None: nationwide).
    events = [(_province(rec), content_lines(_vevent(day, label, rec, kind, stamp, site_url)))
              for day, label, rec, kind in _assign_kinds(catalogue.upcoming_deadlines())]
    return {route.url: _calendar(route, [text for province, text in events
                                         if route.region is None or province in (None, route.region)],
                                 site_name=site_name)
            for route in table.calendars()}
