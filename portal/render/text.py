"""Text helpers shared by the renderers: Chinese dates, relative URLs, safe Markdown."""

from __future__ import annotations

import datetime as dt

import nh3
import cmarkgfm
from cmarkgfm.cmark import Options

# Raw HTML in record bodies is reduced to what a notice needs; anything able to
# run script (tags, event attributes, javascript: URLs) is dropped.
_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del",
    "details", "div", "dl", "dt", "em", "h2", "h3", "h4", "h5", "h6", "hr", "i", "ins", "kbd",
    "li", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "summary", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"}, "abbr": {"title"}, "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"}, "ol": {"start"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
}


def cn_date(value: dt.date | None) -> str:
    """2024年3月2日 — the way dates are written in Chinese official texts."""
    if value is None:
        return ""
    return f"{value.year}年{value.month}月{value.day}日"


def relative_url(from_url: str, to_url: str) -> str:
    """Link from one directory-style page URL to another, relative so the site works under any prefix and from disk.

    Plain string work: it runs for every link of tens of thousands of pages.
    """
    here = [s for s in from_url.split("/") if s]
    is_dir = to_url.endswith("/") or to_url == ""
    parts = [s for s in to_url.split("/") if s]
    there = parts if is_dir else parts[:-1]
    common = 0
    for a, b in zip(here, there):
        if a != b:
            break
        common += 1
    rel = "../" * (len(here) - common) + "".join(s + "/" for s in there[common:])
    if not is_dir:
        rel += parts[-1]
    return rel or "./"


# CommonMark with tables, by GitHub's cmark-gfm (C): ten times as fast as
# markdown-it-py and thirty as Python-Markdown on record bodies, the same HTML
# for every record in the repository; table alignment comes as align="…",
# which nh3 keeps. Raw HTML passes here (UNSAFE) and is cut down by nh3 below.
_MARKDOWN_OPTIONS = Options.CMARK_OPT_UNSAFE
_MARKDOWN_EXTENSIONS = ["table"]


# A record's body is converted for its search document and again for its page;
# the cache makes that one conversion (also when the documents were made in
# worker processes: see remember_markdown). A build clears it when its pages are written.
_converted: dict[tuple[str, int], str] = {}


def markdown_to_html(text: str | None, *, shift_headings: int = 1) -> str:
    """Markdown → sanitised HTML; headings shifted down so the page's h1 stays the only h1."""
    if not text:
        return ""
    key = (text, shift_headings)
    if key not in _converted:
        _converted[key] = _markdown_to_html(text, shift_headings)
    return _converted[key]


def converted_markdown(text: str | None) -> str | None:
    """The conversion of text made in this process, if any (to hand back from a worker)."""
    return _converted.get((text, 1)) if text else None


def remember_markdown(text: str, html: str) -> None:
    _converted[(text, 1)] = html


def _markdown_to_html(text: str, shift_headings: int) -> str:
    html = cmarkgfm.markdown_to_html_with_extensions(text, options=_MARKDOWN_OPTIONS,
                                                     extensions=_MARKDOWN_EXTENSIONS)
    if shift_headings:
        for level in range(5, 0, -1):
            new = min(level + shift_headings, 6)
            html = html.replace(f"<h{level}", f"<h{new}").replace(f"</h{level}>", f"</h{new}>")
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def clear_markdown_cache() -> None:
    _converted.clear()
