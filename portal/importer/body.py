"""Notice bodies: PDF lines → paragraphs → Markdown that keeps the document's structure."""

from __future__ import annotations

import re

from collections import Counter

from .extract import looks_like_organ
from .text import parse_date, squeeze, squeeze_title, width

# Lines that belong to the compilation, not to the notice.
FURNITURE = (
    re.compile(r"^\s*-?\s*\d{1,4}\s*-?\s*$"),                  # page numbers
    re.compile(r"^\s*第\s*\d+\s*页(\s*[/，,]?\s*共\s*\d+\s*页)?\s*$"),
    re.compile(r"下载附件请登录"),
    re.compile(r"^\s*(信息公开形式|公开方式)\s*[:：（(]"),
    re.compile(r"^\s*[（(]\s*(信息公开形式|公开方式|此件)[^）)]*[）)]\s*$"),
)

HEADING_1 = re.compile(r"^[一二三四五六七八九十百]+、")
HEADING_2 = re.compile(r"^[（(][一二三四五六七八九十百]+[）)]")
ITEM = re.compile(r"^(\d{1,3}[.．、]|[（(]\d{1,3}[）)]|第[一二三四五六七八九十百零]+[条章节])")
ATTACHMENT = re.compile(r"^附\s*件\s*[:：]?")
_TERMINAL = tuple("。！？；：…")
_CLOSERS = "”’）)」』】》"

# Extraction turns some indented lines into bullets: “- （一）…”.
_BULLET = re.compile(r"^[-•·●▪]\s+")

# A wrapped line is about this long or longer; shorter lines end where they end.
WRAP_WIDTH = 18


def is_furniture(line: str) -> bool:
    return any(p.search(line) for p in FURNITURE)


# Contact and consultation details are set one per line (“电子邮箱：…”, “邮政编码：…”):
# each is a line of its own, never the continuation of the one above.
CONTACT = re.compile(r"^(?:联\s*系\s*人|联系电话|联系方式|电\s*话|传\s*真|电子邮箱|邮\s*箱|通讯地址|地\s*址|邮政编码|邮\s*编"
                     r"|征集时间|反馈时间|征求意见时间)\s*[:：]")


def starts_unit(line: str) -> bool:
    return bool(HEADING_1.match(line) or HEADING_2.match(line) or ITEM.match(line)
                or ATTACHMENT.match(line) or CONTACT.match(line) or is_date_line(line))


def is_date_line(line: str) -> bool:
    text = squeeze(line)
    return parse_date(text) is not None and len(text) <= 14 and text.endswith("日")


def ends_sentence(line: str) -> bool:
    return line.rstrip(_CLOSERS).endswith(_TERMINAL) or line.endswith(_TERMINAL)


# Compiled once: a text of half a million short lines calls these for every line.
_WORD_END = re.compile(r"[A-Za-z0-9,.;:]$")
_WORD_START = re.compile(r"[A-Za-z0-9]")
_PUNCTUATED = re.compile("[，。；：:,]")
_SENTENCE_MARK = re.compile("[。；]")
_NUMBERED = re.compile(r"^(\d{1,3})([.．])")
_MARKUP_START = tuple("-+*#>")


def _join(a: str, b: str) -> str:
    if _WORD_END.search(a) and _WORD_START.match(b):
        return a + " " + b
    return a + b


def _squeeze_line(raw: str) -> str:
    # Short lines without sentence punctuation may be signatures set in columns
    # (“河北省卫生健康委员会  中共河北省委机构编制委员会办公室”): keep those gaps.
    text = raw.strip()
    if len(text) <= 60 and not _PUNCTUATED.search(text):
        return squeeze_title(text)
    return squeeze(text)


def wrap_width(lines: list[str]) -> int | None:
    """The column at which a hard-wrapped text breaks its lines, if it has one.

    PDF text keeps the page's line breaks: most lines then share one width. A
    text whose paragraphs are single lines (web pages) has no such width.
    """
    widths = [width(l) for l in lines if width(l) >= 24]
    if len(widths) < 10:
        return None
    common, _ = Counter(widths).most_common(1)[0]
    near = sum(1 for w in widths if abs(w - common) <= 2)
    # In wrapped text hardly any line is wider than the wrap column.
    wider = sum(1 for w in widths if w > common + 6)
    return common if near >= 0.3 * len(widths) and wider <= 0.1 * len(widths) else None


class _Paragraph:
    """A paragraph being rejoined: its lines, and just enough about the whole to decide
    whether the next line continues it. Joining line after line into one string and
    searching it again each time was quadratic in a paragraph of thousands of lines."""

    EDGE = 200   # characters kept of each end; every test below looks no further

    def __init__(self, line: str):
        self.parts = [line]
        self.length = len(line)
        self.head = line[:self.EDGE]
        self.tail = line[-self.EDGE:]
        self.has_full_stop = "。" in line

    def add(self, line: str) -> None:
        line = _join(self.tail, line)[len(self.tail):]
        self.parts.append(line)
        self.length += len(line)
        if len(self.head) < self.EDGE:
            self.head = (self.head + line)[:self.EDGE]
        self.tail = (self.tail + line)[-self.EDGE:]
        self.has_full_stop = self.has_full_stop or "。" in line

    def text(self) -> str:
        return "".join(self.parts)


def _continues(para: _Paragraph, line: str, last_raw: str, wrap: int | None) -> bool:
    """Whether line continues the paragraph above it (a line break PDF extraction made)."""
    if wrap:
        # Hard-wrapped text: a full-width line that stops mid-sentence continues below.
        wrapped = width(last_raw) >= 0.8 * wrap and not ends_sentence(para.tail)
    else:
        heading_line = (HEADING_1.match(para.head) or HEADING_2.match(para.head)) and not para.has_full_stop
        wrapped = para.length >= WRAP_WIDTH and not ends_sentence(para.tail) and not heading_line
    # A phone number or code ends a contact line; it never wraps mid-number. A signature
    # line (an organ's name) never continues the line above it.
    wrapped = wrapped and not re.search(r"\d{5,}$", para.tail)
    return bool(wrapped) and not starts_unit(line) and not looks_like_organ(line)


def paragraphs(lines: list[str]) -> list[str]:
    """Rejoin lines that PDF extraction broke; keep short lines (signatures, dates) apart."""
    cleaned = [_BULLET.sub("", _squeeze_line(raw)) for raw in lines]
    cleaned = [line for line in cleaned if line]
    wrap = wrap_width(cleaned)
    out: list[_Paragraph] = []
    last_raw = ""
    for line in cleaned:
        if out and _continues(out[-1], line, last_raw, wrap):
            out[-1].add(line)
        else:
            out.append(_Paragraph(line))
        last_raw = line
    return [para.text() for para in out]


def to_markdown(paras: list[str]) -> str:
    """Headings 一、 and （一） become ## and ###; everything else stays literal text."""
    blocks = []
    for para in paras:
        short = len(para) <= 40 and not _SENTENCE_MARK.search(para)
        if HEADING_1.match(para) and short:
            blocks.append("## " + para)
        elif HEADING_2.match(para) and short:
            blocks.append("### " + para)
        else:
            blocks.append(_escape(para))
    return "\n\n".join(blocks) + "\n"


def _escape(para: str) -> str:
    # Keep numbered items as printed (“4. …”), not as Markdown lists renumbered from 1,
    # and keep characters Markdown would read as markup.
    numbered = _NUMBERED.match(para)
    if numbered:
        para = numbered.group(1) + "\\" + para[numbered.end(1):]
    elif para[:1] in _MARKUP_START:
        para = "\\" + para
    return para.replace("<", "&lt;")


def attachments(paras: list[str]) -> list[str]:
    """Titles in an attachment list: 附件：1. …  2. …  (or a single unnumbered one)."""
    for i, para in enumerate(paras):
        match = ATTACHMENT.match(para)
        if not match:
            continue
        rest = para[match.end():].strip()
        items = []
        following = [rest] if rest else []
        following += paras[i + 1:]
        numbered = re.compile(r"^(\d{1,2})\s*[.．、]\s*|^[（(](\d{1,2})[）)]\s*")
        for n, text in enumerate(following):
            m = numbered.match(text)
            if m:
                items.append(text[m.end():].strip())
            elif n == 0 and not items and rest and not numbered.match(rest):
                items.append(rest)
                break
            elif n == 0 and not rest and len(text) <= 80 and not _SENTENCE_MARK.search(text):
                # A bare “附件” line, the attachment's own title printed below it.
                items.append(text)
                break
            else:
                # Several numbered titles can share a line: “1.申报书 2.自评表”.
                break
        split = []
        for item in items:
            split += [p.strip() for p in re.split(r"\s*(?<!\d)\d{1,2}\s*[.．、]\s*", item) if p.strip()]
        return [re.sub(r"[；;。]$", "", s) for s in split]
    return []

