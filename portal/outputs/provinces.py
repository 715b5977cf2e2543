"""home/provinces.json: what the home page puts first for a reader who set their
province (我的机构, facility.js): each province's newest notices and the calls for
comments still open in it.

One small file for all provinces, its size bounded by LATEST per province
whatever the number of records, fetched only by readers who set a facility.
Addresses are site-relative, from the route table; dates come both as ISO
(for the browser's relative dates) and as the site writes them.
"""

from __future__ import annotations

import json

from .. import routes
from ..catalogue import Catalogue, Record
from ..dates import cn_date

LATEST = 5
CONSULTING = "征求意见中"


def _item(rec: Record, day) -> dict:
    return {"title": rec.title, "url": rec.url, "doc_number": rec.get("doc_number"),
            "date": day.isoformat(), "date_text": cn_date(day),
            "status": rec.status.label if rec.status else None, "tone": rec.status.tone if rec.status else None}


def province_news(catalogue: Catalogue) -> dict:
    by_region: dict[str, list[Record]] = {}
    for rec in catalogue.policies_newest_first():
        by_region.setdefault(rec.get("region"), []).append(rec)
    news = {}
    for region in catalogue.vocab.provinces:
        notices = by_region.get(region, [])
        consulting = sorted((r for r in notices if r.status and r.status.label == CONSULTING),
                            key=lambda r: (r.data["comment_deadline"], r.id))
        news[region] = {
            "listing": routes.facet_url("policies", "region", region),
            "latest": [_item(r, r.data["published"]) for r in notices[:LATEST]],
            "consulting": [_item(r, r.data["comment_deadline"]) for r in consulting[:LATEST]],
            "consulting_total": len(consulting),
        }
    return news


def province_files(catalogue: Catalogue) -> dict[str, bytes]:
    body = json.dumps({"generated": catalogue.today.isoformat(), "provinces": province_news(catalogue)},
                      ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return {routes.PROVINCE_NEWS: body.encode("utf-8")}
