"""Renderers: catalogue → HTML fragments for record pages, listings and the home page.

Plain Python and Jinja2; the build (portal/sitebuild.py) places the fragments in pages.
"""

from .pages import GeneratedPage, generated_pages

__all__ = ["GeneratedPage", "generated_pages"]
