"""The site's addresses: every URL of a record, a collection or a listing is built here.

Addresses are directory URLs relative to the site root ("policies/x/"), as
MkDocs writes them. Other modules ask for an address by what it is (a record,
a listing narrowed by a facet value, the offline group of a region's notices)
and never assemble one from strings themselves.

    technologies/                          a collection's listing, page 1
    technologies/<id>/                     a record
    policies/by/page/2/                    page 2
    policies/by/sort/title/                another order
    policies/by/region/北京/sort/title/page/2/
"""

from __future__ import annotations

import functools

from .vocab import value_problem

# The facet of the region; its policy listings are also offline groups ("save this region's notices").
REGION_FACET = "region"
# Folder under a collection that holds its narrowed, sorted and later pages.
LISTING_FOLDER = "by"


def record(collection: str, record_id: str) -> str:
    return f"{collection}/{record_id}/"


def collection(name: str) -> str:
    """The first page of a collection's listing (the one the site's nav links)."""
    return f"{name}/"


def is_collection(url: str) -> bool:
    return url.count("/") == 1 and url.endswith("/")


@functools.lru_cache(maxsize=4096)
def segment(value) -> str:
    """A facet value as one folder name of a listing's address (policies/by/region/北京/).

    The Chinese value itself, which readers recognise in the address bar and
    links already use; vocabulary values are checked when the vocabulary is
    loaded (vocab.value_problem), and checked again here, so no value can
    name a folder outside its listing.
    """
    text = str(value)
    problem = value_problem(text)
    if problem:
        raise ValueError(f"facet value cannot be part of an address: {problem}")
    return text


def listing(name: str, facet_key: str | None = None, value: str | None = None,
            sort_key: str | None = None, page: int = 1) -> str:
    """A listing page; sort_key None is the collection's first (default) order."""
    segments: list[str] = []
    if facet_key is not None:
        segments += [facet_key, segment(value)]
    if sort_key is not None:
        segments += ["sort", sort_key]
    if page > 1:
        segments += ["page", str(page)]
    return collection(name) + (f"{LISTING_FOLDER}/" + "/".join(segments) + "/" if segments else "")


def source_file(url: str) -> str:
    """The virtual Markdown file MkDocs knows a generated page by: a collection's
    first page is its folder's index.md, every other page <url>.md."""
    return url.rstrip("/") + ("/index.md" if is_collection(url) else ".md")


def offline_region_group(region: str) -> str:
    """Key of the offline group holding one region's notices."""
    return f"policies-{region}"
