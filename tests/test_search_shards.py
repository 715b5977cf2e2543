"""A catalogue indexed in several Pagefind shards searches like one index.

National catalogues are indexed in shards (portal/search_index.py) that the
browser merges; here the repository's content is cut into shards of 30
documents and must give the same results as the single index.
"""

from __future__ import annotations

import json

import pytest

from conftest import BUILD_DAY, run_portal

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def sharded_server(tmp_path_factory, serve_dir):
    site = tmp_path_factory.mktemp("sharded") / "site"
    result = run_portal("build", "--quiet", "--today", BUILD_DAY, "--site-dir", str(site),
                        env={"PORTAL_SEARCH_SHARD_SIZE": "30"})
    assert result.returncode == 0, result.stderr
    return site, serve_dir(site)


def found(browser, base: str, query: str) -> tuple[str, list[str], list[str], list[str]]:
    """(status line, first result links, filter labels with counts, URLs requested) of a search."""
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(f"{base}/search/?q={query}")
    status = page.locator("#portal-sp-status", has_text="找到")
    status.wait_for(timeout=15000)
    page.locator("#portal-sp-results .portal-sp-title").first.wait_for(timeout=15000)
    links = page.locator("#portal-sp-results .portal-sp-title").evaluate_all(
        "els => els.map(e => e.getAttribute('href').split('?')[0])")
    labels = page.locator("#portal-sp-filters label").all_inner_texts()
    text = status.inner_text()
    context.close()
    return text, links, labels, requested


# 医共体 is a synonym (two spellings looked up), 艾灸 a name, 基层 a word in many notices.
@pytest.mark.parametrize("query", ["医共体", "艾灸", "基层"])
def test_shards_give_the_same_results_as_one_index(browser, site_server, sharded_server, query):
    site, base = sharded_server
    shards = json.loads((site / "pagefind" / "portal-shards.json").read_text(encoding="utf-8"))
    assert len(shards) >= 2, shards
    status, links, labels, requested = found(browser, base, query)
    one_status, one_links, one_labels, _ = found(browser, site_server, query)
    # The same number of results, counted the same way by every filter value
    # (a word one shard lacks finds nothing there, not its nearest words)…
    assert status == one_status and sorted(labels) == sorted(one_labels)
    # …and the single index's best results near the top: each shard scores with
    # its own statistics (30 documents here, 12,500 dealt documents nationally).
    assert len(set(one_links[:3]) & set(links[:5])) >= 2, (links[:5], one_links[:3])
    # The other shards were fetched and merged in.
    assert any("/pagefind/shard-" in url for url in requested)


def test_offline_worker_precaches_what_merged_shards_load(sharded_server):
    """A further shard's entry, wasm and metadata are precached; its copies of the
    scripts, which pagefind.mergeIndex never loads, are not."""
    import re

    site, _base = sharded_server
    worker = (site / "sw.js").read_text(encoding="utf-8")
    shell = json.loads(re.search(r"const SHELL = (\[.*?\]);", worker, re.S).group(1))
    assert "pagefind/shard-2/pagefind-entry.json" in shell
    assert any(f.startswith("pagefind/shard-2/wasm.") for f in shell)
    assert "pagefind/pagefind.js" in shell
    assert not [f for f in shell if f.startswith("pagefind/shard-") and f.endswith(".js")]


def test_search_documents_go_to_memory_only_when_it_has_room(tmp_path, monkeypatch):
    """Scratch documents go to the in-memory file system, or else to the usual temporary folder."""
    import os
    from types import SimpleNamespace

    from portal.search_index import scratch_root, space_estimate

    # 100 records of 2 KB: at most 100 * 8 KB of text and 100 * 3 pages of 4 KB.
    need = space_estimate(100 * 2048, 100)
    assert need == 500 * 4096
    assert scratch_root(need, memory=str(tmp_path)) == str(tmp_path)
    assert scratch_root(need, memory=str(tmp_path / "missing")) is None
    # 900 pages free is less than twice the 500 pages needed.
    monkeypatch.setattr(os, "statvfs", lambda path: SimpleNamespace(f_bavail=900, f_frsize=4096))
    assert scratch_root(need, memory=str(tmp_path)) is None


def test_scratch_of_a_killed_build_is_swept_away(tmp_path):
    """Scratch documents a killed build left in memory go at once, however recent; a running build's stay."""
    import os
    import time

    from portal.search_index import sweep_stale_scratch

    dead, running, fresh = (tmp_path / f"portal-search-{pid}-x" for pid in (999_999_999, os.getpid(), 999_999_998))
    for folder in (dead, running, fresh):
        (folder / "policies").mkdir(parents=True)
    hours_ago = time.time() - 2 * 3600
    for folder in (dead, running):
        os.utime(folder, (hours_ago, hours_ago))
    sweep_stale_scratch(str(tmp_path))
    assert not dead.exists() and not fresh.exists()
    assert running.exists()
