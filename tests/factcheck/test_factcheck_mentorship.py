"""Fact check: mentorship tracks, tiers, apprentice eligibility and the cycle-hours table
(data/vocab.yaml → mentor, and content/mentorship.md) against mentorship-programme-plan.txt."""

from __future__ import annotations

import re

import pytest

from factcheck_reference import (CONTENT, DATA, PLAN, lines_of, plan_cycles, plan_folk_doctor_item, plan_tracks,
                                 ref, same_text, squash, vocab)

PAGE = CONTENT / "mentorship.md"
EXEMPT = "可不受年龄、职称限制"


def vocab_at(*keys: str) -> str:
    """'data/vocab.yaml:57' — the line of a nested key (each key searched after the previous one)."""
    lines = (DATA / "vocab.yaml").read_text(encoding="utf-8").split("\n")
    i = 0
    for key in keys:
        i = next((n for n in range(i, len(lines)) if re.match(rf"\s*{re.escape(key)}\s*:", lines[n])), i)
    return f"data/vocab.yaml:{i + 1}"


def mentor_vocab() -> dict:
    return vocab()["mentor"]


def definition_key(text: str) -> str:
    """Definitions compared without quotes, final stop and the long forms of 中科院/工程院."""
    text = same_text(text).replace("中国科学院", "中科院").replace("中国工程院", "工程院")
    return re.sub(r"[“”\"'。]", "", text)


# ---------------------------------------------------------------- the plan read right

def test_the_plans_hours_table_adds_up():
    for cycle in plan_cycles().values():
        assert sum(cycle.parts.values()) == cycle.total, f"{ref(PLAN, cycle.line)}: {cycle}"
    assert [c.total for c in plan_cycles().values()] == [120, 180, 360]


def test_the_plan_has_two_tracks_of_three_tiers_each_with_apprentice_conditions():
    tracks = plan_tracks()
    assert list(tracks) == ["传统医学", "现代医学"]
    for track, tiers in tracks.items():
        assert len(tiers) == 3, f"{ref(PLAN, 106)}: read {len(tiers)} tiers of {track} ({list(tiers)}), the plan has 3"
        lacking = [f"{ref(PLAN, t.line)}: {track}/{t.name}" for t in tiers.values() if not t.eligibility]
        assert not lacking, "no 师承人 conditions read for:\n" + "\n".join(lacking)


# ---------------------------------------------------------------- vocabulary

def test_mentor_tracks_and_tiers_are_the_plans():
    tracks = mentor_vocab()["tracks"]
    plan = plan_tracks()
    assert list(tracks) == list(plan), f"{vocab_at('mentor', 'tracks')}: tracks {list(tracks)}, plan {list(plan)}"
    wrong = [f"{vocab_at('mentor', 'tracks', track)}: {track} tiers {list(tracks[track]['tiers'])}, the plan names "
             f"{list(tiers)} ({ref(PLAN, next(iter(tiers.values())).line)})"
             for track, tiers in plan.items() if list(tracks[track]["tiers"]) != list(tiers)]
    assert not wrong, "\n".join(wrong)


def test_each_tiers_definition_is_the_plans():
    wrong = []
    for track, tiers in plan_tracks().items():
        for name, tier in tiers.items():
            ours = mentor_vocab()["tracks"][track]["tiers"].get(name, {}).get("definition", "")
            if definition_key(ours) != definition_key(tier.definition):
                wrong.append(f"{vocab_at('mentor', 'tracks', track, name, 'definition')}: {track}/{name} "
                             f"definition {ours!r}; plan {ref(PLAN, tier.line)}: {tier.definition!r}")
    assert not wrong, "\n".join(wrong)


def test_each_tiers_apprentice_eligibility_states_the_plans_title_and_exemption():
    wrong = []
    for track, tiers in plan_tracks().items():
        for name, tier in tiers.items():
            ours = same_text(mentor_vocab()["tracks"][track]["tiers"].get(name, {}).get("apprentice_eligibility", ""))
            where = vocab_at("mentor", "tracks", track, name, "apprentice_eligibility")
            source = ref(PLAN, tier.eligibility_line)
            if same_text(tier.eligibility) not in ours:
                wrong.append(f"{where}: {track}/{name} apprentices need {tier.eligibility!r} ({source}); vocab says {ours!r}")
            if tier.worker not in ours:
                wrong.append(f"{where}: {track}/{name} apprentices are {tier.worker} ({source}); vocab says {ours!r}")
            if (EXEMPT in ours) != tier.exempt:
                wrong.append(f"{where}: {track}/{name}: the plan {'grants' if tier.exempt else 'does not grant'} "
                             f"the exemption '{EXEMPT}' ({source}); vocab says {ours!r}")
    assert not wrong, "\n".join(wrong)


def test_folk_doctors_may_apply_to_the_traditional_track_as_the_plan_says():
    line, item = plan_folk_doctor_item()
    tracks = mentor_vocab()["tracks"]
    ours = same_text(tracks["传统医学"].get("other_eligibility", ""))
    where = vocab_at("mentor", "tracks", "传统医学", "other_eligibility")
    wrong = []
    certificates = re.search(r"（如：?(.+?)等）", item).group(1).split("、")
    for fact in ["民间中医", "经相关单位推荐", "县级及以上卫生健康行政主管部门", *certificates]:
        if fact not in ours:
            wrong.append(f"{where}: 民间中医 conditions lack {fact!r} ({ref(PLAN, line)})")
    if (EXEMPT in ours) != (EXEMPT in item):
        wrong.append(f"{where}: the plan ends the 民间中医 conditions with '在行业中有特殊专长或贡献者，{EXEMPT}' "
                     f"({ref(PLAN, line)}); vocab says {ours!r}")
    if squash(tracks["现代医学"].get("other_eligibility") or ""):
        wrong.append(f"{vocab_at('mentor', 'tracks', '现代医学', 'other_eligibility')}: the plan has no further "
                     f"apprentice route for 现代医学 ({ref(PLAN, 158)}–{ref(PLAN, 164).rsplit(':', 1)[1]})")
    assert not wrong, "\n".join(wrong)


def test_cycles_are_the_plans_with_its_hours_and_parts():
    cycles = mentor_vocab()["cycles"]
    plan = plan_cycles()
    assert list(cycles) == list(plan), f"{vocab_at('mentor', 'cycles')}: cycles {list(cycles)}, plan {list(plan)}"
    wrong = []
    for name, cycle in plan.items():
        ours = cycles[name]
        where = vocab_at("mentor", "cycles", name)
        if ours.get("hours") != cycle.total:
            wrong.append(f"{where}: {name} has {ours.get('hours')} hours, the plan {cycle.total} ({ref(PLAN, cycle.line)})")
        if dict(ours.get("breakdown") or {}) != cycle.parts:
            wrong.append(f"{where}: {name} breakdown {ours.get('breakdown')}, the plan {cycle.parts} "
                         f"({ref(PLAN, cycle.line - 4)}–{cycle.line})")
        if sum((ours.get("breakdown") or {}).values()) != ours.get("hours"):
            wrong.append(f"{where}: {name}: the parts add up to {sum((ours.get('breakdown') or {}).values())}, "
                         f"not {ours.get('hours')}")
    assert not wrong, "\n".join(wrong)


# ---------------------------------------------------------------- the rendered page

def page_tables(section: str) -> list[list[str]]:
    """Rows (cells without ** and spaces) of the Markdown tables under a heading of content/mentorship.md."""
    text = PAGE.read_text(encoding="utf-8")
    part = text.split(section, 1)[1]
    part = re.split(r"\n#{2,3} ", part, maxsplit=1)[0]
    rows = []
    for line in part.split("\n"):
        if line.startswith("|") and not re.fullmatch(r"[|\s:-]+", line):
            rows.append([squash(c.replace("**", "")) for c in line.strip().strip("|").split("|")])
    return rows


needs_page = pytest.mark.skipif(not PAGE.is_file(), reason="no content/mentorship.md")


@needs_page
def test_the_mentorship_pages_hours_table_is_the_plans():
    rows = page_tables("## 学习周期与课时")
    header, body = rows[0], rows[1:]
    plan = plan_cycles()
    assert header[1:] == list(plan), f"content/mentorship.md: columns {header[1:]}, plan {list(plan)} ({ref(PLAN, 63)})"
    wrong = []
    for cells in body:
        label, numbers = cells[0], [int(n) for n in cells[1:]]
        if label == "合计":
            expected = [c.total for c in plan.values()]
        else:
            part = next((p for p in next(iter(plan.values())).parts if label.startswith(p)), None)
            if part is None:
                wrong.append(f"content/mentorship.md: row {label!r} is not in the plan's table ({ref(PLAN, 61)})")
                continue
            expected = [c.parts[part] for c in plan.values()]
        if numbers != expected:
            wrong.append(f"content/mentorship.md: row {label}: {numbers}, the plan {expected} ({ref(PLAN, 63)}–68)")
    labels = [c[0] for c in body]
    assert len(labels) == len(next(iter(plan.values())).parts) + 1, f"content/mentorship.md: rows {labels}"
    assert not wrong, "\n".join(wrong)


@needs_page
def test_the_mentorship_pages_tiers_and_definitions_are_the_plans():
    wrong = []
    for track, heading in (("传统医学", "### 传统医学技术传承人"), ("现代医学", "### 现代医学技术传承人")):
        rows = page_tables(heading)[1:]
        plan = plan_tracks()[track]
        if [r[0] for r in rows] != list(plan):
            wrong.append(f"content/mentorship.md: {track} tiers {[r[0] for r in rows]}, the plan {list(plan)}")
        for name, definition, *_ in rows:
            if name in plan and definition_key(definition) != definition_key(plan[name].definition):
                wrong.append(f"content/mentorship.md: {track}/{name}: {definition!r}; "
                             f"plan {ref(PLAN, plan[name].line)}: {plan[name].definition!r}")
    assert not wrong, "\n".join(wrong)


@needs_page
def test_the_mentorship_pages_apprentice_table_is_the_plans():
    rows = page_tables("## 谁可以成为师承人")[1:]
    wrong = []
    seen = set()
    for track, name, title, exemption in (r[:4] for r in rows):
        tier = plan_tracks().get(track, {}).get(name)
        if tier is None:
            wrong.append(f"content/mentorship.md: {track}/{name} is not a tier of the plan")
            continue
        seen.add((track, name))
        if same_text(tier.eligibility) not in same_text(title):
            wrong.append(f"content/mentorship.md: {track}/{name} apprentices need {title!r}; "
                         f"plan {ref(PLAN, tier.eligibility_line)}: {tier.eligibility!r}")
        if (EXEMPT in exemption) != tier.exempt:
            wrong.append(f"content/mentorship.md: {track}/{name} exemption {exemption!r}; "
                         f"plan {ref(PLAN, tier.eligibility_line)} {'grants' if tier.exempt else 'does not grant'} it")
    missing = [f"{t}/{n}" for t, tiers in plan_tracks().items() for n in tiers if (t, n) not in seen]
    assert wrong == [] and missing == [], wrong + [f"content/mentorship.md: no apprentice row for {m}" for m in missing]


@needs_page
def test_every_number_on_the_mentorship_page_is_a_number_of_the_plan():
    text = re.sub(r"\]\([^)]*\)", "]", PAGE.read_text(encoding="utf-8"))  # not link targets
    text = re.sub(r"(?m)^\s*\d+\. ", "", text)  # nor list numbers
    plan_numbers = set(re.findall(r"\d+", "\n".join(lines_of(PLAN))))
    stray = [f"content/mentorship.md:{n}: {number} (not a number of {PLAN.name})"
             for n, line in enumerate(text.split("\n"), 1) for number in re.findall(r"\d+", line)
             if number not in plan_numbers]
    assert not stray, "\n".join(stray)
