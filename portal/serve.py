"""`portal serve`: a live preview with an incremental rebuild, on a server of the project's own.

MkDocs's own `serve` rebuilds the whole site on every save, which at national
scale takes minutes. Here a save that only edits records rewrites the pages it
touches (preview.update); any other change, or an edit that cannot be applied
in place, falls back to the full build.

A rebuild that fails never stops the preview (MkDocs would hold every request
until a build succeeds): see Builder. The server answers only requests meant
for it (preview_server.py), pages reload after each rebuild (livereload.py),
and the preview leaves no scratch behind (see `_scratch_dir`). None of it is
MkDocs's: its live-reload server is not a public API, and its public `serve`
command rebuilds everything on every save.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

from . import interrupt
from .preview import Preview, failure_page
from .preview_server import PreviewServer, one_line, serve_url
from .site import mkdocs_build

log = logging.getLogger("portal.serve")

# The scratch site directory: named after the process, so that what a killed
# preview left behind is known to be nobody's once that process is gone.
SCRATCH = re.compile(r"portal-preview-(\d+)-")


def _scratch_dir() -> Path:
    """A new site directory for this preview, named after the process.

    Interrupted, the preview removes it itself; after a SIGKILL or a power cut
    it stays, and the next preview removes it at start (interrupt.sweep).
    """
    temp = Path(tempfile.gettempdir())
    for name in interrupt.sweep(temp, SCRATCH):
        log.info("已删除已结束的预览留下的目录 %s", temp / name)
    return Path(tempfile.mkdtemp(prefix=f"portal-preview-{os.getpid()}-", dir=temp))


def _fingerprint(paths: list[Path]) -> tuple:
    """What, apart from the records, a build depends on: content, templates, code, config, vocabulary."""
    found = []
    for root in paths:
        if root.is_file():
            found.append((str(root), root.stat().st_mtime_ns, root.stat().st_size))
            continue
        for folder, _dirs, names in os.walk(root):
            for name in names:
                path = os.path.join(folder, name)
                try:
                    stat = os.stat(path)
                except FileNotFoundError:
                    continue
                found.append((path, stat.st_mtime_ns, stat.st_size))
    return tuple(sorted(found))


# --- Rebuilds --------------------------------------------------------------


class Builder:
    """Brings the preview up to date after a save; never raises an ordinary error.

    MkDocs's server holds every page request until a rebuild succeeds, so a
    rebuild that raised (a file it could not read, a bug) hung the preview until
    the next good save. Here a failure is logged as one line, the server goes on
    serving what the site directory holds (with the failure on top of every
    page, see PreviewServer) and the next save takes the full build again.
    """

    def __init__(self, get_config, serve_url: str, data_dir: Path, today: dt.date | None, others: list[Path],
                 preview: Preview):
        self.get_config, self.serve_url, self.preview = get_config, serve_url, preview
        self.data_dir, self.today, self.others = data_dir, today, others
        self.fingerprint = None  # of the last full build that succeeded
        self.failure: str | None = None  # why the last rebuild failed, until one succeeds

    def __call__(self, config=None) -> None:
        started = time.monotonic()
        try:
            done = self._rebuild(config)
        except Exception as exc:
            # The site directory may be half written: only a full build repairs it.
            self.fingerprint = None
            self.failure = one_line(_reason(exc))
            log.error("预览重建失败（改正后保存文件即重试）：%s", self.failure)
            return
        self.failure = None
        log.info("%s，用时 %.1f 秒", done, time.monotonic() - started)

    def _rebuild(self, config) -> str:
        fingerprint = _fingerprint([p for p in self.others if p.exists()])
        if fingerprint == self.fingerprint and self._incremental():
            return "记录已更新（增量）"
        config = config or self.get_config()
        config.site_url = self.serve_url
        mkdocs_build(config, serve_url=self.serve_url)
        self.fingerprint = fingerprint
        return "站点已完整重建"

    def _incremental(self) -> bool:
        try:
            return self.preview.update(self.data_dir, self.today)
        except Exception as exc:
            log.warning("增量更新失败，改为完整重建：%s", one_line(exc))
            return False


def _reason(exc: Exception) -> BaseException:
    """What made a build fail: MkDocs replaces a plugin's error by a bare "Aborted
    with a BuildError!" (having logged the error itself)."""
    from mkdocs.exceptions import Abort

    while isinstance(exc, Abort) and exc.__context__ is not None:
        exc = exc.__context__
    return exc


# --- The command -------------------------------------------------------------


def serve(config_file: Path, data_dir: Path, today: dt.date | None, dev_addr: str) -> None:
    """Serve the preview until interrupted.

    Ctrl+C, SIGTERM and SIGHUP (interrupt.stop_on_signals, installed by the
    command) raise in this thread wherever it is, the build included; the
    `finally` blocks stop the server and remove the scratch site directory.
    """
    from .site import PROJECT_ROOT, load_mkdocs_config

    data_dir = Path(data_dir).resolve()
    site_dir = _scratch_dir()
    preview = Preview()
    try:
        def get_config():
            return load_mkdocs_config(config_file, site_dir=site_dir, data_dir=data_dir, today=today,
                                      dev_addr=dev_addr, preview=preview)

        config = get_config()
        host, port = config.dev_addr
        url = serve_url(host, port)
        others = [Path(config.docs_dir), Path(config.config_file_path), data_dir / "vocab.yaml",
                  PROJECT_ROOT / "overrides", PROJECT_ROOT / "portal", PROJECT_ROOT / "hooks"]
        builder = Builder(get_config, url, data_dir, today, others, preview)
        server = PreviewServer(host, port, site_dir, failure=lambda: builder.failure,
                               error_page=_error_pages(site_dir, builder))
        _run(server, builder, config, [*others, data_dir])
    finally:
        shutil.rmtree(site_dir, ignore_errors=True)


def _error_pages(site_dir: Path, builder: Builder):
    def error_page(code: int) -> bytes | None:
        if builder.failure:
            return failure_page(builder.failure).encode()
        page = site_dir / f"{code}.html"
        return page.read_bytes() if code in (404, 500) and page.is_file() else None

    return error_page


def _run(server: PreviewServer, builder: Builder, config, watched: list[Path]) -> None:
    """Listen first (an address in use fails at once, not after the first build),
    build, then rebuild after every save until interrupted.

    The system's own notifications (inotify) report a save at once; polling
    would stat every file twice a second, slow to notice with tens of thousands
    of records and a steady load. Watching starts before the first build, so a
    save during it is not missed.
    """
    try:
        server.start()
        server.watch(watched)

        def first_build() -> None:
            config.site_url = builder.serve_url
            builder(config)
            # Said before the pages held meanwhile are answered.
            log.info("预览地址：%s（保存文件后自动重建，页面随之刷新）", builder.serve_url)

        server.build(first_build)
        server.run(builder)  # until interrupted: the command reports it (cli.main)
    finally:
        server.shutdown()
