"""自上次联网以来: a reader who follows a province and a topic and saved one region's
notices comes back after the site was rebuilt with changes, and the digest lists
exactly the changes that concern them. The records live in a git repository, as
on the real site: the change file dates each change by its commit."""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import socketserver
import subprocess
import textwrap
import threading

import pytest

from conftest import run_portal, write_data
from portal import routes
from portal.catalogue import build_catalogue
from portal.history import load_history
from portal.outputs.changes import change_manifest
from portal.routes import RouteTable
from test_offline import _Quiet, first_visit, poll

# The second build is "today" in China, as the reader's browser counts days.
T2 = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=8)).date()
T1 = T2 - dt.timedelta(days=3)


def tech(name, stage, levels, review_due, **extra) -> str:
    lines = [f"name: {name}", "summary: 一项技术。", "management_class: 一般", f"levels: {json.dumps(levels, ensure_ascii=False)}",
             f"stage: {stage}", f"review_due: {review_due.isoformat()}", "sources:", "  - title: 某技术规范",
             "entry_sources:", "  - title: 推广组评估报告"]
    lines += [f"{k}: {v}" for k, v in extra.items()]
    return "\n".join(lines) + "\n"


def notice(title, region, published, **extra) -> str:
    text = f"title: {title}\nissuers: [某卫生健康委]\nregion: {region}\npublished: {published.isoformat()}\n"
    return text + "".join(f"{k}: {v}\n" for k, v in extra.items())


BEFORE = {
    "technologies/jia.yaml": tech("甲技术", "推广", ["县级医院"], T2 + dt.timedelta(days=400)),
    "technologies/yi.yaml": tech("乙技术", "推广", ["县级医院"], T2 + dt.timedelta(days=400)),
    "technologies/bing.yaml": tech("丙技术", "推广", ["村卫生室"], T2 + dt.timedelta(days=400)),
    "technologies/ding.yaml": tech("丁技术", "评估", ["县级医院"], T1 - dt.timedelta(days=10)),
    "policies/bei-jing-old.yaml": notice("北京旧通知", "北京", T1 - dt.timedelta(days=20)),
    "policies/hu-nan-old.yaml": notice("湖南旧通知", "湖南", T1 - dt.timedelta(days=20),
                                       deadlines=f"[{{date: {(T2 + dt.timedelta(days=20)).isoformat()}, label: 申报截止}}]"),
}
AFTER = {
    "technologies/jia.yaml": BEFORE["technologies/jia.yaml"].replace("stage: 推广", "stage: 退出")
    + "exit_reason: 已有更安全的替代技术\nsuccessor: yi\n",
    "technologies/bing.yaml": BEFORE["technologies/bing.yaml"].replace("stage: 推广", "stage: 退出")
    + "exit_reason: 不再推荐\n",
    "technologies/ding.yaml": tech("丁技术", "推广", ["县级医院"], T2 + dt.timedelta(days=700)),
    "policies/hu-nan-new.yaml": notice("湖南新通知", "湖南", T2 - dt.timedelta(days=1)),
    "policies/hu-nan-yi-jian.yaml": notice("湖南征求意见稿", "湖南", T2, kind="征求意见稿",
                                           comment_deadline=(T2 + dt.timedelta(days=5)).isoformat()),
    "policies/shang-hai-tcm.yaml": notice("上海中医药通知", "上海", T2, topics="[中医药]"),
    "policies/bei-jing-new.yaml": notice("北京新通知", "北京", T2),
    "policies/shang-hai-other.yaml": notice("上海医保通知", "上海", T2, topics="[医保政策]", kind="征求意见稿",
                                            comment_deadline=(T2 + dt.timedelta(days=3)).isoformat()),
}
# What the reader follows or saved, and what of AFTER concerns them.
EXPECTED = {
    "digest-notices": {"湖南新通知", "湖南征求意见稿", "上海中医药通知", "北京新通知"},
    "digest-withdrawn": {"甲技术"},
    "digest-reviewed": {"丁技术"},
    "digest-deadlines": {"湖南征求意见稿"},
}


def commit(repo, day: dt.date, message: str):
    stamp = f"{day.isoformat()}T10:00:00+08:00"
    env = {**os.environ, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp, "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True, env=env)
    subprocess.run(["git", "-C", str(repo), "commit", "-q", "-m", message], check=True, env=env)


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    repo = tmp_path_factory.mktemp("digest")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    data = write_data(repo / "data", {k: textwrap.dedent(v) for k, v in BEFORE.items()})
    commit(repo, T1 - dt.timedelta(days=2), "records")
    return repo, data


def update(repo, data):
    for name, text in AFTER.items():
        (data / name).write_text(text, encoding="utf-8")
    commit(repo, T2, "changes")


def test_the_change_file_dates_changes_by_their_commits(tmp_path):
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    data = write_data(repo / "data", dict(BEFORE))
    commit(repo, T1 - dt.timedelta(days=2), "records")
    update(repo, data)
    catalogue = build_catalogue(data, T2)
    manifest = change_manifest(catalogue, load_history(data), RouteTable.build(catalogue))
    assert manifest["generated"] == T2.isoformat() and manifest["dated_by_history"]
    new = {n["t"]: n for n in manifest["notices"]}
    # Every notice is within the window; the new ones on the day of their commit.
    assert new["湖南新通知"]["d"] == T2.isoformat() and new["北京旧通知"]["d"] == (T1 - dt.timedelta(days=2)).isoformat()
    assert new["北京新通知"]["g"] == routes.offline_region_group("北京")
    events = {(t["t"], t["k"]) for t in manifest["technologies"]}
    assert events == {("甲技术", "withdrawn"), ("丙技术", "withdrawn"), ("丁技术", "reviewed")}
    withdrawn = next(t for t in manifest["technologies"] if t["t"] == "甲技术")
    assert withdrawn["s"] == {"t": "乙技术", "u": routes.record("technologies", "yi")}
    assert withdrawn["x"] == "已有更安全的替代技术"
    reviewed = next(t for t in manifest["technologies"] if t["t"] == "丁技术")
    assert reviewed["next"] == (T2 + dt.timedelta(days=700)).isoformat()
    # Deadlines up to three weeks ahead; the 湖南 call's 申报截止 is 20 days away.
    assert {(d["t"], d["l"]) for d in manifest["deadlines"]} == {
        ("湖南征求意见稿", "意见反馈截止"), ("上海医保通知", "意见反馈截止"), ("湖南旧通知", "申报截止")}


def test_without_history_notices_count_from_publication_and_technologies_are_not_guessed(tmp_path):
    data = write_data(tmp_path / "data", {**BEFORE, **AFTER})
    catalogue = build_catalogue(data, T2)
    manifest = change_manifest(catalogue, load_history(data), RouteTable.build(catalogue))
    assert not manifest["dated_by_history"]
    assert {n["t"]: n["d"] for n in manifest["notices"]}["湖南新通知"] == (T2 - dt.timedelta(days=1)).isoformat()
    assert manifest["technologies"] == []


@pytest.mark.browser
def test_a_reader_back_online_sees_exactly_what_changed_for_them(browser, repo):
    repo_dir, data = repo
    site = repo_dir / "site"
    result = run_portal("build", "--data", str(data), "--today", T1.isoformat(), "--site-dir", str(site))
    assert result.returncode == 0, result.stderr
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    context = browser.new_context(service_workers="allow")
    try:
        page = first_visit(context, base)
        page.evaluate("localStorage.setItem('portal-facility', JSON.stringify("
                      "{level: '县级医院', region: '湖南', topics: ['中医药']}))")
        page.goto(base + "/" + routes.facet_url("policies", "region", "北京"))
        box = page.locator(f"[data-offline-key='{routes.offline_region_group('北京')}']")
        box.locator("button").wait_for(timeout=15000)
        box.locator("button").click()
        box.locator("text=已离线保存").wait_for(timeout=60000)
        old = page.evaluate("window.PORTAL_BUILD")
        # Nothing has changed since this first visit.
        page.goto(base + "/updates/")
        page.locator("#portal-digest-summary", has_text="没有变化").wait_for(timeout=15000)

        update(repo_dir, data)
        result = run_portal("build", "--data", str(data), "--today", T2.isoformat(), "--site-dir", str(site))
        assert result.returncode == 0, result.stderr

        page.goto(base + "/")
        poll(page, f"() => window.PORTAL_BUILD !== {old!r}")
        note = page.locator(".portal-digest-note")
        note.wait_for(timeout=15000)
        total = sum(len(titles) for titles in EXPECTED.values())
        assert f"有 {total} 项变化" in note.inner_text()
        note.locator("a").click()
        page.locator("#portal-digest-summary", has_text=f"有 {total} 项变化").wait_for(timeout=15000)
        for section, titles in EXPECTED.items():
            shown = page.locator(f"#{section} .portal-item__title").all_inner_texts()
            assert sorted(shown) == sorted(titles), section
        withdrawn = page.locator("#digest-withdrawn li").inner_text()
        assert "已有更安全的替代技术" in withdrawn and "乙技术" in withdrawn
        assert "还有 5 天" in page.locator("#digest-deadlines li").inner_text()
        # Read: other pages stop pointing here until the next build.
        page.goto(base + "/")
        page.wait_for_timeout(500)
        assert page.locator(".portal-digest-note").count() == 0
    finally:
        context.close()
        server.shutdown()
        server.server_close()
