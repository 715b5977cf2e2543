"""Personal numbers and addresses in imported texts, with the line each is on.

Official notices may print official contact points (a desk's mobile number, a
mailbox), so those are reported for checking and the notice is written; a
resident ID number is never a contact point, so a notice holding one is not
written. Either way the number is only ever printed masked (privacy.mask).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from .. import privacy

LABELS = {kind: privacy.Finding(kind, 0, 0, "").label for kind in ("id-number", "mobile-number", "email")}
# Room for a number cut by the end of what is printed to be recognised whole.
_MARGIN = 100


@dataclass(frozen=True)
class Personal:
    kind: str       # "id-number" | "mobile-number" | "email"
    line: int       # 1-based line of the text searched
    masked: str     # what may be printed

    @property
    def label(self) -> str:
        return LABELS[self.kind]


def scan_lines(lines: list[str], first_line: int) -> list[Personal]:
    """Every personal number or address in lines (each time it occurs), numbered from
    first_line; searched as one text (a number may not span lines), a finding is on
    the line it starts on."""
    starts, at = [], 0
    for line in lines:
        starts.append(at)
        at += len(line) + 1
    return [Personal(f.kind, first_line + bisect.bisect_right(starts, f.start) - 1, f.masked)
            for f in privacy.find("\n".join(lines))]


def scan_text(text: str) -> list[Personal]:
    return scan_lines(text.splitlines(), 1)


def shown(text: str, limit: int = 2000) -> str:
    """text as it may be printed: personal numbers masked, and no longer than limit."""
    if len(text) <= limit:
        return privacy.mask(text)
    window = text[:limit + _MARGIN]
    out, at = [], 0
    for f in privacy.find(window):
        if f.start >= limit:
            break
        out += [window[at:f.start], f.masked]
        at = f.end
    if at < limit:
        out.append(window[at:limit])
    return "".join(out) + "…"
