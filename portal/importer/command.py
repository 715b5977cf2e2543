"""`portal import compilation|notice FILE`: read the text, split it, write the records.

Every refusal is one line `path: message [code]` on stderr: exit status 2 when
an argument cannot work (--out is a file, or read-only), 1 when the input file
or the writing fails. Nothing printed holds a personal number in full.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..files import InputFileError, check_regular, read_limited

# The real monthly compilation (36 notices over some 120 pages) is about 650 KB
# of text; a file many times larger is not one, and is not read into memory.
MAX_INPUT_BYTES = 5_000_000


class _Refusal(Exception):
    def __init__(self, path, message: str, code: str, status: int = 1):
        super().__init__(message)
        self.line = f"{path}: {message} [{code}]"
        self.status = status


def run_import(args) -> int:
    from .personal import shown

    try:
        notices, vocab = _read(args)
        report = _write(args, notices, vocab)
    except _Refusal as exc:
        print(shown(exc.line), file=sys.stderr)
        return exc.status
    for line in report.lines():
        print(line)
    if report.fatal:
        print(shown(report.fatal), file=sys.stderr)
    return 1 if report.errors or report.fatal else 0


def _read(args):
    from ..vocab import Vocab, VocabError
    from .outdir import OutDirError, check_out_dir
    from .parse import ImportFormatError, import_compilation, import_notice

    path = Path(args.file)
    try:
        check_out_dir(Path(args.out))
    except OutDirError as exc:
        raise _Refusal(exc.path, exc.message, exc.code, status=2) from None
    text = _input_text(path)
    try:
        vocab = Vocab.load(Path(args.data) / "vocab.yaml")
    except VocabError as exc:
        raise _Refusal(exc.problem.path, exc.problem.message, exc.problem.code or "bad-vocabulary") from None
    try:
        if args.what == "compilation":
            return import_compilation(text, vocab, name=path.stem), vocab
        return [import_notice(text, vocab, name=path.stem)], vocab
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


def _write(args, notices, vocab):
    from .writer import write_notices

    return write_notices(notices, Path(args.out), vocab, source=str(args.file), update=args.update)
