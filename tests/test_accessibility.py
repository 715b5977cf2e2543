"""axe-core on every page type: no serious or critical accessibility violation."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from test_security import PAGE_TYPES

pytestmark = pytest.mark.browser


def test_no_serious_or_critical_violations(browser, site_server, capsys):
    axe = Axe()
    context = browser.new_context()
    page = context.new_page()
    serious, moderate = [], []
    for path in PAGE_TYPES + ["/mentors/", "/policies/by/topic/中医药/"]:
        page.goto(site_server + path)
        page.wait_for_load_state("networkidle")
        for violation in axe.run(page).response["violations"]:
            entry = f"{path}: {violation['impact']} {violation['id']} ({len(violation['nodes'])}) {violation['help']}"
            (serious if violation["impact"] in ("serious", "critical") else moderate).append(entry)
    with capsys.disabled():
        print("\naxe: moderate or minor findings:", moderate or "none")
    assert serious == []
    context.close()
