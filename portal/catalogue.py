"""The catalogue: validated records linked both ways, statuses at the build date.

Plain Python: tests and renderers use it without MkDocs.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from . import routes
from .loader import load_records
from .problems import Problem
from .schema import COLLECTION_BY_NAME, COLLECTIONS, entry_of
from .statuses import MENTOR, POLICY, TECHNOLOGY, State
from .validate import validate
from .vocab import Vocab, VocabError

CHINA = ZoneInfo("Asia/Shanghai")


def china_today() -> dt.date:
    """The build date: SOURCE_DATE_EPOCH when set (reproducible builds), else today, in China."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        try:
            return dt.datetime.fromtimestamp(int(epoch), CHINA).date()
        except (ValueError, OverflowError, OSError):
            pass  # beyond any calendar: today, as without it
    return dt.datetime.now(CHINA).date()


_YEAR_BRACKETS = re.compile(r"[\[［【〔(（]\s*(\d{4})\s*[\]］】〕)）]")


@functools.lru_cache(maxsize=1 << 18)
def normalize_doc_number(text: str) -> str:
    """One spelling per doc number, so citations match however they were typed.
    (Cached: every citation of a national catalogue goes through here.)"""
    return _YEAR_BRACKETS.sub(_year_brackets, "".join(text.split()))


def _year_brackets(match: re.Match) -> str:
    return f"〔{match.group(1)}〕"


@dataclass(eq=False)
class Record:
    collection: str
    id: str
    path: str
    data: dict
    status: State | None = None
    # Computed relations (backlinks and resolved references).
    links: dict = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.data[COLLECTION_BY_NAME[self.collection].title_field]

    @property
    def url(self) -> str:
        """Site-relative URL of the record page (directory URL)."""
        return routes.record(self.collection, self.id)

    def get(self, name, default=None):
        value = self.data.get(name)
        return default if value is None else value

    def related(self, name) -> list["Record"]:
        return self.links.get(name, [])

    @property
    def example(self) -> bool:
        """The whole record is illustrative (示例): no real person, no real entry."""
        return bool(self.data.get("example"))

    @property
    def illustrative(self) -> tuple[str, ...]:
        """Names of the fields present that no source backs: shown as 示例 wherever they appear."""
        if self.example:
            return tuple(name for name, value in self.data.items() if value not in (None, [], ""))
        if self.collection == "technologies" and self.data.get("entry_example"):
            return entry_of(self.data)
        return ()

    @property
    def has_entry(self) -> bool:
        """A technology with a warehouse entry (入库, 推广, 评估 …), sourced or illustrative."""
        return bool(entry_of(self.data))


@dataclass(frozen=True)
class Citation:
    doc_number: str
    record: Record | None


class CatalogueError(Exception):
    def __init__(self, problems: list[Problem], warnings: list[Problem] | None = None):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems
        self.warnings = warnings or []


@dataclass
class Catalogue:
    vocab: Vocab
    today: dt.date
    records: dict[str, dict[str, Record]]
    # Problems that do not stop the build (Problem.warning): shown to maintainers.
    warnings: list[Problem] = field(default_factory=list)

    @property
    def technologies(self) -> dict[str, Record]:
        return self.records["technologies"]

    @property
    def mentors(self) -> dict[str, Record]:
        return self.records["mentors"]

    @property
    def policies(self) -> dict[str, Record]:
        return self.records["policies"]

    def all(self):
        for coll in COLLECTIONS:
            yield from self.records[coll.name].values()

    def policies_newest_first(self) -> list[Record]:
        return sorted(self.policies.values(),
                      key=lambda r: (r.data["published"], r.id), reverse=True)

    def upcoming_deadlines(self) -> list[tuple[dt.date, str, Record]]:
        """Every date still ahead (today included): comments, calls, effective dates, enrollment, reviews."""
        items = []
        for rec in self.policies.values():
            if rec.get("comment_deadline"):
                items.append((rec.data["comment_deadline"], "意见反馈截止", rec))
            if rec.get("effective"):
                items.append((rec.data["effective"], EFFECTIVE_LABEL, rec))
            for step in rec.get("deadlines", []):
                items.append((step["date"], step["label"], rec))
        for rec in self.mentors.values():
            enrollment = rec.get("enrollment", {})
            if enrollment.get("status") == "招收中" and enrollment.get("deadline"):
                items.append((enrollment["deadline"], _example_label("传承人招收报名截止", rec, "enrollment"), rec))
        for rec in self.technologies.values():
            if rec.get("review_due") and rec.get("stage") != "退出":
                items.append((rec.data["review_due"], _example_label("技术评估到期", rec, "review_due"), rec))
        return sorted((i for i in items if i[0] >= self.today), key=lambda i: (i[0], i[2].id))


# The day a notice takes effect, as the home page and the calendar name it.
EFFECTIVE_LABEL = "开始施行"
# A notice whose validity no text or maintainer has stated.
UNRECORDED_VALIDITY = "效力未注明"
# Within the validity period its text states (有效期至 …), nothing else recorded.
WITHIN_PERIOD = "在有效期内"


def _example_label(label: str, rec: Record, field_name: str) -> str:
    """A deadline taken from an illustrative field says so (home page, calendar)."""
    return f"{label}（示例）" if field_name in rec.illustrative else label


def policy_status(data: dict, today: dt.date) -> State:
    deadline = data.get("comment_deadline")
    if data.get("kind") == "征求意见稿" and deadline:
        return POLICY["征求意见中"] if today <= deadline else POLICY["征求意见已结束"]
    validity = data.get("validity")
    if validity and validity != "现行有效":
        return POLICY[validity]
    if data.get("effective") and today < data["effective"]:
        return POLICY["尚未生效"]
    if data.get("expires") and today > data["expires"]:
        return POLICY["已失效"]
    if validity:
        return POLICY[validity]
    # 现行有效 only when the text or a maintainer says so: the portal cannot know
    # otherwise. A period the text states is a fact the reader can use.
    if data.get("expires"):
        return POLICY[WITHIN_PERIOD]
    return POLICY[UNRECORDED_VALIDITY]


# Stages of the promotion guideline before a technology is in the warehouse.
_SELECTING = ("征集", "遴选")


def technology_status(data: dict, today: dt.date) -> State | None:
    if not entry_of(data):
        return None  # reference facts only: nothing to say about promotion
    stage = data.get("stage")
    if stage == "退出":
        return TECHNOLOGY["已退出"]
    if stage in _SELECTING:
        return TECHNOLOGY["遴选中"]
    # A review that is due (or under way) does not stop the use of the technique:
    # that is the management class's to say.
    if stage == "评估" or (data.get("review_due") and today > data["review_due"]):
        return TECHNOLOGY["评估中"]
    return TECHNOLOGY["推广中"]


def mentor_status(data: dict, today: dt.date) -> State | None:
    enrollment = data.get("enrollment") or {}
    status = enrollment.get("status")
    if not status:
        return None
    if status == "招收中" and enrollment.get("deadline") and today > enrollment["deadline"]:
        return MENTOR["招收已截止"]
    return MENTOR[status]


_STATUS = {"technologies": technology_status, "mentors": mentor_status, "policies": policy_status}


def _link(records: dict[str, dict[str, Record]]) -> None:
    techs, mentors, policies = records["technologies"], records["mentors"], records["policies"]
    for rec in records["technologies"].values():
        rec.links.setdefault("mentors", [])
        rec.links.setdefault("predecessors", [])
        rec.links["policies"] = [policies[i] for i in rec.get("policies", [])]
        rec.links["successor"] = [techs[rec.data["successor"]]] if rec.get("successor") else []
    for rec in policies.values():
        rec.links.setdefault("technologies", [])
        rec.links.setdefault("replaces", [])
        rec.links.setdefault("cited_by", [])
    for rec in techs.values():
        for policy in rec.links["policies"]:
            policy.links["technologies"].append(rec)
        for successor in rec.links["successor"]:
            successor.links["predecessors"].append(rec)
    for rec in mentors.values():
        rec.links["technologies"] = [techs[i] for i in rec.get("technologies", [])]
        for tech in rec.links["technologies"]:
            tech.links["mentors"].append(rec)
    by_number = {}
    for rec in policies.values():
        if rec.get("doc_number"):
            by_number[normalize_doc_number(rec.data["doc_number"])] = rec
    for rec in policies.values():
        rec.links["replaced_by"] = [policies[rec.data["replaced_by"]]] if rec.get("replaced_by") else []
        for newer in rec.links["replaced_by"]:
            newer.links["replaces"].append(rec)
        citations = []
        for number in rec.get("cites", []):
            target = by_number.get(normalize_doc_number(number))
            if target is rec:
                target = None
            citations.append(Citation(number, target))
            if target is not None and rec not in target.links["cited_by"]:
                target.links["cited_by"].append(rec)
        rec.links["citations"] = citations
    # Backlink order must not depend on file-system order.
    for coll in records.values():
        for rec in coll.values():
            for name, items in rec.links.items():
                if items and isinstance(items[0], Record):
                    items.sort(key=lambda r: r.id)


def build_catalogue(data_dir: Path, today: dt.date | None = None, cache: dict | None = None,
                    parallel: bool = True) -> Catalogue:
    """load → validate → link. Raises CatalogueError with every problem found.

    cache: an empty dict kept between calls (the preview keeps one): unchanged
    files are neither parsed nor checked again (see load_records, validate).
    parallel=False: the files are parsed in this process (the caller runs
    threads of its own: see workers.py).
    """
    data_dir = Path(data_dir)
    today = today or china_today()
    try:
        vocab = Vocab.load(data_dir / "vocab.yaml")
    except VocabError as exc:
        raise CatalogueError(exc.problems) from None
    if cache is not None and cache.get("vocab") != vocab:
        cache.update(vocab=vocab, parsed={}, checked={})  # another vocabulary: check everything again
    raw, problems = load_records(data_dir, cache and cache["parsed"], parallel=parallel)
    cleaned, found = validate(raw, vocab, cache and cache["checked"], today=today)
    if cache is not None:
        # Checks of records since edited would pile up over a long preview session.
        live = {id(rec) for rec in raw}
        for stale in [key for key in cache["checked"] if key not in live]:
            del cache["checked"][stale]
    problems = sorted(problems + found, key=lambda p: (p.path, p.line, p.field))
    warnings = [p for p in problems if p.warning]
    errors = [p for p in problems if not p.warning]
    if errors:
        raise CatalogueError(errors, warnings)
    records: dict[str, dict[str, Record]] = {c.name: {} for c in COLLECTIONS}
    for rec in raw:
        data = cleaned[(rec.collection, rec.id)]
        status = _STATUS[rec.collection](data, today)
        records[rec.collection][rec.id] = Record(rec.collection, rec.id, rec.path, data, status)
    for coll in records:
        records[coll] = dict(sorted(records[coll].items()))
    _link(records)
    return Catalogue(vocab, today, records, warnings)
