"""`portal import` against hostile inputs and output directories (issue 16: nothing lost,
nothing written outside, nothing hangs).

Every case runs the real command in a subprocess with a timeout, and checks the
exit status, a one-line `path: message [code]` on stderr (never a traceback),
the time taken, and a fingerprint of the temporary tree before and after: a
refusal changes nothing at all, an import changes nothing outside --out.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import ROOT
from portal import privacy

# A hang shows as a timeout, not as a suite that never ends.
TIMEOUT = 60
# Every case below took seconds to minutes, or hung, before the fix; now each takes about a second.
QUICK = 15.0


def portal(*args, cwd=ROOT) -> tuple[subprocess.CompletedProcess, float]:
    """conftest.run_portal with a short timeout, and the time it took."""
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    start = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "portal", *args], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=TIMEOUT)
    return result, time.monotonic() - start


def fingerprint(root: Path, skip: Path | None = None) -> dict[str, tuple]:
    """Path → (type, content hash or link target, permissions) of everything under root
    (minus `skip`), read without following links or opening anything but regular files."""
    out = {}
    for directory, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(directory) / name
            if skip is not None and (path == skip or skip in path.parents):
                continue
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                entry = ("link", os.readlink(path))
            elif stat.S_ISREG(st.st_mode):
                try:
                    entry = ("file", hashlib.sha256(path.read_bytes()).hexdigest())
                except PermissionError:  # a record the test made unreadable: its size stands in
                    entry = ("file", f"unreadable, {st.st_size} bytes")
            else:
                entry = (stat.S_IFMT(st.st_mode), "")
            out[str(path.relative_to(root))] = entry + (stat.S_IMODE(st.st_mode),)
    return out


def assert_refused(result, took: float, path, code: str, status: int = 1) -> None:
    assert result.returncode == status, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert re.fullmatch(rf"{re.escape(str(path))}: \S.* \[{re.escape(code)}\]", lines[0]), lines[0]
    assert took < QUICK, took


def notice(title: str, number: str = "", published: str = "2024年3月2日", body: str = "正文。") -> str:
    return textwrap.dedent(f"""\
        发文机关：国家卫生健康委
        成文日期：2024年3月1日
        标题：{title}
        发文字号：{number}
        发布日期：{published}
        类别：医疗政策

        {title}
        各省卫生健康委：
        {body}
        国家卫生健康委
        2024年3月1日

        """)


COVER = "全国医药政策 月度汇编\n2024年第03期\n\n"
COMPILATION = COVER + notice("关于第一件事的通知", "国卫医发〔2024〕1号") + notice("关于第二件事的通知")
IDS = {"2024-di-yi-jian-shi.yaml", "2024-di-er-jian-shi.yaml"}


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line containing needle."""
    hits = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    return hits[occurrence - 1]


@pytest.fixture
def source(tmp_path) -> Path:
    path = tmp_path / "compilation.txt"
    path.write_text(COMPILATION, encoding="utf-8")
    return path


# ------------------------------------------------------------------ the input file

def test_a_named_pipe_is_refused_not_read(tmp_path):
    fifo = tmp_path / "compilation.txt"
    os.mkfifo(fifo)
    before = fingerprint(tmp_path)
    result, took = portal("import", "compilation", str(fifo), "--out", str(tmp_path / "out"))
    assert_refused(result, took, fifo, "not-regular-file")
    assert fingerprint(tmp_path) == before


@pytest.mark.parametrize("via_link", [False, True], ids=["device", "link-to-device"])
def test_dev_zero_is_refused_not_read_forever(tmp_path, via_link):
    path = Path("/dev/zero")
    if via_link:
        path = tmp_path / "notice.txt"
        path.symlink_to("/dev/zero")
    before = fingerprint(tmp_path)
    result, took = portal("import", "notice", str(path), "--out", str(tmp_path / "out"))
    assert_refused(result, took, path, "not-regular-file")
    assert fingerprint(tmp_path) == before


@pytest.mark.parametrize("target", ["missing.txt", "loop.txt"], ids=["dangling", "loop"])
def test_a_broken_link_is_an_error(tmp_path, target):
    link = tmp_path / "loop.txt"
    link.symlink_to(tmp_path / target)
    before = fingerprint(tmp_path)
    result, took = portal("import", "compilation", str(link), "--out", str(tmp_path / "out"))
    assert_refused(result, took, link, "not-regular-file")
    assert fingerprint(tmp_path) == before


def test_an_oversized_input_is_refused_naming_the_limit(tmp_path):
    big = tmp_path / "compilation.txt"
    with big.open("wb") as fh:  # sparse: the size is what counts
        fh.truncate(5_000_001)
    before = fingerprint(tmp_path)
    result, took = portal("import", "compilation", str(big), "--out", str(tmp_path / "out"))
    assert_refused(result, took, big, "too-large")
    assert "上限 5000 KB" in result.stderr
    assert fingerprint(tmp_path) == before


# ------------------------------------------------------------------ bounded work

def _copies(n: int, make) -> str:
    return COVER + "".join(make(i) for i in range(n))


def _import_large(tmp_path, text: str):
    path = tmp_path / "compilation.txt"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    before = fingerprint(tmp_path, skip=out)
    result, took = portal("import", "compilation", str(path), "--out", str(out))
    assert "Traceback" not in result.stderr, result.stderr
    assert fingerprint(tmp_path, skip=out) == before
    return result, took, out


def test_a_megabyte_of_one_notice_repeated_is_one_record_in_seconds(tmp_path):
    one = notice("关于开展儿童参加基本医疗保险专项行动的通知", "医保办函〔2024〕14号", body="各级医保部门要加强部门联动。" * 30)
    text = _copies(1_000_000 // len(one.encode()), lambda i: one)
    result, took, out = _import_large(tmp_path, text)
    assert result.returncode == 0, result.stderr
    assert [p.name for p in out.iterdir()] == ["2024-kai-zhan-er-tong-can-jia-ji-ben-yi-liao-bao-xian-zhuan.yaml"]
    first, second = line_of(text, "发文机关"), line_of(text, "发文机关", 2)
    assert f"compilation.txt:{second}：与第 {first} 行的通知重复" in result.stdout
    assert took < QUICK, took  # 236 s before ids were assigned in linear time


def test_a_megabyte_of_notices_with_one_title_gets_ids_in_linear_time(tmp_path):
    title = "关于开展儿童参加基本医疗保险专项行动的通知"
    size = len(notice(title, "医保办函〔2024〕1000号", body="各级医保部门要加强部门联动。" * 20).encode())
    count = 1_000_000 // size
    text = _copies(count, lambda i: notice(title, f"医保办函〔2024〕{i + 1000}号", body="各级医保部门要加强部门联动。" * 20))
    result, took, out = _import_large(tmp_path, text)
    assert result.returncode == 0, result.stderr
    names = {p.name for p in out.iterdir()}
    base = "2024-kai-zhan-er-tong-can-jia-ji-ben-yi-liao-bao-xian-zhuan"
    assert names == {f"{base}.yaml"} | {f"{base}-{n}.yaml" for n in range(2, count + 1)}
    assert took < QUICK, took  # 216 s before


def _metadata_run() -> str:
    # One label line, then label and plain lines alternating for a megabyte: every line
    # continued the block, every line looked at all the lines after it, and every label
    # line started the same block again.
    return COVER + notice("关于第一件事的通知") + "标题：x\n继续\n没有标签的行\n" * 30_000


def _one_paragraph() -> str:
    # Sixty thousand lines PDF extraction broke out of one sentence: rejoined by adding
    # to an ever longer string, and searching it from the start each time.
    return COVER + notice("关于第一件事的通知", body="这是一个很长很长的没有标点的句子的一部分\n" * 16_000)


def _long_contents() -> str:
    # A table of contents of thousands of entries, none quite like the titles, each compared with each.
    contents = "目录\n" + "".join(f"- {i % 900 + 1} 关于第{i}件事情的相关工作安排的通知\n" for i in range(3_000))
    notices = "".join(notice(f"关于第{i}件事情的相关工作的通知", f"国卫医发〔2024〕{i + 1}号", body="正文。" * 60)
                      for i in range(1_600))
    return COVER + contents + "\n" + notices


@pytest.mark.parametrize("make", [_metadata_run, _one_paragraph, _long_contents],
                         ids=["metadata-continued", "one-paragraph", "long-contents"])
def test_a_megabyte_of_pathological_lines_imports_in_seconds(tmp_path, make):
    text = make()
    assert len(text.encode()) > 700_000
    result, took, out = _import_large(tmp_path, text)
    assert result.returncode in (0, 1), result.stderr
    assert result.stdout.startswith("找到 "), result.stdout[:200]
    assert took < QUICK, took


# ------------------------------------------------------------------ never duplicate

def test_the_same_notice_twice_is_written_once(tmp_path):
    text = (COVER
            + notice("关于第一件事的通知", "国卫医发〔2024〕1号")
            + notice("关于第二件事的通知")
            + notice("关于第一件事的通知（重印）", "国卫医发〔2024〕1号")     # same doc number
            + notice("关于第二件事的通知")                                     # same title and date
            + notice("关于第二件事的通知", published="2024年5月6日"))          # another notice
    path = tmp_path / "compilation.txt"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result, took = portal("import", "compilation", str(path), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert {p.name for p in out.iterdir()} == IDS | {"2024-di-er-jian-shi-2.yaml"}
    starts = [n for n, line in enumerate(text.splitlines(), 1) if line.startswith("发文机关")]
    duplicates = [line for line in result.stdout.splitlines() if "重复" in line]
    assert duplicates == [f"跳过 {path}:{starts[2]}：与第 {starts[0]} 行的通知重复，只写入一次",
                          f"跳过 {path}:{starts[3]}：与第 {starts[1]} 行的通知重复，只写入一次"]
    assert "找到 5 篇通知：新写入 3 篇，更新 0 篇，跳过 2 篇。" in result.stdout
    assert took < QUICK


# ------------------------------------------------------------------ --out

def test_out_that_is_a_file_is_refused(tmp_path, source):
    out = tmp_path / "policies"
    out.write_text("not a directory\n", encoding="utf-8")
    before = fingerprint(tmp_path)
    result, took = portal("import", "compilation", str(source), "--out", str(out))
    assert_refused(result, took, out, "out-not-directory", status=2)
    assert fingerprint(tmp_path) == before


def test_out_below_a_file_is_refused(tmp_path, source):
    out = tmp_path / "compilation.txt" / "policies"
    before = fingerprint(tmp_path)
    result, took = portal("import", "compilation", str(source), "--out", str(out))
    assert_refused(result, took, out, "out-not-directory", status=2)
    assert fingerprint(tmp_path) == before


def _read_only_run(tmp_path, out: Path, *args) -> tuple[subprocess.CompletedProcess, float]:
    """The command with out read-only. Permissions do not bind root, so as root
    out is bind-mounted read-only in a mount namespace of its own instead."""
    if os.geteuid() != 0:
        mode = stat.S_IMODE(out.stat().st_mode)
        out.chmod(0o555)
        try:
            return portal(*args)
        finally:
            out.chmod(mode)
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("running as root, where permissions are not enforced, and without unshare(1) for a read-only mount")
    script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 99; shift; exec "$@"'
    command = [unshare, "--user", "--map-root-user", "--mount", "sh", "-c", script, "sh", str(out),
               sys.executable, "-m", "portal", *args]
    start = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT)
    if result.returncode == 99 or "unshare:" in result.stderr:
        pytest.skip(f"running as root, where permissions are not enforced, and no read-only mount here: {result.stderr.strip()}")
    return result, time.monotonic() - start


def test_read_only_out_is_refused(tmp_path, source):
    out = tmp_path / "policies"
    out.mkdir()
    (out / "kept.yaml").write_text("title: 已有记录\n", encoding="utf-8")
    before = fingerprint(tmp_path)
    result, took = _read_only_run(tmp_path, out, "import", "compilation", str(source), "--out", str(out))
    assert_refused(result, took, out, "out-read-only", status=2)
    assert fingerprint(tmp_path) == before


def _alias_bomb() -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, 9):
        lines.append(f"{chr(97 + n)}: &{chr(97 + n)} [{', '.join(['*' + chr(96 + n)] * 9)}]")
    return "\n".join(lines) + "\ntitle: *i\n"


def _link_outside(path: Path) -> None:
    """A link to a readable record outside --out."""
    target = path.parent.parent / "outside" / "target.yaml"
    target.write_text("title: 关于第一件事的通知\n", encoding="utf-8")
    path.symlink_to(target)


def _no_permission(path: Path) -> None:
    path.write_text("title: 关于第一件事的通知\n", encoding="utf-8")
    path.chmod(0)


BAD_RECORDS = {
    "numeric-doc-number": lambda p: p.write_text("title: 关于第二件事的通知\ndoc_number: 12345\n", encoding="utf-8"),
    "list-title": lambda p: p.write_text("title: [关于, 通知]\n", encoding="utf-8"),
    "bad-yaml": lambda p: p.write_text("title: 关于第一件事的通知\ndoc_number: [国卫医发\nregion: 全国\n", encoding="utf-8"),
    "empty": lambda p: p.write_text("", encoding="utf-8"),
    "alias-bomb": lambda p: p.write_text(_alias_bomb(), encoding="utf-8"),
    "dangling-link": lambda p: p.symlink_to(p.parent.parent / "outside" / "target.yaml"),
    "link-outside": lambda p: _link_outside(p),
    "directory": lambda p: p.mkdir(),
    "fifo": lambda p: os.mkfifo(p),
    "not-utf8": lambda p: p.write_bytes("title: 关于第一件事的通知\n".encode("gb18030")),
    "no-permission": lambda p: _no_permission(p),
}
# Where and why the import refuses each: (line, field, code). A record with a numeric
# doc number is read, and its title names it.
REFUSED = {"list-title": (1, "record", "unreadable-record"), "bad-yaml": (3, "yaml", "yaml-syntax"),
           "empty": (1, "record", "empty-file"), "alias-bomb": (1, "yaml", "yaml-alias"),
           "dangling-link": (1, "record", "not-regular-file"), "link-outside": (1, "record", "not-regular-file"),
           "directory": (1, "record", "not-regular-file"), "fifo": (1, "record", "not-regular-file"),
           "not-utf8": (1, "encoding", "not-utf8"), "no-permission": (1, "file", "unreadable")}


def _bad_out(tmp_path: Path, kind: str) -> tuple[Path, Path]:
    """--out holding one record of the given kind, named as the import's first record would be
    (the pipe is x.yaml: reading it at all would block)."""
    out = tmp_path / "policies"
    out.mkdir()
    (tmp_path / "outside").mkdir()
    bad = out / ("x.yaml" if kind == "fifo" else "2024-di-yi-jian-shi.yaml")
    BAD_RECORDS[kind](bad)
    return out, bad


@pytest.mark.parametrize("kind", list(BAD_RECORDS))
def test_out_holding_a_record_the_import_cannot_read_is_refused_and_nothing_written(tmp_path, source, kind):
    """Issue 18: a record in --out that cannot be read stops the import, named with its line;
    it used to be skipped with a note, and the notice written again beside it as x-2.yaml."""
    if kind == "no-permission" and os.geteuid() == 0:
        pytest.skip("running as root, where a file without read permission is still read")
    out, bad = _bad_out(tmp_path, kind)
    before = fingerprint(tmp_path)
    result, took = portal("import", "compilation", str(source), "--out", str(out))
    assert "Traceback" not in result.stderr, result.stderr
    assert took < QUICK, took
    if kind == "numeric-doc-number":
        # Read: the second notice by its title, reported as existing, not written again.
        assert result.returncode == 0, result.stderr
        assert f"{bad}：已存在（使用 --update 覆盖）" in result.stdout
        # The first notice (by its doc number) is another notice: written beside it.
        assert set(fingerprint(out)) == {bad.name, "2024-di-yi-jian-shi-2.yaml"}
        return
    assert result.returncode == 2, (result.returncode, result.stderr)
    line, field, code = REFUSED[kind]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert re.fullmatch(rf"{re.escape(str(bad))}:{line}: {field}: 已有记录\S+：.*"
                        rf"请修复或移走这个文件后重新导入（未写入任何记录） \[{re.escape(code)}\]", lines[0]), lines[0]
    assert result.stdout == ""
    # Nothing written, nothing created, nothing changed: not beside the record, not anywhere.
    assert fingerprint(tmp_path) == before


def test_every_unreadable_record_is_named_and_update_is_refused_too(tmp_path, source):
    out = tmp_path / "policies"
    out.mkdir()
    (out / "2024-di-er-jian-shi.yaml").write_text("title: 关于第二件事的通知\n", encoding="utf-8")
    broken = [out / f"broken-{n:02}.yaml" for n in range(25)]
    for path in broken:
        path.write_text("title: [\n", encoding="utf-8")
    before = fingerprint(tmp_path)
    result, took = portal("import", "compilation", str(source), "--out", str(out), "--update")
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    # Twenty named, in name order, with the line YAML stopped at; the rest counted.
    assert [line.split(": ")[0] for line in lines[:20]] == [f"{p}:2" for p in broken[:20]]
    assert lines[20:] == [f"{out}: 另有 5 个已有记录无法读取 [unreadable-record]"]
    assert fingerprint(tmp_path) == before
    assert took < QUICK


def test_write_notices_refuses_an_out_holding_an_unreadable_record(tmp_path):
    """The library call refuses as the command does: UnreadableRecords, nothing written."""
    from portal.importer.outdir import UnreadableRecords
    from portal.importer.parse import import_compilation
    from portal.importer.writer import write_notices
    from portal.vocab import Vocab

    vocab = Vocab.load(ROOT / "data" / "vocab.yaml")
    notices = import_compilation(COMPILATION, vocab, name="compilation")
    out, bad = _bad_out(tmp_path, "bad-yaml")
    before = fingerprint(tmp_path)
    with pytest.raises(UnreadableRecords) as raised:
        write_notices(notices, out, vocab, source="compilation.txt")
    assert [(p.path, p.line, p.code) for p in raised.value.problems] == [(str(bad), 3, "yaml-syntax")]
    assert fingerprint(tmp_path) == before


def test_out_that_cannot_be_listed_is_refused(tmp_path, source, monkeypatch, capsys):
    """A directory whose records cannot be listed (no read permission, which root
    ignores, so the listing fails here by hand) is refused like an unreadable record."""
    import argparse

    from portal.importer import outdir
    from portal.importer.command import run_import

    out = tmp_path / "policies"
    out.mkdir()

    def refuse(path):
        raise PermissionError(13, "Permission denied", str(path))

    before = fingerprint(tmp_path)
    args = argparse.Namespace(what="compilation", file=str(source), out=str(out), data=str(ROOT / "data"), update=False)
    with monkeypatch.context() as patch:
        patch.setattr(outdir.os, "scandir", refuse)
        status = run_import(args)
    assert status == 2
    printed = capsys.readouterr()
    assert printed.out == ""
    assert printed.err == f"{out}: 输出目录无法读取（Permission denied），无法知道其中已有哪些记录 [out-unreadable]\n"
    assert fingerprint(tmp_path) == before


# ------------------------------------------------------------------ personal data

MOBILE, EMAIL = "13912345678", "zhang.san@example.com"
_ID17 = "11010519491231002"
RESIDENT_ID = _ID17 + privacy.id_check_digit(_ID17)


def masked(number: str) -> str:
    (finding,) = privacy.find(number)
    return finding.masked


def test_contact_points_are_reported_masked_and_the_notice_written(tmp_path):
    text = COVER + notice("关于第一件事的通知", "国卫医发〔2024〕1号",
                          body=f"联系人：张三，电话：{MOBILE}。\n邮箱：{EMAIL}。")
    path = tmp_path / "compilation.txt"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result, took = portal("import", "compilation", str(path), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert (out / "2024-di-yi-jian-shi.yaml").is_file()
    printed = result.stdout + result.stderr
    assert f"{path}:{line_of(text, MOBILE)}: personal: 提醒：含有手机号码（{masked(MOBILE)}）" in printed
    assert f"{path}:{line_of(text, EMAIL)}: personal: 提醒：含有电子邮箱地址（{masked(EMAIL)}）" in printed
    assert MOBILE not in printed and "zhang.san" not in printed
    assert took < QUICK


def test_a_resident_id_number_keeps_the_notice_out(tmp_path):
    text = (COVER + notice("关于第一件事的通知", "国卫医发〔2024〕1号", body=f"申请人身份证号：{RESIDENT_ID}。")
            + notice("关于第二件事的通知"))
    path = tmp_path / "compilation.txt"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result, took = portal("import", "compilation", str(path), "--out", str(out))
    assert result.returncode == 1, result.stderr
    assert [p.name for p in out.iterdir()] == ["2024-di-er-jian-shi.yaml"]
    printed = result.stdout + result.stderr
    assert f"{path}:{line_of(text, RESIDENT_ID)}: personal: 含有居民身份证号（{masked(RESIDENT_ID)}）" in printed
    assert RESIDENT_ID not in printed and RESIDENT_ID[6:14] not in printed
    assert "Traceback" not in result.stderr
    assert took < QUICK
