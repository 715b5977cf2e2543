"""The contract between the theme shell (portal/render/shell.py) and the theme.

Record and listing pages are written through a shell: Material's main.html
rendered once per directory depth with markers in the slots the project's
templates define (overrides/main.html), then filled per page. These tests hold
the shell to MkDocs' own rendering of the same pages, make sure a shell missing
a slot fails loudly, and tell when Material changes a file the project copies.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from conftest import ROOT, today


def material_templates() -> Path:
    import material

    return Path(material.__file__).resolve().parent / "templates"


class _Capture:
    """A plugin object that keeps what MkDocs hands its plugins during a build."""

    def on_files(self, files, config):
        self.files = files
        return files

    def on_nav(self, nav, config, files):
        self.nav = nav
        return nav

    def on_env(self, env, config, files):
        self.env = env
        return env


@pytest.fixture(scope="module")
def theme(tmp_path_factory):
    """A real MkDocs build of the project's config and catalogue (search index off),
    and the theme's config, Jinja environment, nav and files from it."""
    from portal.catalogue import build_catalogue
    from portal.history import load_history
    from portal.site import load_mkdocs_config, mkdocs_build

    catalogue = build_catalogue(ROOT / "data", today())
    history = load_history(ROOT / "data")
    config = load_mkdocs_config(site_dir=tmp_path_factory.mktemp("site"), catalogue=catalogue, history=history,
                                site_url="https://example.org/portal/")
    config.extra["portal"]["pagefind"] = False
    capture = _Capture()
    # After the hooks, so the files and nav are the ones the hooks made.
    config.plugins["shell-contract-capture"] = capture
    mkdocs_build(config)
    return config, capture, catalogue, history


def _mkdocs_page(config, capture, generated, canonical: bool) -> str:
    """The page as MkDocs renders a generated page of the nav (hooks' on_page_markdown):
    a generated file, the page's title, description and feeds as metadata, its HTML
    as content, through the theme's main.html."""
    from mkdocs.commands.build import get_context
    from mkdocs.structure.files import File
    from mkdocs.structure.pages import Page

    page = Page(generated.title, File.generated(config, generated.src_uri, content=""), config)
    page.meta = {"title": generated.title, "description": generated.description, "hide": ["toc"],
                 "feeds": generated.feeds}
    page.markdown, page.content = "", generated.html
    if not canonical:
        page.canonical_url = None
    return capture.env.get_template("main.html").render(get_context(capture.nav, capture.files, config, page))


def _writer(config, capture, site_url):
    from portal.render.shell import ShellWriter, render_theme_shell

    return ShellWriter(lambda depth: render_theme_shell(config, capture.env, capture.nav, capture.files, depth),
                       site_url=site_url, site_description=config.site_description or "")


def _generated(catalogue, history):
    from portal.render import generated_pages

    return list(generated_pages(catalogue, history, include_nav=False))


def test_every_shell_page_is_what_mkdocs_renders(theme):
    """Every record and listing page of the real catalogue, as the shell writes it,
    is byte for byte the page MkDocs renders from the same title, description,
    feeds and content, but for two things normalised:

    - relative links (href, src) are compared as the addresses they lead to: the
      shell is rendered at a stand-in address of the page's depth (shell_url), so
      its link to technologies/ from technologies/ai-jiu/ is ../../technologies/
      where MkDocs writes ../;
    - a listing page with no feed of its own: the template's fallback (the site's
      policy feed, meant for the content pages) would give MkDocs' page a feed
      link; the shell's pages have had none.

    Nothing else: a page outside the nav has no active nav item either way. (The
    canonical link is compared in the next test.)"""
    config, capture, catalogue, history = theme
    writer = _writer(config, capture, None)
    pages = _generated(catalogue, history)
    assert any(page.url.count("/") == 2 for page in pages)  # records
    assert len({page.url.count("/") for page in pages}) >= 3  # listings at several depths: several shells
    for page in pages:
        expected = _mkdocs_page(config, capture, page, canonical=False)
        if not page.feeds:
            expected = _without_fallback_feed(expected, page)
        assert _resolved(writer.page_html(page), page.url) == _resolved(expected, page.url), page.url


_LINK = re.compile(r'\b(href|src)="([^"#:]*)"')


def _resolved(text: str, url: str) -> str:
    """Relative links as the site addresses they lead to from the page at url."""
    from urllib.parse import urljoin

    base = "https://site.invalid/" + url
    return _LINK.sub(lambda m: f'{m.group(1)}="{urljoin(base, m.group(2))}"', text)


def _without_fallback_feed(text: str, page) -> str:
    from portal.render.text import relative_url

    fallback = f'\n  <link rel="alternate" type="application/atom+xml" title="政策通知" ' \
               f'href="{relative_url(page.url, "feeds/policies.xml")}">'
    assert text.count(fallback) == 1, page.url
    return text.replace(fallback, "\n  ")


def _without_canonical(text: str) -> str:
    text = re.sub(r'<link rel="canonical" href="[^"]*">', "", text)
    return "\n".join(line for line in text.split("\n") if line.strip())


def test_the_canonical_link_is_mkdocs_one(theme):
    """With a site address, each page has one canonical link with MkDocs' address.
    Normalised: MkDocs percent-encodes the address's Chinese (a listing's value),
    the shell writes it as it is; the link's place in <head> (Material puts it among
    its own meta tags, the shell at the end of the site_meta block: overrides/main.html)
    and the blank lines either leaves. The rest must match as in the test above."""
    from urllib.parse import unquote

    config, capture, catalogue, history = theme
    writer = _writer(config, capture, config.site_url)
    canonical = re.compile(r'<link rel="canonical" href="([^"]*)">')
    pages = _generated(catalogue, history)
    for page in pages[:: max(1, len(pages) // 40)]:
        expected = _mkdocs_page(config, capture, page, canonical=True)
        if not page.feeds:
            expected = _without_fallback_feed(expected, page)
        shell = writer.page_html(page)
        assert canonical.findall(shell) == [config.site_url + page.url]
        assert [unquote(url) for url in canonical.findall(expected)] == [config.site_url + page.url]
        assert _without_canonical(_resolved(shell, page.url)) == _without_canonical(_resolved(expected, page.url))


# -- every slot is asserted ------------------------------------------------------------


@pytest.fixture(scope="module")
def rendered_shell(theme):
    from portal.render.shell import render_theme_shell

    config, capture, _, _ = theme
    return render_theme_shell(config, capture.env, capture.nav, capture.files, 2)


def test_the_shell_holds_every_slot(rendered_shell):
    from portal.render import shell

    parsed = shell.Shell.parse(rendered_shell)
    assert set(parsed.parts[1::2]) == set(shell.SLOTS)
    for marker in (shell.CONTENT, shell.FEEDS, shell.CANONICAL):
        assert parsed.parts.count(marker) == 1


@pytest.mark.parametrize("slot", ["TITLE", "DESCRIPTION", "CANONICAL", "FEEDS", "CONTENT"])
def test_a_shell_without_a_slot_fails_and_names_the_template(rendered_shell, slot):
    from portal.render import shell

    marker = getattr(shell, slot)
    with pytest.raises(ValueError) as error:
        shell.Shell.parse(rendered_shell.replace(marker, ""))
    message = str(error.value)
    assert f"{marker} is missing (it is {shell.SLOTS[marker]})" in message
    assert "overrides/main.html" in message, message


@pytest.mark.parametrize("slot", ["CANONICAL", "FEEDS", "CONTENT"])
def test_a_shell_with_a_slot_twice_fails(rendered_shell, slot):
    from portal.render import shell

    marker = getattr(shell, slot)
    with pytest.raises(ValueError, match=f"{marker} occurs 2 times"):
        shell.Shell.parse(rendered_shell.replace(marker, marker + marker))


def test_the_shell_owes_nothing_to_materials_heading_rule(rendered_shell):
    """Material adds an <h1> when the content has none; the shell's content block
    does not (the content filled in brings its own: ShellWriter.page_html)."""
    assert "<h1" not in rendered_shell


# -- the files copied from Material ------------------------------------------------------

# Each copy names, in its first comment, the Material version and the SHA-256 of
# Material's file it was made from.
COPIES = {
    "overrides/partials/header.html": "partials/header.html",
    "overrides/partials/javascripts/base.html": "partials/javascripts/base.html",
    "overrides/partials/javascripts/content.html": "partials/javascripts/content.html",
    "overrides/main.html": "partials/content.html",
}
_PROVENANCE = re.compile(r"Material for MkDocs (\S+) (\S+) \(sha256 ([0-9a-f]{64})\)")


def provenance(copy: str, original: str) -> tuple[str, str]:
    text = (ROOT / copy).read_text(encoding="utf-8")
    found = [(version, sha) for version, path, sha in _PROVENANCE.findall(text) if path == original]
    assert len(found) == 1, f"{copy} must name the Material version and sha256 of {original} it follows"
    return found[0]


@pytest.mark.parametrize("copy", sorted(COPIES))
def test_a_copied_material_file_still_matches_material(copy):
    """A copy of a Material template (or, for material-base.js, of its inline
    script) follows Material's file as it was. When Material's file changes, this
    fails: compare the new file with the copy, carry the change over, then
    update the version and sha256 in the copy's comment."""
    original = COPIES[copy]
    version, sha = provenance(copy, original)
    installed = hashlib.sha256((material_templates() / original).read_bytes()).hexdigest()
    assert installed == sha, (
        f"Material's {original} is no longer the one {copy} was made from "
        f"(Material for MkDocs {version}): carry its changes over to {copy}, then update its comment")


def test_material_base_js_follows_materials_inline_helpers():
    """content/assets/javascripts/material-base.js is Material's inline start-up
    script (partials/javascripts/base.html) moved to a file for the CSP: every
    helper that script defines is defined there too."""
    version, sha = provenance("overrides/partials/javascripts/base.html", "partials/javascripts/base.html")
    inline = (material_templates() / "partials/javascripts/base.html").read_text(encoding="utf-8")
    script = re.search(r"<script>(.*)</script>", inline, re.S).group(1)
    helpers = set(re.findall(r"(__md_\w+)=", script))
    assert helpers == {"__md_scope", "__md_hash", "__md_get", "__md_set"}, helpers
    ours = (ROOT / "content/assets/javascripts/material-base.js").read_text(encoding="utf-8")
    assert {h for h in helpers if f"window.{h} = " in ours} == helpers

