"""The importer on the two texts in shared/reference, against values checked by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from portal.importer.parse import import_compilation, import_notice
from portal.vocab import Vocab
from conftest import ROOT

# Copies of shared/reference/*.txt, so the suite runs wherever the repository is.
REFERENCE = Path(__file__).parent / "importer" / "sources"
EXPECTED = yaml.safe_load((Path(__file__).parent / "importer" / "expected.yaml").read_text(encoding="utf-8"))
FIELDS = ("title", "doc_number", "written", "published", "region")


@pytest.fixture(scope="module")
def vocab():
    return Vocab.load(ROOT / "data" / "vocab.yaml")


@pytest.fixture(scope="module")
def compilation(vocab):
    text = (REFERENCE / EXPECTED["compilation"]["file"]).read_text(encoding="utf-8")
    return import_compilation(text, vocab)


@pytest.fixture(scope="module")
def shaanxi(vocab):
    return import_notice((REFERENCE / EXPECTED["notice"]["file"]).read_text(encoding="utf-8"), vocab)


def test_compilation_splits_into_all_36_notices_in_order(compilation):
    assert [n.line for n in compilation] == [e["line"] for e in EXPECTED["compilation"]["notices"]]


@pytest.mark.parametrize("expected", EXPECTED["compilation"]["notices"], ids=lambda e: f"line{e['line']}")
def test_compilation_notice_fields(compilation, expected):
    notice = next(n for n in compilation if n.line == expected["line"])
    for name in FIELDS:
        assert notice.record.get(name) == expected[name], (name, notice.record.get(name))
    assert notice.record["source"] == {"title": "全国医药政策月度汇编 2024年第03期（总第83期）", "page": expected["toc_page"]}
    assert "comment_deadline" not in notice.record
    expected_steps = [d["date"] for d in expected.get("deadlines", [])]
    assert [d["date"] for d in notice.record.get("deadlines", [])] == expected_steps


def test_shaanxi_call_fields_and_its_four_deadlines(shaanxi):
    expected = EXPECTED["notice"]["expected"]
    for name in FIELDS:
        assert shaanxi.record.get(name) == expected[name], name
    steps = shaanxi.record["deadlines"]
    assert [d["date"] for d in steps] == [d["date"] for d in expected["deadlines"]]
    assert "申报书" in steps[0]["label"] and "网上申报" in steps[3]["label"]
    assert shaanxi.record["attachments"] == ["国家标准化试点项目申报书", "国家标准化试点项目自评表"]
    # No 发布日期 in the text: the importer says so rather than guessing silently.
    assert any(g.field == "published" and g.line == expected["line"] for g in shaanxi.gaps)


def test_bodies_are_clean_markdown(compilation, shaanxi):
    child = next(n for n in compilation if n.line == 60).record
    body = child["body"]
    assert body.startswith("各省、自治区、直辖市及新疆生产建设兵团医保局")
    assert "## 一、明确目标任务" in body
    # A paragraph broken by a page break is joined again.
    assert "均可纳入医保报销范围。" in body
    # The signature keeps one organ per line and the date.
    assert body.rstrip().endswith("全国妇联办公厅\n\n2024年2月8日")
    assert child["issuers"][:2] == ["国家医保局办公室", "教育部办公厅"] and len(child["issuers"]) == 5
    assert child["cites"] == ["国发〔2024〕3号", "国办发〔2021〕36号"]
    furniture = "\n".join(n.record.get("body", "") for n in compilation)
    assert "下载附件请登录" not in furniture and "医药先锋" not in furniture
    # Hard-wrapped PDF lines are rejoined into sentences.
    assert "（二）标委会秘书处负责试点申报工作的技术指导或培训，并会同法规处" in shaanxi.record["body"]


def test_every_imported_record_validates(tmp_path, compilation, shaanxi, vocab):
    from portal.importer.writer import write_notices

    report = write_notices(compilation + [shaanxi], tmp_path, vocab, source="sources.txt")
    assert report.errors == []
    assert len(report.written) == 37


def _perturb(text: str, seed: int) -> str:
    """The same compilation typed differently: the forms real extractions take, chosen at random."""
    import random
    import re

    rng = random.Random(seed)
    labels = ("发文机关", "成文日期", "标题", "发文字号", "发布日期", "类别", "关键字")
    out = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        label = next((l for l in labels if re.match(r"\s*" + r"\s*".join(l) + r"\s*[:：]", line)), None)
        if label:
            name, _, value = re.split(r"([:：])", line, maxsplit=1)
            name = rng.choice([label, " ".join(label), label])
            colon = rng.choice(["：", ":", " ：", "： "])
            value = value.strip()
            if label.endswith("日期") and rng.random() < 0.5:
                value = re.sub(r"(\d+)(年|月|日)", r"\1 \2 ", value).strip()
            if label == "发文字号" and rng.random() < 0.5:
                value = value.replace("〕", "〕 ").replace("号", " 号")
            line = f"{name}{colon}{value}"
            # Sometimes the next field shares the line.
            if out and out[-1].startswith(labels) and rng.random() < 0.3 and label not in ("标题",):
                out[-1] = out[-1] + "   " + line
                i += 1
                continue
        out.append(line)
        i += 1
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_compilation_typed_differently_gives_the_same_fields(vocab, seed):
    text = (REFERENCE / EXPECTED["compilation"]["file"]).read_text(encoding="utf-8")
    notices = import_compilation(_perturb(text, seed), vocab)
    expected = EXPECTED["compilation"]["notices"]
    assert len(notices) == len(expected)
    wrong = [(e["line"], name, n.record.get(name), e[name])
             for n, e in zip(notices, expected) for name in FIELDS if n.record.get(name) != e[name]]
    assert wrong == []
