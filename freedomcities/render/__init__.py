"""Render a Scorecard for people and for programs: terminal, JSON and HTML.

Every word a reader sees lives in :data:`LABELS`, one table per language, so
a translation is one new table (``LABELS["es"] = {...}``) and nothing else.
Statuses always show a symbol and a word beside any colour, so a report reads
the same in black and white, printed, or to a screen reader.
"""

from __future__ import annotations

from collections.abc import Callable

from freedomcities.models import STATUSES, RuleResult, Scorecard, Status

DEFAULT_LANGUAGE = "en"

# One symbol per status, chosen to differ in shape, not only in colour.
SYMBOLS: dict[Status, str] = {
    "meets": "✔",
    "partial": "◐",
    "conflicts": "✘",
    "silent": "○",
}

# Terminal colours (rich style names); the symbol and word carry the meaning.
COLOURS: dict[Status, str] = {
    "meets": "green",
    "partial": "yellow",
    "conflicts": "bold red",
    "silent": "dim",
}

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "status.meets": "In place in writing",
        "status.partial": "Partly in place",
        "status.conflicts": "Conflicts with the rule",
        "status.silent": "Not addressed",
        "stance.meets": "meets the rule",
        "stance.partial": "partly meets the rule",
        "stance.conflicts": "conflicts with the rule",
        "explain.meets": (
            "The policy already says this in writing, at least as strongly as the model rule. "
            "Thank the people who wrote it, and keep it there."
        ),
        "explain.partial": (
            "The policy touches on this, but the protection is narrower or weaker than the "
            "model rule. The model text below shows what to ask for."
        ),
        "explain.conflicts": (
            "The policy says something that the model rule asks to stop. This is the first "
            "thing worth raising with officials."
        ),
        "explain.silent": (
            "We found nothing on this subject in the document. It may be in a part we did not "
            "receive, or it may be missing; either way the model text is a good start."
        ),
        "title": "Freedom Cities scorecard",
        "title.for": "Freedom Cities scorecard for {jurisdiction}",
        "document": "Document",
        "document.title": "Title",
        "pages": "Pages",
        "sections": "Sections",
        "ocr_pages": "Pages read by OCR",
        "jurisdiction": "Jurisdiction",
        "jurisdiction.none": "not given",
        "ruleset": "Ruleset",
        "generated": "Generated on {date}",
        "summary": "{met} of {total} rules in place in writing",
        "summary.rest": (
            "{partial} partly in place, {conflicts} in conflict, {silent} not addressed"
        ),
        "col.number": "#",
        "col.rule": "Rule",
        "col.status": "Status",
        "col.confidence": "Confidence",
        "evidence": "What the document says",
        "evidence.none": "No quotes to show.",
        "evidence.silent": "We found nothing on this rule in the document.",
        "section": "Section",
        "page": "page {page}",
        "suggestions": "Model text to adopt",
        "suggestions.none": "Every rule is already in place in writing.",
        "flags": "Language to change",
        "flags.none": "No problem language found.",
        "flag.suggestion": "Suggested wording",
        "flag.kind.detainer": "Holding people on immigration detainers",
        "flag.kind.287g": "287(g) agreement with ICE",
        "flag.kind.dro": "Working with ICE deportation officers",
        "flag.kind.reasonable-suspicion-status": "Status checks on 'reasonable suspicion'",
        "flag.kind.racial-profiling": "Room for racial profiling",
        "flag.kind.bias": "Biased wording",
        "flag.kind.dehumanizing-language": "Dehumanizing words such as 'alien'",
        "optional": "optional",
        "legend": "What the statuses mean",
        "footer": (
            "This scorecard was made by a computer reading the document. It quotes the "
            "document so you can check every finding yourself; please do, before you rely on it."
        ),
        "reading": "Reading {source}",
        "judging": "Checking the rules",
        "analysing": "Analysing documents",
    },
}


def labels(language: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """The user-facing words for one language; an unknown language names the known ones."""
    try:
        return LABELS[language]
    except KeyError:
        known = ", ".join(sorted(LABELS))
        raise ValueError(f"No labels for language {language!r}; known: {known}.") from None


def status_text(status: Status, words: dict[str, str]) -> str:
    """A status as symbol and word, e.g. ``"✔ In place in writing"``."""
    return f"{SYMBOLS[status]} {words[f'status.{status}']}"


def flag_kind_text(kind: str, words: dict[str, str]) -> str:
    """A flag kind in plain words, or the kind itself when it has no label."""
    return words.get(f"flag.kind.{kind}", kind)


def where_text(
    section: str | None, heading: str | None, page: int | None, words: dict[str, str]
) -> str:
    """Where a quote sits, e.g. ``"§ 428.2 POLICY, page 3"``; empty when unknown."""
    parts = [" ".join(p for p in (f"§ {section}" if section else None, heading) if p)]
    if page is not None:
        parts.append(words["page"].format(page=page))
    return ", ".join(p for p in parts if p)


def counts(scorecard: Scorecard) -> dict[Status, int]:
    """How many rules have each status, counting only the required (non-optional) rules."""
    required = required_results(scorecard)
    return {status: sum(r.status == status for r in required) for status in STATUSES}


def required_results(scorecard: Scorecard) -> list[RuleResult]:
    """Results for the ruleset's required rules; optional ones (such as 1373) are left out."""
    optional = _optional_rule_ids(scorecard)
    return [r for r in scorecard.results if r.rule_id not in optional]


def summary_text(scorecard: Scorecard, words: dict[str, str]) -> tuple[str, str]:
    """The headline ("3 of 9 rules in place in writing") and the line under it."""
    tally = counts(scorecard)
    total = sum(tally.values())
    headline = words["summary"].format(met=tally["meets"], total=total)
    rest = words["summary.rest"].format(
        partial=tally["partial"], conflicts=tally["conflicts"], silent=tally["silent"]
    )
    return headline, rest


def title_text(scorecard: Scorecard, words: dict[str, str]) -> str:
    """The report title, naming the jurisdiction when there is one."""
    if scorecard.jurisdiction:
        return words["title.for"].format(jurisdiction=scorecard.jurisdiction)
    return words["title"]


def _optional_rule_ids(scorecard: Scorecard) -> frozenset[str]:
    """Ids of optional rules, when the scorecard's ruleset is one that ships with the package."""
    from freedomcities.errors import RulesetError
    from freedomcities.rules import available_rulesets, load_ruleset

    if scorecard.ruleset_id not in available_rulesets():
        return frozenset()
    try:
        ruleset = load_ruleset(scorecard.ruleset_id)
    except RulesetError:
        return frozenset()
    return frozenset(rule.id for rule in ruleset.rules if rule.optional)


Renderer = Callable[[Scorecard], str]


def renderer(name: str) -> Renderer:
    """The renderer for a format name: ``text``, ``json`` or ``html``.

    Raises:
        ValueError: an unknown name; the message lists the valid ones.
    """
    from freedomcities.render.html import render_html
    from freedomcities.render.jsonout import render_json
    from freedomcities.render.terminal import render_text

    renderers: dict[str, Renderer] = {
        "text": render_text,
        "json": render_json,
        "html": render_html,
    }
    try:
        return renderers[name]
    except KeyError:
        raise ValueError(
            f"No renderer named {name!r}; valid: {', '.join(sorted(renderers))}."
        ) from None
