"""`portal import compilation|notice FILE`: read the text, split it, write the records."""

from __future__ import annotations

import sys
from pathlib import Path


def run_import(args) -> int:
    from ..vocab import Vocab, VocabError
    from .parse import ImportFormatError, import_compilation, import_notice
    from .writer import write_notices

    path = Path(args.file)
    try:
        vocab = Vocab.load(Path(args.data) / "vocab.yaml")
    except VocabError as exc:
        print(exc, file=sys.stderr)
        return 1
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        print(f"{path}: 找不到文件", file=sys.stderr)
        return 1
    except IsADirectoryError:
        print(f"{path}: 这是一个目录，请给出文本文件", file=sys.stderr)
        return 1
    except UnicodeDecodeError as exc:
        print(f"{path}:1: encoding: 文件不是 UTF-8 编码的文本（第 {exc.start} 字节）", file=sys.stderr)
        return 1
    try:
        if args.what == "compilation":
            notices = import_compilation(text, vocab, name=path.stem)
        else:
            notices = [import_notice(text, vocab, name=path.stem)]
    except ImportFormatError as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        return 1
    report = write_notices(notices, Path(args.out), vocab, source=str(path), update=args.update)
    for line in report.lines():
        print(line)
    return 1 if report.errors else 0
