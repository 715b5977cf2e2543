"""Reading input files: regular files only, inside their folder, of bounded size.

A record file is read by every build, so whatever a pull request can put
under `data/` is checked before it is opened: a named pipe would block the
read forever, a device (/dev/zero) never ends, and a symbolic link may point
anywhere on the machine (its target would be published) or nowhere (a loop,
a deleted file). Each of these is a plain error naming the path.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class InputFileError(Exception):
    """A file that cannot be read as input; message is for the maintainer, code for tools."""

    def __init__(self, message: str, code: str = "not-regular-file"):
        super().__init__(message)
        self.message = message
        self.code = code


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "这是一个目录"
    if stat.S_ISFIFO(mode):
        return "这是一个命名管道（FIFO）"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "这是一个设备文件"
    if stat.S_ISSOCK(mode):
        return "这是一个套接字"
    return "这是一个特殊文件"


def check_regular(path: Path, root: Path | None = None, *, st: os.stat_result | None = None,
                  root_label: str = "数据目录") -> os.stat_result:
    """The stat of path's target when it is a regular file (inside root, when given,
    after following links); otherwise InputFileError. `st`: path's lstat, if known."""
    try:
        st = st if st is not None else os.lstat(path)
    except FileNotFoundError:
        raise InputFileError("找不到文件", "missing-file") from None
    except OSError as exc:
        raise InputFileError(f"无法读取（{exc.strerror}）", "unreadable") from None
    if stat.S_ISLNK(st.st_mode):
        try:
            target = Path(path).resolve(strict=True)
        except (OSError, RuntimeError):
            raise InputFileError("不是普通文件：符号链接指向不存在的位置或形成循环") from None
        if root is not None and not target.is_relative_to(Path(root).resolve()):
            raise InputFileError(f"不是普通文件：符号链接指向{root_label}之外（{target}）")
        st = os.stat(target)
    if not stat.S_ISREG(st.st_mode):
        raise InputFileError(f"不是普通文件：{_kind(st.st_mode)}")
    return st


def read_limited(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes.

    Opened without blocking and checked again on the open file, so a file
    swapped for a pipe in the meantime fails instead of hanging, and read no
    further than the limit, so a file whose size the system misreports (files
    under /proc say 0) cannot fill memory.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise InputFileError("找不到文件", "missing-file") from None
    except IsADirectoryError:
        raise InputFileError("不是普通文件：这是一个目录") from None
    except OSError as exc:
        raise InputFileError(f"无法读取（{exc.strerror}）", "unreadable") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InputFileError(f"不是普通文件：{_kind(st.st_mode)}")
        if st.st_size > limit:
            raise InputFileError(too_large(st.st_size, limit), "too-large")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise InputFileError(too_large(size, limit), "too-large")
        return b"".join(chunks)
    except OSError as exc:
        raise InputFileError(f"无法读取（{exc.strerror}）", "unreadable") from None
    finally:
        os.close(fd)


def too_large(size: int, limit: int) -> str:
    return f"文件过大（{size // 1024} KB，上限 {limit // 1000} KB）"
