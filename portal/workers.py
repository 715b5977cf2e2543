"""Work spread over the machine's cores for national-scale builds.

Workers are forked, so they share the parent's data (the catalogue) without
copying it; only results travel back. Small jobs, machines with one core and
systems without fork run in the calling process.

Forking is only safe while the process has one thread (a lock another thread
holds at fork stays locked in the child for ever; Python 3.12 warns). So the
workers are forked before any thread of the build starts: progress bars start
no monitor thread (progress.py), a job's own threads have ended when result()
or cancel() returns (a job started while another's thread runs is done in the
caller), the Pagefind threads start after the last job, and the preview, which
runs server threads throughout, asks for its jobs to run in the caller
(`parallel=False`). forkserver or spawn would be safe with threads, but they
pickle the function and every item to each worker: the catalogue's records
would be copied instead of shared.

A pool that cannot start (no memory or processes left for fork, no shared
memory for its locks) is said on stderr, with the reason; that job runs in the
calling process and the next job tries again.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from typing import Callable, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many items a pool costs more than it saves.
MIN_ITEMS = 2000
_CHUNK = 250

# The thread that gathers a job's results while its workers run.
_GATHERER = "map-job"
# A worker's job: set in each forked worker by the pool's initializer (the fork
# hands the function and the items over without pickling them); the parent
# process never sets it.
_worker_job: dict = {}


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


# How much a thread that gives way yields (nice value): beside a thread at 10,
# one of normal priority gets about nine tenths of a core.
GIVE_WAY_NICE = 10


def give_way() -> None:
    """Lower the calling thread's CPU priority, so that a longer job running
    beside it (Pagefind, on the build's critical path) gets the cores first.

    Linux keeps a nice value per thread: only this thread gives way (the
    build's main thread, and the `portal serve` process around it, keep
    theirs), and it cannot take its priority back, so the thread should end
    with its work (a ThreadPoolExecutor's initializer). Elsewhere nice is
    per process: nothing is changed.
    """
    if sys.platform != "linux":
        return
    try:
        os.nice(GIVE_WAY_NICE)
    except OSError:  # pragma: no cover - a system that refuses: the build is only slower
        pass


def _start_worker(func, items) -> None:
    from .interrupt import reset_in_child

    reset_in_child()
    _worker_job.update(func=func, items=items)


def _run(bounds: tuple[int, int]) -> list:
    lo, hi = bounds
    func, items = _worker_job["func"], _worker_job["items"]
    return [func(item) for item in items[lo:hi]]


def _another_job_runs() -> bool:
    import threading

    return any(thread.name == _GATHERER for thread in threading.enumerate())


def _pool_failed(exc: BaseException) -> None:
    print(f"[构建] 警告：无法启动并行进程（{type(exc).__name__}: {exc}），本次在单个进程中运行，下次再试。",
          file=sys.stderr, flush=True)


def parallel_map(func: Callable[[T], R], items: Sequence[T], *, on_done: Callable[[int], None] | None = None,
                 min_items: int | None = None, parallel: bool = True) -> list[R]:
    """[func(item) for item in items], in order, on every core when it pays off
    (never with parallel=False: the caller runs threads of its own).

    func must be reachable after fork (any callable: it is not pickled); results are pickled.
    """
    job = MapJob(func, items, on_done=on_done, min_items=min_items, parallel=parallel)
    try:
        return job.result()
    except BaseException:
        job.cancel()  # interrupted (or failed): no worker may go on
        raise


class MapJob:
    """parallel_map started now, its results collected later.

    The workers are forked here, in the calling thread, and start at once;
    a background thread gathers their results while the caller goes on
    (the build renders MkDocs' own pages meanwhile). Without a pool (small
    jobs, one core, another job running), the work is done in the caller's
    thread by result().
    """

    def __init__(self, func: Callable[[T], R], items: Sequence[T], *, on_done: Callable[[int], None] | None = None,
                 min_items: int | None = None, parallel: bool = True):
        import threading

        self._func, self._items, self._on_done = func, items, on_done
        self._out: list = []
        self._error: BaseException | None = None
        self._pool = None
        self._thread = None
        self._cancelled = False
        # Set once the workers are gone. Waited on instead of Thread.join(): on
        # Python 3.11 a join interrupted by Ctrl+C or SIGTERM marks the thread
        # stopped while it still runs, and a later join returns at once.
        self._done = threading.Event()
        workers = min(cores(), 8)
        # While another job's thread runs, forking would copy it half-way: this job runs in the caller.
        if not parallel or workers < 2 or len(items) < (MIN_ITEMS if min_items is None else min_items) or \
                _another_job_runs() or "fork" not in multiprocessing.get_all_start_methods():
            return
        from .interrupt import deferred

        try:
            # An interruption inside Pool() would leave a half-made pool that no one can stop
            # (and whose finaliser fails): it is told once the pool exists, and stops it below.
            # (Held back in this thread; with no other thread running, as when a build forks,
            # that holds it for the process.)
            with deferred():
                self._pool = multiprocessing.get_context("fork").Pool(workers, initializer=_start_worker,
                                                                      initargs=(func, items))
            self._thread = threading.Thread(target=self._gather, name=_GATHERER, daemon=True)
            self._thread.start()
        except Exception as exc:  # no pool: this job runs in the caller, the next one tries again
            if self._pool is not None:
                self._pool.terminate()
                self._pool = None
            self._thread = None
            _pool_failed(exc)
        except BaseException:  # interrupted: no worker may go on
            if self._thread is not None and self._thread.is_alive():
                self.cancel()
            elif self._pool is not None:
                self._pool.terminate()
                self._pool.join()
            raise

    def _gather(self) -> None:
        chunks = [(i, min(i + _CHUNK, len(self._items))) for i in range(0, len(self._items), _CHUNK)]
        try:
            parts = self._pool.imap(_run, chunks)
            for _chunk in chunks:
                part = None
                while part is None:
                    # Waits in steps, so that cancel() is seen between them.
                    if self._cancelled:
                        return
                    try:
                        part = parts.next(timeout=0.1)
                    except multiprocessing.TimeoutError:
                        continue
                self._out += part
                if self._on_done is not None:
                    self._on_done(len(part))
        except BaseException as exc:  # handed to result()
            self._error = exc
        finally:
            self._pool.terminate()
            self._pool.join()
            self._done.set()

    def result(self) -> list:
        if self._thread is None:
            for item in self._items[len(self._out):]:
                self._out.append(self._func(item))
                if self._on_done is not None:
                    self._on_done(1)
            return self._out
        self._done.wait()
        self._thread.join()  # its last steps: no thread of the job is left when the next one forks
        if self._error is not None:
            raise self._error
        return self._out

    def cancel(self) -> None:
        """Stop the workers (the build failed); result() must not be called after."""
        self._cancelled = True
        if self._thread is not None:
            self._done.wait()
            self._thread.join()
