"""The words the search index holds for a record (portal/search_docs.py)."""

from __future__ import annotations

import re

from portal.search_docs import _document, pairs, spaced


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


def test_only_weighted_fields_get_pair_words():
    doc = _document("/x/", "艾灸疗法", [(6, "温经散寒")], "正文里也有艾灸")
    body = re.search(r"<div>(.*?)</div>", doc.html).group(1)
    assert body == spaced("正文里也有艾灸")
    title = re.search(r"<h1[^>]*>(.*?)</h1>", doc.html).group(1)
    assert title == spaced("艾灸疗法") + " " + pairs("艾灸疗法")
    assert pairs("温经散寒") in doc.html


def test_the_browser_and_the_index_agree_on_what_a_chinese_character_is():
    """search-core.js writes a query's Han characters as the index wrote the documents'."""
    import re

    from conftest import ROOT
    from portal.search_docs import HAN_RANGES

    script = (ROOT / "content" / "assets" / "javascripts" / "search-core.js").read_text(encoding="utf-8")
    han = re.search(r"var HAN = /\[([^\]]*)\]/;", script).group(1)
    ranges = tuple((int(lo, 16), int(hi, 16)) for lo, hi in re.findall(r"\\u([0-9a-f]{4})-\\u([0-9a-f]{4})", han))
    assert ranges == HAN_RANGES
