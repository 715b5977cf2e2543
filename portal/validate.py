"""Validation: every rule of the record model (schema.py) and of the programme documents, every error at once.

`validate(records, vocab)` returns the records with typed values (dates as
`datetime.date`) and the list of problems. Nothing here stops at the first
error: a maintainer fixes a whole pull request in one go.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re

from . import privacy, text_rules
from .loader import RawRecord
from .problems import Problem
from .schema import (
    BOOL, COLLECTION_BY_NAME, DATE, INT, LIST, OBJECT, REF, STR, TEXT, VOCAB,
    Field, entry_of,
)
from .vocab import Vocab

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Dates a record may hold: the health system of the People's Republic to the
# end of the century. A date outside is a typo (0001-01-01, 9999-12-31), and
# would make calendars overflow and timelines span millennia.
MIN_DATE, MAX_DATE = dt.date(1949, 1, 1), dt.date(2100, 12, 31)
# YAML 1.2's booleans; YAML 1.1 (which PyYAML reads) also takes yes/no/on/off.
_BOOLEANS = {"true", "True", "TRUE", "false", "False", "FALSE"}
_DECIMAL = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
# Hours, quotas and page numbers: far below a million.
MAX_INT = 1_000_000

_TYPE_NAMES = {
    STR: "文本", TEXT: "文本（Markdown）", INT: "整数", BOOL: "true 或 false",
    DATE: "日期（YYYY-MM-DD）", VOCAB: "受控词表中的值", REF: "记录编号",
    OBJECT: "映射（字段: 值）", LIST: "列表",
}


def suggest(value: str, candidates) -> str:
    """A 是否想输入 hint for a near miss, or an empty string."""
    # Two-character Chinese values differ by half when one character is wrong (治了/治疗).
    cutoff = 0.5 if len(str(value)) <= 3 else 0.6
    close = difflib.get_close_matches(str(value), [str(c) for c in candidates], n=1, cutoff=cutoff)
    return f"；是否想输入“{close[0]}”？" if close else ""


def _allowed(values, limit: int = 12) -> str:
    shown = "、".join(values[:limit])
    return shown + ("等" if len(values) > limit else "")


def _describe(value) -> str:
    text = repr(value) if not isinstance(value, str) else f"“{value}”"
    return text if len(text) <= 60 else text[:57] + "…"


class _Checker:
    def __init__(self, record: RawRecord, vocab: Vocab, problems: list[Problem]):
        self.record = record
        self.vocab = vocab
        self.problems = problems
        self.lines: list[tuple[tuple, str, str]] = []  # (key, name, text) of single-line values

    def error(self, key: tuple, name: str, message: str, code: str) -> None:
        self.problems.append(Problem(self.record.path, self.record.line(*key), name, message, code))

    def fields(self, decls: tuple[Field, ...], data: dict, key: tuple, prefix: str) -> dict:
        known = {f.name: f for f in decls}
        out = {}
        for name in data:
            if name == "id" and not prefix:
                given = data[name]
                detail = "" if given == self.record.id else f"：写的是“{given}”，文件名是“{self.record.id}”"
                self.error(key + ("id",), "id", f"记录编号由文件名决定，不要写 id 字段{detail}", "id-field")
            elif name not in known:
                self.error(key + (str(name),), prefix + str(name),
                           f"未知字段{suggest(name, known)}（允许的字段：{_allowed(list(known), 40)}）", "unknown-field")
        for decl in decls:
            name = prefix + decl.name
            if decl.name not in data or (data[decl.name] is None and not decl.nullable):
                if decl.required:
                    where = key + (decl.name,) if decl.name in data else key
                    self.error(where, name, "缺少必填字段", "missing-field")
                continue
            out[decl.name] = self.value(decl, data[decl.name], key + (decl.name,), name)
        return out

    def value(self, decl: Field, value, key: tuple, name: str):
        kind = decl.kind
        if value is None and decl.nullable:
            return None
        # A plain scalar YAML read as a number or a YAML 1.1 boolean: as written.
        written = self.record.written.get(key)
        if written is not None and kind in (STR, TEXT, VOCAB, REF):
            value = written
        if kind in (STR, TEXT):
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                return self.type_error(decl, value, key, name)
            text = str(value).strip() if kind == STR else str(value)
            if not text.strip():
                self.error(key, name, "不能为空", "empty-value")
            elif kind == STR and "\n" in text:
                self.error(key, name, "应为单行文本", "multiline")
            elif kind == STR and len(text) > text_rules.MAX_LINE_CHARS:
                self.error(key, name, f"过长（{len(text)} 字，单行文字上限 {text_rules.MAX_LINE_CHARS} 字）：长的内容请写在正文 body 中", "too-long")
            elif kind == TEXT:
                if hidden := text_rules.hidden_character(text, multiline=True):
                    self.hidden(key, name, hidden)
                else:
                    self.text_limits(text, key, name)
            else:
                self.lines.append((key, name, text))  # checked for hidden characters all at once
                if decl.url and not re.match(r"^https?://[^\s/]+", text, flags=re.I):
                    self.error(key, name, f"{_describe(text)} 不是网址：链接只能以 http:// 或 https:// 开头", "bad-url")
            return text
        if kind == INT:
            if isinstance(value, bool) or not isinstance(value, int):
                return self.type_error(decl, value, key, name)
            if written is not None and not _DECIMAL.match(written):
                self.error(key, name, f"“{written}”的写法有歧义（YAML 会读成 {value}）：请写成不带前导零的十进制整数；"
                                      "若是编号，请加引号写成文本", "ambiguous-number")
                return None
            if value < 0:
                self.error(key, name, f"不能为负数（当前为 {value}）", "negative")
            elif value > MAX_INT:
                self.error(key, name, f"数值过大（{str(value)[:20]}，上限 {MAX_INT}）", "too-large-number")
            return value
        if kind == BOOL:
            if not isinstance(value, bool):
                return self.type_error(decl, value, key, name)
            if written is not None and written not in _BOOLEANS:
                self.error(key, name, f"应写 true 或 false，不要写“{written}”", "ambiguous-bool")
                return None
            return value
        if kind == DATE:
            return self.date(value, key, name)
        if kind == VOCAB:
            if not isinstance(value, str):
                return self.type_error(decl, value, key, name)
            allowed = self.vocab.values(decl.vocab)
            if value not in allowed:
                self.error(key, name, f"{_describe(value)} 不在受控词表 {decl.vocab} 中{suggest(value, allowed)}（允许：{_allowed(allowed)}）", "not-in-vocab")
            return value
        if kind == REF:
            if not isinstance(value, str):
                return self.type_error(decl, value, key, name)
            return value
        if kind == OBJECT:
            if not isinstance(value, dict):
                return self.type_error(decl, value, key, name)
            return self.fields(decl.fields, value, key, name + ".")
        if kind == LIST:
            if isinstance(value, (str, int)) and decl.item.kind in (STR, VOCAB, REF):
                # A lone value where a list is expected is a common slip; say so.
                self.error(key, name, f"应为列表：写成“- {value}”的形式", "not-a-list")
                return None
            if not isinstance(value, list):
                return self.type_error(decl, value, key, name)
            if len(value) < decl.min_items:
                self.error(key, name, f"至少需要 {decl.min_items} 项", "too-few")
            items = []
            for i, item in enumerate(value):
                items.append(self.value(decl.item, item, key + (i,), f"{name}[{i}]"))
            if decl.unique and decl.item.kind in (STR, VOCAB, REF):
                seen = set()
                for i, item in enumerate(items):
                    if isinstance(item, str) and item in seen:
                        self.error(key + (i,), f"{name}[{i}]", f"{_describe(item)} 重复出现", "duplicate-item")
                    seen.add(item)
            return items
        raise AssertionError(f"unknown field kind {kind}")

    def hidden(self, key: tuple, name: str, hidden: str) -> None:
        self.error(key, name, f"含有看不见的控制字符（{hidden}）：它会改变文字的显示或被原样写进网页，请删去", "hidden-character")

    def hidden_in_lines(self) -> None:
        """The single-line texts of a record, searched as one (a search per value cost
        more than the search): only when something is found, value by value."""
        if self.lines and text_rules.hidden_character(" ".join(text for _k, _n, text in self.lines)):
            for key, name, text in self.lines:
                if hidden := text_rules.hidden_character(text):
                    self.hidden(key, name, hidden)

    def text_limits(self, text: str, key: tuple, name: str) -> None:
        """Bounds checked before any body is converted to HTML (see text_rules)."""
        if len(text) > text_rules.MAX_BODY_CHARS:
            self.error(key, name, f"正文过长（{len(text)} 字，上限 {text_rules.MAX_BODY_CHARS} 字）：请删去多余内容或拆分", "too-long")
            return
        line = text_rules.nesting_line(text)
        if line is not None:
            start = self.record.text_starts.get(key, self.record.line(*key))
            self.problems.append(Problem(self.record.path, start + line - 1, name,
                                         f"嵌套层次过深（引用、列表或 HTML 标签超过 {text_rules.MAX_NESTING} 层）", "too-deep"))

    def type_error(self, decl: Field, value, key, name):
        self.error(key, name, f"应为{_TYPE_NAMES[decl.kind]}，实际为 {_describe(value)}", "wrong-type")
        return None

    def date(self, value, key, name):
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        text = str(value)
        if not isinstance(value, str) or not _ISO_DATE.match(text):
            self.error(key, name, f"应为日期 YYYY-MM-DD，实际为 {_describe(value)}", "bad-date")
            return None
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            self.error(key, name, f"日期 {text} 不存在", "impossible-date")
            return None
        if not MIN_DATE <= day <= MAX_DATE:
            self.error(key, name, f"日期 {text} 超出范围（应在 {MIN_DATE.year} 年至 {MAX_DATE.year} 年之间）", "date-out-of-range")
            return None
        return day


def _domain_rules(rec: RawRecord, clean: dict, vocab: Vocab, check: _Checker) -> None:
    """Rules of the programme documents that a type check cannot express."""
    data = rec.data
    if rec.collection == "technologies":
        cls = data.get("management_class")
        if isinstance(cls, str) and cls in vocab.values("technology.prohibited_management_class"):
            # Replace the generic vocabulary message with the reason.
            check.problems[:] = [p for p in check.problems
                                 if not (p.path == rec.path and p.field == "management_class")]
            check.error(("management_class",), "management_class",
                        f"“{cls}”医疗技术不得发布：禁止类技术禁止临床应用（《医疗技术临床应用管理办法》第九条），本门户不收录", "prohibited")
        _entry_rules(clean, cls, vocab, check)
        if clean.get("stage") == "退出" and not clean.get("exit_reason"):
            check.error(("stage",), "exit_reason", "推广阶段为“退出”的技术必须填写 exit_reason（退出原因）", "exit-without-reason")
        due, warehoused = clean.get("review_due"), clean.get("warehoused")
        if due and warehoused and due < warehoused:
            check.error(("review_due",), "review_due", f"评估到期日 {due} 早于入库日期 {warehoused}", "date-order")
    elif rec.collection == "mentors":
        track, tier = clean.get("track"), clean.get("tier")
        if track and tier and track in vocab.values("mentor.tracks"):
            tiers = list(vocab.tiers(track))
            if tier not in tiers:
                check.error(("tier",), "tier",
                            f"层级“{tier}”不属于{track}类传承人{suggest(tier, tiers)}（{track}的层级：{_allowed(tiers)}）", "tier-track")
    elif rec.collection == "policies":
        written, published = clean.get("written"), clean.get("published")
        if written and published and written > published:
            check.error(("written",), "written", f"成文日期 {written} 晚于发布日期 {published}", "date-order")
        effective, expires = clean.get("effective"), clean.get("expires")
        if effective and expires and expires < effective:
            check.error(("expires",), "expires", f"有效期至 {expires} 早于施行日期 {effective}", "date-order")
        if clean.get("comment_deadline") and clean.get("kind") not in (None, "征求意见稿"):
            check.error(("comment_deadline",), "comment_deadline", "只有文种为“征求意见稿”的通知才有意见反馈截止日期", "comment-not-consultation")


_LABELS = {f.name: f.label for f in COLLECTION_BY_NAME["technologies"].fields}


def _entry_rules(clean: dict, cls, vocab: Vocab, check: _Checker) -> None:
    """A warehouse entry is either backed by a source or marked illustrative, and a
    technology managed as clinical research has none (it may not be used clinically)."""
    entry = entry_of(clean)
    if clean.get("entry_example") and clean.get("entry_sources"):
        check.error(("entry_example",), "entry_example",
                    "入库信息不能既标为示例又写有来源（entry_sources）：有来源时删去 entry_example", "example-with-source")
    if not entry:
        return
    if isinstance(cls, str) and cls in vocab.values("technology.research_management_class"):
        check.error((entry[0],), entry[0],
                    f"管理类别为“{cls}”的技术只能按临床研究管理、不得临床应用，不能入库推广："
                    f"删去{'、'.join(_LABELS[n] for n in entry)}", "research-entry")
        return
    if not (clean.get("example") or clean.get("entry_example") or clean.get("entry_sources")):
        check.error((entry[0],), entry[0],
                    f"{'、'.join(_LABELS[n] for n in entry)}没有来源：请在 entry_sources 写明出处（文件、发文字号）；"
                    "演示用的数据请标 entry_example: true，网站会标为示例", "unsourced-entry")


# What each collection may publish. Mentor records describe people: nothing
# personal at all. A technology may name a contact mailbox. An official notice
# may print official contact points (a desk's mobile, a mailbox) and is
# published as issued; the maintainer is told, to check it is official. A
# resident ID number is never a contact point.
PERSONAL_RULES = {
    "technologies": {"id-number": "error", "mobile-number": "error", "email": "warning"},
    "mentors": {"id-number": "error", "mobile-number": "error", "email": "error"},
    "policies": {"id-number": "error", "mobile-number": "warning", "email": "warning"},
}


def _field_at(rec: RawRecord, line: int) -> str:
    """The field written on (or whose text runs through) a line of the file."""
    best, best_at = "record", (0, 0)
    for key, at in rec.lines.items():
        # The last field starting at or before the line; of those on one line, the deepest.
        if key and at <= line and (at, len(key)) >= best_at:
            best, best_at = _dotted(key), (at, len(key))
    return best


def _dotted(key: tuple) -> str:
    out = ""
    for part in key:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _privacy(rec: RawRecord, check: _Checker) -> None:
    rules = PERSONAL_RULES[rec.collection]
    for finding in privacy.find(rec.id):
        # The file name is the page's address: nothing personal, in any collection.
        check.problems.append(Problem(rec.path, 1, "id", f"文件名（记录编号，也是网址）含有{finding.label}（{finding.masked}）："
                                      "请改用技术、人物或通知名称的拼音", finding.kind))
    for kind, line, masked in rec.personal:
        label = privacy.Finding(kind, 0, 0, masked).label
        if rules[kind] == "error":
            check.problems.append(Problem(rec.path, line, _field_at(rec, line),
                                          f"含有{label}（{masked}）：{COLLECTION_BY_NAME[rec.collection].label}记录中不得出现个人{label}", kind))
        else:
            check.problems.append(Problem(rec.path, line, _field_at(rec, line),
                                          f"含有{label}（{masked}）：请确认这是发文机关公开的联系方式，而不是个人的", kind, warning=True))


def _references(records: list[RawRecord], cleaned: dict, problems: list[Problem]) -> None:
    ids = {name: set() for name in COLLECTION_BY_NAME}
    for rec in records:
        ids[rec.collection].add(rec.id)
    for rec in records:
        clean = cleaned[(rec.collection, rec.id)]
        for decl in COLLECTION_BY_NAME[rec.collection].fields:
            if decl.kind == REF:
                targets = [(decl.ref, clean.get(decl.name), (decl.name,), decl.name)]
            elif decl.kind == LIST and decl.item.kind == REF:
                targets = [(decl.item.ref, v, (decl.name, i), f"{decl.name}[{i}]")
                           for i, v in enumerate(clean.get(decl.name) or [])]
            else:
                continue
            for coll, target, key, name in targets:
                if not isinstance(target, str):
                    continue
                if coll == rec.collection and target == rec.id:
                    problems.append(Problem(rec.path, rec.line(*key), name, "记录不能引用自身", "self-reference"))
                elif target not in ids[coll]:
                    problems.append(Problem(rec.path, rec.line(*key), name,
                                            f"找不到{COLLECTION_BY_NAME[coll].label}“{target}”（data/{coll}/{target}.yaml）{suggest(target, ids[coll])}", "unknown-reference"))
    # A chain of successors or replacements must end somewhere.
    for coll, link in (("technologies", "successor"), ("policies", "replaced_by")):
        by_id = {rec.id: rec for rec in records if rec.collection == coll}
        reported = set()
        for start in sorted(by_id):
            seen, current = [], start
            while current in by_id and current not in seen:
                seen.append(current)
                current = cleaned[(coll, current)].get(link)
            cycle = seen[seen.index(current):] if current in seen else []
            # A one-record cycle is a self-reference, reported above.
            if len(cycle) > 1:
                if not reported.intersection(cycle):
                    reported.update(cycle)
                    first = by_id[cycle[0]]
                    problems.append(Problem(first.path, first.line(link), link,
                                            "形成循环引用：" + " → ".join(cycle + [cycle[0]]), "cycle"))


# Dates of something already done (a maintainer checked the facts): one after
# the build date is a typo or a promise, and the page would vouch for a check
# nobody has made. {collection: {field: what the date is}}
_DONE_DATES = {"technologies": {"verified": "核验日期"}}


def _done_dates(records: list[RawRecord], cleaned: dict, today: dt.date, problems: list[Problem]) -> None:
    for rec in records:
        clean = cleaned[(rec.collection, rec.id)]
        for name, label in _DONE_DATES.get(rec.collection, {}).items():
            day = clean.get(name)
            if isinstance(day, dt.date) and day > today:
                problems.append(Problem(rec.path, rec.line(name), name,
                                        f"{label} {day.isoformat()} 晚于统计日期 {today.isoformat()}："
                                        "只填写已经对照信息来源核对过的日期", "date-in-future"))


def validate(records: list[RawRecord], vocab: Vocab, cache: dict | None = None,
             today: dt.date | None = None) -> tuple[dict, list[Problem]]:
    """Check records; returns {(collection, id): typed data} and the problems.

    cache (the preview keeps one per vocabulary): the checks of one record
    alone are kept for the same RawRecord object, which the loader's parse
    cache hands back while its file is unchanged. References between records
    are always checked, and so are dates against the build date (today), which
    the cache outlives.
    """
    problems: list[Problem] = []
    cleaned: dict = {}
    for rec in records:
        hit = cache.get(id(rec)) if cache is not None else None
        if hit is not None and hit[0] is rec:
            clean, found = hit[1], hit[2]
        else:
            found = []
            check = _Checker(rec, vocab, found)
            coll = COLLECTION_BY_NAME[rec.collection]
            clean = check.fields(coll.fields, rec.data, (), "")
            check.hidden_in_lines()
            _domain_rules(rec, clean, vocab, check)
            _privacy(rec, check)
            if cache is not None:
                cache[id(rec)] = (rec, clean, found)
        problems += found
        cleaned[(rec.collection, rec.id)] = clean
    _references(records, cleaned, problems)
    if today is not None:
        _done_dates(records, cleaned, today, problems)
    problems.sort(key=lambda p: (p.path, p.line, p.field))
    return cleaned, problems
