"""A full build of the repository's content as of 2024-03-28, checked file by file."""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

from portal.catalogue import build_catalogue
from conftest import MINIMAL, ROOT, page_links, replace_text, run_portal, today, write_data


def record_ids(collection: str) -> list[str]:
    return sorted(p.stem for p in (ROOT / "data" / collection).glob("*.yaml"))


def load(collection: str, record_id: str) -> dict:
    return yaml.safe_load((ROOT / "data" / collection / f"{record_id}.yaml").read_text(encoding="utf-8"))


def page(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def test_every_record_has_a_page(built_site):
    for collection in ("technologies", "mentors", "policies"):
        ids = record_ids(collection)
        assert ids, collection
        for record_id in ids:
            assert (built_site / collection / record_id / "index.html").is_file(), (collection, record_id)


def test_listings_search_index_and_language(built_site):
    for url in ("", "technologies/", "mentors/", "policies/", "about/", "process/", "mentorship/", "management-classes/"):
        assert (built_site / url / "index.html").is_file(), url
    assert (built_site / "pagefind" / "pagefind.js").is_file()
    assert (built_site / "pagefind" / "pagefind-ui.js").is_file()
    # One index of documents already split into characters, which the browser's
    # Pagefind uses for the zh pages since it is the only one.
    entry = json.loads((built_site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert list(entry["languages"]) == ["und"]
    assert list((built_site / "pagefind").glob("pagefind.und_*.pf_meta"))
    for html_file in built_site.rglob("*.html"):
        if "pagefind" in html_file.parts:
            continue
        head = html_file.read_text(encoding="utf-8")[:400]
        # The language with its script's region: a screen reader picks Mandarin in Simplified Chinese.
        assert '<html lang="zh-CN"' in head, html_file


def test_internal_links_and_anchors_resolve(built_site):
    broken = []
    ids: dict[Path, set] = {}

    def anchors(path: Path) -> set:
        if path not in ids:
            ids[path] = set(page_links(path).ids) if path.suffix == ".html" else set()
        return ids[path]

    pages = [p for p in built_site.rglob("*.html") if "pagefind" not in p.parts]
    assert len(pages) > 100
    for html_file in pages:
        links = page_links(html_file)
        for href in links.hrefs + links.loads:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith("mailto:") or href == "#":
                continue
            if parts.path:
                # Root-relative links (the 404 page's) count from the site root.
                base = "" if parts.path.startswith("/") else html_file.parent.relative_to(built_site).as_posix()
                target = posixpath.normpath(posixpath.join(base, unquote(parts.path).lstrip("/")))
                path = built_site / target
                if path.is_dir():
                    path = path / "index.html"
            else:
                path = html_file
            if not path.exists():
                broken.append(f"{html_file.relative_to(built_site)} → {href}")
            elif parts.fragment and not parts.fragment.startswith("__") and unquote(parts.fragment) not in anchors(path):
                broken.append(f"{html_file.relative_to(built_site)} → {href} (no such anchor)")
    assert not broken, broken[:20]


def test_no_page_loads_from_another_host(built_site):
    for html_file in built_site.rglob("*.html"):
        for src in page_links(html_file).loads:
            assert not urlsplit(src).netloc, (html_file, src)


def test_technology_page_lists_mentors_and_policies(built_site):
    for mentor_id in record_ids("mentors"):
        mentor = load("mentors", mentor_id)
        for tech_id in mentor.get("technologies") or []:
            assert f'href="../../mentors/{mentor_id}/"' in page(built_site, f"technologies/{tech_id}"), (tech_id, mentor_id)
    for tech_id in record_ids("technologies"):
        for policy_id in load("technologies", tech_id).get("policies") or []:
            assert f'href="../../technologies/{tech_id}/"' in page(built_site, f"policies/{policy_id}")


def test_pages_show_chinese_dates_and_statuses(built_site):
    assert "2024年3月27日" in page(built_site, "policies/2024-quan-mian-tui-jin-jin-mi-xing-xian-yu-yi-liao-wei-sheng")
    # Demonstration mentors are marked, and enrollment deadlines are judged at the build date.
    for mentor_id in record_ids("mentors"):
        mentor = load("mentors", mentor_id)
        html = page(built_site, f"mentors/{mentor_id}")
        assert mentor.get("example") is True and "portal-banner--example" in html and "示例" in html
        deadline = (mentor.get("enrollment") or {}).get("deadline")
        if mentor["enrollment"]["status"] == "招收中" and deadline:
            expected = "招收已截止" if deadline.isoformat() < "2024-03-28" else "招收中"
            assert expected in html, mentor_id
    for tech_id in record_ids("technologies"):
        tech = load("technologies", tech_id)
        html = page(built_site, f"technologies/{tech_id}")
        if tech.get("review_due") and tech["review_due"].isoformat() < "2024-03-28" and tech.get("stage") != "退出":
            assert "评估中，仍可按规范开展" in html, tech_id
        assert "禁止类" != tech.get("management_class")


def test_policy_listing_is_newest_first_and_faceted(built_site):
    listing = page(built_site, "policies")
    dates = [m for m in re.findall(r'<time datetime="(\d{4}-\d{2}-\d{2})"', listing)]
    assert dates and dates == sorted(dates, reverse=True)
    assert 'href="by/region/陕西/"' in listing
    shaanxi = page(built_site, "policies/by/region/陕西")
    assert "国家标准化试点项目" in shaanxi and "医保骗保" not in shaanxi


def test_record_pages_stay_out_of_the_nav(built_site):
    home = page(built_site, "")
    assert 'href="technologies/"' in home
    for tech_id in record_ids("technologies"):
        assert f"technologies/{tech_id}/" not in home.split("<main", 1)[0]


def test_home_page_has_counts_latest_and_deadlines(built_site):
    home = page(built_site, "")
    techs = build_catalogue(ROOT / "data").technologies.values()
    examples = sum(1 for t in techs if t.illustrative)
    # Counts never present an illustrative entry as a real one.
    assert re.search(rf"<strong>{len(techs)}</strong><span>项技术资料</span><small>"
                     + ("入库信息均为示例" if examples == len(techs) else f"其中 {examples} 项的入库信息为示例"), home)
    # The mentors are all fictional: the count says so rather than presenting them as real.
    assert re.search(rf"<strong>{len(record_ids('mentors'))}</strong><span>位示例传承人</span>", home)
    assert "最新政策通知" in home and "近期截止" in home
    # The nearest dates a reader acts on (comments, calls, effective dates, enrolment), in date order.
    ahead = [(d, label) for d, label, r in build_catalogue(ROOT / "data", today()).upcoming_deadlines()
             if r.collection != "technologies"][:10]
    section = home[home.index('id="deadlines"'):]
    section = section[:section.index("</ul>")]
    shown = re.findall(r'<time datetime="([\d-]+)" data-portal-relative>[^<]+</time> ([^：<]+)：', section)
    assert shown == [(d.isoformat(), label) for d, label in ahead] and any(l == "开始施行" for _d, l in shown)


def test_broken_records_build_nothing(tmp_path):
    data = write_data(tmp_path / "data", {**MINIMAL, **replace_text("mentors/example-a.yaml", "tier: 名老中医", "tier: 资深专家")})
    site = tmp_path / "site"
    result = run_portal("build", "--data", str(data), "--site-dir", str(site), "--today", "2024-03-28")
    assert result.returncode == 1
    assert "example-a.yaml:4: tier:" in result.stderr
    assert not site.exists()


def test_failed_build_leaves_previous_site_untouched(tmp_path):
    data = write_data(tmp_path / "data")
    site = tmp_path / "site"
    assert run_portal("build", "--data", str(data), "--site-dir", str(site), "--today", "2024-03-28").returncode == 0
    before = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    (data / "policies" / "2024-zhong-yi-yao.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    result = run_portal("build", "--data", str(data), "--site-dir", str(site), "--today", "2024-03-28")
    assert result.returncode == 1
    after = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert before == after
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site")]


def test_failure_while_pages_are_written_stops_pagefind(tmp_path, monkeypatch):
    """A build that fails with Pagefind running in the background leaves no indexer,
    no half-written site and no scratch documents behind, and the old site as it was."""
    import os
    import time

    import pytest

    from portal.catalogue import build_catalogue
    from portal.render import shell
    from portal.site import build_site
    from conftest import today

    data = write_data(tmp_path / "data")
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("上一版", encoding="utf-8")
    (site / ".portal-site").write_text("上一次构建", encoding="utf-8")
    memory = set(os.listdir("/dev/shm")) if os.path.isdir("/dev/shm") else set()

    def disk_full(self, *args, **kwargs):  # at once: Pagefind has only just started
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(shell.ShellWriter, "write", disk_full)
    with pytest.raises(OSError):
        build_site(build_catalogue(data, today()), site)

    def indexers() -> list[str]:
        """This process's Pagefind children (other tests may have a browser running)."""
        found = []
        for task in os.listdir(f"/proc/{os.getpid()}/task"):
            with open(f"/proc/{os.getpid()}/task/{task}/children") as f:
                for pid in f.read().split():
                    try:
                        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                            if b"pagefind" in cmdline.read():
                                found.append(pid)
                    except FileNotFoundError:
                        continue
        return found

    time.sleep(1)  # a Pagefind left running would go on writing its output
    assert indexers() == []
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")] == []
    assert (site / "index.html").read_text(encoding="utf-8") == "上一版"
    if os.path.isdir("/dev/shm"):
        assert {n for n in os.listdir("/dev/shm") if n.startswith("portal-search-")} <= memory


def test_failure_in_mkdocs_after_search_documents_started_leaves_nothing(tmp_path, monkeypatch):
    """The search documents are made from the start of MkDocs' build, in scratch
    folders; MkDocs failing before its last step removes them and keeps the old site."""
    import os

    import pytest

    from portal.catalogue import build_catalogue
    from portal.render import pages
    from portal.site import BuildError, build_site
    from conftest import today

    data = write_data(tmp_path / "data")
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("上一版", encoding="utf-8")
    (site / ".portal-site").write_text("上一次构建", encoding="utf-8")
    memory = set(os.listdir("/dev/shm")) if os.path.isdir("/dev/shm") else set()

    def broken(*args, **kwargs):
        raise ValueError("模板出错")

    # The collection pages in the nav are rendered in on_files, after the documents started.
    monkeypatch.setattr(pages.Renderer, "listing", broken)
    with pytest.raises((BuildError, ValueError)):
        build_site(build_catalogue(data, today()), site)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")] == []
    assert (site / "index.html").read_text(encoding="utf-8") == "上一版"
    if os.path.isdir("/dev/shm"):
        assert {n for n in os.listdir("/dev/shm") if n.startswith("portal-search-")} <= memory


def test_every_page_can_be_shared_with_its_title_and_description(built_site):
    """Open Graph metadata on every page: its own title and description, as a
    chat app shows a shared link; a fictional record says 示例 in it."""
    for path in built_site.rglob("*.html"):
        if "pagefind" in path.parts:
            continue
        html = path.read_text(encoding="utf-8")
        head = html[:html.index("</head>")]
        og = dict(re.findall(r'<meta property="og:(\w+)" content="([^"]*)">', head))
        description = re.search(r'<meta name="description" content="([^"]*)">', head).group(1)
        assert og["site_name"] == "卫生健康技术推广门户" and og["locale"] == "zh_CN", path
        assert og["description"] == description and og["title"], path
        title = re.search(r"<title>([^<]*)</title>", head).group(1)
        assert title.startswith(og["title"]) or og["title"] == "卫生健康技术推广门户", path
    mentor = page(built_site, f"mentors/{record_ids('mentors')[0]}")
    assert re.search(r'<meta property="og:description" content="示例：', mentor)
