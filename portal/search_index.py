"""Pagefind index of the site, written from search documents (see search_docs.py).

The documents are written as small HTML files into a scratch directory laid
out like the site, and the Pagefind (extended) binary indexes that directory in
one run. (Pagefind's Python API waits 0.1 s per document for its answer, which
at national scale would take hours.)
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
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


# Pagefind holds about 230 KB of memory per document while indexing (4.4 GB at
# 20,000) and keeps little more than one core busy, so a large catalogue is
# indexed in shards of at most SHARD_SIZE documents, CONCURRENT Pagefind runs
# at a time (at most 25,000 documents, under 6 GB, in memory at once); the
# browser merges the shards (pagefind.mergeIndex).
SHARD_SIZE = 12_500
CONCURRENT = 2


def configured_shard_size() -> int:
    """SHARD_SIZE, or PORTAL_SEARCH_SHARD_SIZE (tests shard a small site with it)."""
    return int(os.environ.get("PORTAL_SEARCH_SHARD_SIZE") or SHARD_SIZE)
SHARDS_FILE = "portal-shards.json"


def shard_dirs(count: int) -> list[str]:
    """Where each shard's bundle goes, relative to the main bundle: "" for the first."""
    return [""] + [f"shard-{n}/" for n in range(2, count + 1)]


def build_search_index(documents: Iterable[SearchDocument], output: Path, shard_size: int | None = None) -> int:
    """Write the Pagefind bundle (runtime, index) for documents into output; returns the count."""
    return SearchIndexJob(documents, output, shard_size).wait()


class SearchIndexJob:
    """Pagefind runs in the background while the caller goes on (writing pages).

    Documents are sorted by URL and dealt into shards; shard 1 is the main bundle
    in `output`, further shards go to output/shard-N/, listed in SHARDS_FILE.
    The documents are written here, in the caller's thread; the background
    thread only waits for Pagefind, so it takes no Python time from the caller.
    """

    def __init__(self, documents: Iterable[SearchDocument], output: Path, shard_size: int | None = None,
                 on_shard=None):
        import threading

        documents = sorted(documents, key=lambda d: d.url)
        if not documents:
            raise SearchIndexError("没有可检索的页面")
        self.count = len(documents)
        self.output = Path(output).resolve()
        count = -(-len(documents) // (shard_size or configured_shard_size()))
        # Dealt like cards, so each shard is a sample of the whole: Pagefind
        # ranks with each index's own statistics, and the merged ranking is
        # only fair when the shards look alike.
        shards = [documents[i::count] for i in range(count)]
        self._sources = [_write_documents(shard) for shard in shards]
        self._sizes = [len(shard) for shard in shards]
        self._on_shard = on_shard
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="pagefind", daemon=True)
        self._thread.start()

    @property
    def shard_count(self) -> int:
        return len(self._sizes)

    def _run(self) -> None:
        from concurrent.futures import ThreadPoolExecutor

        def index(folder, source, size):
            with source:
                _run_pagefind(Path(source.name), self.output / folder)
            if self._on_shard is not None:
                self._on_shard(size)

        try:
            with ThreadPoolExecutor(max_workers=CONCURRENT) as pool:
                for future in [pool.submit(index, *job) for job in
                               zip(shard_dirs(self.shard_count), self._sources, self._sizes)]:
                    future.result()
            (self.output / SHARDS_FILE).write_text(
                json.dumps([f for f in shard_dirs(self.shard_count) if f]), encoding="utf-8")
        except BaseException as exc:  # handed to wait()
            self._error = exc
        finally:
            for source in self._sources:
                source.cleanup()

    def wait(self) -> int:
        self._thread.join()
        if self._error is not None:
            raise self._error
        log.info("Pagefind indexed %d documents in %d shard(s)", self.count, self.shard_count)
        return self.count


# Creating a file on a disk file system costs about 0.4 ms here (ext4 on a
# virtual disk: 20,000 documents took 7-15 s of the build); in memory it
# costs 0.03 ms. The documents are read once by Pagefind and deleted.
MEMORY_SCRATCH = "/dev/shm"
_PAGE = 4096


def scratch_root(documents: list[SearchDocument], memory: str = MEMORY_SCRATCH) -> str | None:
    """Where the documents' scratch directory goes: the in-memory file system
    when it has room for them twice over, else the system's temporary folder."""
    # Each file and folder takes at least a page of a tmpfs.
    need = sum(-(-len(doc.html.encode()) // _PAGE) * _PAGE + _PAGE for doc in documents)
    try:
        stat = os.statvfs(memory)
    except OSError:
        return None
    if not os.access(memory, os.W_OK) or stat.f_bavail * stat.f_frsize < 2 * need:
        return None
    return memory


def _write_documents(documents: list[SearchDocument]) -> tempfile.TemporaryDirectory:
    """The documents as small HTML files in a scratch directory laid out like the site."""
    source = tempfile.TemporaryDirectory(prefix="portal-search-", dir=scratch_root(documents))
    root = Path(source.name)
    for doc in documents:
        folder = root / doc.url.strip("/")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "index.html").write_text(doc.html, encoding="utf-8")
    return source


# The documents come with every Chinese character already a word
# (search_docs.spaced), so Pagefind's own Chinese segmenter has nothing left to
# do but costs 45% of its time. An index of an undetermined language ("und")
# is split at spaces only; the browser's Pagefind uses the site's one index
# whatever the page language.
INDEX_LANGUAGE = "und"


def _run_pagefind(source: Path, output: Path) -> None:
    result = subprocess.run(
        [pagefind_binary(), "--site", str(source), "--output-path", str(output), "--quiet",
         "--force-language", INDEX_LANGUAGE],
        capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise SearchIndexError(f"Pagefind 建立索引失败：{result.stderr.strip() or result.stdout.strip()}")
    stabilise(output)


_SIGNATURE = b"pagefind_dcd"


def _read(path: Path):
    import cbor2

    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(_SIGNATURE):
        raise SearchIndexError(f"{path}: 不是可识别的 Pagefind 文件")
    return cbor2.loads(raw[len(_SIGNATURE):])


def _write(folder: Path, prefix: str, suffix: str, data, digits: int) -> str:
    """Write data as Pagefind does (signature, CBOR, gzip without a date); returns its new name."""
    import cbor2

    body = gzip.compress(_SIGNATURE + cbor2.dumps(data), compresslevel=9, mtime=0)
    name = f"{prefix}_{hashlib.sha256(body).hexdigest()[:digits]}"
    (folder / f"{name}{suffix}").write_bytes(body)
    return name


def stabilise(output: Path) -> None:
    """Make Pagefind's output the same for the same input.

    Pagefind 1.5 writes filter indexes from hash maps, so their order - and the
    file names that hash them - change from run to run. Sort them, rename them
    by their content, and rewrite the metadata that lists them.
    """
    output = Path(output)
    entry_path = output / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, info in sorted(entry["languages"].items()):
        meta_path = output / f"pagefind.{info['hash']}.pf_meta"
        meta = _read(meta_path)
        prefix = info["hash"].rsplit("_", 1)[0]
        filters = []
        for name, old in meta[3]:
            old_path = output / "filter" / f"{old}.pf_filter"
            filter_name, values = _read(old_path)
            new = _write(output / "filter", prefix, ".pf_filter", [filter_name, sorted(values, key=lambda v: v[0])], 7)
            if new != old:
                old_path.unlink()
            filters.append([name, new])
        meta[3] = sorted(filters)
        new_meta = _write(output, f"pagefind.{prefix}", ".pf_meta", meta, 10)
        if new_meta != f"pagefind.{info['hash']}":
            meta_path.unlink()
        info["hash"] = new_meta.split(".", 1)[1]
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
