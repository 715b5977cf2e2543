"""Personal data in record text: resident ID numbers, mobile numbers, e-mail addresses.

Maintainers paste from forms, PDFs and chat messages, so a number rarely comes
as a clean run of ASCII digits: it may be spaced or hyphenated (3-4-4, 6-8-4),
typed in full-width digits, or carry an invisible zero-width character picked
up on the way. The patterns below accept all of those, and a match is only
reported when it has the structure of the real thing (a province code and a
birth date for an ID number, a mobile prefix for a phone), so ordinary
numbers in notices (dates, document numbers, amounts) are left alone.

Who may publish what is decided in validate.py; this module only finds and
masks. Everything that prints a problem goes through `mask`, so a number that
was refused is never echoed back in full.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

# One digit, ASCII or full-width.
_D = "[0-9\uff10-\uff19]"
# What people put between digit groups: spaces, hyphens and dashes of every
# width, dots, middle dots, underscores, and the invisible characters a copy
# and paste carries along (zero-width space/joiners, word joiner, BOM, soft hyphen).
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_S = f"[ \t\u00a0\u3000\\-\u2010-\u2015\uff0d.\uff0e\u00b7\u30fb_{_INVISIBLE}]{{0,3}}"
_X = "[0-9\uff10-\uff19Xx\uff38\uff58]"

_ID18 = re.compile(f"(?<![0-9\uff10-\uff19A-Za-z]){_D}(?:{_S}{_D}){{16}}{_S}{_X}(?![0-9\uff10-\uff19A-Za-z])")
_ID15 = re.compile(f"(?<![0-9\uff10-\uff19A-Za-z]){_D}(?:{_S}{_D}){{14}}(?![0-9\uff10-\uff19A-Za-z])")
_MOBILE = re.compile(
    f"(?<![0-9\uff10-\uff19])(?:(?:[+\uff0b]|00){_S}[8\uff18]{_S}[6\uff16]{_S})?[1\uff11]{_S}[3-9\uff13-\uff19](?:{_S}{_D}){{9}}"
    "(?![0-9\uff10-\uff19])")
_EMAIL = re.compile(
    f"[A-Za-z0-9\uff10-\uff19\uff21-\uff3a\uff41-\uff5a._%+\\-]+[{_INVISIBLE}]*\\s*[@\uff20]\\s*[{_INVISIBLE}]*"
    f"[A-Za-z0-9\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\\-]+"
    f"(?:\\s*[.\uff0e\u3002]\\s*[A-Za-z\uff21-\uff3a\uff41-\uff5a][A-Za-z0-9\uff21-\uff3a\uff41-\uff5a\\-]*)+")

# First two digits of a resident ID number: the province-level division (GB/T 2260),
# plus 71 台湾, 81 香港, 82 澳门, 83 台湾居民居住证, 91 外国人永久居留证 (新版).
_PROVINCES = frozenset({
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
    50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91,
})
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


@dataclass(frozen=True)
class Finding:
    kind: str       # "id-number" | "mobile-number" | "email"
    start: int      # span in the text searched
    end: int
    masked: str     # what may be printed

    @property
    def label(self) -> str:
        return {"id-number": "居民身份证号", "mobile-number": "手机号码", "email": "电子邮箱地址"}[self.kind]


def _plain(text: str) -> str:
    """ASCII digits and letters only: full-width folded, separators dropped."""
    return "".join(unicodedata.normalize("NFKC", c) for c in text if c.isalnum())


def _birth_date(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return 1900 <= year <= 2100


def id_check_digit(number: str) -> str:
    """The 18th character of an 18-digit resident ID number (GB 11643)."""
    total = sum(int(d) * w for d, w in zip(number[:17], _WEIGHTS))
    return "10X98765432"[total % 11]


def looks_like_id_number(digits: str) -> bool:
    """A province code, a real birth date and, for the 18-digit form, the right
    check digit: a resident ID number. (An order number of 18 digits rarely
    passes all three; the 15-digit form of before 1999 has no check digit.)
    """
    digits = digits.upper()
    if not digits[:2].isdigit() or int(digits[:2]) not in _PROVINCES:
        return False
    if len(digits) == 18 and digits[:17].isdigit():
        return (_birth_date(int(digits[6:10]), int(digits[10:12]), int(digits[12:14]))
                and id_check_digit(digits) == digits[17])
    if len(digits) == 15 and digits.isdigit():  # the old form: 6-digit year-less birth date
        return _birth_date(1900 + int(digits[6:8]), int(digits[8:10]), int(digits[10:12]))
    return False


def _mask_digits(digits: str) -> str:
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def _mask_email(address: str) -> str:
    local, _, domain = re.sub(r"\s", "", unicodedata.normalize("NFKC", address)).partition("@")
    return local[:1] + "***@" + domain


# Where a number may be: a digit followed by ten or more digits or separators.
# One scan with a simple pattern finds the few such places in a notice; the
# exact patterns run on those alone (every notice of a national catalogue is
# checked on every build).
_CANDIDATE = re.compile(f"\\d[\\d \\t\u00a0\u3000.\\-_\u2010-\u2015\uff0d\uff0e\u00b7\u30fb{_INVISIBLE}Xx\uff38\uff58]{{10,}}")


def find(text: str) -> list[Finding]:
    """Every ID number, mobile number and e-mail address in text, in order.

    Linear in the text: matches of all kinds are gathered, sorted once and
    swept, an overlapping match giving way to the one that starts first (or
    to the ID number, where both start at one place).
    """
    if not text:
        return []
    found: list[tuple[int, int, int, Finding]] = []   # (start, rank, -end, finding)
    for candidate in _CANDIDATE.finditer(text):
        # A little room on the left for a +86 / 0086 prefix.
        lo = max(0, candidate.start() - 6)
        window = text[lo:candidate.end() + 1]
        for pattern in (_ID18, _ID15):
            for match in pattern.finditer(window):
                digits = _plain(match.group(0))
                if looks_like_id_number(digits):
                    start, end = lo + match.start(), lo + match.end()
                    found.append((start, 0, -end, Finding("id-number", start, end, _mask_digits(digits.upper()))))
        for match in _MOBILE.finditer(window):
            start, end = lo + match.start(), lo + match.end()
            found.append((start, 1, -end, Finding("mobile-number", start, end, _mask_digits(_plain(match.group(0))[-11:]))))
    if "@" in text or "\uff20" in text:
        for match in _EMAIL.finditer(text):
            found.append((match.start(), 2, -match.end(), Finding("email", *match.span(), _mask_email(match.group(0)))))
    found.sort(key=lambda item: item[:3])
    kept: list[Finding] = []
    for _start, _rank, _end, finding in found:
        if not kept or finding.start >= kept[-1].end:
            kept.append(finding)
    return kept


def mask(text: str) -> str:
    """text with every finding replaced by its masked form (for messages and logs)."""
    findings = find(text)
    if not findings:
        return text
    out, at = [], 0
    for f in findings:
        out += [text[at:f.start], f.masked]
        at = f.end
    out.append(text[at:])
    return "".join(out)
