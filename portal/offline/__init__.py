"""Offline support written after the site is built: web app manifest, icons,
the list of what can be saved for offline use, and the service worker.

Everything is derived from the built files, so the service worker's version
changes exactly when something a reader can receive changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from .. import pagefind, routes
from ..routes import BUILD_SCRIPT, MANIFEST, OFFLINE_LIST, SERVICE_WORKER, RouteTable
from ..search_index import SHARDS_FILE
from ..search_terms import TERMS_FILE

SW_TEMPLATE = Path(__file__).with_name("sw.js")
THEME_COLOUR = "#00796b"

# What a page needs to run, beyond its own HTML (the rest of assets/ is
# Material's unused search and language files).
_SHELL_ASSETS = ("assets/stylesheets/", "assets/images/", "assets/icons/")
_SCRIPTS = "assets/javascripts/"
_SHELL_PAGES = ("", routes.content_page("offline"), routes.content_page("search"), MANIFEST, OFFLINE_LIST, BUILD_SCRIPT)


def _in_shell(path: str) -> bool:
    """A stylesheet, an image, or a script of the site's own: every file straight in
    assets/javascripts/, Material's bundle and the portal's scripts alike (not its
    lunr/ and workers/ folders), so a saved page opened offline runs all its scripts
    (tests/test_offline.py checks)."""
    if path.endswith(".map"):
        return False
    return path.startswith(_SHELL_ASSETS) or (path.startswith(_SCRIPTS) and "/" not in path[len(_SCRIPTS):])


# What the search runtime loads before any query: Pagefind's files and the portal's shard list.
_PAGEFIND_RUNTIME = pagefind.RUNTIME + (f"{pagefind.FOLDER}/{SHARDS_FILE}", f"{pagefind.FOLDER}/{TERMS_FILE}")


def _size(site: Path, url: str) -> int:
    path = site / (url + "index.html" if url.endswith("/") or url == "" else url)
    return path.stat().st_size if path.is_file() else 0


def write_icons(site: Path) -> list[dict]:
    """App icons drawn at build time: a white cross on the theme colour."""
    from PIL import Image, ImageDraw

    icons = []
    folder = site / "assets" / "icons"
    folder.mkdir(parents=True, exist_ok=True)
    for size, purpose in ((192, "any"), (512, "any"), (512, "maskable")):
        image = Image.new("RGB", (size, size), THEME_COLOUR)
        draw = ImageDraw.Draw(image)
        # Maskable icons keep their mark inside the central safe zone.
        arm, bar = (size * 0.22, size * 0.09) if purpose == "maskable" else (size * 0.3, size * 0.12)
        c = size / 2
        draw.rectangle([c - bar, c - arm, c + bar, c + arm], fill="white")
        draw.rectangle([c - arm, c - bar, c + arm, c + bar], fill="white")
        name = f"icon-{size}{'-maskable' if purpose == 'maskable' else ''}.png"
        image.save(folder / name, format="PNG", optimize=True)
        icons.append({"src": f"assets/icons/{name}", "sizes": f"{size}x{size}", "type": "image/png", "purpose": purpose})
    return icons


def write_manifest(site: Path, icons: list[dict], site_name: str) -> None:
    manifest = {
        "name": site_name,
        "short_name": "技术推广",
        "description": "入库卫生健康技术、传承人与政策通知，可离线使用。",
        "lang": "zh-CN",
        "start_url": "./",
        "scope": "./",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": "#ffffff",
        "icons": icons,
    }
    (site / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _site_files(site: Path, under: str = "", skip: str | None = None) -> list[str]:
    """Every file of the site (or of its folder `under`, given as site/under), but
    the top folder `skip`, as a sorted site-relative path (os.walk: far faster than
    rglob at scale)."""
    found = []
    for folder, dirs, names in os.walk(site):
        rel = os.path.relpath(folder, site).replace(os.sep, "/")
        if rel == "." and skip in dirs:
            dirs.remove(skip)
        prefix = under + ("" if rel == "." else rel + "/")
        found += [prefix + name for name in names]
    return sorted(found)


def _collections(table: RouteTable, site: Path) -> list[dict]:
    """What 离线保存 offers: each collection, and each region's notices (routes.OfflineGroup)."""
    out = []
    for group in table.offline_groups:
        pages = table.group_pages(group)
        entry = {"key": group.key, "label": group.label, "url": group.url, "pages": len(pages),
                 "urls": list(group.urls), "bytes": sum(_size(site, u) for u in pages)}
        if group.includes:  # offline.js adds these groups' pages (collectionUrls)
            entry["includes"] = list(group.includes)
        out.append(entry)
    return out


# Pagefind's files named by content are taken by name: reading the tens of
# thousands of them again would cost seconds.
_NOT_VERSIONED = (SERVICE_WORKER, BUILD_SCRIPT)


def _digests(site: Path, files: list[str]) -> dict[str, bytes]:
    """Each file's content digest (empty for Pagefind's files named by content)."""
    return {rel: b"" if rel.endswith(pagefind.NAMED_BY_CONTENT) else hashlib.sha256((site / rel).read_bytes()).digest()
            for rel in files if rel not in _NOT_VERSIONED}


def _version(digests: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for rel in sorted(digests):
        digest.update(rel.encode() + b"\0" + digests[rel] + b"\0")
    return digest.hexdigest()[:16]


@dataclass
class OfflinePreparation:
    """What write_offline_files needs from the site's pages, worked out while
    Pagefind still indexes (the pages are written by then): icons, manifest,
    the collections and every page's digest."""

    files: list[str]
    digests: dict[str, bytes]
    collections: list[dict]


def prepare_offline_files(site: Path, table: RouteTable, site_name: str) -> OfflinePreparation:
    """Everything but pagefind/ (which may still be being written)."""
    site = Path(site)
    write_manifest(site, write_icons(site), site_name)
    files = _site_files(site, skip="pagefind")
    return OfflinePreparation(files, _digests(site, files), _collections(table, site))


# Under `portal serve` pages change on every save; a caching worker would show
# stale pages, so the preview gets one that clears itself away.
_PREVIEW_WORKER = """// Preview server: no offline cache. Remove any earlier worker and its caches.
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil((async () => {
  for (const name of await caches.keys()) if (name.startsWith("portal-")) await caches.delete(name);
  await self.registration.unregister();
  for (const client of await self.clients.matchAll({ type: "window" })) client.navigate(client.url);
})()));
"""


def write_offline_files(site: Path, table: RouteTable, *, site_name: str, preview: bool = False,
                        prepared: OfflinePreparation | None = None, build_day: dt.date | None = None) -> None:
    site = Path(site)
    prepared = prepared or prepare_offline_files(site, table, site_name)
    search = sorted(f for f in _site_files(site / "pagefind", "pagefind/") if pagefind.used_search_file(f))
    files = sorted(prepared.files + search)
    offline = {
        "search": {"urls": search, "bytes": sum(_size(site, f) for f in search)},
        "collections": prepared.collections,
    }
    (site / OFFLINE_LIST).parent.mkdir(exist_ok=True)
    (site / OFFLINE_LIST).write_text(
        json.dumps(offline, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    digests = {**prepared.digests, **_digests(site, search + [OFFLINE_LIST])}
    version = _version(digests)
    # The build's day too, and where its change file and the page that reads it are:
    # digest.js tells from the day that a reader sees a newer build.
    digest = ""
    if build_day:
        paths = {"changes": routes.CHANGES, "updates": routes.content_page("updates")}
        digest = (f'window.PORTAL_BUILD_DAY = "{build_day.isoformat()}";\n'
                  f"window.PORTAL_PATHS = {json.dumps(paths, ensure_ascii=False)};\n")
    (site / BUILD_SCRIPT).write_text(f'window.PORTAL_BUILD = "{version}";\n{digest}', encoding="utf-8")
    shell = list(_SHELL_PAGES) + [f for f in files if _in_shell(f)] + \
        [f for f in search if pagefind.as_main_bundle(f).startswith(_PAGEFIND_RUNTIME)]
    shell = sorted(set(shell))
    worker = SW_TEMPLATE.read_text(encoding="utf-8")
    worker = worker.replace("__VERSION__", version).replace("__SHELL__", json.dumps(shell, ensure_ascii=False))
    if preview:
        worker = _PREVIEW_WORKER
    (site / SERVICE_WORKER).write_text(worker, encoding="utf-8")
