"""A problem found in the content: where it is (path, line, field), what it is, and
its code. Every stage reports problems this way, so a maintainer reads one form:
`path:line: field: message [code]`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import privacy

_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    field: str
    message: str
    # Short English code, for searching the maintainers' guide and for tools.
    code: str = ""
    # A warning is reported but does not stop the build (see validate.py).
    warning: bool = False

    def __str__(self) -> str:
        tail = f" [{self.code}]" if self.code else ""
        note = "提醒：" if self.warning else ""
        # Never echo a personal number back in full, wherever it was found; and
        # never a control character (a file name may hold a newline or a terminal
        # escape) or a bidi override: shown as \\uXXXX, the line stays one line.
        text = privacy.mask(f"{self.path}:{self.line}: {self.field}: {note}{self.message}{tail}")
        return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)
