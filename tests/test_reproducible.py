"""Two builds of the same content on the same date are byte-identical, Pagefind included."""

from __future__ import annotations

from pathlib import Path

from conftest import run_portal


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_commit_same_date_same_bytes(built_site, tmp_path):
    # SOURCE_DATE_EPOCH for 2024-03-28 00:00 in China stands in for --today.
    again = tmp_path / "again"
    result = run_portal("build", "--site-dir", str(again), env={"SOURCE_DATE_EPOCH": "1711555200"})
    assert result.returncode == 0, result.stderr
    first, second = tree(built_site), tree(again)
    assert sorted(first) == sorted(second)
    different = [name for name in first if first[name] != second[name]]
    assert different == []
    assert any(name.startswith("pagefind/filter/") for name in first)


def test_a_different_date_changes_the_statuses(built_site, tmp_path):
    later = tmp_path / "later"
    assert run_portal("build", "--today", "2025-06-30", "--site-dir", str(later)).returncode == 0
    page = "mentors/example-tcm-guoyi-dashi/index.html"
    assert "招收中" in (built_site / page).read_text(encoding="utf-8")
    assert "招收已截止" in (later / page).read_text(encoding="utf-8")
    assert (built_site / "sw.js").read_bytes() != (later / "sw.js").read_bytes()
