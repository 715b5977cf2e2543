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
