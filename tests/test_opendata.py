"""Open data (api/…json, api/…csv) and the JSON Schemas generated from portal/schema.py."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import textwrap

import pytest
import yaml

from portal.catalogue import build_catalogue
from portal.loader import load_records, parse_record
from portal.outputs.opendata import csv_columns, neutralise_cell, opendata_files
from portal.outputs.schemas import json_schema, schema_files
from portal.schema import COLLECTION_BY_NAME, COLLECTIONS, ENTRY_FIELDS
from portal.validate import validate
from conftest import ROOT, today

try:
    import jsonschema
except ImportError:  # not a dependency of the project: the schema checks skip without it
    jsonschema = None

needs_jsonschema = pytest.mark.skipif(
    jsonschema is None,
    reason="the jsonschema package is not installed in this environment; "
           "install it to check records against the generated JSON Schemas",
)
DAY = dt.date(2024, 3, 28)


@pytest.fixture(scope="module")
def real():
    return build_catalogue(ROOT / "data", DAY)


@pytest.fixture(scope="module")
def files(real):
    return opendata_files(real)


def _iso_dates(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _iso_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_iso_dates(v) for v in value]
    return value


def _instance(text: str):
    """A record file as a JSON Schema instance: YAML with dates as ISO strings."""
    return _iso_dates(yaml.safe_load(text))


def _schema_validator(schema):
    cls = jsonschema.Draft202012Validator
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


# --- schemas ---------------------------------------------------------------

def test_schema_files(real):
    out = schema_files(real.vocab)
    assert sorted(out) == sorted(f"schemas/{c.name}.schema.json" for c in COLLECTIONS)
    for coll in COLLECTIONS:
        raw = out[f"schemas/{coll.name}.schema.json"]
        assert raw.endswith(b"\n")
        schema = json.loads(raw.decode("utf-8"))
        assert f'"title": "{coll.label}"' in raw.decode("utf-8")  # ensure_ascii=False
        assert schema == json_schema(coll.name, real.vocab)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["$id"] == f"schemas/{coll.name}.schema.json"
        assert schema["title"] == coll.label
        assert schema["type"] == "object" and schema["additionalProperties"] is False
        # Every declared field, in declaration order, with its Chinese label.
        assert list(schema["properties"]) == [f.name for f in coll.fields]
        assert schema["required"] == [f.name for f in coll.fields if f.required]
        for decl in coll.fields:
            prop = schema["properties"][decl.name]
            assert prop["title"] == decl.label and prop["description"]


def test_schema_field_kinds(real):
    tech = json_schema("technologies", real.vocab)["properties"]
    assert tech["management_class"]["enum"] == ["一般", "限制类", "临床研究", None]
    assert "禁止类" not in tech["management_class"]["enum"]
    assert tech["training_hours"]["type"] == ["integer", "null"] and tech["training_hours"]["minimum"] == 0
    assert tech["warehoused"]["format"] == "date" and tech["warehoused"]["pattern"] == r"^\d{4}-\d{2}-\d{2}$"
    assert tech["successor"]["pattern"] == r"^[a-z0-9][a-z0-9-]{1,79}$"
    assert tech["aliases"]["uniqueItems"] is True and tech["aliases"]["items"]["type"] == "string"
    assert tech["sources"]["minItems"] == 1 and tech["sources"]["type"] == "array"
    source = tech["sources"]["items"]
    assert source["required"] == ["title"] and source["additionalProperties"] is False
    assert "uniqueItems" not in tech["sources"]
    policy = json_schema("policies", real.vocab)["properties"]
    assert "null" in policy["doc_number"]["type"]
    assert policy["published"]["type"] == "string"          # required: no null
    assert "uniqueItems" not in policy["deadlines"]          # unique=False
    mentor = json_schema("mentors", real.vocab)
    assert mentor["properties"]["example"]["type"] == ["boolean", "null"]
    rules = {r["if"]["properties"]["track"]["const"]: r["then"]["properties"]["tier"]["enum"]
             for r in mentor["allOf"]}
    assert rules == {track: list(real.vocab.tiers(track)) + [None]
                     for track in real.vocab.values("mentor.tracks")}


@needs_jsonschema
def test_schemas_are_valid_draft_2020_12(real):
    for coll in COLLECTIONS:
        jsonschema.Draft202012Validator.check_schema(json_schema(coll.name, real.vocab))


@needs_jsonschema
def test_real_content_validates_against_schemas(real):
    checked = 0
    for coll in COLLECTIONS:
        validator = _schema_validator(json_schema(coll.name, real.vocab))
        for rec in real.records[coll.name].values():
            text = (ROOT / "data" / coll.name / f"{rec.id}.yaml").read_text(encoding="utf-8-sig")
            errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(_instance(text))]
            assert not errors, (rec.path, errors)
            checked += 1
    assert checked == sum(len(r) for r in real.records.values()) > 0


# Record files of both verdicts. Ids and references point into the real content.
GOOD_TECH = """\
    name: 测试技术
    summary: 一行简介。
    stage: 推广
    management_class: 限制类
    levels: [村卫生室, 乡镇卫生院]
    warehoused: 2023-01-01
    review_due: 2026-01-01
    training_hours: 12
    policies: [2024-jia-qiang-zhu-chan-fu-wu-guan-li]
    indicators:
      - name: 指标
        target: 100%
    sources:
      - title: 来源
        url: https://example.org/
    entry_example: true
    body: |
      正文。
    """
GOOD_MENTOR = """\
    name: 测试传承人
    example: true
    track: 现代医学
    tier: 资深专家
    region: 四川
    technologies: [ai-jiu-liao-fa]
    cycles: [一年制]
    enrollment:
      status: 招收中
      deadline: 2024-04-30
      quota: 3
    """
GOOD_POLICY = """\
    title: 关于测试的通知（征求意见稿）
    doc_number: null
    issuers: [国家卫生健康委办公厅]
    published: 2024-01-10
    kind: 征求意见稿
    comment_deadline: 2024-02-10
    deadlines:
      - date: 2024-02-01
        label: 报送材料
      - date: 2024-02-01
        label: 报送材料
    source:
      title: 原文
      page: 2
    """


def _edit(text: str, old: str, new: str) -> str:
    text = textwrap.dedent(text)
    assert old in text, old
    return text.replace(old, new, 1)


CASES = [
    # (case, collection, record text, valid?)
    ("good technology", "technologies", textwrap.dedent(GOOD_TECH), True),
    ("good minimal technology", "technologies", "name: 甲\nsummary: 乙\nsources:\n  - title: 丙\n", True),
    ("good exited technology", "technologies",
     _edit(GOOD_TECH, "stage: 推广", "stage: 退出\nexit_reason: 已被替代\nsuccessor: ai-jiu-liao-fa"), True),
    ("empty optional field", "technologies", _edit(GOOD_TECH, "stage: 推广", "stage:\ncategory:"), True),
    ("good mentor", "mentors", textwrap.dedent(GOOD_MENTOR), True),
    ("mentor without tier", "mentors", _edit(GOOD_MENTOR, "tier: 资深专家\n", ""), True),
    ("good policy", "policies", textwrap.dedent(GOOD_POLICY), True),
    ("unknown field", "technologies", _edit(GOOD_TECH, "levels:", "levles:"), False),
    ("unknown nested field", "technologies", _edit(GOOD_TECH, "url: https", "link: https"), False),
    ("wrong type: int", "technologies", _edit(GOOD_TECH, "training_hours: 12", "training_hours: 十二"), False),
    ("wrong type: negative int", "technologies", _edit(GOOD_TECH, "training_hours: 12", "training_hours: -1"), False),
    ("wrong type: bool", "mentors", _edit(GOOD_MENTOR, "example: true", "example: 是"), False),
    ("wrong type: object", "mentors", _edit(GOOD_MENTOR, "enrollment:\n  status: 招收中\n  deadline: 2024-04-30\n  quota: 3\n",
                                                    "enrollment: 招收中\n"), False),
    ("lone value for a list", "policies", _edit(GOOD_POLICY, "issuers: [国家卫生健康委办公厅]", "issuers: 国家卫生健康委办公厅"), False),
    ("duplicate list item", "technologies", _edit(GOOD_TECH, "[村卫生室, 乡镇卫生院]", "[村卫生室, 村卫生室]"), False),
    ("empty required list", "technologies", "name: 甲\nsummary: 乙\nsources: []\n", False),
    ("blank text", "technologies", _edit(GOOD_TECH, "summary: 一行简介。", "summary: '  '"), False),
    ("two-line text", "technologies", _edit(GOOD_TECH, "summary: 一行简介。", 'summary: "一行\\n两行"'), False),
    ("bad vocabulary value", "technologies", _edit(GOOD_TECH, "stage: 推广", "stage: 推行"), False),
    ("bad vocabulary value in list", "mentors", _edit(GOOD_MENTOR, "cycles: [一年制]", "cycles: [两年制]"), False),
    ("prohibited management class", "technologies", _edit(GOOD_TECH, "management_class: 限制类", "management_class: 禁止类"), False),
    ("tier not of track", "mentors", _edit(GOOD_MENTOR, "tier: 资深专家", "tier: 名老中医"), False),
    ("exit without reason", "technologies", _edit(GOOD_TECH, "stage: 推广", "stage: 退出"), False),
    ("exit with empty reason", "technologies", _edit(GOOD_TECH, "stage: 推广", "stage: 退出\nexit_reason:"), False),
    ("bad date pattern", "policies", _edit(GOOD_POLICY, "published: 2024-01-10", "published: 2024/01/10"), False),
    ("impossible date", "policies", _edit(GOOD_POLICY, "published: 2024-01-10", 'published: "2024-02-30"'), False),
    ("bad nested date", "mentors", _edit(GOOD_MENTOR, "deadline: 2024-04-30", "deadline: 四月底"), False),
    ("missing required field", "policies", _edit(GOOD_POLICY, "published: 2024-01-10\n", ""), False),
    ("empty required field", "technologies", _edit(GOOD_TECH, "name: 测试技术", "name:"), False),
    ("missing required nested field", "mentors", _edit(GOOD_MENTOR, "  status: 招收中\n", ""), False),
    ("comment deadline of a notice", "policies", _edit(GOOD_POLICY, "kind: 征求意见稿", "kind: 通知"), False),
    ("malformed reference", "technologies", _edit(GOOD_TECH, "stage: 推广", "stage: 推广\nsuccessor: Ai_Jiu"), False),
    ("entry with a source", "technologies",
     _edit(GOOD_TECH, "entry_example: true", "entry_sources:\n  - title: 推广组文件"), True),
    ("entry date with neither source nor 示例", "technologies", _edit(GOOD_TECH, "entry_example: true\n", ""), False),
    ("entry both 示例 and sourced", "technologies",
     _edit(GOOD_TECH, "entry_example: true", "entry_example: true\nentry_sources:\n  - title: 推广组文件"), False),
    ("whole record illustrative", "technologies", _edit(GOOD_TECH, "entry_example: true", "example: true"), True),
    ("clinical-research technology with an entry", "technologies",
     _edit(GOOD_TECH, "management_class: 限制类", "management_class: 临床研究"), False),
    ("clinical-research technology without an entry", "technologies",
     "name: 甲\nsummary: 乙\nmanagement_class: 临床研究\nsources:\n  - title: 丙\n", True),
]


@pytest.fixture(scope="module")
def real_raw():
    records, problems = load_records(ROOT / "data")
    assert not problems
    return records


def _validator_problems(real, real_raw, collection: str, text: str) -> list[str]:
    path = f"data/{collection}/zz-test-record.yaml"
    raw, problems = parse_record(text, path, collection, "zz-test-record")
    assert raw is not None, problems
    _, found = validate(real_raw + [raw], real.vocab)
    return [str(p) for p in problems + found if p.path == path]


@pytest.mark.parametrize("case,collection,text,valid", CASES, ids=[c[0] for c in CASES])
def test_validator_verdict(real, real_raw, case, collection, text, valid):
    problems = _validator_problems(real, real_raw, collection, text)
    assert (not problems) == valid, problems


@needs_jsonschema
@pytest.mark.parametrize("case,collection,text,valid", CASES, ids=[c[0] for c in CASES])
def test_schema_agrees_with_validator(real, case, collection, text, valid):
    validator = _schema_validator(json_schema(collection, real.vocab))
    errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(_instance(text))]
    assert (not errors) == valid, errors


# --- JSON ------------------------------------------------------------------

def _load(files, path):
    return json.loads(files[path].decode("utf-8"))


def test_api_json_matches_catalogue(real, files):
    for coll in COLLECTIONS:
        doc = _load(files, f"api/{coll.name}.json")
        records = real.records[coll.name]
        assert doc["collection"] == coll.name and doc["label"] == coll.label
        assert doc["generated"] == "2024-03-28"
        assert doc["count"] == len(records) == len(doc["records"]) > 0
        assert [r["id"] for r in doc["records"]] == sorted(records)
        for obj in doc["records"]:
            rec = records[obj["id"]]
            assert files[f"api/{coll.name}/{rec.id}.json"] == (
                json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
            assert obj["url"] == f"{coll.name}/{rec.id}/"
            assert obj["status"] == (rec.status.label if rec.status else None)
            assert obj[coll.title_field] == rec.title
            assert set(obj) - {"id", "url", "status", "illustrative_fields", "mentors", "technologies", "cited_by"} \
                <= set(coll.by_name)
            assert obj["illustrative_fields"] == list(rec.illustrative) + (["status"] if rec.illustrative and rec.status else [])
    per_record = [p for p in files if p.count("/") == 2]
    assert len(per_record) == sum(len(r) for r in real.records.values())


def test_api_says_which_fields_are_illustrative(real, files):
    """A machine reading the API can tell a 示例 entry from a sourced fact, as a reader of the page can."""
    techs = {r["id"]: r for r in _load(files, "api/technologies.json")["records"]}
    for tech in techs.values():
        entry = [name for name in ENTRY_FIELDS if tech.get(name) not in (None, [], "")]
        if tech.get("entry_example"):
            # The status (推广中, 评估中 …) is worked out from the illustrative entry: 示例 too.
            assert tech["illustrative_fields"] == entry + ["status"]
        else:
            assert tech["illustrative_fields"] == [] and (not entry or tech.get("entry_sources"))
    mentors = _load(files, "api/mentors.json")["records"]
    assert all("name" in m["illustrative_fields"] for m in mentors if m.get("example"))
    header = files["api/technologies.csv"].decode("utf-8-sig").splitlines()[0].split(",")
    assert header[:4] == ["id", "url", "status", "illustrative_fields"]


def test_api_relations(real, files):
    techs = {r["id"]: r for r in _load(files, "api/technologies.json")["records"]}
    mentors = _load(files, "api/mentors.json")["records"]
    for tech_id, tech in techs.items():
        expected = sorted(m["id"] for m in mentors if tech_id in m.get("technologies", []))
        assert tech["mentors"] == expected
    assert any(t["mentors"] for t in techs.values())
    policies = {r["id"]: r for r in _load(files, "api/policies.json")["records"]}
    for policy_id, policy in policies.items():
        assert policy["technologies"] == sorted(t for t, tech in techs.items()
                                                if policy_id in tech.get("policies", []))
        assert policy["cited_by"] == [r.id for r in real.policies[policy_id].related("cited_by")]


def test_api_values_of_small_data(data_dir):
    files = opendata_files(build_catalogue(data_dir, today()), site_url="https://example.org/portal")
    tech = _load(files, "api/technologies/ai-jiu.json")
    assert tech["id"] == "ai-jiu" and tech["name"] == "艾灸"
    assert tech["warehoused"] == "2022-05-01" and tech["mentors"] == ["example-a"]
    assert tech["url"] == "https://example.org/portal/technologies/ai-jiu/"
    assert tech["status"] == "推广中"
    assert _load(files, "api/technologies/old-tech.json")["status"] == "已退出"
    mentor = _load(files, "api/mentors/example-a.json")
    assert mentor["enrollment"] == {"status": "招收中", "deadline": "2024-03-15"}
    assert mentor["status"] == "招收已截止" and "mentors" not in mentor
    policy = _load(files, "api/policies/2024-zhong-yi-yao.json")
    assert policy["technologies"] == ["ai-jiu"] and policy["cited_by"] == ["2024-yi-jian-zheng-qiu"]
    draft = _load(files, "api/policies/2024-yi-jian-zheng-qiu.json")
    assert draft["status"] == "征求意见中" and draft["cited_by"] == []
    index = _load(files, "api/index.json")
    assert index["site_url"] == "https://example.org/portal/"
    assert {c["collection"]: c["count"] for c in index["collections"]} == {
        "technologies": 2, "mentors": 1, "policies": 2}


def test_api_index(real, files):
    index = _load(files, "api/index.json")
    assert index["generated"] == "2024-03-28"
    schemas = schema_files(real.vocab)
    assert [c["collection"] for c in index["collections"]] == [c.name for c in COLLECTIONS]
    for entry in index["collections"]:
        name = entry["collection"]
        assert entry["label"] == COLLECTION_BY_NAME[name].label
        assert entry["count"] == len(real.records[name])
        assert entry["json"] in files and entry["csv"] in files and entry["schema"] in schemas
        some_id = next(iter(real.records[name]))
        assert entry["record"].format(id=some_id) in files
        assert [c["name"] for c in entry["columns"]] == [n for n, _ in csv_columns(name)]


# --- CSV -------------------------------------------------------------------

def _rows(files, path):
    raw = files[path]
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")  # body (multi-line) is left out
    return list(csv.reader(io.StringIO(text, newline="")))


def test_csv(real, files):
    for coll in COLLECTIONS:
        rows = _rows(files, f"api/{coll.name}.csv")
        header = rows[0]
        assert header[:3] == ["id", "url", "status"]
        assert header == [n for n, _ in csv_columns(coll.name)]
        assert "body" not in header
        assert [f.name for f in coll.fields if f.name != "body"] == [h for h in header if h in coll.by_name]
        assert len(rows) == len(real.records[coll.name]) + 1
        assert all(len(row) == len(header) for row in rows)
        # No cell a spreadsheet would run as a formula (see test_output_hardening.py).
        assert all(neutralise_cell(cell) == cell for row in rows for cell in row)
        assert [row[0] for row in rows[1:]] == sorted(real.records[coll.name])
        by_id = {row[0]: dict(zip(header, row)) for row in rows[1:]}
        for rec in real.records[coll.name].values():
            assert by_id[rec.id][coll.title_field] == rec.title      # Chinese text intact
            assert by_id[rec.id]["status"] == (rec.status.label if rec.status else "")
    techs = {row[0]: row for row in _rows(files, "api/technologies.csv")[1:]}
    header = _rows(files, "api/technologies.csv")[0]
    some = next(r for r in real.technologies.values() if len(r.get("sources", [])) > 1)
    row = dict(zip(header, techs[some.id]))
    assert row["sources"] == "；".join(s["title"] for s in some.data["sources"])


def test_csv_values_of_small_data(data_dir):
    files = opendata_files(build_catalogue(data_dir, today()))
    techs = {r[0]: r for r in _rows(files, "api/technologies.csv")}
    header = techs["id"]
    ai_jiu = dict(zip(header, techs["ai-jiu"]))
    assert ai_jiu["aliases"] == "灸法" and ai_jiu["levels"] == "村卫生室；乡镇卫生院"
    assert ai_jiu["warehoused"] == "2022-05-01" and ai_jiu["training_hours"] == ""
    assert ai_jiu["sources"] == "《中医医疗技术相关性感染预防与控制指南（试行）》"
    assert ai_jiu["mentors"] == "example-a" and ai_jiu["url"] == "technologies/ai-jiu/"
    mentors = _rows(files, "api/mentors.csv")
    mentor = dict(zip(mentors[0], mentors[1]))
    assert mentor["example"] == "是" and mentor["enrollment"] == "招收中，截止 2024-03-15"
    assert mentor["technologies"] == "ai-jiu" and mentor["tier"] == "名老中医"
    policies = _rows(files, "api/policies.csv")
    policy = {row[0]: dict(zip(policies[0], row)) for row in policies[1:]}
    assert policy["2024-yi-jian-zheng-qiu"]["cites"] == "国中医药医政发 [2024] 1 号；国卫办发〔2099〕9号"
    assert policy["2024-yi-jian-zheng-qiu"]["doc_number"] == ""
    assert policy["2024-zhong-yi-yao"]["cited_by"] == "2024-yi-jian-zheng-qiu"


def test_csv_structured_fields(real, files):
    rows = _rows(files, "api/policies.csv")
    header = rows[0]
    with_deadlines = next(r for r in real.policies.values() if r.get("deadlines"))
    row = next(dict(zip(header, r)) for r in rows if r[0] == with_deadlines.id)
    first = with_deadlines.data["deadlines"][0]
    assert row["deadlines"].startswith(f"{first['date'].isoformat()} {first['label']}")
    assert row["deadlines"].count("；") == len(with_deadlines.data["deadlines"]) - 1
    mentors = _rows(files, "api/mentors.csv")
    quota = next(r for r in real.mentors.values() if r.get("enrollment", {}).get("quota"))
    row = next(dict(zip(mentors[0], r)) for r in mentors if r[0] == quota.id)
    assert f"名额 {quota.data['enrollment']['quota']}" in row["enrollment"]


# --- determinism -----------------------------------------------------------

def test_outputs_are_deterministic(real, files):
    again = build_catalogue(ROOT / "data", DAY)
    assert opendata_files(again) == files
    assert list(opendata_files(again)) == list(files)
    assert schema_files(again.vocab) == schema_files(real.vocab)
    with_url = opendata_files(real, site_url="https://example.org/")
    assert with_url == opendata_files(again, site_url="https://example.org/")
    assert with_url != files
