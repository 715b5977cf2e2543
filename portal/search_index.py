"""Pagefind index of the site, written from search documents (see search_docs.py)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Iterable

from .search_docs import SearchDocument

log = logging.getLogger(__name__)


class SearchIndexError(Exception):
    pass


async def _index(documents: list[SearchDocument], output: Path) -> None:
    from pagefind.index import IndexConfig, PagefindIndex

    async with PagefindIndex(config=IndexConfig(output_path=str(output))) as index:
        for doc in documents:
            await index.add_html_file(content=doc.html, url=doc.url)


def build_search_index(documents: Iterable[SearchDocument], output: Path) -> int:
    """Write the Pagefind bundle (runtime, UI, index) for documents into output; returns the count."""
    documents = sorted(documents, key=lambda d: d.url)
    if not documents:
        raise SearchIndexError("没有可检索的页面")
    try:
        asyncio.run(_index(documents, Path(output).resolve()))
    except Exception as exc:  # the Pagefind service reports failures as plain exceptions
        raise SearchIndexError(f"Pagefind 建立索引失败：{exc}") from exc
    log.info("Pagefind indexed %d documents", len(documents))
    return len(documents)
