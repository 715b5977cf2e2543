"""How many Pagefind indexes a catalogue is cut into (portal/search_index.py).

Every index a reader's browser merges costs one more index chunk, about 20 KB,
for each word a query looks up; more than one is only for catalogues that one
Pagefind run cannot hold in memory.
"""

from __future__ import annotations

from portal.search_index import ONE_RUN_MAX, SHARD_SIZE, shard_count


def test_a_national_catalogue_of_twenty_thousand_records_is_one_index(monkeypatch):
    monkeypatch.delenv("PORTAL_SEARCH_SHARD_SIZE", raising=False)
    assert shard_count(0) == 1
    assert shard_count(130) == 1
    assert shard_count(20_000) == 1
    assert shard_count(ONE_RUN_MAX) == 1


def test_larger_catalogues_are_indexed_in_shards_of_a_fixed_size(monkeypatch):
    monkeypatch.delenv("PORTAL_SEARCH_SHARD_SIZE", raising=False)
    assert shard_count(ONE_RUN_MAX + 1) == -(-(ONE_RUN_MAX + 1) // SHARD_SIZE)
    assert shard_count(100_000) == 8


def test_a_shard_size_can_be_set_for_tests(monkeypatch):
    monkeypatch.setenv("PORTAL_SEARCH_SHARD_SIZE", "30")
    assert shard_count(130) == 5
    assert shard_count(130, shard_size=100) == 2
