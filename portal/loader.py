"""Reading record files: YAML → plain data plus the line of every value.

Values keep the line they were written on so that every later error can say
`path:line: field: message`. Dates stay strings here; the validator parses
them, so an impossible date is a field error rather than a YAML crash.
"""

from __future__ import annotations

import bisect
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import privacy
from .files import InputFileError, check_regular, read_limited, too_large
from .problems import Problem
from .schema import COLLECTIONS, ID_PATTERN, RESERVED_IDS

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class RecordLoader(_BaseLoader):
    """Safe loader that leaves timestamps as text (validated later)."""


RecordLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


@dataclass
class RawRecord:
    collection: str
    id: str
    path: str
    data: dict
    # (field, index, subfield, ...) → 1-based line of the value
    lines: dict = field(default_factory=dict)
    # (field, ...) → the text as written, for plain scalars YAML read as a number
    # or a YAML 1.1 boolean (see _walk): the validator decides what was meant.
    written: dict = field(default_factory=dict)
    # (kind, line, masked text) of every personal number or address in the file
    # (privacy.py); the validator decides, by collection, what is allowed.
    personal: list = field(default_factory=list)
    # (field, ...) → line of the first line of text of a multi-line value (a body)
    text_starts: dict = field(default_factory=dict)

    def line(self, *key) -> int:
        """Line of the deepest known prefix of key (the record start if none)."""
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), 1)


# A record is a page of text; anything far larger is a mistake or an attack.
MAX_BYTES = 1_000_000
MAX_NODES = 50_000
# Records nest four levels at most (sources[0].title); far deeper is an attack
# on every later walk (Python's recursion limit is 1,000).
MAX_DEPTH = 32

# Tags whose plain scalars keep their written text: YAML 1.1 reads 0012345 as
# octal 5349, 12:30 as 750, 0x1F as 31, 1.50 as 1.5 and yes/on as true.
_TYPED = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool"}


class _Shape:
    """What one walk over a record's node tree finds before any value is built."""

    def __init__(self):
        self.lines: dict = {}
        self.written: dict = {}
        self.text_starts: dict = {}
        self.problems: list[Problem] = []
        self.refusal: tuple[int, str, str] | None = None    # (line, message, code): stop here


def _walk(root, path: str) -> _Shape:
    """Lines, written text and duplicate keys of a record, in one iterative walk
    that stops at aliases, complex keys, excessive depth or size: each of those
    would make constructing or walking the values fail or take forever."""
    shape = _Shape()
    seen: set[int] = set()
    # (node, key path, dotted field name, depth)
    stack = [(root, (), "", 0)]
    count = 0
    while stack:
        node, key, name, depth = stack.pop()
        count += 1
        line = node.start_mark.line + 1
        if id(node) in seen:
            shape.refusal = (line, "不支持 YAML 锚点和别名（&、*）：请直接写出每个值", "yaml-alias")
            return shape
        if count > MAX_NODES:
            shape.refusal = (line, "记录过于复杂（节点过多）", "yaml-alias")
            return shape
        if depth > MAX_DEPTH:
            shape.refusal = (line, f"嵌套层次过深（超过 {MAX_DEPTH} 层）：记录的字段最多嵌套几层", "too-deep")
            return shape
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            names = set()
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    shape.refusal = (key_node.start_mark.line + 1, "字段名应为一段文本，不能是列表或映射（? [a, b]）", "bad-key")
                    return shape
                text = str(key_node.value)
                child = key + (text,)
                child_name = f"{name}.{text}" if name else text
                if text in names:
                    shape.problems.append(Problem(path, key_node.start_mark.line + 1, child_name, "字段重复出现",
                                                  code="duplicate-key"))
                names.add(text)
                shape.lines.setdefault(child, key_node.start_mark.line + 1)
                seen.add(id(key_node))
                stack.append((value_node, child, child_name, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                shape.lines.setdefault(key + (i,), item.start_mark.line + 1)
                stack.append((item, key + (i,), f"{name}[{i}]", depth + 1))
        elif not node.style and node.tag in _TYPED:  # plain: None (Python parser) or "" (libyaml)
            shape.written[key] = node.value
        elif "\n" in node.value:
            # A block scalar's text starts on the line after its | or >.
            shape.text_starts[key] = node.start_mark.line + (2 if node.style in ("|", ">") else 1)
    # Duplicate keys in file order, as a maintainer reads them.
    shape.problems.sort(key=lambda p: p.line)
    return shape


def _text_problems(text: str, path: str) -> list[Problem]:
    problems = []
    if text.startswith("\ufeff"):
        problems.append(Problem(path, 1, "encoding", "文件以 BOM（字节顺序标记）开头：请另存为“UTF-8（无 BOM）”", code="bom"))
    def ending(line: str) -> str:
        return "\r\n" if line.endswith("\r\n") else line[-1:] if line[-1:] in ("\r", "\n") else ""

    lines = [ending(line) for line in text.splitlines(keepends=True)]
    kinds = [e for e in lines if e]
    if len(set(kinds)) > 1:
        line = next(n for n, e in enumerate(lines, 1) if e and e != kinds[0])
        problems.append(Problem(path, line, "encoding", "换行符混用（Windows 与 Unix 换行混在一起）：请统一为 LF", code="mixed-newlines"))
    return problems


def parse_record(text: str, path: str, collection: str, record_id: str) -> tuple[RawRecord | None, list[Problem]]:
    problems = _text_problems(text, path)
    if problems:
        return None, problems
    loader = RecordLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, [Problem(path, 1, "record", "文件为空：每条记录至少需要必填字段", code="empty-file")]
        shape = _walk(node, path)
        if shape.refusal:
            line, message, code = shape.refusal
            return None, [Problem(path, line, "yaml", message, code=code)]
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        if "nesting depth" in str(exc.problem):  # libyaml's own limit (1,000 levels)
            return None, [Problem(path, line, "yaml", f"嵌套层次过深（超过 {MAX_DEPTH} 层）", code="too-deep")]
        return None, [Problem(path, line, "yaml", f"YAML 语法错误：{exc.problem or exc}", code="yaml-syntax")]
    except yaml.YAMLError as exc:
        return None, [Problem(path, 1, "yaml", f"YAML 语法错误：{exc}", code="yaml-syntax")]
    except RecursionError:
        return None, [Problem(path, 1, "yaml", f"嵌套层次过深（超过 {MAX_DEPTH} 层）", code="too-deep")]
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        return None, [Problem(path, node.start_mark.line + 1, "record", "记录应为“字段: 值”的映射（mapping）", code="not-a-mapping")]
    shape.lines[()] = node.start_mark.line + 1
    record = RawRecord(collection, record_id, path, data, shape.lines, shape.written, text_starts=shape.text_starts)
    record.personal = _personal(text, record)
    return record, shape.problems


# Findings kept per record: enough to show what is wrong, not a flood.
MAX_PERSONAL = 20


def _personal(text: str, record: RawRecord) -> list[tuple[str, int, str]]:
    """Personal numbers and addresses in a record file (at most MAX_PERSONAL).

    Found in the text as written, comments included (the repository is
    public), where the line is exact; and in the values as YAML reads them,
    where an escape (\\u200b, \\x31) or a folded line may have hidden one
    from the text.
    """
    found, line, at = [], 1, 0
    for f in privacy.find(text)[:MAX_PERSONAL]:
        line += text.count("\n", at, f.start)
        at = f.start
        found.append((f.kind, line, f.masked))
    # The values (and keys) as YAML read them, searched as one text: NUL between
    # them, which no pattern crosses.
    keys, values = [], []
    stack = [((), record.data)]
    while stack:
        key, value = stack.pop()
        if isinstance(value, dict):
            for k, v in value.items():
                keys.append(key)
                values.append(str(k))
                stack.append((key + (str(k),), v))
        elif isinstance(value, list):
            stack += [(key + (i,), v) for i, v in enumerate(value)]
        elif isinstance(value, str):
            keys.append(key)
            values.append(value)
    known = {(kind, masked) for kind, _line, masked in found}
    starts, offset = [], 0
    for value in values:
        starts.append(offset)
        offset += len(value) + 1
    for f in privacy.find("\x00".join(values)):
        if (f.kind, f.masked) not in known and len(found) < MAX_PERSONAL:
            known.add((f.kind, f.masked))
            found.append((f.kind, record.line(*keys[bisect.bisect_right(starts, f.start) - 1]), f.masked))
    return found


def display_path(path: Path) -> str:
    """Paths in messages are relative to the working directory when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _read_ahead(paths: list[str]) -> None:
    """Ask the kernel to read the files now, all at once: read one by one on a
    machine that has not read them yet (a fresh CI runner), 20,000 records
    waited some 2 s for the disk."""
    if not hasattr(os, "posix_fadvise"):  # pragma: no cover - not Linux
        return
    for path in paths:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        except OSError:
            continue  # reported when the file is read
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
        except OSError:
            pass
        finally:
            os.close(fd)


def _read_and_parse(job: tuple) -> tuple[RawRecord | None, list[Problem]]:
    path, shown, collection, record_id, _signature = job
    return read_record(path, shown, collection, record_id)


def read_record(path, shown: str, collection: str, record_id: str) -> tuple[RawRecord | None, list[Problem]]:
    """One YAML file read and parsed: a regular file of at most MAX_BYTES, UTF-8
    (links are the caller's to check: see files.check_regular)."""
    try:
        text = read_limited(path, MAX_BYTES).decode("utf-8")
    except InputFileError as exc:
        return None, [Problem(shown, 1, "record" if exc.code == "too-large" else "file", exc.message, code=exc.code)]
    except UnicodeDecodeError as exc:
        return None, [Problem(shown, 1, "encoding", f"文件不是 UTF-8 编码（第 {exc.start} 字节）", code="not-utf8")]
    return parse_record(text, shown, collection, record_id)


def _collection_problem(directory: Path, root: Path, name: str) -> Problem | None:
    """Why a collection's folder cannot be read (missing, a file, a link out of the data directory)."""
    shown = display_path(directory)
    if not os.path.lexists(directory):
        return Problem(shown, 1, "collection", f"缺少目录 {name}/", code="missing-directory")
    try:
        target = directory.resolve(strict=True)
    except (OSError, RuntimeError):
        return Problem(shown, 1, "collection", f"{name}/ 是指向不存在位置的符号链接", code="not-regular-file")
    if not target.is_dir():
        return Problem(shown, 1, "collection", f"{name} 应为目录", code="missing-directory")
    if not target.is_relative_to(root):
        return Problem(shown, 1, "collection", f"不是普通目录：符号链接指向数据目录之外（{target}）", code="not-regular-file")
    return None


def _nested_records(folder: str) -> str | None:
    """The first record file inside a sub-folder (never following links: a link to / would search the disk)."""
    for current, dirs, names in os.walk(folder):
        dirs.sort()
        for name in sorted(names):
            if name.lower().endswith((".yaml", ".yml")):
                return os.path.join(current, name)
    return None


def load_records(data_dir: Path, cache: dict | None = None,
                 parallel: bool = True) -> tuple[list[RawRecord], list[Problem]]:
    """Read every record file of every collection; never stops at the first error.

    Only regular files are read (see files.py); a link is followed when it
    stays inside the data directory. With `cache` (the preview keeps one), a
    file whose size and modification time are unchanged is not parsed again.
    """
    records: list[RawRecord] = []
    problems: list[Problem] = []
    pending: list = []      # (record, problems) of each file, in file order
    to_parse: list = []     # (slot in pending, job) of files not in the cache
    seen: set[str] = set()
    data_dir = Path(data_dir)
    root = data_dir.resolve()
    for coll in COLLECTIONS:
        directory = data_dir / coll.name
        problem = _collection_problem(directory, root, coll.name)
        if problem is not None:
            problems.append(problem)
            continue
        seen_ids: dict[str, str] = {}
        shown_dir = display_path(directory)  # once: resolving every file's path is slow at scale
        with os.scandir(directory) as listing:
            entries = sorted(listing, key=lambda e: e.name)
        for entry in entries:
            name = entry.name
            shown = f"{shown_dir}/{name}"
            if name.startswith("."):
                continue
            suffix = os.path.splitext(name)[1]
            if entry.is_dir(follow_symlinks=False):
                nested = _nested_records(entry.path)
                if nested:
                    problems.append(Problem(display_path(Path(nested)), 1, "id",
                                            f"记录文件必须直接放在 {coll.name}/ 下，不能放在子目录中", code="nested-file"))
                continue
            if suffix.lower() in (".yml", ".yaml") and suffix != ".yaml":
                problems.append(Problem(shown, 1, "id", "记录文件扩展名应为小写的 .yaml", code="bad-extension"))
                continue
            if suffix != ".yaml":
                continue
            record_id = name[:-len(suffix)]
            # The same id twice (ai-jiu.yaml and AI-JIU.yaml) is one URL on many systems.
            if record_id.lower() in seen_ids:
                problems.append(Problem(shown, 1, "id", f"与 {seen_ids[record_id.lower()]} 的记录编号相同", code="duplicate-id"))
                continue
            seen_ids[record_id.lower()] = shown
            try:
                stat = check_regular(Path(entry.path), root, st=entry.stat(follow_symlinks=False))
            except InputFileError as exc:
                problems.append(Problem(shown, 1, "file", exc.message, code=exc.code))
                continue
            if stat.st_size > MAX_BYTES:
                problems.append(Problem(shown, 1, "record", too_large(stat.st_size, MAX_BYTES), code="too-large"))
                continue
            if not ID_PATTERN.match(record_id):
                problems.append(Problem(shown, 1, "id", f"文件名“{record_id}”不是合法的记录编号：只能用小写字母、数字和连字符，以字母或数字开头，2–80 个字符", code="bad-id"))
            elif record_id in RESERVED_IDS:
                problems.append(Problem(shown, 1, "id", f"“{record_id}”是站点保留的路径，不能用作记录编号", code="reserved-id"))
            signature = (stat.st_mtime_ns, stat.st_size)
            seen.add(shown)
            cached = cache.get(shown) if cache is not None else None
            if cached is not None and cached[0] == signature:
                pending.append((cached[1], cached[2]))
            else:
                pending.append(None)
                to_parse.append((len(pending) - 1, (entry.path, shown, coll.name, record_id, signature)))
    # Parsing is most of the time at scale: on every core (see workers.py).
    from .workers import MIN_ITEMS, parallel_map

    if len(to_parse) >= MIN_ITEMS:
        _read_ahead([job[0] for _slot, job in to_parse])
    for (slot, job), result in zip(to_parse, parallel_map(_read_and_parse, [job for _slot, job in to_parse],
                                                                 parallel=parallel)):
        pending[slot] = result
        if cache is not None:
            cache[job[1]] = (job[4], *result)
    if cache is not None:
        for gone in [key for key in cache if key not in seen]:  # deleted or renamed files
            del cache[gone]
    for record, found in pending:
        problems += found
        if record is not None:
            records.append(record)
    return records, problems
