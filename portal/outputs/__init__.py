"""Extra site outputs: feeds, calendar, open data, schemas, the province and change files
(我的机构, 自上次联网以来), sitemap, robots.txt.

`extra_files` gathers them for the build; each module is a pure function of
the catalogue and the route table (the change file also of the records' git
history), so the same commit and build day always give the same bytes.
"""

from __future__ import annotations

import gzip

from .. import routes
from ..catalogue import Catalogue
from ..history import History
from ..routes import RouteTable


def extra_files(catalogue: Catalogue, table: RouteTable, *, site_name: str,
                site_url: str | None = None, history: History | None = None) -> dict[str, bytes]:
    from .calendar import calendar_files
    from .changes import change_files
    from .feeds import feed_files
    from .opendata import opendata_files
    from .provinces import province_files
    from .schemas import schema_files

    files: dict[str, bytes] = {}
    files.update(feed_files(catalogue, table, site_name=site_name, site_url=site_url))
    files.update(calendar_files(catalogue, table, site_name=site_name, site_url=site_url))
    files.update(opendata_files(catalogue, site_url=site_url))
    files.update(schema_files(catalogue.vocab))
    files.update(province_files(catalogue))
    files.update(change_files(catalogue, history or History(), table))
    # Every page, replacing MkDocs' sitemap (which knows only the pages MkDocs rendered).
    sitemap = table.sitemap(site_url)
    files[routes.SITEMAP] = sitemap
    files[routes.SITEMAP + ".gz"] = gzip.compress(sitemap, mtime=0)
    # Every page may be indexed; the sitemap is named when its whole address is known.
    robots = "User-agent: *\nAllow: /\n" + (f"Sitemap: {site_url}{routes.SITEMAP}\n" if site_url else "")
    files[routes.ROBOTS] = robots.encode("utf-8")
    # Material's script fetches sitemap.xml beside every <link rel="alternate"> (it
    # expects language versions there); the feeds' links would make that a 404
    # on every page. An empty sitemap answers it.
    files[routes.FEEDS_SITEMAP] = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
                                   b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>\n')
    return files
