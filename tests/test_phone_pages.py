"""Record pages and listings on a 390×844 phone screen: the answer first,
key facts compact, every section one tap from the top, tap targets of 44 px."""

from __future__ import annotations

import pytest

from conftest import open_page

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
TECHNOLOGY = "/technologies/zhong-liu-xiao-rong/"      # 限制类: the 备案 box comes first
POLICY = "/policies/2024-quan-mian-tui-jin-jin-mi-xing-xian-yu-yi-liao-wei-sheng/"


@pytest.fixture
def phone(browser, site_server):
    context, page = open_page(browser, site_server, viewport=PHONE)
    yield page
    context.close()


def _top(locator) -> float:
    return locator.bounding_box()["y"]


def _small_targets(page, selector: str) -> list[str]:
    return page.evaluate("""(selector) => Array.from(document.querySelectorAll(selector))
        .filter(e => e.offsetParent !== null)
        .map(e => [e.textContent.trim(), e.getBoundingClientRect()])
        .filter(([t, r]) => r.height < 44 || r.width < 44).map(([t, r]) => t + ' ' + r.width + 'x' + r.height)""",
                         selector)


def test_a_technology_page_reaches_its_contraindications_in_one_screen(phone, site_server):
    phone.goto(site_server + TECHNOLOGY)
    contents = phone.locator("nav.portal-contents")
    link = contents.locator("a", has_text="禁忌证")
    # 本页目录 lists the page's sections, within the first screen, the 备案 box notwithstanding.
    assert _top(link) + link.bounding_box()["height"] <= PHONE["height"]
    assert contents.locator("a").all_inner_texts()[:3] == ["适应证", "禁忌证", "所需设备"]
    link.click()
    assert phone.locator("#contraindications").bounding_box()["y"] < 200
    # One strong heading, and its key facts as label and value side by side.
    assert phone.locator("h1").count() == 1
    assert phone.evaluate("getComputedStyle(document.querySelector('.portal-record h1')).fontWeight") == "700"
    facts = phone.locator(".portal-record > dl.portal-fields").first
    label, value = facts.locator("dt").first, facts.locator("dd").first
    assert abs(_top(label) - _top(value)) < 4 and value.bounding_box()["x"] > label.bounding_box()["x"]
    assert _small_targets(phone, "nav.portal-contents a, .portal-kicker a") == []
    assert phone.errors == []


def test_a_notice_shows_its_doc_number_once(phone, site_server):
    phone.goto(site_server + POLICY)
    text = phone.locator("article").inner_text()
    assert text.count("冀卫发〔2024〕3号") == 1
    assert _top(phone.locator(".portal-docno")) < _top(phone.locator(".portal-badges"))


def test_a_listing_puts_its_records_first_and_its_charts_last(phone, site_server):
    phone.goto(site_server + "/policies/")
    first = phone.locator(".portal-item__title").first
    assert _top(first) < PHONE["height"] * 0.6
    filters, charts = phone.locator("#filters"), phone.locator(".portal-charts")
    last_item = phone.locator(".portal-item").last
    assert _top(last_item) < _top(filters) < _top(charts)
    # The filters are one tap away from the count, and their links are tap targets.
    phone.locator(".portal-jump").click()
    assert abs(_top(filters)) < 100
    assert _small_targets(phone, ".portal-facet a, .portal-sorts a, .portal-jump") == []
    # Chart text is drawn at 12 px or more: the chart scrolls sideways instead of shrinking.
    sizes = phone.evaluate("""Array.from(document.querySelectorAll('.portal-charts text'))
        .map(t => t.getBoundingClientRect().height).filter(h => h > 0)""")
    assert sizes and min(sizes) >= 11.5
    # The map shows every provincial-level division.
    assert phone.locator("svg.portal-tilemap [data-region]").count() == 35
    for region in ("台湾", "香港", "澳门"):
        assert phone.locator(f'svg.portal-tilemap [data-region="{region}"]').count() == 1


def test_the_site_name_is_whole_in_the_header(browser, site_server):
    for viewport in (PHONE, DESKTOP):
        context, page = open_page(browser, site_server, viewport=viewport)
        page.goto(site_server + POLICY)
        title = page.locator(".md-header__title .md-header__topic").first
        assert title.inner_text().strip() == "卫生健康技术推广门户"
        clipped = page.evaluate("""() => { const e = document.querySelector('.md-header__title .md-ellipsis');
            return e.scrollWidth > e.clientWidth + 1; }""")
        assert not clipped, viewport
        context.close()


def test_nothing_scrolls_sideways_out_of_keyboard_reach(phone, site_server, built_site):
    """On a phone, a region that scrolls sideways (a wide table, a chart) can be
    reached by keyboard: it holds a link or takes focus itself. Every page with
    a table, a chart or a code block (what can be wider than a phone)."""
    unreachable = {}
    for path in sorted(built_site.rglob("index.html")):
        folder = path.parent.relative_to(built_site).as_posix()
        html = path.read_text(encoding="utf-8")
        if folder.startswith("pagefind") or not any(wide in html for wide in ("<table", "portal-chart", "<pre")):
            continue
        url = "/" if folder == "." else f"/{folder}/"
        phone.goto(site_server + url)
        found = phone.evaluate("""Array.from(document.querySelectorAll('*')).filter(e =>
            e.scrollWidth > e.clientWidth + 1 && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX)
            && e.tabIndex < 0 && !e.querySelector('a[href], button, input, [tabindex]'))
            .map(e => e.tagName + '.' + e.className)""")
        if found:
            unreachable[url] = found
    assert unreachable == {}


def test_chosen_filters_and_their_removal_are_tap_targets(phone, site_server):
    phone.goto(site_server + "/technologies/by/management-class/一般/level/村卫生室/#filters")
    chosen = phone.locator(".portal-chosen a")
    assert chosen.count() == 3   # each chosen filter, and 清除全部条件
    assert _small_targets(phone, ".portal-chosen a, .portal-facet a") == []
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_my_facility_on_a_phone_answers_first_with_finger_sized_controls(phone, site_server):
    """The form, the verdict, the one tap and the home page's province box: 44 px
    targets, nothing wider than the screen, and the verdict within the first screen."""
    phone.goto(site_server + "/my-facility/")
    phone.get_by_label("乡镇卫生院").check()
    phone.select_option("#portal-facility-region", "湖南")
    phone.get_by_role("button", name="保存").click()
    phone.locator("#portal-facility-status", has_text="已保存").wait_for()
    assert _small_targets(phone, ".portal-facility-choice, .portal-facility-form select, "
                                 ".portal-facility-form button, .portal-facility-status a") == []
    for path, shown in ((TECHNOLOGY, "#my-facility"), ("/technologies/", "[data-portal-mine-filter] a"),
                        ("/", "#portal-mine #mine-latest")):
        phone.goto(site_server + path)
        phone.locator(shown).wait_for()
        # (A list's titles are sized as every list of the site; the links around them are targets.)
        assert _small_targets(phone, "#my-facility a, [data-portal-mine-filter] a, #portal-mine p a") == [], path
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
    phone.goto(site_server + TECHNOLOGY)
    answer = phone.locator("#my-facility .portal-verdict__label").filter(visible=True)
    assert answer.inner_text() == "本级不适用" and _top(answer) < PHONE["height"] * 0.6
    assert phone.errors == [] and phone.foreign_requests == []
