"""Stopping cleanly: Ctrl+C (SIGINT), SIGTERM and SIGHUP end a command through its cleanup.

Python turns only SIGINT into an exception; SIGTERM (a CI runner cancelling a
job, `kill`) and SIGHUP (a closed terminal) would end the process on the spot
and leave a half-built site, worker processes, Pagefind runs and documents in
shared memory behind. Under `stop_on_signals` all three raise `Interrupted` in
the main thread, so the `finally` and `except BaseException` blocks that
remove scratch run as they do for any failure. Interrupted is not an
Exception: nothing that handles ordinary errors swallows it.

Scratch that a SIGKILL (or a power cut) leaves behind is named after the
process that made it; the next run removes it once that process is gone
(`sweep`).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import threading
from pathlib import Path

SIGNALS = tuple(s for s in (getattr(signal, "SIGINT", None), getattr(signal, "SIGTERM", None),
                            getattr(signal, "SIGHUP", None)) if s is not None)


class Interrupted(BaseException):
    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    @property
    def name(self) -> str:
        try:
            return signal.Signals(self.signum).name
        except ValueError:  # pragma: no cover - a signal Python does not name
            return str(self.signum)


@contextlib.contextmanager
def stop_on_signals():
    """SIGINT, SIGTERM and SIGHUP raise Interrupted (once: a second signal while
    the cleanup runs is ignored, so the cleanup finishes)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    fired = []

    def handler(signum, frame):
        if fired:
            return
        fired.append(signum)
        raise Interrupted(signum)

    previous = {sig: signal.signal(sig, handler) for sig in SIGNALS}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@contextlib.contextmanager
def deferred():
    """Signals wait until the block is done (swapping the new site in must not stop half-way)."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def reset_in_child() -> None:
    """In a forked worker: the parent decides when to stop. Ctrl+C reaches the
    whole process group, so the worker ignores it (the parent stops the pool);
    SIGTERM and SIGHUP end it at once, as usual."""
    for sig in SIGNALS:
        signal.signal(sig, signal.SIG_IGN if sig == signal.SIGINT else signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        # Forked inside deferred() (workers.MapJob): signals were held back for the parent.
        signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNALS)


def alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        pass
    return True


def sweep(folder: Path, pattern: re.Pattern) -> list[str]:
    """Remove the entries of folder whose name matches pattern (its first group a
    process id) and whose process is gone. Returns the names removed."""
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = pattern.match(entry.name)
        if not match or alive(int(match.group(1))):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)
            removed.append(entry.name)
        except OSError:
            continue
    return removed
