"""Text helpers shared by the renderers: Chinese dates, relative URLs, safe Markdown."""

from __future__ import annotations

import html as htmllib
import re

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
# Browsers expose element ids as window properties and getElementById returns the
# first match, so an id from a body could stand in for a script's global (e.g.
# PORTAL_SEARCH_BACKEND), the site's own elements (portal-search-q, …), Material's
# (__drawer, __search) or the record templates' sections (details, sources, …):
# every id kept from a body gets this prefix (as GitHub does), and in-body links
# to it follow (tests/test_build_defects.py builds a page to check).
BODY_ID_PREFIX = "user-content-"


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


def markdown_to_html(text: str | None, *, shift_headings: int = 1) -> str:
    """Markdown → sanitised HTML; headings shifted down so the page's h1 stays the only h1."""
    return _markdown_to_html(text, shift_headings) if text else ""


class MarkdownCache:
    """The conversions of one build.

    A record's body is converted for its search document (in a worker process)
    and again for its page; the build hands the workers' conversions to the
    renderer through one of these, so each body is converted once.
    """

    def __init__(self) -> None:
        self._html: dict[tuple[str, int], str] = {}

    def __call__(self, text: str | None, *, shift_headings: int = 1) -> str:
        if not text:
            return ""
        key = (text, shift_headings)
        if key not in self._html:
            self._html[key] = _markdown_to_html(text, shift_headings)
        return self._html[key]

    def remember(self, text: str, html: str) -> None:
        """A conversion made elsewhere (markdown_to_html with the default shift)."""
        self._html[(text, 1)] = html


def _markdown_to_html(text: str, shift_headings: int) -> str:
    html = cmarkgfm.markdown_to_html_with_extensions(text, options=_MARKDOWN_OPTIONS,
                                                     extensions=_MARKDOWN_EXTENSIONS)
    if not sanitising_is_bounded(html):
        return _plain_text_html(text)
    if shift_headings:
        for level in range(5, 0, -1):
            new = min(level + shift_headings, 6)
            html = html.replace(f"<h{level}", f"<h{new}").replace(f"</h{level}>", f"</h{new}>")
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        # A call into Python for every attribute: only where a fragment link can be.
        attribute_filter=_prefix_fragment_link if "#" in html else None,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        id_prefix=BODY_ID_PREFIX,
    )


def _prefix_fragment_link(tag: str, attribute: str, value: str) -> str:
    """href="#x" → "#user-content-x", the id nh3 gives the target (already prefixed ones stay, as nh3 does)."""
    if attribute == "href" and value.startswith("#") and len(value) > 1 \
            and not value.startswith("#" + BODY_ID_PREFIX):
        return "#" + BODY_ID_PREFIX + value[1:]
    return value


def _plain_text_html(text: str) -> str:
    """A body shown as escaped text, one paragraph per blank-line-separated block."""
    blocks = (block.strip() for block in re.split(r"\n[ \t]*\n", text))
    return "".join(f"<p>{htmllib.escape(block)}</p>\n" for block in blocks if block)


# --- bounded sanitising ------------------------------------------------------
#
# html5ever, the parser inside nh3, walks its stack of open elements for most
# tokens, so cleaning takes time quadratic in nesting depth (16,000 nested
# <div> or "> " markers: 0.6 s; 130,000: minutes). Misnested formatting elements
# are worse: every "<p><b id=N></p>" leaves a <b> that the parser re-opens
# (HTML's "reconstruct the active formatting elements") inside each later
# paragraph, so 8,000 of them (140 KB) made 224 MB of HTML in 50 s. And a tag's
# attributes are checked against each other for duplicates (40,000: 0.6 s).
# The validator refuses such bodies; this is the second line of defence, one
# linear pass over cmark's output that overestimates what html5ever will build:
# a start tag is pushed and an end tag pops only the element on top, so an end
# tag the parser would apply elsewhere or ignore leaves the estimate higher;
# elements the parser adds itself count by weight (table parts) or against a
# budget (re-opened formatting elements). A body over a limit is shown as text.

DEPTH_LIMIT = 256
_RECONSTRUCTION_LIMIT = 100_000  # elements the parser might re-open, in all
_TAG_LENGTH_LIMIT = 4096         # bounds a tag's attributes
_UNSCANNED_TAIL_LIMIT = 4096     # text after a construct the scan does not follow
# Shorter HTML is not scanned (most bodies): at worst it costs nh3 about 10 ms.
_SCAN_FROM_LENGTH = 2048

_VOID = frozenset("area base basefont bgsound br col embed frame hr img input keygen link meta "
                  "param source track wbr".split())
_FORMATTING = frozenset("a b big code em font i nobr s small strike strong tt u".split())
# Their text is not markup (or, for script and noscript, depends on parser
# state and settings): the scan stops there and only a short rest is accepted.
_RAW_TEXT = frozenset("iframe noembed noframes noscript plaintext script style textarea title xmp".split())
# A start tag that closes an element of these names when it is the current one.
_CLOSES = {"p": ("p",), "li": ("li",), "dt": ("dt", "dd"), "dd": ("dt", "dd"), "tr": ("tr",),
           "td": ("td", "th"), "th": ("td", "th"), "option": ("option",)}
# In a table the parser adds a tbody for a bare tr, a tbody and a tr for a bare cell.
_WEIGHT = {"tr": 2, "td": 3, "th": 3}

# One token of HTML's tokenizer, with its exact ends: a comment (ended by the
# first "-->" or "--!>", or at once by "<!-->" and "<!--->"), a CDATA section,
# a bogus comment or doctype (ended by the first ">"), or a tag whose attribute
# values in quotes may hold ">". Possessive quantifiers keep it linear.
_TOKEN = re.compile(
    r"<!--(?:-?>|.*?--!?>|.*)"
    r"|<!\[CDATA\[(?P<cdata>)"
    r"|<(?:[!?]|/(?![A-Za-z]))[^>]*+>?"
    r"|<(?P<end>/)?(?P<name>[A-Za-z][^\t\n\f\r />]*+)"
    r"(?:[\t\n\f\r /]++|[^\t\n\f\r />][^\t\n\f\r />=]*+"
    r"(?:[\t\n\f\r ]*+=[\t\n\f\r ]*+(?:\"[^\"]*+\"|'[^']*+'|[^\t\n\f\r >]*+))?+)*+>?",
    re.DOTALL,
)


def sanitising_is_bounded(html: str) -> bool:
    """Whether nh3 can clean this HTML in time about linear in its length."""
    if len(html) <= _SCAN_FROM_LENGTH:
        return True
    stack: list[str] = []
    depth = formatting = reconstructed = 0
    for token in _TOKEN.finditer(html):
        cdata, end, name = token.group("cdata", "end", "name")
        if formatting:
            # The parser may re-open every formatting element left open, at
            # this token and at the text before it.
            reconstructed += 2 * formatting
            if reconstructed > _RECONSTRUCTION_LIMIT:
                return False
        if name is None:
            if cdata is not None:
                return len(html) - token.end() <= _UNSCANNED_TAIL_LIMIT
            continue
        start, stop = token.span()
        if stop - start > _TAG_LENGTH_LIMIT:
            return False
        name = name.lower()
        if end:
            if stack and stack[-1] == name:
                depth -= _WEIGHT.get(stack.pop(), 1)
                formatting -= name in _FORMATTING
        elif name not in _VOID:
            if name in _RAW_TEXT:
                return len(html) - stop <= _UNSCANNED_TAIL_LIMIT
            if stack and stack[-1] in _CLOSES.get(name, ()):
                depth -= _WEIGHT.get(stack.pop(), 1)
            stack.append(name)
            depth += _WEIGHT.get(name, 1)
            formatting += name in _FORMATTING
            if depth > DEPTH_LIMIT:
                return False
    return True
