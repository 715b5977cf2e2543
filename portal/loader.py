"""Reading record files: YAML → plain data plus the line of every value.

Values keep the line they were written on so that every later error can say
`path:line: field: message`. Dates stay strings here; the validator parses
them, so an impossible date is a field error rather than a YAML crash.
"""

from __future__ import annotations

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

    def __str__(self) -> str:
        tail = f" [{self.code}]" if self.code else ""
        return f"{self.path}:{self.line}: {self.field}: {self.message}{tail}"


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


def parse_record(text: str, path: str, collection: str, record_id: str) -> tuple[RawRecord | None, list[Problem]]:
    loader = RecordLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, [Problem(path, 1, "record", "文件为空：每条记录至少需要必填字段", code="empty-file")]
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


def load_records(data_dir: Path) -> tuple[list[RawRecord], list[Problem]]:
    """Read every record file of every collection; never stops at the first error."""
    records: list[RawRecord] = []
    problems: list[Problem] = []
    data_dir = Path(data_dir)
    for coll in COLLECTIONS:
        directory = data_dir / coll.name
        if not directory.is_dir():
            problems.append(Problem(display_path(directory), 1, "collection", f"缺少目录 {coll.name}/", code="missing-directory"))
            continue
        for file in sorted(directory.iterdir()):
            shown = display_path(file)
            if file.name.startswith(".") or file.is_dir():
                continue
            if file.suffix == ".yml":
                problems.append(Problem(shown, 1, "id", "记录文件扩展名应为 .yaml", code="bad-extension"))
                continue
            if file.suffix != ".yaml":
                continue
            record_id = file.stem
            if not ID_PATTERN.match(record_id):
                problems.append(Problem(shown, 1, "id", f"文件名“{record_id}”不是合法的记录编号：只能用小写字母、数字和连字符，以字母或数字开头，2–80 个字符", code="bad-id"))
            elif record_id in RESERVED_IDS:
                problems.append(Problem(shown, 1, "id", f"“{record_id}”是站点保留的路径，不能用作记录编号", code="reserved-id"))
            try:
                text = file.read_bytes().decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                problems.append(Problem(shown, 1, "encoding", f"文件不是 UTF-8 编码（第 {exc.start} 字节）", code="not-utf8"))
                continue
            record, found = parse_record(text, shown, coll.name, record_id)
            problems += found
            if record is not None:
                records.append(record)
    return records, problems
