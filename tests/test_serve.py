"""`portal serve`: an edited record shows up, a broken one shows its error in the page."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest

from conftest import ROOT, write_data


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def wait_for(url: str, text: str, timeout: float = 90) -> str:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        try:
            last = fetch(url)
            if text in last:
                return last
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{text!r} did not appear at {url}")


@pytest.fixture
def server(tmp_path):
    data = write_data(tmp_path / "data")
    port = free_port()
    env = dict(os.environ)
    log = open(tmp_path / "serve.log", "w", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "portal", "serve", "--data", str(data), "--today", "2024-03-28",
         "--dev-addr", f"127.0.0.1:{port}"], cwd=ROOT, env=env,
        stdout=log, stderr=subprocess.STDOUT)
    try:
        yield data, f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def test_edits_show_and_errors_are_shown_in_the_page(server):
    data, base = server
    page = base + "/technologies/ai-jiu/"
    wait_for(page, "用艾绒燃烧的温热刺激穴位")

    record = data / "technologies" / "ai-jiu.yaml"
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("用艾绒燃烧的温热刺激穴位", "艾灸：温通经络"), encoding="utf-8")
    wait_for(page, "艾灸：温通经络")

    record.write_text(text.replace("category: 治疗", "category: 手术"), encoding="utf-8")
    broken = wait_for(page, "portal-build-error")
    assert "ai-jiu.yaml:5: category:" in broken and "不在受控词表" in broken
    # The last good content is still there under the banner.
    assert "艾灸：温通经络" in broken

    record.write_text(text, encoding="utf-8")
    fixed = wait_for(page, "用艾绒燃烧的温热刺激穴位")
    assert "portal-build-error" not in fixed


def test_an_open_page_reloads_itself_after_a_save(server, browser):
    """The page a maintainer has open shows the edit by itself: the preview's
    reload script is a file of the preview (the site's Content-Security-Policy
    refuses inline script) and reloads the page once the rebuild is done."""
    data, base = server
    url = base + "/technologies/ai-jiu/"
    wait_for(url, "用艾绒燃烧的温热刺激穴位")
    context = browser.new_context(locale="zh-CN")
    try:
        page = context.new_page()
        errors, polls = [], []
        page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("request", lambda request: "/livereload/" in request.url and polls.append(request.url))
        page.goto(url)
        deadline = time.monotonic() + 10
        while not any(re.search(r"/livereload/[0-9]+/[0-9]+$", u) for u in polls):  # the page waits for a rebuild
            assert time.monotonic() < deadline, (polls, errors)
            page.wait_for_timeout(100)
        assert "用艾绒燃烧的温热刺激穴位" in page.content()
        page.evaluate("() => { window.openedBeforeTheSave = true; }")

        record = data / "technologies" / "ai-jiu.yaml"
        text = record.read_text(encoding="utf-8")
        record.write_text(text.replace("用艾绒燃烧的温热刺激穴位", "艾灸：温通经络"), encoding="utf-8")
        page.wait_for_function("() => document.body.textContent.includes('艾灸：温通经络')", timeout=30_000)
        assert page.evaluate("() => window.openedBeforeTheSave") is None, "a new document: the page reloaded"
        assert any(u.endswith("/livereload/reload.js") for u in polls), polls
        assert not errors, errors  # no script refused by the Content-Security-Policy
    finally:
        context.close()


def test_an_edit_updates_the_pages_that_show_the_record(server):
    """The preview rewrites only what an edit touches: the record, the pages
    linking it and the listings holding it, including the one in the nav."""
    data, base = server
    wait_for(base + "/technologies/ai-jiu/", "艾灸")
    record = data / "technologies" / "ai-jiu.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("name: 艾灸", "name: 艾灸预览改名"), encoding="utf-8")
    wait_for(base + "/technologies/ai-jiu/", "艾灸预览改名")
    # The policy that the technology cites lists it by name.
    wait_for(base + "/policies/2024-zhong-yi-yao/", "艾灸预览改名", timeout=10)
    # The collection page in the nav (built by MkDocs) and a facet listing.
    listing = wait_for(base + "/technologies/", "艾灸预览改名", timeout=10)
    assert listing.count("md-tabs__item--active") == 1, "the nav page keeps its theme around the new content"
    wait_for(base + "/technologies/by/category/" + urllib.parse.quote("治疗") + "/", "艾灸预览改名", timeout=10)
    # …without a full rebuild.
    log = (data.parent / "serve.log").read_text(encoding="utf-8")
    assert "记录已更新（增量）" in log and log.count("站点已完整重建") == 1, log


@pytest.mark.parametrize("edited", [1, 2])
def test_incremental_update_leaves_no_listing_page_stale(tmp_path, monkeypatch, edited):
    """After edits that move records in the listings (a new title and date), every
    listing page the preview does not rewrite is exactly what a full build would write."""
    import re

    from bench.generate import generate
    from conftest import today
    from portal import preview
    from portal.catalogue import build_catalogue
    from portal import routes
    from portal.facets import FACETS, selections_of
    from portal.render.listings import listing_pages
    from portal.render.pages import Renderer

    monkeypatch.setattr(routes, "PAGE_SIZE", 4)  # many pages from a few records
    data = tmp_path / "data"
    generate(60, data)
    old = build_catalogue(data, today())
    paths = sorted((data / "policies").glob("*.yaml"))[5:5 + 3 * edited:3]
    for path in paths:
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"^title: ", "title: 啊", text, count=1, flags=re.M)  # to the front by pinyin
        text = re.sub(r"^published: (\d{4})-\d\d-\d\d", r"published: \1-12-31", text, count=1, flags=re.M)
        path.write_text(text, encoding="utf-8")
    new = build_catalogue(data, today())
    changed = [("policies", path.stem) for path in paths]
    assert not preview.facets_changed(old, new, changed)

    rewritten = {page.url for page in preview.affected_pages(old, new, changed)}
    before, after = Renderer(old), Renderer(new)
    # Every listing: the whole collection, each facet value, each pair of values.
    by_key = {f.key: f for f in FACETS["policies"]}
    selections = sorted({key for rec in new.policies.values() for key in selections_of("policies", rec)}, key=str)
    assert any(len(key) == 2 for key in selections)
    kept = 0
    for key in selections:
        filters = tuple((by_key[k], v) for k, v in key)
        old_pages = {page.url: page for page in listing_pages(old, "policies", filters)}
        for page in listing_pages(new, "policies", filters):
            if page.url not in rewritten:
                full_build, shown = after.listing(page).html, before.listing(old_pages[page.url]).html
                assert full_build == shown, f"stale: {page.url}"
                kept += 1
    assert kept and len(rewritten) > 3  # some pages kept, and more than the record's own pages moved


def test_preview_caches_hold_only_the_current_records(tmp_path):
    """A long preview session does not keep every earlier version of the records."""
    from conftest import today
    from portal.catalogue import build_catalogue

    data = write_data(tmp_path / "data")
    cache: dict = {}
    build_catalogue(data, today(), cache=cache)
    files = set(cache["parsed"])
    (data / "policies" / "2024-yi-jian-zheng-qiu.yaml").unlink()
    catalogue = build_catalogue(data, today(), cache=cache)
    assert len(cache["parsed"]) == len(files) - 1
    assert len(cache["checked"]) == sum(len(c) for c in catalogue.records.values())
