"""Imported notices → record files: stable ids, readable YAML, nothing overwritten silently."""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .. import privacy, routes
from ..files import InputFileError, read_limited
from ..loader import MAX_BYTES, parse_record
from ..problems import Problem
from ..outputs.schemas import schema_comment
from ..validate import validate
from ..vocab import Vocab
from .outdir import Existing, UnreadableRecords, check_existing, identity
from .parse import ImportedNotice
from .personal import LABELS, Personal, scan_text, shown
from .text import squeeze

MAX_SLUG = 56


def _core_title(title: str) -> str:
    """The words that name a notice: without issuers, 关于/印发 and the closing 的通知."""
    text = squeeze(title).replace(" ", "")
    about = text.find("关于")
    if 0 <= about <= 40:
        text = text[about + 2:]
    quoted = re.search(r"(?:印发|转发|发布|公布)《(.+?)》", text)
    if quoted:
        text = quoted.group(1)
    text = re.sub(r"^(?:印发|转发|发布|公布)", "", text)
    text = re.sub(r"的(?:通知|意见|函|公告|通告|批复|通报|决定)$", "", text)
    text = re.sub(r"[（(][^）)]*[）)]", "", text)
    # The id starts with the year already.
    text = re.sub(r"^\d{4}年度?", "", text)
    return text or squeeze(title)


def slug(text: str) -> str:
    """The address words of a title (routes.slug), as many whole words as fit MAX_SLUG."""
    out = ""
    for word in [w for w in routes.slug(text).split("-") if w]:
        candidate = f"{out}-{word}" if out else word
        if len(candidate) > MAX_SLUG:
            break
        out = candidate
    return out or "notice"


def base_id(record: dict) -> str:
    year = record.get("published") or record.get("written")
    prefix = f"{year.year}-" if year else ""
    return prefix + _impersonal(slug(_core_title(record.get("title", ""))))


def _impersonal(text: str) -> str:
    """A slug without the digits of a phone number a title may print: the id is the page's address."""
    for finding in reversed(privacy.find(text)):
        text = text[:finding.start] + text[finding.end:]
    return re.sub(r"-{2,}", "-", text).strip("-") or "notice"


# libyaml's emitter when installed: the same text (checked on the reference
# compilation) some five times faster, which matters for a notice with
# thousands of attachments or deadlines.
class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    def ignore_aliases(self, data):
        # Two fields holding the same date must both be written out, not as &id/*id.
        return True


def _str(dumper, value: str):
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


def dump(record: dict, origin: str) -> str:
    body = dict(record)
    if body.get("body"):
        # Block scalars cannot hold trailing spaces; PDF text has plenty.
        body["body"] = "\n".join(line.rstrip() for line in body["body"].splitlines()) + "\n"
    text = yaml.dump(body, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)
    return f"{schema_comment('policies')}# 政策通知：{record.get('title', '')}\n# 导入自：{origin}\n{text}"


@dataclass
class Report:
    found: int = 0
    written: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)   # written, but to be checked
    errors: list[str] = field(default_factory=list)
    # Why writing stopped (the output directory failed), as one `path: message [code]` line.
    fatal: str | None = None

    def lines(self) -> list[str]:
        out = [f"找到 {self.found} 篇通知：新写入 {len(self.written)} 篇，更新 {len(self.updated)} 篇，"
               f"跳过 {len(self.skipped)} 篇。"]
        out += [f"写入 {p}" for p in self.written]
        out += [f"更新 {p}" for p in self.updated]
        out += [f"跳过 {p}" for p in self.skipped]
        if self.gaps:
            out.append(f"未能填写或需要核对的字段（{len(self.gaps)} 处）：")
            out += self.gaps
        if self.warnings:
            out.append(f"提醒（{len(self.warnings)} 处，通知已照常写入，请核对）：")
            out += self.warnings
        if self.errors:
            out.append(f"未写入的通知（{len(self.errors)} 处问题）：")
            out += self.errors
        # Whatever a notice held, nothing personal is printed in full, and no line runs on for pages.
        return [shown(line) for line in out]


class OutputError(Exception):
    """A record file could not be written."""


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _same_notice_keys(record: dict) -> tuple[list[tuple], list[tuple]]:
    """(keys to look up, keys to remember) that make two notices of one run the same notice.

    The same doc number is the same notice; so are the same title and published
    date, unless both notices carry doc numbers and they differ.
    """
    number = re.sub(r"\s", "", record.get("doc_number") or "")
    title = squeeze(record.get("title") or "").replace(" ", "")
    dated = (title, str(record["published"])) if title and record.get("published") else None
    if number:
        look = [("doc", number)] + ([("dated-without-number", *dated)] if dated else [])
        keep = [("doc", number)] + ([("dated", *dated)] if dated else [])
    else:
        look = [("dated", *dated)] if dated else []
        keep = look + ([("dated-without-number", *dated)] if dated else [])
    return look, keep


class _Ids:
    """New record ids: base, base-2, base-3, … avoiding every name taken.

    Remembers how far each base got, so a thousand notices with one title
    cost a thousand steps, not half a million.
    """

    def __init__(self, taken: set[str]):
        self.taken = set(taken)
        self.next: dict[str, int] = {}

    def new(self, base: str) -> str:
        n = self.next.get(base, 1)
        candidate = base if n == 1 else f"{base}-{n}"
        while candidate in self.taken:
            n += 1
            candidate = f"{base}-{n}"
        self.next[base] = n + 1
        self.taken.add(candidate)
        return candidate


# Personal numbers the importer reports itself, from the source lines.
_PERSONAL_CODES = frozenset(LABELS)
# A notice with more contact numbers than this is not a notice (and validating
# one with tens of thousands of them would take minutes).
MAX_PERSONAL = 1000


class _Writer:
    def __init__(self, out_dir: Path, vocab: Vocab, source: str, update: bool, existing: Existing):
        self.out_dir, self.vocab, self.source, self.update = out_dir, vocab, source, update
        self.report = Report()
        self.existing = existing.ids
        self.ids = _Ids(existing.taken)
        self.seen: dict[tuple, int] = {}       # same-notice key → line of the first notice
        self.claimed: dict[str, int] = {}      # record id → line of the notice that took it

    def add(self, notice: ImportedNotice) -> None:
        first = self._first_of(notice)
        if first is not None:
            self.report.skipped.append(f"{self.source}:{notice.line}：与第 {first} 行的通知重复，只写入一次")
            return
        for gap in notice.gaps:
            self.report.gaps.append(str(Problem(self.source, gap.line, gap.field, gap.message)))
        if notice.refusals:
            self.report.errors += [str(Problem(self.source, r.line, r.field, r.message, code="too-long"))
                                   for r in notice.refusals]
            return
        record_id = self.existing.get(identity(notice.record))
        if record_id is None:
            record_id = self.ids.new(base_id(notice.record))
        if record_id in self.claimed:
            self.report.skipped.append(f"{self.source}:{notice.line}：与第 {self.claimed[record_id]} 行的通知对应同一条已有记录 {record_id}")
            return
        self.claimed[record_id] = notice.line
        path = self.out_dir / f"{record_id}.yaml"
        text = dump(notice.record, f"{Path(self.source).name}，第 {notice.line} 行")
        if self._personal(notice, text) and self._valid(notice, text, path, record_id):
            self._save(path, text)

    def _first_of(self, notice: ImportedNotice) -> int | None:
        """Line of an earlier notice of this run that is the same notice, or None (and remember this one)."""
        look, keep = _same_notice_keys(notice.record)
        for key in look:
            if key in self.seen:
                return self.seen[key]
        for key in keep:
            self.seen.setdefault(key, notice.line)
        return None

    def _personal(self, notice: ImportedNotice, text: str) -> bool:
        """Report personal numbers; False if the notice must not be written."""
        in_record = scan_text(text) if len(notice.personal) <= MAX_PERSONAL else []
        most = max(len(notice.personal), len(in_record))
        if most > MAX_PERSONAL:
            self.report.errors.append(str(Problem(
                self.source, notice.line, "personal",
                f"含有 {most} 处手机号码、电子邮箱地址或身份证号（上限 {MAX_PERSONAL} 处）：这不像一篇通知，不写入",
                code="too-many-contacts")))
            return False
        found = list(dict.fromkeys(notice.personal))
        known = {(p.kind, p.masked) for p in found}
        # Numbers the import joined from two lines are only whole in the record.
        found += list(dict.fromkeys(Personal(p.kind, notice.line, p.masked) for p in in_record
                                    if (p.kind, p.masked) not in known))
        ids = [p for p in found if p.kind == "id-number"]
        if ids:
            self.report.errors += self._listed(ids, "这篇通知不写入，请删去后重新导入", warning=False)
            return False
        self.report.warnings += self._listed(found, "请确认这是发文机关公开的联系方式，而不是个人的", warning=True)
        return True

    # Each number is listed up to this many times per notice; the rest are counted.
    LISTED = 20

    def _listed(self, found: list[Personal], advice: str, *, warning: bool) -> list[str]:
        lines = [str(Problem(self.source, p.line, "personal", f"含有{p.label}（{p.masked}）：{advice}", code=p.kind, warning=warning))
                 for p in found[:self.LISTED]]
        if len(found) > self.LISTED:
            rest = found[self.LISTED:]
            lines.append(str(Problem(self.source, rest[0].line, "personal", f"另有 {len(rest)} 处同类信息（第 {rest[0].line}–{rest[-1].line} 行）：{advice}",
                                     code=_common_kind(rest), warning=warning)))
        return lines

    def _valid(self, notice: ImportedNotice, text: str, path: Path, record_id: str) -> bool:
        raw, problems = parse_record(text, str(path), "policies", record_id)
        if raw is not None:
            _, found = validate([raw], self.vocab)
            problems += found
        # Contact numbers were reported above with their line in the source; what
        # validation still refuses (an ID number the YAML escaped) keeps the notice out.
        problems = [p for p in problems if not (p.code in _PERSONAL_CODES and p.warning)]
        errors = [p for p in problems if not p.warning]
        self.report.warnings += [f"{self.source}:{notice.line}: {p.field}: 提醒：{_brief(p.message)}" for p in problems if p.warning]
        self.report.errors += [f"{self.source}:{notice.line}: {p.field}: {_brief(p.message)}" for p in errors]
        return not errors

    def _save(self, path: Path, text: str) -> None:
        try:
            if path.exists() or path.is_symlink():
                if not self.update:
                    self.report.skipped.append(f"{path}：已存在（使用 --update 覆盖）")
                    return
                if _current_text(path) == text:
                    self.report.skipped.append(f"{path}：内容未变")
                    return
                _write_atomic(path, text)
                self.report.updated.append(str(path))
            else:
                self.out_dir.mkdir(parents=True, exist_ok=True)
                _write_atomic(path, text)
                self.report.written.append(str(path))
        except OSError as exc:
            raise OutputError(f"{path}: 无法写入（{exc.strerror or exc}） [out-unwritable]") from None


def _current_text(path: Path) -> str | None:
    try:
        return read_limited(path, MAX_BYTES).decode("utf-8")
    except (InputFileError, UnicodeDecodeError):
        return None


def _brief(message: str, limit: int = 300) -> str:
    return message if len(message) <= limit else message[:limit] + "…"


def write_notices(notices: list[ImportedNotice], out_dir: Path, vocab: Vocab, *, source: str,
                  update: bool = False, existing: Existing | None = None) -> Report:
    """Write the notices as records in out_dir; everything done or not done is in the report.

    `existing`: out_dir's records as outdir.check_existing read them (read here if not given).
    A record there that cannot be read raises outdir.UnreadableRecords (a
    directory that cannot be listed, outdir.OutDirError) before anything is
    written. Writing stops at the first file the directory refuses (report.fatal).
    """
    if existing is None:
        existing = check_existing(Path(out_dir))
    elif existing.problems:
        raise UnreadableRecords(existing.problems)
    writer = _Writer(Path(out_dir), vocab, source, update, existing)
    writer.report.found = len(notices)
    for notice in notices:
        try:
            writer.add(notice)
        except OutputError as exc:
            writer.report.fatal = str(exc)
            break
    return writer.report


def _common_kind(found: list[Personal]) -> str:
    kinds = {p.kind for p in found}
    return kinds.pop() if len(kinds) == 1 else "personal-data"
