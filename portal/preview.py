"""`portal serve`: live preview that survives broken records.

A record with an error does not stop the preview server: pages are built from
the last catalogue that validated (none, if there never was one), and every
page shows the errors at its top until they are fixed.
"""

from __future__ import annotations

import html
import os

from .loader import Problem

ENV = "PORTAL_PREVIEW"
_last: dict = {}


def active() -> bool:
    return os.environ.get(ENV) == "1"


def remember(catalogue, history) -> None:
    _last["catalogue"], _last["history"] = catalogue, history


def last() -> tuple:
    return _last.get("catalogue"), _last.get("history")


def error_banner(problems: list[Problem]) -> str:
    items = "".join(f"<li><code>{html.escape(str(p))}</code></li>" for p in problems)
    return ('<div class="portal-build-error" role="alert">'
            f"<h2>记录有 {len(problems)} 个错误，预览显示的是上一次正确的内容</h2>"
            "<p>改正下列错误并保存文件，页面会自动刷新：</p>"
            f"<ul>{items}</ul></div>")
