"""The words the search index holds for a record (portal/search_docs.py)."""

from __future__ import annotations

import re

from portal.search_docs import _document, excerpt_text, pairs


def _decode(word: str) -> str:
    letters = word[2:]
    return "".join(chr(int(letters[i:i + 4].translate(str.maketrans("abcdefghijklmnop", "0123456789abcdef")), 16))
                   for i in range(0, len(letters), 4))


def test_pairs_cover_every_run_with_overlapping_pairs_and_its_last_character():
    words = pairs("沪卫医〔２０２４〕13号 基层医疗")
    # Chinese runs: overlapping pairs, then the run's last character alone; digits apart.
    decoded = [_decode(w) if w.startswith("zq") else w for w in words.split()]
    assert decoded == ["沪卫", "卫医", "医", "zz2024", "zz13", "号", "基层", "层医", "医疗", "疗"]
    # Pagefind keeps letter words whole (it takes Chinese words apart into characters).
    assert all(re.fullmatch(r"zq([a-p]{4}){1,2}|zz[0-9a-z]+", w) for w in words.split())
    assert pairs("") == "" and pairs("、。") == ""


def test_the_body_is_indexed_once_per_pair():
    doc = _document("/x/", "艾灸疗法", [(6, "温经散寒")], "正文里也有艾灸，艾灸。", marks=("example",))
    words = dict((w, t) for w, t in doc.words() if w != 1)
    assert words[10] == pairs("艾灸疗法") and words[6] == pairs("温经散寒")
    body = [t for w, t in doc.words() if w == 1][0].split()
    decoded = [_decode(w) for w in body if w.startswith("zq")]
    assert decoded.count("正文") == 1 and "艾灸" not in decoded  # the title holds it already
    # An illustrative record is marked by a filter no reader sees, not by an index word.
    assert '<span data-pagefind-filter="mark:example">' in doc.html
    assert not any("example" in t for _w, t in doc.words())
    # Readers never see index words: the page Pagefind reads shows them only as its text.
    assert "正文里也有" not in doc.html


def test_excerpt_text_ends_on_a_sentence():
    out = excerpt_text("第一句话。" * 300, limit=23)
    assert out == "第一句话。第一句话。第一句话。第一句话。"


def test_addresses_and_commands_are_neither_indexed_nor_quoted():
    from portal.search_docs import content_document

    page = content_document("/subscribe/", "订阅", "<p>订阅地址 feeds/policies-region-shang-hai.xml 或 "
                            "https://example.org/a/b 。</p><pre>portal build --bundle x.zip</pre>")
    text = dict(page.meta)["text"]
    assert "feeds" not in text and "https" not in text and "portal build" not in text
    words = " ".join(w for _weight, w in page.words())
    assert "zzfeeds" not in words and "zzhttps" not in words and "zzportal" not in words


def test_the_browser_and_the_index_agree_on_what_a_chinese_character_is():
    """search-core.js writes a query's Han characters as the index wrote the documents'."""
    import re

    from conftest import ROOT
    from portal.search_docs import HAN_RANGES

    script = (ROOT / "content" / "assets" / "javascripts" / "search-core.js").read_text(encoding="utf-8")
    han = re.search(r"var HAN = /\[([^\]]*)\]/;", script).group(1)
    ranges = tuple((int(lo, 16), int(hi, 16)) for lo, hi in re.findall(r"\\u([0-9a-f]{4})-\\u([0-9a-f]{4})", han))
    assert ranges == HAN_RANGES


def test_a_large_catalogue_leaves_out_of_its_bodies_the_pairs_most_records_hold():
    from types import SimpleNamespace

    from portal.search_docs import COMMON_FROM, common_pairs

    def record(body):
        return SimpleNamespace(get=lambda name, default=None: body if name == "body" else default)

    small = [record("医疗服务") for _ in range(COMMON_FROM - 1)]
    assert common_pairs(small) == frozenset()  # a small catalogue indexes every pair
    large = [record("医疗服务" + ("，针灸" if n % 100 == 0 else "")) for n in range(COMMON_FROM)]
    left_out = common_pairs(large)
    assert set(pairs("医疗服务").split()) - {pairs("务")} <= left_out
    assert pairs("针灸").split()[0] not in left_out  # in one record in a hundred
    doc = _document("/x/", "标题", [], "医疗服务和针灸")
    body = [w for weight, w in doc.words(left_out) if weight == 1][0].split()
    assert pairs("针灸").split()[0] in body and pairs("医疗").split()[0] not in body


def test_what_a_result_shows_is_kept_out_of_the_index():
    """Pagefind indexes meta values as words too: they are written without word
    characters, and the search script reads them back with the same digits."""
    from conftest import ROOT
    from portal.search_docs import HIDDEN_DIGITS, hidden

    text = "艾灸疗法：温经散寒（AED、2024年）𠀀"
    written = hidden(text)
    assert not re.search(r"\w", written)
    units = written[1:].translate(str.maketrans(HIDDEN_DIGITS, "0123456789abcdef"))
    assert bytes.fromhex(units).decode("utf-16-be") == text
    doc = _document("/x/", "艾灸疗法", [], "正文", meta={"text": text})
    assert text not in doc.html and written in doc.html
    script = (ROOT / "content" / "assets" / "javascripts" / "search-core.js").read_text(encoding="utf-8")
    assert f'var HIDDEN_DIGITS = "{HIDDEN_DIGITS}";' in script


def test_the_marks_a_ranking_lowers_are_the_ones_documents_carry():
    from conftest import ROOT
    from portal.search_docs import MARK_FILTER, MARKS

    script = (ROOT / "content" / "assets" / "javascripts" / "search-core.js").read_text(encoding="utf-8")
    trust = re.search(r"var TRUST = \{([^}]*)\}", script).group(1)
    assert re.findall(r"(\w+):", trust) == list(MARKS)
    assert f'var MARK_FILTER = "{MARK_FILTER}";' in script
    help_page = _document("/about/", "关于", [], "正文", marks=("help",))
    assert f'data-pagefind-filter="{MARK_FILTER}:help"' in help_page.html
