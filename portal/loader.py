"""Reading record files: YAML → plain data plus the line of every value.

Values keep the line they were written on so that every later error can say
`path:line: field: message`. Dates stay strings here; the validator parses
them, so an impossible date is a field error rather than a YAML crash.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .schema import COLLECTIONS, ID_PATTERN, RESERVED_IDS

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class RecordLoader(_BaseLoader):
    """Safe loader that leaves timestamps as text (validated later)."""


RecordLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    field: str
    message: str
    # Short English code, for searching the maintainers' guide and for tools.
    code: str = ""
    # A warning is reported but does not stop the build (see validate.py).
    warning: bool = False

    def __str__(self) -> str:
        from .privacy import mask

        tail = f" [{self.code}]" if self.code else ""
        note = "提醒：" if self.warning else ""
        # Never echo a personal number back in full, wherever it was found.
        return mask(f"{self.path}:{self.line}: {self.field}: {note}{self.message}{tail}")


@dataclass
class RawRecord:
    collection: str
    id: str
    path: str
    data: dict
    # (field, index, subfield, ...) → 1-based line of the value
    lines: dict = field(default_factory=dict)

    def line(self, *key) -> int:
        """Line of the deepest known prefix of key (the record start if none)."""
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), 1)


def _record_lines(node, prefix=(), out=None) -> dict:
    out = {} if out is None else out
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = prefix + (str(key_node.value),)
            out[key] = key_node.start_mark.line + 1
            _record_lines(value_node, key, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            key = prefix + (i,)
            out[key] = item.start_mark.line + 1
            _record_lines(item, key, out)
    return out


def _duplicate_keys(node, path: str, prefix="") -> list[Problem]:
    problems = []
    if isinstance(node, yaml.MappingNode):
        seen = set()
        for key_node, value_node in node.value:
            name = prefix + str(key_node.value)
            if key_node.value in seen:
                problems.append(Problem(path, key_node.start_mark.line + 1, name, "字段重复出现", code="duplicate-key"))
            seen.add(key_node.value)
            problems += _duplicate_keys(value_node, path, name + ".")
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            problems += _duplicate_keys(item, path, f"{prefix[:-1]}[{i}].")
    return problems


# A record is a page of text; anything far larger is a mistake or an attack.
MAX_BYTES = 1_000_000
MAX_NODES = 50_000


def _shared_nodes(root) -> tuple[int, int] | None:
    """(line, count) of the first node used twice (a YAML alias), or None.

    Records never need anchors and aliases, and aliases nested in aliases
    (“billion laughs”) would make every later walk exponential.
    """
    seen: set[int] = set()
    stack = [root]
    count = 0
    while stack:
        node = stack.pop()
        count += 1
        if id(node) in seen or count > MAX_NODES:
            return node.start_mark.line + 1, count
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack += [key, value]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value
    return None


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
        shared = _shared_nodes(node)
        if shared:
            line, count = shared
            message = ("记录过于复杂（节点过多）" if count > MAX_NODES
                       else "不支持 YAML 锚点和别名（&、*）：请直接写出每个值")
            return None, [Problem(path, line, "yaml", message, code="yaml-alias")]
        problems = _duplicate_keys(node, path)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        return None, [Problem(path, line, "yaml", f"YAML 语法错误：{exc.problem or exc}", code="yaml-syntax")]
    except yaml.YAMLError as exc:
        return None, [Problem(path, 1, "yaml", f"YAML 语法错误：{exc}", code="yaml-syntax")]
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        return None, [Problem(path, node.start_mark.line + 1, "record", "记录应为“字段: 值”的映射（mapping）", code="not-a-mapping")]
    lines = _record_lines(node)
    lines[()] = node.start_mark.line + 1
    return RawRecord(collection, record_id, path, data, lines), problems


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
            fd = os.open(path, os.O_RDONLY)
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
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem(shown, 1, "encoding", f"文件不是 UTF-8 编码（第 {exc.start} 字节）", code="not-utf8")]
    return parse_record(text, shown, collection, record_id)


def load_records(data_dir: Path, cache: dict | None = None) -> tuple[list[RawRecord], list[Problem]]:
    """Read every record file of every collection; never stops at the first error.

    With `cache` (the preview keeps one), a file whose size and modification
    time are unchanged is not parsed again.
    """
    records: list[RawRecord] = []
    problems: list[Problem] = []
    pending: list = []      # (record, problems) of each file, in file order
    to_parse: list = []     # (slot in pending, job) of files not in the cache
    seen: set[str] = set()
    data_dir = Path(data_dir)
    for coll in COLLECTIONS:
        directory = data_dir / coll.name
        if not directory.is_dir():
            problems.append(Problem(display_path(directory), 1, "collection", f"缺少目录 {coll.name}/", code="missing-directory"))
            continue
        seen_ids: dict[str, str] = {}
        shown_dir = display_path(directory)  # once: resolving every file's path is slow at scale
        for file in sorted(directory.iterdir(), key=lambda p: p.name):  # names: comparing Paths is slow
            shown = f"{shown_dir}/{file.name}"
            if file.name.startswith("."):
                continue
            if file.is_dir():
                nested = sorted(file.rglob("*.yaml")) + sorted(file.rglob("*.yml"))
                if nested:
                    problems.append(Problem(display_path(nested[0]), 1, "id",
                                            f"记录文件必须直接放在 {coll.name}/ 下，不能放在子目录中", code="nested-file"))
                continue
            if file.suffix.lower() in (".yml", ".yaml") and file.suffix != ".yaml":
                problems.append(Problem(shown, 1, "id", "记录文件扩展名应为小写的 .yaml", code="bad-extension"))
                continue
            if file.suffix != ".yaml":
                continue
            record_id = file.stem
            # The same id twice (ai-jiu.yaml and AI-JIU.yaml) is one URL on many systems.
            if record_id.lower() in seen_ids:
                problems.append(Problem(shown, 1, "id", f"与 {seen_ids[record_id.lower()]} 的记录编号相同", code="duplicate-id"))
                continue
            seen_ids[record_id.lower()] = shown
            stat = file.stat()
            if stat.st_size > MAX_BYTES:
                problems.append(Problem(shown, 1, "record",
                                        f"文件过大（{stat.st_size // 1024} KB，上限 {MAX_BYTES // 1000} KB）", code="too-large"))
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
                to_parse.append((len(pending) - 1, (str(file), shown, coll.name, record_id, signature)))
    # Parsing is most of the time at scale: on every core (see workers.py).
    from .workers import MIN_ITEMS, parallel_map

    if len(to_parse) >= MIN_ITEMS:
        _read_ahead([job[0] for _slot, job in to_parse])
    for (slot, job), result in zip(to_parse, parallel_map(_read_and_parse, [job for _slot, job in to_parse])):
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
