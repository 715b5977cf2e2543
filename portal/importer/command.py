"""`portal import compilation|notice FILE`: read the text, split it, write the records.

A refusal is one line `path: message [code]` on stderr, or one line
`path:line: field: message [code]` per record in --out that cannot be read.
Exit status 2 when an argument cannot work (--out is a file, read-only, cannot
be listed, or holds a record the import cannot read: checked before the input
is read, and nothing is written), 1 when the input file or the writing fails.
Nothing printed holds a personal number in full.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..files import InputFileError, check_regular, read_limited

# The real monthly compilation (36 notices over some 120 pages) is about 650 KB
# of text; a file many times larger is not one, and is not read into memory.
MAX_INPUT_BYTES = 5_000_000


class _Refusal(Exception):
    def __init__(self, path, message: str, code: str, status: int = 1, *, lines: list[str] | None = None):
        super().__init__(message)
        self.lines = lines if lines is not None else [f"{path}: {message} [{code}]"]
        self.status = status


# Records in --out that cannot be read are each named, up to this many; the rest are counted.
LISTED_UNREADABLE = 20


def run_import(args) -> int:
    from .personal import shown

    try:
        notices, vocab, existing = _read(args)
        report = _write(args, notices, vocab, existing)
    except _Refusal as exc:
        for line in exc.lines:
            print(shown(line), file=sys.stderr)
        return exc.status
    for line in report.lines():
        print(line)
    if report.fatal:
        print(shown(report.fatal), file=sys.stderr)
    return 1 if report.errors or report.fatal else 0


def _read(args):
    from ..vocab import Vocab, VocabError
    from .outdir import OutDirError, UnreadableRecords, check_existing, check_out_dir
    from .parse import ImportFormatError, import_compilation, import_notice

    path = Path(args.file)
    try:
        check_out_dir(Path(args.out))
        existing = check_existing(Path(args.out))
    except OutDirError as exc:
        raise _Refusal(exc.path, exc.message, exc.code, status=2) from None
    except UnreadableRecords as exc:
        raise _unreadable(exc, Path(args.out)) from None
    text = _input_text(path)
    try:
        vocab = Vocab.load(Path(args.data) / "vocab.yaml")
    except VocabError as exc:
        raise _Refusal(exc.problem.path, exc.problem.message, exc.problem.code or "bad-vocabulary") from None
    try:
        if args.what == "compilation":
            return import_compilation(text, vocab, name=path.stem), vocab, existing
        return [import_notice(text, vocab, name=path.stem)], vocab, existing
    except ImportFormatError as exc:
        raise _Refusal(path, str(exc), exc.code) from None


def _input_text(path: Path) -> str:
    """The input file's text: a regular file (a pipe or a device is refused, not read), UTF-8, not too large."""
    try:
        check_regular(path)
        data = read_limited(path, MAX_INPUT_BYTES)
    except InputFileError as exc:
        message = exc.message
        if exc.code == "too-large":
            message += "：一份月度汇编通常不到 1 MB，请检查是否选错了文件"
        raise _Refusal(path, message, exc.code) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _Refusal(path, f"文件不是 UTF-8 编码的文本（第 {exc.start} 字节）：请另存为 UTF-8", "not-utf8") from None


def _unreadable(exc, out: Path) -> _Refusal:
    """The refusal for records in --out the import cannot read: each named, with its line."""
    problems = exc.problems
    lines = [str(p) for p in problems[:LISTED_UNREADABLE]]
    if len(problems) > LISTED_UNREADABLE:
        lines.append(f"{out}: 另有 {len(problems) - LISTED_UNREADABLE} 个已有记录无法读取 [unreadable-record]")
    return _Refusal(out, problems[0].message, problems[0].code, status=2, lines=lines)


def _write(args, notices, vocab, existing):
    from .writer import write_notices

    return write_notices(notices, Path(args.out), vocab, source=str(args.file), update=args.update,
                         existing=existing)
