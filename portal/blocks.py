"""Generated blocks inside content pages: <!-- portal:feeds --> (订阅),
<!-- portal:open-data --> (开放数据), <!-- portal:filing --> (the 备案 rule,
on the 管理类别 page), <!-- portal:statuses --> (状态说明),
<!-- portal:facility --> (the 我的机构 form) and <!-- portal:digest --> (自上次联网以来).

Above both the renderers and the data outputs: a block shows what an output
holds (its feeds, its columns and schemas).
"""

from __future__ import annotations

from .outputs.opendata import csv_columns
from .outputs.schemas import json_schema
from .render.pages import Renderer
from .render.text import relative_url
from .schema import COLLECTIONS
from .statuses import MODELS


def render_block(renderer: Renderer, name: str, page_url: str, site_url: str | None = None) -> str:
    """The block `name` on the page at page_url; site_url: where the site is
    published, when known (feed and calendar addresses are copied from the
    订阅 page into other programs, which need them whole)."""
    catalogue = renderer.catalogue
    if name == "feeds":
        def absolute(path: str) -> str:
            return site_url + path if site_url else relative_url(page_url, path)

        # The provinces' calendars, then the feeds in the route table's order (the three
        # main feeds, regions, topics) and every deadline's calendar; subscribe.js puts
        # the reader's own province's feed and calendar before them all.
        calendars = renderer.routes.calendars()
        return renderer.render("block_feeds.html", page_url, feeds=renderer.routes.feeds(),
                               all_deadlines=next(c for c in calendars if c.region is None),
                               provinces=[c for c in calendars if c.region], absolute=absolute)
    if name == "statuses":
        return renderer.render("block_statuses.html", page_url, models=list(MODELS.values()))
    if name == "digest":
        return renderer.render("block_digest.html", page_url)
    if name == "facility":
        vocab = catalogue.vocab
        return renderer.render("block_facility.html", page_url, levels=vocab.values("technology.levels"),
                               regions=vocab.provinces, topics=vocab.values("policy.topics"))
    if name == "filing":
        return renderer.render("block_filing.html", page_url)
    if name == "open-data":
        collections = [(c, json_schema(c.name, catalogue.vocab), len(catalogue.records[c.name]))
                       for c in COLLECTIONS]
        return renderer.render("block_open_data.html", page_url, collections=collections,
                               csv_columns=csv_columns)
    raise ValueError(f"unknown block <!-- portal:{name} -->")
