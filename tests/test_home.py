"""The home page gives ways in by what a doctor is and where, puts the dates a
reader acts on before the programme's review dates, and counts days in the
reader's browser, not at build time."""

from __future__ import annotations

import datetime as dt
import re

from portal.catalogue import build_catalogue
from portal.render.pages import Renderer
from conftest import MINIMAL, ROOT, replace_text, write_data

DAY = dt.date(2024, 3, 28)


def test_ways_in_by_facility_level_region_and_topic():
    catalogue = build_catalogue(ROOT / "data", DAY)
    home = Renderer(catalogue).home()
    levels = home[home.index('id="way-level"'):]
    levels = levels[:levels.index("</ul>")]
    for level in ("村卫生室", "乡镇卫生院", "社区卫生服务中心", "县级医院"):
        count = sum(level in (r.get("levels") or []) for r in catalogue.technologies.values())
        assert (f'href="technologies/by/level/{level}/" data-facet="level" data-value="{level}">{level}'
                f'<span class="portal-muted">（{count}）</span>') in levels
    assert 'href="policies/by/region/陕西/"' in home and 'id="way-topic"' in home
    # On a phone the news comes before the long lists of regions and topics.
    assert home.index('id="way-level"') < home.index('id="latest"') < home.index('id="way-region"')


def test_reader_dates_come_before_review_dates(tmp_path):
    data = write_data(tmp_path / "data", {**MINIMAL, **replace_text(
        "policies/2024-zhong-yi-yao.yaml", "kind: 通知", "kind: 通知\neffective: 2024-05-01")})
    catalogue = build_catalogue(data, DAY)
    home = Renderer(catalogue).home()
    dates = home[home.index('id="deadlines"'):]
    assert "开始施行：" in dates[:dates.index('id="reviews"')] and "意见反馈截止" in dates
    # Review dates of technologies have their own list, after the reader's.
    assert "技术评估到期" not in dates[:dates.index('id="reviews"')]
    assert "技术评估到期（示例）" in dates[dates.index('id="reviews"'):]
    # No count of days is written at build time: the browser works it out.
    assert not re.search(r"还有 \d+ 天|（今天）|（已过）", home)
    assert '<time datetime="2024-04-08" data-portal-relative>2024年4月8日</time>' in home


def test_days_are_counted_from_the_readers_today(page, site_server):
    """A page built on 2024-03-28 counts from the day it is read: the Shaanxi
    call's dates, read on 2025-05-30 (Beijing time), are past, today and ahead."""
    # 2025-05-30 00:30 in Beijing is still 2025-05-29 in UTC: days follow China's calendar.
    page.clock.set_fixed_time(dt.datetime(2025, 5, 29, 16, 30, tzinfo=dt.timezone.utc))
    page.goto(site_server + "/policies/2025-zheng-ji-2025-nian-du-guo-jia-biao-zhun-hua-shi-dian/")
    timeline = page.locator(".portal-timeline li")
    timeline.first.locator("[data-portal-relative-note]").wait_for(timeout=10000)
    for item in timeline.all():
        day = dt.date.fromisoformat(item.locator("time").get_attribute("datetime"))
        note = item.locator("[data-portal-relative-note]").inner_text()
        days = (day - dt.date(2025, 5, 30)).days
        assert note == ("（今天）" if days == 0 else f"（还有 {days} 天）" if days > 0 else "（已过）"), day
        assert ("portal-past" in item.get_attribute("class")) == (days < 0)
    notes = page.locator(".portal-timeline [data-portal-relative-note]").all_inner_texts()
    assert {"（已过）", "（今天）", "（还有 11 天）"} <= set(notes)
    assert page.errors == []
