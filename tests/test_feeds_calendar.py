"""Atom feeds (portal.outputs.feeds) and the deadline calendars (portal.outputs.calendar)."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from urllib.parse import unquote, urljoin

import pytest

from portal.catalogue import build_catalogue
from portal.outputs import calendar, feeds
from portal.outputs.calendar import escape_text, fold
from portal import routes
from portal.routes import RouteTable, slug, value_slugs

from conftest import MINIMAL, write_data

A = "{http://www.w3.org/2005/Atom}"
# The site's name as mkdocs.yml gives it to the build.
NAME = "测试门户"


def feed_files(cat, **kw) -> dict[str, bytes]:
    return feeds.feed_files(cat, RouteTable.build(cat), site_name=NAME, **kw)


def feed_list(cat) -> list[tuple[str, str, str]]:
    """(path, title, description) of every feed, in the route table's order."""
    return [(f.url, f.title, f.description) for f in RouteTable.build(cat).feeds()]


def calendar_files(cat, **kw) -> dict[str, bytes]:
    return calendar.calendar_files(cat, RouteTable.build(cat), site_name=NAME, **kw)

DAY = dt.date(2024, 3, 28)
LATER = dt.date(2024, 4, 9)
SITE = "https://example.org/portal/"

# Extra records: escaping, a region other than 全国, several topics, steps, an open enrollment.
EXTRA = {
    "policies/2024-bei-jing-shi-dian.yaml": """\
        title: 关于A&B<试点>工作的"通知"
        doc_number: 京卫发〔2024〕3号
        issuers: [北京市卫生健康委员会, 北京市医疗保障局]
        region: 北京
        published: 2024-02-01
        topics: [医保政策, 中医药]
        kind: 通知
        deadlines:
          - date: 2024-04-01
            label: 申报截止,逾期不受理;请留意\\说明
          - date: 2024-05-20
            label: 评审结果公布
        """,
    "mentors/example-b.yaml": """\
        name: 示例传承人乙
        example: true
        track: 传统医学
        tier: 名老中医
        title: 主任中医师
        institution: 示例县中医医院
        region: 北京
        enrollment:
          status: 招收中
          deadline: 2024-04-30
        """,
    "technologies/no-date.yaml": """\
        name: 未登记入库日期的技术
        summary: 用于测试排序。
        sources:
          - title: 测试
        """,
}


def catalogue(directory, day=DAY, extra=True):
    data = write_data(directory, {**MINIMAL, **EXTRA} if extra else None)
    return build_catalogue(data, day)


@pytest.fixture
def cat(data_dir):
    return build_catalogue(data_dir, DAY)


@pytest.fixture
def rich(tmp_path):
    return catalogue(tmp_path / "rich")


def parse(feed: bytes) -> ET.Element:
    root = ET.fromstring(feed)
    assert root.tag == A + "feed"
    return root


def entries(feed: bytes) -> list[ET.Element]:
    return parse(feed).findall(A + "entry")


def hrefs(entry: ET.Element, rel="alternate") -> list[str]:
    return [link.get("href") for link in entry.findall(A + "link") if link.get("rel") == rel]


def entry_paths(feed: bytes) -> list[str]:
    """Record URLs an entry links to, resolved against the feed's own location."""
    return [urljoin("https://host/site/feeds/x.xml", hrefs(e)[0]).removeprefix("https://host/site/")
            for e in entries(feed)]


# --- slugs -----------------------------------------------------------------------------

def test_slugs_are_ascii_pinyin():
    assert slug("北京") == "bei-jing"
    assert slug("医保政策") == "yi-bao-zheng-ce"
    slugs = value_slugs(["山西", "陕西", "北京"])
    assert slugs["北京"] == "bei-jing"
    assert slugs["山西"] != slugs["陕西"]
    assert all(re.fullmatch(r"[a-z0-9-]+", s) for s in slugs.values())


# --- feeds -----------------------------------------------------------------------------

def test_feed_files_on_the_fixture(cat):
    files = feed_files(cat)
    assert list(files) == [path for path, _title, _desc in feed_list(cat)]
    assert sorted(files) == sorted([
        "feeds/policies.xml", "feeds/technologies.xml", "feeds/mentors-enrolling.xml",
        "feeds/policies-region-quan-guo.xml", "feeds/policies-topic-zhong-yi-yao.xml",
    ])
    titles = {path: title for path, title, _desc in feed_list(cat)}
    assert titles["feeds/policies-region-quan-guo.xml"] == "政策通知：全国"
    for path, title, description in feed_list(cat):
        root = parse(files[path])
        assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-CN"
        assert root.findtext(A + "title") == title
        assert root.findtext(A + "subtitle") == description
        assert root.findtext(A + "author/" + A + "name") == NAME
        assert files[path].startswith(b'<?xml version="1.0" encoding="utf-8"?>')
        assert b'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">' in files[path]
        for entry in root.findall(A + "entry"):
            for name in ("id", "title", "updated"):
                assert entry.findtext(A + name), name


def test_policies_newest_first_with_relative_links(cat):
    feed = feed_files(cat)["feeds/policies.xml"]
    assert entry_paths(feed) == ["policies/2024-yi-jian-zheng-qiu/", "policies/2024-zhong-yi-yao/"]
    root = parse(feed)
    assert root.findtext(A + "updated") == "2024-03-20T00:00:00+08:00"
    first = root.findall(A + "entry")[0]
    assert first.findtext(A + "published") == "2024-03-20T00:00:00+08:00"
    assert "征求意见中" in first.findtext(A + "summary")
    second = root.findall(A + "entry")[1]
    assert second.findtext(A + "summary") == "国中医药医政发〔2024〕1号 · 国家中医药局 · 效力未注明"
    assert [c.get("term") for c in second.findall(A + "category")] == ["中医药", "全国"]
    assert hrefs(root, "self") == ["policies.xml"]
    assert hrefs(root, "alternate") == ["../policies/"]


def test_technologies_by_warehoused_and_undated_last(rich):
    feed = feed_files(rich)["feeds/technologies.xml"]
    assert entry_paths(feed) == ["technologies/ai-jiu/", "technologies/no-date/", "technologies/old-tech/"]
    ai_jiu, no_date, _old = entries(feed)
    assert ai_jiu.findtext(A + "updated") == "2022-05-01T00:00:00+08:00"
    # Its entry is illustrative, and the feed says so as the page does.
    assert ai_jiu.findtext(A + "summary") == "用艾绒燃烧的温热刺激穴位。（入库与推广信息为演示用的示例）"
    # Without a warehoused date: the build date, and no <published>.
    assert no_date.findtext(A + "updated") == "2024-03-28T00:00:00+08:00"
    assert no_date.find(A + "published") is None


def test_region_and_topic_feeds_hold_only_matching_notices(rich):
    files = feed_files(rich)
    assert entry_paths(files["feeds/policies-region-bei-jing.xml"]) == ["policies/2024-bei-jing-shi-dian/"]
    assert entry_paths(files["feeds/policies-region-quan-guo.xml"]) == [
        "policies/2024-yi-jian-zheng-qiu/", "policies/2024-zhong-yi-yao/"]
    assert entry_paths(files["feeds/policies-topic-zhong-yi-yao.xml"]) == [
        "policies/2024-bei-jing-shi-dian/", "policies/2024-zhong-yi-yao/"]
    assert entry_paths(files["feeds/policies-topic-yi-bao-zheng-ce.xml"]) == ["policies/2024-bei-jing-shi-dian/"]
    # Only regions and topics that have notices get a feed.
    assert not any("region-si-chuan" in path or "topic-fu-you" in path for path in files)
    root = parse(files["feeds/policies-region-bei-jing.xml"])
    assert root.findtext(A + "title") == "政策通知：北京"
    assert unquote(hrefs(root, "alternate")[0]) == "../policies/by/region/北京/"
    topic = parse(files["feeds/policies-topic-yi-bao-zheng-ce.xml"])
    assert unquote(hrefs(topic, "alternate")[0]) == "../policies/by/topic/医保政策/"
    # Every policy feed is a subset of the full feed, in the same order.
    everything = entry_paths(files["feeds/policies.xml"])
    for path, content in files.items():
        if path.startswith("feeds/policies-"):
            subset = entry_paths(content)
            assert subset == [p for p in everything if p in subset]


def test_mentors_enrolling_drops_closed_enrollment(cat, rich, tmp_path):
    # The fixture mentor's deadline (2024-03-15) has passed on 2024-03-28.
    assert entries(feed_files(cat)["feeds/mentors-enrolling.xml"]) == []
    assert parse(feed_files(cat)["feeds/mentors-enrolling.xml"]).findtext(A + "updated") == \
        "2024-03-28T00:00:00+08:00"
    feed = feed_files(rich)["feeds/mentors-enrolling.xml"]
    assert entry_paths(feed) == ["mentors/example-b/"]
    (entry,) = entries(feed)
    assert entry.findtext(A + "title") == "示例传承人乙（示例）"
    summary = entry.findtext(A + "summary")
    assert "主任中医师" in summary and "示例县中医医院" in summary and "报名截止：2024年4月30日" in summary
    assert entry.findtext(A + "updated") == "2024-04-30T00:00:00+08:00"
    # Once the deadline passes the mentor leaves the feed.
    later = catalogue(tmp_path / "later", dt.date(2024, 5, 1))
    assert entries(feed_files(later)["feeds/mentors-enrolling.xml"]) == []


def test_ids_are_stable(cat, tmp_path):
    first = feed_files(cat)
    later = feed_files(catalogue(tmp_path / "later", LATER, extra=False))
    absolute = feed_files(cat, site_url="https://example.org/portal")
    assert list(first) == list(later) == list(absolute)

    def ids(files):
        return {path: [e.findtext(A + "id") for e in entries(content)] for path, content in files.items()}

    assert ids(first) == ids(later) == ids(absolute)
    feed_ids = {path: parse(content).findtext(A + "id") for path, content in first.items()}
    assert feed_ids == {path: parse(content).findtext(A + "id") for path, content in later.items()}
    assert all(re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", i) for i in feed_ids.values())
    assert len(set(feed_ids.values())) == len(feed_ids)
    assert parse(absolute["feeds/policies.xml"]).findtext(A + "id") == SITE + "feeds/policies.xml"
    for values in ids(first).values():
        assert len(set(values)) == len(values)
    # A notice has the same id in every feed it appears in.
    assert ids(first)["feeds/policies-topic-zhong-yi-yao.xml"] == ids(first)["feeds/policies.xml"][1:]


def test_entry_id_formula(cat):
    import uuid
    (first, second) = entries(feed_files(cat)["feeds/policies.xml"])
    expected = uuid.uuid5(uuid.NAMESPACE_URL, "portal:policies/2024-zhong-yi-yao")
    assert second.findtext(A + "id") == f"urn:uuid:{expected}"


def test_absolute_links_with_site_url(cat):
    files = feed_files(cat, site_url="https://example.org/portal")
    root = parse(files["feeds/policies-region-quan-guo.xml"])
    assert hrefs(root, "self") == [SITE + "feeds/policies-region-quan-guo.xml"]
    assert unquote(hrefs(root, "alternate")[0]) == SITE + "policies/by/region/全国/"
    assert [hrefs(e)[0] for e in root.findall(A + "entry")] == [
        SITE + "policies/2024-yi-jian-zheng-qiu/", SITE + "policies/2024-zhong-yi-yao/"]


def test_feeds_are_deterministic(rich, tmp_path):
    assert feed_files(rich) == feed_files(rich)
    again = catalogue(tmp_path / "again")
    assert feed_files(rich) == feed_files(again)
    assert feed_list(rich) == feed_list(again)


def test_feed_text_is_escaped(rich):
    feed = feed_files(rich)["feeds/policies-region-bei-jing.xml"]
    assert b"A&amp;B&lt;" in feed
    (entry,) = entries(feed)
    assert entry.findtext(A + "title") == '关于A&B<试点>工作的"通知"'
    assert entry.findtext(A + "summary") == "京卫发〔2024〕3号 · 北京市卫生健康委员会、北京市医疗保障局 · 效力未注明"


def test_policy_feed_is_limited_to_50(tmp_path):
    records = dict(MINIMAL)
    for n in range(55):
        day = dt.date(2023, 1, 1) + dt.timedelta(days=n)
        records[f"policies/2023-bulk-{n:02d}.yaml"] = f"""\
            title: 批量通知{n}
            issuers: [测试机关]
            region: 全国
            published: {day.isoformat()}
            """
    cat = build_catalogue(write_data(tmp_path / "bulk", records), DAY)
    feed = feed_files(cat)["feeds/policies.xml"]
    paths = entry_paths(feed)
    assert len(paths) == 50
    assert paths[:3] == ["policies/2024-yi-jian-zheng-qiu/", "policies/2024-zhong-yi-yao/",
                         "policies/2023-bulk-54/"]


# --- calendar --------------------------------------------------------------------------

ICS = "calendar/deadlines.ics"
TEXT_PROPS = {"SUMMARY", "DESCRIPTION", "PRODID", "X-WR-CALNAME", "X-WR-CALDESC", "CATEGORIES"}


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def parse_ics(data: bytes) -> dict:
    """A strict little RFC 5545 reader: CRLF only, ≤ 75 octets a line, proper nesting.

    Returns the VCALENDAR as {"props": {...}, "components": [{"name", "props", "components"}]}.
    (No iCalendar library is installed in the venv, so the checks are done here.)
    """
    assert data.endswith(b"\r\n")
    physical = data[:-2].split(b"\r\n")
    for line in physical:
        assert b"\r" not in line and b"\n" not in line, line
        assert len(line) <= 75, (len(line), line)
        line.decode("utf-8")  # folding never splits a character
    logical: list[str] = []
    for raw in physical:
        line = raw.decode("utf-8")
        if line.startswith((" ", "\t")):
            assert logical, "continuation before any line"
            logical[-1] += line[1:]
        else:
            assert line, "empty content line"
            logical.append(line)
    root: dict | None = None
    stack: list[dict] = []
    for line in logical:
        match = re.fullmatch(r"([A-Za-z0-9-]+)((?:;[A-Za-z0-9-]+=[^;:]*)*):(.*)", line)
        assert match, line
        name, params, value = match.group(1).upper(), match.group(2), match.group(3)
        if name == "BEGIN":
            node = {"name": value, "props": {}, "components": []}
            if stack:
                stack[-1]["components"].append(node)
            else:
                assert root is None and value == "VCALENDAR"
                root = node
            stack.append(node)
        elif name == "END":
            assert stack and stack[-1]["name"] == value, (value, stack and stack[-1]["name"])
            stack.pop()
        else:
            assert stack, line
            if name in TEXT_PROPS:
                # Unescaped , ; are not allowed in TEXT (CATEGORIES may list several, but we emit one).
                assert not re.search(r"(?<!\\)(?:\\\\)*[,;]", value), line
                value = unescape(value)
            stack[-1]["props"].setdefault(name, []).append((params, value))
    assert root is not None and not stack
    return root


def prop(node, name) -> str:
    (value,) = node["props"][name]
    return value[1]


def events(cat, path=ICS, name="截止日期", **kw) -> dict[str, dict]:
    """The VEVENTs of one calendar by UID, the calendar checked on the way."""
    return calendar_events(calendar_files(cat, **kw)[path], name)


def calendar_events(data: bytes, name: str = "截止日期") -> dict[str, dict]:
    cal = parse_ics(data)
    assert prop(cal, "VERSION") == "2.0"
    assert prop(cal, "PRODID") == f"-//{NAME}//deadlines//ZH"
    assert prop(cal, "CALSCALE") == "GREGORIAN"
    assert prop(cal, "X-WR-CALNAME") == f"{NAME}：{name}"
    assert prop(cal, "X-WR-CALDESC")
    assert prop(cal, "X-WR-TIMEZONE") == "Asia/Shanghai"
    assert [c["name"] for c in cal["components"]][:1] == ["VTIMEZONE"]
    out = {}
    for event in (c for c in cal["components"] if c["name"] == "VEVENT"):
        for name in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION"):
            assert len(event["props"][name]) == 1, name
        params, start = event["props"]["DTSTART"][0]
        assert params == ";VALUE=DATE"
        end_params, end = event["props"]["DTEND"][0]
        assert end_params == ";VALUE=DATE"
        assert dt.datetime.strptime(end, "%Y%m%d") - dt.datetime.strptime(start, "%Y%m%d") == dt.timedelta(days=1)
        uid = prop(event, "UID")
        assert uid not in out
        out[uid] = event
    return out


def test_calendar_on_the_fixture(cat, tmp_path):
    files = calendar_files(cat)
    assert list(files)[0] == ICS
    now = events(cat)
    assert sorted(now) == [
        "policies-2024-yi-jian-zheng-qiu-comment-20240408@portal",
        "technologies-ai-jiu-review-20250501@portal",
    ]
    comment = now["policies-2024-yi-jian-zheng-qiu-comment-20240408@portal"]
    assert prop(comment, "DTSTART") == "20240408"
    assert prop(comment, "DTEND") == "20240409"
    assert prop(comment, "DTSTAMP") == "20240328T000000Z"
    assert prop(comment, "SUMMARY") == "意见反馈截止：关于某办法（征求意见稿）公开征求意见的通知"
    assert "关于某办法（征求意见稿）公开征求意见的通知" in prop(comment, "DESCRIPTION")
    assert "policies/2024-yi-jian-zheng-qiu/" in prop(comment, "DESCRIPTION")
    assert "URL" not in comment["props"]

    later_cat = catalogue(tmp_path / "later", LATER, extra=False)
    later = events(later_cat)
    # The comment deadline (2024-04-08) is past on 2024-04-09; the closed enrollment never shows.
    assert sorted(later) == ["technologies-ai-jiu-review-20250501@portal"]
    assert not any(uid.startswith("mentors-") for uid in now)
    uid = "technologies-ai-jiu-review-20250501@portal"
    assert prop(later[uid], "DTSTAMP") == "20240409T000000Z"
    assert prop(later[uid], "SUMMARY") == prop(now[uid], "SUMMARY")


def test_calendar_today_is_included(tmp_path):
    on_the_day = catalogue(tmp_path / "day", dt.date(2024, 4, 8), extra=False)
    assert "policies-2024-yi-jian-zheng-qiu-comment-20240408@portal" in events(on_the_day)


def test_calendar_steps_enrollment_and_escaping(rich):
    found = events(rich, site_url="https://example.org/portal")
    assert sorted(found) == [
        "mentors-example-b-enrollment-20240430@portal",
        "policies-2024-bei-jing-shi-dian-step1-20240401@portal",
        "policies-2024-bei-jing-shi-dian-step2-20240520@portal",
        "policies-2024-yi-jian-zheng-qiu-comment-20240408@portal",
        "technologies-ai-jiu-review-20250501@portal",
    ]
    step = found["policies-2024-bei-jing-shi-dian-step1-20240401@portal"]
    assert prop(step, "SUMMARY") == '申报截止,逾期不受理;请留意\\说明：关于A&B<试点>工作的"通知"'
    assert prop(step, "URL") == SITE + "policies/2024-bei-jing-shi-dian/"
    assert step["props"]["URL"][0][0] == ";VALUE=URI"
    assert SITE + "policies/2024-bei-jing-shi-dian/" in prop(step, "DESCRIPTION")
    assert "\n" in prop(step, "DESCRIPTION")
    raw = calendar_files(rich)[ICS].replace(b"\r\n ", b"")
    assert "申报截止\\,逾期不受理\\;请留意\\\\说明".encode() in raw
    mentor = found["mentors-example-b-enrollment-20240430@portal"]
    # A fictional mentor's deadline, and an illustrative review date, say so in the calendar.
    assert prop(mentor, "SUMMARY") == "传承人招收报名截止（示例）：示例传承人乙"
    assert prop(found["technologies-ai-jiu-review-20250501@portal"], "SUMMARY") == "技术评估到期（示例）：艾灸"


def test_calendar_uids_stable_across_dates(rich, tmp_path):
    now = events(rich)
    later = events(catalogue(tmp_path / "later", LATER))
    assert set(later) < set(now)
    assert sorted(later) == [
        "mentors-example-b-enrollment-20240430@portal",
        "policies-2024-bei-jing-shi-dian-step2-20240520@portal",
        "technologies-ai-jiu-review-20250501@portal",
    ]
    for uid in later:
        assert prop(later[uid], "SUMMARY") == prop(now[uid], "SUMMARY")
        assert prop(later[uid], "DTSTART") == prop(now[uid], "DTSTART")


def test_calendar_is_deterministic(rich, tmp_path):
    first = calendar_files(rich)
    assert first == calendar_files(rich)
    assert first == calendar_files(catalogue(tmp_path / "again"))
    stamps = re.findall(rb"DTSTAMP:(\S+)\r\n", first[ICS])
    assert stamps and set(stamps) == {b"20240328T000000Z"}


def test_calendar_is_valid_without_events(tmp_path):
    empty = build_catalogue(write_data(tmp_path / "empty", {}), DAY)
    cal = parse_ics(calendar_files(empty)[ICS])
    assert [c["name"] for c in cal["components"]] == ["VTIMEZONE"]


# --- one calendar per province ------------------------------------------------------------

# Deadlines of 陕西, beside EXTRA's of 北京 and the nationwide ones (a mentor of
# 全国, a notice of no region, MINIMAL's consultation and review date).
PROVINCES = {
    "policies/2024-shaanxi-call.yaml": """\
        title: 关于申报基层适宜技术推广项目的通知
        issuers: [陕西省卫生健康委员会]
        region: 陕西
        published: 2024-03-01
        kind: 通知
        deadlines:
          - date: 2024-04-15
            label: 申报截止
        """,
    "mentors/example-c.yaml": """\
        name: 示例传承人丙
        example: true
        track: 传统医学
        tier: 名老中医
        region: 陕西
        enrollment:
          status: 招收中
          deadline: 2024-05-10
        """,
    "mentors/example-d.yaml": """\
        name: 示例传承人丁
        example: true
        track: 现代医学
        tier: 资深专家
        region: 全国
        enrollment:
          status: 招收中
          deadline: 2024-06-01
        """,
    "policies/2024-no-region.yaml": """\
        title: 未注明地区的征求意见通知
        issuers: [某机关]
        published: 2024-03-02
        kind: 征求意见稿
        comment_deadline: 2024-04-20
        """,
}
NATIONWIDE = {
    "policies-2024-yi-jian-zheng-qiu-comment-20240408@portal",
    "policies-2024-no-region-comment-20240420@portal",
    "mentors-example-d-enrollment-20240601@portal",
    "technologies-ai-jiu-review-20250501@portal",
}
SHAANXI_OWN = {
    "policies-2024-shaanxi-call-step1-20240415@portal",
    "mentors-example-c-enrollment-20240510@portal",
}
BEIJING_OWN = {
    "policies-2024-bei-jing-shi-dian-step1-20240401@portal",
    "policies-2024-bei-jing-shi-dian-step2-20240520@portal",
    "mentors-example-b-enrollment-20240430@portal",
}


@pytest.fixture
def provinces(tmp_path):
    return build_catalogue(write_data(tmp_path / "provinces", {**MINIMAL, **EXTRA, **PROVINCES}), DAY)


def province_calendar(cat, region: str) -> str:
    (url,) = [r.url for r in RouteTable.build(cat).calendars() if r.region == region]
    return url


def province_events(cat, region: str) -> dict[str, dict]:
    return events(cat, province_calendar(cat, region), f"{region}及全国的截止日期")


def test_every_province_has_a_calendar_of_its_own(cat):
    """All 34 province-level regions, deadlines of their own or not: a stable address each."""
    calendars = RouteTable.build(cat).calendars()
    provinces = [r for r in calendars if r.region]
    assert [r.region for r in provinces] == [v for v in cat.vocab.regions if v != "全国"]
    assert len(provinces) == 34 and calendars[0].url == ICS and calendars[0].region is None
    files = calendar_files(cat)
    assert list(files) == [r.url for r in calendars]
    assert len(set(files)) == 35 and all(re.fullmatch(r"calendar/[a-z0-9-]+\.ics", path) for path in files)
    assert routes.calendar(routes.ALL_DEADLINES) == routes.CALENDAR == ICS
    # No deadline of any province is ahead here (四川's enrollment has closed):
    # every province's calendar holds the nationwide ones.
    nationwide = events(cat)
    for route in provinces:
        assert list(province_events(cat, route.region)) == list(nationwide), route.region
    # Homophones have addresses of their own, as their feeds do.
    assert province_calendar(cat, "陕西") == "calendar/shan3-xi1.ics"
    assert province_calendar(cat, "山西") == "calendar/shan1-xi1.ics"


def test_a_province_calendar_holds_its_own_and_the_nationwide_deadlines(provinces):
    every = events(provinces)
    shaanxi, beijing = province_events(provinces, "陕西"), province_events(provinces, "北京")
    assert set(shaanxi) == NATIONWIDE | SHAANXI_OWN
    assert set(beijing) == NATIONWIDE | BEIJING_OWN
    assert set(province_events(provinces, "四川")) == NATIONWIDE
    # An event is the same event in every calendar: its UID and every line, in the same order.
    for found in (shaanxi, beijing):
        assert list(found) == [uid for uid in every if uid in found]
        assert all(event == every[uid] for uid, event in found.items())
    # Every deadline is in the calendar of its province or in all of them.
    regions = [r.region for r in RouteTable.build(provinces).calendars() if r.region]
    assert set().union(*(province_events(provinces, region) for region in regions)) == set(every)


def test_a_province_calendar_is_named_as_its_feed(provinces):
    """陕西: feeds/policies-region-shan3-xi1.xml and calendar/shan3-xi1.ics."""
    table = RouteTable.build(provinces)
    feeds_by_region = {f.region: f.url for f in table.feeds() if f.region}
    assert feeds_by_region["陕西"] == "feeds/policies-region-shan3-xi1.xml"
    for route in table.calendars():
        if route.region in feeds_by_region:
            name = route.url.removeprefix("calendar/").removesuffix(".ics")
            assert feeds_by_region[route.region] == f"feeds/policies-region-{name}.xml"


def test_fold_respects_octets_and_characters():
    line = "DESCRIPTION:" + "卫生健康技术推广门户" * 20 + "abc"
    parts = fold(line)
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line
    for i, part in enumerate(parts):
        assert len(part.encode("utf-8")) <= 75
        assert part.startswith(" ") == (i > 0)
    assert fold("SHORT:x") == ["SHORT:x"]
    exact = "X:" + "a" * 73
    assert fold(exact) == [exact]
    assert fold(exact + "b") == [exact, " b"]
    assert escape_text('a,b;c\\d\ne\r\nf') == "a\\,b\\;c\\\\d\\ne\\nf"
