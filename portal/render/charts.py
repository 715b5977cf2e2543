"""Build-time SVG charts for the policy listing: a tile map of regions and a monthly timeline.

The charts are plain inline SVG strings made with the standard library only: no scripts,
no external fonts or hosts, no CSS.  They are meant to be inlined in the HTML of a page
(not loaded through ``<img>``, which would disable their links), so text that is not
drawn on a coloured fill uses ``currentColor`` and follows the page's text colour.

Size: a chart is drawn at its own size (one unit of the drawing is one CSS
pixel), so its smallest text is 12 px on every screen; a phone scrolls a chart
wider than itself sideways (portal.css) rather than shrinking its text.

Accessibility: every chart has a ``<title>`` and a ``<desc>`` referenced from the root
(``aria-labelledby`` / ``aria-describedby``); the ``<desc>`` is a complete text
alternative listing the non-zero counts.  Every tile or bar carries its own ``<title>``
("北京：3 条"), which is both the hover tooltip and the accessible name of its link.
Text drawn inside tiles and the legend are ``aria-hidden`` because the titles and the
description already say the same thing.

Output is deterministic: iteration follows fixed orders, and coordinates are written with
at most one decimal.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Callable
from xml.sax.saxutils import escape

from ..vocab import NATIONAL

__all__ = [
    "NATIONAL",
    "TILE_LAYOUT",
    "SCALE_COLOURS",
    "ZERO_COLOUR",
    "bin_edges",
    "region_tile_map",
    "monthly_timeline",
]


# (row, column) of each tile.  全国 sits alone in the top-left corner.
#
# All 34 provincial-level divisions (a map of China on a public site must show
# every one of them, 台湾, 香港 and 澳门 included).
#
#        c0    c1    c2    c3    c4    c5    c6    c7
#   r0  全国                                       黑龙江
#   r1                          内蒙古 北京  天津   吉林
#   r2        新疆  甘肃   宁夏  山西   河北  山东   辽宁
#   r3        西藏  青海   陕西  河南   安徽  江苏   上海
#   r4              四川   重庆  湖北   江西  浙江
#   r5              云南   贵州  湖南   福建  台湾
#   r6                    广西  广东
#   r7                    海南  澳门   香港
TILE_LAYOUT: dict[str, tuple[int, int]] = {
    NATIONAL: (0, 0),
    "黑龙江": (0, 7),
    "内蒙古": (1, 4), "北京": (1, 5), "天津": (1, 6), "吉林": (1, 7),
    "新疆": (2, 1), "甘肃": (2, 2), "宁夏": (2, 3), "山西": (2, 4), "河北": (2, 5),
    "山东": (2, 6), "辽宁": (2, 7),
    "西藏": (3, 1), "青海": (3, 2), "陕西": (3, 3), "河南": (3, 4), "安徽": (3, 5),
    "江苏": (3, 6), "上海": (3, 7),
    "四川": (4, 2), "重庆": (4, 3), "湖北": (4, 4), "江西": (4, 5), "浙江": (4, 6),
    "云南": (5, 2), "贵州": (5, 3), "湖南": (5, 4), "福建": (5, 5), "台湾": (5, 6),
    "广西": (6, 3), "广东": (6, 4),
    "海南": (7, 3), "澳门": (7, 4), "香港": (7, 5),
}


ZERO_COLOUR = "#eceff1"
# Light → dark teal.  The two darkest steps are dark enough for white text
# (#00796b: 5.3:1, #004d40: 9.9:1); the three lighter ones take dark text (≥ 6.6:1).
SCALE_COLOURS: tuple[str, ...] = ("#b2dfdb", "#80cbc4", "#4db6ac", "#00796b", "#004d40")
_DARK_TEXT = "#212121"
_LIGHT_TEXT = "#ffffff"
_STEPS = len(SCALE_COLOURS)

_ID_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")


# ----------------------------------------------------------------------------- helpers

def _num(value: float) -> str:
    """A coordinate with at most one decimal: 12, 12.5 — never 12.0, 1e-05 or -0."""
    rounded = round(float(value), 1)
    if rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.1f}"


def _attr(value: str) -> str:
    return escape(str(value), {'"': "&quot;"})


def _text(value: str) -> str:
    return escape(str(value))


def _check_id(prefix: str) -> str:
    if not isinstance(prefix, str) or not _ID_RE.match(prefix):
        raise ValueError(f"id_prefix must be a plain XML name, got {prefix!r}")
    return prefix


def _svg_open(*, width: float, height: float, css_class: str, prefix: str, role: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_num(width)} {_num(height)}" '
        f'width="{_num(width)}" height="{_num(height)}" class="{css_class}" role="{role}" '
        f'aria-labelledby="{prefix}-title" aria-describedby="{prefix}-desc" '
        f'font-family="sans-serif">'
    )


def _href(link: Callable[[str], str | None] | None, key: str) -> str | None:
    if link is None:
        return None
    url = link(key)
    return url or None


def _text_width(label: str, size: float) -> float:
    """Rough advance width of a label: CJK characters are 1 em, the rest about 0.6 em."""
    return sum(size if ord(ch) > 0x2E7F else 0.6 * size for ch in label)


# ----------------------------------------------------------------------------- colour scale

def bin_edges(max_count: int) -> list[int]:
    """Upper edges of the non-zero colour steps for counts 1..max_count.

    Policy counts are very skewed (a few regions with many notices, most with one or
    two), so the steps are spaced *logarithmically* over 1..max: the raw upper edge of
    step k (k = 1..5) is ⌊max^(k/5)⌋, nudged so that every step holds at least one
    integer.  Step k covers (edge[k-1], edge[k]]; the last edge is always ``max`` so
    the largest count always gets the darkest colour.  Examples::

        max 13  → [1, 2, 4, 7, 13]       1 | 2 | 3–4 | 5–7 | 8–13
        max 100 → [2, 6, 15, 39, 100]    1–2 | 3–6 | 7–15 | 16–39 | 40–100
        max 6   → [1, 2, 3, 4, 6]        1 | 2 | 3 | 4 | 5–6

    With fewer than five distinct values (max < 5) each value gets its own step and the
    steps used are the darkest ones: max 3 → [3 steps] 1 | 2 | 3 on steps 3, 4, 5.  The
    returned list then has only ``max_count`` edges (and is empty for max 0).
    """
    if max_count <= 0:
        return []
    if max_count < _STEPS:
        return list(range(1, max_count + 1))
    edges: list[int] = []
    previous = 0
    for k in range(1, _STEPS):
        raw = math.floor(max_count ** (k / _STEPS) + 1e-9)
        low, high = previous + 1, max_count - (_STEPS - k)
        previous = min(max(raw, low), high)
        edges.append(previous)
    edges.append(max_count)
    return edges


def _step(count: int, edges: list[int]) -> int:
    """0 for a zero count, else the colour step 1..5 (5 = darkest)."""
    if count <= 0:
        return 0
    offset = _STEPS - len(edges)
    for i, edge in enumerate(edges):
        if count <= edge:
            return offset + i + 1
    return _STEPS


def _fill(step: int) -> str:
    return ZERO_COLOUR if step == 0 else SCALE_COLOURS[step - 1]


def _ink(step: int) -> str:
    return _LIGHT_TEXT if step >= _STEPS - 1 else _DARK_TEXT


def _legend_entries(edges: list[int]) -> list[tuple[str, str]]:
    """(colour, label) pairs: "0" and then one per non-zero step, e.g. "3–4"."""
    entries = [(ZERO_COLOUR, "0")]
    offset = _STEPS - len(edges)
    low = 1
    for i, edge in enumerate(edges):
        label = str(edge) if edge == low else f"{low}–{edge}"
        entries.append((SCALE_COLOURS[offset + i], label))
        low = edge + 1
    return entries


# ----------------------------------------------------------------------------- tile map

_TILE = 56          # side of a tile
_GAP = 4            # space between tiles
_PAD = 10           # outer margin


def _tile_places(regions: list[str]) -> dict[str, tuple[int, int]]:
    """(row, column) of every region's tile: TILE_LAYOUT's place, or for a region
    it has none for, the next place in rows added below the map (in list order)."""
    places = {name: TILE_LAYOUT[name] for name in regions if name in TILE_LAYOUT}
    cols = 1 + max(c for _, c in TILE_LAYOUT.values())
    below = 1 + max(r for r, _ in TILE_LAYOUT.values())
    for i, name in enumerate(n for n in regions if n not in TILE_LAYOUT):
        places[name] = (below + i // cols, i % cols)
    return places


def region_tile_map(
    counts: dict[str, int],
    link: Callable[[str], str | None],
    *,
    regions: list[str],
    title: str = "各地区政策通知数量",
    id_prefix: str = "tilemap",
) -> str:
    """A tile-grid map of the regions (the vocabulary's: 全国 and the province-level
    regions), coloured by count.

    ``regions`` gives the tiles, in the order that breaks ties in the text
    alternative; a region TILE_LAYOUT has no place for gets one in a row below
    the map. ``counts`` maps region names to counts; missing regions count 0.
    ``link(region)`` returns the URL of the region's listing or None (or "") for a
    tile without a link; it is called for every tile, including those with count
    0. Counts of regions not in ``regions``, or negative counts, raise ValueError.

    The colour steps follow :func:`bin_edges`; the legend under the map shows them.
    """
    prefix = _check_id(id_prefix)
    regions = list(dict.fromkeys(regions))
    unknown = sorted(set(counts) - set(regions))
    if unknown:
        raise ValueError(f"unknown regions for the tile map: {', '.join(unknown)}")
    order = {name: i for i, name in enumerate(regions)}
    places = _tile_places(regions)
    values: dict[str, int] = {}
    for name in regions:
        value = counts.get(name, 0) or 0
        if not isinstance(value, int) or value < 0:
            raise ValueError(f"count for {name} must be a non-negative integer, got {value!r}")
        values[name] = value

    max_count = max(values.values(), default=0)
    edges = bin_edges(max_count)
    step = _TILE + _GAP
    rows = 1 + max((r for r, _ in places.values()), default=0)
    cols = 1 + max(c for _, c in TILE_LAYOUT.values())
    map_w = cols * step - _GAP
    map_h = rows * step - _GAP
    legend_y = _PAD + map_h + 18
    width = 2 * _PAD + map_w
    height = legend_y + 20 + 14 + _PAD

    out = [_svg_open(width=width, height=height, css_class="portal-tilemap",
                     prefix=prefix, role="group")]
    out.append(f'<title id="{prefix}-title">{_text(title)}</title>')
    out.append(f'<desc id="{prefix}-desc">{_text(_tilemap_desc(title, values, order))}</desc>')

    # Tiles in reading order (top to bottom, left to right) so keyboard focus moves sensibly.
    for name in sorted(places, key=lambda n: (places[n], order[n])):
        row, col = places[name]
        x, y = _PAD + col * step, _PAD + row * step
        value = values[name]
        level = _step(value, edges)
        url = _href(link, name)
        tile_class = "tile tile-national" if name == NATIONAL else "tile"
        if url is None:
            out.append(f'<g class="{tile_class}" data-region="{_attr(name)}">')
        else:
            out.append(f'<a class="{tile_class}" data-region="{_attr(name)}" href="{_attr(url)}">')
        out.append(f"<title>{_text(name)}：{value} 条</title>")
        stroke = ' stroke="#90a4ae" stroke-dasharray="4 3"' if name == NATIONAL else (
            ' stroke="#cfd8dc"' if level == 0 else "")
        out.append(
            f'<rect x="{_num(x)}" y="{_num(y)}" width="{_TILE}" height="{_TILE}" rx="4" '
            f'fill="{_fill(level)}"{stroke}/>'
        )
        ink = _ink(level)
        cx = _num(x + _TILE / 2)
        out.append(
            f'<text x="{cx}" y="{_num(y + 23)}" text-anchor="middle" font-size="12" '
            f'fill="{ink}" aria-hidden="true">{_text(name)}</text>'
        )
        out.append(
            f'<text x="{cx}" y="{_num(y + 44)}" text-anchor="middle" font-size="16" '
            f'font-weight="bold" fill="{ink}" aria-hidden="true">{value}</text>'
        )
        out.append("</g>" if url is None else "</a>")

    out.append(_tilemap_legend(edges, legend_y, map_w))
    out.append("</svg>")
    return "".join(out)


def _tilemap_desc(title: str, values: dict[str, int], order: dict[str, int]) -> str:
    ranked = sorted((n for n, v in values.items() if v > 0), key=lambda n: (-values[n], order[n]))
    if not ranked:
        return f"{title}：各地区均无政策通知。"
    parts = "，".join(f"{name} {values[name]} 条" for name in ranked)
    rest = "；其余地区 0 条" if len(ranked) < len(values) else ""
    return f"{title}（从多到少）：{parts}{rest}。"


def _tilemap_legend(edges: list[int], y: float, width: float) -> str:
    """Caption on one line, then up to six swatches in equal slots across the map width."""
    slot = width / (_STEPS + 1)
    out = ['<g class="legend" aria-hidden="true" font-size="12" fill="currentColor">']
    out.append(f'<text x="{_PAD}" y="{_num(y + 11)}">政策通知数量（条）</text>')
    sy = y + 20
    for i, (colour, label) in enumerate(_legend_entries(edges)):
        x = _PAD + i * slot
        stroke = ' stroke="#cfd8dc"' if colour == ZERO_COLOUR else ""
        out.append(
            f'<rect x="{_num(x)}" y="{_num(sy)}" width="14" height="14" rx="2" '
            f'fill="{colour}"{stroke}/>'
        )
        out.append(f'<text x="{_num(x + 19)}" y="{_num(sy + 11)}">{_text(label)}</text>')
    out.append("</g>")
    return "".join(out)


# ----------------------------------------------------------------------------- timeline

_PLOT_W = 600       # width of the bar area
_PLOT_H = 140       # height of the bar area
_LEFT = 36          # room for the y-axis labels
_TOP = 28
_MAX_BAR = 28       # widest bar, for short ranges
_BAR_COLOUR = "#00796b"
_EMPTY_COLOUR = "#b0bec5"
_AXIS_FONT = 12


def _month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _month_label(year: int, month: int) -> str:
    return f"{year}年{month}月"


def monthly_timeline(
    dates: list[dt.date],
    *,
    title: str = "政策通知月度发布数量",
    id_prefix: str = "timeline",
    max_months: int = 300,
) -> str:
    """A bar chart of publications per month, every month from the first to the last.

    Months without publications are drawn as a thin grey stub on the baseline.  The
    x axis is labelled at each January ("2024年") and at the first month ("2023年11月");
    when January labels would overlap (very long ranges) only every n-th year is written,
    and a first-month label that would collide with the next January drops to a second
    line.  The y axis shows 0 and the maximum monthly count.

    The chart is one image (``role="img"``) described in words.  No dates → "".

    At most the last ``max_months`` months (25 years) are drawn: one notice of
    1950 would otherwise stretch the chart over nine hundred months and half a
    megabyte on the policy listing; the description and a note say how many
    earlier notices are left out.
    """
    prefix = _check_id(id_prefix)
    if not dates:
        return ""
    per_month: dict[tuple[int, int], int] = {}
    for day in dates:
        key = (day.year, day.month)
        per_month[key] = per_month.get(key, 0) + 1
    first, last = min(per_month), max(per_month)
    months: list[tuple[int, int]] = []
    year, month = first
    while (year, month) <= last:
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    counts = [per_month.get(m, 0) for m in months]
    earlier = sum(counts[:-max_months]) if len(months) > max_months else 0
    if earlier or len(months) > max_months:
        months, counts = months[-max_months:], counts[-max_months:]
    max_count = max(max(counts), 1)

    n = len(months)
    slot = _PLOT_W / n
    bar_w = min(_MAX_BAR, slot * 0.75)
    baseline = _TOP + _PLOT_H
    width = _LEFT + _PLOT_W + 12
    height = baseline + 6 + 2 * (_AXIS_FONT + 4) + 6

    out = [_svg_open(width=width, height=height, css_class="portal-timeline-chart",
                     prefix=prefix, role="img")]
    out.append(f'<title id="{prefix}-title">{_text(title)}</title>')
    note = f"另有 {earlier} 条发布于{_month_label(*months[0])}之前，未画出" if earlier else ""
    desc = _timeline_desc(title, months, counts) + (f"{note}。" if note else "")
    out.append(f'<desc id="{prefix}-desc">{_text(desc)}</desc>')
    if note:
        out.append(f'<text class="note" x="{_LEFT}" y="{_num(_TOP - 14)}" fill="currentColor" '
                   f'font-size="{_AXIS_FONT}">{_text(note)}</text>')

    # Axes: baseline, a guide line at the maximum, labels 0 and max.
    axis = [f'<g class="axis" fill="currentColor" font-size="{_AXIS_FONT}">']
    axis.append(
        f'<line x1="{_LEFT}" y1="{_num(baseline)}" x2="{_num(_LEFT + _PLOT_W)}" '
        f'y2="{_num(baseline)}" stroke="currentColor" stroke-opacity="0.6"/>'
    )
    axis.append(
        f'<line x1="{_LEFT}" y1="{_TOP}" x2="{_num(_LEFT + _PLOT_W)}" y2="{_TOP}" '
        f'stroke="currentColor" stroke-opacity="0.2" stroke-dasharray="3 3"/>'
    )
    axis.append(f'<text class="y-max" x="{_LEFT - 6}" y="{_num(_TOP + 4)}" '
                f'text-anchor="end">{max_count}</text>')
    axis.append(f'<text class="y-min" x="{_LEFT - 6}" y="{_num(baseline + 4)}" '
                f'text-anchor="end">0</text>')
    axis.append(f'<text class="y-unit" x="{_LEFT - 6}" y="{_num(_TOP - 14)}" '
                f'text-anchor="end">条</text>')
    axis.append(_x_labels(months, slot, baseline, width))
    axis.append("</g>")
    out.append("".join(axis))

    out.append('<g class="bars">')
    for i, ((year, month), count) in enumerate(zip(months, counts)):
        x0 = _LEFT + i * slot
        bx = x0 + (slot - bar_w) / 2
        key = _month_key(year, month)
        out.append(f'<g class="month" data-month="{key}">')
        out.append(f"<title>{_month_label(year, month)}：{count} 条</title>")
        if count > 0:
            h = max(_PLOT_H * count / max_count, 1.0)
            out.append(
                f'<rect class="bar" x="{_num(bx)}" y="{_num(baseline - h)}" '
                f'width="{_num(bar_w)}" height="{_num(h)}" fill="{_BAR_COLOUR}"/>'
            )
        else:
            out.append(
                f'<rect class="bar bar-empty" x="{_num(bx)}" y="{_num(baseline - 2)}" '
                f'width="{_num(bar_w)}" height="2" fill="{_EMPTY_COLOUR}"/>'
            )
        # A transparent column over the whole plot height: its month title is easier to hover.
        out.append(
            f'<rect class="hit" x="{_num(x0)}" y="{_TOP}" width="{_num(slot)}" '
            f'height="{_PLOT_H}" fill="transparent"/>'
        )
        out.append("</g>")
    out.append("</g>")
    out.append("</svg>")
    return "".join(out)


def _x_labels(months: list[tuple[int, int]], slot: float, baseline: float, width: float) -> str:
    """Tick and label at each January (every n-th when crowded) and at the first month."""
    y1 = baseline + 6 + _AXIS_FONT
    y2 = y1 + _AXIS_FONT + 4
    year_w = _text_width("2024年", _AXIS_FONT) + 6
    every = max(1, math.ceil(year_w / (12 * slot)))
    out: list[str] = []
    januaries = [i for i, (_, m) in enumerate(months) if m == 1]
    labelled: list[int] = []
    for i in januaries:
        year = months[i][0]
        x = _LEFT + i * slot
        out.append(f'<line x1="{_num(x)}" y1="{_num(baseline)}" x2="{_num(x)}" '
                   f'y2="{_num(baseline + 4)}" stroke="currentColor" stroke-opacity="0.6"/>')
        if (year - months[januaries[0]][0]) % every == 0:
            labelled.append(i)
            tx = min(x, width - 2 - _text_width(f"{year}年", _AXIS_FONT))
            out.append(f'<text class="x-label" x="{_num(tx)}" y="{_num(y1)}">{year}年</text>')
    first_year, first_month = months[0]
    if first_month != 1:
        label = _month_label(first_year, first_month)
        room = (labelled[0] * slot) if labelled else math.inf
        y = y1 if _text_width(label, _AXIS_FONT) + 6 <= room else y2
        out.insert(0, f'<text class="x-label" x="{_LEFT}" y="{_num(y)}">{label}</text>')
    return "".join(out)


def _timeline_desc(title: str, months: list[tuple[int, int]], counts: list[int]) -> str:
    span = (f"{_month_label(*months[0])}至{_month_label(*months[-1])}" if len(months) > 1
            else _month_label(*months[0]))
    listed = "，".join(f"{_month_label(*m)} {c} 条" for m, c in zip(months, counts) if c > 0)
    rest = "；其余月份 0 条" if 0 in counts else ""
    return f"{title}，{span}，共 {sum(counts)} 条：{listed}{rest}。"
