"""我的机构: the verdict a technology page gives each facility level, worked out from
the record and the vocabulary's rules, and the province file the home page reads.
(The browser side, with a facility stored and the network off: test_offline.py.)"""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap

import pytest

from conftest import MINIMAL, ROOT, write_data
from portal import routes
from portal.catalogue import build_catalogue
from portal.facility import CAN, FILE, NOT_HERE, RESEARCH, UNKNOWN, verdict, verdicts
from portal.outputs.provinces import LATEST, province_news
from portal.render.pages import Renderer

DAY = dt.date(2024, 3, 28)


def technology(name: str, **fields) -> str:
    lines = [f"name: {name}", "summary: 一项技术。", "sources:", "  - title: 某技术规范"]
    for key, value in fields.items():
        lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    records = dict(MINIMAL)
    records.update({
        "technologies/yi-ban.yaml": technology("一般技术", management_class="一般", levels=["村卫生室", "乡镇卫生院"]),
        "technologies/xian-zhi.yaml": technology("限制类技术", management_class="限制类", levels=["县级医院"]),
        "technologies/yan-jiu.yaml": technology("研究技术", management_class="临床研究", levels=["村卫生室"]),
        "technologies/wei-zhu-ming.yaml": technology("未注明技术", management_class="一般"),
    })
    return build_catalogue(write_data(tmp_path_factory.mktemp("facility") / "data", records), DAY)


def test_a_general_technology_can_be_done_where_its_levels_say(catalogue):
    rec = catalogue.technologies["yi-ban"]
    answer = verdict(rec, "村卫生室", catalogue.vocab)
    assert (answer.key, answer.label) == (CAN, "可开展")
    elsewhere = verdict(rec, "县级医院", catalogue.vocab)
    assert (elsewhere.key, elsewhere.label) == (NOT_HERE, "本级不适用")
    # The levels that may, so the reader knows where to refer.
    assert "村卫生室、乡镇卫生院" in elsewhere.detail


def test_a_restricted_technology_says_what_to_file_to_whom_and_by_when(catalogue):
    answer = verdict(catalogue.technologies["xian-zhi"], "县级医院", catalogue.vocab)
    assert (answer.key, answer.label) == (FILE, "可开展，首例后须备案")
    # In the rule's own words, from the one place the vocabulary states it.
    rule = catalogue.vocab.filing("限制类")
    for part in (rule["before"], rule["when"], rule["to"]):
        assert part in answer.detail
    assert "开展首例临床应用之日起15个工作日内" in answer.detail


def test_research_only_whatever_the_level_and_unknown_without_levels(catalogue):
    for level in catalogue.vocab.values("technology.levels"):
        assert verdict(catalogue.technologies["yan-jiu"], level, catalogue.vocab).label == "仅限临床研究"
    answer = verdict(catalogue.technologies["wei-zhu-ming"], "村卫生室", catalogue.vocab)
    assert answer.key == UNKNOWN and "未注明适用机构" in answer.detail
    assert {v.key for v in verdicts(catalogue.technologies["yan-jiu"], catalogue.vocab)} == {RESEARCH}


def test_the_page_holds_every_level_hidden_and_leaves_its_contents_list_alone(catalogue):
    renderer = Renderer(catalogue)
    page = renderer.record(catalogue.technologies["xian-zhi"]).html
    box = re.search(r'<section class="portal-verdict[^"]*" id="my-facility"[^>]*>(.*?)</section>', page, re.S)
    assert box and " hidden" in box.group(0)[:box.group(0).index(">")]
    answers = re.findall(r'<div class="portal-verdict__answer portal-verdict--([a-z-]+)" data-level="([^"]+)" hidden>',
                         box.group(1))
    assert [level for _, level in answers] == catalogue.vocab.values("technology.levels")
    assert dict((level, key) for key, level in answers)["县级医院"] == FILE
    # The contents list is for every reader: a hidden section is not in it.
    contents = re.search(r'<nav class="portal-contents".*?</nav>', page, re.S)
    assert contents is None or "我的机构" not in contents.group(0)
    # Mentors and notices have no verdict.
    assert "data-portal-verdicts" not in renderer.record(catalogue.mentors["example-a"]).html


def test_the_province_file_lists_a_provinces_newest_notices_and_open_calls(tmp_path):
    records = {}
    for n in range(LATEST + 2):
        records[f"policies/hu-nan-{n}.yaml"] = textwrap.dedent(f"""\
            title: 湖南通知{n}
            issuers: [湖南省卫生健康委]
            region: 湖南
            published: 2024-03-{n + 1:02d}
            """)
    records["policies/hu-nan-yi-jian.yaml"] = textwrap.dedent("""\
        title: 湖南征求意见稿
        issuers: [湖南省医疗保障局]
        region: 湖南
        published: 2024-02-01
        kind: 征求意见稿
        comment_deadline: 2024-04-08
        """)
    records["policies/hu-nan-jie-shu.yaml"] = textwrap.dedent("""\
        title: 湖南已结束的征求意见稿
        issuers: [湖南省医疗保障局]
        region: 湖南
        published: 2024-01-01
        kind: 征求意见稿
        comment_deadline: 2024-02-08
        """)
    catalogue = build_catalogue(write_data(tmp_path / "data", records), DAY)
    news = province_news(catalogue)
    assert set(news) == set(catalogue.vocab.provinces) and "全国" not in news
    hunan = news["湖南"]
    assert [i["title"] for i in hunan["latest"]] == [f"湖南通知{n}" for n in range(LATEST + 1, 1, -1)]
    assert [i["title"] for i in hunan["consulting"]] == ["湖南征求意见稿"]
    assert hunan["consulting"][0]["date"] == "2024-04-08"
    assert hunan["listing"] == routes.facet_url("policies", "region", "湖南")
    assert news["北京"]["latest"] == []


def test_the_built_site_has_the_facility_page_and_the_province_file(built_site):
    page = (built_site / routes.content_page("my-facility") / "index.html").read_text(encoding="utf-8")
    for level in build_catalogue(ROOT / "data", DAY).vocab.values("technology.levels"):
        assert f'value="{level}"' in page
    assert "不会发送" in page
    data = json.loads((built_site / routes.PROVINCE_NEWS).read_text(encoding="utf-8"))
    assert data["provinces"]["湖南"]["consulting"], "湖南's call for comments of 2024-03 is open on the build day"
