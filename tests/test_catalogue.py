"""The catalogue without MkDocs: relations both ways and statuses at a build date."""

from __future__ import annotations

import datetime as dt
import re

from portal.catalogue import build_catalogue, normalize_doc_number
from portal.render.listings import listing_pages
from portal.render.pages import Renderer, generated_pages
from conftest import ROOT, today


def at(data_dir, day: str):
    return build_catalogue(data_dir, dt.date.fromisoformat(day))


def test_relations_resolved_both_ways(data_dir):
    cat = at(data_dir, "2024-03-28")
    ai_jiu = cat.technologies["ai-jiu"]
    assert [m.id for m in ai_jiu.related("mentors")] == ["example-a"]
    assert [p.id for p in ai_jiu.related("policies")] == ["2024-zhong-yi-yao"]
    assert [t.id for t in cat.policies["2024-zhong-yi-yao"].related("technologies")] == ["ai-jiu"]
    assert [t.id for t in ai_jiu.related("predecessors")] == ["old-tech"]
    assert [t.id for t in cat.technologies["old-tech"].related("successor")] == ["ai-jiu"]


def test_citations_match_doc_numbers_however_typed(data_dir):
    cat = at(data_dir, "2024-03-28")
    citing = cat.policies["2024-yi-jian-zheng-qiu"]
    resolved = {c.doc_number: (c.record.id if c.record else None) for c in citing.related("citations")}
    assert resolved == {"国中医药医政发 [2024] 1 号": "2024-zhong-yi-yao", "国卫办发〔2099〕9号": None}
    assert [p.id for p in cat.policies["2024-zhong-yi-yao"].related("cited_by")] == ["2024-yi-jian-zheng-qiu"]
    assert normalize_doc_number("医保办函 ［2024］ 14 号") == "医保办函〔2024〕14号"


def test_policy_status_follows_the_build_date(data_dir):
    assert at(data_dir, "2024-03-28").policies["2024-yi-jian-zheng-qiu"].status.label == "征求意见中"
    assert at(data_dir, "2024-04-08").policies["2024-yi-jian-zheng-qiu"].status.label == "征求意见中"
    assert at(data_dir, "2024-04-09").policies["2024-yi-jian-zheng-qiu"].status.label == "征求意见已结束"
    # Nobody said whether it is in force: the site does not claim it is.
    assert at(data_dir, "2024-03-28").policies["2024-zhong-yi-yao"].status.label == "效力未注明"


def test_policy_in_force_only_when_stated(data_dir):
    path = data_dir / "policies" / "2024-zhong-yi-yao.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "validity: 现行有效\n", encoding="utf-8")
    assert at(data_dir, "2024-03-28").policies["2024-zhong-yi-yao"].status.label == "现行有效"


def test_policy_effective_and_expiry(data_dir):
    path = data_dir / "policies" / "2024-zhong-yi-yao.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "effective: 2024-05-01\nexpires: 2026-04-30\n", encoding="utf-8")
    assert at(data_dir, "2024-03-28").policies["2024-zhong-yi-yao"].status.label == "尚未生效"
    # Within the period the text states: said so, not 现行有效.
    assert at(data_dir, "2025-01-01").policies["2024-zhong-yi-yao"].status.label == "在有效期内"
    assert at(data_dir, "2026-05-01").policies["2024-zhong-yi-yao"].status.label == "已失效"
    path.write_text(path.read_text(encoding="utf-8") + "validity: 已废止\n", encoding="utf-8")
    assert at(data_dir, "2025-01-01").policies["2024-zhong-yi-yao"].status.label == "已废止"


def test_technology_review_due_and_exit(data_dir):
    promoted = at(data_dir, "2025-05-01").technologies["ai-jiu"].status
    assert promoted.label == "推广中"
    # A review that is due is news, not a warning: the technique is still used by its rules.
    reviewing = at(data_dir, "2025-05-02").technologies["ai-jiu"].status
    assert (reviewing.label, reviewing.tone) == ("评估中", "review")
    assert reviewing.meaning.startswith("评估中，仍可按规范开展")
    assert at(data_dir, "2024-03-28").technologies["old-tech"].status.label == "已退出"
    path = data_dir / "technologies" / "ai-jiu.yaml"
    for stage, label in (("遴选", "遴选中"), ("评估", "评估中"), ("退出", "已退出")):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(text[text.index("stage:"):].split("\n")[0], f"stage: {stage}")
                        + ("exit_reason: 已由新技术替代。\n" if stage == "退出" else ""), encoding="utf-8")
        assert at(data_dir, "2025-05-01").technologies["ai-jiu"].status.label == label, stage


def test_every_state_a_record_can_reach_has_a_meaning():
    """Each value the vocabulary allows for validity and enrolment is a state
    with its own plain meaning and place on the 状态说明 page."""
    import yaml
    from portal.statuses import MODELS

    vocab = yaml.safe_load((ROOT / "data" / "vocab.yaml").read_text(encoding="utf-8"))
    for value in vocab["policy"]["validity"]:
        assert MODELS["policies"][value].meaning
    for value in vocab["mentor"]["enrollment_status"]:
        assert MODELS["mentors"][value].meaning
    anchors = [s.anchor for m in MODELS.values() for s in m.states]
    assert len(anchors) == len(set(anchors))
    labels = [s.label for m in MODELS.values() for s in m.states]
    assert len(labels) == len(set(labels))


def test_illustrative_entry_is_marked_and_reference_facts_have_no_status(data_dir):
    cat = at(data_dir, "2024-03-28")
    assert cat.technologies["ai-jiu"].illustrative == ("stage", "warehoused", "review_due")
    assert cat.technologies["old-tech"].illustrative == ()  # its entry has a source
    assert cat.mentors["example-a"].example and "name" in cat.mentors["example-a"].illustrative
    path = data_dir / "technologies" / "ref.yaml"
    path.write_text("name: 参考技术\nsummary: 只有技术资料。\nmanagement_class: 限制类\nsources:\n  - title: 甲\n",
                    encoding="utf-8")
    reference = at(data_dir, "2024-03-28").technologies["ref"]
    assert reference.status is None and not reference.has_entry and reference.illustrative == ()


def test_mentor_enrollment_deadline(data_dir):
    assert at(data_dir, "2024-03-15").mentors["example-a"].status.label == "招收中"
    assert at(data_dir, "2024-03-16").mentors["example-a"].status.label == "招收已截止"


def test_upcoming_deadlines_drop_past_dates(data_dir):
    labels = [(d.isoformat(), r.id) for d, _, r in at(data_dir, "2024-03-28").upcoming_deadlines()]
    assert ("2024-04-08", "2024-yi-jian-zheng-qiu") in labels
    assert all(d >= "2024-03-28" for d, _ in labels)
    assert ("2024-03-15", "example-a") not in labels


def test_renderers_run_without_mkdocs(data_dir):
    cat = at(data_dir, "2024-03-28")
    pages = {p.url: p for p in generated_pages(cat)}
    assert {"technologies/ai-jiu/", "mentors/example-a/", "policies/2024-zhong-yi-yao/",
            "technologies/", "mentors/", "policies/", "policies/by/region/全国/"} <= set(pages)
    mentor = pages["mentors/example-a/"].html
    assert "示例" in mentor and "portal-banner--example" in mentor
    assert "2024年3月15日" in mentor and "招收已截止" in mentor
    policy = pages["policies/2024-yi-jian-zheng-qiu/"].html
    assert "征求意见中" in policy and "2024年4月8日" in policy
    assert 'href="../2024-zhong-yi-yao/"' in policy  # the resolved citation links to the cited notice
    assert "国卫办发〔2099〕9号" in policy and "本站未收录" in policy
    home = Renderer(cat).home()
    assert "2024年4月8日" in home and "意见反馈截止" in home


def test_policy_listing_newest_first(data_dir):
    catalogue = at(data_dir, "2024-03-28")
    listing = Renderer(catalogue).listing(listing_pages(catalogue, "policies")[0]).html
    assert listing.index("关于某办法") < listing.index("关于推广中医药适宜技术的通知")


def test_markdown_body_is_sanitised(data_dir):
    path = data_dir / "policies" / "2024-zhong-yi-yao.yaml"
    path.write_text(path.read_text(encoding="utf-8") +
                    "body: |\n  一、总体要求\n\n  <script>alert(1)</script><img src=x onerror=alert(1)>"
                    " [链接](javascript:alert(1))\n", encoding="utf-8")
    html = Renderer(at(data_dir, "2024-03-28")).record(
        build_catalogue(data_dir, today()).policies["2024-zhong-yi-yao"]).html
    assert "一、总体要求" in html
    assert "<script" not in html and "onerror" not in html
    # The javascript: link may stay as inert text (CommonMark reads that line as raw HTML), never as a link.
    assert not re.search(r"""(href|src)\s*=\s*["']?\s*javascript:""", html)
