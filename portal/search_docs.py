"""What the search index holds: one small document per record and content page.

Chinese has no spaces between words, and left to itself Pagefind segments it
twice: with jieba when indexing and with the browser's Intl.Segmenter when
searching, and the two disagree (随访 is one word to jieba, 随|访 to Chromium).
So the index holds the text as character pairs (search_docs.pairs: 基层医疗 →
基层 层医 医疗 疗), written in letters because Pagefind takes Chinese query
words apart; the site's search script (search-core.js) looks a query up by
the same pairs, so 高血压 … 管理 finds a record wherever each word stands.

A pair costs one small entry per page however often the page repeats it, so
the body is indexed as its distinct pairs (weight 1) and the fields that name
a record (title, doc number, aliases: weight 10; keywords, summary …: less)
as all of theirs. Readers never see these words: a result's facts, badge and
excerpt come from the document's meta (summary and the first part of the
text), so the excerpt is a sentence of the record itself.

Documents are made from the records, not read back from the built pages
(search_index.py hands them to Pagefind), so the pages carry no search markup.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from .catalogue import Record
from .schema import COLLECTION_BY_NAME
from .statuses import MENTOR, POLICY, TECHNOLOGY
from .dates import cn_date
from .render.text import markdown_to_html

# What counts as a Chinese (Han) character: CJK Unified Ideographs, Extension A
# and the compatibility ideographs. search-core.js's HAN is the same set
# (tests/test_search_docs.py holds them together).
HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
# Full-width letters and digits fold to ASCII, as the search script folds queries.
_FULLWIDTH = {c: unicodedata.normalize("NFKC", chr(c)) for c in range(0xFF10, 0xFF5B) if chr(c).isalnum()}

_HAN_RUN = re.compile("[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in HAN_RANGES) + "]+")
_LETTERS_AND_DIGITS = re.compile(r"[^\W_]+")
# Pagefind's browser search takes a Chinese query word apart into characters,
# so pair words are written in letters: PAIR_PREFIX, then each character's code
# point in four letters a-p (hex digits 0-f). Letters and digits of the same
# fields (doc numbers: 13, 2024) get NUMBER_PREFIX, so that they too sort
# apart from the body text. search-core.js writes queries the same way.
PAIR_PREFIX = "zq"
NUMBER_PREFIX = "zz"
_LETTERS = str.maketrans("0123456789abcdef", "abcdefghijklmnop")
# Each Han character's four letters, in one table (str.translate runs in C).
_CODES = {c: f"{c:04x}".translate(_LETTERS) for lo, hi in HAN_RANGES for c in range(lo, hi + 1)}


def _pair_run(letters: str) -> list[str]:
    last = len(letters) - 4
    return [PAIR_PREFIX + letters[i:i + 8] for i in range(0, last, 4)] + [PAIR_PREFIX + letters[last:]]


def pairs(text: str) -> str:
    """The index words of a text: each run of Chinese characters as its
    overlapping pairs, then its last character alone (基层医疗 → 基层 层医 医疗
    疗), written in letters (_CODES); each run of letters or digits prefixed
    (13 → zz13).

    search-core.js looks a query word up by its pairs (高血压 → 高血 血压).
    Pagefind matches a query word as a prefix, so one character finds the
    pairs it starts; the lone last character lets it find a run's last
    character too.
    """
    words = []
    for token in _LETTERS_AND_DIGITS.findall((text or "").translate(_FULLWIDTH).lower()):
        start = 0
        for run in _HAN_RUN.finditer(token):
            if run.start() > start:
                words.append(NUMBER_PREFIX + token[start:run.start()])
            words += _pair_run(run.group(0).translate(_CODES))
            start = run.end()
        if start < len(token):
            words.append(NUMBER_PREFIX + token[start:])
    return " ".join(words)


@functools.cache
def _code(chars: str) -> str:
    """A pair's index word; most pairs recur in thousands of bodies."""
    return PAIR_PREFIX + chars.translate(_CODES)


def distinct_pairs(text: str) -> set[str]:
    """set(pairs(text).split()), made from the distinct pairs first: a body
    repeats most of its pairs, and only the distinct ones are written."""
    folded = (text or "").translate(_FULLWIDTH).lower()
    runs = _HAN_RUN.findall(folded)
    chars = {run[i:i + 2] for run in runs for i in range(len(run) - 1)}
    chars.update(run[-1] for run in runs)
    words = set(map(_code, chars))
    words.update(NUMBER_PREFIX + w for w in _LETTERS_AND_DIGITS.findall(_HAN_RUN.sub(" ", folded)))
    return words


# Page text by regular expressions rather than html.parser: the markup is
# sanitised record bodies (nh3) or MkDocs' own pages, and the parser took 40%
# of making 20,000 search documents. Attribute values may hold ">".
_HIDDEN = re.compile(r"<(script|style|svg|nav)\b.*?</\1\s*>", re.S | re.I)
_COMMENT = re.compile(r"<!--.*?-->|<![^>]*>", re.S)
_TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9-]*)(?:[^>\"']|\"[^\"]*\"|'[^']*')*>")
_BLOCKS = frozenset({"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd", "div", "br", "tr",
                     "section"})


def _tag_text(match: re.Match) -> str:
    return "\n" if match.group(1).lower() in _BLOCKS else ""


def html_text(markup: str) -> str:
    """The text of HTML, a line break at each block, without scripts, styles, svg and nav."""
    text = _HIDDEN.sub("", _COMMENT.sub("", markup or ""))
    return html.unescape(_TAG.sub(_tag_text, text))


# Machine text a page may show (feed and data file addresses, commands): never indexed.
# Printable ASCII only ([!-~]): Chinese text has no spaces, and \S* would
# scan a whole paragraph from every position.
_MACHINE = re.compile(r"https?:[!-~]+|[!-~]*[/\\][!-~]*|[!-~]+\.(?:xml|json|csv|ics|js|css|html|yaml|zip|gz)\b", re.I)
# How much of a record's text a result may quote (its start, cut at a sentence
# end): every result's fragment carries it, and Pagefind's time grows with it.
TEXT_CHARS = 300
# A help page is one of a few: more of it, so its best sentence is likely there.
HELP_TEXT_CHARS = 1200
# The marks a ranking reads before any result is fetched (search-core.js:
# TRUST): illustrative records, records no longer in force, help pages. They
# are values of a filter no reader sees, not index words: the browser finds a
# query's marked records by searching its words again with the filter, from
# the index chunks it has already fetched (a mark word would cost one more
# chunk of about 20 KB).
MARK_FILTER = "mark"
MARKS = ("example", "ended", "help")
# Every document holds this word: a search by filters alone looks it up (a
# Pagefind search without words loads every index chunk).
EVERY = "zrall"
# A notice's publication date as one word (zd20240302): a query's 2024年3月 looks
# up zd202403, which Pagefind matches as a prefix (search-core.js: readDate).
DATE_PREFIX = "zd"
# Pagefind (1.5) also indexes every meta value as words, segmenting the
# Chinese: a third of its time at 20,000 records, for words no query looks up
# (queries look up pair words). So the meta Pagefind reads is written without
# word characters: HIDDEN_MARK, then each UTF-16 code unit of the text as four
# of HIDDEN_DIGITS (hexadecimal digits 0-f). search-core.js reads it back.
HIDDEN_MARK = "~"
HIDDEN_DIGITS = "!#$%()*+-./;=?@["


def hidden(text: str) -> str:
    """text as Pagefind does not index it (HIDDEN_DIGITS); search-core.js: shown()."""
    units = str(text).encode("utf-16-be").hex()
    return HIDDEN_MARK + units.translate(_HIDDEN_UNITS)


_HIDDEN_UNITS = str.maketrans("0123456789abcdef", HIDDEN_DIGITS)

# Facts shown under a result's title are joined with this (search-core.js splits them).
FACTS_SEPARATOR = "｜"


@dataclass(frozen=True)
class SearchDocument:
    """One searchable page: what it says, how much each part weighs, how it is filtered."""

    url: str                                  # root-relative page URL, e.g. /policies/x/
    title: str
    weighted: tuple[tuple[int, str], ...]     # (weight, text) beside the title (weight 10)
    body: str
    filters: tuple[tuple[str, tuple], ...] = ()
    meta: tuple[tuple[str, str], ...] = ()
    sort: tuple[tuple[str, str], ...] = ()
    marks: tuple[str, ...] = ()               # values of MARK_FILTER (MARKS)
    dated: str = ""                           # YYYYMMDD a query's date finds (DATE_PREFIX)

    def fields(self) -> list[tuple[int, str]]:
        """Every text with its weight, title first; body text weighs 1."""
        out = [(10, self.title)] + [(w, t) for w, t in self.weighted if t and t.strip()]
        return out + ([(1, self.body)] if self.body.strip() else [])

    def words(self, leave_out: frozenset = frozenset()) -> list[tuple[int, str]]:
        """(weight, index words) of each field: all pairs of the weighted fields,
        the body's distinct pairs that no weighted field holds (nor leave_out:
        common_pairs), then the words every document, or every dated one, holds."""
        out = [(w, pairs(t)) for w, t in [(10, self.title)] + list(self.weighted) if t and t.strip()]
        named = {word for _w, words in out for word in words.split()}
        body = sorted(distinct_pairs(self.body) - named - leave_out)
        if body:
            out.append((1, " ".join(body)))
        extra = [EVERY] + ([DATE_PREFIX + self.dated] if self.dated else [])
        out.append((1, " ".join(extra)))
        return out

    def all_filters(self) -> tuple[tuple[str, tuple], ...]:
        """The reader's filters, and the marks as the filter no reader sees."""
        return self.filters + (((MARK_FILTER, self.marks),) if self.marks else ())

    @property
    def html(self) -> str:
        return self.page()

    def page(self, leave_out: frozenset = frozenset()) -> str:
        """The page Pagefind indexes (never served): the index words, the
        filters, and the meta a result shows (hidden from the index: hidden())."""
        parts = ['<html lang="zh"><head><title></title></head><body>',
                 f'<main data-pagefind-body data-pagefind-meta="title:{_attr(hidden(self.title))}">']
        for n, (weight, words) in enumerate(self.words(leave_out)):
            tag = "h1" if n == 0 else "div" if weight == 1 else "p"
            weight_attr = f' data-pagefind-weight="{weight}"' if weight != 1 else ""
            # Index words are letters and digits only: nothing to escape.
            parts.append(f"<{tag}{weight_attr}>{words}</{tag}>")
        for name, values in self.all_filters():
            parts += [f'<span data-pagefind-filter="{_attr(name)}:{_attr(v)}"></span>' for v in values]
        parts += [f'<span data-pagefind-meta="{_attr(k)}:{_attr(hidden(v))}"></span>' for k, v in self.meta]
        parts += [f'<span data-pagefind-sort="{_attr(k)}:{_attr(v)}"></span>' for k, v in self.sort]
        parts.append("</main></body></html>")
        return "".join(parts)

    def as_json(self) -> dict:
        """The same document for the search that runs without a server (USB bundle)."""
        return {"url": self.url, "title": self.title,
                "words": [[w, t] for w, t in self.words()],
                "filters": {k: list(v) for k, v in self.all_filters()},
                "meta": dict(self.meta), "sort": dict(self.sort)}


def _attr(value) -> str:
    return html.escape(str(value), quote=True)


def excerpt_text(text: str, limit: int = TEXT_CHARS) -> str:
    """The start of a text as a reader reads it (one space between lines), cut at
    a sentence end within `limit` characters: excerpts are sentences of it."""
    plain = " ".join((text or "").split())
    if len(plain) <= limit:
        return plain
    cut = max(plain.rfind(end, 0, limit) for end in "。！？；")
    return plain[:cut + 1] if cut > limit // 2 else plain[:limit]


def _document(url: str, title: str, weighted: list[tuple[int, str]], body: str,
              filters: dict[str, list] | None = None, meta: dict[str, str] | None = None,
              sort: dict[str, str] | None = None, marks: tuple[str, ...] = (), dated=None) -> SearchDocument:
    clean_filters = tuple((name, tuple(str(v) for v in values if v not in (None, "")))
                          for name, values in sorted((filters or {}).items()))
    return SearchDocument(
        url, title, tuple((w, t) for w, t in weighted if t and t.strip()), body,
        tuple((n, v) for n, v in clean_filters if v),
        tuple((k, v) for k, v in sorted((meta or {}).items()) if v),
        tuple(sorted((sort or {}).items())), tuple(marks), f"{dated:%Y%m%d}" if dated else "",
    )


def _join(*items) -> str:
    out = []
    for item in items:
        if isinstance(item, (list, tuple)):
            out.append("、".join(str(i) for i in item if i))
        elif item:
            out.append(str(item))
    return "\n".join(o for o in out if o)


def _facts(*items) -> str:
    return FACTS_SEPARATOR.join(str(i) for i in items if i)


def _result_meta(rec: Record, label: str, facts: str, summary: str | None, body: str) -> dict[str, str]:
    """What a result shows: kind, facts line, status badge, and the text its excerpt is taken from."""
    status = rec.status
    return {"栏目": label, "示例": "1" if rec.example else "", "facts": facts,
            "badge": status.label if status else "", "tone": status.tone if status else "",
            "summary": " ".join((summary or "").split()), "text": excerpt_text(body)}


# Statuses of records that no longer apply: still found, ranked after those that do.
_ENDED_TONES = {"closed"}


def _marks(rec: Record) -> tuple[str, ...]:
    marks = []
    if rec.example:
        marks.append("example")
    # A mentor's closed status is the enrolment, not the record: only notices
    # and technologies end (废止, 失效, 退出 …).
    ended = rec.collection != "mentors" and rec.status is not None and rec.status.tone in _ENDED_TONES
    if ended or rec.get("stage") == "退出":
        marks.append("ended")
    return tuple(marks)


# The values a record is filed under (地区, 主题, 适用机构 …): a query naming one
# (陕西, 村卫生室) finds the records filed there first, and a large catalogue
# keeps these pairs however common they are (common_pairs).
FACET_WEIGHT = 5


def record_document(rec: Record, body_html: str | None = None) -> SearchDocument:
    """A record's search document; body_html: its body converted already."""
    d = rec.data
    if body_html is None:
        body_html = markdown_to_html(d.get("body"))
    body = _MACHINE.sub(" ", html_text(body_html)) if body_html else ""
    url = "/" + rec.url
    status = rec.status.label if rec.status else None
    label = COLLECTION_BY_NAME[rec.collection].label
    if rec.collection == "technologies":
        levels = d.get("levels") or []
        return _document(
            url, d["name"],
            [(10, _join(d.get("aliases"))), (6, d.get("summary")), (4, _join(d.get("specialties"), d.get("indications"))),
             (FACET_WEIGHT, _join(d.get("category"), d.get("management_class"), levels))],
            _join(d.get("tradition"), d.get("stage"), d.get("promotion_methods"), d.get("contraindications"), d.get("equipment"),
                  [i["name"] for i in d.get("indicators", [])], body,
                  [m.title for m in rec.related("mentors")], [s["title"] for s in d.get("sources", [])]),
            filters={"栏目": [label], "管理类别": [d.get("management_class")], TECHNOLOGY.title: [status],
                     "技术范围": [d.get("category")], "适用机构": levels},
            meta=_result_meta(rec, label, _facts(d.get("management_class"), "、".join(levels)), d.get("summary"), body),
            sort={"date": d["warehoused"].isoformat()} if d.get("warehoused") else None,
            marks=_marks(rec),
        )
    if rec.collection == "mentors":
        return _document(
            url, d["name"],
            [(7, _join(d.get("specialties"))), (4, _join(d.get("title"), d.get("institution"), d.get("tier"))),
             (3, d.get("summary")), (FACET_WEIGHT, _join(d.get("region"), d.get("track")))],
            _join([t.title for t in rec.related("technologies")],
                  d.get("teaching_modes"), d.get("cycles"), body),
            filters={"栏目": [label], "层级": [d.get("tier")], "地区": [d.get("region")],
                     "传承类别": [d.get("track")], MENTOR.title: [status]},
            meta=_result_meta(rec, label, _facts(d.get("tier"), d.get("region")), d.get("summary"), body),
            marks=_marks(rec),
        )
    published = d["published"]
    return _document(
        url, d["title"],
        [(10, d.get("doc_number") or ""), (6, _join(d.get("keywords"))), (3, _join(d.get("issuers"))),
         (FACET_WEIGHT, _join(d.get("region"), d.get("topics")))],
        _join(d.get("kind"), d.get("attachments"),
              [s["label"] for s in d.get("deadlines", [])], body),
        filters={"栏目": [label], "地区": [d.get("region")], "主题": d.get("topics", []),
                 "年份": [published.year], POLICY.title: [status]},
        meta=_result_meta(rec, label, _facts(d.get("doc_number"), "、".join(d.get("issuers") or []), cn_date(published)),
                          d.get("summary"), body),
        sort={"date": published.isoformat()},
        marks=_marks(rec), dated=published,
    )


_CODE = re.compile(r"<(pre|code)\b.*?</\1\s*>", re.S | re.I)


def content_document(url: str, title: str, rendered_html: str) -> SearchDocument:
    """A content page (关于本站, 技术推广流程, …) from its rendered HTML: its
    text without code or addresses, found after the records it would tie with."""
    text = _MACHINE.sub(" ", html_text(_CODE.sub(" ", rendered_html)))
    return _document(url, title, [], text, filters={"栏目": ["说明"]},
                     meta={"栏目": "说明", "text": excerpt_text(text, HELP_TEXT_CHARS)}, marks=("help",))


# A catalogue this large leaves out of its bodies the pairs that more than
# COMMON_SHARE of its records hold (医疗, 工作 …): in a body they tell records
# apart less than anything else, yet hold about a third of the index's entries,
# and Pagefind's time grows with the entries. Titles, names and the other
# weighted fields keep them. Judged on a sample of COMMON_SAMPLE bodies.
COMMON_FROM = 2_000
COMMON_SHARE = 0.05
COMMON_SAMPLE = 1_000


def common_pairs(records: list[Record]) -> frozenset:
    """The pair words a large catalogue's bodies leave out (empty below COMMON_FROM records)."""
    if len(records) < COMMON_FROM:
        return frozenset()
    sample = records[::max(1, len(records) // COMMON_SAMPLE)]
    counts: Counter = Counter()
    for rec in sample:
        counts.update(w for w in distinct_pairs(rec.get("body") or "") if w.startswith(PAIR_PREFIX))
    return frozenset(w for w, n in counts.items() if n > COMMON_SHARE * len(sample))


def _made(rec: Record, scratch, leave_out: frozenset) -> tuple[SearchDocument, str]:
    body = markdown_to_html(rec.get("body"))
    doc = record_document(rec, body)
    if scratch is not None:
        scratch.write(doc, leave_out)
    return doc, body


class RecordDocuments:
    """The records' search documents, made on every core from now until
    result() (workers.MapJob), while the caller goes on. With a scratch
    (search_index.SearchScratch), the worker that makes a document writes it
    into its shard's folder. The body conversions come back with the
    documents into `markdown` (render.text.MarkdownCache), so the pages
    written next reuse them."""

    def __init__(self, records: list[Record], scratch=None, on_done=None, markdown=None, parallel: bool = True):
        from .workers import MapJob

        self.records = list(records)
        self.markdown = markdown
        leave_out = common_pairs(self.records)
        self._job = MapJob(functools.partial(_made, scratch=scratch, leave_out=leave_out), self.records,
                           on_done=on_done, parallel=parallel)

    def result(self) -> list[SearchDocument]:
        documents = []
        for rec, (doc, body) in zip(self.records, self._job.result()):
            if body and self.markdown is not None:
                self.markdown.remember(rec.data["body"], body)
            documents.append(doc)
        return documents

    def cancel(self) -> None:
        self._job.cancel()
