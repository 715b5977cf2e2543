"""Change history of the records, read from git in one pass and told for readers.

Each change says what changed in the record (修改了适应证、评估到期日;
新增本条记录; 收录自《…》), worked out by comparing the record file before and
after the commit, never the commit message, which is written for
maintainers. A commit that changed nothing a reader sees (a comment, the
order of fields) is not a change of the record.

Without git, or outside a repository, there is no history and the site says
nothing about updates rather than something false. A record with changes not
yet committed is marked as such.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .catalogue import CHINA
from .loader import MAX_BYTES, RecordLoader
from .schema import BOOL, COLLECTION_BY_NAME

_RECORD = "\x1e"
_FIELD = "\x1f"
_EMPTY = (None, "", [], {})


# Fields whose old and new values a change keeps, for the change manifest
# (outputs/changes.py): a technology's withdrawal and its review outcomes.
TRACKED = {"technologies": ("stage", "review_due")}


@dataclass(frozen=True)
class Change:
    date: dt.date
    what: str       # what changed, in the reader's words
    commit: str
    # (field, value before, value after) of every TRACKED field, when the change changed one.
    tracked: tuple = ()
    added: bool = False     # the change that brought the record to the site


@dataclass
class History:
    changes: dict[str, list[Change]] = field(default_factory=dict)   # "policies/x.yaml" → newest first
    uncommitted: set[str] = field(default_factory=set)

    def of(self, collection: str, record_id: str) -> list[Change]:
        return self.changes.get(f"{collection}/{record_id}.yaml", [])

    def is_uncommitted(self, collection: str, record_id: str) -> bool:
        return f"{collection}/{record_id}.yaml" in self.uncommitted

    def recently_changed(self, limit: int = 8) -> list[tuple[str, Change]]:
        latest = [(path, changes[0]) for path, changes in self.changes.items() if changes]
        latest.sort(key=lambda item: (item[1].date, item[1].commit, item[0]), reverse=True)
        return latest[:limit]


def tracked(collection: str, before: dict | None, after: dict | None) -> tuple:
    """(field, before, after) of every TRACKED field when any of them differs
    between two versions (a review outcome reads the stage and the date together)."""
    if not isinstance(before, dict) or not isinstance(after, dict):
        return ()
    names = TRACKED.get(collection, ())
    if all(before.get(name) == after.get(name) for name in names):
        return ()
    return tuple((name, before.get(name), after.get(name)) for name in names)


def describe(collection: str, before: dict | None, after: dict | None) -> str | None:
    """What a reader would notice between two versions of a record (None: nothing).

    before None: the record is new. A field is named by its label (schema.py),
    in the order of the record's fields; a version that does not read as a
    record (broken YAML in an old commit) is said to be changed, without detail.
    """
    spec = COLLECTION_BY_NAME.get(collection)
    if spec is None or not isinstance(after, dict):
        return None
    if before is None:
        source = after.get("source")
        if collection == "policies" and isinstance(source, dict) and source.get("title"):
            title = str(source["title"])
            return f"收录自{title}" if "《" in title else f"收录自《{title}》"
        return "新增本条记录"
    if not isinstance(before, dict):
        return "修改了本条记录"
    added, changed, removed, marked, unmarked = [], [], [], [], []
    for name, spec_field in spec.by_name.items():
        old, new = before.get(name), after.get(name)
        if old == new or (old in _EMPTY and new in _EMPTY):
            continue
        label = _short(spec_field.label)
        if spec_field.kind == BOOL:  # a mark, set or taken away (示例)
            (marked if new else unmarked).append(label)
            continue
        (added if old in _EMPTY else removed if new in _EMPTY else changed).append(label)
    parts = [f"{verb}{'、'.join(labels)}" for verb, labels in
             (("修改了", changed), ("补充了", added), ("删去了", removed)) if labels]
    parts += [f"标明{label}" for label in marked] + [f"不再标明{label}" for label in unmarked]
    return "；".join(parts) or None


def _short(label: str) -> str:
    """A field's label without its explanation in brackets (示例记录（整条…） → 示例记录)."""
    return label.split("（", 1)[0]


def _git(data_dir: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(["git", "-C", str(data_dir), "-c", "core.quotePath=false", *args],
                                capture_output=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.decode("utf-8", "replace") if result.returncode == 0 else None


@dataclass
class _Touch:
    """One commit's change to one record file: its blobs before and after."""

    path: str          # relative to the data directory
    commit: str
    day: dt.date
    before: str | None  # blob id; None when the file is new
    after: str


def _touches(log: str, prefix: str) -> list[_Touch]:
    touches = []
    for chunk in log.split(_RECORD):
        if not chunk.strip():
            continue
        header, _, raw = chunk.partition("\n")
        commit, stamp = header.split(_FIELD, 1)
        day = dt.datetime.fromisoformat(stamp.strip()).astimezone(CHINA).date()
        for line in raw.splitlines():
            if not line.startswith(":"):
                continue
            info, _, name = line.partition("\t")
            _old_mode, _new_mode, old, new, status = info[1:].split()
            if status[0] == "D" or not (name.startswith(prefix) and name.endswith(".yaml")):
                continue
            new_file = status[0] == "A" or set(old) == {"0"}
            touches.append(_Touch(name[len(prefix):], commit, day, None if new_file else old, new))
    return touches


def _read_blobs(data_dir: Path, ids: set[str]) -> dict[str, bytes]:
    """The content of these blobs (one `git cat-file --batch` for all); a blob
    git does not give is left out."""
    if not ids:
        return {}
    order = sorted(ids)
    try:
        out = subprocess.run(["git", "-C", str(data_dir), "cat-file", "--batch"], capture_output=True,
                             input="".join(i + "\n" for i in order).encode(), timeout=120).stdout
    except (OSError, subprocess.TimeoutExpired):
        return {}
    found: dict[str, bytes] = {}
    at = 0
    for blob in order:
        end = out.find(b"\n", at)
        if end < 0:
            break  # git stopped early: what it gave is kept
        header = out[at:end].split()
        at = end + 1
        if len(header) < 3 or header[1] != b"blob":
            continue  # "<id> missing"
        size = int(header[2])
        found[blob] = out[at:at + size]
        at += size + 1
    return found


def _parse(content: bytes | None) -> dict | None:
    if content is None or len(content) > MAX_BYTES:
        return None
    try:
        data = yaml.load(content.decode("utf-8"), Loader=RecordLoader)  # noqa: S506 - a safe loader
    except (yaml.YAMLError, UnicodeDecodeError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


# A notice's source title, read from a new file without parsing all of it: a
# national import adds thousands of files in one commit.
_SOURCE_TITLE = re.compile(r"^source:[ \t]*\n(?:[ \t]+[^\n]*\n)*?[ \t]+title:[ \t]*([^\n]+)$", re.M)


def _new_record(collection: str, content: bytes | None) -> dict:
    """As much of a new record as its history entry says: a notice's source title."""
    if collection != "policies" or content is None:
        return {}
    found = _SOURCE_TITLE.search(content.decode("utf-8", "replace"))
    try:
        title = yaml.load(found.group(1), Loader=RecordLoader) if found else None  # noqa: S506 - a safe loader
    except yaml.YAMLError:
        return {}
    return {"source": {"title": title}} if isinstance(title, str) and title else {}


def load_history(data_dir: Path) -> History:
    data_dir = Path(data_dir).resolve()
    if not data_dir.is_dir():
        return History()
    prefix = _git(data_dir, "rev-parse", "--show-prefix")
    log = _git(data_dir, "log", f"--format={_RECORD}%h{_FIELD}%cI", "--raw", "--no-abbrev", "--no-renames",
               "--", ".")
    if prefix is None or log is None:
        return History()
    prefix = prefix.strip()
    touches = _touches(log, prefix)
    # Changed files are compared field by field; of a new file only a notice's source is read.
    blobs = _read_blobs(data_dir, {b for t in touches if t.before for b in (t.before, t.after)}
                        | {t.after for t in touches if t.before is None and t.path.startswith("policies/")})
    parsed: dict[str, dict | None] = {}

    def record(blob: str) -> dict | None:
        if blob not in parsed:
            parsed[blob] = _parse(blobs.get(blob))
        return parsed[blob]

    history = History()
    for touch in touches:  # newest first, as git log lists them
        collection = touch.path.partition("/")[0]
        moved: tuple = ()
        if touch.before is None:
            what = describe(collection, None, _new_record(collection, blobs.get(touch.after)))
        else:
            what = describe(collection, record(touch.before), record(touch.after))
            moved = tracked(collection, record(touch.before), record(touch.after))
        if what:
            history.changes.setdefault(touch.path, []).append(Change(touch.day, what, touch.commit, moved,
                                                                           touch.before is None))
    history.uncommitted = _uncommitted(data_dir, prefix)
    return history


def uncommitted_files(data_dir: Path) -> set[str]:
    """Files under data_dir changed since the last commit ("policies/x.yaml"); none outside git."""
    data_dir = Path(data_dir).resolve()
    prefix = _git(data_dir, "rev-parse", "--show-prefix")
    return set() if prefix is None else _uncommitted(data_dir, prefix.strip())


def _uncommitted(data_dir: Path, prefix: str) -> set[str]:
    status = _git(data_dir, "status", "--porcelain", "--untracked-files=all", "--", ".") or ""
    found = set()
    for line in status.splitlines():
        name = line[3:].strip().strip('"')
        if name.startswith(prefix):
            found.add(name[len(prefix):])
    return found
