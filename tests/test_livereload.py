"""The preview's own server (portal/preview_server.py, portal/livereload.py):
what it serves and how, pages held during a rebuild, the reload signal, the
watcher; and that no part of it is MkDocs's private live-reload server."""

from __future__ import annotations

import ast
import http.client
import re
import socket
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import ROOT, run_portal, write_data
from test_serve import free_port

from portal import livereload, preview_server
from portal.preview_server import PreviewServer

PAGE = b'<!doctype html><html><head><title>t</title></head><body><p>\xe8\x89\xbe\xe7\x81\xb8</p></body></html>'


class Server:
    """A preview server on a site directory, in this process."""

    def __init__(self, site: Path, failure=None, error_page=None):
        self.site, self.failure = site, failure
        self.port = free_port()
        self.server = PreviewServer("127.0.0.1", self.port, site, failure=lambda: self.failure,
                                    error_page=error_page or (lambda code: None))
        self.server.start()
        self.server.build(lambda: None)  # the first build

    def request(self, path: str, method: str = "GET", timeout: float = 10) -> tuple[int, dict, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, headers={"Host": f"127.0.0.1:{self.port}"})
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()

    def version(self, path: str = "/") -> int:
        status, _headers, body = self.request(path)
        assert status == 200, body
        return int(re.search(rb'<script src="/livereload/reload.js" data-version="([0-9]+)"></script>', body)[1])


@pytest.fixture
def site(tmp_path) -> Path:
    site = tmp_path / "site"
    files = {
        "index.html": PAGE, "404.html": b"<html><body>404 page</body></html>",
        "technologies/index.html": PAGE, "assets/site.css": b"body{}", "assets/site.js": b"1;",
        "search.json": b"{}", "sitemap.xml": b"<urlset/>", "icon.svg": b"<svg/>", "icon.png": b"\x89PNG",
        "manifest.webmanifest": b"{}", "module.wasm": b"\0asm", "feed.ics": b"BEGIN:VCALENDAR",
        "pagefind/pagefind.js": b"1;", "pagefind/wasm.unknown.pagefind": b"\x1f\x8b",
        "pagefind/pagefind.und_1.pf_meta": b"m", "pagefind/index/und_1.pf_index": b"i",
        "pagefind/fragment/und_1.pf_fragment": b"f", "pagefind/filter/und_1.pf_filter": b"f",
    }
    for name, content in files.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_bytes(content)
    return site


@pytest.fixture
def serve(site):
    started = []

    def serve(**kwargs) -> Server:
        server = Server(site, **kwargs)
        started.append(server)
        return server

    yield serve
    for server in started:
        server.server.shutdown()


def in_thread(target, *args):
    result = {}

    def run():
        result["value"] = target(*args)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, result


@pytest.mark.parametrize("path, kind", [
    ("/", "text/html; charset=utf-8"),
    ("/assets/site.css", "text/css; charset=utf-8"),
    ("/assets/site.js", "text/javascript; charset=utf-8"),
    ("/pagefind/pagefind.js", "text/javascript; charset=utf-8"),
    ("/search.json", "application/json"),
    ("/sitemap.xml", "application/xml"),
    ("/icon.svg", "image/svg+xml"),
    ("/icon.png", "image/png"),
    ("/manifest.webmanifest", "application/manifest+json"),
    ("/module.wasm", "application/wasm"),
    ("/feed.ics", "text/calendar; charset=utf-8"),
    ("/pagefind/wasm.unknown.pagefind", "application/octet-stream"),
    ("/pagefind/pagefind.und_1.pf_meta", "application/octet-stream"),
    ("/pagefind/index/und_1.pf_index", "application/octet-stream"),
    ("/pagefind/fragment/und_1.pf_fragment", "application/octet-stream"),
    ("/pagefind/filter/und_1.pf_filter", "application/octet-stream"),
    ("/livereload/reload.js", "text/javascript; charset=utf-8"),
])
def test_files_are_served_with_their_type(serve, site, path, kind):
    server = serve()
    status, headers, body = server.request(path)
    assert status == 200 and headers["content-type"] == kind
    assert int(headers["content-length"]) == len(body)
    if not path.endswith((".html", "/")) and not path.startswith("/livereload/"):
        assert body == (site / path.lstrip("/")).read_bytes()


def test_a_head_request_has_the_headers_and_no_body(serve):
    status, headers, body = serve().request("/assets/site.css", method="HEAD")
    assert status == 200 and headers["content-length"] == "6" and body == b""
    assert serve().request("/", method="POST")[0] == 405


def test_pages_load_the_reload_script_from_the_preview(serve):
    """Every HTML page, the 404 page included, loads the script as a file: the
    site's Content-Security-Policy allows scripts from the site only, no inline one."""
    server = serve(error_page=lambda code: b"<html><body>404 page</body></html>")
    csp = (ROOT / "overrides" / "main.html").read_text(encoding="utf-8")
    script_src = re.search(r"script-src ([^;]*);", csp)[1].split()
    assert "'self'" in script_src and "'unsafe-inline'" not in script_src
    assert "'self'" in re.search(r"connect-src ([^;]*);", csp)[1].split()

    for path, status in (("/", 200), ("/technologies/", 200), ("/missing/", 404)):
        got, _headers, body = server.request(path)
        assert got == status
        scripts = re.findall(rb"<script[^>]*>", body)
        assert scripts == [b'<script src="/livereload/reload.js" data-version="%d">' % server.server.rebuilds.version]
        assert body.index(b"<script") < body.rindex(b"</body>")
    _status, _headers, script = server.request("/livereload/reload.js")
    assert b"location.reload()" in script and b"data-version" in script


def test_the_poll_answers_when_a_rebuild_is_done(serve, site):
    server = serve()
    version = server.version()
    thread, answer = in_thread(server.request, f"/livereload/{version}/1")
    thread.join(0.5)
    assert thread.is_alive(), "nothing changed: the poll is held"

    def build():
        (site / "index.html").write_bytes(PAGE.replace(b"<p>", b"<p>new"))

    server.server.build(build)
    thread.join(5)
    status, _headers, body = answer["value"]
    assert status == 200 and int(body) != version
    assert server.version() == int(body), "the pages now carry the new version"
    # A page from before answers at once (the script reloads it).
    started = time.monotonic()
    assert int(server.request(f"/livereload/{version}/2")[2]) == int(body)
    assert time.monotonic() - started < 2


def test_a_page_requested_during_a_rebuild_is_the_rebuilt_page(serve, site):
    server = serve()
    started, finish = threading.Event(), threading.Event()

    def build():
        (site / "index.html").write_bytes(b"<html><body>half")
        started.set()
        finish.wait(10)
        (site / "index.html").write_bytes(PAGE.replace(b"<p>", b"<p>rebuilt"))

    builder, _ = in_thread(server.server.build, build)
    assert started.wait(5)
    thread, answer = in_thread(server.request, "/")
    thread.join(0.5)
    assert thread.is_alive(), "the request waits for the rebuild"
    finish.set()
    thread.join(5)
    builder.join(5)
    status, _headers, body = answer["value"]
    assert status == 200 and b"rebuilt" in body and b"half" not in body


def test_a_rebuild_that_takes_long_is_answered_503_with_the_reload_script(serve, site, monkeypatch):
    monkeypatch.setattr(preview_server, "BUILD_WAIT", 0.3)
    server = serve()
    started, finish = threading.Event(), threading.Event()
    builder, _ = in_thread(server.server.build, lambda: (started.set(), finish.wait(10)))
    try:
        assert started.wait(5)
        status, headers, body = server.request("/")
        assert status == 503 and "预览正在重建".encode() in body and b"/livereload/reload.js" in body
        assert server.request("/livereload/reload.js")[0] == 200, "the script does not wait"
    finally:
        finish.set()
        builder.join(5)
    assert server.request("/")[0] == 200


def test_a_failed_rebuild_is_shown_on_every_page(serve):
    server = serve(failure="RuntimeError: 注入的故障")
    for path in ("/", "/technologies/"):
        status, _headers, body = server.request(path)
        text = body.decode()
        assert status == 200 and "portal-preview-failure" in text and "注入的故障" in text and "艾灸" in text


@pytest.mark.parametrize("path", ["/../secret.txt", "/%2e%2e/secret.txt", "/assets/../../secret.txt",
                                  "//secret.txt", "/link/secret.txt", "/link.txt", "/technologies/../../secret.txt",
                                  "/livereload/other.js", "/livereload/1/x", "secret.txt"])
def test_nothing_outside_the_site_directory_is_served(serve, site, path):
    secret = site.parent / "secret.txt"
    secret.write_text("秘密", encoding="utf-8")
    (site / "link").symlink_to(site.parent)
    (site / "link.txt").symlink_to(secret)
    server = serve()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:  # sent exactly as given
        conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", f"127.0.0.1:{server.port}")
        conn.endheaders()
        response = conn.getresponse()
        status, body = response.status, response.read()
    finally:
        conn.close()
    assert status in (400, 404) and "秘密".encode() not in body


def test_a_folder_without_its_slash_is_redirected_to_it(serve):
    status, headers, _body = serve().request("/technologies")
    assert status == 302 and headers["location"] == "/technologies/"


def test_the_served_address():
    assert preview_server.serve_url("127.0.0.1", 8000) == "http://127.0.0.1:8000/"
    assert preview_server.serve_url("::1", 8000) == "http://[::1]:8000/"


def test_an_address_in_use_is_said_at_once(tmp_path):
    """The preview listens before the first build: a port in use is one message, not a wait for the build."""
    data = write_data(tmp_path / "data")
    (tmp_path / "tmp").mkdir()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_portal("serve", "--data", str(data), "--today", "2024-03-28", "--dev-addr", f"127.0.0.1:{port}",
                            env={"TMPDIR": str(tmp_path / "tmp")}, timeout=60)
    assert result.returncode == 1 and "serve 失败" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "站点已完整重建" not in result.stderr, result.stderr
    assert list((tmp_path / "tmp").iterdir()) == [], "the scratch directory is removed"


# --- Watching -----------------------------------------------------------------


def test_what_is_watched(tmp_path):
    (tmp_path / "data" / "technologies").mkdir(parents=True)
    for name in ("data/vocab.yaml", "mkdocs.yml"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    found = livereload._schedules([tmp_path / "data", tmp_path / "data" / "vocab.yaml", tmp_path / "mkdocs.yml",
                                   tmp_path / "missing"])
    assert found == [(tmp_path / "data", True, None), (tmp_path, False, frozenset({"mkdocs.yml"}))]


@pytest.mark.skipif(sys.platform != "linux", reason="one event per save is inotify's close-after-write")
def test_one_save_is_one_change_and_a_file_replaced_by_a_save_is_still_watched(tmp_path):
    (tmp_path / "data").mkdir()
    record, config = tmp_path / "data" / "a.yaml", tmp_path / "mkdocs.yml"
    record.write_text("a", encoding="utf-8")
    config.write_text("a", encoding="utf-8")
    (tmp_path / "README").write_text("a", encoding="utf-8")
    changes = []
    observer = livereload.watch([tmp_path / "data", config], lambda: changes.append(time.monotonic()))
    try:
        def count_after(save) -> int:
            before = len(changes)
            save()
            time.sleep(0.5)
            return len(changes) - before

        def write_in_parts():
            with open(record, "w", encoding="utf-8") as file:
                for part in ("name: ", "艾灸", "\n"):
                    file.write(part)
                    file.flush()

        def save_by_rename():  # as editors that write a new file and rename it over the old
            (tmp_path / "mkdocs.yml.tmp").write_text("b", encoding="utf-8")
            (tmp_path / "mkdocs.yml.tmp").replace(config)

        assert count_after(write_in_parts) == 1
        assert count_after(lambda: (tmp_path / "data" / "policies").mkdir()) == 1  # a folder made
        assert count_after(lambda: (tmp_path / "data" / "__pycache__").mkdir()) == 0  # Python's
        assert count_after(lambda: (tmp_path / "data" / "__pycache__" / "x.pyc").write_bytes(b"")) == 0
        assert count_after(lambda: (tmp_path / "README").write_text("b", encoding="utf-8")) == 0, "not watched"
        assert count_after(save_by_rename) >= 1
        assert count_after(save_by_rename) >= 1, "the config replaced by the last save is still watched"
        assert count_after(lambda: config.write_text("c", encoding="utf-8")) == 1
    finally:
        observer.stop()
        observer.join(5)


def test_changes_close_together_make_one_rebuild():
    rebuilds = livereload.Rebuilds()
    builds = []
    runner = threading.Thread(target=rebuilds.run, args=(lambda: builds.append(rebuilds.version),), daemon=True)
    runner.start()
    try:
        for _ in range(5):
            rebuilds.request()
            time.sleep(0.02)
        time.sleep(0.6)
        assert len(builds) == 1
        rebuilds.request()
        time.sleep(0.6)
        assert len(builds) == 2
    finally:
        rebuilds.stop()
        runner.join(2)
    assert not runner.is_alive()


# --- No part of MkDocs's live-reload server -------------------------------------


def _imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute)):
            name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
            if name in ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
                found.append(str(node.args[0].value))
    return found


def test_no_module_uses_mkdocs_livereload():
    """MkDocs's live-reload server is not a public API: the preview's server is the project's own."""
    files = sorted((ROOT / "portal").rglob("*.py")) + sorted((ROOT / "hooks").rglob("*.py"))
    assert (ROOT / "portal" / "preview_server.py") in files
    used = {str(path.relative_to(ROOT)): name for path in files for name in _imports(path)
            if name == "mkdocs.livereload" or name.startswith("mkdocs.livereload.")}
    assert not used, used


def test_the_import_guard_sees_an_import(tmp_path):
    for code in ("from mkdocs.livereload import LiveReloadServer", "import mkdocs.livereload",
                 "from mkdocs import livereload", "importlib.import_module('mkdocs.livereload')"):
        (tmp_path / "m.py").write_text(code, encoding="utf-8")
        assert "mkdocs.livereload" in _imports(tmp_path / "m.py"), code
