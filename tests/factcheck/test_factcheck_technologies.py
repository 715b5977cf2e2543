"""Fact check: management classes of technologies against clinical-technology-management-slides.txt.

The slides list the national 限制类 technologies (slide '限制类医疗技术确定原则', and
again beside '按临床研究管理的医疗技术' on the 2015 policy slide). A technology page
that names one of them must show it as 限制类; a page may not call anything else
限制类; and what the slides manage as clinical research must say 临床研究.

A listed technology without a record is reported (a warning in the test summary),
not failed: `data/technologies/` is the promotion warehouse and its reference
entries, not a register of every regulated technique, so an absent record makes no
false statement on the site — a wrong class does.
"""

from __future__ import annotations

import warnings

from factcheck_reference import (SLIDES, Listed, clinical_research_statement, clinical_research_technologies,
                                 history_slide_bullets, lines_of, records, ref, restricted_technologies, same_text)

WAREHOUSE_FIELDS = ("warehoused", "stage", "selection_method", "promotion_methods", "review_due")


def names(record) -> list[str]:
    return [record.data.get("name", ""), *(record.data.get("aliases") or [])]


def listed_as(record, listed: Listed) -> bool:
    wanted = same_text(listed.name)
    for name in map(same_text, names(record)):
        if name == wanted or (listed.prefix_only and name.startswith(wanted)):
            return True
    return False


def test_the_slides_list_twelve_restricted_technologies_and_both_slides_agree():
    restricted = restricted_technologies()
    assert len(restricted) == 12, (
        f"{ref(SLIDES, restricted[0].line)}: read {len(restricted)} 限制类 technologies, the slide lists 12: "
        + "、".join(t.name for t in restricted))
    on_2015_slide = {same_text(b.name) for b in history_slide_bullets() if not b.prefix_only}
    assert [t.name for t in restricted if same_text(t.name) not in on_2015_slide] == [], \
        f"{ref(SLIDES, 111)}: the 2015 slide does not list these"


def test_the_slides_manage_autologous_immune_cell_therapy_as_clinical_research():
    research = [t.name for t in clinical_research_technologies()]
    assert "自体免疫细胞（T细胞、NK细胞）治疗技术" in research, f"{ref(SLIDES, 113)}: read {research}"
    assert "临床研究" in lines_of(SLIDES)[clinical_research_statement() - 1]


def test_a_listed_restricted_technology_is_shown_as_限制类():
    wrong, absent = [], []
    techs = records("technologies")
    for listed in restricted_technologies():
        matching = [r for r in techs if listed_as(r, listed)]
        if not matching:
            absent.append(f"{listed.name} ({ref(SLIDES, listed.line)})")
        wrong += [f"{r.at('management_class')}: {r.data.get('name')} is {r.data.get('management_class')!r}, "
                  f"the slides list it as 限制类 ({ref(SLIDES, listed.line)})"
                  for r in matching if r.data.get("management_class") != "限制类"]
    if absent:
        warnings.warn("限制类 technologies the slides list with no record in data/technologies/: " + "；".join(absent),
                      stacklevel=1)
    assert not wrong, "\n".join(wrong)


def _stray(management_class: str, listed: list, why: str) -> list[str]:
    """Records shown under a class the slides do not give any of their names."""
    return [f"{r.at('management_class')}: {r.data.get('name')} is {management_class} but {why}"
            for r in records("technologies")
            if r.data.get("management_class") == management_class and not any(listed_as(r, t) for t in listed)]


def test_only_listed_technologies_are_shown_as_限制类():
    listed = restricted_technologies()
    stray = _stray("限制类", listed, "is none of the 12 national 限制类 technologies the slides list "
                   f"({ref(SLIDES, listed[0].line)}–{listed[-1].line})")
    assert not stray, "\n".join(stray)


def test_what_the_slides_manage_as_clinical_research_is_shown_as_临床研究():
    wrong, absent = [], []
    techs = records("technologies")
    for listed in clinical_research_technologies():
        matching = [r for r in techs if listed_as(r, listed)]
        if not matching:
            absent.append(listed.name)
        wrong += [f"{r.at('management_class')}: {r.data.get('name')} is {r.data.get('management_class')!r}, "
                  f"the slides put it under 按临床研究管理 ({ref(SLIDES, listed.line)})"
                  for r in matching if r.data.get("management_class") != "临床研究"]
    if absent:
        warnings.warn("按临床研究管理 technologies of the slides with no record (fine: not promoted): "
                      + "、".join(absent), stacklevel=1)
    assert not wrong, "\n".join(wrong)


def test_only_what_the_slides_manage_as_clinical_research_is_shown_as_临床研究():
    research = clinical_research_technologies()
    stray = _stray("临床研究", research, "the slides manage none of its names as clinical research "
                   f"({ref(SLIDES, research[0].line)})")
    assert not stray, "\n".join(stray)


def test_a_clinical_research_technology_has_no_warehouse_entry():
    # Slides: 临床研究（不得临床应用）; a technology that may not be used clinically is not promoted.
    line = next(i for i, t in enumerate(lines_of(SLIDES), 1) if "临床研究（不得临床应用）" in t.replace(" ", ""))
    promoted = [f"{r.at(key)}: {r.data.get('name')} is 临床研究 (不得临床应用, {ref(SLIDES, line)}) "
                f"but has a warehouse `{key}`"
                for r in records("technologies") if r.data.get("management_class") == "临床研究"
                for key in WAREHOUSE_FIELDS if r.data.get(key)]
    assert not promoted, "\n".join(promoted)
