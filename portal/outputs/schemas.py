"""JSON Schemas (draft 2020-12) of the record files, generated from portal/schema.py.

The schemas come from the same `Field` declarations the validator walks, so
they cannot drift from it. They describe a record file as written (YAML read
into JSON: dates are "YYYY-MM-DD" strings), which lets editors with a YAML
language server check records while they are typed, and tells consumers of
the open data what each field means.

Where the validator and a schema differ, the validator is authoritative:

* references are checked only for their form here (ID_PATTERN), not for the
  existence of the target record, and cycles are not detected;
* rules comparing two dates (review_due ≥ warehoused, written ≤ published,
  expires ≥ effective, verified ≤ the build date) cannot be expressed in JSON Schema;
* the validator also accepts a number where one line of text is expected
  (it reads it as text); the schemas ask for a string;
* duplicates in a list are compared after trimming spaces by the validator,
  exactly by `uniqueItems`.
"""

from __future__ import annotations

import json

from .. import routes
from ..schema import (
    BOOL, COLLECTION_BY_NAME, COLLECTIONS, DATE, ENTRY_FIELDS, ID_PATTERN, INT, LIST, OBJECT, REF, STR,
    TEXT, VOCAB, Field,
)

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
# One line of text that is not blank once surrounding spaces are trimmed
# (the validator strips one-line text before checking it).
LINE_PATTERN = r"^\s*\S(?:[^\n]*\S)?\s*$"
# Markdown: anything that is not blank.
TEXT_PATTERN = r"\S"
_SCALAR_KINDS = (STR, VOCAB, REF)


def schema_comment(collection_name: str) -> str:
    """A record file's first line, so editors (YAML language server) check and complete its fields."""
    return f"# yaml-language-server: $schema=../../{routes.schema(collection_name)}\n"


def _describe(decl: Field, vocab) -> str:
    kind = decl.kind
    if kind == STR:
        text = "一行文本"
    elif kind == TEXT:
        text = "Markdown 文本"
    elif kind == INT:
        text = "非负整数"
    elif kind == BOOL:
        text = "true 或 false"
    elif kind == DATE:
        text = "日期，格式 YYYY-MM-DD"
    elif kind == VOCAB:
        text = f"受控词表 {decl.vocab} 中的值（data/vocab.yaml）"
    elif kind == REF:
        target = COLLECTION_BY_NAME[decl.ref]
        text = f"{target.label}的记录编号（data/{target.name}/<编号>.yaml 的文件名）"
    elif kind == OBJECT:
        text = "映射：" + "、".join(f"{f.name}（{f.label}）" for f in decl.fields)
    elif kind == LIST:
        text = "列表，每项为" + _describe(decl.item, vocab)
        if decl.min_items:
            text += f"；至少 {decl.min_items} 项"
        if decl.unique and decl.item.kind in _SCALAR_KINDS:
            text += "；不得重复"
    else:  # pragma: no cover - guarded by the validator's own AssertionError
        raise AssertionError(f"unknown field kind {kind}")
    return text


def _value_schema(decl: Field, vocab) -> dict:
    """Schema of one value of decl (never null; see _field_schema)."""
    kind = decl.kind
    if kind == STR:
        if decl.url:
            return {"type": "string", "format": "uri", "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://[^\\s/]+"}
        return {"type": "string", "pattern": LINE_PATTERN}
    if kind == TEXT:
        return {"type": "string", "pattern": TEXT_PATTERN}
    if kind == INT:
        return {"type": "integer", "minimum": 0}
    if kind == BOOL:
        return {"type": "boolean"}
    if kind == DATE:
        return {"type": "string", "format": "date", "pattern": DATE_PATTERN}
    if kind == VOCAB:
        return {"type": "string", "enum": list(vocab.values(decl.vocab))}
    if kind == REF:
        return {"type": "string", "pattern": ID_PATTERN.pattern}
    if kind == OBJECT:
        return _object_schema(decl.fields, vocab)
    if kind == LIST:
        out = {"type": "array", "items": _item_schema(decl.item, vocab)}
        if decl.min_items:
            out["minItems"] = decl.min_items
        if decl.unique and decl.item.kind in _SCALAR_KINDS:
            out["uniqueItems"] = True
        return out
    raise AssertionError(f"unknown field kind {kind}")


def _item_schema(decl: Field, vocab) -> dict:
    """A list item: the label of the list is already on the array."""
    out = _value_schema(decl, vocab)
    if decl.kind == OBJECT:
        return {"title": decl.label, **out}
    return out


def _accepts_null(decl: Field) -> bool:
    # The validator treats an empty value (`field:` with nothing after it) of an
    # optional field as absent; a nullable field keeps null as a value.
    return decl.nullable or not decl.required


def _with_null(schema: dict) -> dict:
    out = dict(schema)
    out["type"] = [schema["type"], "null"]
    if "enum" in out:
        out["enum"] = out["enum"] + [None]
    return out


def _field_schema(decl: Field, vocab) -> dict:
    value = _value_schema(decl, vocab)
    if _accepts_null(decl):
        value = _with_null(value)
    description = _describe(decl, vocab)
    if decl.required:
        description = "必填。" + description
    if decl.nullable:
        description += "；没有时写 null"
    elif not decl.required:
        description += "；可省略"
    return {"title": decl.label, "description": description, **value}


def _object_schema(fields: tuple[Field, ...], vocab) -> dict:
    out = {
        "type": "object",
        "properties": {decl.name: _field_schema(decl, vocab) for decl in fields},
    }
    required = [decl.name for decl in fields if decl.required]
    if required:
        out["required"] = required
    out["additionalProperties"] = False
    return out


def _present(name: str, schema: dict) -> dict:
    """`if` condition: name is present, not null, and matches schema."""
    return {"properties": {name: schema}, "required": [name]}


def _domain_rules(collection_name: str, vocab) -> list[dict]:
    """The rules of validate._domain_rules that JSON Schema can express."""
    coll = COLLECTION_BY_NAME[collection_name]
    rules: list[dict] = []
    if collection_name == "technologies":
        # management_class: the vocabulary already leaves out the prohibited classes.
        absent = {"enum": [None, [], ""]}
        sourced_or_example = {"anyOf": [
            _present("example", {"const": True}),
            _present("entry_example", {"const": True}),
            _present("entry_sources", {"type": "array", "minItems": 1}),
        ]}
        for name in ENTRY_FIELDS:
            rules.append({"if": _present(name, {"not": absent}), "then": sourced_or_example})
        rules.append({
            "if": _present("entry_example", {"const": True}),
            "then": {"properties": {"entry_sources": absent}},
        })
        rules.append({
            "if": _present("management_class", {"enum": vocab.values("technology.research_management_class")}),
            "then": {"properties": {name: absent for name in ENTRY_FIELDS}},
        })
        rules.append({
            "if": _present("stage", {"const": "退出"}),
            "then": {
                "required": ["exit_reason"],
                "properties": {"exit_reason": {"type": "string"}},
            },
        })
    elif collection_name == "mentors":
        nullable = _accepts_null(coll.by_name["tier"])
        for track in vocab.values("mentor.tracks"):
            tiers = [str(t) for t in vocab.tiers(track)]
            if nullable:
                tiers.append(None)
            tier = {"enum": tiers} if tiers else False
            rules.append({
                "if": _present("track", {"const": track}),
                "then": {"properties": {"tier": tier}},
            })
    elif collection_name == "policies":
        # Only a 征求意见稿 (or a notice of unstated kind) has a comment deadline.
        rules.append({
            "if": _present("comment_deadline", {"type": "string"}),
            "then": {"properties": {"kind": {"enum": ["征求意见稿", None]}}},
        })
    return rules


def json_schema(collection_name: str, vocab) -> dict:
    """The JSON Schema of one record file of collection_name."""
    coll = COLLECTION_BY_NAME[collection_name]
    body = _object_schema(coll.fields, vocab)
    schema = {
        "$schema": SCHEMA_DIALECT,
        "$id": routes.schema(coll.name),
        "title": coll.label,
        "description": f"{coll.label}记录文件 data/{coll.name}/<编号>.yaml 的结构"
                       "（由 portal/schema.py 生成，与 `portal validate` 使用同一份字段声明）。",
        **body,
    }
    rules = _domain_rules(coll.name, vocab)
    if rules:
        schema["allOf"] = rules
    return schema


def dump_json(value) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def schema_files(vocab) -> dict[str, bytes]:
    """{routes.schema(collection): bytes} for every collection."""
    return {routes.schema(coll.name): dump_json(json_schema(coll.name, vocab)) for coll in COLLECTIONS}
