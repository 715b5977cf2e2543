"""The theme's page around generated pages, rendered once and filled many times.

Rendering Material's page template costs milliseconds a page; a national
catalogue has tens of thousands of record and listing pages that differ only in
title, description, feed links, canonical address and content. So the theme
renders one page per directory depth (relative links to assets depend on it)
with markers in those places, and every generated page is the shell with the
markers replaced: a string join.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from ..destinations import site_path
from .pages import GeneratedPage
from .text import relative_url

# Plain ASCII markers: the theme escapes nothing in them and they cannot occur in content.
TITLE = "PORTALxSHELLxTITLE"
DESCRIPTION = "PORTALxSHELLxDESCRIPTION"
CONTENT = "PORTALxSHELLxCONTENT"
FEED_TITLE = "PORTALxSHELLxFEED"
URL = "portalxshellxurl"
# Material adds an <h1> with the title when the content has none; the shell's
# content says it has one (page_html makes sure of it).
H1_GUARD = "<!--<h1-->"
_FEEDS = "PORTALxSHELLxFEEDS"
_CANONICAL = "PORTALxSHELLxCANONICAL"

_FEED_LINK = re.compile(r'<link rel="alternate" type="application/atom\+xml" title="' + FEED_TITLE + r'" href="[^"]*">')
_CANONICAL_LINK = re.compile(r'<link rel="canonical" href="[^"]*' + URL + r'[^"]*">')
_SLOTS = re.compile(f"({TITLE}|{DESCRIPTION}|{CONTENT}|{_FEEDS}|{_CANONICAL})")


def shell_url(depth: int) -> str:
    """The URL the shell of a depth is rendered at: a directory `depth` levels down."""
    return "x/" * (depth - 1) + URL + "/"


def depth_of(url: str) -> int:
    return url.strip("/").count("/") + 1 if url.strip("/") else 0


@dataclass
class Shell:
    """A rendered theme page cut at its markers."""

    parts: list[str]           # text and slot names, alternating as found

    @classmethod
    def parse(cls, rendered: str) -> "Shell":
        text = _FEED_LINK.sub(_FEEDS, rendered.replace(H1_GUARD, ""), count=1)
        text = _CANONICAL_LINK.sub(_CANONICAL, text, count=1)
        missing = [m for m in (TITLE, CONTENT, _FEEDS) if m not in text]
        if missing:
            raise ValueError(f"theme shell lacks {missing}: does overrides/main.html still show page.meta.feeds?")
        return cls(_SLOTS.split(text))

    def fill(self, values: dict[str, str]) -> str:
        return "".join(values.get(part, part) if i % 2 else part for i, part in enumerate(self.parts))


class ShellWriter:
    """Writes generated pages into the site through shells made on demand.

    render_shell(depth) returns the theme's page rendered at shell_url(depth)
    with the markers as title, description, content and one feed.
    """

    def __init__(self, render_shell: Callable[[int], str], site_url: str | None = None, banner: str = "",
                 site_description: str = ""):
        self._render_shell = render_shell
        self.site_description = site_description
        self._shells: dict[int, Shell] = {}
        self.site_url = site_url
        self.banner = banner

    def shell(self, depth: int) -> Shell:
        if depth not in self._shells:
            self._shells[depth] = Shell.parse(self._render_shell(depth))
        return self._shells[depth]

    def page_html(self, page: GeneratedPage) -> str:
        content = page.html if "<h1" in page.html else f"<h1>{html.escape(page.title)}</h1>{page.html}"
        feeds = "\n  ".join(
            f'<link rel="alternate" type="application/atom+xml" title="{html.escape(title)}" '
            f'href="{html.escape(relative_url(page.url, path))}">' for title, path in page.feeds)
        canonical = (f'<link rel="canonical" href="{html.escape(self.site_url + page.url)}">'
                     if self.site_url else "")
        return self.shell(depth_of(page.url)).fill({
            TITLE: html.escape(page.title), DESCRIPTION: html.escape(page.description or self.site_description),
            CONTENT: self.banner + content, _FEEDS: feeds, _CANONICAL: canonical,
        })

    def write(self, site_dir: Path, pages: Iterable[GeneratedPage],
              progress: Callable[[int], None] | None = None) -> int:
        count = 0
        made: set[Path] = set()
        for page in pages:
            folder = site_path(site_dir, page.url)
            if folder.parent not in made:
                folder.parent.mkdir(parents=True, exist_ok=True)
                made.add(folder.parent)
            folder.mkdir(exist_ok=True)
            (folder / "index.html").write_text(self.page_html(page), encoding="utf-8")
            count += 1
            if progress is not None:
                progress(1)
        return count
