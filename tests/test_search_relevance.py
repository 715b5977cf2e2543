"""The relevance sets in headless Chromium: the suite fails below hit@3 = 0.95
on the tuned set, below 0.98 on the set typed as people type (issue 19), or
when a typed query with a relevant record finds nothing. The sets themselves
are checked without a browser."""

from __future__ import annotations

import pytest

from conftest import ROOT
from search_eval import TYPED_QUERIES, evaluate, load_queries

HIT_AT_3 = 0.95
TYPED_HIT_AT_3 = 0.98


def test_relevance_set_is_large_and_varied():
    queries = load_queries()
    assert len(queries) >= 40
    kinds = {q["kind"] for q in queries}
    assert {"short", "words", "docno-whole", "docno-part", "alias", "mentor"} <= kinds
    # Every expected answer is a record of the repository: a renamed record
    # would otherwise fail its queries in the browser for the wrong reason.
    missing = [(q["q"], e) for q in queries for e in q["expect"]
               if not (ROOT / "data" / f"{e.strip('/')}.yaml").is_file()]
    assert missing == []


def test_the_typed_query_set_covers_each_way_of_typing():
    """Issue 19's set: written before tuning, every answer a record of the repository."""
    queries = load_queries(TYPED_QUERIES)
    assert len(queries) >= 60
    kinds = {q["kind"] for q in queries}
    assert kinds == {"question", "apart", "synonym", "typo", "pinyin", "initials", "date", "issuer-topic"}
    missing = [(q["q"], e) for q in queries for e in q["expect"]
               if not (ROOT / "data" / f"{e.strip('/')}.yaml").is_file()]
    assert missing == []
    known = {q["q"] for q in load_queries()}
    assert not known & {q["q"] for q in queries}  # new queries, not the tuned set again


@pytest.mark.browser
@pytest.mark.parametrize("first", [None, 1], ids=["as-served", "first-answers"])
def test_relevance(page, site_server, capsys, first):
    """As served, and with every query the pair words find answered from them
    alone: on this small site few queries reach the five pair matches that a
    national catalogue gives, so the second run checks the first answers' order."""
    result = evaluate(page, site_server, load_queries(), first)
    with capsys.disabled():
        print("\n" + ("first answers: " if first else "") + result.summary())
        for miss in result.misses():
            print("  miss:", miss)
    assert result.hit_at_3 >= HIT_AT_3, result.misses()


@pytest.mark.browser
def test_relevance_as_people_type(page, site_server, capsys):
    queries = load_queries(TYPED_QUERIES)
    result = evaluate(page, site_server, queries)
    with capsys.disabled():
        print("\ntyped: " + result.summary())
        for kind, part in result.by_kind(queries).items():
            print(f"  {kind}: hit@1 {part.hit_at_1:.2f}, hit@3 {part.hit_at_3:.2f}, MRR {part.mrr:.2f}, "
                  f"no result {part.zero_rate:.2f}")
        for miss in result.misses():
            print("  miss:", miss)
    assert result.zero_rate == 0, result.misses()
    assert result.hit_at_3 >= TYPED_HIT_AT_3, result.misses()
