"""Listing pages: every collection browsable without JavaScript.

Each listing can be narrowed by one facet value, ordered two ways and is cut
into pages, all as plain pages with plain links (addresses: routes.listing).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..catalogue import Catalogue, Record
from ..facets import SORTS, Facet, Sort
from .. import routes
from ..routes import listing_url
from ..schema import COLLECTIONS

# What readers call each collection: its label in the record model, nowhere else.
LABELS = {c.name: c.label for c in COLLECTIONS}


@dataclass
class ListingPage:
    collection: str
    facet: Facet | None
    value: str | None
    sort: Sort
    page: int
    pages: int
    total: int
    groups: list[tuple[str, list[Record]]]

    @property
    def url(self) -> str:
        return listing_url(self.collection, self.facet, self.value, self.sort, self.page)

    def url_for(self, *, sort: Sort | None = None, page: int = 1) -> str:
        return listing_url(self.collection, self.facet, self.value, sort or self.sort, page)


def listing_pages(catalogue: Catalogue, collection: str, facet: Facet | None = None,
                  value: str | None = None, holding: Record | None = None,
                  was: Record | None = None) -> list[ListingPage]:
    """Every page of one listing (all sorts, all page numbers); with `holding`,
    only the pages that list that record, and with `was` (the same record before
    an edit that kept it in this listing) also the pages its move in the order
    shifted by one."""
    size = routes.PAGE_SIZE  # the route table cuts listings into pages of this size too
    records = list(catalogue.records[collection].values())
    if facet is not None:
        records = [r for r in records if value in facet.values(r)]
    pages = []
    for sort in SORTS[collection]:
        ordered = sorted(records, key=sort.order, reverse=sort.reverse)
        count = max(1, -(-len(ordered) // size))
        numbers = range(1, count + 1)
        if holding is not None:
            at = next((i for i, r in enumerate(ordered) if r is holding), None)
            numbers = [] if at is None else [at // size + 1]
            if was is not None and at is not None:
                # Where it stood: after every other record whose key came first.
                key = sort.order(was)
                before = sum(1 for r in ordered if r is not holding
                             and (sort.order(r) > key if sort.reverse else sort.order(r) < key))
                low, high = sorted((at, before))
                numbers = range(low // size + 1, high // size + 2)
        for n in numbers:
            chunk = ordered[(n - 1) * size: n * size]
            groups: dict[str, list[Record]] = {}
            for rec in chunk:
                groups.setdefault(sort.group(rec), []).append(rec)
            pages.append(ListingPage(collection, facet, value, sort, n, count, len(ordered), list(groups.items())))
    return pages
