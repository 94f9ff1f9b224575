"""Renderers: the JSON contract, the shareable HTML page and the terminal report.

The scorecards here are built by hand from a real policy sentence, so these
tests check rendering alone, fast and whatever the engine decides.
"""

from __future__ import annotations

import json
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from freedomcities.errors import UnsupportedFormat
from freedomcities.models import (
    STANCES,
    STATUSES,
    Document,
    Finding,
    Flag,
    RuleResult,
    Scorecard,
    Section,
    Stance,
    Status,
)
from freedomcities.render import LABELS, SYMBOLS, labels, render, renderer, summary_text
from freedomcities.render.html import render_html
from freedomcities.render.jsonout import render_json, render_json_many, scorecard_to_dict
from freedomcities.render.terminal import render_text
from freedomcities.rules import load_ruleset

# A real sentence (East Haven, CT, Policy 428.2) and a hostile one.
EAST_HAVEN = (
    "the East Haven Police Department shall not undertake immigration-related investigations "
    "and shall not routinely inquire into the specific\nimmigration status of any person(s)"
)
SCRIPT = "<script>alert('x')</script> & \"quoted\""
TEXT = f"428.2 POLICY\n{EAST_HAVEN}.\n\nIllegal aliens {SCRIPT} shall be held on ICE detainers."


def make_scorecard(jurisdiction: str | None = "East Haven, CT") -> Scorecard:
    """A scorecard with one rule per status, hostile text in quotes, and a flag."""
    document = Document(source="east-haven.pdf", text=TEXT, page_starts=(0, 120), title=None)
    ruleset = load_ruleset()
    statuses: dict[str, Stance] = {"1": "conflicts", "2": "meets", "5": "partial"}
    results = []
    for rule in ruleset.rules:
        stance = statuses.get(rule.id)
        status: Status = stance or "silent"
        findings: tuple[Finding, ...] = ()
        if rule.id == "5":
            start = TEXT.index(EAST_HAVEN)
            findings = (
                Finding(
                    "5",
                    "partial",
                    0.7,
                    EAST_HAVEN,
                    start,
                    start + len(EAST_HAVEN),
                    1,
                    "428.2",
                    "POLICY",
                    "not routinely",
                ),
            )
        elif stance is not None:
            start = TEXT.index(SCRIPT)
            findings = (
                Finding(
                    rule.id,
                    stance,
                    0.9,
                    SCRIPT,
                    start,
                    start + len(SCRIPT),
                    2,
                    None,
                    "<b>heading</b>",
                    "why",
                ),
            )
        suggestion = None if status == "meets" else rule.model_text("East Haven", "CT")
        results.append(RuleResult(rule.id, rule.name, status, 0.9, findings, suggestion))
    flag_start = TEXT.index("Illegal aliens")
    flag = Flag(
        "dehumanizing-language",
        f"Illegal aliens {SCRIPT}",
        flag_start,
        flag_start + 20,
        2,
        "people <without> papers",
    )
    section = Section("428.2", "POLICY", 0, 120, 1, 1, TEXT[:120])
    return Scorecard(
        document, (section,), ruleset.id, ruleset.version, jurisdiction, tuple(results), (flag,)
    )


# ---- the JSON contract ----------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_keys(obj: Any, keys: set[str], where: str) -> None:
    assert isinstance(obj, dict), f"{where} should be an object"
    assert set(obj) == keys, f"{where} keys: {sorted(obj)} != {sorted(keys)}"


def assert_json_contract(data: Any) -> None:
    """Check one scorecard object against docs/json.md, field by field."""
    keys = {"document", "ruleset", "judge", "jurisdiction", "rules", "flags"}
    _check_keys(data, keys, "top level")
    assert data["judge"] == "cues" or data["judge"].startswith("learned-")
    document = data["document"]
    _check_keys(document, {"source", "title", "pages", "sections", "ocr_pages"}, "document")
    assert isinstance(document["source"], str)
    assert document["title"] is None or isinstance(document["title"], str)
    for key in ("pages", "sections", "ocr_pages"):
        assert _is_int(document[key]) and document[key] >= 0, key
    _check_keys(data["ruleset"], {"id", "version"}, "ruleset")
    assert data["ruleset"]["id"] == "freedom-cities"
    assert isinstance(data["ruleset"]["version"], str)
    assert data["jurisdiction"] is None or isinstance(data["jurisdiction"], str)
    assert isinstance(data["rules"], list)
    assert [r["id"] for r in data["rules"]] == [*"123456789", "1373"]
    for rule in data["rules"]:
        _check_rule(rule)
    assert isinstance(data["flags"], list)
    for flag in data["flags"]:
        _check_keys(flag, {"kind", "quote", "page", "suggestion"}, "flag")
        assert isinstance(flag["kind"], str) and isinstance(flag["quote"], str)
        assert flag["page"] is None or _is_int(flag["page"])
        assert flag["suggestion"] is None or isinstance(flag["suggestion"], str)


def _check_rule(rule: Any) -> None:
    keys = {"id", "name", "status", "confidence", "needs_review", "evidence", "suggestion"}
    _check_keys(rule, keys, "rule")
    assert isinstance(rule["needs_review"], bool)
    assert isinstance(rule["id"], str) and isinstance(rule["name"], str)
    assert rule["status"] in STATUSES
    assert isinstance(rule["confidence"], float) and 0.0 <= rule["confidence"] <= 1.0
    assert rule["suggestion"] is None or isinstance(rule["suggestion"], str)
    assert isinstance(rule["evidence"], list)
    for evidence in rule["evidence"]:
        _check_keys(evidence, {"section", "heading", "page", "quote", "stance"}, "evidence")
        assert evidence["section"] is None or isinstance(evidence["section"], str)
        assert evidence["heading"] is None or isinstance(evidence["heading"], str)
        assert evidence["page"] is None or _is_int(evidence["page"])
        assert isinstance(evidence["quote"], str) and evidence["quote"]
        assert evidence["stance"] in STANCES


def test_json_follows_the_contract() -> None:
    data = json.loads(render_json(make_scorecard()))
    assert_json_contract(data)
    assert data["document"] == {
        "source": "east-haven.pdf",
        "title": None,
        "pages": 2,
        "sections": 1,
        "ocr_pages": 0,
    }
    rule5 = data["rules"][4]
    assert rule5["status"] == "partial"
    assert rule5["evidence"] == [
        {
            "section": "428.2",
            "heading": "POLICY",
            "page": 1,
            "quote": EAST_HAVEN,
            "stance": "partial",
        }
    ]
    assert rule5["suggestion"].startswith("East Haven officials shall not inquire")
    assert data["rules"][1]["suggestion"] is None  # met: nothing to adopt


def test_json_without_jurisdiction_is_null() -> None:
    data = scorecard_to_dict(make_scorecard(jurisdiction=None))
    assert_json_contract(data)
    assert data["jurisdiction"] is None


def test_json_many_keeps_errors_in_place() -> None:
    items = [
        (Path("a.pdf"), make_scorecard()),
        (Path("b.png"), UnsupportedFormat("b.png is not in a format that can be read.")),
    ]
    data = json.loads(render_json_many(items))
    assert len(data) == 2
    assert_json_contract(data[0])
    assert data[1] == {"source": "b.png", "error": "b.png is not in a format that can be read."}


# ---- HTML -----------------------------------------------------------------------------------

VOID = {"meta", "br", "hr", "img", "input", "link", "wbr"}


class _TagChecker(HTMLParser):
    """Records tags and checks every non-void element is closed in order."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(f"unexpected </{tag}>")


def _parse(page: str) -> _TagChecker:
    checker = _TagChecker()
    checker.feed(page)
    checker.close()
    return checker


def test_html_is_a_balanced_self_contained_page() -> None:
    page = render_html(make_scorecard(), generated=date(2026, 5, 1))
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    checker = _parse(page)
    assert checker.errors == [] and checker.stack == []
    tags = {tag for tag, _ in checker.tags}
    assert {"script", "link", "img", "iframe"}.isdisjoint(tags)
    assert ("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}) in (
        checker.tags
    )
    hrefs = [attrs.get("href") or "" for _, attrs in checker.tags]
    assert all(h.startswith("#") for h in hrefs if h)  # only links within the page
    assert "url(" not in page and "@import" not in page


def test_html_has_the_scorecard_contents() -> None:
    page = render_html(make_scorecard(), generated=date(2026, 5, 1))
    assert "Freedom Cities scorecard for East Haven, CT" in page
    assert "Generated on 2026-05-01" in page
    assert "1 of 9 rules in place in writing" in page  # the optional 1373 rule is not counted
    for status in STATUSES:  # badges and the footer legend: a symbol and a word, not colour alone
        assert f"{SYMBOLS[status]}</span> {LABELS['en'][f'status.{status}']}" in page
        assert LABELS["en"][f"explain.{status}"] in page
    assert "East Haven officials shall not inquire" in page  # model text filled in
    assert "§ 428.2 POLICY, page 1" in page
    # the quote spans a line break in the document; the page shows it on one line
    assert "into the specific immigration status" in page


def test_html_escapes_untrusted_text() -> None:
    scorecard = make_scorecard(jurisdiction="<script>evil()</script>")
    page = render_html(scorecard)
    assert "<script" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;quoted&quot;" in page
    assert "&lt;b&gt;heading&lt;/b&gt;" in page
    assert "people &lt;without&gt; papers" in page
    assert "&lt;script&gt;evil()&lt;/script&gt;" in page
    assert _parse(page).errors == []


# ---- terminal -------------------------------------------------------------------------------


def test_text_report_reads_without_colour() -> None:
    report = render_text(make_scorecard())
    assert "\x1b[" not in report
    for expected in (
        "Freedom Cities scorecard for East Haven, CT",
        "east-haven.pdf",
        "1 of 9 rules in place in writing",
        "✘ Conflicts with the rule",
        "✔ In place in writing",
        "◐ Partly in place",
        "○ Not addressed",
        "Rule 5 · Don't Ask Rule",
        "§ 428.2 POLICY, page 1; partly meets the rule",
        "Model text to adopt",
        "East Haven officials shall not inquire",
        "Language to change",
        "Dehumanizing words such as 'alien'",
        "Suggested wording: people <without> papers",
    ):
        assert expected in report, expected


def test_text_report_prints_brackets_as_written() -> None:
    report = render_text(make_scorecard(jurisdiction=None), width=200)
    assert "[oversight entity]" in report  # rich markup never eats document or model text
    assert "<script>alert('x')</script>" in report


def test_text_report_rule_table_lists_every_rule() -> None:
    report = render_text(make_scorecard(), width=200)
    for rule in load_ruleset().rules:
        assert rule.name in report


# ---- labels and registry --------------------------------------------------------------------


def test_every_status_and_stance_has_words() -> None:
    words = labels("en")
    for status in STATUSES:
        assert words[f"status.{status}"] and words[f"explain.{status}"] and SYMBOLS[status]
    for stance in STANCES:
        assert words[f"stance.{stance}"]
    assert len(set(SYMBOLS.values())) == len(STATUSES)


def test_unknown_language_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="known: en"):
        labels("xx")


def test_summary_counts_required_rules_only() -> None:
    headline, rest = summary_text(make_scorecard(), labels())
    assert headline == "1 of 9 rules in place in writing"
    assert rest == "1 partly in place, 1 in conflict, 6 not addressed"


@pytest.mark.parametrize("name", ["text", "json", "html"])
def test_renderer_registry(name: str) -> None:
    assert render(make_scorecard(), name) == renderer(name)(make_scorecard(), None)


def test_renderer_registry_rejects_unknown_names() -> None:
    with pytest.raises(ValueError, match="valid: html, json, text"):
        renderer("docx")
