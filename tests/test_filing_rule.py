"""The 备案 rule for 限制类 technologies is stated one way on the whole site.

《医疗技术临床应用管理办法》第十一条: a facility assesses itself, and files within
15 working days *after* its first clinical case. The rule lives once in
data/vocab.yaml (technology.filing); every page that states it must agree with it,
and every 限制类 technology page must show it.
"""

from __future__ import annotations

import html
import re

import pytest

from portal.catalogue import build_catalogue
from portal.vocab import Vocab
from conftest import ROOT

RULE = Vocab.load(ROOT / "data" / "vocab.yaml").filing("限制类")

# Statements that put filing before the first case, or make it a licence to start.
CONTRADICTIONS = [
    re.compile(r"开展前[^。；\n]{0,12}备案"),
    re.compile(r"未(?:经)?备案[^。；\n]{0,6}不得"),
    re.compile(r"备案后[^。；\n]{0,4}(?:方可|才能|才可)"),
    re.compile(r"(?:须|需|应)?先[^。；\n]{0,4}备案"),
    re.compile(r"备案[^。；\n]{0,4}(?:审批|许可)后"),
]
BLOCK_TAGS = re.compile(r"</?(?:p|li|dt|dd|h[1-6]|div|td|th|tr|br|ol|ul|dl|table|section|header|footer|nav|details|summary)\b[^>]*>", re.I)


def text_of(page_html: str) -> str:
    """The page's text, one block per line, inline markup removed."""
    page_html = re.sub(r"<(script|style)\b.*?</\1>", "", page_html, flags=re.S | re.I)
    text = re.sub(r"<[^>]+>", "", BLOCK_TAGS.sub("\n", page_html))
    return re.sub(r"[ \t\u3000]+", "", html.unescape(text))


# A time limit, however written (15日内, 十五个工作日, 30天).
TIME = re.compile(r"[0-9０-９一二三四五六七八九十]+个?(?:工作)?[日天]|日内|天内")


def sentences_about_first_case_filing(text: str) -> list[str]:
    return [s for s in re.split(r"[。；\n]", text) if "备案" in s and "首例" in s]


def problems_in(text: str) -> list[str]:
    found = []
    for pattern in CONTRADICTIONS:
        found += [f"contradicts the rule: …{m.group(0)}…" for m in pattern.finditer(text)]
    when = RULE["when"]
    for sentence in sentences_about_first_case_filing(text):
        # "首例后须备案" (我的机构's verdict, the rule's time beside it) names no time of its own.
        if when not in sentence and "何时备案" not in sentence and TIME.search(sentence):
            found.append(f"states the time differently from “{when}”: {sentence}")
    return found


def test_the_checker_catches_the_old_wrong_wordings():
    """Each wording the site used to print is caught (the check can fail)."""
    for wrong in ("限制类技术须具备条件并按时备案，未备案不得开展", "本技术属国家限制类技术，开展前须完成备案并逐例上报病例信息。",
                  "首例开展之日起15日内向执业登记机关备案", "县级医院开展前须完成限制类技术备案"):
        assert problems_in(wrong), wrong
    assert not problems_in(f"医疗机构自我评估，{RULE['when']}，向{RULE['to']}备案。")
    assert not problems_in("可开展，首例后须备案")
    assert problems_in("可开展，首例后十五日内备案") and problems_in("首例后30天内备案")


@pytest.fixture(scope="module")
def pages(built_site) -> dict[str, str]:
    return {str(p.relative_to(built_site)): p.read_text(encoding="utf-8")
            for p in built_site.rglob("*.html")}


def test_no_page_states_the_filing_rule_differently(pages):
    wrong = {path: problems_in(text_of(page)) for path, page in pages.items()}
    wrong = {path: found for path, found in wrong.items() if found}
    assert not wrong, wrong


def test_no_record_or_content_page_retypes_the_rule_differently():
    """Records and Markdown pages, before rendering (a draft a maintainer writes)."""
    sources = list((ROOT / "data").rglob("*.yaml")) + list((ROOT / "content").glob("*.md"))
    wrong = {}
    for path in sources:
        if path.name == "vocab.yaml":
            continue
        found = problems_in(path.read_text(encoding="utf-8").replace(" ", ""))
        if found:
            wrong[str(path.relative_to(ROOT))] = found
    assert not wrong, wrong


def _filing_box(page: str) -> str:
    match = re.search(r'<div class="admonition note portal-filing" id="filing">.*?</div>', page, re.S)
    return text_of(match.group(0)) if match else ""


def test_every_restricted_technology_page_shows_the_whole_rule(pages):
    catalogue = build_catalogue(ROOT / "data")
    restricted = [r for r in catalogue.technologies.values() if r.get("management_class") == "限制类"]
    assert restricted
    for rec in restricted:
        box = _filing_box(pages[f"technologies/{rec.id}/index.html"])
        for part in ("before", "when", "to", "after", "cases", "source"):
            assert RULE[part].replace(" ", "") in box, (rec.id, part)
        for material in RULE["materials"]:
            assert material in box, (rec.id, material)
    for rec in catalogue.technologies.values():
        if rec.get("management_class") != "限制类":
            assert not _filing_box(pages[f"technologies/{rec.id}/index.html"]), rec.id


def test_the_management_classes_page_shows_the_same_box(pages):
    box = _filing_box(pages["management-classes/index.html"])
    assert RULE["when"] in box and RULE["to"] in box


def test_the_rule_is_worded_as_the_regulation_is_quoted():
    """The data rule against the reference slides (《医疗技术临床应用管理办法》第十一条、第三十七条)."""
    slides = ROOT / "tests" / "factcheck" / "reference" / "clinical-technology-management-slides.txt"
    text = re.sub(r"\s+", "", slides.read_text(encoding="utf-8"))
    assert "开展首例临床应用之日起15个工作日内备案" in text
    assert RULE["when"] + "备案" in text
    assert "向核发其《医疗机构执业许可证》的卫生健康政部门备案" in text  # "行" lost in the PDF
    assert "医疗机构应当逐例报送限制类技术开展情况数据信息" in text and RULE["cases"] in text
    for material in RULE["materials"]:
        assert re.sub(r"[“”）]", "", material)[-12:] in re.sub(r"[“”）]", "", text), material
