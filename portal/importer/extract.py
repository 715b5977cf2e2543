"""Fields a notice implies rather than states: region, topics, kind, deadlines, issuers."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ..catalogue import china_today
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


TOPIC_RULES = ("topic_keywords", "topic_doc_numbers", "topic_issuers", "topic_body")


def _rule_words(rules: dict, name: str) -> dict[str, list[str]]:
    """A topic → words table of the import rules (malformed parts ignored: vocabulary validation reports them)."""
    table = rules.get(name)
    if not isinstance(table, dict):
        return {}
    return {str(topic): [str(w) for w in words if str(w)] for topic, words in table.items() if isinstance(words, list)}


def doc_prefix(doc_number: str | None) -> str:
    """The organ part of a doc number: 沪卫职健〔2024〕9号 → 沪卫职健."""
    if not doc_number:
        return ""
    return re.split(r"[〔［\[【(（]|\d{4}", doc_number, maxsplit=1)[0]


def _about(title: str) -> str:
    """A title without the issuers' names before it: “福建省药品监督管理局关于印发《…医疗器械…》” is about devices."""
    text = squeeze(title).replace(" ", "")
    for word in ("关于", "印发", "转发"):
        at = text.find(word)
        if 0 <= at <= 60:
            return text[at:]
    return text


def topics(vocab: Vocab, category: str, title: str, keywords: list[str], *, issuers: list[str] = (),
           doc_number: str | None = None, body: str = "") -> tuple[list[str], str]:
    """(topics, how) from what a notice is about, by the rules in vocab.yaml `import:`.

    Words of the title (and the compilation's 关键字) come first, ordered by where
    they stand in the title, so the primary topic is what the title names first;
    then the doc number's organ prefix (沪卫职健 → 职业健康), the lead issuer
    (上海市爱国卫生运动委员会 → 健康促进) and words the text repeats often. The
    compilation's 类别 is used only when nothing else says anything, and only
    when it is a topic name itself: it is often wrong.
    """
    rules = vocab.data.get("import", {}) or {}
    allowed = set(vocab.values("policy.topics"))
    limit = rules.get("topic_limit", 3)
    limit = limit if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0 else 3
    found: list[str] = []

    def add(topic: str) -> None:
        if topic in allowed and topic not in found:
            found.append(topic)

    title_text = _about(title)
    hits = []
    for order, (topic, words) in enumerate(_rule_words(rules, "topic_keywords").items()):
        places = [title_text.find(w) for w in words if w in title_text]
        if places:
            hits.append((min(places), order, topic))
        elif any(w in k for w in words for k in keywords):
            hits.append((len(title_text) + 1, order, topic))
    for _place, _order, topic in sorted(hits):
        add(topic)
    prefix = doc_prefix(doc_number)
    lead = squeeze(issuers[0]).replace(" ", "") if issuers else ""
    organ = [topic for topic, words in _rule_words(rules, "topic_doc_numbers").items()
             if prefix and any(w in prefix for w in words)]
    organ += [topic for topic, words in _rule_words(rules, "topic_issuers").items()
              if lead and any(w in lead for w in words)]
    # The title's topic that the issuing office confirms (赣医保字 for 药店门诊统筹) comes first.
    confirmed = next((t for t in found if t in organ), None)
    if confirmed:
        found.remove(confirmed)
        found.insert(0, confirmed)
    for topic in organ:
        add(topic)
    least = rules.get("topic_body_min", 5)
    least = least if isinstance(least, int) and not isinstance(least, bool) and least > 0 else 5
    if body:
        counts = []
        for order, (topic, words) in enumerate(_rule_words(rules, "topic_body").items()):
            count = sum(body.count(w) for w in words)
            if count >= least:
                counts.append((-count, order, topic))
        for _count, _order, topic in sorted(counts):
            add(topic)
    if found:
        return found[:limit], "rules"
    for part in split_issuers(category) if category else []:
        if part in allowed:
            add(part)
    return found[:limit], ("category" if found else "none")


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
    year = issued.year if issued else china_today().year
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
    year = issued.year if issued else china_today().year
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


# ------------------------------------------------------------- effective / validity

# What a notice calls itself when it says from when it applies.
_SELF = "本(?:通知|意见|实施意见|办法|实施办法|细则|实施细则|规定|方案|实施方案|规范|基准|措施|标准|决定|公告|通告|清单|目录|指南|要点|计划|原则|规程|《[^》]{1,12}》)"
_DATE = r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
_EFFECTIVE = re.compile(
    f"(?P<subject>{_SELF}|《(?P<named>[^》]{{2,40}})》)?(?:由[^。；，]{{2,30}}负责解释[。，；]?)?\\s*"
    f"自\\s*(?:(?P<date>{_DATE})|(?:本(?:通知|文件|办法|细则|意见)?)?(?P<event>印发|下发|签发|发布|公布|发文)之日)"
    f"\\s*起?\\s*(?P<after>\\d+\\s*日后)?\\s*起?\\s*(?:正式)?(?:施行|实施|执行|生效)"
)
_EXPIRES = re.compile(f"有效期(?:至|到)\\s*(?P<date>{_DATE})")
_PERIOD_YEARS = re.compile(r"有效期\s*(?:为)?\s*(?P<n>[\d一二三四五六七八九十]+)\s*年")
_STATED_VALIDITY = re.compile("(?:有效性|时效性|效力)\\s*[:：]?\\s*(?P<v>现行有效|已修订|已废止|已失效)")


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


@dataclass
class Validity:
    effective: dt.date | None = None
    expires: dt.date | None = None
    validity: str | None = None
    notes: list[str] = field(default_factory=list)   # what was stated but could not be written as a date


def validity(paras: list[str], title: str, written: dt.date | None, published: dt.date | None) -> Validity:
    """施行日期, 有效期至 and 效力 as the notice states them about itself.

    Only sentences about the notice itself count (本办法…自…起施行, or a bare
    “自…起施行” after “本措施由…负责解释”), never another document it cites
    (《中药饮片标签管理规定》…2024年8月1日起施行). A document named in 《》
    counts when its name is an abbreviation of the title (《免罚清单》 of
    “…免罚事项清单”). “自印发之日起” is the written date, “自发布/公布之日起”
    the published date; “30日后施行” and “有效期五年” are not turned into dates.
    """
    found = Validity()
    plain_title = squeeze(title).replace(" ", "")
    for para in paras:
        text = squeeze(para).replace(" ", "")
        for sentence in re.split("[。；]", text):
            match = _EFFECTIVE.search(sentence)
            if match and found.effective is None:
                named = match["named"]
                about_self = bool(match["subject"]) and (not named or _is_subsequence(named, plain_title))
                if not match["subject"]:
                    # A bare “自…起施行” opening a sentence (or after “…负责解释，”) is the notice's own.
                    about_self = match.start() == 0 or bool(re.match("^本[^，]{1,12}由", sentence))
                if about_self:
                    if match["after"]:
                        found.notes.append(f"施行日期为“{match.group(0)}”，需按发布日期推算，未填 effective")
                    elif match["date"]:
                        found.effective = parse_date(match["date"])
                    elif match["event"] in ("印发", "下发", "签发", "发文"):
                        found.effective = written
                    else:
                        found.effective = published
                    expires = _EXPIRES.search(sentence[match.start():]) or _EXPIRES.search(
                        text[text.find(sentence) + len(sentence):][:40])
                    if expires:
                        found.expires = parse_date(expires["date"])
                    else:
                        years = _PERIOD_YEARS.search(text[text.find(sentence):][:len(sentence) + 40])
                        if years:
                            found.notes.append(f"原文写“有效期{years['n']}年”，到期日未写明，未填 expires")
            stated = _STATED_VALIDITY.search(sentence)
            if stated and found.validity is None and stated["v"] != "已失效":
                found.validity = stated["v"]
    return found
