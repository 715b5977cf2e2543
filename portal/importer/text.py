"""Cleaning text extracted from PDFs and web pages: spaces, dates, doc numbers."""

from __future__ import annotations

import datetime as dt
import re

CJK = r"\u3400-\u9fff\uf900-\ufaff"
# Punctuation that sits flush against its neighbours in Chinese text.
CJK_PUNCT = r"，。、；：？！“”‘’《》〈〉（）【】〔〕［］—…·「」『』"
_TIGHT = f"[{CJK}{CJK_PUNCT}0-9０-９]"

_SPACE_RUN = re.compile(r"[ \t\u3000\u00a0]+")
# Phone numbers and long codes keep the space before them (“邢之景 13991136097”).
_TIGHT_SPACE = re.compile(f"(?<={_TIGHT})[ \\t\\u3000\\u00a0]+(?!\\d{{5}}|\\d{{3,4}}-\\d)(?={_TIGHT})")

# Organ names end like this; a space after one may separate joint issuers in a title.
ORGAN_SUFFIX = ("院", "部", "局", "委", "会", "厅", "办", "司", "室", "府", "署", "处", "中心", "联", "办公室", "委员会")


_WIDE = re.compile("[\u2e80-\U0010ffff]")


def width(text: str) -> int:
    """Display width: a Chinese character (U+2E80 and above) is two columns, ASCII one."""
    # Counted by the regex engine rather than a loop over the characters in Python.
    narrow = len(_WIDE.sub("", text))
    return 2 * len(text) - narrow


def squeeze(text: str) -> str:
    """Remove spaces that PDF extraction puts between Chinese characters and digits."""
    text = _SPACE_RUN.sub(" ", text.strip())
    return _TIGHT_SPACE.sub("", text)


# Words that join the issuers to the rest of a title: no space before them.
_TITLE_VERBS = ("关于", "印发", "转发", "发布", "公布", "批转", "对", "就")


def squeeze_title(text: str) -> str:
    """Like squeeze, but keep the spaces between joint issuers' names (“最高人民法院 最高人民检察院 公安部印发…”)."""
    text = _SPACE_RUN.sub(" ", text.strip())
    out = []
    parts = text.split(" ")
    for i, part in enumerate(parts):
        if i == 0:
            out.append(part)
            continue
        prev = out[-1]
        keep = prev.endswith(ORGAN_SUFFIX) and not re.search("[关于《]", prev) and re.match(f"[{CJK}]", part) \
            and not re.search(r"[\d《》]", prev) and not part.startswith(_TITLE_VERBS)
        if re.search(r"[A-Za-z]$", prev) and re.match(r"[A-Za-z]", part):
            keep = True
        out.append((" " if keep else "") + part)
    return "".join(out)


_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_CN_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ISO_DATE = re.compile(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})")


def parse_date(text: str) -> dt.date | None:
    """First date in text: 2024年3月18日, 2024 年 3 月 18 日, 2024-03-18 or 2024.3.18."""
    if not text:
        return None
    text = text.translate(_FULLWIDTH_DIGITS)
    for pattern in (_CN_DATE, _ISO_DATE):
        match = pattern.search(text)
        if match:
            try:
                return dt.date(*(int(g) for g in match.groups()))
            except ValueError:
                return None
    return None


# 发文字号: an organ abbreviation, the year in brackets, a number and 号 —
# or the 公告 form “2024年第3号”.
_BRACKET_OPEN = "〔［\\[【(（"
_BRACKET_CLOSE = "〕］\\]】)）"
DOC_NUMBER = re.compile(
    f"(?P<prefix>[{CJK}A-Za-z（）()]{{1,24}}?)\\s*[{_BRACKET_OPEN}]\\s*(?P<year>\\d{{4}})\\s*[{_BRACKET_CLOSE}]\\s*"
    f"(?P<seq>第?\\s*\\d{{1,5}})\\s*号"
)
ANNOUNCEMENT_NUMBER = re.compile(r"(?P<prefix>[\u3400-\u9fff]{0,20}?(?:公告|通告|令))?\s*(?P<year>\d{4})\s*年\s*第\s*(?P<seq>\d{1,5})\s*号")


def clean_doc_number(text: str) -> str | None:
    """A doc number as printed, without stray spaces and with 〔〕 brackets; None if text holds none."""
    if not text:
        return None
    text = squeeze(text).replace(" ", "")
    match = DOC_NUMBER.search(text)
    if match:
        prefix = match["prefix"]
        return f"{prefix}〔{match['year']}〕{match['seq'].replace(' ', '')}号"
    match = ANNOUNCEMENT_NUMBER.search(text)
    if match:
        return f"{match['prefix'] or ''}{match['year']}年第{match['seq']}号"
    return None


def is_doc_number_line(line: str) -> bool:
    """A line that holds nothing but a doc number (printed under a title)."""
    text = squeeze(line).replace(" ", "")
    number = clean_doc_number(text)
    return bool(number) and len(text) <= len(number) + 2


# Citations in a body are doc numbers inside the text, usually in （）after a title.
_CITED = re.compile(
    f"[{CJK}A-Za-z]{{1,16}}[{_BRACKET_OPEN}]\\s*\\d{{4}}\\s*[{_BRACKET_CLOSE}]\\s*\\d{{1,5}}\\s*号"
)
_CITED_ANNOUNCEMENT = re.compile(r"[\u3400-\u9fff]{1,16}(?:公告|通告)\s*\d{4}\s*年\s*第\s*\d{1,5}\s*号")


def find_doc_numbers(text: str) -> list[str]:
    """Every doc number cited in a text, once each, in order of appearance."""
    found: dict[str, None] = {}  # ordered, and a set: a list was searched once per citation
    flat = squeeze(text)
    for pattern in (_CITED, _CITED_ANNOUNCEMENT):
        for match in pattern.finditer(flat):
            raw = match.group(0)
            # A citation follows a title: drop words like 印发/根据 glued before the organ abbreviation.
            raw = re.sub(r"^.*?(?:[》”]|根据|按照|依据|落实|参照|贯彻|见|和|及|与|、)", "", raw) or raw
            number = clean_doc_number(raw)
            if number:
                found.setdefault(number)
    return list(found)
