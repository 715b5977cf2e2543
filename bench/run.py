"""Benchmark: `portal build` against Hugo + Pagefind on the same synthetic records.

    python bench/run.py 1000 20000 100000 --runs 3

For each N: generate N records (bench/generate.py), then time, several times
and in turn, (a) a full `portal build` and (b) the reference: the same records
as Hugo content with minimal templates, built by Debian's `hugo` and indexed by
Pagefind's extended binary (its Chinese segmenter: what a Hugo site in Chinese
needs; the portal segments its search documents itself and runs the plain binary). Prints wall time, peak memory (RSS of the
largest process; and of all the build's processes together, as proportional
set size so that pages forked workers share count once, with their scratch
files in /dev/shm) and pages per second as medians of the runs, each run's
time, and the ratio portal / reference.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import NamedTuple

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import generate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TIME = "/usr/bin/time"


def reference_pagefind() -> str:
    """The extended Pagefind binary of the reference build (the project's `bench` extra)."""
    try:
        from pagefind_bin_extended import get_executable
    except ImportError:
        sys.exit("the reference build needs Pagefind's extended binary: run `make bench` (or pass --no-hugo)")

    return str(get_executable())

HUGO_LAYOUT = {
    "_default/baseof.html": '<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>{{ .Title }}</title>'
                            '</head><body><header>卫生健康技术推广门户</header>{{ block "main" . }}{{ end }}</body></html>\n',
    "_default/single.html": '{{ define "main" }}<main data-pagefind-body><h1>{{ .Title }}</h1>{{ .Content }}</main>{{ end }}\n',
    "_default/list.html": '{{ define "main" }}<main><h1>{{ .Title }}</h1><ul>{{ range .Pages }}'
                          '<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></main>{{ end }}\n',
}


def hugo_site(data: Path, out: Path) -> None:
    """The records as Hugo content: the reference a general static generator gives."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    (out / "content").mkdir(parents=True)
    (out / "hugo.toml").write_text('baseURL = "/"\nlanguageCode = "zh-cn"\ndefaultContentLanguage = "zh"\n'
                                   'title = "卫生健康技术推广门户"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n',
                                   encoding="utf-8")
    for rel, text in HUGO_LAYOUT.items():
        (out / "layouts" / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / "layouts" / rel).write_text(text, encoding="utf-8")
    for collection in ("technologies", "mentors", "policies"):
        folder = out / "content" / collection
        folder.mkdir()
        for path in sorted((data / collection).glob("*.yaml")):
            record = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
            title = record.get("title") or record.get("name")
            fields = "\n".join(f"- {k}: {v}" for k, v in record.items() if k not in ("body", "title", "name"))
            (folder / f"{path.stem}.md").write_text(
                f'---\ntitle: "{title}"\n---\n\n{fields}\n\n{record.get("body") or ""}', encoding="utf-8")


def _memory_kb(pid: int) -> int:
    """A process's share of memory (PSS): pages shared with forked workers count once in all."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            return next(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
    except (OSError, StopIteration):
        with open(f"/proc/{pid}/status") as status:
            return next((int(line.split()[1]) for line in status if line.startswith("VmRSS:")), 0)


def _tree_memory_kb(root: int) -> int:
    """Memory of a process and all its descendants together, from /proc."""
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        try:
            total += _memory_kb(pid)
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as children:
                    stack += [int(c) for c in children.read().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def _memory_files_kb() -> int:
    """What the in-memory file system holds: the build's scratch files are memory too."""
    try:
        stat = os.statvfs("/dev/shm")
    except OSError:
        return 0
    return (stat.f_blocks - stat.f_bfree) * stat.f_frsize // 1024


def _settle() -> None:
    """Start each run from the same state, as on a fresh CI machine: the previous
    run's files (written or deleted) on disk, and the page cache emptied (as
    root). Otherwise the kernel writes back during the next run (the portal
    writes 0.9 GB at 20,000 records, Hugo 0.3 GB), and once the cache has filled
    memory every large allocation waits for reclaim: consecutive 20,000-record
    builds slowed from 54 s to 84 s."""
    os.sync()
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError:
        pass


class Timing(NamedTuple):
    seconds: float
    rss_kb: int      # peak RSS of the largest process
    total_kb: int    # peak memory of all the command's processes together, with their files in /dev/shm
    cpu_s: float     # user + system time of the command and its children


def timed(command: list[str], cwd: Path | None = None, settle: bool = True) -> Timing:
    """One command's time and memory: GNU time for the wall and CPU time and the
    largest process's peak RSS; /proc and statvfs sampled every 0.2 s for the
    memory of all its processes together."""
    if settle:
        _settle()
    with tempfile.NamedTemporaryFile("r") as report:
        process = subprocess.Popen([TIME, "-f", "%e %M %U %S", "-o", report.name, *command], cwd=cwd,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        peak, errors, files_before = 0, [], _memory_files_kb()
        reader = threading.Thread(target=lambda: errors.append(process.stderr.read()), daemon=True)
        reader.start()
        while process.poll() is None:
            peak = max(peak, _tree_memory_kb(process.pid) + max(0, _memory_files_kb() - files_before))
            time.sleep(0.2)
        reader.join()
        if process.returncode != 0:
            raise SystemExit(f"failed: {' '.join(command)}\n{''.join(errors)[-2000:]}")
        seconds, rss, user, system = report.read().split()[-4:]
    return Timing(float(seconds), int(rss), max(peak, int(rss)), float(user) + float(system))


def reference_build(source: Path, public: Path) -> Timing:
    """The reference: Hugo builds the records' site, then Pagefind reads what it
    has just written, as it would in a real build."""
    shutil.rmtree(public, ignore_errors=True)
    built = timed(["hugo", "--quiet", "-s", str(source), "-d", str(public)])
    indexed = timed([reference_pagefind(), "--site", str(public), "--quiet"], settle=False)
    return Timing(built.seconds + indexed.seconds, max(built.rss_kb, indexed.rss_kb),
                  max(built.total_kb, indexed.total_kb), built.cpu_s + indexed.cpu_s)


def measure(n: int, runs: int, work: Path, hugo: bool) -> dict:
    data = work / f"data-{n}"
    counts = generate(n, data)
    site = work / f"site-{n}"
    hugo = hugo and shutil.which("hugo") is not None
    if hugo:
        source, public = work / f"hugo-{n}", work / f"hugo-{n}-public"
        shutil.rmtree(source, ignore_errors=True)
        hugo_site(data, source)
    # Portal and reference runs alternate, so that whatever drifts on the
    # machine during the benchmark (page cache, free inodes after deleting the
    # previous output) weighs on both alike.
    portal_runs, reference = [], []
    for _ in range(runs):
        shutil.rmtree(site, ignore_errors=True)
        portal_runs.append(timed([sys.executable, "-m", "portal", "build", "--quiet", "--data", str(data),
                                  "--today", "2024-03-28", "--site-dir", str(site)], cwd=ROOT))
        if hugo:
            reference.append(reference_build(source, public))
    pages = sum(1 for _ in site.rglob("*.html"))
    row = {"n": n, "records": counts, "pages": pages,
           "portal_s": statistics.median(t.seconds for t in portal_runs),
           "portal_rss_mb": statistics.median(t.rss_kb for t in portal_runs) / 1024,
           "portal_total_mb": statistics.median(t.total_kb for t in portal_runs) / 1024,
           "portal_runs_s": [t.seconds for t in portal_runs]}
    row["portal_pages_per_s"] = pages / row["portal_s"]
    if reference:
        row["reference_s"] = statistics.median(t.seconds for t in reference)
        row["reference_rss_mb"] = statistics.median(t.rss_kb for t in reference) / 1024
        row["reference_runs_s"] = [t.seconds for t in reference]
        row["ratio"] = row["portal_s"] / row["reference_s"]
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description="门户构建性能基准（与 Hugo + Pagefind 对比）")
    parser.add_argument("sizes", type=int, nargs="*", default=[1000, 20000, 100000])
    parser.add_argument("--runs", type=int, default=3, help="每个规模重复次数，报告中位数")
    parser.add_argument("--no-hugo", action="store_true", help="不运行 Hugo 参照")
    parser.add_argument("--work", type=Path, default=None, help="工作目录（默认临时目录）")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="portal-bench-"))
    print(f"{'N':>7} {'pages':>7} {'portal s':>9} {'RSS MB':>7} {'all MB':>7} {'pages/s':>8} {'ref s':>7} "
          f"{'ref MB':>7} {'ratio':>6}  runs (portal | reference)")
    for n in args.sizes:
        row = measure(n, args.runs, work, not args.no_hugo)
        runs = " ".join(f"{t:.1f}" for t in row["portal_runs_s"]) + " | " + \
            " ".join(f"{t:.1f}" for t in row.get("reference_runs_s", []))
        print(f"{n:>7} {row['pages']:>7} {row['portal_s']:>9.1f} {row['portal_rss_mb']:>7.0f} "
              f"{row['portal_total_mb']:>7.0f} {row['portal_pages_per_s']:>8.0f} "
              f"{row.get('reference_s', float('nan')):>7.1f} {row.get('reference_rss_mb', float('nan')):>7.0f} "
              f"{row.get('ratio', float('nan')):>6.2f}  {runs}", flush=True)


if __name__ == "__main__":
    main()
