"""The preview's live reload: watching the sources, one rebuild at a time, pages told to reload.

The project's own, on the standard library and watchdog (MkDocs's live-reload
server is not a public API). Three parts:

- `watch`: a watchdog observer that reports each save once (on Linux, when
  the file is closed after writing) and calls back;
- `Rebuilds`: the rebuilds, run one after another in the thread that calls
  `run` (the main thread, so that Ctrl+C and the other signals stop a build
  where it is), and the site's version, which every finished rebuild changes.
  Page requests wait while a rebuild runs (`wait_built`); a page's reload
  script asks whether the version changed (`wait_changed`);
- the reload script: served as a file of the preview (SCRIPT_PATH), since the
  site's Content-Security-Policy allows no inline script. Each served page
  loads it with the version it shows (`inject`); the script long-polls
  `/livereload/<version>/<request id>` and reloads the page once the answer is
  another version.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

log = logging.getLogger("portal.serve")

SCRIPT_PATH = "/livereload/reload.js"
# A page's poll: /livereload/<version it shows>/<id of the page's request>.
POLL = re.compile(r"/livereload/([0-9]{1,20})/([0-9]{1,20})")

# How long a poll is held when nothing changed (the script then asks again).
POLL_TIMEOUT = 60.0
# Changes closer together than this make one rebuild (a checkout, a save in
# several files).
QUIET = 0.1

SCRIPT = b"""\
/* portal serve: reload the page once the preview has been rebuilt. */
(function () {
  "use strict";
  var script = document.currentScript;
  var version = script && script.getAttribute("data-version");
  if (!version) {
    return;
  }
  var id = String(Date.now());
  var request = null;
  var timer = null;

  function stop() {
    if (request) {
      request.abort();
    }
    if (timer) {
      clearTimeout(timer);
    }
    request = timer = null;
  }

  function poll() {
    stop();
    var xhr = new XMLHttpRequest();
    xhr.onloadend = function () {
      if (request !== xhr) {
        return; /* stopped */
      }
      request = null;
      var answer = xhr.status === 200 ? xhr.responseText.trim() : "";
      if (/^[0-9]+$/.test(answer) && answer !== version) {
        location.reload();
      } else {
        /* Nothing new: ask again at once; the preview is away: in a while. */
        timer = setTimeout(poll, xhr.status === 200 ? 0 : 3000);
      }
    };
    xhr.open("GET", "/livereload/" + version + "/" + id);
    request = xhr;
    xhr.send();
  }

  function start() {
    if (document.visibilityState === "visible") {
      poll();
    }
  }

  if (document.readyState === "complete") {
    start();
  } else {
    window.addEventListener("load", start);
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      poll();
    } else {
      stop();
    }
  });
  window.addEventListener("pagehide", stop);
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      start(); /* back from the back-forward cache */
    }
  });
})();
"""


def inject(page: bytes, version: int) -> bytes:
    """An HTML page with the reload script, which knows the version the page shows, before its `</body>`."""
    tag = b'<script src="%s" data-version="%d"></script>' % (SCRIPT_PATH.encode(), version)
    end = page.rfind(b"</body>")
    if end < 0:
        return page + tag
    return page[:end] + tag + page[end:]


def _now() -> int:
    return time.monotonic_ns() // 1_000_000


class Rebuilds:
    """The rebuilds of the preview, one at a time, and the version of the site they leave.

    The version is a number that grows with each rebuild, starting from the
    system's uptime in milliseconds: a page reloads when its version is not the
    preview's, so one left open across a restart of the preview reloads too.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.version = _now()
        self._building = True  # page requests wait for the first build
        self._wanted = False
        self._stopped = False

    # --- The side of the watcher and of the command ---

    def request(self) -> None:
        """A source changed: rebuild (once the changes have stopped for QUIET seconds)."""
        with self._cond:
            self._wanted = True
            self._cond.notify_all()

    def build(self, build: Callable[[], None]) -> None:
        """Run one rebuild, holding page requests until it is done; the version changes after it."""
        with self._cond:
            self._building = True
        try:
            build()
        finally:
            with self._cond:
                self._building = False
                self.version = max(self.version + 1, _now())
                self._cond.notify_all()

    def run(self, build: Callable[[], None]) -> None:
        """Rebuild after every change until `stop`. The waits are short, so a
        signal (which Python handles between them) stops the loop at once."""
        while True:
            with self._cond:
                while not self._cond.wait_for(lambda: self._wanted or self._stopped, timeout=0.25):
                    pass
                if self._stopped:
                    return
                self._wanted = False
                while self._cond.wait_for(lambda: self._wanted or self._stopped, timeout=QUIET):
                    if self._stopped:
                        return
                    self._wanted = False  # still changing: wait for the quiet
            self.build(build)

    def stop(self) -> None:
        """End `run` and let every waiting request go."""
        with self._cond:
            self._stopped = True
            self._cond.notify_all()

    # --- The side of the requests ---

    def wait_built(self, timeout: float) -> int | None:
        """The version of the site once no rebuild runs; None if one still runs after timeout seconds."""
        with self._cond:
            if self._cond.wait_for(lambda: not self._building or self._stopped, timeout=timeout):
                return self.version
            return None

    def wait_changed(self, version: int, timeout: float = POLL_TIMEOUT) -> int:
        """The version of the site, once it is not `version` (or after timeout seconds)."""
        with self._cond:
            self._cond.wait_for(lambda: self.version != version or self._stopped, timeout=timeout)
            return self.version


# --- Watching the sources ----------------------------------------------------

# Written by Python and git on their own, never a source of the site.
_IGNORED = frozenset({"__pycache__", ".git"})


def _counts(event) -> bool:
    """Whether a file system event is a change of a source."""
    if event.event_type in ("opened", "closed_no_write"):
        return False
    if event.is_directory and event.event_type == "modified":
        return False  # a file in it changed: that file reports it
    for path in (event.src_path, getattr(event, "dest_path", "")):
        path = os.fsdecode(path)
        if path and not path.endswith(".pyc") and not _IGNORED.intersection(Path(path).parts):
            return True
    return False


def _schedules(paths: Iterable[Path]) -> list[tuple[Path, bool, frozenset[str] | None]]:
    """(folder, recursive, the names of the files watched in it or None for all) to watch `paths`.

    A file is watched through its folder: an editor that saves by writing a new
    file and renaming it over the old one replaces what a watch on the file
    itself follows. A path inside a folder watched already is left out (one
    save, one event).
    """
    paths = {Path(os.path.abspath(p)) for p in paths if os.path.exists(p)}
    folders = sorted(p for p in paths if p.is_dir())

    def covered(path: Path) -> bool:
        return any(folder in path.parents for folder in folders)

    found = [(folder, True, None) for folder in folders if not covered(folder)]
    files: dict[Path, set[str]] = {}
    for path in sorted(p for p in paths if not p.is_dir() and not covered(p)):
        files.setdefault(path.parent, set()).add(path.name)
    found += [(folder, False, frozenset(names)) for folder, names in sorted(files.items())]
    return found


def watch(paths: Iterable[Path], changed: Callable[[], None]):
    """Start watching `paths` (folders, recursively, and files); `changed()` is
    called from the watcher's thread after each save. Returns the observer (stop and join it).

    inotify tells of a save as opened, modified (truncated, then written) and
    closed-after-writing; every report that arrives while an update runs would
    start another. So on Linux a save counts when the file is closed after
    writing (or created, deleted, moved); other systems' watchers report every
    change, which the QUIET wait of Rebuilds.run gathers into one rebuild.
    """
    from watchdog import events
    from watchdog.observers import Observer

    try:
        from watchdog.observers.inotify import InotifyObserver
    except (ImportError, OSError):  # not Linux
        InotifyObserver = ()  # noqa: N806

    saves = [events.FileClosedEvent, events.FileCreatedEvent, events.FileDeletedEvent, events.FileMovedEvent,
             events.DirCreatedEvent, events.DirDeletedEvent, events.DirMovedEvent]

    class Handler(events.FileSystemEventHandler):
        def __init__(self, names: frozenset[str] | None):
            super().__init__()
            self.names = names

        def on_any_event(self, event) -> None:
            if not _counts(event):
                return
            if self.names is not None and not any(
                    Path(os.fsdecode(path)).name in self.names
                    for path in (event.src_path, getattr(event, "dest_path", "")) if path):
                return
            log.debug("改动：%s", event)
            changed()

    observer = Observer()
    event_filter = saves if isinstance(observer, InotifyObserver) else None
    for folder, recursive, names in _schedules(paths):
        observer.schedule(Handler(names), str(folder), recursive=recursive, event_filter=event_filter)
    observer.daemon = True
    observer.start()
    return observer
