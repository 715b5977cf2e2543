"""The output directory of `portal import`: checked before any work, its records read safely.

The records already there decide whether a notice is new, so they are read
like the loader reads data/: regular files only, of bounded size, through
parse_record (which refuses YAML aliases), and never block (a named pipe
called x.yaml would wait for a writer forever). A file that cannot be read
stops the import before anything is written: the notice it holds is unknown,
so writing beside it could make a second copy (x-2.yaml) of the same notice.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ..files import InputFileError, check_regular
from ..loader import read_record
from ..problems import Problem
from .text import squeeze


class OutDirError(Exception):
    """--out cannot hold the records; message for the maintainer, code for tools."""

    def __init__(self, path: Path, message: str, code: str):
        super().__init__(message)
        self.path = path
        self.message = message
        self.code = code


def check_out_dir(out: Path) -> None:
    """OutDirError unless out is (or can be created as) a writable directory."""
    existing = out
    while not os.path.lexists(existing) and existing != existing.parent:
        existing = existing.parent
    # What is wrong is said of the path itself, or of the part of it that exists.
    which = "输出目录" if existing == out else f"无法创建输出目录：{existing} "
    try:
        st = os.stat(existing)
    except OSError:
        # lexists but stat fails: a link pointing nowhere, or a loop.
        raise OutDirError(out, f"{which}是指向不存在位置的符号链接（或符号链接循环）", "out-not-directory") from None
    if not stat.S_ISDIR(st.st_mode):
        raise OutDirError(out, f"{which}已存在，但不是目录：请另选 --out", "out-not-directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutDirError(out, f"{which}是只读的（没有写入权限）", "out-read-only")


def record_files(out: Path) -> list[Path]:
    """The *.yaml entries of out, of any type (links, pipes, directories too);
    OutDirError if out cannot be listed (its records would be unknown)."""
    if not out.is_dir():
        return []
    try:
        with os.scandir(out) as entries:
            return sorted((Path(e.path) for e in entries if e.name.endswith(".yaml") and not e.name.startswith(".")),
                          key=lambda p: p.name)
    except OSError as exc:
        raise OutDirError(out, f"输出目录无法读取（{exc.strerror or exc}），无法知道其中已有哪些记录", "out-unreadable") from None


def identity(record: dict) -> tuple | None:
    """What makes two records the same notice: the doc number, else the title (None if neither is text)."""
    number = record.get("doc_number")
    if isinstance(number, str) and number.strip():
        return "doc", re.sub(r"\s", "", number)
    title = record.get("title")
    if isinstance(title, str) and title.strip():
        return "title", squeeze(title).replace(" ", "")
    return None


class UnreadableRecords(Exception):
    """Records in --out the import cannot read: one Problem each, nothing was written."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class Existing:
    ids: dict[tuple, str] = field(default_factory=dict)     # identity → record id
    taken: set[str] = field(default_factory=set)            # every *.yaml name
    problems: list[Problem] = field(default_factory=list)   # files that could not be read, and why


# What the maintainer can do about a record the import cannot read.
_ADVICE = "：请修复或移走这个文件后重新导入（未写入任何记录）"


def read_existing(out: Path) -> Existing:
    """Every record of out, by the notice it holds; the ones that cannot be read in .problems."""
    found = Existing()
    for path in record_files(out):
        found.taken.add(path.stem)
        data, problem = _read_record(path, out)
        if problem is not None:
            found.problems.append(problem)
            continue
        key = identity(data)
        if key is None:
            found.problems.append(Problem(str(path), 1, "record", "已有记录没有文本形式的发文字号或标题，无法判断是否同一篇通知" + _ADVICE,
                                          code="unreadable-record"))
            continue
        found.ids.setdefault(key, path.stem)
    return found


def check_existing(out: Path) -> Existing:
    """read_existing(out), or UnreadableRecords if any record there cannot be read."""
    found = read_existing(out)
    if found.problems:
        raise UnreadableRecords(found.problems)
    return found


def _read_record(path: Path, out: Path) -> tuple[dict | None, Problem | None]:
    def unreadable(line: int, name: str, message: str, code: str) -> Problem:
        return Problem(str(path), line, name, f"已有记录无法读取：{message}{_ADVICE}", code=code)

    try:
        check_regular(path, out, root_label="输出目录")
    except InputFileError as exc:
        return None, unreadable(1, "record", exc.message, exc.code)
    record, problems = read_record(path, str(path), "policies", path.stem)
    if record is None:
        first = problems[0] if problems else None
        if first is None:
            return None, unreadable(1, "record", "无法解析", "yaml-syntax")
        return None, unreadable(first.line, first.field, first.message, first.code or "yaml-syntax")
    return record.data, None
