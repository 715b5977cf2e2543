"""The built site in a real headless Chromium: search in Chinese, click through, follow links."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def search(page, query: str):
    box = page.locator("#portal-search-q")
    box.fill(query)
    results = page.locator("#portal-search-panel .portal-search__link")
    results.first.wait_for(state="visible", timeout=15000)
    return results


def test_home_search_click_through_and_cross_link(page, site_server):
    page.goto(site_server + "/")
    assert page.locator("html").get_attribute("lang").startswith("zh")
    assert page.locator("h1").first.inner_text() == "卫生健康技术推广门户"

    results = search(page, "医共体")
    titles = results.all_inner_texts()
    assert any("紧密型县域医疗卫生共同体" in t for t in titles), titles
    target = results.filter(has_text="紧密型县域医疗卫生共同体").first
    target.click()
    page.wait_for_url(re.compile(r"/policies/2024-quan-mian-tui-jin-jin-mi-xing-xian-yu-yi-liao-wei-sheng/"))
    assert "紧密型县域医疗卫生共同体" in page.locator("h1").inner_text()
    assert "冀卫发〔2024〕3号" in page.locator("article").inner_text()

    # A technology page links to its mentors; the mentor page carries the 示例 banner.
    page.goto(site_server + "/technologies/")
    page.locator("a.portal-item__title", has_text="艾灸").first.click()
    mentor_link = page.locator("#mentors + ul a").first
    mentor_name = mentor_link.inner_text()
    mentor_link.click()
    assert page.locator("h1").inner_text().startswith(mentor_name)
    assert page.locator(".portal-banner--example").is_visible()
    assert "示例" in page.locator(".portal-banner--example").inner_text()

    assert page.foreign_requests == []
    assert page.errors == []


def test_search_shows_chinese_message_when_nothing_matches(page, site_server):
    page.goto(site_server + "/mentors/")
    box = page.locator("#portal-search-q")
    assert box.get_attribute("placeholder") == "搜索技术、传承人、政策通知"
    box.fill("zzzqqq")
    status = page.locator("#portal-search-panel .portal-search__status")
    status.filter(has_text="没有找到").wait_for(timeout=15000)
    assert "换个说法" in status.inner_text()
    assert page.foreign_requests == []


def test_header_search_keyboard_and_search_page_link(page, site_server):
    page.goto(site_server + "/")
    search(page, "艾灸")
    page.keyboard.press("ArrowDown")
    focused = page.evaluate("document.activeElement.className")
    assert "portal-search__link" in focused
    page.keyboard.press("Escape")
    assert page.locator("#portal-search-panel").is_hidden()
    # Enter opens the full search page with the query in the URL.
    page.locator("#portal-search-q").press("Enter")
    page.wait_for_url("**/search/?q=*")
    assert page.locator("#portal-sp-q").input_value() == "艾灸"


def test_listing_facets_work_without_javascript(browser, site_server):
    context = browser.new_context(java_script_enabled=False)
    pg = context.new_page()
    pg.goto(site_server + "/policies/")
    pg.locator(".portal-facet a", has_text="陕西").first.click()
    assert "陕西" in pg.locator("h1").inner_text()
    items = pg.locator(".portal-item__title").all_inner_texts()
    assert items and all("医保" not in t for t in items)
    context.close()


def test_policy_map_and_sorting_work_without_javascript(browser, site_server):
    context = browser.new_context(java_script_enabled=False)
    pg = context.new_page()
    pg.goto(site_server + "/policies/")
    # The map is part of the page, with a text alternative and a legend.
    tilemap = pg.locator("svg.portal-tilemap")
    assert tilemap.is_visible()
    assert "上海" in tilemap.locator("desc").text_content()
    assert "政策通知数量" in tilemap.text_content()
    tilemap.locator("a", has_text="上海").first.click()
    assert "地区 · 上海" in pg.locator("h1").inner_text()
    assert pg.locator(".portal-item__title").count() > 1
    pg.locator(".portal-sorts a", has_text="按标题拼音").click()
    assert "/sort/title/" in pg.url
    assert pg.locator(".portal-sorts strong").inner_text() == "按标题拼音"
    context.close()


def test_listing_filters_combine_without_javascript(browser, site_server):
    """村卫生室, then 一般: both stay chosen, and each count is what the next page lists."""
    context = browser.new_context(java_script_enabled=False)
    pg = context.new_page()
    pg.goto(site_server + "/technologies/")
    pg.locator(".portal-facet a", has_text="村卫生室").first.click()
    general = pg.locator(".portal-facet a", has_text="一般").first
    promised = int(general.locator(".portal-facet__count").inner_text())
    general.click()
    heading = pg.locator("h1").inner_text()
    assert "村卫生室" in heading and "一般" in heading
    metas = pg.locator(".portal-item__meta").all_inner_texts()
    assert len(metas) == promised and f"共 {promised} 条" in pg.locator(".portal-count").inner_text()
    assert all("村卫生室" in m for m in metas)
    assert pg.locator(".portal-item [class*=portal-tag--class]").count() == 0   # no 限制类 or 临床研究 among them
    # Taking 一般 off goes back to every technology of 村卫生室.
    pg.locator(".portal-chosen a", has_text="一般").click()
    assert pg.locator("h1").inner_text().endswith("适用机构 · 村卫生室")
    context.close()
