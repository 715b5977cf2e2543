"""Benchmark: builds of several checkouts of the portal, alternating, on the same records.

    python bench/compare.py 20000 before=/tmp/before after=. --runs 3

Each NAME=CHECKOUT is a working tree of this repository (`git worktree add
/tmp/before <commit>`); `python -m portal build` runs from it, so its own
code builds. The checkouts take turns within each round, followed by the Hugo +
Pagefind reference of bench/run.py (leave it out with --no-hugo), so that
whatever drifts on the machine weighs on all alike: on a shared 2-core
machine the same build may take 10% longer from one hour to the next, so a
change is judged by alternating runs, not by runs made at different times.
Prints, per build, the median wall time, the median CPU time (user + system,
every process of the build) and the ratio to the reference, then each run.
The records are generated into --work once (bench/generate.py; the same N
and seed give the same files) and kept for the next comparison.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench.generate as generate_module  # noqa: E402
from bench.run import Timing, hugo_site, reference_build, timed  # noqa: E402

_MADE = ".generated"


def records(n: int, work: Path) -> Path:
    """The data directory of n records in work, generated unless the same
    generator made it from the same repository data already."""
    data = work / f"data-{n}"
    made = f"{n} {_generator_digest()}\n"
    marker = data / _MADE
    if not marker.is_file() or marker.read_text(encoding="utf-8") != made:
        generate_module.generate(n, data)
        marker.write_text(made, encoding="utf-8")
    return data


def _generator_digest() -> str:
    """What the generated records follow: the generator and the repository's records and vocabulary."""
    digest = hashlib.sha256(Path(generate_module.__file__).read_bytes())
    for path in sorted(generate_module.DATA.rglob("*.yaml")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description="交替构建几个检出版本，比较构建用时")
    parser.add_argument("n", type=int, help="合成记录数")
    parser.add_argument("builds", nargs="+", metavar="NAME=CHECKOUT", help="名称=检出目录")
    parser.add_argument("--runs", type=int, default=3, help="轮数，报告中位数")
    parser.add_argument("--no-hugo", action="store_true", help="不运行 Hugo 参照")
    parser.add_argument("--work", type=Path, default=None, help="工作目录（保留生成的数据，默认临时目录）")
    args = parser.parse_args()
    builds = {}
    for item in args.builds:
        name, sep, checkout = item.partition("=")
        if not sep or not (Path(checkout) / "portal" / "__main__.py").is_file():
            parser.error(f"{item}: 应为 名称=检出目录（目录中要有 portal/）")
        builds[name] = Path(checkout).resolve()
    work = args.work or Path(tempfile.mkdtemp(prefix="portal-compare-"))
    work.mkdir(parents=True, exist_ok=True)
    data = records(args.n, work)
    hugo = not args.no_hugo and shutil.which("hugo") is not None
    if hugo:
        source, public = work / f"hugo-{args.n}", work / f"hugo-{args.n}-public"
        shutil.rmtree(source, ignore_errors=True)
        hugo_site(data, source)
    site = work / "compare-site"
    times: dict[str, list[Timing]] = {name: [] for name in builds}
    reference: list[Timing] = []
    for _ in range(args.runs):
        for name, checkout in builds.items():
            shutil.rmtree(site, ignore_errors=True)
            times[name].append(timed([sys.executable, "-m", "portal", "build", "--quiet", "--data", str(data),
                                      "--today", "2024-03-28", "--site-dir", str(site)], cwd=checkout))
            print(f"{name}: {times[name][-1].seconds:.1f} s", file=sys.stderr, flush=True)
        if hugo:
            reference.append(reference_build(source, public))
    base = statistics.median(t.seconds for t in reference) if reference else None
    print(f"{'build':12} {'wall s':>7} {'CPU s':>7} {'ratio':>6}  runs (wall)")
    for name, runs in [*times.items(), *([("reference", reference)] if reference else [])]:
        wall = statistics.median(t.seconds for t in runs)
        cpu = statistics.median(t.cpu_s for t in runs)
        ratio = f"{wall / base:6.2f}" if base else f"{'—':>6}"
        print(f"{name:12} {wall:7.1f} {cpu:7.1f} {ratio}  " + " ".join(f"{t.seconds:.1f}" for t in runs), flush=True)


if __name__ == "__main__":
    main()
