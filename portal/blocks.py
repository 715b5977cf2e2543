"""Generated blocks inside content pages: <!-- portal:feeds --> (订阅),
<!-- portal:open-data --> (开放数据) and <!-- portal:filing --> (the 备案 rule,
on the 管理类别 page).

Above both the renderers and the data outputs: a block shows what an output
holds (its feeds, its columns and schemas).
"""

from __future__ import annotations

from .outputs.feeds import feed_list
from .outputs.opendata import csv_columns
from .outputs.schemas import json_schema
from .render.pages import Renderer
from .schema import COLLECTIONS


def render_block(renderer: Renderer, name: str, page_url: str) -> str:
    catalogue = renderer.catalogue
    if name == "feeds":
        return renderer.render("block_feeds.html", page_url, feeds=feed_list(renderer.routes))
    if name == "filing":
        return renderer.render("block_filing.html", page_url)
    if name == "open-data":
        collections = [(c, json_schema(c.name, catalogue.vocab), len(catalogue.records[c.name]))
                       for c in COLLECTIONS]
        return renderer.render("block_open_data.html", page_url, collections=collections,
                               csv_columns=csv_columns)
    raise ValueError(f"unknown block <!-- portal:{name} -->")
