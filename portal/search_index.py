"""Pagefind index of a built site (the extended binary segments Chinese)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

log = logging.getLogger(__name__)


class SearchIndexError(Exception):
    pass


async def _index(site_dir: Path) -> int:
    from pagefind.index import IndexConfig, PagefindIndex

    config = IndexConfig(output_path=str(site_dir / "pagefind"))
    async with PagefindIndex(config=config) as index:
        result = await index.add_directory(str(site_dir))
        return int(result.get("page_count", 0))


def build_search_index(site_dir: Path) -> int:
    """Index every page of site_dir into site_dir/pagefind; returns the page count."""
    try:
        count = asyncio.run(_index(Path(site_dir).resolve()))
    except Exception as exc:  # the service reports failures as plain exceptions
        raise SearchIndexError(f"Pagefind 建立索引失败：{exc}") from exc
    if count == 0:
        raise SearchIndexError("Pagefind 没有找到可检索的页面（缺少 data-pagefind-body？）")
    log.info("Pagefind processed %d HTML files", count)
    return count
