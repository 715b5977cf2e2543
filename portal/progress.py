"""What a build is doing: a progress bar per phase on a terminal, plain lines in CI logs.

A national catalogue takes minutes to build; a maintainer at a terminal sees
each phase with its count and a bar (tqdm), a CI log gets one line when a
phase starts, a few as it goes and one when it ends, without carriage returns.

Bars start no thread: tqdm's monitor thread would be running when the build
forks its workers (workers.py), and forking a process with threads can
deadlock the child.
"""

from __future__ import annotations

import functools
import sys
import threading
import time
from typing import TextIO


@functools.cache
def _bar_class():
    """tqdm without its monitor thread, which wakes every 10 s to refresh a bar
    that has fallen behind (tqdm's dynamic miniters, on by default, do that on
    the next update anyway). Set on a subclass: other users of tqdm in the
    process keep theirs."""
    from tqdm import tqdm

    return type("PortalBar", (tqdm,), {"monitor_interval": 0})


class Phase:
    def __init__(self, progress: "Progress", label: str, total: int | None, unit: str):
        self.progress, self.label, self.total, self.unit = progress, label, total, unit
        self.done = 0
        self.started = time.monotonic()
        self._tenth = 0
        self._bar = None
        if progress.bars:
            self._bar = _bar_class()(total=total, desc=label, unit=unit, file=progress.stream, leave=True,
                                     position=progress._position(), dynamic_ncols=True)
        else:
            progress.line(f"{label}：开始" + (f"（共 {total} {unit}）" if total else ""))
        self._lock = threading.Lock()

    def advance(self, n: int = 1) -> None:
        with self._lock:
            self.done += n
            if self._bar is not None:
                self._bar.update(n)
            elif self.total:
                # Plain lines at every tenth of the way, so a CI log stays short.
                tenth = self.done * 10 // self.total
                if tenth > self._tenth and self.done < self.total:
                    self._tenth = tenth
                    self.progress.line(f"{self.label}：{self.done}/{self.total} {self.unit}")

    def close(self) -> None:
        seconds = time.monotonic() - self.started
        if self._bar is not None:
            self._bar.close()
            self.progress._release()
        else:
            count = f"{self.done} {self.unit}，" if self.done else ""
            self.progress.line(f"{self.label}：完成，{count}用时 {seconds:.1f} 秒")

    def __enter__(self) -> "Phase":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Progress:
    """bars=None picks bars when the stream is a terminal; quiet prints nothing."""

    def __init__(self, stream: TextIO | None = None, bars: bool | None = None, quiet: bool = False):
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.bars = (not quiet) and (self.stream.isatty() if bars is None else bars)
        self._open = 0
        self._lock = threading.Lock()

    def phase(self, label: str, total: int | None = None, unit: str = "项") -> Phase:
        if self.quiet:
            return _Silent(self, label, total, unit)
        return Phase(self, label, total, unit)

    def line(self, text: str) -> None:
        if not self.quiet:
            with self._lock:
                print(f"[构建] {text}", file=self.stream, flush=True)

    def _position(self) -> int:
        with self._lock:
            self._open += 1
            return self._open - 1

    def _release(self) -> None:
        with self._lock:
            self._open -= 1


class _Silent(Phase):
    def __init__(self, progress, label, total, unit):
        self.progress, self.label, self.total, self.unit, self.done = progress, label, total, unit, 0
        self._lock = threading.Lock()

    def advance(self, n: int = 1) -> None:
        self.done += n

    def close(self) -> None:
        pass


QUIET = Progress(quiet=True)
