"""Controlled vocabularies, read from data/vocab.yaml."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .problems import Problem


class VocabError(Exception):
    def __init__(self, problems: Problem | list[Problem]):
        problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems
        self.problem = problems[0]


# Values become parts of addresses (policies/by/topic/中医药/) and labels on
# every page: a slash or ".." would leave the folder, "?", "#" and "%" would
# break the link, hidden characters would change what readers see.
_UNSAFE_VALUE = re.compile(r"[/\\?#%<>\"\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]")
MAX_VALUE_CHARS = 40

# Where the vocabulary holds lists of values (or mappings whose keys are the
# values), by dotted path; every one is required.
VALUE_LISTS = (
    "regions",
    "technology.tradition", "technology.category", "technology.management_class",
    "technology.prohibited_management_class", "technology.research_management_class", "technology.levels", "technology.stage",
    "technology.selection_method", "technology.promotion_methods",
    "mentor.tracks", "mentor.cycles", "mentor.teaching_modes", "mentor.enrollment_status",
    "policy.topics", "policy.kind", "policy.validity",
)


# The region of what concerns the whole country; every other region is a
# province-level division (a province's calendar holds its own deadlines and these).
NATIONAL = "全国"

# The parts of a filing rule (technology.filing.<class>) every page that states it shows.
FILING_TEXTS = ("source", "before", "when", "to", "after", "cases")


def value_problem(value) -> str | None:
    """Why a vocabulary value cannot be used (in an address, a label), or None."""
    if not isinstance(value, str) or isinstance(value, bool):
        return f"应为文本，实际为 {value!r}"
    if not value.strip() or value != value.strip():
        return f"“{value}”为空或首尾有空格"
    if value in (".", "..") or value.startswith("."):
        return f"“{value}”不能以“.”开头"
    if len(value) > MAX_VALUE_CHARS:
        return f"“{value[:20]}…”过长（上限 {MAX_VALUE_CHARS} 字）"
    bad = _UNSAFE_VALUE.search(value)
    if bad:
        return f"“{value}”含有不能用于网址和标签的字符（U+{ord(bad.group(0)):04X}）"
    return None


@dataclass
class Vocab:
    data: dict
    path: Path
    # Values by dotted path, worked out once: every field of every record asks.
    _values: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def load(cls, path: Path) -> "Vocab":
        from .files import InputFileError, check_regular
        from .loader import read_record

        shown = str(path)
        try:
            # Beside the records, as they are: a link may not lead out of the data directory.
            check_regular(Path(path), Path(path).parent)
        except InputFileError as exc:
            if exc.code == "missing-file":
                raise VocabError(Problem(shown, 1, "vocab", "找不到受控词表文件", "missing-vocab")) from None
            raise VocabError(Problem(shown, 1, "vocab", exc.message, exc.code)) from None
        record, problems = read_record(Path(path), shown, "vocab", "vocab")
        if record is None:
            raise VocabError([p if p.field not in ("record", "yaml", "file") else Problem(p.path, p.line, "vocab", p.message, p.code)
                              for p in problems])
        problems += _shape_problems(record)
        if problems:
            raise VocabError(problems)
        return cls(record.data, Path(path))

    def values(self, dotted: str) -> list[str]:
        """Allowed values at a dotted path; a mapping's keys are its values."""
        if dotted not in self._values:
            self._values[dotted] = tuple(self._find_values(dotted))
        return list(self._values[dotted])

    def _find_values(self, dotted: str) -> list[str]:
        if dotted == "mentor.tiers":
            seen: list[str] = []
            for track in self.values("mentor.tracks"):
                for tier in self.tiers(track):
                    if tier not in seen:
                        seen.append(tier)
            return seen
        node = self.data
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                raise VocabError(Problem(str(self.path), 1, dotted, "受控词表缺少该项", "missing-vocab"))
            node = node[part]
        if isinstance(node, dict):
            return [str(k) for k in node]
        return [str(v) for v in node or []]

    # Mentor programme helpers: the plan ties tiers to tracks and cycles to hours.
    def track(self, track: str) -> dict:
        return self.data["mentor"]["tracks"].get(track) or {}

    def tiers(self, track: str) -> dict:
        return self.track(track).get("tiers") or {}

    def tier(self, track: str, tier: str) -> dict:
        return self.tiers(track).get(tier) or {}

    def cycle(self, name: str) -> dict:
        return self.data["mentor"]["cycles"].get(name) or {}

    @property
    def cycles(self) -> dict:
        return self.data["mentor"]["cycles"]

    def filing(self, management_class) -> dict:
        """What a facility must file to use a technology of this class ({} when nothing)."""
        return ((self.data.get("technology") or {}).get("filing") or {}).get(management_class) or {}

    def search_words(self, name: str) -> list:
        """search.question_words, search.keep_words or search.synonyms ([] when absent)."""
        return list((self.data.get("search") or {}).get(name) or [])

    @property
    def regions(self) -> list[str]:
        return self.values("regions")

    @property
    def provinces(self) -> list[str]:
        """The province-level regions, in the vocabulary's order: every region but 全国."""
        return [region for region in self.regions if region != NATIONAL]


def _shape_problems(record) -> list[Problem]:
    """Every part of the vocabulary the code reads, in the shape it reads it."""
    problems: list[Problem] = []

    def error(key: tuple, name: str, message: str, code: str = "bad-vocab") -> None:
        problems.append(Problem(record.path, record.line(*key), name, message, code))

    def node(key: tuple):
        value = record.data
        for part in key:
            if not isinstance(value, dict) or part not in value:
                return None
            value = value[part]
        return value

    for dotted in VALUE_LISTS:
        key = tuple(dotted.split("."))
        value = node(key)
        if value is None:
            error(key, dotted, "受控词表缺少该项", "missing-vocab")
            continue
        if not isinstance(value, (list, dict)):
            error(key, dotted, "应为值的列表", "bad-vocab")
            continue
        items = list(value) if isinstance(value, dict) else value
        for i, item in enumerate(items):
            why = value_problem(item)
            if why:
                error(key + ((str(item),) if isinstance(value, dict) else (i,)), f"{dotted}[{i}]", why, "bad-vocab-value")
        if len(set(map(str, items))) != len(items):
            error(key, dotted, "有重复的值", "duplicate-item")
    tracks = node(("mentor", "tracks"))
    if isinstance(tracks, dict):
        for track, spec in tracks.items():
            where = ("mentor", "tracks", str(track))
            tiers = spec.get("tiers") if isinstance(spec, dict) else None
            if not isinstance(tiers, dict) or not tiers:
                error(where, f"mentor.tracks.{track}.tiers", "每个传承类别都要列出它的层级（tiers: 映射）")
                continue
            for tier, about in tiers.items():
                why = value_problem(tier)
                if why:
                    error(where + ("tiers", str(tier)), f"mentor.tracks.{track}.tiers", why, "bad-vocab-value")
                if about is not None and not isinstance(about, dict):
                    error(where + ("tiers", str(tier)), f"mentor.tracks.{track}.tiers.{tier}", "应为映射（definition、apprentice_eligibility）")
                elif about and any(not isinstance(v, str) for v in about.values()):
                    error(where + ("tiers", str(tier)), f"mentor.tracks.{track}.tiers.{tier}", "说明文字应为文本")
    cycles = node(("mentor", "cycles"))
    if isinstance(cycles, dict):
        for name, spec in cycles.items():
            where = ("mentor", "cycles", str(name))
            hours = spec.get("hours") if isinstance(spec, dict) else None
            breakdown = spec.get("breakdown") if isinstance(spec, dict) else None
            if isinstance(hours, bool) or not isinstance(hours, int) or not isinstance(breakdown, dict) or \
                    any(isinstance(v, bool) or not isinstance(v, int) for v in breakdown.values()):
                error(where, f"mentor.cycles.{name}", "每个学习周期应有 hours（整数）和 breakdown（课程: 课时）")
    filing = node(("technology", "filing"))
    if filing is not None and not isinstance(filing, dict):
        error(("technology", "filing"), "technology.filing", "应为映射（管理类别: 备案要求）")
    elif filing:
        for cls, spec in filing.items():
            where = ("technology", "filing", str(cls))
            if not isinstance(spec, dict) or any(not isinstance(spec.get(k), str) or not spec[k].strip() for k in FILING_TEXTS) \
                    or not isinstance(spec.get("materials", []), list) or not all(isinstance(m, str) for m in spec.get("materials", [])):
                error(where, f"technology.filing.{cls}",
                      f"每个管理类别的备案要求应有文字 {'、'.join(FILING_TEXTS)}，materials 为文字列表")
    search = record.data.get("search")
    if search is not None and not isinstance(search, dict):
        error(("search",), "search", "应为映射（question_words、keep_words、synonyms）")
    elif search:
        for name in ("question_words", "keep_words"):
            words = search.get(name)
            if words is not None and not (isinstance(words, list) and all(isinstance(w, str) and w.strip() for w in words)):
                error(("search", name), f"search.{name}", "应为词语的列表")
        groups = search.get("synonyms")
        if groups is not None and not isinstance(groups, list):
            error(("search", "synonyms"), "search.synonyms", "应为同义词组的列表，每组如 [儿童, 孩子]")
        seen: dict[str, int] = {}
        for i, group in enumerate(groups or []) if isinstance(groups, list) else ():
            if not (isinstance(group, list) and len(group) >= 2
                    and all(isinstance(w, str) and w.strip() and not isinstance(w, bool) for w in group)):
                error(("search", "synonyms", i), f"search.synonyms[{i}]", "每组至少两个词，如 [儿童, 孩子]")
                continue
            for word in group:
                folded = word.strip().lower()
                if folded in seen and seen[folded] != i:
                    error(("search", "synonyms", i), f"search.synonyms[{i}]",
                          f"“{word}”已在第 {seen[folded] + 1} 组中：一个词只能属于一组")
                seen[folded] = i
    rules = record.data.get("import")
    if rules is not None and not isinstance(rules, dict):
        error(("import",), "import", "应为映射")
    elif rules:
        for name in ("category_topics", "topic_keywords", "region_aliases"):
            part = rules.get(name)
            if part is not None and not isinstance(part, dict):
                error(("import", name), f"import.{name}", "应为映射")
        national = rules.get("national_issuers")
        if national is not None and not (isinstance(national, list) and all(isinstance(v, str) for v in national)):
            error(("import", "national_issuers"), "import.national_issuers", "应为文本的列表")
        for name in ("topic_keywords", "region_aliases"):
            for group, words in (rules.get(name) or {}).items() if isinstance(rules.get(name), dict) else ():
                if not isinstance(words, list) or not all(isinstance(w, (str, int)) and not isinstance(w, bool) for w in words):
                    error(("import", name, str(group)), f"import.{name}.{group}", "应为文本的列表")
    return problems
