"""Fields a notice implies rather than states: region, topics, kind, deadlines, issuers."""

from __future__ import annotations

import datetime as dt
import re

from ..vocab import Vocab
from .text import CJK, ORGAN_SUFFIX, parse_date, squeeze

_SPLIT_ISSUERS = re.compile(r"[、，,；;]|\s+")


def split_issuers(text: str) -> list[str]:
    """“国家医疗保障局办公室、教育部办公厅等” → the organs, without the trailing 等."""
    text = squeeze(text).strip()
    text = re.sub(r"等\s*$", "", text)
    organs = [o.strip() for o in _SPLIT_ISSUERS.split(text) if o.strip()]
    return [re.sub(r"等$", "", o) for o in organs if o not in ("等",)]


class RegionRules:
    def __init__(self, vocab: Vocab):
        rules = vocab.data.get("import", {})
        self.regions = [r for r in vocab.regions if r != "全国"]
        self.national = tuple(rules.get("national_issuers", []))
        self.aliases: list[tuple[str, str]] = []
        for region in self.regions:
            self.aliases.append((region, region))
            for alias in rules.get("region_aliases", {}).get(region, []):
                self.aliases.append((str(alias), region))
        # Longest names first: 内蒙古自治区 before 内, 新疆生产建设兵团 before 新.
        self.aliases.sort(key=lambda pair: len(pair[0]), reverse=True)
        # By first character, in the same order: a name is compared with a handful, not all.
        self.by_first: dict[str, list[tuple[str, str]]] = {}
        for alias, region in self.aliases:
            if alias:
                self.by_first.setdefault(alias[0], []).append((alias, region))

    def of_name(self, name: str, *, abbreviations: bool = False) -> str | None:
        name = re.sub(r"^中共", "", squeeze(name))
        for alias, region in self.by_first.get(name[:1], ()):
            if len(alias) == 1 and not abbreviations:
                continue
            if name.startswith(alias):
                return region
        return None

    def is_national(self, name: str) -> bool:
        return squeeze(name).startswith(self.national)

    def region(self, issuers: list[str], title: str = "", doc_number: str | None = None) -> tuple[str, str]:
        """(region, how it was found). Issuers decide; then a title tag (“上海：”), then the doc number's abbreviation."""
        for organ in issuers:
            found = self.of_name(organ)
            if found:
                return found, "issuers"
        if issuers and all(self.is_national(o) for o in issuers):
            return "全国", "issuers"
        tag = re.match(f"^([{CJK}]{{2,8}})[:：]", title)
        if tag and self.of_name(tag.group(1)):
            return self.of_name(tag.group(1)), "title"
        found = self.of_name(title)
        if found and not title.startswith(("国家", "国务院")):
            return found, "title"
        if doc_number:
            found = self.of_name(doc_number, abbreviations=True)
            if found:
                return found, "doc_number"
        return "全国", "default"


def topics(vocab: Vocab, category: str, title: str, keywords: list[str]) -> list[str]:
    """Topics from 类别 when it maps to the vocabulary, else from words in the title and keywords."""
    rules = vocab.data.get("import", {})
    allowed = vocab.values("policy.topics")
    found: list[str] = []
    for part in split_issuers(category) if category else []:
        topic = part if part in allowed else rules.get("category_topics", {}).get(part)
        if topic in allowed and topic not in found:
            found.append(topic)
    if found:
        return found
    text = title + " " + " ".join(keywords)
    for topic, words in rules.get("topic_keywords", {}).items():
        if topic in allowed and any(w in text for w in words):
            found.append(topic)
    return found[:3]


def kind(vocab: Vocab, title: str) -> str | None:
    if re.search("征求.{0,30}意见", title) or "征求意见稿" in title:
        return "征求意见稿"
    bare = re.sub(r"[（(][^）)]*[）)]$", "", title)
    for candidate in vocab.values("policy.kind"):
        if candidate != "征求意见稿" and bare.endswith(candidate):
            return candidate
    return None


_PERIOD = re.compile(
    r"(?:征集|征求意见|反馈|公示)(?:时间|期限|期)\s*[:：为]?\s*(?P<start>\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)"
    r"\s*[—–\-－~～至到]+\s*(?P<end>(?:\d{4}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*日)"
)
_BEFORE = re.compile(
    r"(?P<every>每年|每季度|每月)?\s*(?:(?P<year>\d{4})\s*年\s*)?(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*日"
    r"\s*(?:\d{1,2}\s*[:：时点]\s*\d{0,2}\s*分?)?\s*(?:前|之前|以前|止|截止)"
)
_COMMENT_WORDS = re.compile("意见|建议|反馈")
_CALL_WORDS = re.compile("申报|征集|推荐|报名|遴选|申请")


def _date_in(match: re.Match, context_year: int, not_before: dt.date | None) -> dt.date | None:
    year = int(match["year"]) if match["year"] else context_year
    try:
        day = dt.date(year, int(match["month"]), int(match["day"]))
    except ValueError:
        return None
    if not match["year"] and not_before and day < not_before:
        try:
            day = day.replace(year=year + 1)
        except ValueError:
            return None
    return day


def comment_deadline(paras: list[str], issued: dt.date | None) -> dt.date | None:
    """The end of a consultation: 征集时间：A—B, or a date before which comments go back."""
    year = issued.year if issued else dt.date.today().year
    for para in paras:
        period = _PERIOD.search(para)
        if period:
            end = period["end"]
            if "年" not in end:
                end = f"{parse_date(period['start']).year}年{end}"
            return parse_date(end)
    for para in paras:
        for sentence in re.split("[。；]", para):
            if not _COMMENT_WORDS.search(sentence):
                continue
            for match in _BEFORE.finditer(sentence):
                if not match["every"]:
                    found = _date_in(match, year, issued)
                    if found:
                        return found
    return None


# How far from its date a step's words are looked for: a clause is far shorter,
# and searching a whole paragraph for each of thousands of dates was quadratic.
_CLAUSE_REACH = 500


def _clause(para: str, match: re.Match) -> str:
    """The step a date belongs to, in the notice's words, without the date itself."""
    reach = max(0, match.start() - _CLAUSE_REACH)
    start = max(max(para.rfind(c, reach, match.start()) for c in "，。；：") + 1, reach)
    ends = [i for i in (para.find(c, match.end(), match.end() + _CLAUSE_REACH) for c in "。；") if i != -1]
    end = min(ends) if ends else min(len(para), match.end() + _CLAUSE_REACH)
    before = re.sub(r"(?:并|请)?(?:于|在)?$", "", para[start:match.start()])
    text = re.sub(r"^[（(][一二三四五六七八九十\d]+[）)]", "", before + para[match.end():end])
    return text.strip("，、 ")[:80]


def call_deadlines(paras: list[str], issued: dt.date | None) -> list[dict]:
    """Dated steps of a call for applications: “于5月20日前…报送申报书”."""
    year = issued.year if issued else dt.date.today().year
    steps: dict[dt.date, dict] = {}  # one step per date, the first that names it
    for para in paras:
        if not _CALL_WORDS.search(para):
            continue
        for match in _BEFORE.finditer(para):
            if match["every"]:
                continue
            day = _date_in(match, year, issued)
            if day and day not in steps:
                steps[day] = {"date": day, "label": _clause(para, match) or "截止"}
    return sorted(steps.values(), key=lambda s: s["date"])


def looks_like_organ(line: str) -> bool:
    text = squeeze(line)
    return 2 <= len(text) <= 30 and text.endswith(ORGAN_SUFFIX + ("组", "小组", "领导小组办公室")) \
        and not re.search("[，。；：:]", text)
