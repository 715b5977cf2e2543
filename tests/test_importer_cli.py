"""`portal import`: stable ids, no silent overwrite, a report, clear errors."""

from __future__ import annotations

import re
import textwrap

from conftest import ROOT, run_portal

COMPILATION = textwrap.dedent("""
    全国医药政策 月度汇编
    2024年第03期
    目录
    - 01 关于第一件事的通知
    - 03 关于第二件事的通知

    发文机关：国家卫生健康委
    成文日期：2024年3月1日
    标题：关于第一件事的通知
    发文字号：
    发布日期：2024年3月2日
    类别：医疗政策

    关于第一件事的通知
    各省卫生健康委：
    正文一。
    国家卫生健康委
    2024年3月1日

    发文机关：上海市卫生健康委员会
    成文日期：2024年3月3日
    标题：关于第二件事的通知
    发文字号：沪卫医〔2024〕2 号
    发布日期：2024年3月4日
    类别：中医药

    关于第二件事的通知
    正文二。
""")


def files(directory):
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(directory.glob("*.yaml"))}


def test_import_writes_valid_records_with_stable_ids(tmp_path):
    source = tmp_path / "compilation.txt"
    source.write_text(COMPILATION, encoding="utf-8")
    out1, out2 = tmp_path / "a", tmp_path / "b"
    first = run_portal("import", "compilation", str(source), "--out", str(out1))
    assert first.returncode == 0, first.stderr
    assert run_portal("import", "compilation", str(source), "--out", str(out2)).returncode == 0
    assert files(out1) == files(out2)
    assert set(files(out1)) == {"2024-di-yi-jian-shi.yaml", "2024-di-er-jian-shi.yaml"}
    assert "找到 2 篇通知：新写入 2 篇" in first.stdout
    # Every field the importer could not fill is reported with its source line.
    assert re.search(r"compilation\.txt:11: doc_number: 没有发文字号", first.stdout), first.stdout
    record = files(out1)["2024-di-er-jian-shi.yaml"]
    assert "doc_number: 沪卫医〔2024〕2号" in record and "region: 上海" in record and "page: 3" in record


def test_existing_records_are_reported_not_overwritten_without_update(tmp_path):
    source = tmp_path / "compilation.txt"
    source.write_text(COMPILATION, encoding="utf-8")
    out = tmp_path / "policies"
    assert run_portal("import", "compilation", str(source), "--out", str(out)).returncode == 0
    edited = out / "2024-di-yi-jian-shi.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("正文一。", "维护者改过的正文。"), encoding="utf-8")
    again = run_portal("import", "compilation", str(source), "--out", str(out))
    assert again.returncode == 0
    assert "跳过 2 篇" in again.stdout and "已存在（使用 --update 覆盖）" in again.stdout
    assert "维护者改过的正文。" in edited.read_text(encoding="utf-8")
    updated = run_portal("import", "compilation", str(source), "--out", str(out), "--update")
    assert "更新 1 篇" in updated.stdout and "内容未变" in updated.stdout
    assert "维护者改过的正文。" not in edited.read_text(encoding="utf-8")


def test_imported_records_pass_portal_validate(tmp_path):
    data = tmp_path / "data"
    for sub in ("technologies", "mentors"):
        (data / sub).mkdir(parents=True)
    (data / "vocab.yaml").write_text((ROOT / "data" / "vocab.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    source = tmp_path / "compilation.txt"
    source.write_text(COMPILATION, encoding="utf-8")
    assert run_portal("import", "compilation", str(source), "--out", str(data / "policies")).returncode == 0
    result = run_portal("validate", "--data", str(data))
    assert result.returncode == 0, result.stderr


def test_files_that_are_not_notices_get_a_clear_error(tmp_path):
    cases = {
        "record.yaml": "name: 艾灸\nsummary: 一条技术记录\n".encode(),
        "empty.txt": b"",
        "image.png": bytes(range(256)) * 4,
    }
    out = tmp_path / "out"
    for name, content in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        for what in ("compilation", "notice"):
            result = run_portal("import", what, str(path), "--out", str(out))
            assert result.returncode == 1, (name, what)
            assert "Traceback" not in result.stderr
            # One line: the file, what is wrong with it, and a code for tools.
            assert re.fullmatch(rf"{re.escape(str(path))}: \S.* \[[a-z0-9-]+\]\n", result.stderr), (name, result.stderr)
    assert not out.exists() or not list(out.glob("*.yaml"))
    missing = run_portal("import", "notice", str(tmp_path / "nope.txt"))
    assert missing.returncode == 1 and missing.stderr == f"{tmp_path / 'nope.txt'}: 找不到文件 [missing-file]\n"
