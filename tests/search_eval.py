"""Relevance of the site search, measured in a real browser through Pagefind's JS API."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

QUERIES = Path(__file__).parent / "search" / "queries.yaml"
# Typed the way people type (issue 19): written before tuning, measured, not yet held to a target.
TYPED_QUERIES = Path(__file__).parent / "search" / "queries-typed.yaml"

# Runs in the page through the site's own search code (search-core.js).
_SEARCH_JS = """
async ([queries, first]) => {
  if (first) { window.PORTAL_SEARCH.firstResults = first; }
  const out = [];
  for (const q of queries) {
    const found = await window.PortalSearch.search(q);
    const top = await Promise.all(found.results.slice(0, 10).map((r) => r.data()));
    out.push(top.map((d) => d.plainUrl));
  }
  return out;
}
"""


@dataclass
class Evaluation:
    rows: list[tuple[str, list[str], list[str], int | None]]   # query, expected, got, rank (1-based)

    @property
    def hit_at_1(self) -> float:
        return sum(1 for *_, r in self.rows if r == 1) / len(self.rows)

    @property
    def hit_at_3(self) -> float:
        return sum(1 for *_, r in self.rows if r is not None and r <= 3) / len(self.rows)

    @property
    def mrr(self) -> float:
        return sum(1 / r for *_, r in self.rows if r) / len(self.rows)

    def misses(self, k: int = 3) -> list[str]:
        return [f"{q}: expected {exp}, got {got[:k]}" for q, exp, got, r in self.rows if r is None or r > k]

    @property
    def zero_rate(self) -> float:
        """Share of queries with no result at all."""
        return sum(1 for _q, _e, got, _r in self.rows if not got) / len(self.rows)

    def summary(self) -> str:
        return (f"relevance over {len(self.rows)} queries: hit@1 = {self.hit_at_1:.3f}, "
                f"hit@3 = {self.hit_at_3:.3f}, MRR = {self.mrr:.3f}, no result = {self.zero_rate:.3f}")

    def by_kind(self, queries: list[dict]) -> dict[str, "Evaluation"]:
        kinds: dict[str, list] = {}
        for query, row in zip(queries, self.rows):
            kinds.setdefault(query["kind"], []).append(row)
        return {kind: Evaluation(rows) for kind, rows in kinds.items()}


def load_queries(path: Path = QUERIES) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["queries"]


def evaluate(page, base_url: str, queries: list[dict], first: int | None = None) -> Evaluation:
    """Run the queries; `first` sets how many pair matches make a first answer
    (1: every query the pairs find is answered from them alone)."""
    page.goto(base_url + "/")
    got = page.evaluate(_SEARCH_JS, [[q["q"] for q in queries], first])
    rows = []
    for query, urls in zip(queries, got):
        expected = [f"/{e.strip('/')}/" for e in query["expect"]]
        rank = next((i + 1 for i, url in enumerate(urls) if url in expected), None)
        rows.append((query["q"], expected, urls, rank))
    return Evaluation(rows)
