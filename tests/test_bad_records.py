"""The corpus of bad records (tests/bad_records/cases.yaml): each gives a clear
error naming file, line and field, never a traceback, and a failed build
writes nothing."""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pytest
import yaml

from portal.catalogue import CatalogueError, build_catalogue
from portal.destinations import STAMP, write_stamp
from conftest import MINIMAL, run_portal, today, write_data

CASES = yaml.safe_load((Path(__file__).parent / "bad_records" / "cases.yaml").read_text(encoding="utf-8"))["cases"]
LINE = re.compile(r"^(?P<path>\S+?):(?P<line>\d+): (?P<field>\S+): (?P<message>.+) \[(?P<code>[a-z0-9-]+)\]$")


def apply(data: Path, change: dict) -> None:
    target = data / change["file"]
    if "remove" in change:
        shutil.rmtree(data / change["remove"])
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    if "content" in change:
        target.write_text(change["content"], encoding="utf-8", newline="")
    elif "bytes_hex" in change:
        target.write_bytes(bytes.fromhex(change["bytes_hex"]))
    elif "size" in change:
        line = "body: |\n" + "  正文正文正文正文正文正文正文正文\n" * (change["size"] // 40 + 1)
        target.write_text("name: 大文件\nsummary: 一句话。\nsources:\n  - title: 来源\n" + line, encoding="utf-8")
    if "replace" in change:
        old, new = change["replace"]
        text = target.read_bytes().decode("utf-8")
        assert old in text, (change["file"], old)
        target.write_bytes(text.replace(old, new, 1).encode("utf-8"))


def make(tmp_path: Path, case: dict) -> Path:
    records = {name: textwrap.dedent(text) for name, text in MINIMAL.items()}
    data = write_data(tmp_path / "data", records)
    apply(data, case)
    if "also" in case:
        apply(data, case["also"])
    return data


def test_corpus_is_large():
    assert len(CASES) >= 50
    assert len({c["name"] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_record_gives_a_clear_error(tmp_path, case):
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
