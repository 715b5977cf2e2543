"""Listings without JavaScript: sorting, pagination, facets and the policy charts."""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import xml.etree.ElementTree as ET

import pytest

from portal.catalogue import build_catalogue
from portal.facets import SORTS
from portal.render.listings import listing_pages
from portal.routes import PAGE_SIZE, listing_url
from portal.render.pages import Renderer, generated_pages
from conftest import MINIMAL, write_data

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def big_catalogue(tmp_path):
    """MINIMAL plus 120 notices over 2023–2024 in three regions."""
    records = dict(MINIMAL)
    regions = ["北京", "上海", "全国"]
    for n in range(120):
        day = dt.date(2023, 1, 1) + dt.timedelta(days=5 * n)
        records[f"policies/p-{n:03d}.yaml"] = f"""\
            title: 关于第{n:03d}号示例事项的通知
            issuers: [示例机关]
            region: {regions[n % 3]}
            published: {day.isoformat()}
            topics: [医政管理]
            """
    return build_catalogue(write_data(tmp_path / "data", records), dt.date(2024, 3, 28))


def test_large_listings_are_paginated_in_both_orders(big_catalogue):
    pages = listing_pages(big_catalogue, "policies")
    by_sort = {s.key: [p for p in pages if p.sort.key == s.key] for s in SORTS["policies"]}
    total = len(big_catalogue.policies)
    for key, sorted_pages in by_sort.items():
        assert len(sorted_pages) == -(-total // PAGE_SIZE) == 3
        shown = [r.id for p in sorted_pages for _, recs in p.groups for r in recs]
        assert len(shown) == len(set(shown)) == total
    newest = [r.data["published"] for p in by_sort["date"] for _, recs in p.groups for r in recs]
    assert newest == sorted(newest, reverse=True)
    assert {p.url for p in pages} == {
        "policies/", "policies/by/page/2/", "policies/by/page/3/",
        "policies/by/sort/title/", "policies/by/sort/title/page/2/", "policies/by/sort/title/page/3/"}


def test_title_order_follows_pinyin(big_catalogue, tmp_path):
    records = {**MINIMAL}
    for rid, title in (("a", "安宁疗护通知"), ("b", "北京市通知"), ("z", "中医药通知")):
        records[f"policies/{rid}-x.yaml"] = f"title: {title}\nissuers: [示例]\npublished: 2024-01-01\n"
    cat = build_catalogue(write_data(tmp_path / "d2", records), dt.date(2024, 3, 28))
    page = [p for p in listing_pages(cat, "policies") if p.sort.key == "title"][0]
    titles = [r.title for _, recs in page.groups for r in recs]
    assert titles.index("安宁疗护通知") < titles.index("北京市通知") < titles.index("中医药通知")
    assert [g for g, _ in page.groups][0] == "A"


def test_listing_page_links_sorts_and_pages(big_catalogue):
    renderer = Renderer(big_catalogue)
    second = next(p for p in listing_pages(big_catalogue, "policies") if p.page == 2 and p.sort.key == "date")
    html = renderer.listing(second).html
    assert 'rel="prev" href="../../../"' in html and 'rel="next" href="../3/"' in html
    assert '<strong aria-current="page">2</strong>' in html
    assert 'href="../../sort/title/"' in html  # the other order, from page 1
    assert "共 122 条，第 2/3 页" in html


def test_facet_pages_have_their_own_pages(big_catalogue):
    urls = {p.url for p in generated_pages(big_catalogue)}
    assert "policies/by/region/北京/" in urls
    assert "policies/by/region/北京/sort/title/" in urls
    assert listing_url("policies") == "policies/"


def test_policy_listing_has_tile_map_and_timeline(big_catalogue):
    renderer = Renderer(big_catalogue)
    first = listing_pages(big_catalogue, "policies")[0]
    html = renderer.listing(first).html
    svgs = re.findall(r"<svg.*?</svg>", html, flags=re.S)
    assert len(svgs) == 2
    tiles, timeline = (ET.fromstring(s) for s in svgs)
    links = {a.get("href"): "".join(a.itertext()) for a in tiles.iter(f"{SVG}a")}
    assert links["by/region/北京/"].startswith("北京：40 条")
    assert all(not href.startswith("http") for href in links)
    assert "北京" in tiles.find(f"{SVG}desc").text
    # One bar per month from the first notice to the last, empty months included.
    months = [t.text for t in timeline.iter(f"{SVG}title") if t.text and "月：" in t.text]
    last = max(r.data["published"] for r in big_catalogue.policies.values())
    assert months[0].startswith("2023年1月：") and months[-1].startswith(f"{last.year}年{last.month}月：")
    assert len(months) == (last.year - 2023) * 12 + last.month
    # Only the first page of the unfiltered listing carries the charts.
    later = renderer.listing(listing_pages(big_catalogue, "policies")[1]).html
    assert "<svg" not in later


# --- filters combined without JavaScript ----------------------------------------------

def _technology(name: str, management_class: str, levels: list[str], category: str = "治疗") -> str:
    return f"""\
        name: {name}
        summary: {name}的示例说明。
        tradition: 传统医学
        category: {category}
        management_class: {management_class}
        levels: [{", ".join(levels)}]
        stage: 推广
        review_due: 2030-01-01
        sources:
          - title: 示例来源
        entry_example: true
        """


@pytest.fixture
def levels_catalogue(tmp_path):
    """MINIMAL plus technologies of both classes at several levels."""
    records = dict(MINIMAL)
    for rid, name, cls, levels, category in (
            ("t-a", "甲技术", "一般", ["村卫生室", "乡镇卫生院"], "治疗"),
            ("t-b", "乙技术", "限制类", ["村卫生室"], "治疗"),
            ("t-c", "丙技术", "限制类", ["县级医院"], "诊断"),
            ("t-d", "丁技术", "一般", ["乡镇卫生院"], "护理")):
        records[f"technologies/{rid}.yaml"] = _technology(name, cls, levels, category)
    return build_catalogue(write_data(tmp_path / "data", records), dt.date(2024, 3, 28))


def _pages(catalogue) -> dict[str, str]:
    return {p.url: p.html for p in generated_pages(catalogue)}


def _titles(html: str) -> list[str]:
    return re.findall(r'class="portal-item__title"[^>]*>([^<]+)', html)


def _facet_links(url: str, html: str) -> dict[str, tuple[str, int]]:
    """{"facet label: value": (target address, count)} of a listing's filter links."""
    nav = html[html.index('class="portal-facets"'):]
    links = {}
    for block in re.findall(r'<div class="portal-facet">(.*?)</div>', nav, flags=re.S):
        label = re.search(r'portal-facet__title[^>]*>([^<]+)<', block).group(1)
        for href, value, count in re.findall(
                r'<a href="([^"]+)"[^>]*>([^<]+?) <span class="portal-facet__count">(\d+)</span>', block):
            links[f"{label}：{value}"] = (posixpath.normpath(posixpath.join(url, href)) + "/", int(count))
    return links


def test_a_facility_level_and_a_class_combine_into_a_page_of_their_own(levels_catalogue):
    pages = _pages(levels_catalogue)
    village = "technologies/by/level/村卫生室/"
    links = _facet_links(village, pages[village])
    # From 村卫生室, 限制类 keeps 村卫生室: the link leads to the pair's page, with its count.
    target, count = links["管理类别：限制类"]
    assert target == "technologies/by/management-class/限制类/level/村卫生室/"
    assert count == 1 and _titles(pages[target]) == ["乙技术"]
    assert "共 1 条" in pages[target]
    assert "<h1>技术资料：管理类别 · 限制类，适用机构 · 村卫生室</h1>" in pages[target]
    # The other way round leads to the same page: one pair, one address.
    assert _facet_links("technologies/by/management-class/限制类/",
                        pages["technologies/by/management-class/限制类/"])["适用机构：村卫生室"][0] == target
    # A pair comes in its first order only; the sort row says which it is.
    assert target + "sort/date/" not in pages
    assert '<strong aria-current="true">按名称拼音</strong>' in pages[target]
    assert 'href="../../../../sort/' not in pages[target]


def test_every_filter_count_is_the_count_of_the_page_it_leads_to(levels_catalogue):
    """Counts follow the chosen filters: each link's number is what the reader finds there."""
    pages = _pages(levels_catalogue)
    checked = 0
    for url, html in pages.items():
        if "/by/" not in url and url not in ("technologies/", "policies/", "mentors/"):
            continue
        for name, (target, count) in _facet_links(url, html).items():
            assert f"共 {count} 条" in pages[target], (url, name, target)
            checked += 1
    assert checked > 100
    # On the 村卫生室 page the classes count 村卫生室's technologies only, not the site's.
    links = _facet_links("technologies/by/level/村卫生室/", pages["technologies/by/level/村卫生室/"])
    assert links["管理类别：一般"][1] == 2      # 艾灸 and 甲技术; four 一般 technologies in all
    assert "管理类别：临床研究" not in links     # nothing to find there


def test_a_filter_that_cannot_combine_says_which_it_gives_up(levels_catalogue):
    pages = _pages(levels_catalogue)
    url = "technologies/by/management-class/限制类/"
    html = pages[url]
    links = _facet_links(url, html)
    # 技术范围 and 限制类 make no page together: the link leaves 限制类, and the page says so first.
    assert links["技术范围：诊断"][0] == "technologies/by/category/诊断/"
    block = re.search(r'id="facet-category".*?</ul>', html, flags=re.S).group(0)
    assert "选择后，将不再按管理类别“限制类”筛选" in block
    assert "不再按" not in re.search(r'id="facet-level".*?</ul>', html, flags=re.S).group(0)


def test_chosen_filters_can_be_taken_off_one_at_a_time(levels_catalogue):
    pages = _pages(levels_catalogue)
    url = "technologies/by/management-class/限制类/level/村卫生室/"
    chosen = re.search(r'<div class="portal-facet portal-chosen">(.*?)</div>', pages[url], flags=re.S).group(1)
    removals = {label: posixpath.normpath(posixpath.join(url, href)) + "/" for href, label in
                re.findall(r'<a href="([^"]+)"><span class="portal-visually-hidden">取消条件：</span>([^<]+?) <', chosen)}
    assert removals == {"管理类别：限制类": "technologies/by/level/村卫生室/",
                        "适用机构：村卫生室": "technologies/by/management-class/限制类/"}
    assert "清除全部筛选" in chosen


def test_notices_combine_a_region_and_a_topic_and_save_with_the_region(big_catalogue):
    table = Renderer(big_catalogue).routes
    route = table["policies/by/region/北京/topic/医政管理/"]
    assert route.offline_group == "policies-北京" and not route.offers_offline
    assert table.count("policies", route.filters) == 40
    # The region's offline group holds the pair's pages, so they open offline too.
    group = next(g for g in table.offline_groups if g.key == "policies-北京")
    assert route.url in group.urls
