"""`portal serve` under hostile requests, failing rebuilds and signals (issue 16).

Every test starts the real preview in a process of its own, with its scratch
directory under a temporary directory of the test (TMPDIR), so what it leaves
behind can be seen and other previews on the machine are not touched.
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, write_data
from test_serve import free_port

SERVE = [sys.executable, "-m", "portal", "serve"]

# The preview with a fault put in: while data/boom exists, reading the records
# raises an error no validation knows about (as a bug or an unreadable disk would).
FAULTY = [sys.executable, "-c", """
import pathlib, sys
import portal.catalogue as catalogue
real = catalogue.build_catalogue
def build_catalogue(data_dir, *args, **kwargs):
    if (pathlib.Path(data_dir) / "boom").exists():
        raise RuntimeError("注入的故障")
    return real(data_dir, *args, **kwargs)
catalogue.build_catalogue = build_catalogue
sys.argv[0] = "portal"
from portal.cli import run
run()
""", "serve"]

PAGE = "/technologies/ai-jiu/"


class Preview:
    def __init__(self, root: Path, launcher: list[str] = SERVE, data: Path | None = None):
        self.root = root
        self.data = data or write_data(root / "data")
        self.tmp = root / "tmp"
        self.tmp.mkdir(exist_ok=True)
        self.port = free_port()
        self.log_path = root / f"serve-{self.port}.log"
        env = dict(os.environ)
        env["TMPDIR"] = str(self.tmp)
        with open(self.log_path, "w", encoding="utf-8") as log:
            self.process = subprocess.Popen(
                [*launcher, "--data", str(self.data), "--today", "2024-03-28", "--dev-addr", f"127.0.0.1:{self.port}"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            self.wait_until_answering()
        except BaseException:
            self.stop()
            raise

    def get(self, path: str, host: str | None = "", timeout: float = 5) -> tuple[int, str]:
        """(status, body) of a GET sent exactly as given; host "" is the preview's own, None sends no Host."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
            if host is not None:
                conn.putheader("Host", host or f"127.0.0.1:{self.port}")
            conn.endheaders()
            response = conn.getresponse()
            return response.status, response.read().decode("utf-8", "replace")
        finally:
            conn.close()

    def wait_until_answering(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the preview exited ({self.process.returncode}):\n{self.log()}")
            try:
                self.get("/", timeout=2)
                return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"the preview did not answer within {timeout} s:\n{self.log()}")

    def wait_for(self, path: str, predicate, timeout: float = 30) -> tuple[int, str]:
        deadline = time.monotonic() + timeout
        while True:
            status, body = self.get(path)
            if predicate(status, body):
                return status, body
            if time.monotonic() > deadline:
                raise AssertionError(f"{path}: still {status} after {timeout} s:\n{body[:500]}\n{self.log()}")
            time.sleep(0.3)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def scratch(self) -> list[Path]:
        return sorted(self.tmp.glob(f"portal-preview-{self.process.pid}-*"))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=20)


@pytest.fixture
def start(tmp_path):
    started = []

    def start(launcher=SERVE, **kwargs) -> Preview:
        preview = Preview(tmp_path, launcher, **kwargs)
        started.append(preview)
        return preview

    yield start
    for preview in started:
        preview.stop()


# --- Requests: only for this preview, no path answered 500 -------------------


@pytest.fixture(scope="module")
def preview(tmp_path_factory):
    """One preview for the request tests; before it, one killed outright (SIGKILL),
    whose scratch directory this one removes at start."""
    root = tmp_path_factory.mktemp("hostile")
    killed = Preview(root)
    left = killed.scratch()
    killed.stop()
    (root / "tmp" / f"portal-preview-{os.getpid()}-live").mkdir()  # a preview still running
    served = Preview(root, data=killed.data)
    served.left_by_killed = left
    yield served
    served.stop()


def test_a_killed_previews_directory_is_removed_by_the_next(preview):
    assert preview.left_by_killed, "the killed preview had a scratch directory"
    assert not any(path.exists() for path in preview.left_by_killed)
    assert (preview.tmp / f"portal-preview-{os.getpid()}-live").is_dir(), "a live process's directory is kept"
    assert len(preview.scratch()) == 1


@pytest.mark.parametrize("host", ["evil.example:{port}", "evil.example", "127.0.0.1.evil.example:{port}",
                                  "localhost.evil.example:{port}", "127.0.0.1:{other}", "localhost", "[::1]",
                                  "127.0.0.1:{port}:{port}", "", None])
def test_a_request_for_another_host_is_refused(preview, host):
    if host is not None:
        host = host.format(port=preview.port, other=preview.port + 1) or " "
    for path in ("/", PAGE, "/livereload/1/1"):
        status, body = preview.get(path, host=host)
        assert status in (400, 421), (path, host, status)
        assert len(body) < 300 and "<html" not in body and "艾灸" not in body


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}", "[::1]:{port}",
                                  "localhost.:{port}"])
def test_the_previews_own_addresses_are_served(preview, host):
    status, body = preview.get(PAGE, host=host.format(port=preview.port))
    assert status == 200 and "艾灸" in body


def test_the_host_check_of_a_preview_served_everywhere():
    """Served on every interface, the preview answers its machine's addresses, never another name."""
    import socket

    from portal.preview_server import HostCheck

    everywhere, local = HostCheck("0.0.0.0", 8000), HostCheck("127.0.0.1", 8000)
    for host in ("192.168.1.20:8000", "[fe80::1]:8000", f"{socket.gethostname()}:8000", "localhost:8000"):
        assert everywhere.refusal(host) is None, host
    for host in ("evil.example:8000", "192.168.1.20:8001", "192.168.1.20", "localhost:80"):
        assert everywhere.refusal(host) is not None, host
    assert local.refusal("192.168.1.20:8000") is not None
    assert local.refusal("127.0.0.1:8000") is None


BAD_PATHS = [
    "/%00", "/%00.html", PAGE + "%00", "/index.html%00.txt",
    "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc/passwd", "/../../etc/passwd", "/technologies/../../../etc/passwd",
    "/%2e%2e%5c%2e%2e%5cetc%5cpasswd", "/./index.html",
    "/%", "/%zz", "/%e4%b8", "/%ff%fe", "/%c0%ae%c0%ae/etc/passwd", "/%0d%0aSet-Cookie:%20x=1",
    "/" + "a" * 300, "/" + "a" * 300 + "/", "/" + "a/" * 2000, "/" + "%e8%89%be" * 3000,
    "/livereload/" + "9" * 5000 + "/1", "/livereload/1/" + "9" * 5000, "/livereload/x/1",
    PAGE + "index.html/", "/sitemap.xml/x",
]


def assert_refused(preview, path: str) -> str:
    before = len(preview.log())
    status, body = preview.get(path)
    assert status in (400, 404), (path, status, body[:300])
    assert preview.get("/")[0] == 200, "the preview is still up"
    new = preview.log()[before:]
    assert "Traceback" not in new and "code 500" not in new, new
    return body


@pytest.mark.parametrize("path", BAD_PATHS, ids=lambda path: path[:40])
def test_a_bad_path_is_answered_400_or_404(preview, path):
    body = assert_refused(preview, path)
    assert "root:" not in body


@pytest.mark.parametrize("path", ["/dangling.html", "/dangling/", "/outside.txt", "/outside/secret.txt"])
def test_a_link_in_the_site_directory_is_not_followed(preview, path):
    """Links in the site directory: to nowhere, and out of it (to a file and a folder)."""
    site = preview.scratch()[0]
    secret = preview.root / "secret.txt"
    secret.write_text("秘密", encoding="utf-8")
    for name, target in (("dangling.html", preview.root / "nowhere"), ("dangling", preview.root / "nowhere"),
                         ("outside.txt", secret), ("outside", preview.root)):
        if not (site / name).is_symlink():
            (site / name).symlink_to(target)
    assert "秘密" not in assert_refused(preview, path)


def test_no_request_left_a_traceback(preview):
    log = preview.log()
    assert "Traceback" not in log and "code 500" not in log


# --- Failing rebuilds: requests still answered, the next save tries again -----


def test_a_dangling_link_in_the_data_does_not_hang_requests(start):
    preview = start()
    preview.wait_for(PAGE, lambda status, body: status == 200 and "艾灸" in body)
    (preview.data / "technologies" / "broken.yaml").symlink_to(preview.root / "nowhere.yaml")
    until = time.monotonic() + 4
    while time.monotonic() < until:
        for path in (PAGE, "/", "/policies/", "/missing/"):
            started = time.monotonic()
            status, _body = preview.get(path, timeout=5)  # a hang raises TimeoutError
            assert status in (200, 404) and time.monotonic() - started < 5, (path, status)
    # The link is reported on the page (as a record error, or as the failed rebuild).
    status, body = preview.wait_for(PAGE, lambda status, body: "broken.yaml" in body or "portal-preview-failure" in body)
    assert status == 200 and "艾灸" in body, "the last good page is still served"

    (preview.data / "technologies" / "broken.yaml").unlink()
    record = preview.data / "technologies" / "ai-jiu.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("name: 艾灸", "name: 艾灸修复后"), encoding="utf-8")
    _status, body = preview.wait_for(PAGE, lambda status, body: "艾灸修复后" in body)
    assert "portal-build-error" not in body and "portal-preview-failure" not in body
    assert "Traceback" not in preview.log()


def test_a_rebuild_that_raises_is_one_log_line_and_the_next_save_retries(start, tmp_path):
    data = write_data(tmp_path / "data")
    (data / "boom").write_text("", encoding="utf-8")
    preview = start(FAULTY, data=data)
    # The first build failed: every path answers at once, saying why.
    started = time.monotonic()
    status, body = preview.get(PAGE)
    assert status == 404 and "预览重建失败" in body and "注入的故障" in body
    assert time.monotonic() - started < 5
    failures = [line for line in preview.log().splitlines() if "预览重建失败" in line]
    assert len(failures) == 1 and "RuntimeError: 注入的故障" in failures[0], preview.log()

    (data / "boom").unlink()  # the next save builds again
    preview.wait_for(PAGE, lambda status, body: status == 200 and "艾灸" in body)

    (data / "boom").write_text("", encoding="utf-8")  # a failure after a good build
    status, body = preview.wait_for(PAGE, lambda status, body: "portal-preview-failure" in body)
    assert status == 200 and "艾灸" in body and "注入的故障" in body, "the last good page, under the failure"
    assert preview.get("/")[0] == 200

    (data / "boom").unlink()
    record = data / "technologies" / "ai-jiu.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("name: 艾灸", "name: 艾灸再次生成"), encoding="utf-8")
    _status, body = preview.wait_for(PAGE, lambda status, body: "艾灸再次生成" in body)
    assert "portal-preview-failure" not in body
    assert "Traceback" not in preview.log(), preview.log()


# --- Signals: out at once, one line, nothing left behind ---------------------


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=lambda s: s.name)
def test_a_signal_stops_the_preview_and_removes_its_directory(start, signum):
    preview = start()
    assert preview.get(PAGE)[0] == 200
    assert len(preview.scratch()) == 1
    before = len(preview.log())
    preview.process.send_signal(signum)
    try:
        preview.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"still running 10 s after {signum.name}:\n{preview.log()}") from None
    said = preview.log()[before:].strip()
    assert "Traceback" not in said and len(said.splitlines()) == 1, said
    assert "预览已停止" in said and preview.process.returncode == 0, said  # the usual way to end a preview
    assert preview.scratch() == [], "the scratch site directory is removed"
