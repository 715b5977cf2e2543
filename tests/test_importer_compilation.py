"""The whole March 2024 compilation (84 notices), imported and as published in data/policies.

What is checked here was read by hand in the source text: who signed, what a
notice is about, from when it applies, where its original is, what it cites.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from portal.importer.parse import import_compilation
from portal.importer.writer import base_id, write_notices
from portal.vocab import Vocab
from conftest import ROOT

SOURCE = Path(__file__).parent / "importer" / "sources" / "policy-compilation-2024-03.txt"
PUBLICATION = "全国医药政策月度汇编 2024年第03期（总第83期）"
POLICIES = ROOT / "data" / "policies"


@pytest.fixture(scope="module")
def vocab():
    return Vocab.load(ROOT / "data" / "vocab.yaml")


@pytest.fixture(scope="module")
def notices(vocab):
    return import_compilation(SOURCE.read_text(encoding="utf-8"), vocab)


@pytest.fixture(scope="module")
def by_doc(notices):
    return {n.record["doc_number"]: n for n in notices if n.record.get("doc_number")}


def by_title(notices, words: str):
    found = [n for n in notices if words in n.record["title"]]
    assert len(found) == 1, (words, [n.record["title"] for n in found])
    return found[0]


def test_all_84_notices_with_their_page_in_the_publication(notices):
    assert len(notices) == 84
    pages = [n.record["source"]["page"] for n in notices]
    assert pages[0] == 1 and pages[-1] == 266 and pages == sorted(pages)
    assert all(n.record["source"]["title"] == PUBLICATION and "url" not in n.record["source"] for n in notices)


def test_issuers_come_from_the_signature(notices, by_doc):
    # The header says 上海市卫生健康委员会; the signature and the doc number say the 爱卫会.
    patriotic = by_doc["沪爱卫会〔2024〕1号"]
    assert patriotic.record["issuers"] == ["上海市爱国卫生运动委员会"]
    assert any(g.field == "issuers" and "落款" in g.message for g in patriotic.gaps)
    # The header lists four organs without 等; twelve signed.
    assert len(by_doc["甘卫发〔2024〕24号"].record["issuers"]) == 12
    assert len(by_doc["宁医保发〔2024〕5号"].record["issuers"]) == 9
    # A signature set in columns: region and organ on separate lines, rows interleaved.
    guangxi = by_title(notices, "优质服务基层行")
    assert guangxi.record["issuers"] == ["广西壮族自治区卫生健康委员会办公室", "广西壮族自治区中医药管理局办公室",
                                         "广西壮族自治区疾病预防控制局办公室"]
    # A seal note under the signing organ (“（上海市中医药管理局代章）”) is not an issuer.
    assert by_doc["沪中医药〔2024〕1号"].record["issuers"] == ["上海市中医药事业发展领导小组办公室"]
    # No signature: the heading's 卫生健康委办公室 (doc number 内卫办…), not the header's shortened name.
    assert by_doc["内卫办中（蒙）综合字〔2024〕160号"].record["issuers"] == ["内蒙古自治区卫生健康委办公室"]
    # The compilation prints 最高人民法院办公厅 twice: kept once, and said so.
    joint = by_doc["国卫办医急发〔2024〕6号"]
    assert joint.record["issuers"].count("最高人民法院办公厅") == 1 and len(joint.record["issuers"]) == 9
    assert any(g.field == "issuers" and "最高人民法院办公厅" in g.message for g in joint.gaps)


@pytest.mark.parametrize(("doc_number", "topic"), [
    ("沪卫应急〔2024〕3号", "卫生应急"),
    ("沪卫职健〔2024〕9号", "职业健康"),
    ("沪疾控局发〔2024〕8号", "疾病预防控制"),
    ("沪卫规〔2024〕5号", "疾病预防控制"),
    ("沪卫基层〔2024〕2号", "基层卫生"),
    ("国卫医急发〔2024〕11号", "卫生应急"),
    ("津卫监督〔2024〕80号", "综合监督"),
    ("国卫办医急发〔2024〕6号", "综合监督"),
    ("国卫办医政发〔2024〕5号", "医政管理"),
    ("沪爱卫会〔2024〕1号", "健康促进"),
    ("鲁卫发〔2024〕1号", "基层卫生"),
    ("湘卫人发〔2024〕4号", "人才队伍"),
])
def test_primary_topic_is_what_the_notice_is_about(by_doc, doc_number, topic):
    assert by_doc[doc_number].record["topics"][0] == topic


def test_no_topic_copied_from_a_wrong_category(by_doc):
    assert "医疗器械" not in by_doc["国卫办医政发〔2024〕5号"].record["topics"]
    assert "健康促进" not in by_doc["沪卫职健〔2024〕9号"].record["topics"]
    assert "机构管理" not in by_doc["国卫医急发〔2024〕11号"].record["topics"]


def test_effective_and_expiry_only_as_stated(notices, by_doc):
    assert by_doc["沪卫规〔2024〕5号"].record["effective"] == dt.date(2024, 4, 15)
    assert by_doc["沪卫规〔2024〕5号"].record["expires"] == dt.date(2029, 4, 14)
    assert by_doc["浙卫发〔2024〕4号"].record["effective"] == dt.date(2024, 5, 1)
    # “本办法自印发之日起施行”: the written date.
    assert by_doc["国卫医急发〔2024〕11号"].record["effective"] == by_doc["国卫医急发〔2024〕11号"].record["written"]
    exemptions = by_title(notices, "免罚事项清单").record
    assert (exemptions["effective"], exemptions["expires"]) == (dt.date(2024, 4, 1), dt.date(2026, 3, 31))
    # Another document's date (《中药饮片标签管理规定》…2024年8月1日起施行) is not this notice's.
    assert "effective" not in by_doc["赣药监中药〔2024〕4号"].record
    # A draft's “本细则自发布之日起实施” is not in force; “发布之日起30日后” is not a date.
    assert "effective" not in by_title(notices, "湖南医惠保").record
    assert "effective" not in by_doc["陕药监发〔2024〕3号"].record
    # No notice of the compilation states its validity: none is claimed.
    assert not any("validity" in n.record for n in notices)


def test_the_two_calls_for_comments(notices):
    fujian = by_title(notices, "征求《进一步优化服务推进医药产业高质量发展")
    hunan = by_title(notices, "湖南医惠保")
    assert (fujian.record["kind"], fujian.record["comment_deadline"]) == ("征求意见稿", dt.date(2024, 3, 29))
    assert (hunan.record["kind"], hunan.record["comment_deadline"]) == ("征求意见稿", dt.date(2024, 4, 8))
    assert fujian.record["doc_number"] == "2024年第3号"
    # Each consultation detail is a line of its own.
    assert "征集时间：2024年3月26日—2024年4月8日\n\n电子邮箱：" in hunan.record["body"]


def test_citations_among_the_84(notices, by_doc):
    assert "医保办函〔2024〕14号" in by_title(notices, "新生儿医疗保障").record["cites"]
    assert "陕药监发〔2024〕3号" in by_doc["陕药监办发〔2024〕17号"].record["cites"]


def test_attachments_and_the_compilations_own_text(notices, by_doc):
    beijing = by_title(notices, "安宁疗护中心和老年护理中心")
    assert beijing.record["attachments"] == ["2024年北京市安宁疗护中心和老年护理中心转型建设医疗机构名单"]
    assert beijing.record["issuers"] == ["北京市卫生健康委员会"]
    assert len(by_doc["黑卫财审规发〔2024〕1号"].record["attachments"]) == 6
    # The imprint after the last notice and a running header after a closing pointer are the compilation's.
    assert "责任编辑" not in notices[-1].record["body"] and "drugnet" not in notices[-1].record["body"]
    assert by_title(notices, "免罚事项清单").record["body"].rstrip().endswith("2024年3月1日")


def test_the_ids_of_the_first_37_records_stay(notices, tmp_path, vocab):
    report = write_notices(notices, tmp_path, vocab, source=str(SOURCE))
    assert report.errors == [] and len(report.written) == 84
    written = {Path(p).stem for p in report.written}
    published = {p.stem for p in POLICIES.glob("*.yaml")}
    assert written <= published
    assert {base_id(n.record) for n in notices} == written


# ------------------------------------------------------------ data/policies

def _records():
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(POLICIES.glob("*.yaml"))}


def test_data_holds_the_whole_compilation_and_the_shaanxi_call(notices):
    records = _records()
    assert len(records) == 85
    docs = {r["doc_number"] for r in records.values() if r.get("doc_number")}
    assert {n.record["doc_number"] for n in notices if n.record.get("doc_number")} <= docs
    assert sum(1 for r in records.values() if (r.get("source") or {}).get("title") == PUBLICATION) == 84


def test_data_topics_issuers_and_validity():
    records = _records()
    joint = records["2024-jia-qiang-yi-liao-jian-du-kua-bu-men-zhi-fa-lian-dong"]
    assert len(joint["issuers"]) == 10 and "最高人民检察院办公厅" in joint["issuers"]
    assert records["2024-shang-hai-shi-ai-guo-wei-sheng-he-jian-kang-cu-jin-gong"]["issuers"] == ["上海市爱国卫生运动委员会"]
    assert all(r.get("topics") for r in records.values())
    assert all(len(r["issuers"]) == len(set(r["issuers"])) for r in records.values())
    # Nothing in these texts says 现行有效.
    assert not any(r.get("validity") for r in records.values())
    # No address is invented: none of these notices prints its own.
    assert not any((r.get("source") or {}).get("url") for r in records.values())
