"""Fact check: the Shaanxi call for 2025 national standardisation pilots
(data/policies/2025-zheng-ji-2025-nian-du-guo-jia-biao-zhun-hua-shi-dian.yaml)
against shaanxi-standardization-pilot-call-2025.txt."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import yaml

from factcheck_reference import DATA, SHAANXI, Record, ref, same_organ, same_text, shaanxi_call

RECORD = DATA / "policies" / "2025-zheng-ji-2025-nian-du-guo-jia-biao-zhun-hua-shi-dian.yaml"


@pytest.fixture(scope="module")
def record() -> Record:
    assert RECORD.is_file(), f"{RECORD.name}: the Shaanxi call has no record"
    text = RECORD.read_text(encoding="utf-8")
    return Record(RECORD, yaml.safe_load(text), text)


def bigrams(text: str) -> set[str]:
    text = same_text(text)
    return {text[i:i + 2] for i in range(len(text) - 1)}


def overlap(label: str, clause: str) -> float:
    """Share of the label's character pairs found in the clause (1.0: the label quotes it)."""
    pairs = bigrams(label)
    return len(pairs & bigrams(clause)) / len(pairs) if pairs else 0.0


def as_date(value) -> dt.date | None:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)) if value else None


def test_the_call_states_four_dated_steps_and_no_other_date_but_its_signing():
    call = shaanxi_call()
    steps = [d for d in call.deadlines if not d.recurring]
    assert [d.date.isoformat() for d in steps] == ["2025-05-20", "2025-05-30", "2025-06-10", "2025-06-20"], \
        f"{ref(SHAANXI, 128)}: read {steps}"
    days = {(int(m), int(d)) for m, d in re.findall(r"(\d{1,2})月(\d{1,2})日", call.text)}
    read = {(s.date.month, s.date.day) for s in steps} | {(call.signed.month, call.signed.day)}
    assert days == read, f"{SHAANXI.name}: dates in the text {sorted(days)}, read as steps or signing {sorted(read)}"
    assert "截止" not in call.text, f"{SHAANXI.name}: a 截止 the reader does not read"


def test_title_is_the_calls(record):
    call = shaanxi_call()
    assert same_text(record.data.get("title")) == same_text(call.title), \
        f"{record.at('title')}: {record.data.get('title')!r}; {ref(SHAANXI, call.title_line)}: {call.title!r}"


def test_doc_number_is_null_as_the_call_prints_none(record):
    call = shaanxi_call()
    assert (record.data.get("doc_number") or None) == call.doc_number, \
        f"{record.at('doc_number')}: {record.data.get('doc_number')!r}; the call prints {call.doc_number!r}"


def test_issuer_is_the_office_that_signs_the_call(record):
    call = shaanxi_call()
    issuers = record.data.get("issuers") or []
    assert any(same_organ(i, call.signer) for i in issuers), \
        f"{record.at('issuers')}: {issuers}; {ref(SHAANXI, call.signature_line - 2)} is signed by {call.signer}"
    unnamed = [i for i in issuers if same_text(i) not in call.text]
    assert not unnamed, f"{record.at('issuers')}: the call never names {unnamed}"
    assert record.data.get("region") == "陕西", f"{record.at('region')}: {record.data.get('region')!r}, not 陕西"


def test_dates_are_the_calls(record):
    call = shaanxi_call()
    written, published = as_date(record.data.get("written")), as_date(record.data.get("published"))
    assert written == call.signed, f"{record.at('written')}: {written}; {ref(SHAANXI, call.signature_line)}: {call.signed}"
    assert published and published >= call.signed, \
        f"{record.at('published')}: {published}, before the call was signed ({call.signed})"


def test_every_dated_step_of_the_call_is_a_deadline_of_the_record(record):
    entries = record.data.get("deadlines") or []
    have = {as_date(e.get("date")) for e in entries}
    missing = [f"{record.at('deadlines')}: no deadline {d.date} ({ref(SHAANXI, d.line)}: {d.clause})"
               for d in shaanxi_call().deadlines if not d.recurring and d.date not in have]
    assert not missing, "\n".join(missing)


def test_every_deadline_of_the_record_is_a_date_of_the_call_with_its_label(record):
    steps = shaanxi_call().deadlines
    wrong = []
    for entry in record.data.get("deadlines") or []:
        date, label = as_date(entry.get("date")), str(entry.get("label", ""))
        own = [d for d in steps if d.date == date]
        if not own:
            wrong.append(f"{record.at('deadlines')}: {date} {label!r} is no date the call states "
                         f"(its dates: {sorted({d.date.isoformat() for d in steps})})")
            continue
        best = max(steps, key=lambda d: overlap(label, d.clause))
        if overlap(label, own[0].clause) < 0.6 or best.date != date:
            wrong.append(f"{record.at('deadlines')}: {date} {label!r} does not say what the call sets for that day "
                         f"({ref(SHAANXI, own[0].line)}: {own[0].clause})")
    assert not wrong, "\n".join(wrong)


def test_attachments_are_the_calls(record):
    call = shaanxi_call()
    ours = [same_text(a) for a in record.data.get("attachments") or []]
    assert ours == [same_text(a) for a in call.attachments], \
        f"{record.at('attachments')}: {ours}; {ref(SHAANXI, call.attachments_line)}: {call.attachments}"
