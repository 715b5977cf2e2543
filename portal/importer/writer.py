"""Imported notices → record files: stable ids, readable YAML, nothing overwritten silently."""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pypinyin import lazy_pinyin

from ..loader import Problem, parse_record
from ..maintain import schema_comment
from ..validate import validate
from ..vocab import Vocab
from .parse import ImportedNotice
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
    words = []
    for part in lazy_pinyin(text, errors=lambda chars: [chars]):
        words += re.findall(r"[a-z0-9]+", part.lower())
    out = ""
    for word in words:
        candidate = f"{out}-{word}" if out else word
        if len(candidate) > MAX_SLUG:
            break
        out = candidate
    return out or "notice"


def base_id(record: dict) -> str:
    year = record.get("published") or record.get("written")
    prefix = f"{year.year}-" if year else ""
    return prefix + slug(_core_title(record.get("title", "")))


class _Dumper(yaml.SafeDumper):
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
    errors: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"找到 {self.found} 篇通知：新写入 {len(self.written)} 篇，更新 {len(self.updated)} 篇，"
               f"跳过 {len(self.skipped)} 篇。"]
        out += [f"写入 {p}" for p in self.written]
        out += [f"更新 {p}" for p in self.updated]
        out += [f"跳过 {p}" for p in self.skipped]
        if self.gaps:
            out.append(f"未能填写或需要核对的字段（{len(self.gaps)} 处）：")
            out += self.gaps
        if self.errors:
            out.append(f"未写入的通知（{len(self.errors)} 篇，导入结果未通过校验）：")
            out += self.errors
        return out


def _identity(record: dict) -> tuple:
    number = record.get("doc_number")
    return ("doc", re.sub(r"\s", "", number)) if number else ("title", squeeze(record.get("title", "")).replace(" ", ""))


def _existing(out_dir: Path) -> dict[tuple, str]:
    """Identity (doc number, else title) → id of the records already in out_dir."""
    found = {}
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for path in sorted(out_dir.glob("*.yaml")):
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
        except (yaml.YAMLError, UnicodeDecodeError):
            continue
        if isinstance(data, dict):
            found.setdefault(_identity(data), path.stem)
    return found


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_notices(notices: list[ImportedNotice], out_dir: Path, vocab: Vocab, *, source: str,
                  update: bool = False) -> Report:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    report = Report(found=len(notices))
    existing = _existing(out_dir)
    taken = {p.stem for p in out_dir.glob("*.yaml")}
    claimed: set[str] = set()
    for notice in notices:
        for gap in notice.gaps:
            report.gaps.append(str(Problem(source, gap.line, gap.field, gap.message)))
        identity = _identity(notice.record)
        record_id = existing.get(identity)
        if record_id is None:
            record_id = base_id(notice.record)
            n = 2
            while record_id in taken or record_id in claimed:
                record_id = f"{base_id(notice.record)}-{n}"
                n += 1
        if record_id in claimed:
            report.skipped.append(f"{source}:{notice.line}：与同一文件中的另一篇通知重复")
            continue
        claimed.add(record_id)
        path = out_dir / f"{record_id}.yaml"
        text = dump(notice.record, f"{Path(source).name}，第 {notice.line} 行")
        raw, problems = parse_record(text, str(path), "policies", record_id)
        if raw is not None:
            _, found = validate([raw], vocab)
            problems += found
        if problems:
            report.errors += [f"{source}:{notice.line}: {p.field}: {p.message}" for p in problems]
            continue
        if path.exists():
            if not update:
                report.skipped.append(f"{path}：已存在（使用 --update 覆盖）")
                continue
            if path.read_text(encoding="utf-8") == text:
                report.skipped.append(f"{path}：内容未变")
                continue
            _write_atomic(path, text)
            report.updated.append(str(path))
        else:
            _write_atomic(path, text)
            report.written.append(str(path))
    return report
