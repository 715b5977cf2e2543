"""Benchmark: the size of the change file (offline/changes.json) at national scale.

    python bench/changes_size.py 20000 [--notices 30 --technologies 10]

Generates N records (bench/generate.py) into a git repository, committed as one
import 60 days before the build day, then commits "a day's changes" on the
build day: new notices (spread over the regions), technologies withdrawn with a
successor and technologies whose review ended. Prints the file's size, raw and
gzipped, for that day, and for the two cases that make it largest: no git
history (notices dated by publication) and the whole import inside the window
(the notices capped at MAX_NOTICES).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import generate  # noqa: E402
from portal.catalogue import build_catalogue  # noqa: E402
from portal.history import load_history  # noqa: E402
from portal.outputs.changes import change_files  # noqa: E402
from portal.routes import CHANGES, RouteTable  # noqa: E402

TODAY = dt.date(2024, 3, 28)


def _commit(repo: Path, day: dt.date, message: str) -> None:
    stamp = f"{day.isoformat()}T10:00:00+08:00"
    env = {**os.environ, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp, "GIT_AUTHOR_NAME": "bench",
           "GIT_AUTHOR_EMAIL": "bench@example.org", "GIT_COMMITTER_NAME": "bench",
           "GIT_COMMITTER_EMAIL": "bench@example.org"}
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True, env=env)
    subprocess.run(["git", "-C", str(repo), "commit", "-q", "-m", message], check=True, env=env)


def _size(data: Path) -> tuple[int, int]:
    catalogue = build_catalogue(data, TODAY)
    body = change_files(catalogue, load_history(data), RouteTable.build(catalogue))[CHANGES]
    return len(body), len(gzip.compress(body, mtime=0))


def _a_days_changes(data: Path, notices: int, technologies: int) -> None:
    rng = random.Random(TODAY.toordinal())
    regions = [r for r in yaml.safe_load((data / "vocab.yaml").read_text(encoding="utf-8"))["regions"]]
    for i in range(notices):
        record = {"title": f"关于基准测试当日新增事项的通知{i}", "issuers": ["示例卫生健康委员会"],
                  "region": rng.choice(regions), "published": TODAY, "topics": ["基层卫生"], "kind": "通知",
                  "source": {"title": "基准测试合成数据"}}
        (data / "policies" / f"day-{i:04d}.yaml").write_text(
            yaml.safe_dump(record, allow_unicode=True, sort_keys=False), encoding="utf-8")
    files = sorted((data / "technologies").glob("*.yaml"))
    for n, path in enumerate(rng.sample(files, technologies)):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        if n % 2 == 0:  # withdrawn, replaced by another
            record.update(stage="退出", exit_reason="基准测试：已有替代技术", successor=files[(n + 1) % len(files)].stem)
        else:  # a review that ended: back to 推广 with a later review date
            record.update(stage="评估", review_due=TODAY - dt.timedelta(days=30))
            path.write_text(yaml.safe_dump(record, allow_unicode=True, sort_keys=False), encoding="utf-8")
            _commit(path.parents[2], TODAY - dt.timedelta(days=45), f"review of {path.stem} due")
            record.update(stage="推广", review_due=TODAY + dt.timedelta(days=1095))
        path.write_text(yaml.safe_dump(record, allow_unicode=True, sort_keys=False), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("--notices", type=int, default=30, help="notices added on the day")
    parser.add_argument("--technologies", type=int, default=10, help="technologies withdrawn or reviewed on the day")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="portal-changes-") as tmp:
        repo = Path(tmp)
        data = repo / "data"
        generate(args.n, data)
        raw, packed = _size(data)
        print(f"{args.n} records, no git history (notices by publication date): {raw / 1024:.1f} KB, "
              f"gzip {packed / 1024:.1f} KB")
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
        _commit(repo, TODAY - dt.timedelta(days=10), "import")
        raw, packed = _size(data)
        print(f"the whole import inside the window (notices capped): {raw / 1024:.1f} KB, gzip {packed / 1024:.1f} KB")
        subprocess.run(["rm", "-rf", str(repo / ".git")], check=True)
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
        _commit(repo, TODAY - dt.timedelta(days=60), "import")
        _a_days_changes(data, args.notices, args.technologies)
        _commit(repo, TODAY, "a day's changes")
        raw, packed = _size(data)
        print(f"a day's changes ({args.notices} notices, {args.technologies} technologies): "
              f"{raw / 1024:.1f} KB, gzip {packed / 1024:.1f} KB")


if __name__ == "__main__":
    main()
