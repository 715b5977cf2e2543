"""Work spread over forked workers (portal/workers.py): order kept, failures
handed back, a cancelled job stopping at once."""

from __future__ import annotations

import os
import time

import pytest

from portal import workers

pytestmark = pytest.mark.skipif(workers.cores() < 2, reason="one core: no workers are forked")


def _slow_square(n: int) -> int:
    time.sleep(0.002)
    return n * n


def _pid(_n: int) -> int:
    return os.getpid()


def test_results_come_back_in_order_from_other_processes():
    items = list(range(3000))
    assert workers.parallel_map(_slow_square, items, min_items=100) == [n * n for n in items]
    assert os.getpid() not in set(workers.parallel_map(_pid, items, min_items=100))


def _slow_pid(n: int) -> tuple[int, int]:
    time.sleep(0.002)
    return os.getpid(), n


def test_a_job_runs_while_the_caller_goes_on():
    started = time.monotonic()
    job = workers.MapJob(_slow_pid, list(range(2000)), min_items=100)  # some 2-4 s of work
    assert time.monotonic() - started < 1  # the caller has its thread back at once
    results = job.result()
    assert [n for _pid, n in results] == list(range(2000))
    assert os.getpid() not in {pid for pid, _n in results}


def _fails_at_1234(n: int) -> int:
    if n == 1234:
        raise ValueError("第 1234 项出错")
    return n


def test_a_worker_error_reaches_the_caller():
    with pytest.raises(ValueError, match="1234"):
        workers.MapJob(_fails_at_1234, list(range(3000)), min_items=100).result()
    assert workers._job == {}  # the next job can start


def _children() -> set[str]:
    with open(f"/proc/{os.getpid()}/task/{os.getpid()}/children") as f:
        return set(f.read().split())


def _running(pid: str) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[1][0] not in ("Z", "X")
    except OSError:
        return False


def test_a_cancelled_job_stops_its_workers_at_once():
    before = _children()  # other tests may have servers or browsers running
    job = workers.MapJob(_slow_square, list(range(100_000)), min_items=100)  # some 100 s of work
    time.sleep(0.3)
    assert [pid for pid in _children() - before if _running(pid)], "no workers were started"
    started = time.monotonic()
    job.cancel()
    assert time.monotonic() - started < 5
    assert workers._job == {}
    time.sleep(0.2)
    assert [pid for pid in _children() - before if _running(pid)] == []


def test_a_job_started_while_another_runs_runs_in_the_caller():
    first = workers.MapJob(_slow_square, list(range(3000)), min_items=100)
    second = workers.MapJob(_pid, list(range(3000)), min_items=100)
    assert set(second.result()) == {os.getpid()}
    assert first.result() == [n * n for n in range(3000)]
