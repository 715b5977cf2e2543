"""The metadata block printed above each notice (发文机关, 成文日期, 标题, …).

Real blocks are messy: labels with spaces inside (标 题, 关 键 字), full- or
half-width colons, several fields on one line, fields in any order, empty
values, and values continued on the following lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Field → the labels that introduce it (synonyms seen on government sites).
LABELS: dict[str, tuple[str, ...]] = {
    "issuers": ("发文机关", "发文机构", "发布机构", "发文单位"),
    "written": ("成文日期", "成文时间"),
    "title": ("标题", "文件名称"),
    "doc_number": ("发文字号", "文号"),
    "published": ("发布日期", "发布时间"),
    "category": ("类别", "主题分类", "分类"),
    "keywords": ("关键字", "关键词", "主题词"),
    "effective": ("施行日期", "生效日期", "实施日期"),
    "validity": ("有效性", "时效性"),
    "index_no": ("索引号",),
}

_LABEL_TO_FIELD = {label: name for name, labels in LABELS.items() for label in labels}
# Longest labels first so 发文机关 wins over shorter overlaps; any spacing inside a label.
_LABEL_RE = re.compile(
    "(?P<label>" + "|".join(
        r"[ \t\u3000]*".join(map(re.escape, label))
        for label in sorted(_LABEL_TO_FIELD, key=len, reverse=True)
    ) + r")[ \t\u3000]*[:：]"
)


@dataclass
class Metadata:
    values: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)   # field → 1-based source line
    start: int = 0                                        # index of the first line of the block
    end: int = 0                                          # index after the last line of the block

    def get(self, name: str) -> str:
        return self.values.get(name, "").strip()


def labels_in(line: str) -> list[tuple[int, int, str]]:
    """(start, end, field) of every label in a line, in order."""
    found = []
    for match in _LABEL_RE.finditer(line):
        label = re.sub(r"[ \t\u3000]", "", match["label"])
        found.append((match.start(), match.end(), _LABEL_TO_FIELD[label]))
    return found


def is_label_line(line: str) -> bool:
    found = labels_in(line)
    # A label must open the line: “标题：” inside a sentence is not metadata.
    return bool(found) and not line[: found[0][0]].strip()


def _label_flags(lines: list[str]) -> list[bool]:
    return [is_label_line(line) for line in lines]


def _label_follows(lines: list[str], flags: list[bool], i: int, lookahead: int) -> bool:
    """Whether a label line is among the next `lookahead` non-empty lines after lines[i].

    Scans only that far: looking at every remaining line from every line made
    a long run of continuation lines quadratic.
    """
    seen = 0
    for j in range(i + 1, len(lines)):
        if not lines[j].strip():
            continue
        if flags[j]:
            return True
        seen += 1
        if seen >= lookahead:
            return False
    return False


def parse_block(lines: list[str], start: int, *, line_offset: int = 1, lookahead: int = 3,
                flags: list[bool] | None = None) -> Metadata:
    """Read the block that begins at lines[start] (a label line).

    A line without a label continues the previous value only if another label
    line follows within `lookahead` non-empty lines; otherwise the block ended.
    `flags`: is_label_line of every line, when the caller has them already.
    """
    if flags is None:
        flags = _label_flags(lines)
    meta = Metadata(start=start)
    # Values are collected in parts and joined once: appending to a growing
    # string is quadratic in a value continued over thousands of lines.
    parts: dict[str, list[str]] = {}
    current: str | None = None
    i = start
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        if flags[i]:
            found = labels_in(line)
            for n, (_s, e, name) in enumerate(found):
                stop = found[n + 1][0] if n + 1 < len(found) else len(line)
                if name not in parts:
                    parts[name] = [line[e:stop].strip()]
                    meta.lines[name] = i + line_offset
                current = name
            meta.end = i + 1
            i += 1
            continue
        # Not a label: a continuation if more metadata follows shortly.
        if current and _label_follows(lines, flags, i, lookahead):
            parts[current].append(line.strip())
            meta.end = i + 1
            i += 1
            continue
        break
    meta.values = {name: "".join(chunks) for name, chunks in parts.items()}
    return meta


def find_blocks(lines: list[str], *, min_fields: int = 3) -> list[Metadata]:
    """Every metadata block in a text (a run of label lines naming at least min_fields fields)."""
    flags = _label_flags(lines)
    blocks = []
    i = 0
    while i < len(lines):
        if flags[i]:
            meta = parse_block(lines, i, flags=flags)
            if len(meta.values) >= min_fields and ("title" in meta.values or "issuers" in meta.values):
                blocks.append(meta)
            # A block read from a later label line of this run would end where this one
            # ends and name a subset of its fields, so it cannot qualify either: skip the
            # run (reading it again from each of its lines was quadratic, or worse).
            i = max(meta.end, i + 1)
            continue
        i += 1
    return blocks
