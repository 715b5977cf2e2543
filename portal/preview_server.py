"""The preview's web server: MkDocs's live-reload server, guarded.

The preview runs on the maintainer's machine, so it answers only requests
addressed to it (a web page elsewhere could otherwise point a name of its own
at 127.0.0.1 and read the preview: "DNS rebinding"), answers a malformed path
400 or 404 and never a traceback, and shows a failed rebuild on top of every
page (serve.Builder keeps the reason).
"""

from __future__ import annotations

import ipaddress
import logging
import os
import posixpath
import re
import socket
import sys

from mkdocs.livereload import LiveReloadServer

from . import preview

log = logging.getLogger("portal.serve")

LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
# No page of the site has a path anywhere near this long; the system refuses
# file names over 255 bytes anyway.
MAX_PATH_BYTES = 2048
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_LIVERELOAD = re.compile(r"/livereload/[0-9]{1,20}/[0-9]{1,20}")
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
    try:
        path = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "网址的编码无效（不是 UTF-8）。"
    if _CONTROL.search(path):
        return "网址含有控制字符。"
    if any(part in (".", "..") for part in path.split("/")):
        return "网址不能含有 . 或 .. 路径段。"
    if path.startswith("/livereload/") and not _LIVERELOAD.fullmatch(path):
        return "无效的刷新请求。"
    return None


def _plain(start_response, status: str, message: str, exc_info=None) -> list[bytes]:
    body = f"{status}\n{message}\n".encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
                   exc_info)
    return [body]


class PreviewServer(LiveReloadServer):
    """MkDocs's live-reload server, answering only requests meant for it, never
    with a traceback, and showing a failed rebuild on top of every page."""

    def __init__(self, builder, host: str, port: int, root: str, **kwargs):
        super().__init__(builder=builder, host=host, port=port, root=root, **kwargs)
        self.host_check = HostCheck(host, port)
        self.real_root = os.path.realpath(self.root)
        self.RequestHandlerClass = _short_log_lines(self.RequestHandlerClass)

    def serve_request(self, environ, start_response):
        refusal = self.host_check.refusal(environ.get("HTTP_HOST"))
        if refusal is None and (problem := _path_problem(environ.get("PATH_INFO", "/"))):
            refusal = "400 Bad Request", problem
        if refusal is not None:
            return _plain(start_response, *refusal)
        if not self._inside_site(environ["PATH_INFO"]):
            return self._error_page(404, start_response)
        try:
            result = self._serve_request(environ, start_response)  # MkDocs: the file, or None
        except Exception as exc:
            log.error("预览未能回应 %r：%s", environ.get("PATH_INFO"), one_line(exc))
            return self._error_page(500, start_response, sys.exc_info())
        return result if result is not None else self._error_page(404, start_response)

    def _inside_site(self, path_info: str) -> bool:
        """Whether the file a path names is in the site directory (not a link out of it, or to nowhere)."""
        path = path_info.encode("latin-1").decode("utf-8")
        relative = path[len(self.mount_path):] if (path + "/").startswith(self.mount_path) else path
        if path.endswith("/"):
            relative += "index.html"
        target = os.path.join(self.real_root, posixpath.normpath("/" + relative).lstrip("/"))
        if not os.path.lexists(target):
            return True  # MkDocs answers 404, or redirects to the folder's index.html
        real = os.path.realpath(target)
        return (real == self.real_root or real.startswith(self.real_root + os.sep)) and os.path.exists(real)

    def _error_page(self, code: int, start_response, exc_info=None) -> list[bytes]:
        status = {404: "404 Not Found", 500: "500 Internal Server Error"}[code]
        try:
            content = self.error_handler(code)
        except Exception as exc:
            log.error("预览未能生成错误页：%s", one_line(exc))
            content = None
        if content is None:
            content = status.encode()
        elif self._watched_paths:
            # The page reloads once a save has rebuilt the site.
            content = self._inject_js_into_html(content, self._visible_epoch)
        start_response(status, [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(content)))],
                       exc_info)
        return [content]

    def _inject_js_into_html(self, content: bytes, epoch: int) -> bytes:
        content = super()._inject_js_into_html(content, epoch)
        failure = self.builder.failure
        return preview.insert_failure(content, failure) if failure else content

    def handle_error(self, request, client_address) -> None:
        """A request that broke off (the browser went away) or failed outside the app: one line, no traceback."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            log.debug("连接中断：%s", one_line(exc))
            return
        log.warning("预览未能处理来自 %s 的请求：%s", client_address[0], one_line(exc))


def _short_log_lines(handler: type) -> type:
    """MkDocs's request handler, logging at most the start of a request line
    (a hostile path can be 64 KB long)."""

    class Handler(handler):
        def log_request(self, code="-", size="-"):
            if len(self.requestline) > 200:
                self.requestline = self.requestline[:200] + "…"
            super().log_request(code, size)

    return Handler
