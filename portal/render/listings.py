"""Listing pages: every collection browsable without JavaScript.

Each listing can be narrowed by one facet value or a pair of them
(facets.PAIRS), ordered two ways (a pair one way) and is cut into pages, all
as plain pages with plain links (addresses: routes.listing).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..catalogue import Catalogue, Record
from ..facets import FACETS, Facet, Filters, Sort, dropped, matches, narrowed, selection_key, sorts_for
from .. import routes
from ..routes import RouteTable, listing_url
from ..schema import COLLECTIONS

# What readers call each collection: its label in the record model, nowhere else.
LABELS = {c.name: c.label for c in COLLECTIONS}


@dataclass
class ListingPage:
    collection: str
    filters: Filters
    sort: Sort
    page: int
    pages: int
    total: int
    groups: list[tuple[str, list[Record]]]

    @property
    def url(self) -> str:
        return listing_url(self.collection, self.filters, self.sort, self.page)

    def url_for(self, *, sort: Sort | None = None, page: int = 1) -> str:
        return listing_url(self.collection, self.filters, sort or self.sort, page)


def listing_pages(catalogue: Catalogue, collection: str, filters: Filters = (), holding: Record | None = None,
                  was: Record | None = None, records: list[Record] | None = None) -> list[ListingPage]:
    """Every page of one listing (all its sorts, all page numbers); with `holding`,
    only the pages that list that record, and with `was` (the same record before
    an edit that kept it in this listing) also the pages its move in the order
    shifted by one. `records`, if known, are the listing's records in any order."""
    size = routes.PAGE_SIZE  # the route table cuts listings into pages of this size too
    if records is None:
        records = [r for r in catalogue.records[collection].values() if matches(r, filters)]
    pages = []
    for sort in sorts_for(collection, filters):
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
            pages.append(ListingPage(collection, filters, sort, n, count, len(ordered), list(groups.items())))
    return pages


@dataclass(frozen=True)
class Option:
    """One value to narrow a listing by: where it leads and how many records are there."""

    value: str
    records: int
    url: str
    chosen: bool


@dataclass(frozen=True)
class FacetChoices:
    facet: Facet
    options: list[Option]
    # The listing's filters that choosing one of these options gives up.
    gives_up: Filters


def facet_choices(table: RouteTable, collection: str, filters: Filters) -> list[FacetChoices]:
    """What a listing narrowed by `filters` can be narrowed to next, facet by
    facet: each value leads to the listing it makes (facets.narrowed), and its
    count is that listing's, so counts follow the filters a reader has chosen.
    Values that would list nothing are left out."""
    here = set(selection_key(filters))
    choices = []
    for facet in FACETS[collection]:
        options = []
        for value, _all in table.facet_counts[(collection, facet.key)]:
            to = narrowed(collection, filters, facet, value)
            found = table.count(collection, to)
            if found:
                options.append(Option(value, found, listing_url(collection, to), (facet.key, value) in here))
        if options:
            choices.append(FacetChoices(facet, options, dropped(collection, filters, facet)))
    return choices


def removals(collection: str, filters: Filters) -> list[tuple[Facet, str, str]]:
    """(facet, value, address of the listing without it) of each filter a listing is narrowed by."""
    return [(facet, value, listing_url(collection, tuple(item for item in filters if item[0] is not facet)))
            for facet, value in filters]
