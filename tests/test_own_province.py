"""订阅 in a real headless Chromium: with the reader's facility stored in the
browser (localStorage "portal-facility", written by 我的机构), its province's
feed and calendar come first (subscribe.js); without one, the page is as built."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from conftest import BUILD_DAY, ROOT, open_page
from portal.catalogue import build_catalogue
from portal.routes import RouteTable

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SUBSCRIBE = "/subscribe/"
KEY = "portal-facility"


@pytest.fixture(scope="module")
def table() -> RouteTable:
    return RouteTable.build(build_catalogue(ROOT / "data", dt.date.fromisoformat(BUILD_DAY)))


def stored(browser, site_server, value: str | None, **options):
    """(context, page) whose storage holds `value` under KEY before any script runs."""
    context, page = open_page(browser, site_server, **options)
    if value is not None:
        context.add_init_script(f"window.localStorage.setItem({json.dumps(KEY)}, {json.dumps(value)});")
    return context, page


def block_children(page) -> list[str]:
    """What the feeds block shows, in order (the class of each element, the <template> left out)."""
    return page.evaluate("""Array.from(document.querySelector('[data-portal-subscriptions]').children)
        .filter(e => e.tagName !== 'TEMPLATE').map(e => e.tagName.toLowerCase() + '.' + e.className)""")


def test_the_readers_province_comes_first(browser, site_server, table):
    facility = json.dumps({"level": "乡镇卫生院", "region": "陕西"}, ensure_ascii=False)
    context, page = stored(browser, site_server, facility, viewport=PHONE)
    try:
        page.goto(site_server + SUBSCRIBE)
        box = page.locator("[data-portal-own-region-box]")
        box.wait_for()
        assert block_children(page)[0] == "section.portal-own-region"
        assert box.locator("h2").inner_text() == "您所在省份（陕西）的订阅"
        feed = next(f.url for f in table.feeds() if f.region == "陕西")
        calendar = next(c.url for c in table.calendars() if c.region == "陕西")
        links = box.locator("a")
        assert links.all_inner_texts() == ["陕西的政策通知", "陕西及全国的截止日期日历"]
        # The page's own links (relative: the test site has no address of its own).
        assert [links.nth(i).get_attribute("href") for i in range(2)] == ["../" + feed, "../" + calendar]
        answers = page.evaluate("""async (links) => Promise.all(links.map(async a => {
            const r = await fetch(a); return [r.status, r.headers.get('content-type'), await r.text()]; }))""",
                                [links.nth(i).evaluate("a => a.href") for i in range(2)])
        (feed_status, _feed_type, feed_text), (status, kind, text) = answers
        assert feed_status == 200 and "<feed" in feed_text and "政策通知：陕西" in feed_text
        assert status == 200 and kind.startswith("text/calendar")
        assert text.startswith("BEGIN:VCALENDAR") and "陕西及全国的截止日期" in text.replace("\r\n ", "")
        # A phone's tap targets, nothing wider than the screen.
        small = page.evaluate("""Array.from(document.querySelectorAll(
                '.portal-own-region a, .portal-region-calendars__list a'))
            .map(a => a.getBoundingClientRect()).filter(r => r.width < 44 || r.height < 44).length""")
        assert small == 0
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert page.errors == [] and page.foreign_requests == []
    finally:
        context.close()


def test_without_a_facility_the_page_is_as_built(browser, site_server):
    """No facility, storage that is not a facility, or no province: no box, no error,
    the same page as without script."""
    context, page = open_page(browser, site_server, java_script_enabled=False)
    page.goto(site_server + SUBSCRIBE)
    as_built = page.locator("article").inner_text()
    context.close()
    context, page = open_page(browser, site_server)
    try:
        page.goto(site_server + SUBSCRIBE, wait_until="domcontentloaded")
        for value in (None, "{不是", json.dumps({"region": "全国"}, ensure_ascii=False)):
            if value is not None:
                page.evaluate("([key, value]) => window.localStorage.setItem(key, value)", [KEY, value])
                # subscribe.js has run by then (on DOMContentLoaded).
                page.reload(wait_until="domcontentloaded")
            assert page.locator("[data-portal-own-region-box]").count() == 0, value
            assert block_children(page)[0] == "section.portal-region-calendars", value
            assert page.locator("article").inner_text() == as_built, value
        assert page.errors == []
    finally:
        context.close()
