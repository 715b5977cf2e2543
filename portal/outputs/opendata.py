"""Open data: every collection as JSON and CSV, plus one JSON file per record.

Files (paths relative to the site root):

* api/index.json                 the collections, their counts and files
* api/<collection>.json          {"collection", "label", "generated", "count", "records"}
* api/<collection>/<id>.json     one record, the same object as in the list
* api/<collection>.csv           UTF-8 with BOM (Excel), CRLF, one row per record; a cell
                                 a spreadsheet would run as a formula starts with '
                                 (see neutralise_cell)

A record is its validated data (dates as YYYY-MM-DD) plus "id", "url",
"status" (the label shown on the site, or null) and computed relations:
technologies get "mentors", policies get "technologies" and "cited_by"
(record ids). Output depends only on the catalogue (and site_url), so two
builds of the same content are byte-identical.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

from .. import routes
from ..schema import COLLECTION_BY_NAME, COLLECTIONS, TEXT

# Computed relations published with each collection: output name → Record.related name.
RELATIONS = {
    "technologies": ("mentors",),
    "mentors": (),
    "policies": ("technologies", "cited_by"),
}
BOM = b"\xef\xbb\xbf"
LIST_SEPARATOR = "；"

# First characters that make Excel, LibreOffice or WPS read a cell as a formula
# (OWASP "CSV Injection"; NUL from OWASP ASVS 1.2.10). The full-width forms are
# included too: Excel and WPS with a Chinese or Japanese input method may fold a
# full-width operator at the start of a cell to ASCII, which this site's readers
# use, and no spreadsheet version can be checked here; a genuine value starting
# with one is rare, so an apostrophe on it costs less than a formula that runs.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0", "＝", "＋", "－", "＠")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")
# Excel in a locale whose list separator is ";" (much of Europe) splits lines at
# ";" and honours quotes only at the start of a field, so "a;=1+1" becomes a cell
# "=1+1" whatever the quoting: the trigger after a ";" is neutralised too.
_TRIGGER_AFTER_SEMICOLON = re.compile(";(?=[" + re.escape("".join(FORMULA_TRIGGERS)) + "])")


def _jsonable(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _record_url(rec, site_url: str | None) -> str:
    if site_url:
        return site_url.rstrip("/") + "/" + rec.url
    return rec.url


def illustrative_fields(rec) -> list[str]:
    """For machines, what a page marks 示例: the fields no source backs, and the
    status when it is worked out from them."""
    fields = list(rec.illustrative)
    if fields and rec.status is not None:
        fields.append("status")
    return fields


def record_object(rec, *, site_url: str | None = None) -> dict:
    """One record as published: id, its data, url, status and relations."""
    out = {"id": rec.id}
    for name, value in rec.data.items():
        out[name] = _jsonable(value)
    out["url"] = _record_url(rec, site_url)
    out["status"] = rec.status.label if rec.status else None
    out["illustrative_fields"] = illustrative_fields(rec)
    for name in RELATIONS[rec.collection]:
        out[name] = [other.id for other in rec.related(name)]
    return out


def _dump(value) -> bytes:
    # Compact: json's C encoder only runs without indent (indented, the 20,000
    # record files of a national catalogue took seconds); browsers and tools
    # lay JSON out for reading themselves.
    return (json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


# --- CSV -----------------------------------------------------------------

def csv_columns(collection_name: str) -> list[tuple[str, str]]:
    """(column name, Chinese label) of the CSV of a collection, in order."""
    coll = COLLECTION_BY_NAME[collection_name]
    columns = [("id", "编号"), ("url", "网址"), ("status", "状态"), ("illustrative_fields", "示例字段（无来源的演示数据）")]
    columns += [(f.name, f.label) for f in coll.fields if f.kind != TEXT]
    labels = {"mentors": "传承人", "technologies": "相关技术", "cited_by": "被引用"}
    columns += [(name, labels[name]) for name in RELATIONS[collection_name]]
    return columns


def _scalar_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _join(parts) -> str:
    return LIST_SEPARATOR.join(p for p in parts if p)


def _sources(items) -> str:
    return _join(_scalar_text(item.get("title")) for item in items or [])


def _indicators(items) -> str:
    return _join(f"{item.get('name', '')}：{item.get('target', '')}" for item in items or [])


def _deadlines(items) -> str:
    return _join(f"{_scalar_text(item.get('date'))} {_scalar_text(item.get('label'))}".strip()
                 for item in items or [])


def _enrollment(value) -> str:
    value = value or {}
    parts = [_scalar_text(value.get("status"))]
    if value.get("deadline"):
        parts.append(f"截止 {_scalar_text(value['deadline'])}")
    if value.get("quota") is not None:
        parts.append(f"名额 {value['quota']}")
    return "，".join(p for p in parts if p)


def _source(value) -> str:
    value = value or {}
    parts = [_scalar_text(value.get("title"))]
    if value.get("page") is not None:
        parts.append(f"第 {value['page']} 页")
    if value.get("url"):
        parts.append(_scalar_text(value["url"]))
    return "，".join(p for p in parts if p)


# Readable text of the structured fields, by field name.
_FLATTEN = {
    ("technologies", "sources"): _sources,
    ("technologies", "entry_sources"): _sources,
    ("technologies", "indicators"): _indicators,
    ("mentors", "enrollment"): _enrollment,
    ("policies", "deadlines"): _deadlines,
    ("policies", "source"): _source,
}


def _generic(value) -> str:
    """Any other value: lists joined with ；, mappings as 键：值."""
    if isinstance(value, dict):
        return "，".join(f"{k}：{_generic(v)}" for k, v in value.items() if v not in (None, "", []))
    if isinstance(value, (list, tuple)):
        return _join(_generic(v) for v in value)
    return _scalar_text(value)


def _cell(collection_name: str, name: str, value) -> str:
    if value is None:
        return ""
    flatten = _FLATTEN.get((collection_name, name), _generic)
    return flatten(value)


def neutralise_cell(text: str) -> str:
    """A cell a spreadsheet shows as text: formula-like values get a leading '.

    A plain number such as -3 is left alone: spreadsheets read it as a number,
    never as a formula, and an apostrophe would turn it into text.
    """
    if ";" in text:
        text = _TRIGGER_AFTER_SEMICOLON.sub(";'", text)
    if text.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def collection_csv(records, collection_name: str, *, site_url: str | None = None) -> bytes:
    columns = [name for name, _ in csv_columns(collection_name)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for rec in records:
        row = []
        for name in columns:
            if name == "id":
                row.append(rec.id)
            elif name == "url":
                row.append(_record_url(rec, site_url))
            elif name == "status":
                row.append(rec.status.label if rec.status else "")
            elif name == "illustrative_fields":
                row.append(_join(illustrative_fields(rec)))
            elif name in RELATIONS[collection_name]:
                row.append(_join(other.id for other in rec.related(name)))
            else:
                row.append(_cell(collection_name, name, rec.data.get(name)))
        writer.writerow([neutralise_cell(cell) for cell in row])
    return BOM + buffer.getvalue().encode("utf-8")


# --- all files -----------------------------------------------------------

def opendata_files(catalogue, *, site_url: str | None = None) -> dict[str, bytes]:
    """{path relative to the site root: bytes} of every open-data file."""
    files: dict[str, bytes] = {}
    generated = catalogue.today.isoformat()
    index = []
    for coll in COLLECTIONS:
        records = [catalogue.records[coll.name][i] for i in sorted(catalogue.records[coll.name])]
        objects = [record_object(rec, site_url=site_url) for rec in records]
        files[routes.api_collection(coll.name)] = _dump({
            "collection": coll.name,
            "label": coll.label,
            "generated": generated,
            "count": len(objects),
            "records": objects,
        })
        for obj in objects:
            files[routes.api_record(coll.name, obj['id'])] = _dump(obj)
        files[routes.api_collection(coll.name, "csv")] = collection_csv(records, coll.name, site_url=site_url)
        index.append({
            "collection": coll.name,
            "label": coll.label,
            "count": len(objects),
            "json": routes.api_collection(coll.name),
            "csv": routes.api_collection(coll.name, "csv"),
            "schema": routes.schema(coll.name),
            "record": routes.api_record_pattern(coll.name),
            "columns": [{"name": name, "label": label} for name, label in csv_columns(coll.name)],
        })
    files[routes.API_INDEX] = _dump({
        "generated": generated,
        "site_url": site_url.rstrip("/") + "/" if site_url else None,
        "collections": index,
    })
    return dict(sorted(files.items()))
