"""offline/changes.json: what changed on the site lately, for the 自上次联网以来 page
(digest.js), which keeps of it what the reader saved or follows and what
happened after the build they last saw.

    {"generated": day of the build, "since": first day it covers (WINDOW_DAYS),
     "dated_by_history": whether days come from the records' git history,
     "notices": [...], "notices_more": true when more were added than MAX_NOTICES,
     "technologies": [...], "deadlines": [...]}

A day is the day the change reached the site: a notice's is the commit that
added its record (history.py), or its publication date when there is no
history; a technology's withdrawal or review outcome is the commit that changed
its stage or review date. Without git history nothing can date a technology's
change, so none is listed rather than a wrong one.

Each item carries its record's offline group ("g", the route table's), so the
browser can tell what the reader saved without knowing how groups are named;
its region ("r"), topics ("p") or facility levels ("lv"); and "e" when it comes from illustrative
(示例) data. Keys are short: the file is fetched by readers on slow networks.
"""

from __future__ import annotations

import datetime as dt
import json

from .. import routes
from ..catalogue import Catalogue, Record
from ..history import History
from ..routes import RouteTable

WINDOW_DAYS = 30
# Deadlines are listed up to this many days after the build: the page shows those
# within 14 days of the reader's own today, which may be days after the build.
DEADLINE_DAYS = 21
# A day that adds a whole compilation would make the file large: the newest are
# listed and the page sends the reader to the listing for the rest.
MAX_NOTICES = 150

WITHDRAWN, REVIEWED = "withdrawn", "reviewed"


def _day(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _added(rec: Record, history: History) -> dt.date:
    """The day a notice reached the site (its publication date without history)."""
    for change in reversed(history.of(rec.collection, rec.id)):
        if change.added:
            return change.date
    return rec.data["published"]


def _base(rec: Record, table: RouteTable, day: dt.date) -> dict:
    item = {"d": day.isoformat(), "t": rec.title, "u": rec.url, "g": table[rec.url].offline_group}
    if rec.get("region"):
        item["r"] = rec.data["region"]
    if rec.get("topics"):
        item["p"] = list(rec.data["topics"])
    if rec.get("levels"):
        item["lv"] = list(rec.data["levels"])
    return item


def _notices(catalogue: Catalogue, history: History, table: RouteTable, since: dt.date) -> tuple[list, bool]:
    found = []
    for rec in catalogue.policies.values():
        day = _added(rec, history)
        if since <= day <= catalogue.today:
            found.append((day, rec))
    found.sort(key=lambda f: (f[0], f[1].data["published"], f[1].id), reverse=True)
    items = []
    for day, rec in found[:MAX_NOTICES]:
        item = _base(rec, table, day)
        if rec.get("doc_number"):
            item["n"] = rec.data["doc_number"]
        items.append(item)
    return items, len(found) > MAX_NOTICES


def technology_events(rec: Record, history: History, since: dt.date, until: dt.date) -> list[dict]:
    """A technology's withdrawals and review outcomes between since and until, oldest first."""
    events = []
    for change in reversed(history.of(rec.collection, rec.id)):
        if not (since <= change.date <= until and change.tracked):
            continue
        was = {name: before for name, before, _after in change.tracked}
        now = {name: after for name, _before, after in change.tracked}
        if now.get("stage") == "退出" and was.get("stage") != "退出":
            events.append({"k": WITHDRAWN, "d": change.date.isoformat()})
            continue
        due_before, due_after = _day(was.get("review_due")), _day(now.get("review_due"))
        under_review = was.get("stage") == "评估" or (due_before is not None and due_before <= change.date)
        continues = now.get("stage") not in ("评估", "退出", None) and due_after is not None and due_after > change.date
        if under_review and continues:
            events.append({"k": REVIEWED, "d": change.date.isoformat(), "next": due_after.isoformat()})
    return events


def _technologies(catalogue: Catalogue, history: History, table: RouteTable, since: dt.date) -> list:
    items = []
    for rec in catalogue.technologies.values():
        for event in technology_events(rec, history, since, catalogue.today):
            item = _base(rec, table, _day(event["d"]))
            item.update(event)
            if event["k"] == WITHDRAWN:
                if rec.get("exit_reason"):
                    item["x"] = rec.data["exit_reason"]
                if rec.related("successor"):
                    successor = rec.related("successor")[0]
                    item["s"] = {"t": successor.title, "u": successor.url}
            if "stage" in rec.illustrative:
                item["e"] = True
            items.append(item)
    items.sort(key=lambda i: (i["d"], i["u"]), reverse=True)
    return items


def _deadlines(catalogue: Catalogue, table: RouteTable) -> list:
    until = catalogue.today + dt.timedelta(days=DEADLINE_DAYS)
    items = []
    for day, label, rec in catalogue.upcoming_deadlines():
        if day > until:
            break
        item = _base(rec, table, day)
        item["l"] = label
        item["c"] = rec.collection
        items.append(item)
    return items


def change_manifest(catalogue: Catalogue, history: History, table: RouteTable) -> dict:
    since = catalogue.today - dt.timedelta(days=WINDOW_DAYS)
    notices, more = _notices(catalogue, history, table, since)
    return {
        "generated": catalogue.today.isoformat(),
        "since": since.isoformat(),
        "dated_by_history": bool(history.changes),
        "notices": notices,
        "notices_more": more,
        "technologies": _technologies(catalogue, history, table, since),
        "deadlines": _deadlines(catalogue, table),
    }


def change_files(catalogue: Catalogue, history: History, table: RouteTable) -> dict[str, bytes]:
    body = json.dumps(change_manifest(catalogue, history, table), ensure_ascii=False, separators=(",", ":"))
    return {routes.CHANGES: body.encode("utf-8")}
