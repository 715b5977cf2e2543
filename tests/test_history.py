"""Change history from git: shown when there is history, silent when there is none."""

from __future__ import annotations

import datetime as dt
import subprocess

from portal.catalogue import build_catalogue
from portal.history import load_history
from portal.render.pages import Renderer
from conftest import write_data

DAY = dt.date(2024, 3, 28)


def git(cwd, *args, date="2024-03-20T10:00:00+08:00"):
    env = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, "GIT_AUTHOR_NAME": "维护者",
           "GIT_AUTHOR_EMAIL": "m@example.invalid", "GIT_COMMITTER_NAME": "维护者",
           "GIT_COMMITTER_EMAIL": "m@example.invalid", "PATH": "/usr/bin:/bin"}
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def test_pages_tell_readers_what_changed_not_the_commit_messages(tmp_path):
    data = write_data(tmp_path / "data")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "Initial import of records")
    policy = data / "policies" / "2024-zhong-yi-yao.yaml"
    policy.write_text(policy.read_text(encoding="utf-8") + "keywords: [适宜技术]\n", encoding="utf-8")
    git(tmp_path, "commit", "-qam", "portal: add keywords (fix #12)", date="2024-03-27T23:30:00+00:00")
    # A comment and the order of fields are nothing a reader sees: no entry, no new date.
    text = policy.read_text(encoding="utf-8")
    policy.write_text("# 维护者的备注\n" + text.replace("region: 全国\n", "") + "region: 全国\n", encoding="utf-8")
    git(tmp_path, "commit", "-qam", "Reformat", date="2024-03-28T10:00:00+08:00")
    tech = data / "technologies" / "ai-jiu.yaml"
    tech.write_text(tech.read_text(encoding="utf-8") + "example: true\n", encoding="utf-8")
    git(tmp_path, "commit", "-qam", "mark example", date="2024-03-21T10:00:00+08:00")

    history = load_history(data)
    catalogue = build_catalogue(data, DAY)
    renderer = Renderer(catalogue, history)
    page = renderer.record(catalogue.policies["2024-zhong-yi-yao"]).html
    section = page[page.index('<h2 id="history">'):]
    # 23:30 UTC is the next day in China.
    assert "最后更新：<time datetime=\"2024-03-28\">2024年3月28日</time>" in section
    assert "补充了关键字" in section and "新增本条记录" in section
    assert section.count("<li>") == 2
    for message in ("Initial import", "portal:", "fix #12", "Reformat"):
        assert message not in page
    tech_page = renderer.record(catalogue.technologies["ai-jiu"]).html
    assert "标明示例记录" in tech_page
    assert "mark example" not in tech_page
    home = renderer.home()
    assert home.index("关于推广中医药适宜技术的通知") < home.index("艾灸")
    assert "最近更新的记录" in home

    # An uncommitted edit is said to be one, not dated: the page of the edited
    # record shows the edit, says it is not committed, and its last update is
    # still the last commit's (not the day of the edit or of the build).
    tech = data / "technologies" / "ai-jiu.yaml"
    tech.write_text(tech.read_text(encoding="utf-8").replace("灸法", "温灸"), encoding="utf-8")
    history = load_history(data)
    assert history.is_uncommitted("technologies", "ai-jiu")
    assert not history.is_uncommitted("policies", "2024-zhong-yi-yao")
    edited = build_catalogue(data, DAY)
    renderer = Renderer(edited, history)
    page = renderer.record(edited.technologies["ai-jiu"]).html
    assert "温灸" in page and "灸法" not in page
    section = page[page.index('<h2 id="history">'):]
    section = section[:section.index("</ul>")]
    assert "尚未提交的本地修改" in section
    assert "最后更新：<time datetime=\"2024-03-21\">2024年3月21日</time>" in section
    assert "新增本条记录" in section
    assert "2024-03-28" not in section and "2024年3月28日" not in section
    assert "尚未提交" not in renderer.record(edited.policies["2024-zhong-yi-yao"]).html


def test_without_git_nothing_is_claimed(tmp_path):
    data = write_data(tmp_path / "data")
    history = load_history(data)
    assert history.changes == {}
    catalogue = build_catalogue(data, DAY)
    renderer = Renderer(catalogue, history)
    assert "更新记录" not in renderer.record(catalogue.technologies["ai-jiu"]).html
    assert "最近更新" not in renderer.home()


def test_a_change_is_told_by_the_fields_a_reader_sees():
    from portal.history import _new_record, describe

    due = dt.date(2026, 9, 1)
    assert describe("technologies", {"name": "甲", "indications": ["a"]},
                    {"name": "甲", "indications": ["b"], "review_due": due}) == "修改了适应证；补充了评估到期日"
    assert describe("technologies", {"name": "甲", "stage": "推广"}, {"name": "甲"}) == "删去了推广阶段"
    assert describe("mentors", {"name": "甲", "example": True}, {"name": "甲"}) == "不再标明示例记录"
    assert describe("mentors", {"name": "甲"}, {"name": "甲", "unknown": 1}) is None  # nothing a reader sees
    assert describe("policies", None, {"source": {"title": "汇编"}}) == "收录自《汇编》"
    assert describe("technologies", None, {}) == "新增本条记录"
    # A new notice's source is read from its file without parsing the rest of it.
    text = "title: 通知\nsource:\n  page: 3\n  title: '汇编 第3期'\nbody: |\n  正文\n".encode()
    assert _new_record("policies", text) == {"source": {"title": "汇编 第3期"}}
    assert _new_record("policies", b"title: x\n") == {} and _new_record("technologies", text) == {}
