"""What the site search knows of words, written beside the index for the browser.

search-core.js reads a query with two files the build writes into pagefind/:

* TERMS_FILE, loaded with the search: the question words and synonyms that
  maintainers keep in data/vocab.yaml (search:), the words that name a facet
  (陕西, 中医药, 村卫生室 …) with their filter and listing page, and the months
  that have notices (a query's 2024年3月 or 3月份 becomes a filter on them).
* LEXICON_FILE, loaded only when a query is typed in pinyin or matches
  nothing as typed: the index's own words (names, aliases, keywords, topics,
  and the character pairs of titles, most used first) and the readings of
  Chinese characters from pypinyin, the library the page addresses use. From
  them the browser reads zhenjiu and zj as 针灸, and suggests 骗保 for 偏保.
"""

from __future__ import annotations

import json
import re
from collections import Counter

from pypinyin import Style, pinyin

from . import routes
from .catalogue import Catalogue
from .facets import FACETS, REGION_FACET
from .schema import COLLECTION_BY_NAME
from .search_docs import HAN_RANGES

TERMS_FILE = "portal-terms.json"
LEXICON_FILE = "portal-lexicon.json"

# The search filters a facet word narrows to (facet label → the filter of the
# same name in the index, search_docs.record_document); other facets only link.
_FILTERED = {"地区", "主题", "管理类别", "技术范围", "适用机构", "层级", "传承类别"}
# Lexicon size: the words most used first, enough for every name and topic of
# a national catalogue while the file stays small for a phone.
LEXICON_WORDS = 5_000
_HAN = re.compile("[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in HAN_RANGES) + "]+")


def _facet_words(catalogue: Catalogue, table: routes.RouteTable) -> list[list]:
    """[word, filter or "", value, label, url] for every facet value with records."""
    aliases = ((catalogue.vocab.data.get("import") or {}).get("region_aliases") or {})
    out = []
    for name, facets in FACETS.items():
        label = COLLECTION_BY_NAME[name].label
        for facet in facets:
            if facet.key == "year":
                continue  # dates in a query are read as dates
            for value, _count in table.facet_counts.get((name, facet.key), []):
                words = [value]
                if facet.key == REGION_FACET:
                    # 陕西省, 西安: longer names only (陕 alone is part of too many words).
                    words += [str(a) for a in aliases.get(value, []) if len(str(a)) >= 2]
                url = "/" + routes.facet_url(name, facet, value)
                show = f"{label} · {facet.label}：{value}"
                for word in words:
                    out.append([word, facet.label if facet.label in _FILTERED else "", value, show, url])
    return out


def terms(catalogue: Catalogue, table: routes.RouteTable) -> dict:
    vocab = catalogue.vocab
    return {
        "question": vocab.search_words("question_words"),
        "keep": vocab.search_words("keep_words"),
        "synonyms": vocab.search_words("synonyms"),
        "facets": _facet_words(catalogue, table),
        "months": sorted({f"{r.data['published']:%Y-%m}" for r in catalogue.policies.values()}),
    }


def _record_words(rec) -> list[str]:
    d = rec.data
    words = [d.get("name"), d.get("category")]
    for field in ("aliases", "specialties", "indications", "keywords", "topics"):
        words += d.get(field) or []
    return [str(w) for w in words if w]


def lexicon(catalogue: Catalogue, terms_data: dict) -> dict:
    """{"words": "w1 w2 …" (most used first), "pinyin": {syllable: characters read so
    usually}, "more": {syllable: characters that may also be read so}}."""
    named: Counter = Counter()
    pairs: Counter = Counter()
    for rec in catalogue.all():
        for word in set(_record_words(rec)):
            for run in _HAN.findall(word):
                if len(run) >= 2:
                    named[run] += 1
        for run in _HAN.findall(rec.title):
            pairs.update({run[i:i + 2] for i in range(len(run) - 1)})
    for group in terms_data["synonyms"]:
        named.update(w for w in group if _HAN.fullmatch(w))
    named.update(w[0] for w in terms_data["facets"] if _HAN.fullmatch(w[0]))
    # Named words first (a record's name or keyword says more than a title's
    # pair), each group by use; then as many title pairs as there is room for.
    words = sorted(named, key=lambda w: (-named[w], w))
    words += sorted((p for p in pairs if p not in named), key=lambda p: (-pairs[p], p))
    words = words[:LEXICON_WORDS]
    chars = sorted({c for w in words for c in w} | _common_characters())
    # A character's usual reading ("pinyin") apart from its others ("more"):
    # initials (zj) are read by the usual one only (宁 is ning, not zhu).
    usual: dict[str, list[str]] = {}
    more: dict[str, list[str]] = {}
    for char in chars:
        found = [s for s in dict.fromkeys(pinyin(char, style=Style.NORMAL, heteronym=True)[0])
                 if s.isascii() and s.isalpha()]
        for n, syllable in enumerate(found):
            (more if n else usual).setdefault(syllable, []).append(char)
    return {"words": " ".join(words), "pinyin": {s: "".join(c) for s, c in sorted(usual.items())},
            "more": {s: "".join(c) for s, c in sorted(more.items())}}


def _common_characters() -> set[str]:
    """GB 2312's characters: those a phone's input method offers first, so a
    misspelt query's characters have readings too."""
    out = set()
    for high in range(0xB0, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                out.add(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return out


def search_term_files(catalogue: Catalogue, table: routes.RouteTable) -> dict[str, bytes]:
    """{file name under pagefind/: content} of TERMS_FILE and LEXICON_FILE."""
    data = terms(catalogue, table)
    return {TERMS_FILE: _json(data), LEXICON_FILE: _json(lexicon(catalogue, data))}


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
