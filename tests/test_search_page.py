"""The search page (/search/), the header's results and landing highlights, in headless Chromium."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import open_page

pytestmark = pytest.mark.browser

HEBEI_YGT = "/policies/2024-quan-mian-tui-jin-jin-mi-xing-xian-yu-yi-liao-wei-sheng/"
PHONE = {"width": 390, "height": 844}
# The smallest tap target on a phone, in CSS px.
TAP = 44


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


@pytest.fixture
def phone(browser, site_server):
    context, pg = open_page(browser, site_server, viewport=PHONE)
    yield pg
    context.close()


def test_query_from_url_with_filters_and_counts(page, site_server):
    page.goto(site_server + "/search/?q=医共体")
    items = results(page)
    assert items.first.get_attribute("href").startswith(HEBEI_YGT)
    wait_status(page, "找到")
    # A result says what it is and gives its facts: kind, then doc number (and date).
    first = page.locator("#portal-sp-results > li").first
    assert first.locator(".portal-sp-type").inner_text() == "政策通知"
    assert "冀卫发〔2024〕3号" in first.locator(".portal-sp-meta").inner_text()
    assert "<mark>" in first.locator(".portal-sp-excerpt").inner_html()
    legends = page.locator("#portal-sp-filters legend").all_inner_texts()
    assert "栏目" in legends and "地区" in legends
    labels = page.locator("#portal-sp-filters label").all_inner_texts()
    assert any(re.fullmatch(r"河北 \(\d+\)", label) for label in labels), labels
    # On a wide screen the filters are a sidebar: no 筛选 button to press.
    assert page.locator("#portal-sp-filters").is_visible()
    assert page.locator("#portal-sp-toggle").is_hidden()
    assert page.foreign_requests == [] and page.errors == []


def test_filter_state_is_kept_in_the_url_and_restored(page, site_server):
    # One word, one lookup: Pagefind's own counts (an answer of several lookups offers the values without them).
    page.goto(site_server + "/search/?q=要点")
    results(page)
    label = page.locator("#portal-sp-filters label", has_text="上海").first
    count = int(re.search(r"\((\d+)\)", label.inner_text()).group(1))
    label.click()
    page.wait_for_url(re.compile(r"region="))
    assert query_of(page)["region"] == ["上海"]
    # The count beside a filter is the number of results it leaves.
    wait_status(page, f"找到 {count} 条结果")
    titles = results(page).all_inner_texts()
    assert len(titles) == min(count, 10)
    # Each is a Shanghai notice: 上海 in its title or its issuer.
    assert all("上海" in t for t in page.locator("#portal-sp-results > li").all_inner_texts())
    shared = page.url
    page.goto("about:blank")
    page.goto(shared)
    assert results(page).all_inner_texts() == titles
    assert page.locator("#portal-sp-filters input[name=region][value='上海']").is_checked()
    # 清除全部筛选 drops them from the address and the results.
    page.get_by_role("button", name="清除全部筛选").click()
    page.wait_for_url(lambda url: "region=" not in url)
    wait_status(page, re.compile(r"找到 \d+ 条结果"))
    assert not page.locator("#portal-sp-filters input[name=region][value='上海']").is_checked()
    assert page.get_by_role("button", name="清除全部筛选").is_hidden()


def test_filters_alone_list_a_collection(page, site_server):
    page.goto(site_server + "/search/?collection=传承人")
    wait_status(page, "找到 8 条结果")
    assert results(page).count() == 8
    # Every mentor record is illustrative, and each result says so.
    kinds = page.locator("#portal-sp-results .portal-sp-kind")
    assert kinds.count() == 8
    assert all(k.startswith("传承人") and "示例" in k for k in kinds.all_inner_texts())


def test_sort_by_date(page, site_server):
    page.goto(site_server + "/search/?q=通知&collection=政策通知")
    results(page)
    page.select_option("#portal-sp-sort", "date")
    page.wait_for_url(re.compile(r"sort=date"))
    # The address keeps the order: opened again, the page lists by date at once.
    page.goto(page.url)
    results(page)
    assert page.locator("#portal-sp-sort").input_value() == "date"
    dates = [cn_date(t) for t in page.locator("#portal-sp-results .portal-sp-meta").all_inner_texts()]
    assert len(dates) >= 5 and dates == sorted(dates, reverse=True)


def test_nothing_found_is_not_a_dead_end(page, site_server):
    # No mentor is from Shanghai.
    page.goto(site_server + "/search/?collection=传承人&region=上海")
    wait_status(page, "没有符合所选条件的内容")
    assert page.locator("#portal-sp-results li").count() == 0
    empty = page.locator("#portal-sp-empty")
    assert empty.is_visible()
    assert "可以试试" in empty.inner_text() and "取消部分筛选条件" in empty.inner_text()
    # The three listings, linked relative to the page (as in the USB bundle).
    listings = empty.locator(".portal-sp-links a")
    assert listings.all_inner_texts() == ["技术资料", "传承人", "政策通知"]
    assert [a.get_attribute("href") for a in listings.all()] == ["../technologies/", "../mentors/", "../policies/"]
    listings.first.click()
    page.wait_for_url(re.compile(r"/technologies/$"))
    assert page.locator("a.portal-item__title").count() > 0
    assert page.foreign_requests == [] and page.errors == []


def test_nothing_found_with_filters_offers_the_search_without_them(page, site_server):
    # No technology has a region: 艾灸 in 上海 finds nothing, 艾灸 alone does.
    page.goto(site_server + "/search/?q=艾灸&region=上海")
    wait_status(page, "没有找到")
    wider = page.locator("#portal-sp-relaxed a")
    wider.wait_for(timeout=15000)
    assert "不限筛选条件" in wider.inner_text()
    wider.click()
    page.wait_for_url(re.compile(r"q=%E8%89%BE%E7%81%B8$|q=艾灸$"))
    assert "region" not in query_of(page)
    assert results(page).count() > 0
    assert page.foreign_requests == [] and page.errors == []


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
    assert "医共体" in marks.all_inner_texts()
    # The first mark was scrolled into view.
    assert page.evaluate("""() => { const r = document.querySelector('mark.pagefind-highlight').getBoundingClientRect();
                                    return r.top >= 0 && r.bottom <= window.innerHeight; }""")
    assert page.errors == []


def test_one_answer_and_readable_excerpts(page, site_server):
    """There is one answer: no 在正文中继续查找, and an old link's full=1 is dropped.
    Excerpts read as normal Chinese, with the query marked."""
    page.goto(site_server + "/search/?q=基层&full=1")
    wait_status(page, re.compile(r"^找到 \d+ 条结果"))
    assert "full" not in query_of(page) and query_of(page)["q"] == ["基层"]
    assert page.get_by_role("button", name="在正文中继续查找").count() == 0
    assert "在正文" not in page.locator("#portal-sp").inner_text()
    excerpts = page.locator("#portal-sp-results .portal-sp-excerpt")
    html = excerpts.first.inner_html()
    assert "<mark>基层</mark>" in html and not re.search(r"\bz[qz]\w", html), html
    assert all(not re.search(r"\bz[qz]\w", t) for t in excerpts.all_inner_texts())
    # A new query keeps the address free of full=1 too.
    page.locator("#portal-sp-q").fill("医疗")
    page.wait_for_url(re.compile(r"q=%E5%8C%BB%E7%96%97"))
    wait_status(page, "找到")
    assert set(query_of(page)) == {"q"}
    assert page.foreign_requests == [] and page.errors == []


# --- Phone first (390 x 844) -------------------------------------------------

# What a finger presses on the search page: the header's box and links, the
# form's controls, the filter rows (a checkbox's target is its whole label),
# buttons and every link of the answer.
TARGETS = ("#portal-search input, #portal-search a, #portal-sp-form input, #portal-sp-form select, "
           "#portal-sp-form button, #portal-sp-form label, #portal-sp a, #portal-sp button, #portal-sp label")


def small_targets(page) -> list[str]:
    small = []
    targets = page.locator(TARGETS)
    for i in range(targets.count()):
        target = targets.nth(i)
        if not target.is_visible() or "portal-visually-hidden" in (target.get_attribute("class") or ""):
            continue
        box = target.bounding_box()
        if box["width"] < TAP or box["height"] < TAP:
            small.append(f"{box['width']:.0f}x{box['height']:.0f} {target.evaluate('e => e.outerHTML')[:100]}")
    return small


def test_phone_results_first_and_filters_behind_a_button(phone, site_server):
    phone.goto(site_server + "/search/?q=艾灸")
    results(phone)
    wait_status(phone, "找到")
    # The first result, title to excerpt, is above the fold, below every control.
    first = phone.locator("#portal-sp-results > li").first.bounding_box()
    assert first["y"] > 0 and first["y"] + first["height"] <= PHONE["height"], first
    toggle = phone.locator("#portal-sp-toggle")
    controls = [phone.locator(s) for s in ("#portal-sp-q", "#portal-sp-form button[type=submit]", "#portal-sp-sort")]
    for control in controls + [toggle]:
        box = control.bounding_box()
        assert box["y"] + box["height"] <= first["y"], control
    # The filters wait behind 筛选, a disclosure button.
    panel = phone.locator("#" + toggle.get_attribute("aria-controls"))
    assert toggle.is_visible() and toggle.inner_text() == "筛选"
    assert toggle.get_attribute("aria-expanded") == "false"
    assert panel.is_hidden()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true" and panel.is_visible()
    assert panel.locator("label", has_text="技术资料").is_visible()
    # Every checkbox is inside its label, so the whole row is the target.
    boxes = panel.locator("input[type=checkbox]")
    assert boxes.count() > 3 and boxes.count() == panel.locator("label input[type=checkbox]").count()
    assert small_targets(phone) == []
    toggle.click()
    assert panel.is_hidden()
    assert phone.foreign_requests == [] and phone.errors == []


def test_phone_filter_button_counts_the_filters(phone, site_server):
    phone.goto(site_server + "/search/?q=艾灸&collection=技术资料")
    results(phone)
    wait_status(phone, "找到")
    toggle = phone.get_by_role("button", name=re.compile("^筛选"))
    assert toggle.inner_text() == "筛选（1）"
    assert phone.locator("#portal-sp-filters").is_hidden()
    toggle.click()
    category = phone.locator("#portal-sp-filters label").filter(has=phone.locator("input[name=category]")).first
    category.click()
    phone.wait_for_url(re.compile(r"category="))
    assert toggle.inner_text() == "筛选（2）"
    # The results are marked busy until the filtered answer is drawn.
    phone.locator("#portal-sp-results:not([aria-busy])").wait_for(state="attached", timeout=15000)
    wait_status(phone, re.compile(r"找到 (\d+) 条结果"))
    found = re.search(r"找到 (\d+) 条结果", phone.locator("#portal-sp-status").inner_text()).group(1)
    # The panel's last button goes back to the results, saying how many there are.
    done = phone.get_by_role("button", name=f"查看 {found} 条结果")
    assert done.bounding_box()["height"] >= TAP
    done.click()
    assert phone.locator("#portal-sp-filters").is_hidden()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert phone.evaluate("document.activeElement.id") == "portal-sp-toggle"
    assert phone.locator("#portal-sp-results > li").first.bounding_box()["y"] < PHONE["height"]
    assert query_of(phone)["collection"] == ["技术资料"]


def test_phone_nothing_found_and_more_results_are_finger_sized(phone, site_server):
    phone.goto(site_server + "/search/?q=☃☃")
    wait_status(phone, "没有找到")
    assert phone.locator("#portal-sp-empty .portal-sp-links a").count() == 3
    # Nothing to filter by: no 筛选 button to an empty panel.
    assert phone.locator("#portal-sp-toggle").is_hidden()
    assert small_targets(phone) == []
    phone.goto(site_server + "/search/?q=医疗")
    results(phone)
    more = phone.get_by_role("button", name="加载更多结果")
    more.wait_for()
    assert small_targets(phone) == []
    # The header's results are one link each, finger-sized too.
    phone.locator("#portal-search-q").fill("艾灸")
    phone.locator("#portal-search-panel .portal-search__link").first.wait_for(timeout=15000)
    assert small_targets(phone) == []


# --- The answer's other parts, from a stand-in search core --------------------

# search-core.js answers with how it read the query, suggestions and listing
# pages; this stand-in gives fixed answers so the page's rendering of each is tested.
STAND_IN_CORE = r"""
(function () {
  var notice = {url: "/policies/x/?highlight=针灸", plainUrl: "/policies/x/", title: "关于推广针灸的通知",
    kind: "政策通知", example: false,
    facts: ["国卫医发〔2024〕1号", "国家卫生健康委、国家医保局、国家中医药局、国家疾控局", "2024年3月1日"],
    badge: {label: "现行有效", tone: "open"}, excerpt: "各地推广<mark>针灸</mark>技术。"};
  var mentor = {url: "/mentors/y/", plainUrl: "/mentors/y/", title: "<b>示例</b>传承人", kind: "传承人",
    example: true, facts: ["名老中医", "四川"], badge: {label: "招收中", tone: "x onerror"},
    excerpt: "擅长<mark>针灸</mark>。"};
  var plain = {terms: [], dropped: [], date: null, pinyin: [], corrected: []};
  var answers = {
    "zhenjiu": {items: [notice, mentor],
      understood: {terms: ["针灸"], dropped: [], date: null, pinyin: [{from: "zhenjiu", to: "针灸"}], corrected: []}},
    "怎么查偏保 2024年3月": {items: [notice],
      understood: {terms: ["骗保"], dropped: ["怎么", "查"], date: "2024年3月", pinyin: [],
                   corrected: [{from: "偏保", to: "骗保"}]},
      suggestions: [{text: "骗保", query: "骗保"}, {text: "医保基金监管", query: "医保基金监管"}],
      facets: [{label: "陕西的政策通知", url: "/policies/by/region/shan-xi/"}]},
    "无此内容": {items: [], suggestions: [{text: "艾灸", query: "艾灸"}],
      facets: [{label: "治疗类技术", url: "/technologies/by/category/zhi-liao/"}]}
  };
  var counts = {"栏目": {"政策通知": 1, "传承人": 1}};
  window.PortalSearch = {
    load: function () { return Promise.resolve(); },
    filters: function () { return Promise.resolve(counts); },
    search: function (query) {
      var a = answers[query] || {items: []};
      return Promise.resolve({
        results: a.items.map(function (item, i) {
          return {id: "r" + i, score: 1, data: function () { return Promise.resolve(item); }};
        }),
        total: a.items.length, filters: counts, partial: false, complete: true,
        understood: a.understood || plain, suggestions: a.suggestions || [], facets: a.facets || []
      });
    }
  };
})();
"""


FACTS = "国卫医发〔2024〕1号 · 国家卫生健康委、国家医保局等4个 · 2024年3月1日"


@pytest.fixture
def stand_in(browser, site_server):
    # No service worker: it would fetch search-core.js past the route.
    context, pg = open_page(browser, site_server, service_workers="block")
    pg.route(re.compile(r"/assets/javascripts/search-core\.js$"),
             lambda route: route.fulfill(body=STAND_IN_CORE, content_type="text/javascript"))
    yield pg
    context.close()


def test_a_result_shows_kind_facts_status_and_example(stand_in, site_server):
    stand_in.goto(site_server + "/search/?q=zhenjiu")
    wait_status(stand_in, "找到 2 条结果")
    understood = stand_in.locator("#portal-sp-understood")
    assert understood.inner_text() == "按拼音“zhenjiu”查找：针灸。"
    notice, mentor = stand_in.locator("#portal-sp-results > li").all()
    assert notice.locator(".portal-sp-title").inner_text() == "关于推广针灸的通知"
    assert notice.locator(".portal-sp-title").get_attribute("href") == "/policies/x/?highlight=针灸"
    assert notice.locator(".portal-sp-type").inner_text() == "政策通知"
    assert notice.locator(".portal-tag--example").count() == 0
    # Four issuers read as the first two and how many there are.
    assert notice.locator(".portal-sp-meta").inner_text() == FACTS
    badge = notice.locator(".portal-badge")
    assert badge.inner_text() == "现行有效" and badge.get_attribute("class") == "portal-badge portal-badge--open"
    assert notice.locator(".portal-sp-excerpt").inner_html() == "各地推广<mark>针灸</mark>技术。"
    # Titles are text; an unknown tone is shown as unknown.
    assert mentor.locator(".portal-sp-title").inner_text() == "<b>示例</b>传承人"
    assert mentor.locator(".portal-tag--example").inner_text() == "示例"
    assert mentor.locator(".portal-badge").get_attribute("class") == "portal-badge portal-badge--unknown"
    assert mentor.locator(".portal-sp-meta").inner_text() == "名老中医 · 四川"
    assert stand_in.locator("#portal-sp-suggest").is_hidden() and stand_in.locator("#portal-sp-facets").is_hidden()
    assert stand_in.errors == []


def test_how_the_query_was_read_suggestions_and_listings(stand_in, site_server):
    stand_in.goto(site_server + "/search/?q=" + "怎么查偏保 2024年3月")
    wait_status(stand_in, "找到 1 条结果")
    line = stand_in.locator("#portal-sp-understood").inner_text()
    assert line == "已按“骗保”查找（您输入的是“偏保”）；已略去“怎么”“查”，按“骗保”查找；只显示 2024年3月 发布的通知。"
    suggestion = stand_in.locator("#portal-sp-suggest")
    # 骗保 was searched already: only the other suggestion is offered.
    assert suggestion.inner_text().startswith("您是不是要找：")
    link = suggestion.locator("a")
    assert link.inner_text() == "医保基金监管"
    assert parse_qs(urlsplit(link.get_attribute("href")).query) == {"q": ["医保基金监管"]}
    facet = stand_in.locator("#portal-sp-facets a")
    assert facet.inner_text() == "陕西的政策通知" and facet.get_attribute("href") == "/policies/by/region/shan-xi/"
    link.click()
    stand_in.wait_for_url(re.compile(r"/search/\?q=%E5%8C%BB"))
    assert stand_in.locator("#portal-sp-q").input_value() == "医保基金监管"


def test_nothing_found_offers_suggestions_listings_and_tips(stand_in, site_server):
    stand_in.goto(site_server + "/search/?q=无此内容")
    wait_status(stand_in, "没有找到与“无此内容”相关的内容")
    assert stand_in.locator("#portal-sp-understood").is_hidden()
    assert stand_in.locator("#portal-sp-suggest a").inner_text() == "艾灸"
    facet = stand_in.locator("#portal-sp-facets a")
    assert facet.is_visible() and facet.get_attribute("href") == "/technologies/by/category/zhi-liao/"
    empty = stand_in.locator("#portal-sp-empty")
    assert empty.is_visible() and "可以试试" in empty.inner_text()
    assert "取消部分筛选条件" not in empty.inner_text()
    assert empty.locator(".portal-sp-links a").count() == 3


def test_header_results_read_the_same(stand_in, site_server):
    stand_in.goto(site_server + "/")
    stand_in.locator("#portal-search-q").fill("zhenjiu")
    links = stand_in.locator("#portal-search-panel .portal-search__link")
    links.first.wait_for(timeout=15000)
    status = stand_in.locator("#portal-search-panel .portal-search__status")
    assert status.inner_text() == "按拼音“zhenjiu”查找：针灸。找到 2 条结果。"
    first = links.first
    assert first.locator(".portal-search__title").inner_text() == "关于推广针灸的通知"
    assert first.locator(".portal-search__type").inner_text() == "政策通知"
    assert first.locator(".portal-badge--open").inner_text() == "现行有效"
    assert first.locator(".portal-search__meta").inner_text() == FACTS
    assert links.nth(1).locator(".portal-tag--example").inner_text() == "示例"
    # With nothing found: the suggestions open the search page, the listing pages their own.
    stand_in.locator("#portal-search-q").fill("无此内容")
    status.filter(has_text="没有找到").wait_for(timeout=15000)
    suggestion = stand_in.locator("#portal-search-panel .portal-search__suggest a")
    assert suggestion.inner_text() == "艾灸"
    assert suggestion.get_attribute("href") == "search/?q=%E8%89%BE%E7%81%B8"
    facet = stand_in.locator("#portal-search-panel .portal-search__facets a")
    assert facet.get_attribute("href") == "/technologies/by/category/zhi-liao/"
    assert links.count() == 0
    assert stand_in.errors == []


def test_my_facility_narrows_the_results_in_one_tap(phone, site_server):
    from portal.catalogue import build_catalogue
    from conftest import ROOT, today

    technologies = build_catalogue(ROOT / "data", today()).technologies.values()
    everything = f"找到 {len(technologies)} 条结果"
    suits = [r for r in technologies if "村卫生室" in (r.get("levels") or [])]
    # Before a facility is set, nothing of it shows.
    phone.goto(site_server + "/technologies/ai-jiu-liao-fa/")
    assert phone.locator("#my-facility").is_hidden()
    phone.goto(site_server + "/search/?collection=技术资料")
    wait_status(phone, everything)
    assert phone.locator("#portal-sp-mine").is_hidden()

    phone.evaluate("localStorage.setItem('portal-facility', JSON.stringify({level: '村卫生室', region: '陕西'}))")
    phone.reload()
    wait_status(phone, everything)
    mine = phone.locator("#portal-sp-mine")
    assert mine.inner_text() == "只看适合我的机构（村卫生室）" and mine.get_attribute("aria-pressed") == "false"
    box = mine.bounding_box()
    assert box["width"] >= TAP and box["height"] >= TAP
    mine.click()
    wait_status(phone, f"找到 {len(suits)} 条结果")
    assert mine.get_attribute("aria-pressed") == "true"
    assert query_of(phone)["level"] == ["村卫生室"]
    mine.click()
    wait_status(phone, everything)
    assert "level" not in query_of(phone)
    assert phone.errors == [] and phone.foreign_requests == []
