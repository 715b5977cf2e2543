"""Texts → policy records: a monthly compilation of many notices, or one notice."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field

from ..vocab import Vocab
from . import body as bodies
from . import extract
from .metadata import Metadata, find_blocks
from .personal import Personal, scan_lines
from .text import CJK, clean_doc_number, find_doc_numbers, is_doc_number_line, parse_date, squeeze, squeeze_title


class ImportFormatError(Exception):
    """The text is not a compilation or notice this importer can read."""

    def __init__(self, message: str, code: str = "not-a-notice"):
        super().__init__(message)
        self.code = code


# Longer than any real notice title (the longest seen are about 100 characters);
# a longer “title” is a run of text the block swallowed, not a title.
MAX_TITLE = 300
# The same for the other metadata values (issuers, doc number, dates, keywords, …).
MAX_META_VALUE = 1000


@dataclass
class Gap:
    line: int
    field: str
    message: str


@dataclass
class ImportedNotice:
    record: dict
    line: int
    gaps: list[Gap] = field(default_factory=list)
    # Why the notice must not be written, each with its line (besides validation).
    refusals: list[Gap] = field(default_factory=list)
    # Personal numbers and addresses in the notice's source lines.
    personal: list[Personal] = field(default_factory=list)

    def gap(self, line: int, name: str, message: str) -> None:
        self.gaps.append(Gap(line, name, message))

    def refuse(self, line: int, name: str, message: str) -> None:
        self.refusals.append(Gap(line, name, message))


# Whitespace other than the plain kinds squeeze() folds (en spaces, thin spaces, …),
# and runs of whitespace: a run thousands long made patterns like `\s*-?\s*\d` quadratic.
_ODD_SPACE = re.compile("[^\\S \t\u3000\u00a0]")
_SPACE_RUN = re.compile("[ \t\u3000\u00a0]{2,}")


def source_lines(text: str) -> list[str]:
    """The lines of a notice text, each run of spaces one space wide."""
    return [_SPACE_RUN.sub(" ", _ODD_SPACE.sub(" ", line)) for line in text.splitlines()]


_REGION_TAG = re.compile(f"^[{CJK}]{{2,8}}[:：]\\s*")
_SALUTATION = re.compile(r"[:：]$")
_TITLE_END = re.compile("(?:通知|意见|办法|方案|决定|规定|公告|通告|函|批复|通报|细则|规划|指南|要点|规范|基准|标准)[）)]?$")


def _strip_region_tag(title: str, regions: extract.RegionRules) -> str:
    """Compilations tag local notices “河北：关于……”; the tag is not part of the title."""
    tag = _REGION_TAG.match(title)
    if tag:
        rest = title[tag.end():]
        if regions.of_name(tag.group(0).rstrip(":： ")) or rest.startswith(("关于", "印发")):
            return rest
    return title


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


# Titles are compared by a quadratic algorithm; a real one is far shorter than this.
_COMPARED = 400


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, _norm(a)[:_COMPARED], _norm(b)[:_COMPARED]).ratio()


def _limit(name: str) -> int:
    return MAX_TITLE if name == "title" else MAX_META_VALUE


def _brief(text: str, limit: int = 60) -> str:
    """A value quoted in a message: short enough to read."""
    return text if len(text) <= limit else text[:limit] + "…"


@dataclass
class _Heading:
    title: str = ""
    doc_number: str | None = None
    organ: str = ""
    end: int = 0        # index into the body lines after the heading


def _heading(lines: list[str], expected_title: str = "") -> _Heading:
    """The title (possibly over several lines) and doc number printed above a body."""
    head = _Heading()
    parts: list[str] = []
    i = 0
    limit = max(len(_norm(expected_title)) + 12, 40)
    while i < len(lines):
        line = lines[i].strip()
        if not line:
            i += 1
            continue
        if is_doc_number_line(line):
            head.doc_number = clean_doc_number(line)
            i += 1
            break
        joined = _norm("".join(parts) + line)
        if _SALUTATION.search(line) or bodies.is_date_line(line) or len(joined) > limit or len(parts) >= 4:
            break
        # A title ends with its document type; a sentence after it is already the body.
        if parts and (bodies.ends_sentence(line) or _TITLE_END.search(_norm("".join(parts)))):
            break
        parts.append(line)
        i += 1
    head.end = i
    if parts and extract.looks_like_organ(parts[0]) and len(parts) > 1:
        head.organ = squeeze(parts[0])
    head.title = " ".join(parts)
    return head


# A bare province-level name on a line of its own: signatures set in columns
# break “广西壮族自治区 / 卫生健康委员会办公室” over two lines.
_BARE_REGION = re.compile(f"^[{CJK}]{{2,10}}(?:省|市|自治区|特别行政区)$")
# How far from the end of a text a closing signature is looked for, in paragraphs.
_SIGNATURE_REACH = 8


# A line under the signing organ saying whose seal stands for it.
_SEAL = re.compile(r"^\s*[（(][^）)]{0,30}(?:代章|印章|盖章)[）)]\s*$")


def _signature_part(name: str) -> bool:
    return extract.looks_like_organ(name) or bool(_BARE_REGION.match(squeeze(name)))


def _signature_at(paras: list[str], i: int) -> list[str] | None:
    """Organ names on the lines above the date line paras[i], in order; None if there are none."""
    rows: list[list[str]] = []
    j = i - 1
    while j >= 0:
        if _SEAL.match(paras[j]):
            j -= 1   # “（上海市中医药管理局代章）”: whose seal, not who issues
            continue
        names = [n for n in paras[j].split(" ") if n]
        if not names or not all(_signature_part(n) for n in names):
            break
        rows.append(names)
        j -= 1
    # Collected bottom-up and reversed once (inserting at the front was quadratic).
    names = [name for row in reversed(rows) for name in row]
    names = _rejoin_columns(names)
    return names if any(extract.looks_like_organ(n) for n in names) else None


def _rejoin_columns(names: list[str]) -> list[str]:
    """“广西壮族自治区”, “卫生健康委员会办公室”, “广西壮族自治区”, … → whole names, in order.

    A signature set in columns comes out of the PDF with each organ's region on
    one line and the rest of its name on another, rows interleaved. When the
    bare region names and the name fragments are equally many, they pair up in order.
    """
    bare = [n for n in names if _BARE_REGION.match(n) and not extract.looks_like_organ(n)]
    if not bare:
        return names
    rest = [n for n in names if n not in bare]
    fragments = [n for n in rest if not re.match(f"^[{CJK}]{{2,10}}(?:省|市|自治区)", n)]
    if len(fragments) != len(bare) or len(rest) != len(fragments):
        return [n for n in names if n not in bare] or names
    return [region + fragment for region, fragment in zip(bare, fragments)]


@dataclass
class _Signature:
    organs: list[str] = field(default_factory=list)
    date: dt.date | None = None
    repeated: list[str] = field(default_factory=list)   # names printed twice (kept once)


def _signature(paras: list[str]) -> _Signature:
    """Organs and date of the signature: at the end of a text, or else under the cover letter
    (a notice that prints the document it issues after its own signature)."""
    candidates = range(len(paras) - 1, max(len(paras) - _SIGNATURE_REACH, -1), -1)
    found = None
    for i in candidates:
        if bodies.is_date_line(paras[i]):
            found = (i, _signature_at(paras, i) or [])
            break
    if found is None or not found[1]:
        for i, para in enumerate(paras):
            names = _signature_at(paras, i) if bodies.is_date_line(para) else None
            if names:
                found = (i, names)
                break
    if found is None:
        return _Signature()
    i, names = found
    unique = list(dict.fromkeys(names))
    repeated = [n for n in unique if names.count(n) > 1]
    return _Signature(unique, parse_date(paras[i]), repeated)


# Long and short forms of the same organ (国家医疗保障局 = 国家医保局, 卫生健康委员会 = 卫生健康委).
_ORGAN_FORMS = (("卫生健康委员会", "卫生健康委"), ("医疗保障局", "医保局"), ("中医药管理局", "中医药局"),
                ("疾病预防控制局", "疾控局"), ("药品监督管理局", "药监局"), ("人力资源和社会保障厅", "人力资源社会保障厅"),
                ("发展和改革委员会", "发展改革委"), ("中国共产党", "中共"), ("壮族自治区", "自治区"),
                ("回族自治区", "自治区"), ("维吾尔自治区", "自治区"))


def _organ_key(name: str) -> str:
    key = squeeze(name).replace(" ", "")
    for long, short in _ORGAN_FORMS:
        key = key.replace(long, short)
    return key


def _issuers(header: str, sign: _Signature) -> tuple[list[str], str | None]:
    """The issuers, and a note when the header (发文机关) and the signature disagree.

    The signature is the document's own: when it names organs, they are the
    issuers, in its order and its spelling (a header often abbreviates, ends in
    “等”, or names the wrong organ). A header naming organs the signature lacks
    wins only when it is not cut short with “等” and names more of them.
    """
    listed = extract.split_issuers(header) if header else []
    if not sign.organs:
        return listed, None
    if not listed:
        return sign.organs, None
    signed = {_organ_key(o) for o in sign.organs}
    missing = [o for o in listed if _organ_key(o) not in signed]
    if not missing:
        return sign.organs, None
    if not squeeze(header).endswith("等") and len(listed) > len(sign.organs):
        return listed, f"落款只有 {'、'.join(sign.organs)}，按发文机关记录"
    return sign.organs, f"发文机关写作“{'、'.join(listed)}”，与落款不一致，按落款记录：{'、'.join(sign.organs)}"


class NoticeBuilder:
    def __init__(self, vocab: Vocab, source_title: str | None = None):
        self.vocab = vocab
        self.regions = extract.RegionRules(vocab)
        self.source_title = source_title

    @staticmethod
    def _bounded(meta: Metadata | None, notice: ImportedNotice, get, meta_line):
        """get, with metadata values longer than any real one refused (and cut for the rest of build)."""
        if meta is None:
            return get
        for name, value in meta.values.items():
            limit = _limit(name)
            if len(value.strip()) > limit:
                what = "标题" if name == "title" else "元数据"
                notice.refuse(meta_line(name), name, f"{what}过长（{len(value.strip())} 字，上限 {limit} 字）：请检查元数据块")
        return lambda name: get(name)[:_limit(name)]

    def build(self, meta: Metadata | None, body_lines: list[str], start_line: int) -> ImportedNotice:
        """One notice from its metadata (if any) and the lines of its text."""
        get = meta.get if meta else (lambda name: "")
        meta_line = (lambda name, default=start_line: meta.lines.get(name, default)) if meta \
            else (lambda name, default=start_line: default)
        notice = ImportedNotice({}, start_line)
        get = self._bounded(meta, notice, get, meta_line)
        lines = [l for l in body_lines if not bodies.is_furniture(l)]
        # Extraction sometimes repeats a metadata value on the line after the block.
        values = {_norm(v) for k, v in (meta.values.items() if meta else ()) if v and k != "title"}
        first = 0
        while first < len(lines) and (not lines[first].strip() or _norm(lines[first]) in values):
            first += 1
        lines = lines[first:]
        meta_title = _strip_region_tag(squeeze_title(get("title")), self.regions)

        head = _heading(lines, meta_title)
        heading_title = _strip_region_tag(squeeze_title(head.title), self.regions) if head.title else ""
        title = meta_title
        differs = heading_title and title != heading_title and not _norm(heading_title).endswith(_norm(title))
        if heading_title and (not title or (differs and _similarity(title, heading_title) >= 0.75)):
            # The heading printed above the text is the document's own title.
            title = heading_title
        if head.organ and not meta_title and not title.startswith(head.organ):
            title = head.organ + title
        if not title:
            notice.gap(start_line, "title", "找不到标题")
        elif len(title) > MAX_TITLE and not notice.refusals:
            notice.refuse(start_line, "title", f"标题过长（{len(title)} 字，上限 {MAX_TITLE} 字）：这不像通知的标题")

        paras = bodies.paragraphs(lines[head.end:])
        sign = _signature(paras)
        signed = sign.date

        doc_number = clean_doc_number(get("doc_number")) or head.doc_number
        if get("doc_number") and not clean_doc_number(get("doc_number")):
            # Some notices carry numbers of other shapes; keep them as printed.
            doc_number = squeeze(get("doc_number")).replace(" ", "")
        if not doc_number:
            notice.gap(meta_line("doc_number"), "doc_number", "没有发文字号，记为 null")

        issuers, disagreement = _issuers(get("issuers"), sign)
        if disagreement:
            notice.gap(meta_line("issuers"), "issuers", disagreement)
        for name in sign.repeated:
            notice.gap(meta_line("issuers"), "issuers",
                       f"落款中“{name}”出现不止一次（只记一次）：原文可能印错了一个机关，请对照原件补全")
        if not issuers:
            issuers = [head.organ] if head.organ else []
        named = re.match(f"^([{CJK}]+?)(?:关于|印发)", title)
        if not sign.organs and len(issuers) == 1 and named and extract.looks_like_organ(named.group(1)) \
                and named.group(1).startswith(issuers[0]) and named.group(1) != issuers[0]:
            # No signature; the heading names the office (…卫生健康委办公室关于…) the header shortened.
            notice.gap(meta_line("issuers"), "issuers", f"发文机关写作“{issuers[0]}”，按标题记为“{named.group(1)}”")
            issuers = [named.group(1)]
        if not issuers:
            prefix = re.match(f"^([{CJK}]+?)(?:关于|印发)", title)
            if prefix and extract.looks_like_organ(prefix.group(1)):
                issuers = [prefix.group(1)]
        if not issuers:
            notice.gap(meta_line("issuers"), "issuers", "找不到发文机关")

        written = parse_date(get("written")) or signed
        if signed and written and signed != written:
            notice.gap(meta_line("written"), "written", f"成文日期 {written} 与落款日期 {signed} 不同：按成文日期记录，请核对")
        if not written:
            notice.gap(meta_line("written"), "written", "找不到成文日期")
        published = parse_date(get("published"))
        if not published:
            published = written
            notice.gap(meta_line("published"), "published",
                       f"没有发布日期，暂用成文日期 {written}" if written else "找不到发布日期")

        region, how = self.regions.region(issuers, squeeze(get("title")) or title, doc_number)
        if how == "default":
            notice.gap(meta_line("issuers"), "region", "无法从发文机关判断地区，暂定为全国")

        keywords = extract.split_issuers(get("keywords")) if get("keywords") else []
        full_text = "\n".join(paras)
        topics, how = extract.topics(self.vocab, get("category"), title, keywords, issuers=issuers,
                                     doc_number=doc_number, body=full_text)
        if not topics:
            notice.gap(meta_line("category"), "topics", f"无法判断主题分类（类别：{_brief(get('category')) or '无'}）")
        elif how == "category":
            notice.gap(meta_line("category"), "topics", f"主题分类只能照抄汇编的类别（{'、'.join(topics)}），请核对")

        kind = extract.kind(self.vocab, title)
        deadline = extract.comment_deadline(paras, written or published) if kind == "征求意见稿" \
            or re.search("征求.{0,6}意见", full_text) else None
        if deadline and kind != "征求意见稿":
            kind = "征求意见稿"
        if kind == "征求意见稿" and not deadline:
            notice.gap(start_line, "comment_deadline", "征求意见稿没有找到意见反馈截止日期")
        steps = extract.call_deadlines(paras, written or published) if kind != "征求意见稿" else []

        stated = extract.validity(paras, title, written, published)
        if kind == "征求意见稿" or re.search("征求.{0,30}意见", title):
            # A draft's “本细则自发布之日起实施” speaks of a text not yet issued.
            stated = extract.Validity()
        effective = parse_date(get("effective")) or stated.effective
        validity = get("validity").replace(" ", "") or stated.validity
        if validity and validity not in self.vocab.values("policy.validity"):
            notice.gap(meta_line("validity"), "validity", f"有效性“{_brief(validity)}”不在词表中，未填写")
            validity = None
        for note in stated.notes:
            notice.gap(start_line, "effective", note)

        cites = [n for n in find_doc_numbers(full_text) if n != doc_number]
        record = {
            "title": title,
            "doc_number": doc_number,
            "issuers": issuers,
            "region": region,
            "written": written,
            "published": published,
            "topics": topics,
            "keywords": keywords,
            "kind": kind,
            "validity": validity,
            "effective": effective,
            "expires": stated.expires,
            "comment_deadline": deadline,
            "deadlines": steps,
            "cites": cites,
            "source": None,
            "attachments": bodies.attachments(paras),
            "body": bodies.to_markdown(paras) if paras else None,
        }
        if self.source_title:
            record["source"] = {"title": self.source_title}
        # doc_number stays even when null: “no doc number” is a fact worth stating.
        notice.record = {k: v for k, v in record.items() if k == "doc_number" or v not in (None, [], "", {})}
        return notice


# ---------------------------------------------------------------- compilations

_TOC_ENTRY = re.compile(r"^\s*[-•·]?\s*(?P<page>\d{1,4})\s+(?P<title>\S.*?)\s*$")
_TOC_DOTTED = re.compile(r"^\s*(?P<title>\S.*?)\s*[.…·．]{2,}\s*(?P<page>\d{1,4})\s*$")


# A contents entry or a cover line is short; longer lines are text, and some
# of them (a run of dots thousands long) would make the patterns above slow.
_MAX_FRONT_LINE = 300
_MAX_COVER_LINES = 4


def _contents(front: list[str]) -> tuple[str | None, list[tuple[str, int]]]:
    """Compilation title and (title, page) entries from the pages before the first notice."""
    front = [line for line in front if len(line) <= _MAX_FRONT_LINE]
    entries = []
    for line in front:
        match = _TOC_ENTRY.match(line) or _TOC_DOTTED.match(line)
        if match and re.search(f"[{CJK}]{{4,}}", match["title"]):
            entries.append((match["title"], int(match["page"])))
    cover = []
    for line in front:
        text = squeeze(line)
        if re.search("目\\s*录|^Contents$", text, re.I) or len(cover) == _MAX_COVER_LINES:
            break
        if text and (re.search("汇编|月刊|专刊|简报|选编", text) or re.search(r"\d{4}年第\d+期", text)):
            cover.append(text.replace(" ", ""))
    return (" ".join(cover) or None), entries


class _Pages:
    """Pages of notices from the table of contents: (title, page) entries, each used once.

    A title printed exactly as in the contents is found at once; another is
    compared with every unused entry and takes the most similar one. Comparing
    is quadratic in the titles' length and every notice meets every entry, so
    the comparisons share a budget (counted in character pairs): a real
    compilation of a hundred notices needs a fraction of it, a text made of
    thousands of notices and entries runs out and its later notices are
    matched exactly or reported without a page.
    """

    BUDGET = 5_000_000

    def __init__(self, entries: list[tuple[str, int]]):
        self.entries = [(_norm(title)[:_COMPARED], page) for title, page in entries]
        self.exact: dict[str, list[int]] = {}
        for n, (title, _page) in enumerate(self.entries):
            self.exact.setdefault(title, []).append(n)
        self.used: set[int] = set()
        self.budget = self.BUDGET

    def page_for(self, title: str) -> int | None:
        title = _norm(title)[:_COMPARED]
        best = self._exact(title)
        if best is None and self.budget > 0:
            best = self._similar(title)
        if best is None:
            return None
        self.used.add(best)
        return self.entries[best][1]

    def _exact(self, title: str) -> int | None:
        for n in self.exact.get(title, ()):
            if n not in self.used:
                return n
        return None

    def _similar(self, title: str) -> int | None:
        best, best_ratio = None, 0.6
        matcher = difflib.SequenceMatcher(None, b=title)  # what it learns of the title is kept
        for n, (entry, _page) in enumerate(self.entries):
            if n in self.used:
                continue
            matcher.set_seq1(entry)
            self.budget -= len(entry) + len(title)
            # quick_ratio is an upper bound of ratio, and linear.
            if matcher.quick_ratio() <= best_ratio:
                continue
            self.budget -= len(entry) * len(title)
            ratio = matcher.ratio()
            if ratio > best_ratio:
                best, best_ratio = n, ratio
        return best


# The compilation's imprint after its last notice (总编, 责任编辑, 电话, 地址 …) is not part of that notice.
_IMPRINT = re.compile(r"^\s*(?:总\s*编|主\s*编|责任编辑|美术编辑)\s*[:：]")


# “下载附件请登录医药梦网 …” closes a notice in the compilation; what follows it
# before the next notice is the compilation's (a running page header).
_POINTER = re.compile("下载附件请登录")


def _pointer(lines: list[str], start: int, end: int) -> int:
    """end, or the line after the compilation's closing pointer when only a stray line or two
    (no signature, no date) follows it."""
    for i in range(end - 1, start - 1, -1):
        if _POINTER.search(lines[i]):
            rest = [line for line in lines[i + 1:end] if line.strip()]
            if len(rest) <= 2 and not any(bodies.is_date_line(line) for line in rest):
                return i + 1
            break
    return end


def _imprint(lines: list[str], start: int) -> int:
    """Index of the imprint's first line after start, or the end of the text."""
    for i in range(start, len(lines)):
        if _IMPRINT.match(lines[i]):
            return i
    return len(lines)


def import_compilation(text: str, vocab: Vocab, *, name: str = "") -> list[ImportedNotice]:
    raw = text.splitlines()
    lines = source_lines(text)
    blocks = find_blocks(lines)
    if not blocks:
        raise ImportFormatError(
            "这不是政策汇编：没有找到任何通知的元数据块（发文机关、成文日期、标题、发文字号、发布日期…）。"
            "单篇通知请用 `portal import notice`。", "not-a-compilation")
    source_title, entries = _contents(lines[: blocks[0].start])
    builder = NoticeBuilder(vocab, source_title or name or "政策汇编")
    pages = _Pages(entries)
    notices = []
    for n, meta in enumerate(blocks):
        end = blocks[n + 1].start if n + 1 < len(blocks) else _imprint(lines, meta.end)
        end = _pointer(lines, meta.end, end)
        notice_lines = lines[meta.end:end]
        notice = builder.build(meta, notice_lines, meta.start + 1)
        notice.personal = scan_lines(raw[meta.start:end], meta.start + 1)
        page = pages.page_for(notice.record.get("title", "")) if entries else None
        if "source" in notice.record:
            if page is not None:
                notice.record["source"]["page"] = page
            elif entries:
                notice.gap(meta.start + 1, "source.page", "目录中找不到这篇通知的页码")
        notices.append(notice)
    return notices


def import_notice(text: str, vocab: Vocab, *, name: str = "") -> ImportedNotice:
    raw = text.splitlines()
    lines = source_lines(text)
    blocks = find_blocks(lines)
    if len(blocks) > 1:
        raise ImportFormatError(f"这份文本包含 {len(blocks)} 篇通知的元数据，请用 `portal import compilation`。",
                                "several-notices")
    builder = NoticeBuilder(vocab, None)
    if blocks:
        meta = blocks[0]
        notice = builder.build(meta, lines[meta.end:], meta.start + 1)
        notice.personal = scan_lines(raw[meta.start:], meta.start + 1)
    else:
        first = next((i for i, l in enumerate(lines) if l.strip()), None)
        if first is None:
            raise ImportFormatError("文件是空的。", "empty-file")
        notice = builder.build(None, lines[first:], first + 1)
        notice.personal = scan_lines(raw[first:], first + 1)
    record = notice.record
    if not record.get("title") or not re.search("通知|意见|办法|公告|通告|决定|规定|方案|函|批复|通报|细则|规划|指南|要点",
                                                 record["title"][:MAX_TITLE]) or not record.get("written"):
        raise ImportFormatError("这不像一篇政策通知：找不到“关于……的通知”之类的标题或落款日期。")
    return notice


__all__ = ["ImportFormatError", "ImportedNotice", "Gap", "import_compilation", "import_notice"]
