"""Work spread over the machine's cores for national-scale builds.

Workers are forked, so they share the parent's data (the catalogue) without
copying it; only results travel back. Small jobs, machines with one core and
systems without fork run in the calling process.
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Callable, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many items a pool costs more than it saves.
MIN_ITEMS = 2000
_CHUNK = 250

_job: dict = {}
# The preview server turns this off once it runs threads (fork copies only the forking thread).
enabled = True


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _run(bounds: tuple[int, int]) -> list:
    lo, hi = bounds
    func, items = _job["func"], _job["items"]
    return [func(item) for item in items[lo:hi]]


def parallel_map(func: Callable[[T], R], items: Sequence[T], *, on_done: Callable[[int], None] | None = None,
                 min_items: int = MIN_ITEMS) -> list[R]:
    """[func(item) for item in items], in order, on every core when it pays off.

    func must be a module-level function (or reachable after fork); results are pickled.
    """
    workers = min(cores(), 8)
    if not enabled or workers < 2 or len(items) < min_items or "fork" not in multiprocessing.get_all_start_methods():
        out = []
        for item in items:
            out.append(func(item))
            if on_done is not None:
                on_done(1)
        return out
    _job.update(func=func, items=items)
    try:
        chunks = [(i, min(i + _CHUNK, len(items))) for i in range(0, len(items), _CHUNK)]
        out: list = []
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for part in pool.imap(_run, chunks):
                out += part
                if on_done is not None:
                    on_done(len(part))
        return out
    finally:
        _job.clear()
