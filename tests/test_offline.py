"""Offline use in headless Chromium: service worker, saved collections, updates, manifest."""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import json
import socketserver
import struct
import threading

import pytest

from conftest import BUILD_DAY, ROOT, run_portal

pytestmark = pytest.mark.browser

RECORD = "/policies/2024-quan-mian-tui-jin-jin-mi-xing-xian-yu-yi-liao-wei-sheng/"
OTHER_RECORD = "/policies/2024-jia-qiang-zhu-chan-fu-wu-guan-li/"
MENTOR = "/mentors/example-wm-zishen-zhuanjia/"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    # Chromium's offline emulation does not cover the service worker's own
    # update checks, so "offline" also takes the server down.
    down = False

    def log_message(self, *args):
        pass

    def handle_one_request(self):
        if type(self).down:
            self.close_connection = True
            return
        super().handle_one_request()


def offline(context, on: bool = True):
    context.set_offline(on)
    _Quiet.down = on


@pytest.fixture(scope="module")
def offline_site(tmp_path_factory):
    """A site of its own (the update test rebuilds it) on its own port."""
    site = tmp_path_factory.mktemp("offline") / "site"
    result = run_portal("build", "--today", BUILD_DAY, "--site-dir", str(site))
    assert result.returncode == 0, result.stderr
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield site, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def context(browser):
    ctx = browser.new_context(service_workers="allow")
    yield ctx
    offline(ctx, False)
    ctx.close()


def controlled(page):
    # Polling with evaluate: wait_for_function needs eval, which the site's CSP forbids.
    poll(page, "() => navigator.serviceWorker.controller !== null")


def poll(page, predicate: str, timeout: float = 30):
    import time
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if page.evaluate(predicate):
                return
        except Exception:  # the page may be reloading
            pass
        page.wait_for_timeout(200)
    raise AssertionError(f"timed out: {predicate}")


def first_visit(context, base):
    page = context.new_page()
    page.goto(base + "/")
    page.evaluate("navigator.serviceWorker.ready")
    page.reload()
    controlled(page)
    return page


def header_search(page, query):
    page.locator("#portal-search-q").fill(query)
    link = page.locator("#portal-search-panel .portal-search__link").first
    link.wait_for(timeout=15000)
    return link


def test_manifest_and_icons(offline_site):
    site, _ = offline_site
    manifest = json.loads((site / "manifest.webmanifest").read_text(encoding="utf-8"))
    assert manifest["name"] == "卫生健康技术推广门户" and manifest["lang"].startswith("zh")
    assert manifest["theme_color"].startswith("#")
    for icon in manifest["icons"]:
        png = (site / icon["src"]).read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", png[16:24])
        assert f"{width}x{height}" == icon["sizes"]
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'rel="manifest"' in home and 'name="theme-color"' in home


def test_every_script_and_stylesheet_of_a_page_is_in_the_shell(offline_site):
    """A page first opened offline from a saved collection runs all its scripts."""
    import re
    site, _ = offline_site
    worker = (site / "sw.js").read_text(encoding="utf-8")
    shell = set(json.loads(re.search(r"const SHELL = (\[.*?\]);", worker).group(1)))
    page = (site / "technologies" / "ai-jiu-liao-fa" / "index.html").read_text(encoding="utf-8")
    loaded = re.findall(r'<script src="\.\./\.\./([^"?]+)', page) + \
        re.findall(r'<link rel="stylesheet" href="\.\./\.\./([^"?]+)', page)
    assert len(loaded) > 10
    assert sorted(set(loaded) - shell) == []


def test_visited_pages_and_search_work_offline(context, offline_site, capsys):
    site, base = offline_site
    page = first_visit(context, base)
    page.goto(base + RECORD)
    header_search(page, "医共体")
    offline(context)

    page.goto(base + "/")
    assert page.locator("h1").first.inner_text() == "卫生健康技术推广门户"
    page.goto(base + RECORD)
    assert "紧密型县域医疗卫生共同体" in page.locator("h1").inner_text()
    status = page.locator("#portal-status")
    status.wait_for(state="visible", timeout=10000)
    assert "当前处于离线状态" in status.inner_text() and "本页已保存" in status.inner_text()
    # Search over what was fetched online works offline.
    assert "紧密型县域医疗卫生共同体" in header_search(page, "医共体").inner_text()
    # A page never visited answers with the Chinese offline page.
    page.goto(base + OTHER_RECORD)
    assert page.locator("h1").first.inner_text() == "离线使用"
    assert page.locator("#portal-offline-missing").is_visible()
    # The bar says the same as the note: the page asked for is not saved.
    page.locator("#portal-status", has_text="尚未保存").wait_for(timeout=10000)
    assert "本页已保存" not in status.inner_text()
    assert page.errors == [] if hasattr(page, "errors") else True
    shell = json.loads(page.evaluate("""async () => {
        const cache = await caches.open('portal-' + window.PORTAL_BUILD);
        return JSON.stringify((await cache.keys()).length); }"""))
    assert shell > 20
    with capsys.disabled():
        sizes = json.loads((site / "offline" / "collections.json").read_text(encoding="utf-8"))
        worker = (site / "sw.js").read_text(encoding="utf-8")
        listed = json.loads(worker.split("const SHELL = ", 1)[1].split(";\n", 1)[0])
        total = sum((site / (u + "index.html" if u.endswith("/") or not u else u)).stat().st_size for u in listed)
        print(f"\nprecache: {len(listed)} files, {total / 1024:.0f} KB; search index {sizes['search']['bytes'] / 1024:.0f} KB")


def test_a_record_page_saves_itself_when_asked(context, offline_site):
    """The first page of a visit is not saved as it is read (the service worker
    starts with it): its 保存本页 button keeps it, and it opens offline."""
    _, base = offline_site
    page = context.new_page()
    page.goto(base + OTHER_RECORD)
    box = page.locator("[data-portal-save-page]")
    save = box.locator("button", has_text="保存本页")
    save.wait_for(timeout=15000)
    box_size = save.bounding_box()
    assert box_size["height"] >= 44 and box_size["width"] >= 44
    page.evaluate("navigator.serviceWorker.ready")
    save.click()
    box.locator("text=本页已保存在本机").wait_for(timeout=15000)
    offline(context)
    page.goto(base + OTHER_RECORD)
    assert page.locator("h1").inner_text() == "国家卫生健康委办公厅关于加强助产服务管理的通知"
    assert page.locator("#portal-offline-missing").count() == 0
    page.locator("#portal-status", has_text="本页已保存").wait_for(timeout=10000)


def test_save_every_notice_at_once(context, offline_site):
    """全部政策通知 saves every notice: its own list names the region groups,
    whose notices are saved with it, and they open offline."""
    site, base = offline_site
    listed = json.loads((site / "offline" / "collections.json").read_text(encoding="utf-8"))["collections"]
    every = next(c for c in listed if c["key"] == "policies")
    assert every["includes"] and RECORD.strip("/") + "/" not in every["urls"]
    page = first_visit(context, base)
    page.goto(base + "/policies/")
    box = page.locator("[data-offline-key='policies']")
    box.locator("button").click()
    box.locator("text=已离线保存").wait_for(timeout=120000)
    offline(context)
    page.goto(base + OTHER_RECORD)  # a region's notice, never opened
    assert page.locator("h1").inner_text() == "国家卫生健康委办公厅关于加强助产服务管理的通知"


def test_save_a_collection_and_remove_it(context, offline_site, capsys):
    _, base = offline_site
    page = first_visit(context, base)
    page.goto(base + "/mentors/")
    box = page.locator("[data-offline-key='mentors']")
    save = box.locator("button")
    save.wait_for(timeout=15000)
    assert "约" in save.inner_text() and ("MB" in save.inner_text() or "KB" in save.inner_text())
    save.click()
    box.locator("text=已离线保存").wait_for(timeout=60000)
    with capsys.disabled():
        print("\nsaved collection:", box.locator("p").inner_text())

    offline(context)
    page.goto(base + MENTOR)  # never visited
    assert page.locator(".portal-banner--example").is_visible()
    assert "示例专家己" in header_search(page, "示例专家己").inner_text()
    page.goto(base + "/offline/")
    saved = page.locator("#portal-offline-saved a", has_text="全部传承人")
    assert saved.get_attribute("href").endswith("/mentors/")  # the page the build named for the group

    offline(context, False)
    page.goto(base + "/mentors/")
    remove = box.locator("button", has_text="删除")
    remove.wait_for(timeout=15000)
    remove.click()
    box.locator("button", has_text="离线保存").wait_for(timeout=15000)
    poll(page, "async () => !(await caches.match('/mentors/example-tcm-guoyi-dashi/'))")
    offline(context)
    page.goto(base + "/mentors/example-tcm-guoyi-dashi/")
    assert page.locator("#portal-offline-missing").is_visible()


def test_my_facility_gives_verdicts_and_narrowed_lists_offline(context, offline_site):
    """A 县级医院 in 湖南 sets its facility once, saves the technologies, and offline
    sees on each page whether it may do it, and lists narrowed to what suits it."""
    from portal.catalogue import build_catalogue
    from portal.facility import verdict

    _, base = offline_site
    page = first_visit(context, base)
    page.goto(base + "/my-facility/")
    page.get_by_label("县级医院").check()
    page.select_option("#portal-facility-region", "湖南")
    page.get_by_role("button", name="保存").click()
    assert "已保存：湖南 · 县级医院" in page.locator("#portal-facility-status").inner_text()
    page.goto(base + "/")
    mine = page.locator("#portal-mine")
    mine.locator("#mine-latest").wait_for(timeout=15000)
    page.goto(base + "/technologies/")
    box = page.locator("[data-offline-key='technologies']")
    box.locator("button").wait_for(timeout=15000)
    box.locator("button").click()
    box.locator("text=已离线保存").wait_for(timeout=60000)

    offline(context)
    catalogue = build_catalogue(ROOT / "data", dt.date.fromisoformat(BUILD_DAY))
    for record_id, key in (("ai-jiu-liao-fa", "can"), ("zhong-liu-xiao-rong", "file"),
                           ("zi-ti-mian-yi-xi-bao-zhi-liao", "research"), ("dian-hua-chuan-shu-xin-dian-tu", "not-here")):
        expected = verdict(catalogue.technologies[record_id], "县级医院", catalogue.vocab)
        assert expected.key == key
        page.goto(f"{base}/technologies/{record_id}/")
        page.locator("#my-facility").wait_for(timeout=15000)
        shown = page.locator("#my-facility .portal-verdict__answer:visible")
        assert shown.count() == 1, record_id
        assert shown.locator(".portal-verdict__label strong").inner_text() == expected.label
        assert expected.detail in shown.inner_text()
        assert "湖南 · 县级医院" in page.locator("#my-facility").inner_text()

    # The home page, offline: 湖南's newest notices first, from the file fetched online.
    page.goto(base + "/")
    mine.locator("#mine-latest").wait_for(timeout=15000)
    assert page.locator("#portal-mine h2").inner_text() == "我的机构：湖南 · 县级医院"
    newest = page.locator("#portal-mine .portal-item__title").all_inner_texts()
    hunan = sorted((r for r in catalogue.policies.values() if r.get("region") == "湖南"),
                   key=lambda r: (r.data["published"], r.id), reverse=True)
    assert hunan[0].title in newest
    # 湖南's open call for comments comes first, its deadline counting down.
    consulting = [r for r in hunan if r.status and r.status.label == "征求意见中"]
    assert consulting and newest[0] == consulting[0].title
    assert page.locator("#portal-mine h3").first.inner_text() == "湖南正在征求意见"
    assert page.locator("#portal-mine [data-portal-relative-note]").count() == len(consulting)

    # One tap from the listing to what suits the facility, offline.
    page.goto(base + "/technologies/")
    shortcut = page.locator("[data-portal-mine-filter] a")
    shortcut.wait_for(timeout=15000)
    suits = [r for r in catalogue.technologies.values() if "县级医院" in (r.get("levels") or [])]
    assert shortcut.inner_text() == f"只看适合我的机构（县级医院），{len(suits)} 项"
    shortcut.click()
    assert "县级医院" in page.locator("h1").inner_text()
    titles = page.locator(".portal-items .portal-item__title").all_inner_texts()
    assert sorted(titles) == sorted(r.title for r in suits)
    page.locator("[data-portal-mine-filter]", has_text="已只看适合我的机构（县级医院）的技术。").wait_for(timeout=15000)


def test_rebuild_switches_online_readers_and_keeps_offline_ones(context, offline_site, tmp_path):
    site, base = offline_site
    page = first_visit(context, base)
    page.goto(base + RECORD)
    old = page.evaluate("window.PORTAL_BUILD")

    offline_reader = context.new_page()
    offline_reader.goto(base + RECORD)
    offline(context)
    # A later build date changes statuses, hence pages, hence the version.
    result = run_portal("build", "--today", "2025-06-30", "--site-dir", str(site))
    assert result.returncode == 0, result.stderr
    offline_reader.reload()
    assert offline_reader.evaluate("window.PORTAL_BUILD") == old

    offline(context, False)
    page.goto(base + "/")
    poll(page, f"() => window.PORTAL_BUILD !== {old!r}")
    page.locator("#portal-status", has_text="网站已更新").wait_for(timeout=15000)
    caches = page.evaluate("caches.keys()")
    assert caches == [f"portal-{page.evaluate('window.PORTAL_BUILD')}"]
    # The visited record came along, fetched from the new build.
    page.goto(base + RECORD)
    offline(context)
    page.reload()
    assert "紧密型县域医疗卫生共同体" in page.locator("h1").inner_text()
