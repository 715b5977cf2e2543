"""How long an edited record takes to show in `portal serve`.

    python bench/serve_latency.py DATA_DIR [--runs 5]

Starts `portal serve` on DATA_DIR (e.g. made by bench/generate.py), waits for
its first build, then, several times, changes the title of a policy notice and
the name of a technology in their YAML files and measures the time from the
save to the record's page served with the new text, and to the server's report
that the update (listings and linked pages too) is complete. Prints each time, the
medians and how many updates were incremental and how many full rebuilds; the files are put back
as they were.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST_BUILD_TIMEOUT = 1200


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _page(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""


def _wait(url: str, text: str, timeout: float, step: float) -> float:
    """Seconds until the page at url contains text."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if text in _page(url):
            return time.monotonic() - start
        time.sleep(step)
    raise SystemExit(f"{text!r} did not appear at {url} within {timeout} s")


def _logged(log_path: str, offset: int, text: str, timeout: float, step: float) -> float:
    """Seconds until text appears in the server's log after offset."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        with open(log_path, encoding="utf-8", errors="replace") as log:
            log.seek(offset)
            if text in log.read():
                return time.monotonic() - start
        time.sleep(step)
    raise SystemExit(f"the server did not log {text!r} within {timeout} s")


def _edit(path: Path, key: str, marker: str, original: str) -> None:
    """Write the record with marker appended to its first `key:` line."""
    lines = original.splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.startswith(f"{key}: "))
    lines[index] = lines[index].rstrip("\n") + marker + "\n"
    path.write_text("".join(lines), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description="预览服务器中修改记录到页面更新的用时")
    parser.add_argument("data", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    records = {
        "policies": ("title", sorted((args.data / "policies").glob("*.yaml"))[0]),
        "technologies": ("name", sorted((args.data / "technologies").glob("*.yaml"))[0]),
    }
    originals = {collection: path.read_text(encoding="utf-8") for collection, (_, path) in records.items()}
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.NamedTemporaryFile("w+", encoding="utf-8") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "portal", "serve", "--data", str(args.data), "--today", "2024-03-28",
             "--dev-addr", f"127.0.0.1:{port}"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            start = time.monotonic()
            for collection, (_, path) in records.items():
                _wait(f"{base}/{collection}/{path.stem}/", "</html>", FIRST_BUILD_TIMEOUT, 1.0)
            print(f"first build: {time.monotonic() - start:.1f} s", flush=True)
            visible: dict[str, list[float]] = {collection: [] for collection in records}
            complete: dict[str, list[float]] = {collection: [] for collection in records}
            for run in range(1, args.runs + 1):
                for collection, (key, path) in records.items():
                    marker = f"（修订{run}）"
                    offset = os.path.getsize(log.name)
                    saved = time.monotonic()
                    _edit(path, key, marker, originals[collection])
                    visible[collection].append(_wait(f"{base}/{collection}/{path.stem}/", marker, 60, 0.05))
                    # The record's page comes first; the listings and linked pages follow.
                    _logged(log.name, offset, "记录已更新（增量）", 60, 0.05)
                    complete[collection].append(time.monotonic() - saved)
                    time.sleep(2)  # the server settles (one save can reach it as several events)
            for collection in records:
                print(f"{collection}: record page shows the edit after median {statistics.median(visible[collection]):.2f} s "
                      f"(runs: {' '.join(f'{t:.2f}' for t in visible[collection])}); update complete after "
                      f"median {statistics.median(complete[collection]):.2f} s "
                      f"(runs: {' '.join(f'{t:.2f}' for t in complete[collection])})")
            log.seek(0)
            text = log.read()
            # A save can reach the server as several file events, each an update.
            print(f"incremental updates: {text.count('记录已更新（增量）')}, "
                  f"full rebuilds after the first: {max(0, text.count('站点已完整重建') - 1)}")
        finally:
            for collection, (_, path) in records.items():
                path.write_text(originals[collection], encoding="utf-8")
            process.terminate()
            process.wait(timeout=60)


if __name__ == "__main__":
    main()
