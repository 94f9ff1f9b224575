"""What a report says about a policy: highlighted passages, and the edits to ask for.

Groups bring to meetings the department's own policy with the passages that
fall short marked by rule, and a redline that replaces each of them with the
model rule. Both are worked out here, once, as plain values (a
:class:`PolicyMarkup`); the Word, HTML and PDF layouts beside this module only
lay them out.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal, get_args

from freedomcities.errors import ReportError
from freedomcities.models import Scorecard, Stance
from freedomcities.render.words import labels
from freedomcities.rules import DEFAULT_LANGUAGE, Ruleset, load_ruleset
from freedomcities.score import in_language, place_of, state_of

ChangeKind = Literal["replace", "add"]
# The kinds of report; see :mod:`freedomcities.render.reports`.
Kind = Literal["annotated", "redline", "packet"]
KINDS: tuple[Kind, ...] = get_args(Kind)


@dataclass(frozen=True)
class Highlight:
    """A passage of the policy that bears on a rule, and why."""

    start: int
    end: int
    rule_id: str
    rule_name: str
    stance: Stance
    note: str
    section: str | None
    page: int | None


@dataclass(frozen=True)
class Edit:
    """One edit to ask for: a passage replaced by model rules, or a missing rule added.

    A sentence that falls short of several rules is deleted once and followed
    by each rule's model text, so the redline never deletes the same words twice.
    """

    kind: ChangeKind
    rule_ids: tuple[str, ...]
    rule_names: tuple[str, ...]
    inserted: tuple[str, ...]
    reason: str
    deleted: str = ""
    start: int | None = None
    end: int | None = None
    section: str | None = None
    heading: str | None = None
    page: int | None = None


@dataclass(frozen=True)
class Ask:
    """A rule not yet in place in writing, with the words to adopt."""

    rule_id: str
    rule_name: str
    status: str
    reason: str
    model_text: str


@dataclass(frozen=True)
class PolicyMarkup:
    """Everything a report shows about one scored policy: the marks on it and the asks.

    Named apart from the campaign's ``Report`` (a report-back to the affiliate).
    """

    scorecard: Scorecard
    ruleset: Ruleset
    highlights: tuple[Highlight, ...]
    changes: tuple[Edit, ...]
    asks: tuple[Ask, ...]

    @property
    def jurisdiction(self) -> str | None:
        """The place the model text was filled in for."""
        return self.scorecard.jurisdiction


def build_report(scorecard: Scorecard, ruleset: Ruleset | None = None) -> PolicyMarkup:
    """Work out the highlights, the redline and the asks for a scorecard.

    Args:
        scorecard: the result of :func:`freedomcities.analyze`.
        ruleset: the ruleset it was scored against; loaded by id when omitted.
            A translation (``load_ruleset(id, "es")``) gives the report's rule
            names, reasons and model texts in its language.
    """
    rules = ruleset or load_ruleset(scorecard.ruleset_id)
    scorecard = in_language(scorecard, rules)
    report = PolicyMarkup(
        scorecard=scorecard,
        ruleset=rules,
        highlights=_highlights(scorecard),
        changes=_replacements(scorecard, rules) + _additions(scorecard, rules),
        asks=_asks(scorecard, rules),
    )
    return report if rules.language == DEFAULT_LANGUAGE else _plain_notes(report)


def _plain_notes(report: PolicyMarkup) -> PolicyMarkup:
    """The engine explains each finding in English; in another language, say what it means.

    The note names the stance in the reader's words ("Este pasaje va en contra de
    la regla"), so a translated report carries no English sentence of the engine's.
    """
    words = labels(report.ruleset.language)
    highlights = tuple(
        dataclasses.replace(h, note=words[f"report.note.{h.stance}"]) for h in report.highlights
    )
    changes = tuple(
        dataclasses.replace(c, reason=words["report.note.change"]) if c.kind == "replace" else c
        for c in report.changes
    )
    return dataclasses.replace(report, highlights=highlights, changes=changes)


def _highlights(scorecard: Scorecard) -> tuple[Highlight, ...]:
    """Every evidence passage, in document order, once per rule."""
    found = {
        (f.start, f.rule_id): Highlight(
            f.start, f.end, f.rule_id, r.name, f.stance, f.why, f.section, f.page
        )
        for r in scorecard.results
        for f in r.findings
    }
    return tuple(sorted(found.values(), key=lambda h: (h.start, h.rule_id)))


def _replacements(scorecard: Scorecard, ruleset: Ruleset) -> tuple[Edit, ...]:
    """Each passage that conflicts or falls short, deleted and followed by the model rules."""
    by_span: dict[tuple[int, int], list[tuple[str, str, str]]] = {}
    first: dict[tuple[int, int], tuple[str | None, str | None, int | None, str]] = {}
    for result in scorecard.results:
        if result.status not in ("conflicts", "partial"):
            continue
        for finding in result.findings:
            if finding.stance != result.status:
                continue
            span = (finding.start, finding.end)
            by_span.setdefault(span, []).append((result.rule_id, result.name, finding.why))
            first.setdefault(span, (finding.section, finding.heading, finding.page, finding.quote))
    changes = []
    inserted_for: set[str] = set()
    for span in sorted(by_span):
        rules = by_span[span]
        section, heading, page, quote = first[span]
        texts = tuple(
            _model_text(ruleset, rule_id, scorecard)
            for rule_id, _, _ in rules
            if rule_id not in inserted_for
        )
        inserted_for.update(rule_id for rule_id, _, _ in rules)
        changes.append(
            Edit(
                kind="replace",
                rule_ids=tuple(rule_id for rule_id, _, _ in rules),
                rule_names=tuple(name for _, name, _ in rules),
                inserted=texts,
                reason=" ".join(why for _, _, why in rules),
                deleted=quote,
                start=span[0],
                end=span[1],
                section=section,
                heading=heading,
                page=page,
            )
        )
    return tuple(changes)


def _additions(scorecard: Scorecard, ruleset: Ruleset) -> tuple[Edit, ...]:
    """A new section for each required rule the policy does not address."""
    return tuple(
        Edit(
            kind="add",
            rule_ids=(result.rule_id,),
            rule_names=(result.name,),
            inserted=(_model_text(ruleset, result.rule_id, scorecard),),
            reason=labels(ruleset.language)["report.not_addressed"],
        )
        for result in scorecard.results
        if result.status == "silent" and not ruleset.rule(result.rule_id).optional
    )


def _asks(scorecard: Scorecard, ruleset: Ruleset) -> tuple[Ask, ...]:
    """The rules to ask for: every one not in place in writing, in ruleset order."""
    return tuple(
        Ask(
            result.rule_id,
            result.name,
            result.status,
            ruleset.rule(result.rule_id).reason,
            _model_text(ruleset, result.rule_id, scorecard),
        )
        for result in scorecard.results
        if result.status != "meets"
    )


def _model_text(ruleset: Ruleset, rule_id: str, scorecard: Scorecard) -> str:
    """A rule's model text, filled in for the scorecard's jurisdiction and state."""
    place = scorecard.jurisdiction
    return ruleset.rule(rule_id).model_text(place_of(place), state_of(place))


def check_kind(kind: str) -> Kind:
    """The kind itself when it is one of :data:`KINDS`; otherwise a ReportError naming them."""
    for known in KINDS:
        if kind == known:
            return known
    raise ReportError(f"No report kind named {kind!r}; valid: {', '.join(KINDS)}.")
