"""Work spread over forked workers (portal/workers.py): the serial results in
their order, failures handed back, an interrupted job stopping its workers, a
pool that cannot start said and tried again, and no thread in the process when
a build forks."""

from __future__ import annotations

import functools
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import BUILD_DAY, ROOT, write_data
from portal import workers

pytestmark = pytest.mark.skipif(workers.cores() < 2, reason="one core: no workers are forked")


def _square(n: int) -> int:
    return n * n


def _slow_square(n: int) -> int:
    time.sleep(0.002)
    return n * n


def _pid(_n: int) -> int:
    return os.getpid()


def _pid_and_item(n: int) -> tuple[int, int]:
    return os.getpid(), n


def _runs_in_workers() -> bool:
    """Whether a job started now is done by processes other than this one."""
    return os.getpid() not in set(workers.parallel_map(_pid, list(range(500)), min_items=100))


def test_results_are_the_serial_results_in_order_from_other_processes():
    items = list(range(3000))
    assert workers.parallel_map(_slow_square, items, min_items=100) == [_square(n) for n in items]
    results = workers.parallel_map(_pid_and_item, items, min_items=100)
    assert [n for _pid, n in results] == items
    assert os.getpid() not in {pid for pid, _n in results}


def test_small_jobs_run_in_the_caller():
    assert set(workers.parallel_map(_pid, list(range(50)), min_items=100)) == {os.getpid()}
    assert workers.parallel_map(_square, []) == []


def _after_gate(n: int, gate: Path, marks: Path) -> tuple[int, int]:
    deadline = time.monotonic() + 60
    while not gate.exists():
        if time.monotonic() > deadline:
            raise TimeoutError("the caller never opened the gate: MapJob() did not return before the work")
        time.sleep(0.01)
    (marks / str(n)).touch()
    return os.getpid(), n


def test_a_job_runs_while_the_caller_goes_on(tmp_path):
    """MapJob() returns before any item is done (the items wait for the caller),
    and the workers finish them before result() is asked for."""
    gate, marks = tmp_path / "gate", tmp_path / "marks"
    marks.mkdir()
    items = list(range(300))
    job = workers.MapJob(functools.partial(_after_gate, gate=gate, marks=marks), items, min_items=100)
    assert not any(marks.iterdir())  # nothing done: the caller has its thread back
    gate.touch()
    deadline = time.monotonic() + 60
    while len(list(marks.iterdir())) < len(items) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(list(marks.iterdir())) == len(items), "the workers did not go on without result()"
    results = job.result()
    assert [n for _pid, n in results] == items
    assert os.getpid() not in {pid for pid, _n in results}


def _fails_at_1234(n: int) -> int:
    if n == 1234:
        raise ValueError("第 1234 项出错")
    return n


def test_a_worker_error_reaches_the_caller_and_the_next_job_runs_in_workers():
    with pytest.raises(ValueError, match="1234"):
        workers.MapJob(_fails_at_1234, list(range(3000)), min_items=100).result()
    with pytest.raises(ValueError, match="1234"):
        workers.parallel_map(_fails_at_1234, list(range(3000)), min_items=100)
    assert _runs_in_workers()


def _children() -> set[str]:
    with open(f"/proc/{os.getpid()}/task/{os.getpid()}/children") as f:
        return set(f.read().split())


def _running(pid: str) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[1][0] not in ("Z", "X")
    except OSError:
        return False


def _new_children(before: set[str]) -> list[str]:
    return [pid for pid in _children() - before if _running(pid)]


def _gone(before: set[str], within: float = 5) -> bool:
    deadline = time.monotonic() + within
    while _new_children(before) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not _new_children(before)


def test_a_cancelled_job_stops_its_workers_at_once():
    before = _children()  # other tests may have servers or browsers running
    job = workers.MapJob(_slow_square, list(range(100_000)), min_items=100)  # some 100 s of work
    time.sleep(0.3)
    assert _new_children(before), "no workers were started"
    started = time.monotonic()
    job.cancel()
    assert time.monotonic() - started < 5  # not the 100 s the work would take
    assert _gone(before)
    assert _runs_in_workers()


def test_an_interrupted_map_stops_its_workers():
    """Ctrl+C in the caller while it waits for the results: no worker goes on."""
    before = _children()

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.5)
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            workers.parallel_map(_slow_square, list(range(100_000)), min_items=100)  # some 100 s of work
        assert time.monotonic() - started < 10
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert _gone(before)
    assert _runs_in_workers()


POOL_INTERRUPTED = """
import gc, os, signal, sys, time
from multiprocessing import pool as pool_module

from portal import workers

# Ctrl+C as in a terminal, even when the tests were started in the background (a shell's
# `cmd &` starts Python with SIGINT ignored, and it then never raises KeyboardInterrupt).
signal.signal(signal.SIGINT, signal.default_int_handler)
unraisable = []
sys.unraisablehook = unraisable.append
real_init = pool_module.Pool.__init__


def interrupted_init(self, *args, **kwargs):
    os.kill(os.getpid(), signal.SIGINT)  # before the pool has set anything up
    time.sleep(0.2)
    real_init(self, *args, **kwargs)


pool_module.Pool.__init__ = interrupted_init
try:
    workers.MapJob(abs, list(range(100_000)), min_items=100)
    outcome = "not interrupted"
except KeyboardInterrupt:
    outcome = "interrupted"
gc.collect()  # the exception and its frames gone: a half-made pool would be finalised now
print(outcome, [str(u.exc_value) for u in unraisable])
"""


def test_an_interruption_while_the_pool_is_made_is_told_once_it_exists():
    """Ctrl+C as Pool() begins would leave a half-made pool whose finaliser fails
    ("Exception ignored … 'Pool' object has no attribute '_state'" in the build's
    output): the job takes it once the pool exists, and stops its workers. In a
    process of its own, as a build forks: with no other thread to take the signal."""
    result = subprocess.run([sys.executable, "-c", POOL_INTERRUPTED], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.stdout.strip() == "interrupted []", result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_a_caller_running_threads_of_its_own_keeps_its_jobs():
    # The preview's server threads would be copied half-way into forked workers.
    assert set(workers.parallel_map(_pid, list(range(3000)), min_items=100, parallel=False)) == {os.getpid()}
    assert _runs_in_workers()


def test_a_job_started_while_another_runs_runs_in_the_caller():
    first = workers.MapJob(_slow_square, list(range(3000)), min_items=100)
    second = workers.MapJob(_pid, list(range(3000)), min_items=100)
    assert set(second.result()) == {os.getpid()}
    assert first.result() == [n * n for n in range(3000)]


def test_a_pool_that_cannot_start_is_said_and_tried_again(monkeypatch, capsys):
    context = type(multiprocessing.get_context("fork"))

    def no_pool(*args, **kwargs):
        raise BlockingIOError(11, "无法分配进程（测试）")

    monkeypatch.setattr(context, "Pool", no_pool)
    items = list(range(3000))
    assert workers.parallel_map(_square, items, min_items=100) == [n * n for n in items]
    assert set(workers.parallel_map(_pid, items, min_items=100)) == {os.getpid()}
    said = capsys.readouterr().err
    assert said.count("无法启动并行进程") == 2, said  # each job that ran in the caller says why
    assert "无法分配进程（测试）" in said
    monkeypatch.undo()
    assert _runs_in_workers()  # the next job tries again


FORK_PROBE = """
import io, json, os, sys, threading

forks = []

def before_fork():
    with open("/proc/self/status") as status:
        threads = next(int(line.split()[1]) for line in status if line.startswith("Threads:"))
    forks.append([threads, sorted(t.name for t in threading.enumerate())])

os.register_at_fork(before=before_fork)

from portal import workers
from portal.cli import main

workers.MIN_ITEMS = 1  # the small catalogue's jobs forked as a national one's are

class Terminal(io.StringIO):
    def isatty(self):
        return True

terminal = sys.stderr = Terminal()  # progress bars, as at a terminal
data, site, today = sys.argv[1:]
status = main(["build", "--data", data, "--site-dir", site, "--today", today])
print(json.dumps({"status": status, "forks": forks, "stderr": terminal.getvalue()}), file=sys.__stdout__)
"""


def test_no_thread_runs_when_a_build_forks_its_workers(tmp_path):
    """A build at a terminal (progress bars) forks its workers from a process
    with one thread: tqdm's monitor thread once ran there (a child forked beside
    another thread can deadlock; Python 3.12 warns)."""
    data = write_data(tmp_path / "data")
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    result = subprocess.run([sys.executable, "-c", FORK_PROBE, str(data), str(tmp_path / "site"), BUILD_DAY],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["status"] == 0, report["stderr"][-3000:]
    assert "生成检索文档" in report["stderr"] and "\r" in report["stderr"]  # bars were drawn
    assert len(report["forks"]) >= 4  # parsing and search documents, two workers each
    assert all(threads == 1 and names == ["MainThread"] for threads, names in report["forks"]), report["forks"]


@pytest.mark.skipif(sys.platform != "linux", reason="Linux keeps a nice value per thread")
def test_a_thread_that_gives_way_leaves_the_rest_of_the_process_as_it_was():
    """The page writer gives way to Pagefind (SiteBuild._beside_index); the
    build's main thread, and `portal serve` around it, keep their priority."""
    import threading

    before = os.getpriority(os.PRIO_PROCESS, 0)  # on Linux: the calling thread's
    seen = []

    def beside():
        workers.give_way()
        seen.append(os.getpriority(os.PRIO_PROCESS, 0))

    thread = threading.Thread(target=beside)
    thread.start()
    thread.join()
    assert seen == [min(before + workers.GIVE_WAY_NICE, 19)]
    assert os.getpriority(os.PRIO_PROCESS, 0) == before
