"""The theme's page around generated pages, rendered once and filled many times.

Rendering Material's page template costs milliseconds a page; a national
catalogue has tens of thousands of record and listing pages that differ only in
title, description, feed links, canonical address and content. So the theme
renders one page per directory depth (relative links to assets depend on it)
with markers in those places, and every generated page is the shell with the
markers replaced: a string join.

The places are slots the project's templates define (overrides/main.html reads
page.meta.portal_shell, set by render_theme_shell), not guesses at Material's
markup, and Shell.parse checks every one. tests/test_shell_contract.py holds
the shell's pages to MkDocs' own rendering of the same pages.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from ..destinations import site_path
from ..routes import depth
from .pages import GeneratedPage
from .text import relative_url

# Plain ASCII markers: the theme escapes nothing in them and they cannot occur in content.
TITLE = "PORTALxSHELLxTITLE"
DESCRIPTION = "PORTALxSHELLxDESCRIPTION"
CONTENT = "PORTALxSHELLxCONTENT"
FEEDS = "PORTALxSHELLxFEEDS"
CANONICAL = "PORTALxSHELLxCANONICAL"
URL = "portalxshellxurl"

# The slots, and where each one comes from. The title and the description are the
# page's own (Material shows them wherever it shows a page's title and description);
# the canonical link, the feed links and the content are the project's blocks,
# which read them from page.meta.portal_shell (see render_theme_shell).
SLOTS = {
    TITLE: "page.meta.title, shown by Material's base.html (block htmltitle) and overrides/partials/header.html",
    DESCRIPTION: "page.meta.description, shown by Material's base.html (block site_meta)",
    CANONICAL: "page.meta.portal_shell.canonical, in overrides/main.html (block site_meta)",
    FEEDS: "page.meta.portal_shell.feeds, in overrides/main.html (block extrahead)",
    CONTENT: "page.meta.portal_shell.content, in overrides/main.html (block content)",
}
# Filled once each; the title and description wherever the theme shows them.
_ONCE = (CANONICAL, FEEDS, CONTENT)
_SLOT = re.compile("(" + "|".join(SLOTS) + ")")

def shell_url(depth: int) -> str:
    """The URL the shell of a depth is rendered at: a directory `depth` levels down."""
    return "x/" * (depth - 1) + URL + "/"


def render_theme_shell(config, env, nav, files, depth: int) -> str:
    """The theme's page (main.html) at `depth`, with the slots' markers in place of
    the page's parts.

    config is MkDocs' config, env the theme's Jinja environment (on_env), nav the
    site's navigation (on_nav) and files the site's files (on_files): the shell is
    rendered as MkDocs renders a page that is not in the nav, through the same
    template, so it has the same header, tabs, sidebars and footer.
    """
    from mkdocs.commands.build import get_context
    from mkdocs.structure.files import File
    from mkdocs.structure.pages import Page

    file = File.generated(config, shell_url(depth).rstrip("/") + ".md", content="")
    page = Page(TITLE, file, config)
    page.meta = {
        "title": TITLE, "description": DESCRIPTION, "hide": ["toc"],
        "portal_shell": {"canonical": CANONICAL, "feeds": FEEDS, "content": CONTENT},
    }
    page.markdown, page.content = "", CONTENT
    # The canonical link is the project's slot: Material's own would hold the shell's address.
    page.canonical_url = None
    return env.get_template("main.html").render(get_context(nav, files, config, page))


@dataclass
class Shell:
    """A rendered theme page cut at its slots."""

    parts: list[str]           # text and slot markers, alternating as found

    @classmethod
    def parse(cls, rendered: str) -> "Shell":
        problems = []
        for marker, where in SLOTS.items():
            count = rendered.count(marker)
            if count == 0 or (count > 1 and marker in _ONCE):
                problems.append(f"{marker} {'is missing' if count == 0 else f'occurs {count} times'} "
                                f"(it is {where})")
        if problems:
            raise ValueError("the theme shell (overrides/main.html, rendered by render_theme_shell) "
                             "does not hold its slots: " + "; ".join(problems)
                             + ". Check that template against Material's base.html.")
        return cls(_SLOT.split(rendered))

    def fill(self, values: dict[str, str]) -> str:
        return "".join(values.get(part, part) if i % 2 else part for i, part in enumerate(self.parts))


class ShellWriter:
    """Writes generated pages into the site through shells made on demand.

    render_shell(depth) returns the theme's page for a depth with the slots'
    markers (render_theme_shell).
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
        return self.shell(depth(page.url)).fill({
            TITLE: html.escape(page.title), DESCRIPTION: html.escape(page.description or self.site_description),
            CONTENT: self.banner + content, FEEDS: feeds, CANONICAL: canonical,
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
