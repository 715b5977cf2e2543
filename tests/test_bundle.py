"""`portal build --bundle`: the site as a zip that works from disk (file://), search included."""

from __future__ import annotations

import re
import zipfile

import pytest

from conftest import BUILD_DAY, run_portal


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle")
    result = run_portal("build", "--today", BUILD_DAY, "--site-dir", str(out / "site"), "--bundle", str(out / "portal.zip"))
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out / "portal.zip") as archive:
        archive.extractall(out / "unzipped")
    return out / "portal.zip", out / "unzipped" / "portal"


def test_bundle_is_reproducible_and_self_contained(bundle, tmp_path):
    zip_path, root = bundle
    again = tmp_path / "again.zip"
    assert run_portal("build", "--today", BUILD_DAY, "--site-dir", str(tmp_path / "site"), "--bundle", str(again)).returncode == 0
    assert again.read_bytes() == zip_path.read_bytes()
    assert (root / "index.html").is_file() and not (root / "pagefind").exists() and not (root / "sw.js").exists()
    for page in root.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        # Directory links would open a folder listing from disk.
        assert not re.search(r'href="(?![a-z]+:|#)[^"]*/"', html), page
        assert not re.search(r'(?:src|href)="(?:https?:)?//', html.split("<article", 1)[0]), page


@pytest.mark.browser
def test_bundle_browses_and_searches_from_disk(browser, bundle):
    _, root = bundle
    context = browser.new_context()
    page = context.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((root / "index.html").as_uri())
    assert page.locator("html").get_attribute("lang").startswith("zh")
    page.locator("a.md-tabs__link", has_text="政策通知").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/policies/index.html")
    assert page.locator(".portal-item__title").count() > 10

    page.locator("#portal-search-q").fill("医共体")
    first = page.locator("#portal-search-panel .portal-search__link").first
    first.wait_for(timeout=15000)
    assert "紧密型县域医疗卫生共同体" in first.inner_text()
    first.click()
    page.wait_for_url(re.compile(r"/policies/2024-quan-mian-tui-jin-jin-mi-xing-xian-yu-yi-liao-wei-sheng/index\.html"))
    assert "冀卫发〔2024〕3号" in page.locator("article").inner_text()
    # A cross-link from the record opens the right file too.
    page.locator(".portal-kicker a", has_text="河北").click()
    assert "地区 · 河北" in page.locator("h1").inner_text()

    # The search page with filters works from disk as well.
    page.goto((root / "search" / "index.html").as_uri() + "?q=艾灸&collection=技术资料")
    titles = page.locator("#portal-sp-results .portal-sp-title")
    titles.first.wait_for(timeout=15000)
    assert titles.first.inner_text() == "艾灸疗法"
    assert all(url.startswith("file://") for url in requests), [u for u in requests if not u.startswith("file://")]
    assert errors == []
    context.close()
