"""Files for maintainers, generated from the record model (portal/schema.py):
JSON Schemas kept in the repository, the field reference in docs/, and
scaffolds of new records.
"""

from __future__ import annotations

import json
from pathlib import Path

from .outputs.schemas import json_schema, schema_comment, schema_files
from .schema import COLLECTIONS, DATE, INT, LIST, OBJECT, REF, TEXT, VOCAB, Collection, Field
from .vocab import Vocab

FIELD_REFERENCE = Path("docs") / "字段说明.md"
def field_reference(vocab: Vocab) -> str:
    """docs/字段说明.md: every field of every record type, from the JSON Schemas."""
    lines = ["# 字段说明", "",
             "本页由 `portal schemas` 根据记录模型（`portal/schema.py`）和受控词表（`data/vocab.yaml`）生成，请勿手工修改。",
             "每条记录是一个 YAML 文件，文件名（不含 `.yaml`）就是记录编号，也是网址的一部分。", ""]
    for coll in COLLECTIONS:
        schema = json_schema(coll.name, vocab)
        required = set(schema.get("required", []))
        lines += [f"## {coll.label}（`data/{coll.name}/<编号>.yaml`）", "",
                  f"JSON Schema：`schemas/{coll.name}.schema.json`。新建：`portal new {coll.kind} <编号>`。", "",
                  "| 字段 | 名称 | 必填 | 说明 |", "|---|---|---|---|"]
        for name, prop in schema["properties"].items():
            description = prop.get("description", "").replace("|", "\\|")
            values = _enum(prop)
            if values:
                description += f"。可选值：{values}"
            lines.append(f"| `{name}` | {prop.get('title', '')} | {'是' if name in required else ''} | {description} |")
        lines.append("")
    return "\n".join(lines)


def _enum(prop: dict) -> str:
    for candidate in (prop, prop.get("items") or {}):
        if "enum" in candidate:
            return "、".join(str(v) for v in candidate["enum"] if v is not None)
    return ""


def write_maintainer_files(root: Path, vocab: Vocab) -> list[Path]:
    """schemas/*.schema.json and docs/字段说明.md in the repository."""
    written = []
    for path, content in schema_files(vocab).items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        written.append(target)
    target = root / FIELD_REFERENCE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(field_reference(vocab), encoding="utf-8")
    return written + [target]


# ---------------------------------------------------------------- scaffolds

_EXAMPLES = {
    # Values that make the scaffold valid as written; the rest is commented out.
    "technologies": {"name": "技术名称", "summary": "一句话说明这项技术做什么、适合哪里。",
                     "sources": [{"title": "信息来源（文件名称、发文字号或出版物）"}]},
    "mentors": {"name": "示例传承人", "example": True, "track": "传统医学"},
    "policies": {"title": "关于……的通知", "issuers": ["发文机关"], "published": "2024-01-01"},
}


def _placeholder(decl: Field, vocab: Vocab) -> str:
    if decl.kind == VOCAB:
        values = vocab.values(decl.vocab)
        return values[0] if values else ""
    if decl.kind == DATE:
        return "2024-01-01"
    if decl.kind == INT:
        return "0"
    if decl.kind == REF:
        return "记录编号"
    if decl.kind == LIST:
        item = decl.item
        if item.kind == OBJECT:
            first = item.fields[0]
            rest = "".join(f"\n#   {f.name}: {_placeholder(f, vocab)}" for f in item.fields[1:])
            return f"\n#   - {first.name}: {_placeholder(first, vocab)}" + rest.replace("\n#   ", "\n#     ")
        return f"\n#   - {_placeholder(item, vocab)}"
    if decl.kind == OBJECT:
        return "".join(f"\n#   {f.name}: {_placeholder(f, vocab)}" for f in decl.fields)
    if decl.kind == TEXT:
        return "|\n#   正文（Markdown）"
    return "……"


def _help(decl: Field, vocab: Vocab) -> str:
    text = decl.label
    if decl.kind == VOCAB or (decl.kind == LIST and decl.item.kind == VOCAB):
        path = decl.vocab or decl.item.vocab
        text += "，可选：" + "、".join(vocab.values(path))
    elif decl.kind == REF or (decl.kind == LIST and decl.item.kind == REF):
        target = decl.ref or decl.item.ref
        text += f"，填写 data/{target}/ 中记录的编号"
    elif decl.kind == DATE:
        text += "，格式 YYYY-MM-DD"
    if decl.required:
        text += "（必填）"
    return text


def scaffold(collection: Collection, vocab: Vocab) -> str:
    """A new record: required fields filled in so it validates, every other field commented and explained."""
    examples = _EXAMPLES[collection.name]
    lines = [schema_comment(collection.name).rstrip("\n"),
             f"# 新的{collection.label}记录。填好后运行 portal validate 检查；以 # 开头的行是说明或可选字段，去掉 # 即可启用。"]
    for decl in collection.fields:
        lines.append(f"# {decl.name}：{_help(decl, vocab)}")
        if decl.name in examples:
            value = examples[decl.name]
            if isinstance(value, list):
                lines.append(f"{decl.name}:")
                for item in value:
                    if not isinstance(item, dict):
                        lines.append(f"  - {item}")
                        continue
                    for n, (key, val) in enumerate(item.items()):
                        lines.append(f"  {'- ' if n == 0 else '  '}{key}: {val}")
            else:
                lines.append(f"{decl.name}: {json.dumps(value, ensure_ascii=False) if isinstance(value, bool) else value}")
        else:
            lines.append(f"# {decl.name}: {_placeholder(decl, vocab)}")
    return "\n".join(lines) + "\n"
