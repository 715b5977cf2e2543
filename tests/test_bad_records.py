"""The corpus of bad input (tests/bad_records/cases.yaml): each gives a clear
error naming file, line and field (or the refused argument), never a
traceback, within seconds, and changes nothing: a failed build writes nothing,
a refused one touches nothing."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
import subprocess
import textwrap
import time
from pathlib import Path

import pytest
import yaml

from portal.catalogue import CatalogueError, build_catalogue
from portal.destinations import STAMP, write_stamp
from conftest import MINIMAL, ROOT, run_portal, today, write_data

CASES = yaml.safe_load((Path(__file__).parent / "bad_records" / "cases.yaml").read_text(encoding="utf-8"))["cases"]
LINE = re.compile(r"^(?P<path>\S+?):(?P<line>\d+): (?P<field>\S+): (?P<message>.+) \[(?P<code>[a-z0-9-]+)\]$")
REFUSED = re.compile(r"^(?P<path>.+?): (?P<option>--[a-z-]+): (?P<message>.+) \[(?P<code>[a-z0-9-]+)\]$")
# What a project needs to build from (a copy to point --site-dir at, safely).
PROJECT_PARTS = ("portal", "hooks", "overrides", "content", "data", "mkdocs.yml", "pyproject.toml")
# A case must be answered well before this; the slowest seen took minutes.
SECONDS = 30


def places(tmp_path: Path) -> dict[str, str]:
    return {"tmp": str(tmp_path), "data": str(tmp_path / "data"), "site": str(tmp_path / "site"),
            "home": str(tmp_path / "home"), "project": str(tmp_path / "project"), "outside": str(tmp_path / "outside")}


def fill(text: str, where: dict[str, str]) -> str:
    return text.format(**where)


def apply(data: Path, change: dict, where: dict[str, str]) -> None:
    target = data / change["file"]
    if "remove" in change:
        shutil.rmtree(data / change["remove"])
        if "symlink" not in change:
            return
    target.parent.mkdir(parents=True, exist_ok=True)
    if "content" in change:
        target.write_text(change["content"], encoding="utf-8", newline="")
    elif "bytes_hex" in change:
        target.write_bytes(bytes.fromhex(change["bytes_hex"]))
    elif "size" in change:
        line = "body: |\n" + "  正文正文正文正文正文正文正文正文\n" * (change["size"] // 40 + 1)
        target.write_text("name: 大文件\nsummary: 一句话。\nsources:\n  - title: 来源\n" + line, encoding="utf-8")
    elif change.get("fifo"):
        target.unlink(missing_ok=True)
        os.mkfifo(target)
    elif "symlink" in change:
        target.unlink(missing_ok=True)
        target.symlink_to(fill(change["symlink"], where))
    elif change.get("mkdir"):
        target.unlink(missing_ok=True)
        target.mkdir()
    if "replace" in change:
        old, new = change["replace"]
        text = target.read_bytes().decode("utf-8")
        assert old in text, (change["file"], old)
        target.write_bytes(text.replace(old, new, 1).encode("utf-8"))
    if "append_repeat" in change:
        prefix, unit, times, suffix = change["append_repeat"]
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(prefix + unit * times + suffix)


def make(tmp_path: Path, case: dict) -> Path:
    """The temporary world of a case: data, an outside folder, a home, maybe a project copy."""
    where = places(tmp_path)
    records = {name: textwrap.dedent(text) for name, text in MINIMAL.items()}
    data = write_data(tmp_path / "data", records)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.yaml").write_text("name: 外部文件\nsummary: 不应发布。\nsources:\n  - title: 外部\n",
                                                       encoding="utf-8")
    (tmp_path / "home").mkdir()
    if "{project}" in str(case):
        for part in PROJECT_PARTS:
            source, copy = ROOT / part, tmp_path / "project" / part
            if source.is_dir():
                shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(source, copy)
    if "file" in case:
        apply(data, case, where)
        if "also" in case:
            apply(data, case["also"], where)
    setup = case.get("setup", {})
    for path, text in setup.get("files", {}).items():
        Path(fill(path, where)).parent.mkdir(parents=True, exist_ok=True)
        Path(fill(path, where)).write_text(text, encoding="utf-8")
    for path in setup.get("dirs", []):
        Path(fill(path, where)).mkdir(parents=True)
    for path, target in setup.get("symlinks", {}).items():
        Path(fill(path, where)).symlink_to(fill(target, where))
    for path in setup.get("stamped", []):
        write_stamp(Path(fill(path, where)))
    return data


def tree(root: Path) -> dict[str, tuple]:
    """Every entry under root as (kind, content digest or link target), never opening
    anything but regular files (a case may hold a named pipe or a link to /dev/zero)."""
    found = {}
    for folder, dirs, names in os.walk(root):
        for name in dirs + names:
            path = Path(folder) / name
            st = path.lstat()
            if path.is_symlink():
                found[str(path.relative_to(root))] = ("link", os.readlink(path))
            elif path.is_file():
                found[str(path.relative_to(root))] = ("file", hashlib.sha256(path.read_bytes()).hexdigest())
            else:
                found[str(path.relative_to(root))] = ("other", st.st_mode)
    return found


def test_corpus_is_large():
    assert len(CASES) >= 120
    assert len({c["name"] for c in CASES}) == len(CASES)


RECORD_CASES = [c for c in CASES if "run" not in c]


@pytest.mark.parametrize("case", [c for c in RECORD_CASES if not c.get("fifo")],
                         ids=[c["name"] for c in RECORD_CASES if not c.get("fifo")])
def test_bad_record_gives_a_clear_error(tmp_path, case):
    """In the catalogue, as the build and the preview see it (named pipes only through the command, with a timeout)."""
    data = make(tmp_path, case)
    with pytest.raises(CatalogueError) as info:
        build_catalogue(data, today())
    lines = [str(p) for p in info.value.problems]
    assert all(LINE.match(l) for l in lines), lines
    want = case["expect"]
    path = want.get("path", case["file"])
    hits = [LINE.match(l) for l in lines]
    hits = [m for m in hits if m["path"].endswith(path) and m["field"] == want["field"] and m["code"] == want["code"]]
    assert hits, (want, lines)
    if "line" in want:
        assert any(int(m["line"]) == want["line"] for m in hits), (want, lines)
    if "text" in want:
        assert any(want["text"] in m["message"] for m in hits), (want, lines)
    if "absent" in want:
        assert not any(want["absent"] in l for l in lines), lines


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_command_refuses_cleanly_and_changes_nothing(tmp_path, case):
    """Through the real command: exit status 1 (bad content) or 2 (refused arguments),
    one clear line per problem, no traceback, quickly, and the whole temporary tree
    (data, outside files, home, project copy, old site) exactly as before."""
    make(tmp_path, case)
    where = places(tmp_path)
    args = [fill(a, where) for a in case.get("run", ["build", "--data", "{data}", "--site-dir", "{site}",
                                                      "--today", "2024-03-28", "--quiet"])]
    before = tree(tmp_path)
    environment = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    environment["HOME"] = where["home"]
    cwd = Path(fill(case.get("cwd", "{tmp}"), where))
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "portal", *args], cwd=cwd, env=environment,
                            capture_output=True, text=True, timeout=SECONDS * 4)
    elapsed = time.monotonic() - started
    want = case["expect"]
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode == want.get("exit", 1), output
    assert elapsed < SECONDS, f"{elapsed:.1f} s"
    assert tree(tmp_path) == before, "the command changed files"
    assert not (tmp_path / "site").exists() or "{site}" in str(case.get("setup", {}))
    if "absent" in want:
        assert want["absent"] not in output, output
    if "text" in want:
        assert fill(want["text"], where) in output, output
    if "code" not in want:
        return
    lines = [l for l in result.stderr.splitlines() if l.strip()]
    if "option" in want:
        refused = [REFUSED.match(l) for l in lines]
        assert lines and refused[0] and refused[0]["option"] == want["option"] and refused[0]["code"] == want["code"], lines
        return
    problems = [LINE.match(l) for l in lines if LINE.match(l)]
    assert any(m["code"] == want["code"] and m["field"] == want["field"] for m in problems), lines


@pytest.mark.parametrize("name", ["billion-laughs", "ten-megabytes", "not-utf8", "tab-indentation", "missing-collection"])
def test_build_writes_nothing_and_keeps_the_old_site(tmp_path, name):
    case = next(c for c in CASES if c["name"] == name)
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("旧站点", encoding="utf-8")
    write_stamp(site)  # a previous build
    data = make(tmp_path, case)
    result = run_portal("build", "--data", str(data), "--site-dir", str(site), "--today", "2024-03-28")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and LINE.match(result.stderr.splitlines()[0]), result.stderr
    assert sorted(p.name for p in site.iterdir()) == [STAMP, "index.html"]
    assert (site / "index.html").read_text(encoding="utf-8") == "旧站点"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site")]
