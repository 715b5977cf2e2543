"""How the site search reads a query as people type it (search-core.js), in headless Chromium.

Each test asks the site's own search what a reader would and checks what the
reader would notice: which records come first, what the answer says it did.
"""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from conftest import ROOT

pytestmark = pytest.mark.browser

_ASK = """
async ([query, options]) => {
  await window.PortalSearch.filters();  // as the search page does: Pagefind counts loaded filters only
  const found = await window.PortalSearch.search(query, options || {});
  const top = await Promise.all(found.results.slice(0, 10).map((r) => r.data()));
  return {total: found.total, understood: found.understood, suggestions: found.suggestions,
          facets: found.facets, relaxed: found.relaxed || null, partial: found.partial,
          filters: found.filters, approximate: !!found.approximate,
          top: top.map((d) => ({url: d.plainUrl, title: d.title, kind: d.kind, example: d.example,
                                facts: d.facts, badge: d.badge, excerpt: d.excerpt}))};
}
"""


@pytest.fixture
def ask(page, site_server):
    page.goto(site_server + "/")

    def run(query: str, **options):
        return page.evaluate(_ASK, [query, options])

    yield run
    assert page.errors == [] and page.foreign_requests == []


def _published_in(year: int, month: int) -> set[str]:
    out = set()
    for path in (ROOT / "data" / "policies").glob("*.yaml"):
        published = yaml.safe_load(path.read_text(encoding="utf-8"))["published"]
        if isinstance(published, dt.date) and (published.year, published.month) == (year, month):
            out.add(f"/policies/{path.stem}/")
    return out


def test_question_words_are_dropped_and_said(ask):
    found = ask("孩子怎么参加医保")
    assert "怎么" in found["understood"]["dropped"]
    assert found["top"][0]["url"] == "/policies/2024-kai-zhan-er-tong-can-jia-ji-ben-yi-liao-bao-xian-zhuan/"
    assert "怎么" not in found["understood"]["terms"]


def test_a_date_in_the_query_narrows_to_that_month(ask):
    found = ask("2024年3月")
    assert found["understood"]["date"] == "2024年3月"
    month = _published_in(2024, 3)
    assert found["total"] == len(month) > 10
    assert {r["url"] for r in found["top"]} <= month
    # The same month written as a number, with a topic word beside it.
    narrowed = ask("2024-03 医保")
    assert 0 < narrowed["total"] < len(month)
    assert {r["url"] for r in narrowed["top"]} <= month


def test_pinyin_and_initials_are_read_as_words(ask):
    for query, word in (("aijiu", "艾灸"), ("gxy", "高血压")):
        found = ask(query)
        assert {"from": query, "to": word} in found["understood"]["pinyin"], found["understood"]
        assert word in found["top"][0]["title"]


def test_letters_of_two_words_typed_together_are_read_as_both(ask):
    # Initials (no vowel: initials however long) and full pinyin of 糖尿病 + 管理.
    for query in ("tnbgl", "tangniaobingguanli"):
        found = ask(query)
        assert {"from": query, "to": "糖尿病管理"} in found["understood"]["pinyin"], found["understood"]
        assert found["top"][0]["url"] == "/technologies/tang-niao-bing-gui-fan-guan-li/", found["top"][:3]


def test_a_misspelt_word_is_corrected_and_said(ask):
    found = ask("医保偏保")
    assert {"from": "偏保", "to": "骗保"} in found["understood"]["corrected"]
    assert found["top"][0]["url"] == "/policies/2024-ban-li-yi-bao-pian-bao-xing-shi-an-jian-ruo-gan-wen-ti/"
    assert {"text": "医保骗保", "query": "医保骗保"} in found["suggestions"]


def test_a_region_finds_its_notices_and_links_its_listing(ask):
    found = ask("陕西")
    assert all("陕西" in " ".join(r["facts"]) for r in found["top"][:3]), found["top"][:3]
    assert any(f["url"].startswith("/policies/by/region/") for f in found["facets"])
    assert all(r["kind"] != "说明" for r in found["top"][:3])


def test_help_pages_only_when_they_are_the_best_answer(ask):
    assert ask("订阅")["top"][0]["url"] == "/subscribe/"
    # File names and addresses the subscription page shows are not indexed.
    assert ask("feeds")["total"] == 0
    assert ask("xml")["total"] == 0


def test_real_records_before_illustrative_ones_and_current_before_withdrawn(ask):
    top = ask("针灸")["top"]
    assert top[0]["kind"] == "技术资料" and not top[0]["example"], top[:3]
    urls = [r["url"] for r in ask("心电")["top"]]
    withdrawn, successor = "/technologies/dian-hua-chuan-shu-xin-dian-tu/", "/technologies/yuan-cheng-xin-dian-zhen-duan/"
    assert withdrawn in urls, urls  # still found …
    assert urls.index(successor) < urls.index(withdrawn)  # … after what replaced it


def test_results_read_as_facts_badge_and_a_sentence(ask):
    notice = ask("冀医保发〔2024〕3号")["top"][0]
    assert notice["kind"] == "政策通知" and notice["facts"][0] == "冀医保发〔2024〕3号"
    assert notice["facts"][-1].startswith("2024年")
    technology = ask("温经散寒")["top"][0]
    assert technology["facts"][0] and technology["badge"]["label"]
    # A sentence of the record's own text, the words marked, no index words.
    assert "<mark>温经散寒</mark>" in technology["excerpt"] and "zq" not in technology["excerpt"]
    assert technology["excerpt"].rstrip("…")[-1] in "。；！？" or technology["excerpt"].endswith("…")


def test_nothing_found_is_never_a_dead_end(ask):
    nonsense = ask("qwxkzz")
    assert nonsense["total"] == 0  # letters that are no word of the index find nothing
    # With the reader's filters nothing matches: the answer names the search without them.
    filtered = ask("艾灸", filters={"地区": {"any": ["上海"]}})
    assert filtered["total"] == 0
    assert filtered["relaxed"]["query"] == "艾灸" and filtered["relaxed"]["total"] > 0
    assert filtered["relaxed"]["filters"] is False


def test_filter_counts_are_exact_or_said_to_be_approximate(ask):
    one = ask("要点")  # one lookup: Pagefind's counts
    assert not one["approximate"] and sum(one["filters"]["栏目"].values()) == one["total"]
    short = ask("冬病夏治")  # several lookups, few records: counted from them
    assert short["total"] <= 10 and not short["approximate"]
    assert sum(short["filters"]["栏目"].values()) == short["total"]
    many = ask("医疗机构管理")  # several lookups, many records: marked
    assert many["total"] > 10 and many["approximate"]


def test_sorting_by_date_puts_the_newest_notice_first(ask):
    found = ask("医保", sort={"date": "desc"})
    dates = [r["facts"][-1] for r in found["top"] if r["kind"] == "政策通知"]
    assert len(dates) >= 5
    as_days = [tuple(int(x) for x in __import__("re").findall(r"\d+", d)) for d in dates]
    assert as_days == sorted(as_days, reverse=True)
