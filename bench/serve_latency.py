"""How long an edited record takes to show in `portal serve`.

    python bench/serve_latency.py DATA_DIR [--runs 5]

Starts `portal serve` on DATA_DIR (e.g. made by bench/generate.py), waits for
its first build, then, several times, changes the title of a policy notice and
the name of a technology in their YAML files and measures the time from the
save to the record's page served with the new text. Prints each time, the
medians and how many updates were incremental and how many full rebuilds; the files are put back
as they were.
"""

from __future__ import annotations

import argparse
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
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "portal", "serve", "--data", str(args.data), "--today", "2024-03-28",
             "--dev-addr", f"127.0.0.1:{port}"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            start = time.monotonic()
            for collection, (_, path) in records.items():
                _wait(f"{base}/{collection}/{path.stem}/", "</html>", FIRST_BUILD_TIMEOUT, 1.0)
            print(f"first build: {time.monotonic() - start:.1f} s", flush=True)
            times: dict[str, list[float]] = {collection: [] for collection in records}
            for run in range(1, args.runs + 1):
                for collection, (key, path) in records.items():
                    marker = f"（修订{run}）"
                    _edit(path, key, marker, originals[collection])
                    times[collection].append(_wait(f"{base}/{collection}/{path.stem}/", marker, 60, 0.05))
                    time.sleep(1)  # let the server settle before the next edit
            for collection, seconds in times.items():
                print(f"{collection}: median {statistics.median(seconds):.2f} s "
                      f"(runs: {' '.join(f'{s:.2f}' for s in seconds)})")
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
