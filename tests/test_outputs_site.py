"""Feeds, calendar and open data in a real build, at two build dates."""

from __future__ import annotations

import csv
import datetime as dt
import html.parser
import io
import json
import re

import feedparser
import icalendar
import pytest

from conftest import run_portal, write_data
from portal.catalogue import build_catalogue
from portal.routes import RouteTable

CONSULTATION = "policies/2024-yi-jian-zheng-qiu"


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    root = tmp_path_factory.mktemp("dated")
    data = write_data(root / "data")
    built = {}
    for day in ("2024-03-28", "2024-04-09"):
        site = root / day
        result = run_portal("build", "--data", str(data), "--today", day, "--site-dir", str(site))
        assert result.returncode == 0, result.stderr
        built[day] = site
    return built


def events(site, path="calendar/deadlines.ics"):
    calendar = icalendar.Calendar.from_ical((site / path).read_bytes())
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


class MarkedLinks(html.parser.HTMLParser):
    """{attribute value: href} of the links carrying each of `names` (data-… attributes)."""

    def __init__(self, *names: str):
        super().__init__()
        self.found: dict[str, dict[str, str]] = {name: {} for name in names}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, links in self.found.items():
            if tag == "a" and attrs.get(name):
                assert attrs[name] not in links, attrs[name]
                links[attrs[name]] = attrs["href"]


def marked_links(page: str, *names: str) -> dict[str, dict[str, str]]:
    parser = MarkedLinks(*names)
    parser.feed(page)
    return parser.found


def test_consultation_and_calendar_follow_the_build_date(sites):
    before, after = sites["2024-03-28"], sites["2024-04-09"]
    assert "征求意见中" in (before / CONSULTATION / "index.html").read_text(encoding="utf-8")
    assert "征求意见已结束" in (after / CONSULTATION / "index.html").read_text(encoding="utf-8")
    early, late = events(before), events(after)
    comment = [uid for uid in early if uid.startswith("policies-2024-yi-jian-zheng-qiu-")]
    assert comment and early[comment[0]].decoded("DTSTART").isoformat() == "2024-04-08"
    assert not any(uid.startswith("policies-2024-yi-jian-zheng-qiu-") for uid in late)
    # Events still ahead keep their UID from one build to the next.
    assert set(late) <= set(early) and late


def test_every_province_calendar_is_written_with_the_events_of_deadlines_ics(sites):
    site = sites["2024-03-28"]
    table = RouteTable.build(build_catalogue(site.parent / "data", dt.date(2024, 3, 28)))
    provinces = [c for c in table.calendars() if c.region]
    assert len(provinces) == 34
    assert {p.relative_to(site).as_posix() for p in (site / "calendar").glob("*.ics")} == \
        {c.url for c in table.calendars()}
    every = events(site)
    for route in provinces:
        calendar = icalendar.Calendar.from_ical((site / route.url).read_bytes())
        assert str(calendar["X-WR-CALNAME"]).endswith(f"：{route.region}及全国的截止日期")
        found = events(site, route.url)
        # The fixture's deadlines ahead are nationwide: in every province's calendar, as the same events.
        assert set(found) == set(every) and found
        for uid, event in found.items():
            assert event.to_ical() == every[uid].to_ical()


def test_feeds_parse_and_pages_link_them(sites):
    site = sites["2024-03-28"]
    feed = feedparser.parse((site / "feeds" / "policies.xml").read_bytes())
    assert not feed.bozo and feed.feed.title
    assert [e.title for e in feed.entries][0].startswith("关于某办法")
    assert feedparser.parse((site / "feeds" / "technologies.xml").read_bytes()).entries
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'rel="alternate" type="application/atom+xml"' in home
    subscribe = (site / "subscribe" / "index.html").read_text(encoding="utf-8")
    assert "feeds/policies-region-quan-guo.xml" in subscribe and "calendar/deadlines.ics" in subscribe


def test_a_published_site_gives_whole_addresses(tmp_path):
    """With the site's address known, what readers copy into other programs
    (feed and calendar addresses on the 订阅 page) and what search engines read
    (robots.txt, sitemap, canonical links) carry the whole address."""
    data = write_data(tmp_path / "data")
    site = tmp_path / "site"
    url = "https://example.org/portal/"
    result = run_portal("build", "--data", str(data), "--today", "2024-03-28", "--site-dir", str(site),
                        env={"PORTAL_SITE_URL": url})
    assert result.returncode == 0, result.stderr
    subscribe = (site / "subscribe" / "index.html").read_text(encoding="utf-8")
    assert f'href="{url}feeds/policies-region-quan-guo.xml"' in subscribe
    assert f'href="{url}calendar/deadlines.ics"' in subscribe
    # Every province's calendar and every region's feed, by the route table's address,
    # marked with its region for the box of the reader's own province (subscribe.js).
    table = RouteTable.build(build_catalogue(data, dt.date(2024, 3, 28)))
    links = marked_links(subscribe, "data-portal-calendar-region", "data-portal-feed-region")
    assert links["data-portal-calendar-region"] == {c.region: url + c.url for c in table.calendars() if c.region}
    assert len(links["data-portal-calendar-region"]) == 34
    assert links["data-portal-calendar-region"]["陕西"] == f"{url}calendar/shan3-xi1.ics"
    assert links["data-portal-feed-region"] == {f.region: url + f.url for f in table.feeds() if f.region}
    assert ">订阅地址</a>" in subscribe and ">feeds/" not in subscribe
    assert (site / "robots.txt").read_text(encoding="utf-8") == f"User-agent: *\nAllow: /\nSitemap: {url}sitemap.xml\n"
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{url}technologies/ai-jiu/</loc>" in sitemap and f"<loc>{url}policies/by/region/" in sitemap
    assert f"<loc>{url}technologies/by/management-class/一般/level/村卫生室/</loc>" in sitemap  # a pair of filters
    record = (site / "technologies" / "ai-jiu" / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{url}technologies/ai-jiu/">' in record
    # The 404 page is served at any depth: its links and assets start from the site's own folder.
    not_found = (site / "404.html").read_text(encoding="utf-8")
    rooted = re.findall(r'(?:href|src)="(/[^"]*)"', not_found)
    assert rooted and all(link.startswith("/portal/") for link in rooted), rooted
    assert 'href="/portal/search/"' in not_found
    # Without an address: relative links, and no sitemap line robots could not resolve.
    unpublished = tmp_path / "plain"
    assert run_portal("build", "--data", str(data), "--today", "2024-03-28", "--site-dir", str(unpublished),
                      env={"PORTAL_SITE_URL": ""}).returncode == 0
    assert (unpublished / "robots.txt").read_text(encoding="utf-8") == "User-agent: *\nAllow: /\n"
    assert 'href="../feeds/policies.xml"' in (unpublished / "subscribe" / "index.html").read_text(encoding="utf-8")


def test_open_data_files(sites):
    site = sites["2024-03-28"]
    policies = json.loads((site / "api" / "policies.json").read_text(encoding="utf-8"))
    assert policies["count"] == 2
    one = json.loads((site / "api" / "policies" / "2024-zhong-yi-yao.json").read_text(encoding="utf-8"))
    assert one["doc_number"] == "国中医药医政发〔2024〕1号" and one["technologies"] == ["ai-jiu"]
    raw = (site / "api" / "technologies.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert {r["name"] for r in rows} == {"艾灸", "旧技术"}
    schema = json.loads((site / "schemas" / "mentors.schema.json").read_text(encoding="utf-8"))
    assert schema["properties"]["tier"]["title"] == "层级"
    page = (site / "open-data" / "index.html").read_text(encoding="utf-8")
    assert "api/technologies.csv" in page and "CC BY 4.0" in page and "<code>doc_number</code>" in page
