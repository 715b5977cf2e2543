"""Benchmark smoke run: the generator's records validate and build; the runner
reports a row per size from that many valid records."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from bench.generate import generate
from bench.run import main
from portal.catalogue import build_catalogue
from conftest import today


def test_generated_catalogue_is_valid_and_linked(tmp_path):
    counts = generate(120, tmp_path / "data")
    assert sum(counts.values()) == 120
    catalogue = build_catalogue(tmp_path / "data", today())
    assert len(catalogue.policies) == counts["policies"]
    assert any(r.related("mentors") for r in catalogue.technologies.values())
    assert any(r.related("cited_by") for r in catalogue.policies.values())
    # Same N and seed, same files.
    generate(120, tmp_path / "again")
    for path in (tmp_path / "data").rglob("*.yaml"):
        assert path.read_bytes() == (tmp_path / "again" / path.relative_to(tmp_path / "data")).read_bytes()


@pytest.mark.skipif(not shutil.which("/usr/bin/time"), reason="GNU time is installed by `make bench`")
def test_benchmark_report_has_a_row_per_size_from_valid_records(tmp_path, monkeypatch, capsys):
    """`python bench/run.py 30 60 --runs 1`: one row per size, in the order asked,
    built from that many valid records; its page count is what the build wrote,
    a page for every record among them; memory of all processes at least the
    largest one's; the reference's columns filled when Hugo is installed."""
    import importlib.util

    # The reference needs Hugo and Pagefind's extended binary (both installed by `make bench`).
    hugo = bool(shutil.which("hugo")) and importlib.util.find_spec("pagefind_bin_extended") is not None
    monkeypatch.setattr(sys, "argv", ["run.py", "30", "60", "--runs", "1", "--work", str(tmp_path),
                                      *([] if hugo else ["--no-hugo"])])
    main()
    header, *rows = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert header[:4] == ["N", "pages", "portal", "s"]
    assert [row[0] for row in rows] == ["30", "60"]
    for n, pages, portal_s, rss_mb, all_mb, _per_s, reference_s, reference_mb, ratio, *runs in rows:
        catalogue = build_catalogue(tmp_path / f"data-{n}", today())  # raises on an invalid record
        assert catalogue.warnings == []
        assert {c: len(r) for c, r in catalogue.records.items()} == {
            "policies": int(n) - int(int(n) * 0.15) - int(int(n) * 0.05),
            "technologies": int(int(n) * 0.15), "mentors": int(int(n) * 0.05)}
        site = tmp_path / f"site-{n}"
        assert int(pages) == sum(1 for _ in site.rglob("*.html")) > int(n)
        assert all((site / c / i / "index.html").is_file() for c, r in catalogue.records.items() for i in r)
        assert float(portal_s) > 0 and int(all_mb) >= int(rss_mb) > 0
        portal_runs, reference_runs = " ".join(runs).split("|")
        assert [float(t) for t in portal_runs.split()] == [float(portal_s)]  # --runs 1: the median is the run
        if hugo:
            assert [float(t) for t in reference_runs.split()] == [float(reference_s)]
            assert float(reference_s) > 0 and float(reference_mb) > 0 and float(ratio) > 0
        else:
            assert reference_runs.split() == [] and reference_s == reference_mb == ratio == "nan"


def test_serve_latency_smoke_run(tmp_path):
    """The preview benchmark edits records, sees them served and leaves the files as they were."""
    import subprocess

    from conftest import ROOT

    generate(60, tmp_path / "data")
    before = {p: p.read_bytes() for p in (tmp_path / "data").rglob("*.yaml")}
    result = subprocess.run([sys.executable, "bench/serve_latency.py", str(tmp_path / "data"), "--runs", "1"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "policies: record page shows the edit after median" in result.stdout
    assert "technologies: record page shows the edit after median" in result.stdout
    assert "full rebuilds after the first: 0" in result.stdout, result.stdout
    assert "incremental updates: 0," not in result.stdout, result.stdout
    assert {p: p.read_bytes() for p in before} == before


@pytest.mark.skipif(not shutil.which("/usr/bin/time"), reason="GNU time is installed by `make bench`")
def test_compare_reports_each_checkout_and_keeps_its_records(tmp_path, monkeypatch, capsys):
    """`python bench/compare.py 30 a=. b=. --runs 1 --no-hugo`: a row per
    checkout, in the order given, with its run; the records are generated once
    and kept for the next comparison."""
    from bench import compare

    root = Path(__file__).resolve().parent.parent
    monkeypatch.setattr(sys, "argv", ["compare.py", "30", f"a={root}", f"b={root}", "--runs", "1", "--no-hugo",
                                      "--work", str(tmp_path)])
    compare.main()
    header, *rows = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert header[:3] == ["build", "wall", "s"]
    assert [row[0] for row in rows] == ["a", "b"]
    for _name, wall, cpu, ratio, *runs in rows:
        assert runs == [wall] and float(cpu) > 0 and ratio == "—"
    catalogue = build_catalogue(tmp_path / "data-30", today())
    assert sum(len(r) for r in catalogue.records.values()) == 30
    marker = tmp_path / "data-30" / ".generated"
    made = marker.stat().st_mtime_ns
    assert compare.records(30, tmp_path) == tmp_path / "data-30"
    assert marker.stat().st_mtime_ns == made  # not generated again
