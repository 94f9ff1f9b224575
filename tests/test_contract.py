"""The whole Scorecard as JSON and back: real documents, made-up ones, and damaged data."""

from __future__ import annotations

import copy
import dataclasses
import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_render import assert_json_contract

from freedomcities import analyze
from freedomcities.contract import SCHEMA, public_view
from freedomcities.errors import ContractError, FreedomCitiesError
from freedomcities.models import (
    STANCES,
    STATUSES,
    Document,
    Finding,
    Flag,
    Reviewed,
    RuleResult,
    Scorecard,
    Section,
)
from freedomcities.render.jsonout import scorecard_to_dict

SAMPLES = Path(__file__).resolve().parents[1] / "freedomcities" / "samples"
CORPUS = (
    "alameda-county-ca-so-go-1-24-ice-notifications-2017",
    "alamance-county-nc-so-287g-moa",
    "albuquerque-nm-code-of-resolutions-immigrant-friendly",
)


@pytest.fixture(scope="module")
def real(shared_dir: Path) -> list[Scorecard]:
    """The bundled samples (PDF, Word, text) and three corpus policies, analysed for real."""
    paths = sorted(SAMPLES.glob("sample-city-pd-immigration-policy.*"))
    paths += [shared_dir / "corpus2" / f"{slug}.txt" for slug in CORPUS]
    return [analyze(path, jurisdiction="Mesa, AZ") for path in paths]


def _through_json(scorecard: Scorecard) -> Scorecard:
    """The scorecard written as JSON text and read back, as a database or cache would."""
    return Scorecard.from_dict(json.loads(json.dumps(scorecard.to_dict())))


def test_real_documents_come_back_equal(real: list[Scorecard]) -> None:
    assert len(real) == 6
    for scorecard in real:
        assert _through_json(scorecard) == scorecard
    # The learned judge's doubts and its version travel too.
    assert any(r.needs_review for s in real for r in s.results)
    assert all(s.judge_version.startswith("learned-") for s in real)


def test_every_quote_keeps_its_offsets(real: list[Scorecard]) -> None:
    checked = 0
    for scorecard in real:
        data = scorecard.to_dict()
        text = data["document"]["text"]
        evidence = [e for rule in data["rules"] for e in rule["evidence"]]
        for item in evidence + data["flags"]:
            assert text[item["start"] : item["end"]] == item["quote"]
            checked += 1
    assert checked >= len(real)  # a document the judge finds silent throughout has none


def test_optional_rules_are_marked(real: list[Scorecard]) -> None:
    marks = {rule["id"]: rule["optional"] for rule in real[0].to_dict()["rules"]}
    assert marks == {**dict.fromkeys("123456789", False), "1373": True}


def test_the_cli_json_is_cut_out_of_the_whole_dict(real: list[Scorecard]) -> None:
    for scorecard in real:
        whole = scorecard.to_dict()
        assert whole["schema"] == SCHEMA
        public = scorecard_to_dict(scorecard)
        assert_json_contract(public)
        assert public_view(whole) == public
        assert public["document"] == {key: whole["document"][key] for key in public["document"]}


def test_a_reviewed_scorecard_keeps_who_and_when(real: list[Scorecard]) -> None:
    reviewed = Reviewed("affiliate staff", datetime.date(2026, 3, 1), frozenset({"1", "1373"}))
    scorecard = dataclasses.replace(real[0], reviewed=reviewed)
    assert _through_json(scorecard) == scorecard
    assert scorecard.to_dict()["reviewed"]["rule_ids"] == ["1", "1373"]


def test_a_newer_schema_is_refused_with_what_to_do(real: list[Scorecard]) -> None:
    data = real[0].to_dict()
    data["schema"] = SCHEMA + 1
    with pytest.raises(ContractError, match=r"newer freedomcities.*Upgrade"):
        Scorecard.from_dict(data)


def test_the_short_cli_json_is_not_a_whole_scorecard(real: list[Scorecard]) -> None:
    with pytest.raises(ContractError, match="no schema version"):
        Scorecard.from_dict(scorecard_to_dict(real[0]))
    with pytest.raises(ContractError, match="unknown schema 'one'"):
        Scorecard.from_dict({**real[0].to_dict(), "schema": "one"})
    with pytest.raises(ContractError, match="JSON object, not list"):
        Scorecard.from_dict([])


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: d["document"].pop("text"), "field 'text' is missing"),
        (lambda d: d["rules"][0].update(status="maybe"), "'maybe' is not a status"),
        (lambda d: d["rules"][1]["evidence"][0].update(stance="yes"), "'yes' is not a stance"),
        (lambda d: d["sections"][0].update(start="12"), "should be a whole number"),
        (lambda d: d["rules"][0].update(needs_review=1), "should be true or false"),
        (lambda d: d["rules"][0].update(confidence="high"), "should be a number"),
        (lambda d: d.update(flags={}), "should be a list"),
        (lambda d: d.update(reviewed={"by": "x", "on": "soon", "rule_ids": []}), "soon"),
    ],
)
def test_damaged_data_is_refused_clearly(real: list[Scorecard], damage: Any, message: str) -> None:
    data = real[0].to_dict()
    if not data["rules"][1]["evidence"]:  # give rule 2 a quote to damage
        data["rules"][1]["evidence"] = copy.deepcopy(
            next(r["evidence"] for r in data["rules"] if r["evidence"])
        )
    damage(data)
    with pytest.raises(ContractError, match=message) as caught:
        Scorecard.from_dict(data)
    assert isinstance(caught.value, FreedomCitiesError)


# ---- made-up scorecards: every field, any value --------------------------------------------

_text = st.text(max_size=30)
_maybe_text = st.none() | _text
_offset = st.integers(min_value=0, max_value=10_000)
_confidence = st.floats(min_value=0, max_value=1, allow_nan=False)


@st.composite
def _findings(draw: st.DrawFn, rule_id: str) -> Finding:
    return Finding(
        rule_id=draw(st.just(rule_id) | st.sampled_from(["1", "9", "x"])),
        stance=draw(st.sampled_from(STANCES)),
        confidence=draw(_confidence),
        quote=draw(_text),
        start=draw(_offset),
        end=draw(_offset),
        page=draw(st.none() | st.integers(1, 900)),
        section=draw(_maybe_text),
        heading=draw(_maybe_text),
        why=draw(_text),
        tentative=draw(st.booleans()),
    )


@st.composite
def _results(draw: st.DrawFn) -> RuleResult:
    rule_id = draw(st.sampled_from(["1", "5", "1373", "own"]))
    return RuleResult(
        rule_id=rule_id,
        name=draw(_text),
        status=draw(st.sampled_from(STATUSES)),
        confidence=draw(_confidence),
        findings=tuple(draw(st.lists(_findings(rule_id), max_size=3))),
        suggestion=draw(_maybe_text),
        needs_review=draw(st.booleans()),
    )


@st.composite
def _scorecards(draw: st.DrawFn) -> Scorecard:
    text = draw(st.text(max_size=200))
    document = Document(
        source=draw(_text),
        text=text,
        page_starts=tuple(draw(st.lists(_offset, min_size=1, max_size=4))),
        title=draw(_maybe_text),
        ocr_pages=draw(st.integers(0, 50)),
    )
    sections = []
    for start, end, own in draw(st.lists(st.tuples(_offset, _offset, _maybe_text), max_size=3)):
        body = text[start:end] if own is None else own
        sections.append(Section(draw(_maybe_text), draw(_maybe_text), start, end, 1, 2, body))
    flags = [
        Flag(draw(_text), draw(_text), draw(_offset), draw(_offset), None, draw(_maybe_text))
        for _ in range(draw(st.integers(0, 2)))
    ]
    on = draw(st.dates())
    reviewed = draw(st.none() | st.just(Reviewed(draw(_text), on, frozenset(draw(st.sets(_text))))))
    return Scorecard(
        document=document,
        sections=tuple(sections),
        ruleset_id=draw(st.sampled_from(["freedom-cities", "my-rules"])),
        ruleset_version=draw(_text),
        jurisdiction=draw(_maybe_text),
        results=tuple(draw(st.lists(_results(), max_size=4))),
        flags=tuple(flags),
        judge_version=draw(_text),
        reviewed=reviewed,
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_scorecards())
def test_any_scorecard_comes_back_equal(scorecard: Scorecard) -> None:
    assert _through_json(scorecard) == scorecard


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(_scorecards(), st.data())
def test_any_damage_is_a_contract_error_or_a_scorecard(scorecard: Scorecard, data: Any) -> None:
    whole = scorecard.to_dict()
    target: Any = whole
    path = data.draw(st.lists(st.integers(0, 20), min_size=1, max_size=4))
    for step in path[:-1]:
        keys = list(target) if isinstance(target, dict) else list(range(len(target)))
        if not keys or not isinstance(target[keys[step % len(keys)]], dict | list):
            break
        target = target[keys[step % len(keys)]]
    keys = list(target) if isinstance(target, dict) else list(range(len(target)))
    if keys:
        target[keys[path[-1] % len(keys)]] = data.draw(_json)
    try:
        Scorecard.from_dict(whole)
    except ContractError as exc:
        assert str(exc).endswith(".")
