"""The USB bundle: the built site as a zip that works opened from disk (file://).

From disk a browser shows a folder instead of its index.html, cannot run
Pagefind (no fetch, no WebAssembly from file://) and refuses module scripts.
So the bundle's pages link to index.html files, carry the search documents in a
plain script (search-bundle.js, read by search-bundle-backend.js), and drop
what only works from a server (service worker, module scripts).
"""

from __future__ import annotations

import html
import json
import os
import posixpath
import re
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Iterable

from . import routes
from .search_docs import SearchDocument
from .search_terms import LEXICON_FILE, TERMS_FILE

BUNDLE_SCRIPT = "assets/javascripts/search-bundle.js"
BACKEND_SCRIPT = "assets/javascripts/search-bundle-backend.js"
# Fixed timestamp for every entry, so the same site gives the same zip.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)

_HREF = re.compile(r'(?P<attr>\s(?:href|action))="(?P<url>[^"]*)"')
_MODULE_SCRIPT = re.compile(r'<script[^>]*type="module"[^>]*></script>')
# Feeds mean nothing from disk, and Material would try to fetch a sitemap beside them.
_FEED_LINK = re.compile(r'\s*<link rel="alternate" type="application/atom\+xml"[^>]*>')
_CORE_SCRIPT = re.compile(r'<script src="(?P<prefix>[^"]*?)assets/javascripts/search-core\.js"></script>')


def bundle_index_script(documents: Iterable[SearchDocument], term_files: dict[str, bytes] | None = None) -> str:
    """The search documents, and what the search knows of words (search_terms), as one script."""
    docs = [d.as_json() for d in sorted(documents, key=lambda d: d.url)]
    files = term_files or {}
    return ("window.PORTAL_BUNDLE_INDEX = " + json.dumps(docs, ensure_ascii=False, separators=(",", ":")) + ";\n"
            f"window.PORTAL_BUNDLE_TERMS = {files.get(TERMS_FILE, b'{}').decode('utf-8')};\n"
            f"window.PORTAL_BUNDLE_LEXICON = {files.get(LEXICON_FILE, b'{}').decode('utf-8')};\n")


def _local_link(url: str) -> str:
    """A directory link → its index.html; anything with a scheme, absolute or a file stays."""
    if not url or url.startswith(("#", "/", "data:", "mailto:", "javascript:")) or re.match(r"^[a-z][a-z0-9+.-]*:", url):
        return url
    path, rest = re.match(r"([^?#]*)(.*)", url).groups()
    if path in ("", ".", "..") or path.endswith("/"):
        path = posixpath.join(path or ".", "index.html")
    return path + rest


def _rewrite_page(html: str) -> str:
    html = _HREF.sub(lambda m: f'{m["attr"]}="{_local_link(m["url"])}"', html)
    html = _MODULE_SCRIPT.sub("", html)
    html = _FEED_LINK.sub("", html)
    return _CORE_SCRIPT.sub(
        lambda m: f'<script src="{m["prefix"]}{BUNDLE_SCRIPT}"></script>'
                  f'<script src="{m["prefix"]}{BACKEND_SCRIPT}"></script>{m.group(0)}', html)


def make_bundle(site_dir: Path, zip_path: Path, documents: Iterable[SearchDocument], site_name: str) -> Path:
    """Zip site_dir for use from disk; the zip is written atomically."""
    site_dir, zip_path = Path(site_dir), Path(zip_path).resolve()
    with tempfile.TemporaryDirectory(prefix="portal-bundle-") as tmp:
        root = Path(tmp) / "portal"
        shutil.copytree(site_dir, root, ignore=shutil.ignore_patterns(
            "pagefind", routes.SERVICE_WORKER, "*.gz", "*.map", "404.html", routes.SITEMAP, routes.MANIFEST,
            routes.OFFLINE_LIST.split("/")[0]))
        term_files = {name: (site_dir / "pagefind" / name).read_bytes() for name in (TERMS_FILE, LEXICON_FILE)
                      if (site_dir / "pagefind" / name).is_file()}
        (root / BUNDLE_SCRIPT).write_text(bundle_index_script(documents, term_files), encoding="utf-8")
        # The build's cache version means nothing from disk (no service worker).
        (root / routes.BUILD_SCRIPT).write_text('window.PORTAL_BUILD = "bundle";\n', encoding="utf-8")
        for page in root.rglob("*.html"):
            page.write_text(_rewrite_page(page.read_text(encoding="utf-8")), encoding="utf-8")
        name = html.escape(site_name)
        (root / "请先打开这里.html").write_text(
            '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><meta http-equiv="refresh" content="0; url=index.html">'
            f'<title>{name}（离线版）</title><a href="index.html">打开{name}（离线版）</a></html>\n',
            encoding="utf-8")
        zip_path.parent.mkdir(parents=True, exist_ok=True)
        fd, partial = tempfile.mkstemp(prefix=f".{zip_path.name}.", dir=zip_path.parent)
        os.close(fd)
        try:
            with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for path in sorted(p for p in root.rglob("*") if p.is_file()):
                    info = zipfile.ZipInfo(path.relative_to(root.parent).as_posix(), ZIP_DATE)
                    info.compress_type = zipfile.ZIP_DEFLATED
                    info.external_attr = 0o644 << 16
                    archive.writestr(info, path.read_bytes())
            os.replace(partial, zip_path)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
    return zip_path
