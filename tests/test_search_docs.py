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


def test_the_body_is_indexed_once_per_pair_and_never_its_machine_text():
    doc = _document("/x/", "艾灸疗法", [(6, "温经散寒")], "正文里也有艾灸，艾灸。订阅 feeds/policies-region-shang-hai.xml",
                    marks=("example",))
    words = dict((w, t) for w, t in doc.words() if w != 1)
    assert words[10] == pairs("艾灸疗法") and words[6] == pairs("温经散寒")
    body = [t for w, t in doc.words() if w == 1][0].split()
    decoded = [_decode(w) for w in body if w.startswith("zq")]
    assert decoded.count("正文") == 1 and "艾灸" not in decoded  # the title holds it already
    assert not any(w.startswith("zzfeeds") or w.startswith("zzxml") for w in body)
    assert "zrexample" in [t for w, t in doc.words() if w == 1][-1]
    # Readers never see index words: the page Pagefind reads shows them only as its text.
    assert "正文里也有" not in doc.html


def test_excerpt_text_ends_on_a_sentence_and_drops_addresses():
    text = "第一句话。" * 300 + "见 https://example.org/x 。"
    out = excerpt_text(text, limit=23)
    assert out == "第一句话。第一句话。第一句话。第一句话。"
    assert "https" not in excerpt_text("见 https://example.org/x 。")


def test_the_browser_and_the_index_agree_on_what_a_chinese_character_is():
    """search-core.js writes a query's Han characters as the index wrote the documents'."""
    import re

    from conftest import ROOT
    from portal.search_docs import HAN_RANGES

    script = (ROOT / "content" / "assets" / "javascripts" / "search-core.js").read_text(encoding="utf-8")
    han = re.search(r"var HAN = /\[([^\]]*)\]/;", script).group(1)
    ranges = tuple((int(lo, 16), int(hi, 16)) for lo, hi in re.findall(r"\\u([0-9a-f]{4})-\\u([0-9a-f]{4})", han))
    assert ranges == HAN_RANGES
