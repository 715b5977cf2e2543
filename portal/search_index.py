"""Pagefind index of the site, written from search documents (see search_docs.py).

The documents are written as small HTML files into a scratch directory laid
out like the site, and the Pagefind binary indexes that directory in
one run. (Pagefind's Python API waits 0.1 s per document for its answer, which
at national scale would take hours.) What the portal knows of Pagefind's own
files and format is in pagefind.py.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Iterable

from .destinations import site_path
from .pagefind import SearchIndexError, check_version, pagefind_binary, stabilise
from .search_docs import SearchDocument

log = logging.getLogger(__name__)


# Pagefind holds about 230 KB of memory per document while indexing (4.5 GB at
# 20,000) and keeps little more than one core busy. Each shard costs a reader
# one more index chunk (about 20 KB) for every word a query looks up, so a
# catalogue of up to ONE_RUN_MAX documents is indexed in one run, beside the
# page writing, which gives way to it (SiteBuild._beside_index).
# Larger ones are indexed in shards of at most SHARD_SIZE documents, CONCURRENT
# Pagefind runs at a time (at most 25,000 documents, under 6 GB, in Pagefind at
# once; the scratch documents of every shard, about 12 KB each in /dev/shm,
# stay in memory until their shard is indexed); the browser merges the shards
# (pagefind.mergeIndex).
ONE_RUN_MAX = 25_000
SHARD_SIZE = 12_500
CONCURRENT = 2


def shard_count(documents: int, shard_size: int | None = None) -> int:
    """How many Pagefind runs index `documents`: one up to ONE_RUN_MAX, else
    shards of SHARD_SIZE. shard_size, or PORTAL_SEARCH_SHARD_SIZE (tests
    shard a small site with it), sets the shard size instead."""
    size = shard_size or int(os.environ.get("PORTAL_SEARCH_SHARD_SIZE") or 0)
    if not size:
        size = max(documents, 1) if documents <= ONE_RUN_MAX else SHARD_SIZE
    return max(1, -(-documents // size))


SHARDS_FILE = "portal-shards.json"


def shard_dirs(count: int) -> list[str]:
    """Where each shard's bundle goes, relative to the main bundle: "" for the first."""
    return [""] + [f"shard-{n}/" for n in range(2, count + 1)]


class SearchScratch:
    """The search documents' scratch folders, one per shard, before Pagefind reads them.

    Documents are dealt into shards by URL like cards, so each shard is a
    sample of the whole: Pagefind ranks with each index's own statistics, and
    the merged ranking is only fair when the shards look alike. The deal is
    made from the documents' URLs before any document exists, so the forked
    workers that make them write each straight into its folder (write() is
    plain file work). A document not in the deal goes to the smallest shard.
    """

    def __init__(self, urls: Iterable[str], need: int, shard_size: int | None = None):
        urls = sorted(set(urls))
        count = shard_count(len(urls), shard_size)
        self._shard = {url: i % count for i, url in enumerate(urls)}
        self.sizes = [len(urls[i::count]) for i in range(count)]
        sweep_stale_scratch()
        sweep_stale_scratch(tempfile.gettempdir())
        root = scratch_root(need)
        self._folders: list[tempfile.TemporaryDirectory] = []
        try:
            for _ in range(count):
                self._folders.append(tempfile.TemporaryDirectory(prefix=f"portal-search-{os.getpid()}-", dir=root,
                                                               ignore_cleanup_errors=True))
        except BaseException:
            self.cleanup()
            raise

    @property
    def folders(self) -> list[Path]:
        return [Path(folder.name) for folder in self._folders]

    def write(self, doc: SearchDocument, leave_out: frozenset = frozenset()) -> None:
        shard = self._shard.get(doc.url)
        if shard is None:  # dealt on, to the smallest shard
            shard = self._shard[doc.url] = self.sizes.index(min(self.sizes))
            self.sizes[shard] += 1
        folder = site_path(Path(self._folders[shard].name), doc.url.strip("/"))
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "index.html").write_text(doc.page(leave_out), encoding="utf-8")

    def release(self, shard: int) -> None:
        self._folders[shard].cleanup()

    def cleanup(self) -> None:
        # In memory: left behind, the documents would hold it until the machine restarts.
        for folder in self._folders:
            folder.cleanup()


class SearchIndexJob:
    """Pagefind runs in the background while the caller goes on (writing pages).

    It indexes each folder of a SearchScratch, CONCURRENT at a time: shard 1
    is the main bundle in `output`, further shards go to output/shard-N/,
    listed in SHARDS_FILE. The job owns the scratch from then on and removes
    it when done, or when cancelled (started or not). The background thread
    only waits for Pagefind, so it takes no Python time from the caller.

    Made first, started after (start()): the caller can record that it owns the
    job before anything runs, so an interruption in between leaves nothing
    behind that nobody would stop.
    """

    def __init__(self, scratch: SearchScratch, output: Path, on_shard=None):
        import threading

        self.count = sum(scratch.sizes)
        if not self.count:
            scratch.cleanup()
            raise SearchIndexError("没有可检索的页面")
        self.output = Path(output).resolve()
        self._scratch = scratch
        self._sizes = list(scratch.sizes)
        self._on_shard = on_shard
        self._error: BaseException | None = None
        self._lock = threading.Lock()
        self._running: set[subprocess.Popen] = set()
        self._cancelled = False
        # Waited on instead of Thread.join() (see workers.MapJob: an interrupted join misleads later ones).
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pagefind", daemon=True)
        self._started_thread = False

    def start(self) -> "SearchIndexJob":
        with self._lock:
            if self._cancelled:
                return self
            self._started_thread = True
            self._thread.start()
        return self

    @property
    def shard_count(self) -> int:
        return len(self._sizes)

    def _run(self) -> None:
        from concurrent.futures import ThreadPoolExecutor

        def index(shard, folder, size):
            if not self._cancelled:
                _run_pagefind(self._scratch.folders[shard], self.output / folder, self._started)
            self._scratch.release(shard)  # read: its memory is free for the next shard
            if self._on_shard is not None and not self._cancelled:
                self._on_shard(size)

        try:
            with ThreadPoolExecutor(max_workers=CONCURRENT) as pool:
                futures = [pool.submit(index, shard, folder, self._sizes[shard])
                           for shard, folder in enumerate(shard_dirs(self.shard_count))]
                for future in futures:
                    future.result()
            (self.output / SHARDS_FILE).write_text(
                json.dumps([f for f in shard_dirs(self.shard_count) if f]), encoding="utf-8")
        except BaseException as exc:  # handed to wait()
            self._error = exc
        finally:
            self._clean_up()
            self._done.set()

    def _started(self, process: subprocess.Popen) -> bool:
        """Note a Pagefind run; False (and the run stopped) once the job is cancelled."""
        with self._lock:
            if self._cancelled:
                process.kill()
                return False
            self._running.add(process)
            return True

    def _clean_up(self) -> None:
        self._scratch.cleanup()

    def cancel(self) -> None:
        """Stop every Pagefind run and remove the scratch documents (the build failed)."""
        with self._lock:
            self._cancelled = True
            for process in self._running:
                process.kill()
            if not self._started_thread:
                self._clean_up()
                self._done.set()
        self._done.wait()

    def wait(self) -> int:
        self._done.wait()
        if self._error is not None:
            raise self._error
        log.info("Pagefind indexed %d documents in %d shard(s)", self.count, self.shard_count)
        return self.count


# Creating a file on a disk file system costs about 0.4 ms here (ext4 on a
# virtual disk: 20,000 documents took 7-15 s of the build); in memory it
# costs 0.03 ms. The documents are read once by Pagefind and deleted.
MEMORY_SCRATCH = "/dev/shm"
_PAGE = 4096


def space_estimate(record_bytes: int, records: int) -> int:
    """Bytes the search documents of records take in a tmpfs (each file and folder
    at least a page), guessed from the records' files before the documents exist:
    a document takes about four times its record or less (each distinct pair
    of the text ten letters, the weighted fields in pairs, the start of the text
    to quote: 1.6 times on the repository's notices, 2.6 on its technologies,
    3.0 on its mentors, 3.4 on the benchmark's records, 3.3 at most in the
    repository), plus the pages its file and folder begin. scratch_root asks
    for twice this free."""
    return 4 * record_bytes + records * 3 * _PAGE


def scratch_root(need: int, memory: str = MEMORY_SCRATCH) -> str | None:
    """Where the documents' scratch directories go: the in-memory file system
    when it has room for `need` bytes twice over, else the system's temporary folder."""
    try:
        stat = os.statvfs(memory)
    except OSError:
        return None
    if not os.access(memory, os.W_OK) or stat.f_bavail * stat.f_frsize < 2 * need:
        return None
    return memory


_SCRATCH = re.compile(r"^portal-search-(\d+)-")


def sweep_stale_scratch(root: str = MEMORY_SCRATCH) -> None:
    """Remove the scratch folders of builds that were killed (SIGKILL, out of
    memory): in memory, they would hold it until the machine restarts. A
    folder is its build's while that process lives (another build may be
    running beside this one)."""
    from .interrupt import sweep

    sweep(Path(root), _SCRATCH)


# The documents come as pair words already (search_docs.pairs), so
# Pagefind's own Chinese segmenter has nothing left to do but would cost time. An index of an undetermined language ("und")
# is split at spaces only; the browser's Pagefind uses the site's one index
# whatever the page language.
INDEX_LANGUAGE = "und"


def _run_pagefind(source: Path, output: Path, started=lambda process: True) -> None:
    """Index source into output; started(process) may refuse the run (the job was cancelled)."""
    binary = pagefind_binary()
    check_version(binary)
    process = subprocess.Popen(
        [binary, "--site", str(source), "--output-path", str(output), "--quiet",
         "--force-language", INDEX_LANGUAGE],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    go_on = started(process)
    stdout, stderr = process.communicate()
    if not go_on:
        return
    if process.returncode != 0:
        raise SearchIndexError(f"Pagefind 建立索引失败：{stderr.strip() or stdout.strip() or process.returncode}")
    stabilise(output)


