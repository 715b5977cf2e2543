"""Build-time SVG charts: well-formed, complete, accessible, escaped and deterministic."""

from __future__ import annotations

import datetime as dt
import itertools
import random
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from portal.render.charts import (
    NATIONAL,
    SCALE_COLOURS,
    TILE_LAYOUT,
    ZERO_COLOUR,
    bin_edges,
    monthly_timeline,
    region_tile_map,
)

NS = "{http://www.w3.org/2000/svg}"
ROOT = Path(__file__).resolve().parents[1]

BRIEF_REGIONS = (
    "北京 天津 河北 山西 内蒙古 辽宁 吉林 黑龙江 上海 江苏 浙江 安徽 福建 江西 山东 河南 "
    "湖北 湖南 广东 广西 海南 重庆 四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆 台湾 香港 澳门"
).split()

# The repository's counts as of the sample data: 全国 is the largest.
COUNTS = {"上海": 11, "全国": 13, "内蒙古": 1, "北京": 3, "吉林": 1, "天津": 2, "山西": 1,
          "河北": 3, "陕西": 1, "黑龙江": 1}


# The regions as the vocabulary lists them (the build passes the vocabulary's).
REGIONS = [NATIONAL, *BRIEF_REGIONS]


def tile_map(counts, link, **kw) -> str:
    return region_tile_map(counts, link, regions=kw.pop("regions", REGIONS), **kw)


def region_url(region: str) -> str | None:
    return f"/policies/region/{region}/" if COUNTS.get(region) else None


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def tiles(root: ET.Element) -> list[ET.Element]:
    return [el for el in root.iter() if "tile" in el.get("class", "").split()]


def tile_parts(tile: ET.Element):
    rect = tile.find(f"{NS}rect")
    texts = [t.text for t in tile.findall(f"{NS}text")]
    title = tile.find(f"{NS}title").text
    return rect, texts, title


def luminance(colour: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def check_root(root: ET.Element, css_class: str, prefix: str) -> None:
    assert root.tag == f"{NS}svg"
    assert re.fullmatch(r"0 0 \d+(\.\d)? \d+(\.\d)?", root.get("viewBox"))
    # Drawn at its own size: no text is shrunk below its font size on a phone.
    assert [root.get("width"), root.get("height")] == root.get("viewBox").split()[2:]
    sizes = [float(el.get("font-size")) for el in root.iter() if el.get("font-size")]
    assert sizes and min(sizes) >= 12
    assert root.get("class") == css_class
    assert root.get("font-family") == "sans-serif"
    title, desc = root[0], root[1]
    assert title.tag == f"{NS}title" and title.get("id") == f"{prefix}-title"
    assert desc.tag == f"{NS}desc" and desc.get("id") == f"{prefix}-desc"
    assert root.get("aria-labelledby") == title.get("id")
    assert root.get("aria-describedby") == desc.get("id")
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids))


def check_light(svg: str) -> None:
    """No scripts, styles, images, event handlers or references to other hosts."""
    root = parse(svg)
    tags = {el.tag.removeprefix(NS) for el in root.iter()}
    assert tags <= {"svg", "title", "desc", "g", "a", "rect", "text", "line"}
    for el in root.iter():
        for name, value in el.attrib.items():
            assert not name.startswith("on")
            assert "url(" not in value and "javascript:" not in value
    assert svg.count("http") == 1          # the xmlns only


def check_numbers(svg: str) -> None:
    """Every number written has at most one decimal."""
    for value in re.findall(r' (?:x|y|x1|x2|y1|y2|width|height|viewBox)="([^"]*)"', svg):
        for number in value.split():
            assert re.fullmatch(r"-?\d+(\.\d)?", number), number


# ----------------------------------------------------------------------------- tile map

def test_region_names_match_brief_and_vocabulary():
    assert set(TILE_LAYOUT) == {NATIONAL, *BRIEF_REGIONS}
    vocab = yaml.safe_load((ROOT / "data" / "vocab.yaml").read_text(encoding="utf-8"))
    assert vocab["regions"] == REGIONS


def test_a_region_the_layout_has_no_place_for_gets_a_tile_below_the_map():
    regions = REGIONS + ["示例甲", "示例乙"]
    root = parse(tile_map({"示例甲": 2}, lambda r: f"/x/{r}/", regions=regions))
    found = {t.get("data-region"): t for t in tiles(root)}
    assert set(found) == set(regions)
    _rect, texts, title = tile_parts(found["示例甲"])
    assert texts == ["示例甲", "2"] and title == "示例甲：2 条"
    lowest = max(float(tile_parts(t)[0].get("y")) for name, t in found.items() if name not in ("示例甲", "示例乙"))
    assert float(tile_parts(found["示例甲"])[0].get("y")) > lowest
    assert float(tile_parts(found["示例乙"])[0].get("x")) > float(tile_parts(found["示例甲"])[0].get("x"))


def test_tilemap_is_well_formed_light_svg():
    svg = tile_map(COUNTS, region_url)
    root = parse(svg)
    check_root(root, "portal-tilemap", "tilemap")
    assert root.get("role") == "group"
    assert root[0].text == "各地区政策通知数量"
    check_light(svg)
    check_numbers(svg)


def test_every_region_is_one_tile_with_its_count():
    root = parse(tile_map(COUNTS, region_url))
    found = {}
    for tile in tiles(root):
        region = tile.get("data-region")
        assert region not in found
        rect, texts, title = tile_parts(tile)
        count = COUNTS.get(region, 0)
        assert texts == [region, str(count)]
        assert title == f"{region}：{count} 条"
        found[region] = rect
    # Every one of the 34 provincial-level divisions, and 全国.
    assert set(found) == {NATIONAL, *BRIEF_REGIONS}
    assert len(found) == 35
    # Each name appears as tile text exactly once in the whole chart.
    all_texts = [t.text for t in root.iter(f"{NS}text")]
    for region in found:
        assert all_texts.count(region) == 1


def test_tiles_do_not_overlap_and_follow_geography():
    root = parse(tile_map({}, lambda r: None))
    boxes = {}
    for tile in tiles(root):
        rect = tile.find(f"{NS}rect")
        boxes[tile.get("data-region")] = tuple(float(rect.get(k)) for k in ("x", "y", "width", "height"))
    for (a, (ax, ay, aw, ah)), (b, (bx, by, bw, bh)) in itertools.combinations(boxes.items(), 2):
        assert ax + aw <= bx or bx + bw <= ax or ay + ah <= by or by + bh <= ay, (a, b)

    x = {r: box[0] for r, box in boxes.items()}
    y = {r: box[1] for r, box in boxes.items()}
    provinces = BRIEF_REGIONS
    assert x["黑龙江"] == max(x[r] for r in provinces) and y["黑龙江"] == min(y[r] for r in provinces)
    assert x["吉林"] == x["黑龙江"] and y["吉林"] > y["黑龙江"]
    assert x["辽宁"] == x["吉林"] and y["辽宁"] > y["吉林"]
    assert x["新疆"] == min(x[r] for r in provinces)
    assert y["海南"] == max(y[r] for r in provinces) == y["香港"] == y["澳门"]
    assert x["澳门"] < x["香港"] and y["澳门"] > y["广东"] and x["台湾"] > x["福建"] and y["台湾"] == y["福建"]
    assert x["西藏"] <= x["青海"] and y["西藏"] > y["新疆"]
    assert x["上海"] > x["安徽"] and x["浙江"] > x["湖北"]
    # 全国 stands apart: no province tile touches it.
    nx, ny, nw, nh = boxes[NATIONAL]
    for r in provinces:
        px, py, _, _ = boxes[r]
        assert abs(px - nx) > nw + 10 or abs(py - ny) > nh + 10, r


def test_links_only_where_link_returns_a_url():
    asked = []

    def link(region):
        asked.append(region)
        if region == "西藏":            # a zero-count tile may still link
            return "/policies/region/西藏/"
        return region_url(region)

    root = parse(tile_map(COUNTS, link))
    assert sorted(asked) == sorted(TILE_LAYOUT)
    linked = {a.get("data-region"): a.get("href") for a in root.iter(f"{NS}a")}
    expected = {r: region_url(r) for r in COUNTS} | {"西藏": "/policies/region/西藏/"}
    assert linked == expected
    for tile in tiles(root):
        assert (tile.tag == f"{NS}a") == (tile.get("data-region") in expected)


def test_no_links_at_all():
    root = parse(tile_map(COUNTS, lambda r: None))
    assert list(root.iter(f"{NS}a")) == []
    assert len(tiles(root)) == 35
    root = parse(tile_map(COUNTS, lambda r: ""))
    assert list(root.iter(f"{NS}a")) == []


def test_colours_increase_with_count_and_text_stays_readable():
    counts = {r: i for i, r in enumerate(BRIEF_REGIONS)} | {NATIONAL: 40}
    root = parse(tile_map(counts, lambda r: None))
    palette = [ZERO_COLOUR, *SCALE_COLOURS]
    by_count = []
    for tile in tiles(root):
        rect = tile.find(f"{NS}rect")
        fill = rect.get("fill")
        by_count.append((counts[tile.get("data-region")], palette.index(fill)))
        for text in tile.findall(f"{NS}text"):
            assert contrast(text.get("fill"), fill) >= 4.5
    by_count.sort()
    steps = [step for _, step in by_count]
    assert steps == sorted(steps)
    assert by_count[0] == (0, 0)                       # 0 → grey
    assert by_count[-1] == (40, len(SCALE_COLOURS))    # max → darkest
    assert set(steps) == set(range(len(palette)))      # every step used here


@pytest.mark.parametrize("top", [1, 2, 3, 7, 13, 250])
def test_max_count_always_darkest(top):
    counts = {"北京": top, "上海": 1, "河北": 0}
    root = parse(tile_map(counts, lambda r: None))
    fills = {t.get("data-region"): t.find(f"{NS}rect").get("fill") for t in tiles(root)}
    assert fills["北京"] == SCALE_COLOURS[-1]
    assert fills["河北"] == ZERO_COLOUR == fills["新疆"]
    assert fills["上海"] in SCALE_COLOURS
    if top > 1:
        assert SCALE_COLOURS.index(fills["上海"]) < len(SCALE_COLOURS) - 1


def test_bin_edges():
    assert bin_edges(0) == []
    assert bin_edges(1) == [1]
    assert bin_edges(3) == [1, 2, 3]
    assert bin_edges(5) == [1, 2, 3, 4, 5]
    assert bin_edges(6) == [1, 2, 3, 4, 6]
    assert bin_edges(13) == [1, 2, 4, 7, 13]
    assert bin_edges(100) == [2, 6, 15, 39, 100]
    for top in range(1, 500):
        edges = bin_edges(top)
        assert len(edges) == min(top, len(SCALE_COLOURS))
        assert edges[-1] == top and edges[0] >= 1
        assert all(a < b for a, b in zip(edges, edges[1:]))


def test_legend():
    root = parse(tile_map(COUNTS, region_url))
    legend = [g for g in root.iter(f"{NS}g") if g.get("class") == "legend"]
    assert len(legend) == 1
    legend = legend[0]
    assert legend.get("aria-hidden") == "true"
    labels = [t.text for t in legend.findall(f"{NS}text")]
    assert labels == ["政策通知数量（条）", "0", "1", "2", "3–4", "5–7", "8–13"]
    swatches = [r.get("fill") for r in legend.findall(f"{NS}rect")]
    assert swatches == [ZERO_COLOUR, *SCALE_COLOURS]
    # The legend is below the map and inside the viewBox.
    map_bottom = max(float(t.find(f"{NS}rect").get("y")) + 56 for t in tiles(root))
    width, height = map(float, root.get("viewBox").split()[2:])
    for rect in legend.findall(f"{NS}rect"):
        assert map_bottom < float(rect.get("y")) and float(rect.get("y")) + 14 <= height
        assert float(rect.get("x")) + 19 + 5 * 7.2 <= width

    small = parse(tile_map({"北京": 2, "上海": 1}, lambda r: None))
    legend = next(g for g in small.iter(f"{NS}g") if g.get("class") == "legend")
    assert [t.text for t in legend.findall(f"{NS}text")][1:] == ["0", "1", "2"]
    assert [r.get("fill") for r in legend.findall(f"{NS}rect")] == [ZERO_COLOUR, *SCALE_COLOURS[-2:]]


def test_desc_lists_counts_highest_first():
    root = parse(tile_map(COUNTS, region_url))
    desc = root.find(f"{NS}desc").text
    assert desc == (
        "各地区政策通知数量（从多到少）：全国 13 条，上海 11 条，北京 3 条，河北 3 条，天津 2 条，"
        "山西 1 条，内蒙古 1 条，吉林 1 条，黑龙江 1 条，陕西 1 条；其余地区 0 条。"
    )
    assert "新疆" not in desc
    empty = parse(tile_map({}, lambda r: None)).find(f"{NS}desc").text
    assert empty == "各地区政策通知数量：各地区均无政策通知。"


def test_tilemap_is_deterministic():
    first = tile_map(COUNTS, region_url)
    assert tile_map(COUNTS, region_url) == first
    reversed_counts = dict(reversed(list(COUNTS.items())))
    assert tile_map(reversed_counts, region_url) == first


def test_tilemap_escapes_text_and_urls():
    svg = tile_map(
        COUNTS,
        lambda r: f"/policies/?region={r}&sort=date\"x" if r == "北京" else None,
        title="<各地区> & 数量",
    )
    assert "&sort" not in svg and "&amp;sort=date&quot;x" in svg
    assert "<各地区>" not in svg and "&lt;各地区&gt; &amp; 数量" in svg
    root = parse(svg)
    assert root[0].text == "<各地区> & 数量"
    assert root[1].text.startswith("<各地区> & 数量")
    (a,) = root.iter(f"{NS}a")
    assert a.get("href") == '/policies/?region=北京&sort=date"x'


def test_tilemap_id_prefix_and_bad_input():
    svg = tile_map(COUNTS, region_url, id_prefix="map-2")
    check_root(parse(svg), "portal-tilemap", "map-2")
    assert 'id="tilemap' not in svg
    with pytest.raises(ValueError):
        tile_map(COUNTS, region_url, id_prefix='x" onload="alert(1)')
    with pytest.raises(ValueError, match="示例甲"):
        tile_map({"示例甲": 1}, region_url)  # counted but not a region of the vocabulary
    with pytest.raises(ValueError):
        tile_map({"北京": -1}, region_url)


# ----------------------------------------------------------------------------- timeline

DATES = [
    dt.date(2023, 11, 5), dt.date(2023, 11, 28),
    dt.date(2024, 1, 9),
    dt.date(2024, 3, 1), dt.date(2024, 3, 2), dt.date(2024, 3, 30), dt.date(2024, 3, 31),
]


def months(root: ET.Element) -> list[ET.Element]:
    return [el for el in root.iter() if el.get("class") == "month"]


def test_timeline_one_bar_per_month_across_a_year_boundary():
    svg = monthly_timeline(DATES)
    root = parse(svg)
    check_root(root, "portal-timeline-chart", "timeline")
    assert root.get("role") == "img"
    check_light(svg)
    check_numbers(svg)
    groups = months(root)
    assert [g.get("data-month") for g in groups] == ["2023-11", "2023-12", "2024-01", "2024-02", "2024-03"]
    assert [g.find(f"{NS}title").text for g in groups] == [
        "2023年11月：2 条", "2023年12月：0 条", "2024年1月：1 条", "2024年2月：0 条", "2024年3月：4 条",
    ]
    bars = [g.find(f"{NS}rect[@class]") for g in groups]
    assert [b.get("class") for b in bars] == ["bar", "bar bar-empty", "bar", "bar bar-empty", "bar"]
    # Heights proportional to counts; the tallest bar fills the plot; bars left to right.
    heights = [float(b.get("height")) for b in bars]
    assert heights[4] == 2 * heights[0] == 4 * heights[2]
    xs = [float(b.get("x")) for b in bars]
    assert xs == sorted(xs) and len(set(xs)) == 5
    assert list(root.iter(f"{NS}a")) == []


def test_timeline_axis_labels():
    root = parse(monthly_timeline(DATES))
    x_labels = [t.text for t in root.iter(f"{NS}text") if t.get("class") == "x-label"]
    assert x_labels == ["2023年11月", "2024年"]
    y_max = [t.text for t in root.iter(f"{NS}text") if t.get("class") == "y-max"]
    assert y_max == ["4"]

    starting_january = parse(monthly_timeline([dt.date(2022, 1, 1), dt.date(2024, 2, 1)]))
    labels = [t.text for t in starting_january.iter(f"{NS}text") if t.get("class") == "x-label"]
    assert labels == ["2022年", "2023年", "2024年"]


def test_long_timeline_labels_stay_inside():
    dates = [dt.date(2004, 6, 1), dt.date(2024, 12, 31), dt.date(2010, 1, 1)]
    svg = monthly_timeline(dates)
    root = parse(svg)
    assert len(months(root)) == 20 * 12 + 7
    width = float(root.get("viewBox").split()[2])
    xs = [float(t.get("x")) for t in root.iter(f"{NS}text") if t.get("class") == "x-label"]
    assert xs and all(0 <= x and x + 40 <= width for x in xs)
    check_numbers(svg)


def test_timeline_desc_lists_months_with_counts():
    desc = parse(monthly_timeline(DATES)).find(f"{NS}desc").text
    assert desc == (
        "政策通知月度发布数量，2023年11月至2024年3月，共 7 条："
        "2023年11月 2 条，2024年1月 1 条，2024年3月 4 条；其余月份 0 条。"
    )
    single = parse(monthly_timeline([dt.date(2024, 3, 1)])).find(f"{NS}desc").text
    assert single == "政策通知月度发布数量，2024年3月，共 1 条：2024年3月 1 条。"


def test_timeline_empty_input():
    assert monthly_timeline([]) == ""


def test_timeline_is_deterministic_and_escapes():
    shuffled = DATES[:]
    random.Random(7).shuffle(shuffled)
    assert monthly_timeline(shuffled) == monthly_timeline(DATES) == monthly_timeline(DATES)
    svg = monthly_timeline(DATES, title="<月度> & 数量", id_prefix="tl")
    root = parse(svg)
    check_root(root, "portal-timeline-chart", "tl")
    assert root[0].text == "<月度> & 数量"
    assert "&lt;月度&gt; &amp; 数量" in svg
    with pytest.raises(ValueError):
        monthly_timeline(DATES, id_prefix="1 bad")


def test_two_charts_on_one_page_have_distinct_ids():
    page = tile_map(COUNTS, region_url) + monthly_timeline(DATES)
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids)) == 4


def test_timeline_of_a_century_stays_small():
    """A notice of 1949 beside today's: the chart draws the last 25 years and says what it left out."""
    svg = monthly_timeline([dt.date(1949, 10, 1), dt.date(2024, 3, 1), dt.date(2024, 3, 2)])
    root = parse(svg)
    assert len(months(root)) == 300
    assert len(svg) < 80_000
    assert "另有 1 条发布于1999年4月之前，未画出" in root.find(f"{NS}desc").text
    check_numbers(svg)
