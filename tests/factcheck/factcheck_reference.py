"""Readers of the reference texts kept in tests/factcheck/reference/.

Written for the fact-check suite only and on purpose independent of `portal`
(no importer, no vocabulary, no loader): a mistake in the portal's own reading
of these texts must not be able to hide itself. Every value carries the line of
the reference text it came from, so a failure can point a reader at it.

The texts were extracted from PDF: lines break inside words, labels carry
stray spaces ("标 题："), columns of a slide interleave. The readers below
deal with exactly the layouts these four files have and check themselves
(counts, sums) so that a misreading shows as a failing reader test rather
than as a wrong verdict on the data.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
# Copies of the shared reference texts; FACTCHECK_REFERENCE points the readers at a changed copy.
REFERENCE = Path(os.environ.get("FACTCHECK_REFERENCE", HERE / "reference"))
SLIDES = REFERENCE / "clinical-technology-management-slides.txt"
PLAN = REFERENCE / "mentorship-programme-plan.txt"
COMPILATION = REFERENCE / "policy-compilation-2024-03.txt"
SHAANXI = REFERENCE / "shaanxi-standardization-pilot-call-2025.txt"

# The data and pages under test. Point these at a scratch copy to try the suite
# on changed data (FACTCHECK_DATA=/tmp/copy/data pytest tests/factcheck).
DATA = Path(os.environ.get("FACTCHECK_DATA", ROOT / "data"))
CONTENT = Path(os.environ.get("FACTCHECK_CONTENT", ROOT / "content"))


# ---------------------------------------------------------------- text helpers

def squash(text: str) -> str:
    """Text with all whitespace removed: PDF extraction puts spaces and line breaks anywhere."""
    return re.sub(r"\s+", "", text or "")


_WIDTH = str.maketrans("()：:，;", "（）：：，；")


def same_text(text: str) -> str:
    """Comparable form: no whitespace, full-width brackets and colons."""
    return squash(text).translate(_WIDTH)


def iso(text: str, where: str = "") -> dt.date:
    """'2024 年 3 月 18 日' → date(2024, 3, 18)."""
    m = re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日", squash(text))
    if not m:
        raise ValueError(f"{where}: not a date: {text!r}")
    return dt.date(*map(int, m.groups()))


def ref(path: Path, line: int) -> str:
    """How a failure names a place in a reference text."""
    return f"tests/factcheck/reference/{path.name}:{line}"


@cache
def lines_of(path: Path) -> tuple[str, ...]:
    return tuple(path.read_text(encoding="utf-8").split("\n"))


def paragraphs(path: Path, start: int, stop: int) -> list[tuple[int, str]]:
    """Runs of non-blank lines between two 0-based line indexes, joined without whitespace,
    each with the 1-based number of its first line."""
    out, cur, first = [], [], None
    for i in range(start, stop):
        text = lines_of(path)[i]
        if text.strip():
            if not cur:
                first = i + 1
            cur.append(text)
        elif cur:
            out.append((first, squash("".join(cur))))
            cur = []
    if cur:
        out.append((first, squash("".join(cur))))
    return out


def find_line(path: Path, needle: str, start: int = 0) -> int:
    """0-based index of the first line at or after `start` whose squashed text contains `needle`."""
    for i in range(start, len(lines_of(path))):
        if needle in squash(lines_of(path)[i]):
            return i
    raise LookupError(f"{path.name}: {needle!r} not found after line {start + 1}")


# ---------------------------------------------------------------- the data under test

@dataclass
class Record:
    path: Path
    data: dict
    text: str

    @property
    def name(self) -> str:
        return f"{self.path.parent.parent.name}/{self.path.parent.name}/{self.path.name}"

    def at(self, key: str) -> str:
        """'data/policies/x.yaml:7' — the line where a top-level field is written."""
        for number, line in enumerate(self.text.split("\n"), 1):
            if line.startswith(f"{key}:"):
                return f"{self.name}:{number}"
        return f"{self.name} (no `{key}`)"


@cache
def records(collection: str) -> tuple[Record, ...]:
    """Every record of a collection, read once per test run."""
    out = []
    for path in sorted((DATA / collection).glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        out.append(Record(path, yaml.safe_load(text) or {}, text))
    return tuple(out)


def vocab() -> dict:
    return yaml.safe_load((DATA / "vocab.yaml").read_text(encoding="utf-8"))


# ---------------------------------------------------------------- organs (issuers)

# Short forms of the same organ, as notices write them in headers and signatures.
_ORGAN_SHORT = [
    ("委员会", "委"), ("医疗保障局", "医保局"), ("药品监督管理局", "药监局"), ("中医药管理局", "中医药局"),
    ("疾病预防控制局", "疾控局"), ("人力资源和社会保障", "人力资源社会保障"), ("市场监督管理", "市场监管"),
    ("中国科学院", "中科院"),
]


def organ_key(name: str) -> str:
    key = same_text(name)
    for long, short in _ORGAN_SHORT:
        key = key.replace(long, short)
    return key


def same_organ(a: str, b: str) -> bool:
    """Whether two names denote the same organ: equal once the usual short forms are applied,
    or one is the other with characters left out and the same last character
    (国家医保局办公室 = 国家医疗保障局办公室; 国家卫生健康委 ≠ 国家卫生健康委办公厅)."""
    ka, kb = organ_key(a), organ_key(b)
    if ka == kb:
        return True
    short, long = sorted((ka, kb), key=len)
    if not short or short[-1] != long[-1] or len(short) < 4:
        return False
    it = iter(long)
    return all(ch in it for ch in short)


# ---------------------------------------------------------------- slides: management classes

@dataclass(frozen=True)
class Listed:
    name: str
    line: int
    prefix_only: bool = False  # the slide breaks the name off; match records by prefix


def _balanced(text: str) -> bool:
    return text.count("（") == text.count("）")


def _is_whole_name(text: str) -> bool:
    """A technology name as the slides print them: ends in 术, or in a parenthesis after one."""
    core = re.sub(r"（[^（）]*）$", "", text)
    return _balanced(text) and core.endswith("术")


@cache
def restricted_technologies() -> tuple[Listed, ...]:
    """The national 限制类 technologies as the slide '限制类医疗技术确定原则' lists them
    (clinical-technology-management-slides.txt around lines 355–391).

    The slide is a column of names beside the four principles; PDF extraction
    put the principles after the first name's head ('造血干细胞（包括脐带血造血
    干细胞）') and its tail ('移植治疗血液系统疾病技术') further down. A head is
    joined to the later fragment with which it forms a name printed as one piece
    elsewhere in the slides, so the join itself is checked against the text."""
    start = find_line(SLIDES, "限制类医疗技术确定原则")
    stop = find_line(SLIDES, "限制类限制类", start + 1)
    whole_text = squash("\n".join(lines_of(SLIDES)))
    parts = [(n, t) for n, t in paragraphs(SLIDES, start + 1, stop)
             if not re.match(r"（[一二三四五六七八九十]+）", t)]
    names, used = [], set()
    for i, (number, text) in enumerate(parts):
        if i in used:
            continue
        if not _is_whole_name(text):
            for j in range(i + 1, len(parts)):
                joined = text + parts[j][1]
                if j not in used and _is_whole_name(joined) and joined in whole_text:
                    used.add(j)
                    text = joined
                    break
            else:
                raise AssertionError(f"{ref(SLIDES, number)}: cannot complete the name fragment {text!r}")
        names.append(Listed(text, number))
    return tuple(names)


@cache
def history_slide_bullets() -> tuple[Listed, ...]:
    """The bullets of the slide that sets 《国家限制临床应用的医疗技术（2015版）》 beside
    '按临床研究管理的医疗技术' (around lines 111–155). Its two columns are interleaved
    by the extraction; each bullet is read up to the next blank line, and a bullet
    cut short ('…治疗' / '技术') takes the next fragment when that completes a name."""
    start = find_line(SLIDES, "国家限制临床应用的医疗技术（2015版）") - 20
    start = find_line(SLIDES, "医疗技术临床应用管理的政策沿革", start)
    stop = find_line(SLIDES, "负面清单是", start)
    pieces: list[tuple[int, str, bool]] = []  # (line, text, starts a bullet)
    for number, text in paragraphs(SLIDES, start + 1, stop):
        head, *bullets_here = text.split("•")
        if head:
            pieces.append((number, head, False))
        pieces.extend((number, b, True) for b in bullets_here)
    bullets = []
    for i, (number, name, is_bullet) in enumerate(pieces):
        if not is_bullet or re.fullmatch(r"[…\.]*", name):
            continue
        if not _is_whole_name(name) and i + 1 < len(pieces) and not pieces[i + 1][2] \
                and _is_whole_name(name + pieces[i + 1][1]):
            name += pieces[i + 1][1]
        bullets.append(Listed(name, number, prefix_only=not _is_whole_name(name)))
    return tuple(bullets)


def clinical_research_technologies() -> tuple[Listed, ...]:
    """Technologies the slides put under 按临床研究管理: the bullets of the 2015 slide that are
    not 限制类 names (nor a broken-off head of one)."""
    restricted = [same_text(t.name) for t in restricted_technologies()]
    return tuple(b for b in history_slide_bullets()
                 if not any(r.startswith(same_text(b.name)) for r in restricted))


def clinical_research_statement() -> int:
    """1-based line of the slide sentence '免疫细胞治疗技术属临床研究'."""
    return find_line(SLIDES, "免疫细胞治疗技术属临床研究") + 1


# ---------------------------------------------------------------- mentorship plan

@dataclass
class Cycle:
    name: str
    parts: dict[str, int]
    total: int
    line: int  # of the 合计 row


@cache
def plan_cycles() -> dict[str, Cycle]:
    """表：学习周期课时计划表 of mentorship-programme-plan.txt (lines 61–68): one column per cycle."""
    title = find_line(PLAN, "表：学习周期课时计划表")
    header = next(i for i in range(title + 1, title + 5) if "制" in lines_of(PLAN)[i])
    cycles = [c for c in lines_of(PLAN)[header].split() if c.endswith("制")]
    rows: dict[str, list[int]] = {}
    total_line = None
    for i in range(header + 1, header + 12):
        cells = [c.strip() for c in lines_of(PLAN)[i].split("\t") if c.strip()]
        numbers = [int(n) for n in re.findall(r"(\d+)\s*个课时", lines_of(PLAN)[i])]
        if not numbers:
            break
        label = [c for c in cells if not re.search(r"\d", c)][-1]
        if len(numbers) != len(cycles):
            raise AssertionError(f"{ref(PLAN, i + 1)}: {len(numbers)} numbers for {len(cycles)} cycles")
        if label == "合计":
            total_line = i + 1
            totals = numbers
            break
        rows[label] = numbers
    if total_line is None:
        raise AssertionError(f"{ref(PLAN, title + 1)}: no 合计 row")
    return {c: Cycle(c, {k: v[n] for k, v in rows.items()}, totals[n], total_line) for n, c in enumerate(cycles)}


@dataclass
class Tier:
    track: str
    name: str
    definition: str
    line: int
    eligibility: str = ""  # 师承人 职称 requirement, e.g. 副主任医师及以上医药专业高级职称
    worker: str = ""  # 卫生健康工作者 / 医疗卫生工作者
    exempt: bool = False  # 在行业中有特殊专长或贡献者，可不受年龄、职称限制
    eligibility_line: int = 0


@cache
def plan_tracks() -> dict[str, dict[str, Tier]]:
    """Tracks and tiers of 传承人 (五（一）1.) with the 师承人 conditions of each tier (五（二）2./3.)."""
    tracks: dict[str, dict[str, Tier]] = {}
    for track, head, stop in (("传统医学", "（1）传统医学技术传承人", "（2）现代医学技术传承人"),
                              ("现代医学", "（2）现代医学技术传承人", "2.申请条件")):
        a = find_line(PLAN, head)
        b = find_line(PLAN, stop, a + 1)
        sentence_line = find_line(PLAN, "三个层级", a)
        announced = re.search(r"分为(.+?)三个层级", squash(lines_of(PLAN)[sentence_line])).group(1)
        tiers = {}
        for number, text in paragraphs(PLAN, a + 1, b):
            m = re.match(r"([^：，。]{2,12})：(.+)", text)
            if m:
                tiers[m.group(1)] = Tier(track, m.group(1), m.group(2), number)
        for name in tiers:
            if name not in announced:
                raise AssertionError(f"{ref(PLAN, sentence_line + 1)}: tier {name} not in '{announced}'")
        tracks[track] = tiers
    for track, head, stop in (("传统医学", "2.传统医学技术师承人申报条件", "3.现代医学技术师承人申报条件"),
                              ("现代医学", "3.现代医学技术师承人申报条件", "六、项目组织")):
        a = find_line(PLAN, head)
        b = find_line(PLAN, stop, a + 1)
        for number, text in _items(a + 1, b):
            m = re.match(r"申报(.+?)师承人，须具有(.+?)的(卫生健康工作者|医疗卫生工作者)", text)
            if not m:
                continue
            tier = tracks[track].get(m.group(1))
            if tier is None:
                raise AssertionError(f"{ref(PLAN, number)}: 师承人 conditions for {m.group(1)}, "
                                     f"which is no tier read for {track} ({list(tracks[track])})")
            tier.eligibility, tier.worker = m.group(2), m.group(3)
            tier.exempt = "可不受年龄、职称限制" in text
            tier.eligibility_line = number
    return tracks


def _items(start: int, stop: int) -> list[tuple[int, str]]:
    """Numbered items '（1）…' / '(2) …' between two lines, each joined across page breaks."""
    items: list[tuple[int, str]] = []
    for number, text in paragraphs(PLAN, start, stop):
        if re.match(r"[（(]\d+[）)]", text):
            items.append((number, re.sub(r"^[（(]\d+[）)]", "", text)))
        elif items:
            items[-1] = (items[-1][0], items[-1][1] + text)
    return items


def plan_folk_doctor_item() -> tuple[int, str]:
    """五（二）2.(4): 民间中医 may apply as 师承人 of the 传统医学 track."""
    a = find_line(PLAN, "2.传统医学技术师承人申报条件")
    b = find_line(PLAN, "3.现代医学技术师承人申报条件", a + 1)
    return next((n, t) for n, t in _items(a + 1, b) if t.startswith("民间中医"))


# ---------------------------------------------------------------- the Shaanxi call

@dataclass
class Deadline:
    date: dt.date
    clause: str  # the sentence that sets it, the date phrase taken out
    line: int
    recurring: bool = False  # '每年11月底前' over the project period


@dataclass
class Call:
    title: str
    title_line: int
    doc_number: str | None
    signer: str
    signed: dt.date
    signature_line: int
    deadlines: list[Deadline]
    attachments: list[str]
    attachments_line: int
    text: str  # squashed


@cache
def shaanxi_call() -> Call:
    lines = lines_of(SHAANXI)
    text = squash("\n".join(lines))
    first = next(i for i, t in enumerate(lines) if t.strip())
    addressee = next(i for i, t in enumerate(lines) if t.strip().startswith("各"))
    title = squash("".join(lines[first:addressee]))
    doc = re.search(r"[\u4e00-\u9fff]+〔\d{4}〕\d+号", text)
    date_line = max(i for i, t in enumerate(lines) if re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", squash(t)))
    signed = iso(lines[date_line])
    signer_line = max(i for i in range(date_line) if lines[i].strip())
    # Each dated step: 'X月Y日前' within one sentence; the year is the year of signing.
    deadlines = []
    flat, owners = _flat_with_lines(lines)
    for m in re.finditer(r"(\d{1,2})月(\d{1,2})日前", flat):
        clause = _sentence(flat, m.start(), m.end())
        deadlines.append(Deadline(dt.date(signed.year, int(m.group(1)), int(m.group(2))), clause, owners[m.start()]))
    period = re.search(r"建设周期为(\d{4})-(\d{4})年", flat)
    for m in re.finditer(r"每年(\d{1,2})月底前", flat):
        clause = _sentence(flat, m.start(), m.end())
        month = int(m.group(1))
        for year in range(int(period.group(1)), int(period.group(2)) + 1):
            last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1))
            deadlines.append(Deadline(last, clause, owners[m.start()], recurring=True))
    att = find_line(SHAANXI, "附件：")
    attachments = re.findall(r"\d+\.([^\d]+?)(?=\d+\.|$)", squash("".join(lines[att:signer_line])).split("附件：", 1)[1])
    return Call(title, first + 1, doc.group(0) if doc else None, squash(lines[signer_line]), signed,
                date_line + 1, deadlines, attachments, att + 1, text)


def _flat_with_lines(lines) -> tuple[str, list[int]]:
    chars, owners = [], []
    for number, line in enumerate(lines, 1):
        for ch in squash(line):
            chars.append(ch)
            owners.append(number)
    return "".join(chars), owners


def _sentence(flat: str, start: int, end: int) -> str:
    a = max(flat.rfind(p, 0, start) for p in "。；;") + 1
    b = min([i for i in (flat.find(p, end) for p in "。；;") if i >= 0] or [len(flat)])
    return flat[a:start] + flat[end:b]


# ---------------------------------------------------------------- the compilation's 84 notices

HEADER_LABELS = ("发文机关", "成文日期", "标题", "发文字号", "发布日期", "类别", "关键字")
_LABEL = re.compile("(" + "|".join(r"\s*".join(label) for label in HEADER_LABELS) + r")\s*[：:]")

PROVINCES = ("北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江", "安徽",
             "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州",
             "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆")

_ORGAN_END = "厅局室委会院部府心司办署组"


@dataclass
class Notice:
    number: int  # 1..84 in the order of the compilation
    line: int  # 1-based line of 发文机关
    fields: dict[str, str]
    field_lines: dict[str, int]
    printed_title: str
    text: str  # the notice from its header to the next header, squashed
    signature: list[str] = field(default_factory=list)
    signature_line: int = 0

    @property
    def title(self) -> str:
        """The header's 标题 without the compiler's region prefix ('河北：…')."""
        return _strip_region(squash(self.fields["标题"]))

    @property
    def header_issuers(self) -> list[str]:
        names = [n for n in re.split(r"[、，,]", squash(self.fields["发文机关"])) if n]
        if names and names[-1].endswith("等"):
            names[-1] = names[-1][:-1]
        return names

    @property
    def header_has_more(self) -> bool:
        """The header list ends in 等: more issuers follow in the signature."""
        return squash(self.fields["发文机关"]).endswith("等")

    @property
    def doc_number(self) -> str | None:
        return squash(self.fields.get("发文字号", "")) or None

    def date(self, label: str) -> dt.date:
        return iso(self.fields[label], ref(COMPILATION, self.field_lines[label]))

    @property
    def region(self) -> str:
        """全国 for national issuers, else the province the first issuer (or the title) names."""
        for text in (self.header_issuers[0], self.fields["标题"]):
            hits = [(squash(text).find(p), p) for p in PROVINCES if p in squash(text)]
            if hits:
                return min(hits)[1]
        return "全国"

    def where(self, label: str | None = None) -> str:
        return ref(COMPILATION, self.field_lines.get(label, self.line) if label else self.line)


def _labels_in(line: str) -> list[tuple[str, str]]:
    found = list(_LABEL.finditer(line))
    if not found or line[:found[0].start()].strip():
        return []
    return [(squash(a.group(1)), line[a.end():b.start() if b else len(line)].strip())
            for a, b in zip(found, found[1:] + [None])]


@cache
def compilation_notices() -> tuple[Notice, ...]:
    """Every notice of the compilation, read from its metadata block:

        发文机关：国家医疗保障局办公室、教育部办公厅等
        成文日期：2024年2月8日
        标题：关于开展儿童参加基本医疗保险专项行动的通知
        发文字号：医保办函〔2024〕14号
        发布日期：2024年3月2日

    Labels may hold spaces ('标 题：'), come in any order, share a line
    ('发文字号： 发布日期：2024年3月8日' — an empty 发文字号), and a value may wrap
    onto the following lines ('国家卫生健康委办公厅、中央' / '网信办秘书局等')."""
    lines = lines_of(COMPILATION)
    starts = [i for i, t in enumerate(lines) if (_labels_in(t) or [("",)])[0][0] == "发文机关"]
    notices = []
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        values: dict[str, list[str]] = {}
        where: dict[str, int] = {}
        current, j = None, start
        while j < end:
            found = _labels_in(lines[j])
            if found:
                if any(label in values for label, _ in found):
                    break
                for label, value in found:
                    values[label], where[label], current = [value], j + 1, label
                j += 1
                continue
            if not lines[j].strip():
                j += 1
                continue
            # A line without a label continues the previous value only if more labels follow.
            following = [t for t in lines[j + 1:j + 12] if t.strip()][:3]
            if any(_labels_in(t) and _labels_in(t)[0][0] not in values for t in following):
                values[current].append(lines[j].strip())
                j += 1
                continue
            break
        fields = {label: "".join(parts) for label, parts in values.items()}
        printed = _printed_title(lines, j, end, fields)
        notice = Notice(k + 1, start + 1, fields, where, "".join(printed), squash("\n".join(lines[start:end])))
        notice.signature, notice.signature_line = _signature(lines, j, end, fields.get("成文日期", ""))
        notices.append(notice)
    return tuple(notices)


def _printed_title(lines, body: int, end: int, fields: dict[str, str]) -> str:
    """The title as printed above the notice (it can differ from the header's 标题):
    from the first line after the header that starts like the header's title, up to
    the doc number, the addressee ('各…：'), a sentence or a date."""
    raw = squash(fields.get("标题", ""))
    header = _strip_region(raw)
    first = next((i for i in range(body, min(end, body + 12)) if squash(lines[i])[:4] in (header[:4], raw[:4])),
                 None)
    if first is None:
        return ""
    printed = []
    for t in lines[first:min(end, first + 8)]:
        s = squash(t)
        if not s:
            continue
        if printed and (s == squash(fields.get("发文字号", "")) or s.endswith(("：", ":")) or "。" in s
                        or re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", s) or len(printed) == 4):
            break
        printed.append(s)
    return _strip_region("".join(printed))


def _strip_region(title: str) -> str:
    return re.sub(r"^(" + "|".join(PROVINCES) + r")：", "", title)


def _organish(line: str) -> bool:
    s = squash(line)
    return bool(s) and len(s) <= 80 and not re.search(r"[，。：:；;、“”《》]|\d", s) and not s.startswith("附件")


def _signature(lines, body: int, end: int, written: str) -> tuple[list[str], int]:
    """Organs named in the signature above the first line that repeats the 成文日期.

    Handles one organ per line, several per line ('最高人民法院 最高人民检察院 公安部',
    tab-separated columns) and names wrapped in two columns ('广西壮族自治区' …
    '卫生健康委员会办公室'). A parenthesised seal note ('（上海市中医药管理局代章）') is
    kept with its parentheses so that a test can tell it apart. Returns ([], 0) when
    no signature block stands there."""
    target = squash(written)
    if not target:
        return [], 0
    date_line = next((i for i in range(body, end) if squash(lines[i]) == target), None)
    if date_line is None:
        return [], 0
    block = []
    i = date_line - 1
    while i > body:
        if not lines[i].strip():
            i -= 1
            continue
        if not _organish(lines[i]):
            break
        block.insert(0, lines[i])
        i -= 1
    tokens = [t for line in block for t in line.split()]
    organs, heads = [], []
    for t in tokens:
        if t.startswith(("(", "（")):
            organs.append(t)
        elif t[-1] in _ORGAN_END or t.endswith("委员会办公室"):
            organs.append(heads.pop(0) + t if heads else t)
        else:
            heads.append(t)
    if heads:  # unexplained fragments: not a signature block we can read
        return [], 0
    return organs, date_line + 1
