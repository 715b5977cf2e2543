"""The messy forms real notice texts take, each as a small synthetic snippet."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap

import pytest

from portal.importer import extract
from portal.importer.metadata import find_blocks, parse_block
from portal.importer.parse import ImportFormatError, import_compilation, import_notice
from portal.importer.text import clean_doc_number, find_doc_numbers, parse_date, squeeze_title
from portal.vocab import Vocab
from conftest import ROOT

D = dt.date


@pytest.fixture(scope="module")
def vocab():
    return Vocab.load(ROOT / "data" / "vocab.yaml")


def block(text: str) -> dict:
    lines = textwrap.dedent(text).strip("\n").splitlines()
    return parse_block(lines, 0).values


def notice(text: str, vocab) -> dict:
    return import_notice(textwrap.dedent(text), vocab).record


BODY = """
    关于做好示例工作的通知

    各区卫生健康委：

    现将有关事项通知如下。

    示例市卫生健康委员会
    2024年3月18日
"""


# ------------------------------------------------------------------ metadata block

def test_labels_with_spaces_inside_and_either_colon():
    values = block("""
        发文机关: 国家卫生健康委
        标 题：关于做好示例工作的通知
        关 键 字 :  示例、工作
        类  别：医疗政策
    """)
    assert values == {"issuers": "国家卫生健康委", "title": "关于做好示例工作的通知",
                      "keywords": "示例、工作", "category": "医疗政策"}


def test_several_fields_on_one_line_in_any_order():
    values = block("""
        标 题： 关于做好示例工作的通知
        发文机关： 黑龙江省卫生健康委员会 成文日期： 2024年1月31日
        发文字号： 黑卫财审规发〔2024〕1号 发布日期： 2024年3月19日
        类 别： 医疗器械 关 键 字： 乙类大型医用设备
    """)
    assert values["issuers"] == "黑龙江省卫生健康委员会"
    assert values["written"] == "2024年1月31日" and values["published"] == "2024年3月19日"
    assert values["doc_number"] == "黑卫财审规发〔2024〕1号"
    assert values["category"] == "医疗器械" and values["keywords"] == "乙类大型医用设备"


def test_empty_values_alone_or_followed_by_the_next_label():
    values = block("""
        发文机关：北京市卫生健康委员会
        发文字号：
        标题：关于做好示例工作的通知
        类别：发布日期：2024年3月13日
    """)
    assert values["doc_number"] == "" and values["category"] == ""
    assert values["published"] == "2024年3月13日"


def test_value_continued_on_the_following_lines():
    values = block("""
        发文机关：河北省卫生健康委员会、中共
        河北省委机构编制委员会办
        公室等

        成文日期：2024年3月22日

        标 题：关于全面推进紧密型县域医疗卫生共同体建设的实施意见

        关于全面推进紧密型县域医疗卫生共同体建设的实施意见
    """)
    assert values["issuers"] == "河北省卫生健康委员会、中共河北省委机构编制委员会办公室等"
    # The heading after the block is the body, not a continuation of 标题.
    assert values["title"] == "关于全面推进紧密型县域医疗卫生共同体建设的实施意见"


def test_a_label_inside_a_sentence_is_not_metadata():
    text = "请各单位注意。标题：不是元数据\n"
    assert find_blocks(text.splitlines()) == []


# ------------------------------------------------------------------ values

@pytest.mark.parametrize("text, expected", [
    ("2024 年 3 月 18 日", D(2024, 3, 18)),
    ("2024年3月8日", D(2024, 3, 8)),
    ("２０２４年３月８日", D(2024, 3, 8)),
    ("2024-03-08", D(2024, 3, 8)),
    ("2024年2月30日", None),
    ("", None),
])
def test_dates(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("药监综械管〔2024〕32 号", "药监综械管〔2024〕32号"),
    ("国卫办医政函 〔 2024 〕 65号", "国卫办医政函〔2024〕65号"),
    ("沪卫医[2024]13号", "沪卫医〔2024〕13号"),
    ("内卫办中（蒙）综合字〔2024〕160号", "内卫办中（蒙）综合字〔2024〕160号"),
    ("国家药监局公告2024年第3号", "国家药监局公告2024年第3号"),
    ("2024年第 3 号", "2024年第3号"),
    ("2024年3月18日", None),
    ("发布日期：", None),
])
def test_doc_numbers(text, expected):
    assert clean_doc_number(text) == expected


def test_cited_doc_numbers_in_a_body():
    body = ("根据《关于深入推进跨部门综合监管的指导意见》（国办发〔2023〕1号）和国卫医政发 〔2023〕 11号文件，"
            "参照国家药监局公告2024年第3号执行。")
    assert find_doc_numbers(body) == ["国办发〔2023〕1号", "国卫医政发〔2023〕11号", "国家药监局公告2024年第3号"]


def test_title_spaces():
    assert squeeze_title("关于印发 2024 年上海市 爱国卫生工作要点的通知") == "关于印发2024年上海市爱国卫生工作要点的通知"
    assert squeeze_title("天津市卫生健康委 天津市财政局关于印发细则的通知") == "天津市卫生健康委 天津市财政局关于印发细则的通知"
    assert squeeze_title("最高人民法院 最高人民检察院 公安部 印发《意见》的通知") == "最高人民法院 最高人民检察院 公安部印发《意见》的通知"


# ------------------------------------------------------------------ whole notices

def test_title_broken_across_lines_with_issuer_line_above(vocab):
    record = notice("""
        陕西省卫生健康委员会办公室

        关于征集 2025年度国家标准化
        试点项目的通知

        各设区市卫生健康委：

        现将有关事项通知如下。

        陕西省卫生健康委办公室
        2025年 5月 7日
    """, vocab)
    assert record["title"] == "陕西省卫生健康委员会办公室关于征集2025年度国家标准化试点项目的通知"
    assert record["region"] == "陕西" and record["written"] == D(2025, 5, 7)
    assert record["doc_number"] is None


def test_doc_number_printed_under_the_title(vocab):
    record = notice("""
        关于做好示例工作的通知
        沪卫医〔2024〕 13 号
        各区卫生健康委：
        现将有关事项通知如下。
        上海市卫生健康委员会
        2024年3月18日
    """, vocab)
    assert record["doc_number"] == "沪卫医〔2024〕13号" and record["region"] == "上海"
    assert record["issuers"] == ["上海市卫生健康委员会"]


def test_body_structure_attachments_and_signature(vocab):
    record = notice("""
        关于做好示例工作的通知

        各区卫生健康委：

        一、总体要求

        （一）工作目标。到2025年底，全面完成示例工作，各项任务落实到位，群众满意度明显提
        升。

        1. 第一项任务；
        2. 第二项任务。

        附件：1. 示例工作方案
        2. 示例工作申报表

        国家卫生健康委办公厅
        2024年3月18日
    """, vocab)
    body = record["body"]
    assert "## 一、总体要求" in body
    assert "（一）工作目标。到2025年底，全面完成示例工作，各项任务落实到位，群众满意度明显提升。" in body
    assert "1\\. 第一项任务；" in body  # numbered items stay as printed
    assert record["attachments"] == ["示例工作方案", "示例工作申报表"]
    assert body.rstrip().endswith("国家卫生健康委办公厅\n\n2024年3月18日")
    assert record["region"] == "全国" and record["kind"] == "通知"


@pytest.mark.parametrize("sentence, deadline", [
    ("请于2024年3月29日前将意见建议反馈至我委。", D(2024, 3, 29)),
    ("征集时间：2024年3月26日—2024年4月8日。", D(2024, 4, 8)),
    ("公开征求意见，征求意见时间为2024年3月1日至3月31日。", D(2024, 3, 31)),
    ("请于4月8日17:00前将意见反馈至邮箱。", D(2024, 4, 8)),
])
def test_comment_deadline_forms(vocab, sentence, deadline):
    record = notice(f"""
        关于公开征求《示例管理办法（征求意见稿）》意见的通知

        各有关单位：

        为做好示例工作，现公开征求意见。{sentence}

        国家卫生健康委办公厅
        2024年3月18日
    """, vocab)
    assert record["kind"] == "征求意见稿"
    assert record["comment_deadline"] == deadline


def test_call_deadlines_take_the_year_from_the_notice(vocab):
    record = notice("""
        关于征集示例项目的通知

        各市卫生健康委：

        请于5月20日前报送申报书。标委会于 5月 30日前将初审结果报省卫生健康委。每年11月30日前提交总结。

        江苏省卫生健康委员会
        2025年5月7日
    """, vocab)
    assert [d["date"] for d in record["deadlines"]] == [D(2025, 5, 20), D(2025, 5, 30)]
    assert record["deadlines"][0]["label"] == "报送申报书"


# 2024-12-31 23:30 UTC: already 2025-01-01 in China.
NEW_YEAR_IN_CHINA = dt.datetime(2024, 12, 31, 23, 30, tzinfo=dt.timezone.utc).timestamp()
UNDATED = ["请于5月20日前报送申报书。"]


def test_undated_steps_take_the_year_in_china_of_source_date_epoch(monkeypatch):
    """Issue 18: with no date in the notice, the year is the import's date in China
    (SOURCE_DATE_EPOCH when set, as for the build), not the machine's date.today()."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NEW_YEAR_IN_CHINA)))
    assert [d["date"] for d in extract.call_deadlines(UNDATED, None)] == [D(2025, 5, 20)]
    assert extract.comment_deadline(["请于4月8日前将意见反馈至邮箱。"], None) == D(2025, 4, 8)


def test_an_import_at_2330_utc_on_new_years_eve_is_already_next_year():
    """A machine on UTC at 23:30 on 31 December (no SOURCE_DATE_EPOCH): the clock is faked
    under the pure-Python datetime and zoneinfo, so any way of asking for the date sees it."""
    script = textwrap.dedent(f"""
        import sys
        sys.modules["_datetime"] = sys.modules["_zoneinfo"] = None  # the pure-Python modules read time.time()
        import time
        time.time = lambda: {NEW_YEAR_IN_CHINA!r}
        import datetime
        assert datetime.date.today() == datetime.date(2024, 12, 31), datetime.date.today()
        from portal.importer import extract
        print([d["date"].isoformat() for d in extract.call_deadlines({UNDATED!r}, None)])
    """)
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"} | {"TZ": "UTC"}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['2025-05-20']"


@pytest.mark.parametrize("issuer, title, doc, region", [
    ("国家医疗保障局办公室、教育部办公厅等", "关于示例的通知", "", "全国"),
    ("内蒙古自治区卫生健康委", "关于示例的通知", "", "内蒙古"),
    ("广西壮族自治区卫生健康委员会", "关于示例的通知", "", "广西"),
    ("深圳市卫生健康委员会", "关于示例的通知", "", "广东"),
    ("中共河北省委机构编制委员会办公室", "关于示例的通知", "", "河北"),
    ("新疆生产建设兵团卫生健康委员会", "关于示例的通知", "", "新疆"),
    ("示例中心", "上海：关于示例的通知", "", "上海"),
    ("示例中心", "关于示例的通知", "粤卫函〔2024〕3号", "广东"),
])
def test_region_from_issuers_title_or_doc_number(vocab, issuer, title, doc, region):
    text = f"""
        发文机关：{issuer}
        成文日期：2024年3月1日
        标题：{title}
        发文字号：{doc}
        发布日期：2024年3月2日

        {title}

        正文。
    """
    assert import_compilation(textwrap.dedent(text), vocab)[0].record["region"] == region


def test_topics_from_what_the_notice_is_about_not_from_its_category(vocab):
    base = """
        发文机关：{issuer}
        标题：{title}
        发文字号：{doc}
        发布日期：2024年3月2日
        类别：{category}

        正文。
    """
    def topics(title, category, issuer="国家卫生健康委", doc="国卫办发〔2024〕1号"):
        text = textwrap.dedent(base.format(title=title, category=category, issuer=issuer, doc=doc))
        notice = import_compilation(text, vocab)[0]
        return notice.record.get("topics"), [g.field for g in notice.gaps if g.field == "topics"]
    # The compilation's 类别 is wrong as often as not: the title decides.
    assert topics("关于印发2024年上海市职业健康工作要点的通知", "全民健康")[0] == ["职业健康"]
    assert topics("关于印发2024年上海市卫生应急管理工作会议要点的通知", "全民健康")[0] == ["卫生应急"]
    assert topics("关于进一步推进医师电子化信息管理工作的通知", "医疗器械")[0] == ["医政管理", "规划信息"]
    assert topics("关于加强助产服务管理的通知", "")[0] == ["妇幼健康"]
    # Words in the issuer's name before 关于 are not what the notice is about.
    assert topics("福建省药品监督管理局关于印发《福建省医疗器械经营监督管理细则》的通知", "",
                  issuer="福建省药品监督管理局")[0] == ["医疗器械", "药品监管"]
    # The doc number's organ prefix and the lead issuer add topics, and confirm the primary one.
    assert topics("关于印发工作要点的通知", "", doc="沪卫职健〔2024〕9号")[0] == ["职业健康"]
    assert topics("关于规范定点零售药店门诊统筹管理有关事项的通知", "", issuer="江西省医疗保障局",
                  doc="赣医保字〔2024〕9号")[0] == ["医保政策", "药品监管"]
    # 类别 only when nothing else says anything, only when it is a topic name, and flagged for a check.
    assert topics("关于示例的通知", "医保政策") == (["医保政策"], ["topics"])
    assert topics("关于示例的通知", "医疗政策") == (None, ["topics"])


def test_topic_rules_come_from_the_vocabulary(vocab):
    import copy

    from portal.vocab import Vocab

    data = copy.deepcopy(vocab.data)
    data["import"]["topic_keywords"] = {"标准化": ["示例"]}
    custom = Vocab(data=data, path=vocab.path)
    text = textwrap.dedent("""
        发文机关：国家卫生健康委
        标题：关于示例的通知
        发布日期：2024年3月2日

        正文。
    """)
    assert import_compilation(text, custom)[0].record["topics"] == ["标准化"]


def test_compilation_drops_contents_and_page_furniture(vocab):
    text = textwrap.dedent("""
        全国医药政策 月度汇编
        2024年第03期（总第83期）
        目录
        - 01 关于第一件事的通知
        - 05 关于第二件事的通知

        发文机关：国家卫生健康委
        成文日期：2024年3月1日
        标题：关于第一件事的通知
        发文字号：国卫办发〔2024〕1号
        发布日期：2024年3月2日

        关于第一件事的通知
        国卫办发〔2024〕1号
        各省卫生健康委：
        第一件事的正文。
        12
        下载附件请登录医药梦网 (www.example.cn) > 政策法规
        国家卫生健康委
        2024年3月1日

        发文机关：国家卫生健康委
        成文日期：2024年3月3日
        标题：关于第二件事的通知
        发文字号：国卫办发〔2024〕2号
        发布日期：2024年3月4日

        关于第二件事的通知
        正文二。
    """)
    first, second = import_compilation(text, vocab)
    assert first.record["source"] == {"title": "全国医药政策月度汇编 2024年第03期（总第83期）", "page": 1}
    assert second.record["source"]["page"] == 5
    assert first.record["body"] == "各省卫生健康委：\n\n第一件事的正文。\n\n国家卫生健康委\n\n2024年3月1日\n"
    assert second.record["doc_number"] == "国卫办发〔2024〕2号"


@pytest.mark.parametrize("text", [
    "",
    "这是一段普通的文字，没有标题也没有日期。\n第二行。\n",
    "name: 艾灸\nsummary: 一条技术记录\n",
])
def test_text_that_is_not_a_notice(vocab, text):
    with pytest.raises(ImportFormatError):
        import_notice(text, vocab)
    with pytest.raises(ImportFormatError):
        import_compilation(text, vocab)


def test_notice_copied_from_a_government_site_with_its_metadata(vocab):
    record = notice("""
        索引号：000013610/2024-00123    主题分类：医疗卫生
        发文机关：国家卫生健康委办公厅    成文日期：2024年03月18日
        标　　题：国家卫生健康委办公厅关于公开征求《示例技术管理规范（征求意见稿）》意见的通知
        发文字号：国卫办医政函〔2024〕99号    发布日期：2024年03月20日

        国家卫生健康委办公厅关于公开征求《示例技术管理规范（征求意见稿）》意见的通知

        国卫办医政函〔2024〕99号

        各省、自治区、直辖市卫生健康委：

        为规范示例技术临床应用，我委组织起草了《示例技术管理规范（征求意见稿）》，现公开征求意见。请于2024年4月8日前将修改意见反馈至我委医政司。

        附件：示例技术管理规范（征求意见稿）

        国家卫生健康委办公厅
        2024年3月18日
    """, vocab)
    assert record["title"] == "国家卫生健康委办公厅关于公开征求《示例技术管理规范（征求意见稿）》意见的通知"
    assert record["doc_number"] == "国卫办医政函〔2024〕99号"
    assert (record["written"], record["published"]) == (D(2024, 3, 18), D(2024, 3, 20))
    assert record["region"] == "全国" and record["kind"] == "征求意见稿"
    assert record["comment_deadline"] == D(2024, 4, 8)
    assert record["attachments"] == ["示例技术管理规范（征求意见稿）"]
    assert "索引号" not in record["body"]
