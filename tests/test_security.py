"""Script injection, Content-Security-Policy and requests, in headless Chromium."""

from __future__ import annotations

import textwrap

import pytest

from conftest import MINIMAL, run_portal, write_data

pytestmark = pytest.mark.browser

# Watches for CSP violations and for payloads that manage to run.
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
window.__pwned = [];
"""

PAGE_TYPES = ["/", "/technologies/ai-jiu-liao-fa/", "/mentors/example-tcm-guoyi-dashi/",
              "/policies/2024-quan-mian-tui-jin-jin-mi-xing-xian-yu-yi-liao-wei-sheng/", "/policies/",
              "/policies/by/region/北京/", "/technologies/by/sort/date/", "/search/?q=艾灸", "/about/",
              "/offline/", "/subscribe/", "/open-data/"]


def test_every_page_type_works_under_the_csp(browser, site_server):
    context = browser.new_context()
    context.add_init_script(WATCH)
    page = context.new_page()
    foreign, errors = [], []
    page.on("request", lambda r: r.url.startswith(site_server) or r.url.startswith("data:") or foreign.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    for path in PAGE_TYPES:
        page.goto(site_server + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__csp") == [], (path, page.evaluate("window.__csp"))
    # Search (WebAssembly, workers) still works under the policy.
    page.goto(site_server + "/search/?q=医共体")
    page.locator("#portal-sp-results .portal-sp-title").first.wait_for(timeout=15000)
    page.locator("#portal-search-q").fill("艾灸")
    page.locator("#portal-search-panel .portal-search__link").first.wait_for(timeout=15000)
    assert page.evaluate("window.__csp") == []
    assert foreign == [] and errors == []
    context.close()


PAYLOAD = '<script>window.__pwned.push("script")</script><img src=x onerror="window.__pwned.push(\'img\')">{{ 7*7 }}'


# Ids the site's scripts look up as globals (window.X) or elements (getElementById).
SHADOWED_IDS = ["PORTAL_SEARCH_BACKEND", "PORTAL_BUNDLE_INDEX", "PORTAL_SEARCH", "PortalSearch",
                "portal-search", "portal-search-q", "portal-search-panel", "portal-status"]
SHADOWING_BODY = "body: |\n" + "".join(
    f'  <h2 id="{name}">标题{n}</h2>\n\n  正文{n}。\n\n' for n, name in enumerate(SHADOWED_IDS)
) + "  [回到第一个标题](#PORTAL_SEARCH_BACKEND)\n"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory, serve_dir):
    root = tmp_path_factory.mktemp("hostile")
    records = {name: textwrap.dedent(text) for name, text in MINIMAL.items()}
    quoted = PAYLOAD.replace('"', '\\"')
    records["technologies/ai-jiu.yaml"] = records["technologies/ai-jiu.yaml"].replace(
        "name: 艾灸", f'name: "艾灸{quoted}"').replace(
        "aliases: [灸法]", f'aliases: ["灸法{quoted}"]').replace(
        "summary: 用艾绒燃烧的温热刺激穴位。", f'summary: "简介{quoted}"').replace(
        "  - title: 《中医医疗技术相关性感染预防与控制指南（试行）》", f'  - title: "来源{quoted}"')
    records["mentors/example-a.yaml"] += f'summary: "传承人{quoted}"\nbody: |\n  正文 {PAYLOAD}\n  [点我](javascript:window.__pwned.push("link"))\n  <a href="javascript:window.__pwned.push(1)">链接</a> <iframe src="https://example.com"></iframe>\n'
    records["technologies/old-tech.yaml"] += SHADOWING_BODY
    records["policies/2024-zhong-yi-yao.yaml"] = records["policies/2024-zhong-yi-yao.yaml"].replace(
        "title: 关于推广中医药适宜技术的通知", f'title: "关于推广中医药适宜技术的通知{quoted}"') + \
        f'keywords: ["关键字{quoted}"]\nattachments: ["附件{quoted}"]\nbody: |\n  <div onclick="x()">正文</div> {PAYLOAD}\n  <style>body{{display:none}}</style>\n'
    data = write_data(root / "data", records)
    site = root / "site"
    result = run_portal("build", "--data", str(data), "--today", "2024-03-28", "--site-dir", str(site))
    assert result.returncode == 0, result.stderr
    return site, serve_dir(site)


def test_payloads_in_every_field_stay_inert(browser, hostile_site):
    site, base = hostile_site
    context = browser.new_context()
    context.add_init_script(WATCH)
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for path in ("/technologies/ai-jiu/", "/mentors/example-a/", "/policies/2024-zhong-yi-yao/",
                 "/technologies/", "/policies/", "/", "/search/?q=艾灸"):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        for link in page.locator("article a").all():
            href = link.get_attribute("href") or ""
            assert not href.lower().startswith("javascript:"), (path, href)
        assert page.evaluate("window.__pwned") == [], path
        assert page.locator("article iframe, article style").count() == 0, path
    # The payload is shown as text, template syntax included.
    page.goto(base + "/technologies/ai-jiu/")
    assert "{{ 7*7 }}" in page.locator("h1").inner_text() and "<script>" in page.locator("h1").inner_text()
    page.locator("#portal-search-q").fill("艾灸")
    page.locator("#portal-search-panel .portal-search__link").first.wait_for(timeout=15000)
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") == [] and dialogs == []
    # Feeds carry the text escaped (the calendar and JSON are plain text by nature).
    feed = (site / "feeds" / "policies.xml").read_text(encoding="utf-8")
    assert "<script>" not in feed and "&lt;script&gt;" in feed
    context.close()


def test_body_ids_cannot_shadow_the_sites_globals_or_elements(browser, hostile_site):
    _, base = hostile_site
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(base + "/technologies/old-tech/")
    ids = page.eval_on_selector_all("[id]", "els => els.map(e => e.id)")
    assert [i for i in ids if i.startswith("user-content-")] == ["user-content-" + n for n in SHADOWED_IDS]
    for name in SHADOWED_IDS:
        assert ids.count(name) <= 1, name                  # only the site's own element, if any
    assert page.evaluate("typeof window.PORTAL_SEARCH_BACKEND") == "undefined"
    assert page.evaluate("document.getElementById('portal-search-q').tagName") == "INPUT"
    # Search from the page works as anywhere else.
    page.locator("#portal-search-q").fill("艾灸")
    page.locator("#portal-search-panel .portal-search__link").first.wait_for(timeout=15000)
    page.keyboard.press("Escape")
    # The body's own fragment link still reaches its heading.
    page.locator('article a[href="#user-content-PORTAL_SEARCH_BACKEND"]').click()
    assert page.evaluate("location.hash") == "#user-content-PORTAL_SEARCH_BACKEND"
    assert page.evaluate("document.querySelector(':target').textContent") == "标题0"
    assert errors == []
    context.close()


# Space between a cell's text and its padding edges, right and left.
GAPS = """els => els.map(e => {
  const range = document.createRange(); range.selectNodeContents(e);
  const text = range.getBoundingClientRect(), cell = e.getBoundingClientRect(), style = getComputedStyle(e);
  return [cell.right - parseFloat(style.paddingRight) - text.right, text.left - cell.left - parseFloat(style.paddingLeft)];
})"""


def test_aligned_table_cells_under_the_csp(browser, site_server):
    context = browser.new_context()
    context.add_init_script(WATCH)
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(site_server + "/mentorship/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__csp") == [] and errors == []
    cells = page.locator("article table td[align=right], article table th[align=right]")
    assert cells.count() > 0
    assert page.locator("article [style]").count() == 0
    # Chromium maps align=right to -webkit-right; what counts is where the text sits.
    assert set(cells.evaluate_all("els => els.map(e => getComputedStyle(e).textAlign)")) <= {"right", "-webkit-right"}
    gaps = cells.evaluate_all(GAPS)                      # [space right of the text, space left of it]
    assert all(right < 2 for right, _ in gaps) and any(left > 10 for _, left in gaps), gaps
    plain = page.locator("article table td:not([align])").evaluate_all(GAPS)
    assert all(left < 2 for _, left in plain) and any(right > 10 for right, _ in plain), plain
    context.close()
