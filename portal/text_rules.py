"""What record text may hold: no hidden characters, bounded size and nesting.

Invisible characters in a title change what a reader sees without changing
what the maintainer reviewed: a bidi override (U+202E) reverses the text after
it, a zero-width space splits a word so search misses it, and a NUL ends up in
the HTML as is. Bodies are Markdown with some HTML; the sanitiser's time grows
with the square of the nesting depth, so nesting is bounded before any body is
converted (render/text.py keeps a second, larger bound).
"""

from __future__ import annotations

import re

# The longest notice of the 2024-03 compilation has some 6,000 characters; a
# full regulation runs to tens of thousands.
MAX_BODY_CHARS = 200_000
# Notices nest lists and quotes two or three levels; tables sit in a div or two.
MAX_NESTING = 32
# One line of text: the longest official titles run to some 120 characters.
MAX_LINE_CHARS = 1000

# C0 and C1 control characters (tab and newline only where text may have lines),
# DEL, bidi embeddings, overrides, isolates and marks, zero-width characters,
# the BOM and interlinear annotation characters.
_HIDDEN = "\x7f\x80-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
_LINE_HIDDEN = re.compile(f"[\x00-\x1f{_HIDDEN}]")
# Bodies keep tabs and newlines, and zero-width spaces that PDF text often carries
# (invisible, but they change no meaning); overrides and controls are refused.
_BODY_HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufff9-\ufffb]")


def hidden_character(text: str, *, multiline: bool = False) -> str | None:
    """The first character a reader cannot see (as U+XXXX), or None."""
    match = (_BODY_HIDDEN if multiline else _LINE_HIDDEN).search(text)
    return f"U+{ord(match.group(0)):04X}" if match else None


# Tags that open a level: not void, and not closed implicitly by a sibling
# (a run of <p> or <li> never nests).
_VOID_OR_SIBLING = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track",
    "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "optgroup", "rp", "rt",
})
# [^<>]* stops at the next bracket, so a stray "<a" never makes the scan quadratic.
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)(?:[\s/][^<>]*)?>")
# A line that opens more Markdown containers (quotes, list items) than allowed.
_DEEP_CONTAINERS = re.compile(r"^[ \t]*(?:(?:>|[-+*](?=[ \t])|\d{1,9}[.)](?=[ \t]))[ \t]*){%d}" % (MAX_NESTING + 1),
                              re.MULTILINE)


def nesting_line(text: str) -> int | None:
    """The 1-based line of text where nesting first passes MAX_NESTING, or None.

    Counts what makes the HTML nest: Markdown quote markers and list markers
    opened on one line, and open HTML tags. One pass each.
    """
    deep = _DEEP_CONTAINERS.search(text)
    found = text.count("\n", 0, deep.start()) + 1 if deep else None
    if text.count("<") > MAX_NESTING:
        depth = 0
        for match in _TAG.finditer(text):
            name = match.group(2).lower()
            # "<div/>" opens a div in HTML: the slash counts only on void elements.
            if name in _VOID_OR_SIBLING:
                continue
            depth = max(0, depth - 1) if match.group(1) else depth + 1
            if depth > MAX_NESTING:
                line = text.count("\n", 0, match.start()) + 1
                found = line if found is None else min(found, line)
                break
    return found
