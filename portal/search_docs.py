"""What the search index holds: one small document per record and content page.

Chinese has no spaces between words, and left to itself Pagefind segments it
twice: with jieba when indexing and with the browser's Intl.Segmenter when
searching. The two disagree (随访 is one word to jieba, 随|访 to Chromium), and
a query whose pieces are not prefixes of indexed words finds nothing. So the
index gets every Chinese character as its own word (Pagefind then only splits
at spaces: search_index.INDEX_LANGUAGE), and the site's search script turns a
query into exact phrases of characters (see search-core.js): a phrase matches
wherever the characters stand together, whatever a segmenter would say.

Documents are made from the records, not read back from the built pages
(search_index.py hands them to Pagefind), so the pages carry no search markup
and the weights of titles, doc numbers and aliases are stated here.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from dataclasses import dataclass

from .catalogue import Record
from .schema import COLLECTION_BY_NAME
from .dates import cn_date
from .render.text import markdown_to_html

# What counts as a Chinese (Han) character: CJK Unified Ideographs, Extension A
# and the compatibility ideographs. search-core.js's HAN is the same set
# (tests/test_search_docs.py holds them together).
HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
# Han characters and the CJK/full-width punctuation around them.
_CJK_RANGES = HAN_RANGES + ((0x3000, 0x303F), (0xFF01, 0xFF0F), (0xFF1A, 0xFF20), (0xFF3B, 0xFF40), (0xFF5B, 0xFF65))
_CJK_EXTRA = "“”‘’—…·"

# Full-width letters and digits fold to ASCII, as the search script folds queries;
# Chinese punctuation stays as printed (excerpts show it).
_FULLWIDTH = {c: unicodedata.normalize("NFKC", chr(c)) for c in range(0xFF10, 0xFF5B) if chr(c).isalnum()}

# One translation table does both (str.translate runs in C: this is done for
# every character of every record).
_SPACED = {c: f" {chr(c)} " for lo, hi in _CJK_RANGES for c in range(lo, hi + 1)}
_SPACED.update({ord(c): f" {c} " for c in _CJK_EXTRA})
_SPACED.update(_FULLWIDTH)


def spaced(text: str) -> str:
    """每 个 汉 字 one word: “医共体 2024” → “医 共 体 2024”."""
    return " ".join((text or "").translate(_SPACED).split())


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
    """A weighted field's words for a query's first answer: each run of Chinese
    characters as its overlapping pairs, then its last character alone
    (基层医疗 → 基层 层医 医疗 疗), written in letters (_CODES); each run of
    letters or digits prefixed (13 → zz13).

    search-core.js looks up a query's first results by these words: they sort
    together, apart from the body text, in small index chunks, so 基层医疗卫生
    costs the chunks of 基层, 医疗 and 卫生. Single characters stand for every
    body too and fill large chunks (a common one over 100 KB at 20,000
    records). Pagefind matches a query word as a prefix, so one character finds
    the pairs it starts; the lone last character lets it find a run's last
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

    def fields(self) -> list[tuple[int, str]]:
        """Every text with its weight, title first; body text weighs 1."""
        out = [(10, self.title)] + [(w, t) for w, t in self.weighted if t and t.strip()]
        return out + ([(1, self.body)] if self.body.strip() else [])

    @functools.cached_property
    def html(self) -> str:
        """The page Pagefind indexes (never served): every Chinese character a
        word, and the weighted fields (title, doc number, aliases, keywords,
        summary) in character pairs as well (see pairs())."""
        parts = [f'<html lang="zh"><head><title>{html.escape(self.title)}</title></head><body>',
                 f'<main data-pagefind-body data-pagefind-meta="title:{_attr(self.title)}">']
        for n, (weight, text) in enumerate(self.fields()):
            tag = "h1" if n == 0 else "div" if weight == 1 else "p"
            weight_attr = f' data-pagefind-weight="{weight}"' if weight != 1 else ""
            words = spaced(text) if weight == 1 else f"{spaced(text)} {pairs(text)}"
            parts.append(f"<{tag}{weight_attr}>{html.escape(words)}</{tag}>")
        for name, values in self.filters:
            parts += [f'<span data-pagefind-filter="{_attr(name)}:{_attr(v)}"></span>' for v in values]
        parts += [f'<span data-pagefind-meta="{_attr(k)}:{_attr(v)}"></span>' for k, v in self.meta]
        parts += [f'<span data-pagefind-sort="{_attr(k)}:{_attr(v)}"></span>' for k, v in self.sort]
        parts.append("</main></body></html>")
        return "".join(parts)

    def as_json(self) -> dict:
        """The same document for the search that runs without a server (USB bundle)."""
        return {"url": self.url, "title": self.title,
                "fields": [[w, _fold(t)] for w, t in self.fields()],
                "filters": {k: list(v) for k, v in self.filters},
                "meta": dict(self.meta), "sort": dict(self.sort)}


def _attr(value) -> str:
    return html.escape(str(value), quote=True)


def _fold(text: str) -> str:
    return " ".join((text or "").translate(_FULLWIDTH).lower().split())


def _document(url: str, title: str, weighted: list[tuple[int, str]], body: str,
              filters: dict[str, list] | None = None, meta: dict[str, str] | None = None,
              sort: dict[str, str] | None = None) -> SearchDocument:
    clean_filters = tuple((name, tuple(str(v) for v in values if v not in (None, "")))
                          for name, values in sorted((filters or {}).items()))
    return SearchDocument(
        url, title, tuple((w, t) for w, t in weighted if t and t.strip()), body,
        tuple((n, v) for n, v in clean_filters if v),
        tuple((k, v) for k, v in sorted((meta or {}).items()) if v),
        tuple(sorted((sort or {}).items())),
    )


def _join(*items) -> str:
    out = []
    for item in items:
        if isinstance(item, (list, tuple)):
            out.append("、".join(str(i) for i in item if i))
        elif item:
            out.append(str(item))
    return "\n".join(o for o in out if o)


def record_document(rec: Record, body_html: str | None = None) -> SearchDocument:
    """A record's search document; body_html: its body converted already."""
    d = rec.data
    if body_html is None:
        body_html = markdown_to_html(d.get("body"))
    body = html_text(body_html) if body_html else ""
    url = "/" + rec.url
    status = rec.status.label if rec.status else None
    label = COLLECTION_BY_NAME[rec.collection].label
    if rec.collection == "technologies":
        return _document(
            url, d["name"],
            [(9, _join(d.get("aliases"))), (6, d.get("summary")), (4, _join(d.get("specialties"), d.get("indications")))],
            _join(d.get("category"), d.get("tradition"), d.get("management_class"), d.get("stage"), d.get("levels"),
                  d.get("promotion_methods"), d.get("contraindications"), d.get("equipment"),
                  [i["name"] for i in d.get("indicators", [])], body,
                  [m.title for m in rec.related("mentors")], [s["title"] for s in d.get("sources", [])]),
            filters={"栏目": [label], "管理类别": [d.get("management_class")], "推广阶段": [d.get("stage")],
                     "状态": [status], "技术范围": [d.get("category")], "适用机构": d.get("levels", [])},
            # A result shows what a page shows: an illustrative entry date says so.
            meta={"栏目": label + ("（示例）" if rec.example else ""),
                  "日期": (("入库（示例）" if rec.illustrative else "入库") + cn_date(d["warehoused"]))
                  if d.get("warehoused") else ""},
            sort={"date": d["warehoused"].isoformat()} if d.get("warehoused") else None,
        )
    if rec.collection == "mentors":
        return _document(
            url, d["name"],
            [(7, _join(d.get("specialties"))), (4, _join(d.get("title"), d.get("institution"), d.get("tier"))),
             (3, d.get("summary"))],
            _join(d.get("track"), d.get("region"), [t.title for t in rec.related("technologies")],
                  d.get("teaching_modes"), d.get("cycles"), body),
            filters={"栏目": [label], "层级": [d.get("tier")], "地区": [d.get("region")],
                     "传承类别": [d.get("track")], "状态": [status]},
            meta={"栏目": label + ("（示例）" if rec.example else "")},
        )
    return _document(
        url, d["title"],
        [(10, d.get("doc_number") or ""), (6, _join(d.get("keywords"))), (3, _join(d.get("issuers")))],
        _join(d.get("topics"), d.get("region"), d.get("kind"), d.get("attachments"),
              [s["label"] for s in d.get("deadlines", [])], body),
        filters={"栏目": [label], "地区": [d.get("region")], "主题": d.get("topics", []),
                 "年份": [d["published"].year], "状态": [status]},
        meta={"栏目": label, "日期": cn_date(d["published"]), "文号": d.get("doc_number") or ""},
        sort={"date": d["published"].isoformat()},
    )


def content_document(url: str, title: str, rendered_html: str) -> SearchDocument:
    """A content page (关于本站, 技术推广流程, …) from its rendered HTML."""
    return _document(url, title, [], html_text(rendered_html),
                     filters={"栏目": ["说明"]}, meta={"栏目": "说明"})


def _made(rec: Record, scratch) -> tuple[SearchDocument, str]:
    body = markdown_to_html(rec.get("body"))
    doc = record_document(rec, body)
    if scratch is not None:
        scratch.write(doc)
        doc.__dict__.pop("html", None)  # written: not sent back to the parent
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
        self._job = MapJob(functools.partial(_made, scratch=scratch), self.records, on_done=on_done,
                           parallel=parallel)

    def result(self) -> list[SearchDocument]:
        documents = []
        for rec, (doc, body) in zip(self.records, self._job.result()):
            if body and self.markdown is not None:
                self.markdown.remember(rec.data["body"], body)
            documents.append(doc)
        return documents

    def cancel(self) -> None:
        self._job.cancel()
