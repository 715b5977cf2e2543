"""The route table (portal/routes.py) against the site a build writes: every page
it lists is written, every page written is listed (and in sitemap.xml), and the
feeds, offline groups and feed links the pages show are the table's."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import BUILD_DAY, ROOT
from portal import routes
from portal.catalogue import build_catalogue
from portal.routes import RouteTable
from portal.vocab import Vocab

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module")
def table() -> RouteTable:
    catalogue = build_catalogue(ROOT / "data", dt.date.fromisoformat(BUILD_DAY))
    # As the build lists them: the home page and pages marked `searchable: false` are not search results.
    content = [(routes.content_page(p.stem) if p.stem != "index" else "",
                "<!-- portal:home -->" not in p.read_text(encoding="utf-8")
                and "searchable: false" not in p.read_text(encoding="utf-8"))
               for p in sorted((ROOT / "content").glob("*.md"))]
    return RouteTable.build(catalogue, content)


def html_pages(site: Path) -> set[str]:
    """Site-relative directory URLs of the pages written (404.html is not a page of its own)."""
    return {p.parent.relative_to(site).as_posix() + "/" if p.parent != site else ""
            for p in site.rglob("index.html")}


def normal(url: str) -> str:
    return "" if url in ("", "/") else url.lstrip("/")


def test_the_sitemap_lists_every_page_written_and_nothing_else(built_site):
    root = ET.parse(built_site / "sitemap.xml").getroot()
    listed = [normal(loc.text) for loc in root.iter(SITEMAP + "loc")]
    assert len(listed) == len(set(listed))
    written = {normal(u) for u in html_pages(built_site)}
    assert set(listed) == written
    assert len(written) > 250  # records and listings, not only the pages MkDocs rendered
    assert {"technologies/ai-jiu-liao-fa/", "policies/by/region/陕西/", "about/", ""} <= written


def test_the_table_lists_exactly_the_pages_a_build_writes(built_site, table):
    assert {r.url for r in table.pages()} == {normal(u) for u in html_pages(built_site)}
    generated = list(table.generated())
    assert all(r.kind in (routes.RECORD, routes.LISTING) for r in generated)
    assert [r.url for r in generated if r.in_nav] == ["technologies/", "mentors/", "policies/"]


def test_every_feed_written_is_a_route_and_the_reverse(built_site, table):
    written = {str(p.relative_to(built_site)) for p in (built_site / "feeds").glob("*.xml")} - {routes.FEEDS_SITEMAP}
    assert {f.url for f in table.feeds()} == written
    for feed in table.feeds():
        assert table.get(feed.listing) is not None, feed.url  # a feed follows a listing page of the site


def test_every_calendar_written_is_a_route_and_the_reverse(built_site, table):
    written = {p.relative_to(built_site).as_posix() for p in (built_site / "calendar").glob("*.ics")}
    assert {c.url for c in table.calendars()} == written
    # Every deadline's, then one per province-level region of the vocabulary, none a page.
    regions = Vocab.load(ROOT / "data" / "vocab.yaml").regions
    assert [c.region for c in table.calendars()] == [None] + [r for r in regions if r != "全国"]
    assert table.calendars()[0].url == routes.CALENDAR
    assert not any(c.is_page for c in table.calendars())


def test_pages_link_the_feeds_the_table_gives_them(built_site, table):
    for url in ("policies/2024-an-hui-sheng-yi-liao-ji-gou-zhong-yao-zhi-ji-lin-chuang/", "policies/by/region/全国/", "technologies/ai-jiu-liao-fa/"):
        route = table.get(url) or pytest.fail(url)
        page = (built_site / url / "index.html").read_text(encoding="utf-8")
        shown = re.findall(r'<link rel="alternate" type="application/atom\+xml" title="([^"]*)"', page)
        assert shown == [title for title, _feed in route.feeds], url


def test_the_offline_groups_are_the_tables(built_site, table):
    saved = json.loads((built_site / routes.OFFLINE_LIST).read_text(encoding="utf-8"))["collections"]
    assert [(g["key"], g["label"], g["url"], tuple(g["urls"]), tuple(g.get("includes", ()))) for g in saved] == \
        [(g.key, g.label, g.url, g.urls, g.includes) for g in table.offline_groups]
    pages = html_pages(built_site)
    for group, listed in zip(table.offline_groups, saved):
        assert set(table.group_pages(group)) <= pages, group.key
        assert listed["pages"] == len(table.group_pages(group)), group.key
        offer = (built_site / group.url / "index.html").read_text(encoding="utf-8")
        assert f'data-offline-key="{group.key}"' in offer
    assert [g.key for g in table.offline_groups][:4] == ["technologies", "mentors", "policies", "policies-全国"]
    # 全部政策通知 holds every notice, each also in its region's group.
    every = next(g for g in table.offline_groups if g.key == "policies")
    notices = {r.url for r in table.routes if r.kind == routes.RECORD and r.collection == "policies"}
    assert notices <= set(table.group_pages(every)) and every.url == "policies/"
    # It names the region groups instead of listing their notices again.
    regional = {u for g in table.offline_groups if g.key.startswith("policies-") for u in g.urls}
    assert not set(every.urls) & regional and set(every.includes) == \
        {g.key for g in table.offline_groups if g.key.startswith("policies-")}


def test_the_search_index_holds_the_searchable_pages(built_site, table):
    searchable = table.searchable()
    assert "/technologies/ai-jiu-liao-fa/" in searchable and "/about/" in searchable
    assert not any(u.startswith("/technologies/by/") for u in searchable)  # listings are not results
    assert "/" not in searchable  # the home page is made of the records' text
