"""A technology prints as a bedside card: one A4 page with the site's name, the
key facts, the 备案 rule, indications, contraindications and steps, its sources,
the page's address and the dates (updated, printed)."""

from __future__ import annotations

import datetime as dt
import re

from conftest import ROOT
from portal.catalogue import build_catalogue
from conftest import today

# A PDF names each page object /Type /Page (and the page tree /Type /Pages).
_PAGE = re.compile(rb"/Type\s*/Page(?!s)")


def test_every_technology_prints_on_one_a4_page(page, site_server):
    catalogue = build_catalogue(ROOT / "data", today())
    for rec in catalogue.technologies.values():
        page.goto(f"{site_server}/{rec.url}")
        page.emulate_media(media="print")
        pdf = page.pdf(format="A4", prefer_css_page_size=True)
        assert len(_PAGE.findall(pdf)) == 1, rec.url


def test_the_card_says_where_it_comes_from_and_when(page, site_server):
    url = f"{site_server}/technologies/zhong-liu-xiao-rong/"
    page.goto(url)
    page.emulate_media(media="print")
    # The site's name (the header's) and the card's parts print; links and history do not.
    assert page.locator(".md-header__topic").first.inner_text().strip() == "卫生健康技术推广门户"
    for shown in ("h1", "#filing", "#indications", "#contraindications", "#equipment", "#sources"):
        assert page.locator(shown).first.is_visible(), shown
    for hidden in ("#history", "#mentors", "#policies", ".portal-contents", ".portal-search"):
        assert not page.locator(hidden).first.is_visible(), hidden
    foot = page.locator(".portal-print-foot")
    assert foot.is_visible()
    china_today = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=8)).date()
    text = foot.inner_text()
    assert f"本页地址：{url}" in text
    assert f"打印于 {china_today.year}年{china_today.month}月{china_today.day}日" in text
    # On screen the foot is not shown.
    page.emulate_media(media="screen")
    assert not foot.is_visible()
