"""The preview's web server: the project's own, on the standard library's WSGI server.

It serves the scratch site directory with the pages' reload script
(livereload.py), holds page requests while a rebuild runs, and owns no part of
MkDocs (whose live-reload server is not a public API).

The preview runs on the maintainer's machine, so it answers only requests
addressed to it (a web page elsewhere could otherwise point a name of its own
at 127.0.0.1 and read the preview: "DNS rebinding"), answers a malformed path
400 or 404 and never a traceback, and shows a failed rebuild on top of every
page (serve.Builder keeps the reason).
"""

from __future__ import annotations

import ipaddress
import logging
import mimetypes
import os
import posixpath
import re
import socket
import socketserver
import sys
import threading
import urllib.parse
import wsgiref.simple_server
import wsgiref.util
from collections.abc import Callable, Iterable
from pathlib import Path

from . import livereload, pagefind, preview

log = logging.getLogger("portal.serve")

LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
# No page of the site has a path anywhere near this long; the system refuses
# file names over 255 bytes anyway.
MAX_PATH_BYTES = 2048
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# How long a request waits for a rebuild to end; then it is told to come back
# (a full build at national scale takes minutes).
BUILD_WAIT = 20.0
_HOST = re.compile(r"\[([0-9a-f:.]+)\](?::([0-9]{1,5}))?|([^:\[\]]+?)(?::([0-9]{1,5}))?")


def one_line(exc: BaseException) -> str:
    """An exception as one short log line: its kind and the start of its message."""
    text = " ".join(str(exc).split())
    if len(text) > 300:
        text = text[:300] + "…"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _parse_host(header: str) -> tuple[str, int | None] | None:
    """(name, port) of a Host header, the name lower-case without brackets; None if malformed."""
    match = _HOST.fullmatch(header.strip().lower())
    if not match:
        return None
    name = (match[1] or match[3]).rstrip(".")
    port = match[2] or match[4]
    return name, int(port) if port else None


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class HostCheck:
    """Which Host headers the preview answers: its own address and the loopback
    names, on its port. A page elsewhere that points its own name at this
    machine (DNS rebinding) sends that name, and is refused.

    Served on every interface (0.0.0.0), the preview is meant to be reached
    from other machines: then any IP address and this machine's name will do.
    An IP address in Host cannot be a rebinding attack, which needs a name.
    """

    def __init__(self, host: str, port: int):
        host = host.lower().strip("[]")
        self.port = port
        self.everywhere = host in ("", "0.0.0.0", "::")
        self.names = LOOPBACK | {host}
        if self.everywhere:
            self.names |= {socket.gethostname().lower()}

    def refusal(self, header: str | None) -> tuple[str, str] | None:
        """(status, message) when a request with this Host is to be refused."""
        parsed = _parse_host(header) if header else None
        if parsed is None:
            return "400 Bad Request", "请求缺少有效的 Host 头。"
        name, port = parsed
        if (port or 80) == self.port and (name in self.names or (self.everywhere and _is_ip(name))):
            return None
        return "421 Misdirected Request", "此预览只回应发往本机预览地址的请求。"


def _path_problem(path_info: str) -> str | None:
    """Why a request path is malformed (answered 400), or None."""
    try:
        raw = path_info.encode("latin-1")  # WSGI hands over the path's bytes as latin-1
    except UnicodeEncodeError:
        return "网址的编码无效。"
    if len(raw) > MAX_PATH_BYTES:
        return "网址过长。"
    if not raw.startswith(b"/"):
        return "网址必须以 / 开头。"
    try:
        path = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "网址的编码无效（不是 UTF-8）。"
    if _CONTROL.search(path):
        return "网址含有控制字符。"
    if any(part in (".", "..") for part in path.split("/")):
        return "网址不能含有 . 或 .. 路径段。"
    if path.startswith("/livereload/") and not (path == livereload.SCRIPT_PATH or livereload.POLL.fullmatch(path)):
        return "无效的刷新请求。"
    return None


def serve_url(host: str, port: int) -> str:
    """The preview's address: http://host:port/ (an IPv6 address in brackets)."""
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}/"


# The types of what the site holds, the same on every machine (the system's
# tables differ: some call .js text/plain, and know neither .webmanifest nor .wasm).
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".map": "application/json",
    ".json": "application/json",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".ics": "text/calendar; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".webmanifest": "application/manifest+json",
    ".wasm": "application/wasm",
    ".gz": "application/gzip",
    ".zip": "application/zip",
    ".pdf": "application/pdf",
}


def content_type(path: str) -> str:
    if pagefind.is_binary(path):  # the index's own formats
        return "application/octet-stream"
    suffix = os.path.splitext(path)[1].lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guess, encoding = mimetypes.guess_type(path)
    return guess if guess and not encoding else "application/octet-stream"


def _plain(start_response, status: str, message: str, exc_info=None, headers: Iterable = ()) -> list[bytes]:
    body = f"{status}\n{message}\n".encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body))),
                            *headers], exc_info)
    return [body]


def _rebuilding_page() -> bytes:
    return ('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>预览正在重建</title></head>'
            "<body><p>预览正在重建，完成后此页会自动刷新。</p></body></html>").encode()


class PreviewServer(socketserver.ThreadingMixIn, wsgiref.simple_server.WSGIServer):
    """Serves the site directory `root` on host:port to requests meant for it,
    never with a traceback; every HTML page loads the reload script and shows a
    failed rebuild (`failure()`, the reason or None) on top.

    `error_page(code)` is the page for 404 and 500 (None: a line of text).
    Use: start(), watch(paths), run(build) until interrupted, shutdown().
    """

    daemon_threads = True  # a page's poll is held for a minute: never wait for it

    def __init__(self, host: str, port: int, root: str | Path, *, failure: Callable[[], str | None],
                 error_page: Callable[[int], bytes | None] = lambda code: None):
        try:
            if isinstance(ipaddress.ip_address(host.strip("[]")), ipaddress.IPv6Address):
                self.address_family = socket.AF_INET6
        except ValueError:
            pass
        super().__init__((host.strip("[]"), port), _Handler, bind_and_activate=False)
        self.set_app(self.app)
        self.host_check = HostCheck(host, port)
        self.root = os.path.realpath(root)
        self.failure, self.error_page = failure, error_page
        self.rebuilds = livereload.Rebuilds()
        self.observer = None
        self._thread: threading.Thread | None = None

    # --- Running ---

    def start(self) -> None:
        """Listen, and answer requests in other threads (page requests wait for the first build)."""
        self.server_bind()
        self.server_activate()
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.25},
                                        name="preview-server", daemon=True)
        self._thread.start()

    def watch(self, paths: Iterable[Path]) -> None:
        """Rebuild after each save under `paths`."""
        self.observer = livereload.watch(paths, self.rebuilds.request)

    def build(self, build: Callable[[], None]) -> None:
        """One rebuild now (the first), pages held until it is done."""
        self.rebuilds.build(build)

    def run(self, build: Callable[[], None]) -> None:
        """Rebuild after every save, in this thread, until interrupted."""
        self.rebuilds.run(build)

    def shutdown(self) -> None:
        if self.observer is not None:
            self.observer.stop()
        self.rebuilds.stop()
        if self._thread is not None and self._thread.is_alive():
            super().shutdown()
        self.server_close()
        if self.observer is not None and self.observer.is_alive():
            self.observer.join(timeout=2)

    # --- Answering ---

    def app(self, environ, start_response) -> Iterable[bytes]:
        refusal = self.host_check.refusal(environ.get("HTTP_HOST"))
        if refusal is None and (problem := _path_problem(environ.get("PATH_INFO", "/"))):
            refusal = "400 Bad Request", problem
        if refusal is not None:
            return _plain(start_response, *refusal)
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "HEAD"):
            return _plain(start_response, "405 Method Not Allowed", "预览只回应 GET 和 HEAD 请求。",
                          headers=[("Allow", "GET, HEAD")])
        path = environ["PATH_INFO"].encode("latin-1").decode("utf-8")  # checked by _path_problem
        try:
            body = self._respond(path, start_response)
        except Exception as exc:
            log.error("预览未能回应 %r：%s", path[:200], one_line(exc))
            body = self._error_page(500, start_response, self.rebuilds.version, sys.exc_info())
        if method == "HEAD":
            if hasattr(body, "close"):
                body.close()
            return []
        return body

    def _respond(self, path: str, start_response) -> Iterable[bytes]:
        if path == livereload.SCRIPT_PATH:
            return self._send(start_response, "200 OK", livereload.SCRIPT, "text/javascript; charset=utf-8")
        if poll := livereload.POLL.fullmatch(path):
            version = self.rebuilds.wait_changed(int(poll[1]))
            return self._send(start_response, "200 OK", b"%d" % version, "text/plain; charset=utf-8")
        # No page while a rebuild writes the site directory: wait for it.
        version = self.rebuilds.wait_built(BUILD_WAIT)
        if version is None:
            page = livereload.inject(_rebuilding_page(), self.rebuilds.version)
            return self._send(start_response, "503 Service Unavailable", page, "text/html; charset=utf-8",
                              [("Retry-After", "5")])
        if not self._inside_site(path):
            return self._error_page(404, start_response, version)
        relative = posixpath.normpath("/" + path + ("index.html" if path.endswith("/") else "")).lstrip("/")
        file_path = os.path.join(self.root, relative)
        try:
            file = open(file_path, "rb")  # noqa: SIM115 - closed by the server, after sending it
        except OSError:
            if not path.endswith("/") and os.path.isfile(os.path.join(file_path, "index.html")):
                # A folder: its index page, at the address the site's links use.
                start_response("302 Found", [("Location", "/" + urllib.parse.quote(relative) + "/"),
                                             ("Content-Length", "0")])
                return []
            return self._error_page(404, start_response, version)
        if file_path.endswith(".html"):
            with file:
                return self._send(start_response, "200 OK", self._page(file.read(), version),
                                  "text/html; charset=utf-8")
        size = os.fstat(file.fileno()).st_size
        start_response("200 OK", [("Content-Type", content_type(file_path)), ("Content-Length", str(size)),
                                  ("Cache-Control", "no-cache")])
        return wsgiref.util.FileWrapper(file)

    def _page(self, content: bytes, version: int) -> bytes:
        """A served HTML page: with the reload script, and the failed rebuild on top."""
        content = livereload.inject(content, version)
        failure = self.failure()
        if failure and b"portal-preview-failure" not in content:
            content = preview.insert_failure(content, failure)
        return content

    @staticmethod
    def _send(start_response, status: str, body: bytes, kind: str, headers: Iterable = ()) -> list[bytes]:
        start_response(status, [("Content-Type", kind), ("Content-Length", str(len(body))),
                                ("Cache-Control", "no-cache"), *headers])
        return [body]

    def _inside_site(self, path: str) -> bool:
        """Whether the file a path names is in the site directory (not a link out of it, or to nowhere)."""
        relative = path + ("index.html" if path.endswith("/") else "")
        target = os.path.join(self.root, posixpath.normpath("/" + relative).lstrip("/"))
        if not os.path.lexists(target):
            return True  # answered 404, or redirected to the folder's index.html
        real = os.path.realpath(target)
        return (real == self.root or real.startswith(self.root + os.sep)) and os.path.exists(real)

    def _error_page(self, code: int, start_response, version: int, exc_info=None) -> list[bytes]:
        status = {404: "404 Not Found", 500: "500 Internal Server Error"}[code]
        try:
            content = self.error_page(code)
        except Exception as exc:
            log.error("预览未能生成错误页：%s", one_line(exc))
            content = None
        if content is None:
            return _plain(start_response, status, "", exc_info)
        # The page reloads once a save has rebuilt the site.
        content = self._page(content, version)
        start_response(status, [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(content))),
                                ("Cache-Control", "no-cache")], exc_info)
        return [content]

    def handle_error(self, request, client_address) -> None:
        """A request that broke off (the browser went away) or failed outside the app: one line, no traceback."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            log.debug("连接中断：%s", one_line(exc))
            return
        log.warning("预览未能处理来自 %s 的请求：%s", client_address[0], one_line(exc))


class _ServerHandler(wsgiref.simple_server.ServerHandler):
    def log_exception(self, exc_info) -> None:
        """An error while sending a response: one line in the log, no traceback."""
        log.warning("预览未能发送回应：%s", one_line(exc_info[1]))


class _Handler(wsgiref.simple_server.WSGIRequestHandler):
    """The standard library's WSGI request handler, logging one short line
    (at most the start of a request line: a hostile path can be 64 KB long)
    and never a traceback."""

    def handle(self) -> None:
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.requestline = self.request_version = self.command = ""
            self.send_error(414)
            return
        if not self.parse_request():  # answered already (400 and the like)
            return
        handler = _ServerHandler(self.rfile, self.wfile, self.get_stderr(), self.get_environ(), multithread=True)
        handler.request_handler = self
        handler.run(self.server.get_app())

    def log_request(self, code="-", size="-") -> None:
        line = self.requestline if len(self.requestline) <= 200 else self.requestline[:200] + "…"
        failed = str(code)[:1] in ("4", "5")
        log.log(logging.WARNING if failed else logging.DEBUG, '"%s" code %s', line, code)

    def log_message(self, format, *args) -> None:
        log.debug(format, *args)
