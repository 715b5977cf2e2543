"""axe-core on every page type: no serious or critical accessibility violation."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from test_security import PAGE_TYPES

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 900}, {"width": 390, "height": 844}],
                         ids=["desktop", "phone"])
def test_no_serious_or_critical_violations(browser, site_server, capsys, viewport):
    axe = Axe()
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    serious, moderate = [], []
    pages = PAGE_TYPES + ["/mentors/", "/policies/by/topic/中医药/", "/technologies/by/management-class/一般/level/村卫生室/",
                          "/statuses/", "/my-facility/", "/updates/", "/404.html"]
    # And what 我的机构 adds once a facility is set: the verdict, the one tap, the province first.
    mine = ["/technologies/zhong-liu-xiao-rong/", "/technologies/", "/", "/my-facility/", "/subscribe/"]
    for n, path in enumerate(pages + mine):
        if n == len(pages):
            page.evaluate("localStorage.setItem('portal-facility', JSON.stringify("
                          "{level: '县级医院', region: '湖南', topics: ['中医药']}))")
        page.goto(site_server + path)
        page.wait_for_load_state("networkidle")
        for violation in axe.run(page).response["violations"]:
            entry = f"{path}: {violation['impact']} {violation['id']} ({len(violation['nodes'])}) {violation['help']}"
            (serious if violation["impact"] in ("serious", "critical") else moderate).append(entry)
    with capsys.disabled():
        print(f"\naxe ({viewport['width']} px): moderate or minor findings:", moderate or "none")
    assert serious == []
    context.close()


def test_every_page_has_a_skip_link_to_its_content_and_a_main_landmark(built_site):
    """The skip link leads past the header and navigation on every page, not
    only on pages with a table of contents; its target is the content."""
    for path in built_site.rglob("*.html"):
        if "pagefind" in path.parts:
            continue
        html = path.read_text(encoding="utf-8")
        assert html.count('<a href="#portal-main" class="md-skip portal-skip">跳到正文</a>') == 1, path
        assert html.count('id="portal-main"') == 1 and "<main" in html, path
        assert html.index('<a href="#portal-main"') < html.index("<header"), path
