"""Renderers: catalogue → HTML fragments for record pages, listings and the home page.

Plain Python and Jinja2; the MkDocs hook only places the fragments in pages.
"""

from .pages import GeneratedPage, generated_pages, render_home

__all__ = ["GeneratedPage", "generated_pages", "render_home"]
