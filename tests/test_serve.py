"""`portal serve`: an edited record shows up, a broken one shows its error in the page."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import ROOT, write_data


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def wait_for(url: str, text: str, timeout: float = 90) -> str:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        try:
            last = fetch(url)
            if text in last:
                return last
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{text!r} did not appear at {url}")


@pytest.fixture
def server(tmp_path):
    data = write_data(tmp_path / "data")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "PORTAL_PREVIEW"}
    process = subprocess.Popen(
        [sys.executable, "-m", "portal", "serve", "--data", str(data), "--today", "2024-03-28",
         "--dev-addr", f"127.0.0.1:{port}"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield data, f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_edits_show_and_errors_are_shown_in_the_page(server):
    data, base = server
    page = base + "/technologies/ai-jiu/"
    wait_for(page, "用艾绒燃烧的温热刺激穴位")

    record = data / "technologies" / "ai-jiu.yaml"
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("用艾绒燃烧的温热刺激穴位", "艾灸：温通经络"), encoding="utf-8")
    wait_for(page, "艾灸：温通经络")

    record.write_text(text.replace("category: 治疗", "category: 手术"), encoding="utf-8")
    broken = wait_for(page, "portal-build-error")
    assert "ai-jiu.yaml:5: category:" in broken and "不在受控词表" in broken
    # The last good content is still there under the banner.
    assert "艾灸：温通经络" in broken

    record.write_text(text, encoding="utf-8")
    fixed = wait_for(page, "用艾绒燃烧的温热刺激穴位")
    assert "portal-build-error" not in fixed
