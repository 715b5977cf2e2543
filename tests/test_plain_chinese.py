"""Every page speaks plain Chinese to readers: no English prose, field names,
file names or commands leak into what a reader sees or hears (text, tooltips,
labels read aloud), on any page of the built site.

Proper terms a Chinese reader meets as they are (AED, CPR, CC BY, PDF …) and
what the records' own sources say (a notice's text, a web address it quotes)
are allowed; anything else in Latin letters is reported with its page.
"""

from __future__ import annotations

import html.parser
import re
from pathlib import Path

import pytest

# Elements whose text no reader sees.
_SILENT = {"script", "style", "template"}
# Attributes a reader sees or hears.
_READ = ("title", "alt", "aria-label", "placeholder")
# Text quoted from sources: a notice's or record's own words, shown as written.
_QUOTED_CLASSES = ("portal-body", "portal-sources")

# Identifiers and machine text: snake_case, camelCase, --options, file names, commands.
IDENTIFIER = re.compile(
    r"\b[a-z]+_[a-z_]+\b"                     # review_due
    r"|\b[a-z]+[A-Z][A-Za-z]+\b"              # pagefindId
    r"|(?<![\w-])--[a-z][\w-]*"               # --bundle
    r"|\b[\w-]+\.(?:py|ya?ml|json|js|css|md|xml|ics|csv|zip|txt)\b"
    r"|\b(?:portal|make|git|pip|mkdocs|python)\s+[a-z-]+\b"
)
# English prose: two English words in a row, one of them in lower case.
PROSE = re.compile(r"\b[A-Za-z]{2,}(?:[ ,'-]+[A-Za-z]{2,})+\b")
# Proper terms readers meet as they are, and the site's own few names for things.
ALLOWED_PROSE = {"CC BY"}
# Words the search help gives as examples of what may be typed (pinyin, initials).
ALLOWED_WORDS = {"zhenjiu", "gxy", "zj"}
# The 开放数据 page documents the data files for the people who use them: their
# names and fields are the data's own (technologies.csv, review_due), as a
# dictionary's headwords are.
DATA_FORMAT_PAGES = {"open-data/index.html"}
# A web address or e-mail address is what it is.
ADDRESS = re.compile(r"(?:https?://|www\.)[!-~]+|[\w.+-]+@[\w-]+\.[\w.-]+")


class _Visible(html.parser.HTMLParser):
    """The text of a page as a reader meets it, apart from what it quotes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.own: list[str] = []
        self._stack: list[tuple[str, bool, bool]] = []  # (tag, silent, quoted)

    def _state(self) -> tuple[bool, bool]:
        return (self._stack[-1][1], self._stack[-1][2]) if self._stack else (False, False)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        silent, quoted = self._state()
        silent = silent or tag in _SILENT or "hidden" in attrs and tag == "svg"
        classes = (attrs.get("class") or "").split()
        quoted = quoted or any(c in classes for c in _QUOTED_CLASSES)
        if not silent and not quoted:
            self.own += [attrs[name] for name in _READ if attrs.get(name)]
        # The description shows where the page is shared or found.
        if tag == "meta" and attrs.get("name") == "description" and attrs.get("content"):
            self.own.append(attrs["content"])
        if tag not in {"br", "img", "input", "meta", "link", "hr", "source", "wbr", "col", "area", "base"}:
            self._stack.append((tag, silent, quoted))

    def handle_endtag(self, tag):
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                del self._stack[i:]
                break

    def handle_data(self, data):
        silent, quoted = self._state()
        if not silent and not quoted and data.strip():
            self.own.append(data)


def leaks(text: str) -> list[str]:
    """The Latin-letter words and phrases in a reader's text that are not allowed."""
    text = ADDRESS.sub(" ", text)
    found = [m.group(0) for m in IDENTIFIER.finditer(text)]
    found += [m.group(0) for m in PROSE.finditer(text)
              if m.group(0) not in ALLOWED_PROSE and not m.group(0).isupper()]
    return [f for f in found if f not in ALLOWED_WORDS]


def page_text(path: Path) -> str:
    parser = _Visible()
    parser.feed(path.read_text(encoding="utf-8"))
    return "\n".join(parser.own)


def test_the_rule_finds_what_would_leak():
    """The scanner catches the leaks the issue found and lets proper terms pass."""
    assert leaks("评估到期日（review_due）") == ["review_due"]
    assert {"portal build", "--bundle"} <= set(leaks("运行 portal build --bundle 生成"))
    assert leaks("404 - Not found") == ["Not found"]
    assert leaks("Maintainers: error codes, portal new scaffolds") != []
    assert leaks("下载 technologies.csv") == ["technologies.csv"]
    assert leaks("学会使用 AED 和 CPR，按 CC BY 4.0 许可") == []
    assert leaks("原文见 https://www.nhc.gov.cn/yzygj/s7659/index.shtml") == []
    assert leaks("输入拼音 zhenjiu 或首字母 gxy") == []


@pytest.fixture(scope="module")
def pages(built_site) -> list[Path]:
    found = sorted(built_site.rglob("*.html"))
    assert len(found) > 200
    return found


def test_no_page_leaks_english_or_identifiers(built_site, pages):
    found = {}
    for path in pages:
        if str(path.relative_to(built_site)) in DATA_FORMAT_PAGES:
            continue
        bad = leaks(page_text(path))
        if bad:
            found[str(path.relative_to(built_site))] = sorted(set(bad))[:8]
    assert not found, "\n".join(f"{page}: {words}" for page, words in sorted(found.items())[:40])
