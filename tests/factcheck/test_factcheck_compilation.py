"""Fact check: the metadata of the 84 notices of policy-compilation-2024-03.txt against their
records in data/policies/ — title, doc number, 成文日期, 发布日期, region and issuers.

The notices are read by `factcheck_reference.compilation_notices`, written for
this suite and independent of `portal.importer`. A notice is matched to its
record by title (whitespace and bracket widths ignored; the header's 标题 or the
title printed above the text), else by doc number. Notices without a record
are skipped one by one and counted by
`test_every_notice_of_the_compilation_has_a_record`, which fails until all 84
are imported.

Issuers: the header's 发文机关 is the compiler's summary (a list ending in 等 has
more in the signature) and is sometimes wrong; the signature above the date is
the notice's own word (so is, for a single issuer without a signature, the organ its
printed title begins with). So a record must name every organ of the signature and
every organ of the header — except a header organ that the notice itself never names
while its own word names another (the compiler's error: 沪爱卫会〔2024〕1号 is signed by
上海市爱国卫生运动委员会; 内卫办中（蒙）综合字〔2024〕160号 is titled 内蒙古自治区卫生健康委办公室关于…)
— and may name only organs the notice names.
Known misprints of the extracted text are corrected in reference/errata.yaml.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from factcheck_reference import (COMPILATION, REFERENCE, Notice, Record, compilation_notices, lines_of, records,
                                 ref, same_organ, same_text)

NOTICES = compilation_notices()
ERRATA = yaml.safe_load((REFERENCE / "errata.yaml").read_text(encoding="utf-8"))


def policy_records() -> tuple[Record, ...]:
    return records("policies")


def record_for(notice: Notice, policies: tuple[Record, ...]) -> Record | None:
    titles = {same_text(notice.title), same_text(notice.printed_title)} - {""}
    by_title = [r for r in policies if same_text(r.data.get("title")) in titles]
    if len(by_title) > 1:
        raise AssertionError(f"{notice.where('标题')}: several records carry this title: "
                             + ", ".join(r.name for r in by_title))
    if by_title:
        return by_title[0]
    if notice.doc_number:
        by_number = [r for r in policies if same_text(r.data.get("doc_number")) == same_text(notice.doc_number)]
        if len(by_number) == 1:
            return by_number[0]
    return None


def signature(notice: Notice) -> list[str]:
    """The signature's organs with the reviewed errata applied (seal notes in brackets left out)."""
    organs = [o for o in notice.signature if not o.startswith(("(", "（"))]
    for erratum in ERRATA.get("signature") or []:
        if same_text(erratum["doc_number"]) == same_text(notice.doc_number or ""):
            hits = [i for i, o in enumerate(organs) if o == erratum["printed"]]
            if len(hits) > 1:
                organs[hits[1]] = erratum["reads"]
    return organs


def own_word(notice: Notice) -> list[str]:
    """Who the notice itself says issues it: the signature; failing that, for a single issuer,
    the organ its printed title begins with ('内蒙古自治区卫生健康委办公室关于印发…')."""
    if signature(notice):
        return signature(notice)
    if len(notice.header_issuers) != 1:
        return []
    heads = {m.group(1) for t in (notice.printed_title, notice.title)
             if (m := re.match(r"(.+?)(?:关于|印发)", t)) and m.group(1)[-1] in "厅局室委会院部府心司办署组"}
    return sorted(heads)


def errata_names(notice: Notice) -> set[str]:
    return {e["reads"] for e in ERRATA.get("signature") or []
            if same_text(e["doc_number"]) == same_text(notice.doc_number or "")}


def as_iso(value) -> str | None:
    return str(value) if value else None


# ---------------------------------------------------------------- the compilation read right

def test_the_compilation_holds_84_notices_each_with_the_five_metadata_fields():
    assert len(NOTICES) == 84, f"{COMPILATION.name}: read {len(NOTICES)} metadata blocks, the compilation has 84"
    contents = [t for t in lines_of(COMPILATION)[:110] if re.match(r"- \d+ ", t)]
    assert len(contents) == 84, f"{ref(COMPILATION, 18)}: the table of contents lists {len(contents)}"
    incomplete = [f"{n.where()}: {sorted({'发文机关', '成文日期', '标题', '发文字号', '发布日期'} - set(n.fields))}"
                  for n in NOTICES if {"发文机关", "成文日期", "标题", "发文字号", "发布日期"} - set(n.fields)]
    assert not incomplete, "\n".join(incomplete)
    for n in NOTICES:  # every date parses
        n.date("成文日期"), n.date("发布日期")


def test_the_compilation_names_each_notice_once():
    counts = Counter(same_text(n.title) for n in NOTICES)
    twice = [f"{n.where('标题')}: {n.title}" for n in NOTICES if counts[same_text(n.title)] > 1]
    assert not twice, "one title for several notices: records could not be told apart\n" + "\n".join(twice)


# ---------------------------------------------------------------- records

def test_every_notice_of_the_compilation_has_a_record():
    policies = policy_records()
    missing = [f"{n.where('标题')}: {n.title} ({n.doc_number or '无文号'})" for n in NOTICES
               if record_for(n, policies) is None]
    assert not missing, (f"{len(missing)} of the compilation's 84 notices have no record in data/policies/:\n"
                         + "\n".join(missing))


@pytest.mark.parametrize("notice", NOTICES, ids=[f"notice{n.number:02d}-line{n.line}" for n in NOTICES])
def test_notice_metadata_matches_its_record(notice: Notice):
    record = record_for(notice, policy_records())
    if record is None:
        pytest.skip("no record yet (test_every_notice_of_the_compilation_has_a_record lists them)")
    data = record.data
    wrong = []

    def say(field: str, ours, source: str, theirs):
        wrong.append(f"{record.at(field)}: {field} {ours!r}; {source}: {theirs!r}")

    titles = {same_text(notice.title), same_text(notice.printed_title)} - {""}
    if same_text(data.get("title")) not in titles:
        say("title", data.get("title"), notice.where("标题"), notice.title)
    if same_text(data.get("doc_number") or "") != same_text(notice.doc_number or ""):
        say("doc_number", data.get("doc_number"), notice.where("发文字号"), notice.doc_number)
    for field, label in (("written", "成文日期"), ("published", "发布日期")):
        if as_iso(data.get(field)) != notice.date(label).isoformat():
            say(field, as_iso(data.get(field)), notice.where(label), notice.date(label).isoformat())
    if data.get("region") != notice.region:
        say("region", data.get("region"), notice.where("发文机关"),
            f"{notice.region} (first issuer {notice.header_issuers[0]})")

    issuers = [str(i) for i in data.get("issuers") or []]
    signed = signature(notice)
    own = own_word(notice)
    body = same_text(notice.text.split(same_text(notice.fields["标题"]), 1)[-1])
    for name in own:
        body = body.replace(same_text(name), "")
    for organ in notice.header_issuers:
        if any(same_organ(organ, i) for i in issuers):
            continue
        if own and same_text(organ) not in body and not any(same_organ(organ, o) for o in own):
            continue  # the compiler's header names an organ the notice itself does not: the notice wins
        wrong.append(f"{record.at('issuers')}: issuers lack {organ}, named in the header ({notice.where('发文机关')})")
    sig_at = ref(COMPILATION, notice.signature_line)
    for organ, count in Counter(signed).items():
        if count > 1:
            wrong.append(f"{sig_at}: the signature prints {organ} {count} times — a misprint; "
                         f"add the real organ to tests/factcheck/reference/errata.yaml")
    for organ in dict.fromkeys(signed):
        if not any(same_organ(organ, i) for i in issuers):
            wrong.append(f"{record.at('issuers')}: issuers lack {organ}, who signs the notice ({sig_at})")
    if notice.header_has_more and len(issuers) <= len(notice.header_issuers):
        wrong.append(f"{record.at('issuers')}: {len(issuers)} issuers, but the header lists "
                     f"{len(notice.header_issuers)} and '等' ({notice.where('发文机关')})")
    named = [*notice.header_issuers, *signed, *errata_names(notice)]
    text = same_text(notice.text)
    for issuer in issuers:
        if same_text(issuer) not in text and not any(same_organ(issuer, o) for o in named):
            wrong.append(f"{record.at('issuers')}: {issuer} is named nowhere in the notice "
                         f"({notice.where()}–{notice.signature_line or '…'})")
    assert not wrong, f"{record.name} ↔ {COMPILATION.name} notice {notice.number} ({notice.where()}):\n" + "\n".join(wrong)


def test_errata_are_still_needed():
    """An erratum whose misprint is gone from the reference text must go too."""
    stale = []
    for erratum in ERRATA.get("signature") or []:
        notice = next((n for n in NOTICES if same_text(n.doc_number or "") == same_text(erratum["doc_number"])), None)
        if notice is None or notice.signature.count(erratum["printed"]) < 2:
            stale.append(erratum["doc_number"])
    assert not stale, f"{Path(REFERENCE, 'errata.yaml')}: no misprint left for {stale}"
