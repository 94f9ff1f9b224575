"""The report model: what is highlighted, what the redline replaces, what is asked for."""

from __future__ import annotations

from pathlib import Path

import pytest

from freedomcities import analyze
from freedomcities.evaluate import read_labelled_text
from freedomcities.models import Document
from freedomcities.render.annotate import PolicyMarkup, build_report

SAMPLE = Path(__file__).resolve().parents[1] / "freedomcities/samples"
PLACEHOLDER = "[County/City/State]"


@pytest.fixture(scope="module")
def sample_report() -> PolicyMarkup:
    policy = SAMPLE / "sample-city-pd-immigration-policy.pdf"
    return build_report(analyze(policy, jurisdiction="Mesa, AZ"))


def test_each_passage_that_falls_short_is_deleted_once(sample_report: PolicyMarkup) -> None:
    replaced = [c for c in sample_report.changes if c.kind == "replace"]
    assert replaced
    spans = [(c.start, c.end) for c in replaced]
    assert len(spans) == len(set(spans))
    text = sample_report.scorecard.document.text
    for change in replaced:
        assert change.start is not None and change.end is not None
        assert change.deleted == text[change.start : change.end]


def test_every_rule_not_met_gets_its_model_text_once(sample_report: PolicyMarkup) -> None:
    statuses = {r.rule_id: r.status for r in sample_report.scorecard.results}
    inserted_for = [rule_id for c in sample_report.changes for rule_id in c.rule_ids]
    for rule_id, status in statuses.items():
        optional = sample_report.ruleset.rule(rule_id).optional
        if status in ("conflicts", "partial") or (status == "silent" and not optional):
            assert rule_id in inserted_for, rule_id
        if status == "meets":
            assert rule_id not in inserted_for, rule_id
    texts = [t for c in sample_report.changes for t in c.inserted]
    assert all("Mesa" in t and PLACEHOLDER not in t for t in texts)
    assert len(texts) == len(set(texts))


def test_arizona_gets_its_rule_5_wording(sample_report: PolicyMarkup) -> None:
    rule_5 = [a for a in sample_report.asks if a.rule_id == "5"]
    assert rule_5 and "including to verify" in rule_5[0].model_text


def test_asks_cover_every_rule_not_in_place_and_explain_it(sample_report: PolicyMarkup) -> None:
    asked = {a.rule_id for a in sample_report.asks}
    not_met = {r.rule_id for r in sample_report.scorecard.results if r.status != "meets"}
    assert asked == not_met
    assert all(a.reason for a in sample_report.asks)


def test_highlights_are_the_evidence_in_document_order(shared_dir: Path) -> None:
    document = read_labelled_text(
        shared_dir / "corpus" / "urbana-il-pd-immigration-violations-2015.txt"
    )
    report = build_report(analyze(document, jurisdiction="Urbana, IL"))
    starts = [h.start for h in report.highlights]
    assert starts == sorted(starts)
    stances = {h.stance for h in report.highlights}
    assert "conflicts" in stances
    for h in report.highlights:
        assert document.text[h.start : h.end].strip()


def test_a_policy_that_says_nothing_is_all_additions() -> None:
    document = Document(source="t", text="Officers shall wear their uniform on duty.")
    report = build_report(analyze(document, jurisdiction="Tucson, AZ"))
    assert report.highlights == ()
    assert {c.kind for c in report.changes} == {"add"}
    assert len(report.changes) == 9  # the optional 1373 rule is not added
