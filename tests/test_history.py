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


def test_pages_show_history_from_git(tmp_path):
    data = write_data(tmp_path / "data")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "收录首批记录")
    policy = data / "policies" / "2024-zhong-yi-yao.yaml"
    policy.write_text(policy.read_text(encoding="utf-8") + "keywords: [适宜技术]\n", encoding="utf-8")
    git(tmp_path, "commit", "-qam", "补充关键字", date="2024-03-27T23:30:00+00:00")

    history = load_history(data)
    catalogue = build_catalogue(data, DAY)
    renderer = Renderer(catalogue, history)
    page = renderer.record(catalogue.policies["2024-zhong-yi-yao"]).html
    # 23:30 UTC is the next day in China.
    assert "最后更新：<time datetime=\"2024-03-28\">2024年3月28日</time>" in page
    assert "补充关键字" in page and "收录首批记录" in page
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
    assert "最后更新：<time datetime=\"2024-03-20\">2024年3月20日</time>" in section
    assert "收录首批记录" in section
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
