"""A technology prints as a bedside card: one A4 page with the site's name, the
key facts, the 备案 rule, indications, contraindications and steps, its sources,
the page's address (as text and, where the site's address is known, as a QR
code), the 核验日期 and the dates (updated, printed). 保存为图片 makes the same
card as a PNG in the browser (card-image.js)."""

from __future__ import annotations

import datetime as dt
import html.parser
import io
import re

import pytest

from conftest import BUILD_DAY, MINIMAL, ROOT, open_page, replace_text, run_portal, today, write_data
from portal import routes
from portal.catalogue import build_catalogue
from portal.render.pages import Renderer
from portal.render.qr import qr_svg

# A PDF names each page object /Type /Page (and the page tree /Type /Pages).
_PAGE = re.compile(rb"/Type\s*/Page(?!s)")
# Where the published test site lives (not where the tests serve it): the QR
# code holds the route table's whole address, routes.absolute(SITE_URL, url).
SITE_URL = "https://example.org/portal/"


@pytest.fixture(scope="module")
def published_server(tmp_path_factory, serve_dir):
    """The repository's content built as published at SITE_URL (so its cards
    carry QR codes), served locally."""
    site = tmp_path_factory.mktemp("published") / "site"
    result = run_portal("build", "--today", BUILD_DAY, "--site-dir", str(site), env={"PORTAL_SITE_URL": SITE_URL})
    assert result.returncode == 0, result.stderr
    return serve_dir(site)


def decoded(image) -> list[str]:
    """The texts of the QR codes in a PIL image (zxing-cpp, a test dependency)."""
    zxingcpp = pytest.importorskip("zxingcpp")
    return [found.text for found in zxingcpp.read_barcodes(image)]


def test_every_technology_prints_on_one_a4_page(page, published_server):
    """With its QR code, the card's largest form."""
    catalogue = build_catalogue(ROOT / "data", today())
    for rec in catalogue.technologies.values():
        page.goto(f"{published_server}/{rec.url}")
        page.emulate_media(media="print")
        assert page.locator(".portal-print-foot .portal-qr").is_visible(), rec.url
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
    assert "本页没有记录核验日期，使用前请对照信息来源核实。" in text
    # Not published at a known address: no QR code, the address is printed as text.
    assert foot.locator("svg").count() == 0
    # On screen the foot is not shown.
    page.emulate_media(media="screen")
    assert not foot.is_visible()



# --- 核验日期 and the QR code, rendered --------------------------------------------

VERIFIED = replace_text("technologies/ai-jiu.yaml", "sources:", "verified: 2024-03-01\nsources:")


def _page_html(tmp_path, changes=None, site_url=None, rid="ai-jiu") -> str:
    data = write_data(tmp_path / "data", {**MINIMAL, **(changes or {})})
    catalogue = build_catalogue(data, today())
    return Renderer(catalogue, site_url=site_url).record(catalogue.technologies[rid]).html


def _foot(html: str) -> str:
    return html[html.index('class="portal-print-only portal-print-foot"'):]


def test_the_card_gives_the_verified_date_when_the_record_has_one(tmp_path):
    html = _page_html(tmp_path, VERIFIED)
    verified = '核验日期：<time datetime="2024-03-01">2024年3月1日</time>'
    assert verified in _foot(html)
    # On screen, beside the sources it was checked against (not printed twice).
    screen = re.search(r'<p class="portal-muted portal-no-print" id="verified">(.*?)</p>', html, re.S)
    assert screen and verified in screen.group(1)
    assert html.index('id="sources"') < screen.start()
    assert "没有记录核验日期" not in html


def test_the_card_never_invents_a_verified_date(tmp_path):
    html = _page_html(tmp_path)
    assert "核验日期：" not in html and 'id="verified"' not in html
    assert "<p data-portal-card-line>本页没有记录核验日期，使用前请对照信息来源核实。</p>" in _foot(html)


class _Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _modules(svg: str):
    """The dark modules of qr_svg's path (segno: rows of horizontal strokes,
    M/m move, h draw), as card-image.js strokes them, rasterised for a decoder."""
    from PIL import Image, ImageDraw

    size = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))
    scale = 8
    image = Image.new("L", (size * scale, size * scale), 255)
    pen = ImageDraw.Draw(image)
    x = y = 0.0
    for command, a, b in re.findall(r"([MmHh])(-?[\d.]+)(?: (-?[\d.]+))?", re.search(r' d="([^"]+)"', svg).group(1)):
        if command in "Mm":
            x, y = (float(a), float(b)) if command == "M" else (x + float(a), y + float(b))
        else:
            end = float(a) if command == "H" else x + float(a)
            row = int(y)  # a stroke of width 1 centred on row + 0.5
            pen.rectangle([x * scale, row * scale, end * scale - 1, (row + 1) * scale - 1], fill=0)
            x = end
    return image


def test_the_qr_code_is_a_small_inline_svg_of_the_whole_address(tmp_path):
    address = routes.absolute(SITE_URL, routes.record("technologies", "ai-jiu"))
    assert address == "https://example.org/portal/technologies/ai-jiu/"
    assert routes.absolute("https://example.org/portal", "technologies/ai-jiu/") == address
    assert routes.absolute(None, "technologies/ai-jiu/") is None
    svg = qr_svg(address)
    parser = _Tags()
    parser.feed(svg)
    assert [tag for tag, _attrs in parser.tags] == ["svg", "path"]
    # The site's Content-Security-Policy drops style attributes: presentation attributes only.
    assert all("style" not in attrs for _tag, attrs in parser.tags) and "style" not in svg
    root = parser.tags[0][1]
    assert root["role"] == "img" and root["aria-label"] == "本页网址的二维码" and root["class"] == "portal-qr"
    assert not svg.startswith("<?xml") and "width=" not in svg and len(svg) < 4000
    # The path the page prints and card-image.js draws holds the address.
    assert decoded(_modules(svg)) == [address]
    assert qr_svg(address) == svg  # the same bytes every build

    html = _page_html(tmp_path, site_url=SITE_URL)
    assert svg in _foot(html)
    # No site address, no QR code; other records have no card.
    assert "<svg" not in _page_html(tmp_path)
    assert "<svg" not in _page_html(tmp_path, site_url=SITE_URL, rid="old-tech").replace(
        qr_svg(routes.absolute(SITE_URL, "technologies/old-tech/")), "")


def test_the_image_button_comes_from_javascript_only(tmp_path):
    html = _page_html(tmp_path, site_url=SITE_URL)
    assert '<p class="portal-card-image" data-portal-card-image hidden></p>' in html
    assert "保存为图片" not in html
    # What the image draws is marked on the page, 示例 included where the page says it.
    assert 'data-portal-card data-portal-card-example="本页的入库与推广信息是演示用的虚构数据。"' in html
    # The lines of the foot: the 核验日期 sentence and 以网站上的最新内容为准 (no git history here, so no 资料更新于).
    assert "data-portal-card-facts" in html and html.count("data-portal-card-line") == 2
    sourced = _page_html(tmp_path, site_url=SITE_URL, rid="old-tech")
    assert 'class="portal-record portal-record--technology" data-portal-card>' in sourced
    js = (ROOT / "content" / "assets" / "javascripts" / "card-image.js").read_text(encoding="utf-8")
    assert "保存为图片" in js and "new Path2D(" in js and "toBlob" in js
    # The facts are the page's: no technology's words in the script.
    assert "艾灸" not in js and "限制类" not in js


# --- in the browser ------------------------------------------------------------

CARD = "technologies/zhong-liu-xiao-rong/"  # 限制类: the 备案 box, every list


def test_the_printed_qr_code_holds_the_pages_address(browser, published_server):
    context, page = open_page(browser, published_server, device_scale_factor=3)
    try:
        page.goto(f"{published_server}/{CARD}")
        qr = page.locator(".portal-print-foot .portal-qr")
        assert not qr.is_visible()  # on screen, the page itself is the address
        page.emulate_media(media="print")
        box = qr.bounding_box()
        assert 90 <= box["width"] <= 115 and box["width"] == box["height"]  # 26 mm at 96 px per inch
        from PIL import Image
        address = routes.absolute(SITE_URL, CARD)
        assert decoded(Image.open(io.BytesIO(qr.screenshot()))) == [address]
        assert f"本页地址：{address}" in page.locator(".portal-print-foot").inner_text()
        assert page.errors == [] and page.foreign_requests == []
    finally:
        context.close()


def test_save_as_image_downloads_the_card_with_its_qr_code(browser, published_server):
    from PIL import Image

    context, page = open_page(browser, published_server)
    try:
        page.goto(f"{published_server}/{CARD}")
        button = page.get_by_role("button", name="保存为图片")
        box = button.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44
        with page.expect_download() as info:
            button.click()
        download = info.value
        assert download.suggested_filename == "肿瘤消融治疗技术.png"
        image = Image.open(download.path())
        assert image.format == "PNG"
        width, height = image.size
        assert width == 1080 and 1200 <= height <= 3000, image.size
        assert decoded(image.convert("L")) == [routes.absolute(SITE_URL, CARD)]
        assert page.errors == [] and page.foreign_requests == []
    finally:
        context.close()
