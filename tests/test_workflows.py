"""GitHub workflows: valid against the workflow schema, and doing what the project promises."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def load(name: str) -> dict:
    # PyYAML reads the key `on` as True.
    data = yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))
    return data


def test_workflows_are_valid():
    checker = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    assert checker, "check-jsonschema is a test dependency"
    result = subprocess.run([checker, "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_pull_requests_validate_build_and_test():
    check = load("check.yml")
    assert "pull_request" in check["on"]
    commands = [step.get("run", "") for step in check["jobs"]["test"]["steps"]]
    assert "make validate" in commands and "make build" in commands and "make test" in commands


def test_publish_on_main_and_nightly_at_half_past_midnight_china_time():
    publish = load("publish.yml")
    assert publish["on"]["push"]["branches"] == ["main"]
    assert publish["on"]["schedule"] == [{"cron": "30 16 * * *"}]  # 16:30 UTC = 00:30 UTC+8
    build_steps = publish["jobs"]["build"]["steps"]
    assert any(step.get("run") == "make build" for step in build_steps)
    assert any(step.get("uses", "").startswith("actions/upload-pages-artifact") for step in build_steps)
    assert publish["jobs"]["deploy"]["steps"][0]["uses"].startswith("actions/deploy-pages")
    assert publish["permissions"]["pages"] == "write"
