"""Change history of the record files, read from git in one pass.

Without git, or outside a repository, there is no history and the site says
nothing about updates rather than something false. A record with changes not
yet committed is marked as such.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .catalogue import CHINA

_RECORD = "\x1e"
_FIELD = "\x1f"


@dataclass(frozen=True)
class Change:
    date: dt.date
    subject: str
    commit: str


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


def _git(data_dir: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(["git", "-C", str(data_dir), *args], capture_output=True, text=True,
                                encoding="utf-8", timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout if result.returncode == 0 else None


def load_history(data_dir: Path) -> History:
    data_dir = Path(data_dir).resolve()
    if not data_dir.is_dir():
        return History()
    prefix = _git(data_dir, "rev-parse", "--show-prefix")
    log = _git(data_dir, "log", f"--format={_RECORD}%h{_FIELD}%cI{_FIELD}%s", "--name-only", "--no-renames", "--", ".")
    if prefix is None or log is None:
        return History()
    prefix = prefix.strip()
    history = History()
    for chunk in log.split(_RECORD):
        if not chunk.strip():
            continue
        header, _, names = chunk.partition("\n")
        commit, stamp, subject = header.split(_FIELD, 2)
        day = dt.datetime.fromisoformat(stamp).astimezone(CHINA).date()
        for name in names.splitlines():
            name = name.strip()
            if name.startswith(prefix) and name.endswith(".yaml"):
                history.changes.setdefault(name[len(prefix):], []).append(Change(day, subject.strip(), commit))
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
