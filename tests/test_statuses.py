"""One status model per collection: every page shows its record's state with
what it means, says the same wherever it names it, and the 状态说明 page
explains every state a badge can show."""

from __future__ import annotations

import datetime as dt
import re

from portal.catalogue import build_catalogue
from portal.render.pages import Renderer
from portal.statuses import MODELS
from conftest import ROOT, today

_BADGE = re.compile(r'<span class="portal-badge portal-badge--(\w+)">([^<]+)</span>')


def _own_status(html: str) -> tuple[tuple[str, str] | None, str | None]:
    """The page's first badge (tone, label) and its meaning line."""
    badges = html[html.index('<p class="portal-badges">'):]
    badge = _BADGE.search(badges[:badges.index("</p>")])
    meaning = re.search(r'<p class="portal-status-meaning">(?:<span class="portal-tag portal-tag--example">示例</span> )?'
                        r'<span>([^<]+)</span> <a href="([^"]+)">状态说明</a></p>', html)
    return (badge.groups() if badge else None), (meaning.groups() if meaning else None)


def test_every_record_page_says_what_its_badge_means():
    catalogue = build_catalogue(ROOT / "data", today())
    renderer = Renderer(catalogue)
    seen = set()
    for rec in catalogue.all():
        html = renderer.record(rec).html
        badge, meaning = _own_status(html)
        if rec.status is None:
            assert badge is None or badge[1] not in MODELS[rec.collection].labels, rec.url
            assert meaning is None, rec.url
            continue
        seen.add(rec.status.label)
        # A state worked out from illustrative data says so beside its meaning.
        marked = '<p class="portal-status-meaning"><span class="portal-tag portal-tag--example">示例' in html
        assert marked == bool(rec.illustrative), rec.url
        assert badge == (rec.status.tone, rec.status.label), rec.url
        assert meaning[0] == rec.status.meaning, rec.url
        assert meaning[1].endswith(f"statuses/#{rec.status.anchor}"), rec.url
        # The page's key facts name the same state as the badge, and no other.
        if rec.collection == "policies":
            assert f"<dt>效力</dt><dd>{rec.status.label}</dd>" in html, rec.url
        if rec.collection == "technologies":
            assert f"<dt>推广状态</dt><dd>{rec.status.label}</dd>" in html, rec.url
            assert "待评估" not in html and "<dt>推广阶段</dt>" not in html, rec.url
    # The repository's records show states of every collection.
    assert {"推广中", "招收中", "效力未注明"} <= seen


def test_a_technology_due_for_review_reads_as_still_current():
    """Past its review date, a technology is 评估中 (under review, still current),
    not a warning that it may no longer be used."""
    catalogue = build_catalogue(ROOT / "data", dt.date(2030, 1, 1))
    renderer = Renderer(catalogue)
    reviewing = [r for r in catalogue.technologies.values() if r.status and r.status.label == "评估中"]
    assert reviewing
    for rec in reviewing:
        html = renderer.record(rec).html
        assert "评估中，仍可按规范开展" in html
        assert "待评估" not in html and "应由推广组重新评估" not in html


def test_the_status_page_explains_every_state(built_site):
    html = (built_site / "statuses" / "index.html").read_text(encoding="utf-8")
    for model in MODELS.values():
        assert model.title in html and model.intro in html
        for state in model.states:
            assert f'<dt id="{state.anchor}"><span class="portal-badge portal-badge--{state.tone}">{state.label}</span></dt>' \
                in html
            assert f"<dd>{state.meaning}</dd>" in html
    # Reached from the site's navigation.
    assert 'href="statuses/"' in (built_site / "index.html").read_text(encoding="utf-8")


def test_search_filters_name_each_collections_states_apart(built_site):
    """The search's status filters are one per collection (推广状态, 招收状态,
    效力状态), not one list mixing them."""
    from portal.search_docs import record_document

    catalogue = build_catalogue(ROOT / "data", today())
    names = {}
    for rec in catalogue.all():
        for name, values in record_document(rec).filters:
            names.setdefault(name, set()).update(values)
    assert "状态" not in names and "推广阶段" not in names
    for model in MODELS.values():
        assert names.get(model.title, set()) <= set(model.labels), model.title
    options = (ROOT / "content" / "assets" / "javascripts" / "search-options.js").read_text(encoding="utf-8")
    for model in MODELS.values():
        assert f'"{model.title}":' in options
