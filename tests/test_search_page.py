"""The search page (/search/) and landing highlights, in headless Chromium."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.browser

HEBEI_YGT = "/policies/2024-quan-mian-tui-jin-jin-mi-xing-xian-yu-yi-liao-wei-sheng/"


def results(page):
    items = page.locator("#portal-sp-results .portal-sp-title")
    items.first.wait_for(state="visible", timeout=15000)
    return items


def wait_status(page, text):
    # Locator waits: the site's Content-Security-Policy forbids the eval that wait_for_function uses.
    page.locator("#portal-sp-status", has_text=text).wait_for(timeout=15000)


def query_of(page) -> dict:
    return parse_qs(urlsplit(page.url).query)


def cn_date(text: str) -> tuple:
    y, m, d = re.search(r"(\d{4})年(\d{1,2})月(\d{1,2})日", text).groups()
    return int(y), int(m), int(d)


def test_query_from_url_with_filters_and_counts(page, site_server):
    page.goto(site_server + "/search/?q=医共体")
    items = results(page)
    assert items.first.get_attribute("href").startswith(HEBEI_YGT)
    wait_status(page, "找到")
    legends = page.locator("#portal-sp-filters legend").all_inner_texts()
    assert "栏目" in legends and "地区" in legends
    labels = page.locator("#portal-sp-filters label").all_inner_texts()
    assert any(re.fullmatch(r"河北 \(\d+\)", label) for label in labels), labels
    assert page.foreign_requests == [] and page.errors == []


def test_filter_state_is_kept_in_the_url_and_restored(page, site_server):
    page.goto(site_server + "/search/?q=工作要点")
    results(page)
    label = page.locator("#portal-sp-filters label", has_text="上海").first
    count = int(re.search(r"\((\d+)\)", label.inner_text()).group(1))
    label.click()
    page.wait_for_url(re.compile(r"region="))
    assert query_of(page)["region"] == ["上海"]
    # The count beside a filter is the number of results it leaves.
    wait_status(page, f"找到 {count} 条结果")
    titles = results(page).all_inner_texts()
    assert len(titles) == min(count, 10) and all("上海" in t for t in titles), titles
    shared = page.url
    page.goto("about:blank")
    page.goto(shared)
    assert results(page).all_inner_texts() == titles
    assert page.locator("#portal-sp-filters input[name=region][value='上海']").is_checked()


def test_filters_alone_list_a_collection(page, site_server):
    page.goto(site_server + "/search/?collection=传承人")
    wait_status(page, "找到 8 条结果")
    assert results(page).count() == 8


def test_sort_by_date(page, site_server):
    page.goto(site_server + "/search/?q=通知&collection=政策通知")
    results(page)
    page.select_option("#portal-sp-sort", "date")
    page.wait_for_url(re.compile(r"sort=date"))
    page.wait_for_timeout(300)
    dates = [cn_date(t) for t in page.locator("#portal-sp-results .portal-sp-meta").all_inner_texts()]
    assert len(dates) >= 5 and dates == sorted(dates, reverse=True)


def test_nothing_found_says_so_in_chinese(page, site_server):
    page.goto(site_server + "/search/?q=量子纠缠计算机")
    wait_status(page, "没有找到")
    assert "可以试试" in page.locator("#portal-sp-status").inner_text()
    assert page.locator("#portal-sp-results li").count() == 0


def test_keyboard_only(page, site_server):
    page.goto(site_server + "/search/")
    wait_status(page, "输入关键词")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "portal-sp-q"
    page.keyboard.type("艾灸")
    page.keyboard.press("Enter")
    results(page)
    # Tab from the box through the sort menu and the button to the filters and results.
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('portal-sp-title')"):
            break
    else:
        pytest.fail("no result reachable by Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/technologies/|/mentors/|/policies/"))


def test_opening_a_result_highlights_the_terms(page, site_server):
    page.goto(site_server + "/search/?q=医共体")
    first = results(page).first
    assert "highlight=" in first.get_attribute("href")
    first.click()
    page.wait_for_url(re.compile(re.escape(HEBEI_YGT)))
    marks = page.locator("mark.pagefind-highlight")
    marks.first.wait_for(timeout=15000)
    assert marks.count() > 3
    assert set(marks.all_inner_texts()) == {"医共体"}
    # The first mark was scrolled into view.
    assert page.evaluate("""() => { const r = document.querySelector('mark.pagefind-highlight').getBoundingClientRect();
                                    return r.top >= 0 && r.bottom <= window.innerHeight; }""")
    assert page.errors == []


def test_first_answer_then_the_full_text_on_request(page, site_server):
    """A query with five or more matches in titles, doc numbers, keywords and
    summaries is answered from their pair words alone (small index chunks); the
    full text, whose single characters fill large chunks, is searched when the
    reader asks."""
    page.goto(site_server + "/search/?q=基层")
    wait_status(page, "在标题、文号、关键词和摘要中找到")
    first_count = int(re.search(r"找到 (\d+) 条", page.locator("#portal-sp-status").inner_text()).group(1))
    assert first_count >= 5
    # Excerpts read as normal Chinese, with the query marked and no pair words.
    excerpts = page.locator("#portal-sp-results .portal-sp-excerpt")
    html = excerpts.first.inner_html()
    assert "<mark>基层</mark>" in html and not re.search(r"\bz[qz]\w", html), html
    assert all(not re.search(r"\bz[qz]\w", t) for t in excerpts.all_inner_texts())
    button = page.get_by_role("button", name="在正文中继续查找")
    button.click()
    page.wait_for_url(re.compile(r"full=1"))
    wait_status(page, re.compile(r"^找到 \d+ 条结果"))
    full_count = int(re.search(r"找到 (\d+) 条", page.locator("#portal-sp-status").inner_text()).group(1))
    assert full_count > first_count
    assert button.is_hidden()
    # The focus moves to the first result for keyboard users.
    assert page.evaluate("document.activeElement.classList.contains('portal-sp-title')")
    # A shared link with full=1 searches the full text straight away.
    page.goto(page.url)
    wait_status(page, f"找到 {full_count} 条结果")
    # A new query starts with the first answer again.
    page.locator("#portal-sp-q").fill("医疗")
    wait_status(page, "在标题、文号、关键词和摘要中找到")
    assert "full" not in query_of(page)
    assert page.foreign_requests == [] and page.errors == []
