"""Benchmark smoke run: the generator's records validate and build; the runner reports a row."""

from __future__ import annotations

import shutil

import pytest

from bench.generate import generate
from bench.run import hugo_site, measure
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
def test_benchmark_smoke_run(tmp_path):
    row = measure(60, 1, tmp_path, hugo=bool(shutil.which("hugo")))
    assert row["pages"] > 60 and row["portal_s"] > 0 and row["portal_rss_mb"] > 0
    # Python and the Pagefind runs beside it, together.
    assert row["portal_total_mb"] >= row["portal_rss_mb"]
    if shutil.which("hugo"):
        hugo_site(tmp_path / "data-60", tmp_path / "h")
        assert row["reference_s"] > 0 and row["ratio"] > 0


def test_serve_latency_smoke_run(tmp_path):
    """The preview benchmark edits records, sees them served and leaves the files as they were."""
    import subprocess
    import sys

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
