"""The contract with Pagefind: the index format is read and rewritten for one minor
version, and another version stops the build with a clear message."""

from __future__ import annotations

import stat

import pytest

from portal import pagefind


def fake_binary(tmp_path, printed: str, code: int = 0):
    path = tmp_path / "pagefind"
    path.write_text(f"#!/bin/sh\necho '{printed}'\nexit {code}\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def test_the_installed_pagefind_is_the_version_the_portal_was_written_for():
    assert pagefind.check_version(pagefind.pagefind_binary())[:2] == pagefind.WRITTEN_FOR


def test_a_patch_release_is_accepted(tmp_path):
    major, minor = pagefind.WRITTEN_FOR
    assert pagefind.check_version(fake_binary(tmp_path, f"pagefind {major}.{minor}.99")) == (major, minor, 99)


@pytest.mark.parametrize("printed, code", [("pagefind 1.6.0", 0), ("pagefind 2.0.0", 0), ("pagefind 1.4.3", 0),
                                           ("no version here", 0), ("pagefind 1.5.2", 1)])
def test_another_version_stops_the_index_with_a_clear_message(tmp_path, printed, code):
    with pytest.raises(pagefind.SearchIndexError) as info:
        pagefind.check_version(fake_binary(tmp_path, printed, code))
    assert "Pagefind" in str(info.value)


def test_files_of_further_shards_count_as_the_main_bundles():
    assert pagefind.as_main_bundle("pagefind/shard-2/pagefind-entry.json") == "pagefind/pagefind-entry.json"
    assert pagefind.used_search_file("pagefind/shard-2/pagefind.abc.pf_meta")
    assert not pagefind.used_search_file("pagefind/shard-2/pagefind.js")  # a shard's copy of the script
    assert not pagefind.used_search_file("pagefind/pagefind-ui.js")
    assert pagefind.used_search_file("pagefind/pagefind.js")
