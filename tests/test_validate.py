"""Loader and validator: one test per kind of error a maintainer can make."""

from __future__ import annotations

import datetime as dt
import re
import textwrap

import pytest

from portal.catalogue import CatalogueError, build_catalogue
from conftest import MINIMAL, replace_text as replace, run_portal, today, write_data

LINE = re.compile(r"^(?P<path>[^\s:]+\.yaml):(?P<line>\d+): (?P<field>[\w\[\].-]+): (?P<message>.+)$")


def problems_for(tmp_path, changes: dict[str, str], drop=()) -> list[str]:
    records = dict(MINIMAL)
    records.update(changes)
    data = write_data(tmp_path / "data", records, drop=drop)
    with pytest.raises(CatalogueError) as info:
        build_catalogue(data, today())
    return [str(p) for p in info.value.problems]




def only(problems: list[str], pattern: str) -> str:
    hits = [p for p in problems if re.search(pattern, p)]
    assert len(hits) == 1, problems
    assert LINE.match(hits[0]), hits[0]
    return hits[0]


def test_minimal_data_is_valid(data_dir):
    catalogue = build_catalogue(data_dir, today())
    assert set(catalogue.technologies) == {"ai-jiu", "old-tech"}
    assert set(catalogue.mentors) == {"example-a"}


def test_yaml_syntax_error_names_the_line(tmp_path):
    found = problems_for(tmp_path, replace("technologies/ai-jiu.yaml", "category: 治疗", "category: [治疗"))
    hit = only(found, r"ai-jiu\.yaml:\d+: yaml: YAML 语法错误")
    assert int(LINE.match(hit)["line"]) >= 5


def test_wrong_type(tmp_path):
    found = problems_for(tmp_path, replace("technologies/ai-jiu.yaml", "stage: 推广", "stage: 推广\ntraining_hours: 十二"))
    assert "ai-jiu.yaml:9: training_hours: 应为整数，实际为 “十二”" in only(found, "training_hours")


def test_missing_required_field(tmp_path):
    found = problems_for(tmp_path, replace("technologies/ai-jiu.yaml", "summary: 用艾绒燃烧的温热刺激穴位。\n", ""))
    assert "ai-jiu.yaml:1: summary: 缺少必填字段" in only(found, "summary")


def test_unknown_field_with_suggestion(tmp_path):
    found = problems_for(tmp_path, replace("technologies/ai-jiu.yaml", "aliases:", "aliasses:"))
    hit = only(found, "aliasses")
    assert "ai-jiu.yaml:2: aliasses: 未知字段" in hit and "是否想输入“aliases”" in hit


def test_vocabulary_value_with_suggestion(tmp_path):
    found = problems_for(tmp_path, replace("technologies/ai-jiu.yaml", "levels: [村卫生室, 乡镇卫生院]", "levels: [村卫生室, 乡镇卫生所]"))
    hit = only(found, "levels")
    assert "ai-jiu.yaml:7: levels[1]: “乡镇卫生所” 不在受控词表" in hit and "是否想输入“乡镇卫生院”" in hit


def test_impossible_date(tmp_path):
    found = problems_for(tmp_path, replace("technologies/ai-jiu.yaml", "warehoused: 2022-05-01", "warehoused: 2024-02-30"))
    assert "ai-jiu.yaml:9: warehoused: 日期 2024-02-30 不存在" in only(found, "warehoused")


def test_date_in_wrong_format(tmp_path):
    found = problems_for(tmp_path, replace("technologies/ai-jiu.yaml", "warehoused: 2022-05-01", "warehoused: 2022年5月1日"))
    assert "warehoused: 应为日期 YYYY-MM-DD" in only(found, "warehoused")


def test_id_must_match_pattern(tmp_path):
    records = {"technologies/Ai_Jiu.yaml": MINIMAL["technologies/ai-jiu.yaml"]}
    found = problems_for(tmp_path, records)
    assert "Ai_Jiu.yaml:1: id: 文件名“Ai_Jiu”不是合法的记录编号" in only(found, "Ai_Jiu")


def test_reserved_id_refused(tmp_path):
    found = problems_for(tmp_path, {"policies/by.yaml": MINIMAL["policies/2024-zhong-yi-yao.yaml"]})
    assert "by.yaml:1: id: “by”是站点保留的路径" in only(found, "by.yaml")


def test_dangling_relation_with_suggestion(tmp_path):
    found = problems_for(tmp_path, replace("mentors/example-a.yaml", "technologies: [ai-jiu]", "technologies: [ai-jiuu]"))
    hit = only(found, "technologies")
    assert "example-a.yaml:6: technologies[0]: 找不到技术资料“ai-jiuu”" in hit and "是否想输入“ai-jiu”" in hit


def test_dangling_relation_without_near_miss(tmp_path):
    found = problems_for(tmp_path, replace("technologies/ai-jiu.yaml", "policies: [2024-zhong-yi-yao]", "policies: [nothing-like-it]"))
    hit = only(found, "policies")
    assert "找不到政策通知“nothing-like-it”" in hit and "是否想输入" not in hit


def test_prohibited_technology_refused(tmp_path):
    found = problems_for(tmp_path, replace("technologies/ai-jiu.yaml", "management_class: 一般", "management_class: 禁止类"))
    hit = only(found, "management_class")
    assert "ai-jiu.yaml:6: management_class: “禁止类”医疗技术不得发布" in hit


def test_tier_must_belong_to_track(tmp_path):
    found = problems_for(tmp_path, replace("mentors/example-a.yaml", "tier: 名老中医", "tier: 资深专家"))
    hit = only(found, "tier")
    assert "example-a.yaml:4: tier: 层级“资深专家”不属于传统医学类传承人" in hit


def test_exit_requires_reason(tmp_path):
    found = problems_for(tmp_path, replace("technologies/old-tech.yaml", "exit_reason: 已有更安全的替代技术\n", ""))
    assert "old-tech.yaml:3: exit_reason: 推广阶段为“退出”的技术必须填写 exit_reason" in only(found, "exit_reason")


def test_sources_need_at_least_one(tmp_path):
    text = textwrap.dedent(MINIMAL["technologies/old-tech.yaml"]).replace(
        "sources:\n  - title: 推广组评估报告\nentry_sources:", "sources: []\nentry_sources:")
    found = problems_for(tmp_path, {"technologies/old-tech.yaml": text})
    assert "old-tech.yaml:7: sources: 至少需要 1 项" in only(found, " sources:")


def test_verified_date_after_the_build_date_is_an_error(tmp_path):
    """核验日期 says a maintainer checked the facts on that day: a day still to come cannot be."""
    future = replace("technologies/ai-jiu.yaml", "sources:", "verified: 2024-03-29\nsources:")
    hit = only(problems_for(tmp_path, future), "verified")
    assert hit.endswith("ai-jiu.yaml:12: verified: 核验日期 2024-03-29 晚于统计日期 2024-03-28："
                        "只填写已经对照信息来源核对过的日期 [date-in-future]")
    # The build date itself (and any day before) is fine; the rule follows --today.
    data = write_data(tmp_path / "ok", {**MINIMAL, **future})
    assert build_catalogue(data, today() + dt.timedelta(days=1)).technologies["ai-jiu"].data["verified"] == \
        dt.date(2024, 3, 29)
    result = run_portal("validate", "--data", str(data), "--today", "2024-03-28")
    assert result.returncode == 1 and "ai-jiu.yaml:12: verified: 核验日期 2024-03-29 晚于统计日期" in result.stderr
    assert [l for l in result.stderr.splitlines() if ".yaml:" in l and LINE.match(l)]


def test_duplicate_key(tmp_path):
    found = problems_for(tmp_path, replace("technologies/ai-jiu.yaml", "stage: 推广", "stage: 推广\nstage: 入库"))
    assert "ai-jiu.yaml:9: stage: 字段重复出现" in only(found, "stage")


def test_self_reference_and_cycle(tmp_path):
    found = problems_for(tmp_path, {
        **replace("technologies/old-tech.yaml", "successor: ai-jiu", "successor: old-tech"),
        **replace("technologies/ai-jiu.yaml", "stage: 推广", "stage: 推广\nsuccessor: ai-jiu-2"),
        "technologies/ai-jiu-2.yaml": textwrap.dedent(MINIMAL["technologies/ai-jiu.yaml"]).replace(
            "stage: 推广", "stage: 推广\nsuccessor: ai-jiu"),
    })
    assert "old-tech.yaml:5: successor: 记录不能引用自身" in only(found, "old-tech.*自身")
    assert "形成循环引用：ai-jiu → ai-jiu-2 → ai-jiu" in only(found, "循环")


def test_lone_value_where_list_expected(tmp_path):
    found = problems_for(tmp_path, replace("policies/2024-zhong-yi-yao.yaml", "topics: [中医药]", "topics: 中医药"))
    assert "topics: 应为列表" in only(found, "topics")


def test_file_not_utf8(tmp_path):
    data = write_data(tmp_path / "data")
    (data / "technologies" / "gbk.yaml").write_bytes("name: 艾灸\n".encode("gbk"))
    with pytest.raises(CatalogueError) as info:
        build_catalogue(data, today())
    assert any("gbk.yaml:1: encoding: 文件不是 UTF-8 编码" in str(p) for p in info.value.problems)


def test_every_error_is_reported_at_once(tmp_path):
    found = problems_for(tmp_path, {
        **replace("technologies/ai-jiu.yaml", "category: 治疗", "category: 手术"),
        **replace("mentors/example-a.yaml", "region: 四川", "region: 四川省"),
        **replace("policies/2024-zhong-yi-yao.yaml", "published: 2024-01-10", "published: 2024-13-10"),
    })
    assert len(found) == 3, found
    assert all(LINE.match(p) for p in found)


def test_cli_validate_reports_and_exits_1(tmp_path):
    data = write_data(tmp_path / "data", {**MINIMAL, **replace("mentors/example-a.yaml", "tier: 名老中医", "tier: 院士")})
    result = run_portal("validate", "--data", str(data))
    assert result.returncode == 1
    lines = [l for l in result.stderr.splitlines() if ".yaml:" in l]
    assert lines and all(LINE.match(l) for l in lines), result.stderr
    assert "example-a.yaml:4: tier:" in result.stderr


def test_cli_validate_passes_on_repository_content():
    result = run_portal("validate")
    assert result.returncode == 0, result.stderr
    assert "校验通过" in result.stdout


def test_policy_bodies_keep_published_telephone_numbers(tmp_path):
    data = write_data(tmp_path / "data")
    path = data / "policies" / "2024-zhong-yi-yao.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "body: |\n  联系人：办公室 029-82230561，13991136097\n", encoding="utf-8")
    assert build_catalogue(data, today()).policies["2024-zhong-yi-yao"]


def test_resident_id_needs_a_valid_check_digit(tmp_path):
    from portal.privacy import looks_like_id_number
    assert looks_like_id_number("11010519491231002X") and not looks_like_id_number("110105194912310021")
    # A number of the same shape with a wrong check digit (an order number, say) is not refused.
    records = {**MINIMAL, **replace("technologies/ai-jiu.yaml", "summary: 用艾绒燃烧的温热刺激穴位。",
                                    "summary: 订单 110105194912310021")}
    data = write_data(tmp_path / "data", records)
    assert build_catalogue(data, today()).technologies["ai-jiu"]
