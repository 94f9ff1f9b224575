"""Roll findings up to one status per rule: the scorecard.

A single conflicting sentence decides a rule (a policy that protects in one
section and hands over release dates in another still hands them over), so
``conflicts`` outranks ``meets``, which outranks ``partial``.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from freedomcities.models import (
    Document,
    Finding,
    Flag,
    RuleResult,
    Scorecard,
    Section,
    Stance,
    Status,
)
from freedomcities.rules import DEFAULT_LANGUAGE, Rule, Ruleset

# A status decided by a finding less sure than this is shown, but marked for review first.
REVIEW_BELOW = 0.6
MAX_EVIDENCE = 5
STATE_CODE = re.compile(r",\s*([A-Za-z]{2})\s*$")


def state_of(jurisdiction: str | None) -> str | None:
    """The two-letter state code at the end of a name like ``"Mesa, AZ"``, if any."""
    match = STATE_CODE.search(jurisdiction or "")
    return match.group(1).upper() if match else None


def place_of(jurisdiction: str | None) -> str | None:
    """The place name without its state, e.g. ``"Mesa"`` from ``"Mesa, AZ"``."""
    if not jurisdiction:
        return None
    return STATE_CODE.sub("", jurisdiction).strip() or None


def score(
    document: Document,
    findings: Iterable[Finding],
    ruleset: Ruleset,
    *,
    sections: Sequence[Section] = (),
    flags: Iterable[Flag] = (),
    jurisdiction: str | None = None,
    judge_version: str = "cues",
) -> Scorecard:
    """The scorecard of a document: one status per rule, with its evidence and model text.

    Args:
        document: the document the findings quote.
        findings: what the judge found, from :func:`freedomcities.judge`.
        ruleset: the rules to score against; results come in its order.
        sections: the document's sections, kept for reports that show them.
        flags: problem language the judge found, kept as they are.
        jurisdiction: e.g. ``"Mesa, AZ"``; fills in the model text to suggest.
        judge_version: what read the document ("cues" or the learned judge's fingerprint).
    """
    return Scorecard(
        document=document,
        sections=tuple(sections),
        ruleset_id=ruleset.id,
        ruleset_version=ruleset.version,
        jurisdiction=jurisdiction,
        results=rule_results(findings, ruleset, jurisdiction),
        flags=tuple(flags),
        judge_version=judge_version,
    )


def rule_results(
    findings: Iterable[Finding], ruleset: Ruleset, jurisdiction: str | None = None
) -> tuple[RuleResult, ...]:
    """One result per rule of the ruleset, in ruleset order."""
    by_rule: dict[str, list[Finding]] = {rule.id: [] for rule in ruleset.rules}
    for finding in findings:
        by_rule[finding.rule_id].append(finding)
    return tuple(_result(rule, by_rule[rule.id], jurisdiction) for rule in ruleset.rules)


def _result(rule: Rule, findings: list[Finding], jurisdiction: str | None) -> RuleResult:
    """Decide one rule's status from its findings and pick the evidence to show.

    Each judge says which of its findings it is sure enough of (the others are
    tentative); a second bar here would undo the learned judge's own thresholds,
    which cross-validation set on calibrated probabilities.
    """
    suggestion = _suggest(rule, jurisdiction)
    weak = [f for f in findings if f.tentative]
    findings = [f for f in findings if not f.tentative]
    status = _status(findings)
    if status == "silent":
        unsure = any(f.tentative for f in weak)
        confidence = 0.6 if weak else 0.9
        return RuleResult(rule.id, rule.name, "silent", confidence, (), suggestion, unsure)
    chapters = Counter(_chapter(f) for f in findings)
    ranked = sorted(findings, key=lambda f: (-f.confidence, -chapters[_chapter(f)], f.start))
    deciding = [f for f in ranked if f.stance == status]
    others = [f for f in ranked if f.stance != status]
    evidence = tuple((deciding + others)[:MAX_EVIDENCE])
    return RuleResult(
        rule.id,
        rule.name,
        status,
        round(deciding[0].confidence, 2),
        evidence,
        None if status == "meets" else suggestion,
        deciding[0].confidence < REVIEW_BELOW,
    )


def _chapter(finding: Finding) -> str | None:
    """The chapter a finding sits in ("1010" for section "1010.3.2").

    The chapter that says most about a rule (Personnel Complaints for the
    redress rule) is where a reader expects its evidence, so it ranks first.
    """
    return finding.section.split(".")[0] if finding.section else None


def _status(findings: list[Finding]) -> Status:
    """Conflicts outrank meets, which outranks partial; no findings is silence."""
    stances: set[Stance] = {f.stance for f in findings}
    ranked: tuple[Stance, ...] = ("conflicts", "meets", "partial")
    for stance in ranked:
        if stance in stances:
            return stance
    return "silent"


def _suggest(rule: Rule, jurisdiction: str | None) -> str:
    """The model text to adopt, filled in for the jurisdiction and its state."""
    return rule.model_text(place_of(jurisdiction), state_of(jurisdiction))


def in_language(scorecard: Scorecard, ruleset: Ruleset) -> Scorecard:
    """The scorecard with each rule's name, model text and flag suggestion from ``ruleset``.

    Scoring reads English policies with the English ruleset; a reader of another
    language gets the same statuses and quotes with the rules in their words
    (``ruleset`` is the translation, from ``load_ruleset(id, language)``).
    """
    if ruleset.language == DEFAULT_LANGUAGE:
        return scorecard
    results = tuple(
        dataclasses.replace(
            result,
            name=ruleset.rule(result.rule_id).name,
            suggestion=result.suggestion
            and _suggest(ruleset.rule(result.rule_id), scorecard.jurisdiction),
        )
        for result in scorecard.results
    )
    suggestions = {flag.kind: flag.suggestion for flag in ruleset.flags}
    flags = tuple(
        dataclasses.replace(flag, suggestion=suggestions.get(flag.kind, flag.suggestion))
        for flag in scorecard.flags
    )
    return dataclasses.replace(scorecard, results=results, flags=flags)


def place_results(
    results: Iterable[RuleResult], ruleset: Ruleset, jurisdiction: str | None
) -> tuple[RuleResult, ...]:
    """The same results with the model text filled in for another jurisdiction.

    The place only changes the suggested wording, never a status, so a stored
    analysis serves every agency whose file has the same content.
    """
    rules = {rule.id: rule for rule in ruleset.rules}
    return tuple(
        dataclasses.replace(
            result,
            suggestion=None
            if result.status == "meets"
            else _suggest(rules[result.rule_id], jurisdiction),
        )
        for result in results
    )
