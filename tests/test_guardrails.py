"""Pull-request guard rails: the hooks run and pass on the repository as it is."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from conftest import ROOT

BIN = Path(sys.executable).parent


def run(*args):
    return subprocess.run([str(BIN / args[0]), *args[1:]], cwd=ROOT, capture_output=True, text=True)


def test_pre_commit_config_runs_validate_yamllint_and_ruff():
    result = run("pre-commit", "validate-config", ".pre-commit-config.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    hooks = [h for repo in yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))["repos"]
             for h in repo["hooks"]]
    entries = " ".join(h["entry"] for h in hooks)
    assert "portal validate" in entries and "yamllint" in entries and "ruff" in entries


def test_yamllint_and_ruff_pass_on_the_repository():
    lint = run("yamllint", "-c", ".yamllint.yaml", "data")
    assert lint.returncode == 0, lint.stdout
    ruff = run("ruff", "check", "portal", "hooks", "tests")
    assert ruff.returncode == 0, ruff.stdout


def test_pull_request_template_and_contributing_guide():
    template = (ROOT / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
    assert template.count("- [ ]") >= 5 and "portal validate" in template
    guide = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert "portal new" in guide and "make serve" in guide
    for doc in ("维护者指南.md", "字段说明.md", "开发者指南.md"):
        assert (ROOT / "docs" / doc).is_file()


def test_every_module_imports_on_its_own():
    # A circular import only shows when a module is imported first.
    modules = sorted(".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
                     for p in (ROOT / "portal").rglob("*.py") if p.name != "__main__.py")
    script = "import importlib, sys\nfor m in sys.argv[1:]:\n    importlib.import_module(m)\n"
    failures = []
    for module in modules:
        result = subprocess.run([sys.executable, "-c", script, module], cwd=ROOT, capture_output=True, text=True)
        if result.returncode:
            failures.append(f"{module}: {result.stderr.strip().splitlines()[-1]}")
    assert failures == []


def test_site_addresses_are_built_in_routes_only():
    """A record's or a listing's address spelt out by hand elsewhere would drift from routes.py."""
    import re

    by_hand = re.compile(r'f"\{[a-z_.]*collection[a-z_]*\}/(?:\{[a-z_.]*\}/)?"|'
                         r'"/?by/|f"(?:policies|technologies|mentors)[/-][^"]*\{')
    found = []
    for path in sorted((ROOT / "portal").rglob("*.py")) + sorted((ROOT / "hooks").rglob("*.py")):
        if path.name == "routes.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if by_hand.search(line) and not line.lstrip().startswith("#"):
                found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert found == []


def test_routes_spell_the_addresses_readers_and_links_rely_on():
    from portal import routes

    assert routes.record("policies", "2024-x") == "policies/2024-x/"
    assert routes.collection("mentors") == "mentors/"
    assert routes.listing("policies", "region", "北京", "title", 2) == "policies/by/region/北京/sort/title/page/2/"
    assert routes.listing("policies", page=2) == "policies/by/page/2/"
    assert routes.source_file("policies/") == "policies/index.md"
    assert routes.source_file("policies/by/page/2/") == "policies/by/page/2.md"
    for bad in ("../x", "a/b", "北京?"):
        try:
            routes.segment(bad)
        except ValueError:
            continue
        raise AssertionError(bad)
