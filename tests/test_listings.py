"""Listings without JavaScript: sorting, pagination, facets and the policy charts."""

from __future__ import annotations

import datetime as dt
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
