"""Pagefind index of the site, written from search documents (see search_docs.py).

The documents are written as small HTML files into a scratch directory laid
out like the site, and the Pagefind (extended) binary indexes that directory in
one run. (Pagefind's Python API waits 0.1 s per document for its answer, which
at national scale would take hours.)
"""

from __future__ import annotations

import logging
import subprocess
import tempfile
from pathlib import Path
from typing import Iterable

from .search_docs import SearchDocument

log = logging.getLogger(__name__)


class SearchIndexError(Exception):
    pass


def pagefind_binary() -> str:
    try:
        from pagefind_bin_extended import get_executable
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise SearchIndexError("缺少 pagefind[extended]（中文分词需要扩展版）") from exc
    return str(get_executable())


def build_search_index(documents: Iterable[SearchDocument], output: Path) -> int:
    """Write the Pagefind bundle (runtime, index) for documents into output; returns the count."""
    documents = sorted(documents, key=lambda d: d.url)
    if not documents:
        raise SearchIndexError("没有可检索的页面")
    output = Path(output).resolve()
    with tempfile.TemporaryDirectory(prefix="portal-search-") as tmp:
        root = Path(tmp)
        for doc in documents:
            path = root / doc.url.strip("/") / "index.html"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(doc.html, encoding="utf-8")
        result = subprocess.run(
            [pagefind_binary(), "--site", str(root), "--output-path", str(output), "--quiet"],
            capture_output=True, text=True,
        )
    if result.returncode != 0:
        raise SearchIndexError(f"Pagefind 建立索引失败：{result.stderr.strip() or result.stdout.strip()}")
    log.info("Pagefind indexed %d documents", len(documents))
    return len(documents)
