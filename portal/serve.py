"""`portal serve`: MkDocs's live-reload server with an incremental rebuild.

MkDocs's own `serve` rebuilds the whole site on every save, which at national
scale takes minutes. Here a save that only edits records rewrites the pages it
touches (preview.update); any other change, or an edit that cannot be applied
in place, falls back to the full build.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

from . import preview

log = logging.getLogger("portal.serve")


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


def _save_observer():
    """A file watcher that reports each save once.

    inotify tells of a save as opened, modified (truncated, then written) and
    closed-after-writing; every report that arrives while an update runs starts
    another, and the server holds page requests until the last one is done. So
    on Linux a save counts when the file is closed after writing (or created,
    deleted, moved); other systems' watchers report every change as before.
    """
    from watchdog import events
    from watchdog.observers import Observer
    from watchdog.observers.inotify import InotifyObserver

    saves = [events.FileClosedEvent, events.FileCreatedEvent, events.FileDeletedEvent, events.FileMovedEvent,
             events.DirCreatedEvent, events.DirDeletedEvent, events.DirMovedEvent]

    class SaveObserver(Observer):
        def schedule(self, event_handler, path, *, recursive=False, event_filter=None, **options):
            if event_filter is None and isinstance(self, InotifyObserver):
                event_filter = saves
            return super().schedule(event_handler, path, recursive=recursive, event_filter=event_filter, **options)

    return SaveObserver()


def serve(config_file: Path, data_dir: Path, today: dt.date | None, dev_addr: str) -> None:
    from mkdocs.commands.build import build
    from mkdocs.livereload import LiveReloadServer, _serve_url

    from .site import PROJECT_ROOT, load_mkdocs_config

    os.environ[preview.ENV] = "1"
    site_dir = Path(tempfile.mkdtemp(prefix="portal-preview-"))
    data_dir = Path(data_dir).resolve()

    def get_config():
        return load_mkdocs_config(config_file, site_dir=site_dir, data_dir=data_dir, today=today,
                                  dev_addr=dev_addr)

    config = get_config()
    host, port = config.dev_addr
    serve_url = _serve_url(host, port, "/")
    others = [Path(config.docs_dir), Path(config.config_file_path), data_dir / "vocab.yaml",
              PROJECT_ROOT / "overrides", PROJECT_ROOT / "portal", PROJECT_ROOT / "hooks"]
    state = {"fingerprint": None}

    def builder(config=None):
        started = time.monotonic()
        fingerprint = _fingerprint([p for p in others if p.exists()])
        if fingerprint == state["fingerprint"] and preview.update(data_dir, today):
            log.info("记录已更新（增量），用时 %.1f 秒", time.monotonic() - started)
            return
        config = config or get_config()
        config.site_url = serve_url
        build(config, serve_url=serve_url)
        state["fingerprint"] = fingerprint
        log.info("站点已完整重建，用时 %.1f 秒", time.monotonic() - started)

    server = LiveReloadServer(builder=builder, host=host, port=port, root=str(site_dir), mount_path="/")
    # MkDocs polls for changes every half second, stat-ing every file: with tens
    # of thousands of records that is both slow to notice and a steady load.
    # The system's own notifications (inotify) report a save at once.
    server.observer = _save_observer()

    def error_page(code):
        page = site_dir / f"{code}.html"
        return page.read_bytes() if code in (404, 500) and page.is_file() else None

    server.error_handler = error_page
    try:
        config.site_url = serve_url
        builder(config)
        from . import workers

        workers.enabled = False  # from here on the server's threads run beside every build
        for path in [*others, data_dir]:
            if path.exists():
                server.watch(str(path))
        try:
            server.serve()
        except KeyboardInterrupt:
            log.info("预览已停止")
        finally:
            server.shutdown()
    finally:
        shutil.rmtree(site_dir, ignore_errors=True)
