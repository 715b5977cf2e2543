"""What a record knows from a source, and what is only illustrative (示例), as a reader sees it.

A technology's reference facts (name, class, indications …) come with sources; its
warehouse entry (入库日期, 推广阶段, 评估 …) is either sourced too or marked 示例, and
then every place that shows it says so: the page, listings, search results, feeds, API.
"""

from __future__ import annotations

import re

from portal.catalogue import build_catalogue
from portal.render.pages import Renderer
from portal.render.listings import listing_pages
from portal.search_docs import record_document
from conftest import MINIMAL, today, write_data

REFERENCE_ONLY = """\
    name: 质子治疗
    summary: 加速器放射治疗。
    management_class: 限制类
    levels: [二级及以上医院]
    sources:
      - title: 国家限制类技术目录
    """


def catalogue(tmp_path, extra=None):
    return build_catalogue(write_data(tmp_path / "data", {**MINIMAL, **(extra or {})}), today())


def test_an_illustrative_entry_is_marked_on_its_page(tmp_path):
    cat = catalogue(tmp_path)
    html = Renderer(cat).record(cat.technologies["ai-jiu"]).html
    assert "portal-banner--example" in html and "演示用的虚构数据" in html
    entry = html[html.index('id="entry"'):]
    assert "示例" in entry[:200] and "入库日期" in entry and "2022年5月1日" in entry
    # The reference facts come before the entry and are not marked.
    facts = html[:html.index('id="entry"')]
    assert "<dt>入库日期</dt>" not in facts and "<dt>推广阶段</dt>" not in facts


def test_a_sourced_entry_is_not_marked_and_names_its_source(tmp_path):
    cat = catalogue(tmp_path)
    html = Renderer(cat).record(cat.technologies["old-tech"]).html
    own = html[:html.index('id="iteration"')]  # below: its successor, whose entry is illustrative
    assert "portal-banner--example" not in own and "portal-tag--example" not in own
    assert "入库信息来源" in own and "推广组评估报告" in own
    assert re.search(r"艾灸</a>.*?portal-tag--example", html[html.index('id="iteration"'):], re.S)


def test_reference_facts_only_show_no_promotion_status(tmp_path):
    cat = catalogue(tmp_path, {"technologies/zhi-liao.yaml": REFERENCE_ONLY})
    rec = cat.technologies["zhi-liao"]
    html = Renderer(cat).record(rec).html
    assert rec.status is None
    assert 'id="entry"' not in html and 'class="portal-badge ' not in html
    assert 'id="filing"' in html and "开展首例临床应用之日起15个工作日内" in html


def test_listings_and_related_links_mark_illustrative_records(tmp_path):
    cat = catalogue(tmp_path, {"technologies/zhi-liao.yaml": REFERENCE_ONLY})
    renderer = Renderer(cat)
    listing = renderer.listing(listing_pages(cat, "technologies")[0]).html
    items = dict(re.findall(r'href="[^"]*technologies/([a-z-]+)/"(.*?)</li>', listing, re.S))
    assert "portal-tag--example" in items["ai-jiu"] and "入库（示例）" in items["ai-jiu"]
    assert "portal-tag--example" not in items["old-tech"] and "portal-tag--example" not in items["zhi-liao"]
    policy = renderer.record(cat.policies["2024-zhong-yi-yao"]).html
    related = policy[policy.index('id="technologies"'):]
    assert re.search(r"艾灸</a>.*?portal-tag--example", related, re.S)


def test_search_results_say_an_entry_date_is_illustrative(tmp_path):
    cat = catalogue(tmp_path)
    # A result shows no illustrative entry date, and says when a whole record is illustrative.
    assert "2022" not in dict(record_document(cat.technologies["ai-jiu"]).meta)["facts"]
    assert "示例" not in dict(record_document(cat.technologies["old-tech"]).meta)
    assert dict(record_document(cat.mentors["example-a"]).meta)["示例"] == "1"


def test_home_counts_do_not_present_examples_as_real(tmp_path):
    cat = catalogue(tmp_path)
    home = Renderer(cat).home()
    assert "<strong>2</strong><span>项技术资料</span><small>其中 1 项的入库信息为示例" in home
    assert "<strong>1</strong><span>位示例传承人</span>" in home
