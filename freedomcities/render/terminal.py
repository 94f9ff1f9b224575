"""A readable terminal report of one scorecard, drawn with rich.

Order: what was read, a table of the rules, the quotes behind every rule the
document addresses, the model text to adopt where a rule is not met, and the
problem language to change. Colour only underlines what the symbol and word
already say, so the report reads the same when piped to a file.

Document text is always wrapped in :class:`rich.text.Text`, never passed as
markup, so a quote holding ``[brackets]`` prints as written.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.rule import Rule as Divider
from rich.table import Table
from rich.text import Text

from freedomcities.evaluate import Evaluation
from freedomcities.models import STATUSES, Finding, Flag, RuleResult, Scorecard
from freedomcities.render.words import (
    COLOURS,
    DEFAULT_LANGUAGE,
    SYMBOLS,
    confidence_text,
    flag_kind_text,
    labels,
    status_text,
    summary_text,
    title_text,
    where_text,
)
from freedomcities.rules import Ruleset
from freedomcities.score import place_of, state_of
from freedomcities.sentences import normalize_space

INDENT = (0, 0, 0, 4)


def print_report(
    scorecard: Scorecard, console: Console, *, language: str = DEFAULT_LANGUAGE
) -> None:
    """Print the full report of one scorecard to a rich console."""
    for part in report_parts(scorecard, language=language):
        console.print(part)
        console.print()


def render_text(scorecard: Scorecard, *, width: int = 100, language: str = DEFAULT_LANGUAGE) -> str:
    """The report as plain text without colour, e.g. for ``--output report.txt``."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, highlight=False, emoji=False)
    print_report(scorecard, console, language=language)
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())


def report_parts(scorecard: Scorecard, *, language: str = DEFAULT_LANGUAGE) -> list[RenderableType]:
    """The report's blocks in reading order."""
    words = labels(language)
    return [
        _header(scorecard, words),
        _rules_table(scorecard, words),
        _evidence(scorecard, words),
        _suggestions(scorecard, words),
        _flags(scorecard, words),
    ]


def _header(scorecard: Scorecard, words: dict[str, str]) -> RenderableType:
    """Title, headline and what was read."""
    document = scorecard.document
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    rows = [
        (words["document"], document.source),
        (words["document.title"], document.title),
        (words["pages"], str(document.pages)),
        (words["sections"], str(len(scorecard.sections))),
        (words["ocr_pages"], str(document.ocr_pages)),
        (words["jurisdiction"], scorecard.jurisdiction or words["jurisdiction.none"]),
        (words["ruleset"], f"{scorecard.ruleset_id} {scorecard.ruleset_version}"),
    ]
    for key, value in rows:
        if value is not None:
            grid.add_row(Text(key), Text(value))
    headline, rest = summary_text(scorecard, words)
    return Group(
        Text(title_text(scorecard, words), style="bold underline"),
        grid,
        Text(""),
        Text(headline, style="bold"),
        Text(rest),
    )


def _rules_table(scorecard: Scorecard, words: dict[str, str]) -> RenderableType:
    """One row per rule: number, name, status (symbol, word, colour) and confidence."""
    table = Table(show_lines=False, header_style="bold")
    table.add_column(words["col.number"], justify="right")
    table.add_column(words["col.rule"])
    table.add_column(words["col.status"])
    table.add_column(words["col.confidence"], justify="right")
    for result in scorecard.results:
        table.add_row(
            Text(result.rule_id),
            Text(result.name),
            Text(status_text(result.status, words), style=COLOURS[result.status]),
            Text(confidence_text(scorecard, result, words)),
        )
    return table


def _evidence(scorecard: Scorecard, words: dict[str, str]) -> RenderableType:
    """The quotes behind each rule the document addresses."""
    blocks: list[RenderableType] = [Divider(Text(words["evidence"]), align="left")]
    addressed = [r for r in scorecard.results if r.status != "silent"]
    if not addressed:
        blocks.append(Text(words["evidence.none"]))
    for result in addressed:
        blocks.append(_rule_heading(result, words))
        blocks.extend(
            Padding(_quote(finding, words), INDENT, expand=False) for finding in result.findings
        )
    return Group(*blocks)


def _suggestions(scorecard: Scorecard, words: dict[str, str]) -> RenderableType:
    """The model text to adopt for every rule that is not met."""
    blocks: list[RenderableType] = [Divider(Text(words["suggestions"]), align="left")]
    todo = [r for r in scorecard.results if r.status != "meets" and r.suggestion]
    if not todo:
        blocks.append(Text(words["suggestions.none"]))
    for result in todo:
        blocks.append(_rule_heading(result, words))
        blocks.append(Padding(Text(result.suggestion or ""), INDENT, expand=False))
    return Group(*blocks)


def _flags(scorecard: Scorecard, words: dict[str, str]) -> RenderableType:
    """Problem language, each with the wording to use instead."""
    blocks: list[RenderableType] = [Divider(Text(words["flags"]), align="left")]
    if not scorecard.flags:
        blocks.append(Text(words["flags.none"]))
    for flag in scorecard.flags:
        blocks.append(_flag(flag, words))
    return Group(*blocks)


def _rule_heading(result: RuleResult, words: dict[str, str]) -> Text:
    """``Rule 5 · Don't Ask Rule — ◐ Partly in place``."""
    text = Text(f"{words['col.rule']} {result.rule_id} · {result.name} — ", style="bold")
    text.append(status_text(result.status, words), style=COLOURS[result.status])
    return text


def _quote(finding: Finding, words: dict[str, str]) -> Text:
    """One quote with where it sits and which way it points."""
    text = Text(f"“{normalize_space(finding.quote)}”\n", style="italic")
    where = where_text(finding.section, finding.heading, finding.page, words)
    stance = words[f"stance.{finding.stance}"]
    text.append(f"— {where}; {stance}" if where else f"— {stance}", style="dim")
    return text


def _flag(flag: Flag, words: dict[str, str]) -> RenderableType:
    """One flagged passage and its suggested wording."""
    where = where_text(None, None, flag.page, words)
    title = Text(flag_kind_text(flag.kind, words), style="bold")
    if where:
        title.append(f" ({where})", style="dim")
    body = [Padding(Text(f"“{normalize_space(flag.quote)}”", style="italic"), INDENT, expand=False)]
    if flag.suggestion:
        suggestion = Text(f"{words['flag.suggestion']}: ", style="bold")
        suggestion.append(flag.suggestion)
        body.append(Padding(suggestion, INDENT, expand=False))
    return Group(title, *body)


def print_rules(
    ruleset: Ruleset,
    console: Console,
    *,
    jurisdiction: str | None = None,
    language: str = DEFAULT_LANGUAGE,
) -> None:
    """Print every rule of a ruleset with its model text, filled in for a jurisdiction."""
    words = labels(language)
    console.print(Text(f"{ruleset.name} ({ruleset.id} {ruleset.version})", style="bold underline"))
    console.print()
    for rule in ruleset.rules:
        heading = Text(f"{words['col.rule']} {rule.id} · {rule.name}", style="bold")
        if rule.optional:
            heading.append(f" ({words['optional']})", style="dim")
        console.print(heading)
        text = rule.model_text(place_of(jurisdiction), state_of(jurisdiction))
        console.print(Padding(Text(text), INDENT, expand=False))
        console.print(Padding(Text(rule.reason, style="dim"), INDENT, expand=False))
        console.print()


# The evaluation report is for developers of the engine, so its words stay here in English.
def print_evaluation(evaluation: Evaluation, console: Console) -> None:
    """Print an evaluation: headline figures, per-rule accuracy, confusion table, mismatches."""
    console.print(_evaluation_summary(evaluation))
    console.print()
    console.print(_rule_accuracy_table(evaluation))
    console.print()
    console.print(_confusion_table(evaluation))
    console.print()
    console.print(_mismatch_table(evaluation))
    for failed in evaluation.errors:
        console.print(Text(f"Could not analyse {failed.slug}: {failed.error}", style="bold red"))


def print_cross_validation(folds: Sequence[tuple[str, Evaluation]], console: Console) -> None:
    """Print each fold's figures and the total, then the total's confusion table and mismatches.

    ``folds`` are (name, evaluation) pairs; the last is the total over all folds.
    """
    table = Table(
        title="Cross-validated by place: each fold judged by a model that never saw it",
        title_justify="left",
        header_style="bold",
    )
    for heading in ("Fold", "Documents", "Status", "Non-silent", "Conflicts", "Quotes"):
        table.add_column(heading, justify="right")
    table.add_column("Conflicts read as meets", justify="right")
    for name, evaluation in folds:
        table.add_row(
            name,
            str(len(evaluation.documents)),
            _percent(evaluation.accuracy),
            _percent(evaluation.status_match),
            _percent(evaluation.conflict_recall),
            _percent(evaluation.evidence_match),
            str(len(evaluation.conflicts_read_as_meets)),
        )
    console.print(table)
    console.print(
        Text(
            "Status: every rule's status agrees. Non-silent: the expert's findings matched "
            "exactly. Conflicts: the expert's conflicts found. Quotes: the expert's findings "
            "backed by an overlapping quote."
        )
    )
    total = folds[-1][1]
    console.print()
    console.print(_confusion_table(total))
    console.print()
    console.print(_mismatch_table(total))


def _evaluation_summary(evaluation: Evaluation) -> RenderableType:
    """The headline figures."""
    analysed = len(evaluation.documents) - len(evaluation.errors)
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(justify="right")
    rows = [
        ("Accuracy, all rules", evaluation.accuracy),
        ("Expert's non-silent statuses matched exactly", evaluation.status_match),
        ("Expert's findings backed by an overlapping quote", evaluation.evidence_match),
        ("Conflict recall", evaluation.conflict_recall),
        ("Flag recall", evaluation.flag_recall),
    ]
    for name, value in rows:
        grid.add_row(Text(name), Text(_percent(value)))
    title = Text(
        f"Evaluation on {analysed} of {len(evaluation.documents)} documents, "
        f"{len(evaluation.outcomes)} rule labels",
        style="bold underline",
    )
    return Group(title, grid)


def _rule_accuracy_table(evaluation: Evaluation) -> RenderableType:
    """Accuracy per rule."""
    table = Table(title="Accuracy per rule", title_justify="left", header_style="bold")
    table.add_column("Rule", justify="right")
    table.add_column("Accuracy", justify="right")
    table.add_column("Right / labels", justify="right")
    for rule_id, value in evaluation.rule_accuracy.items():
        outcomes = [o for o in evaluation.outcomes if o.rule_id == rule_id]
        right = sum(o.expert == o.engine for o in outcomes)
        table.add_row(rule_id, _percent(value), f"{right} / {len(outcomes)}")
    return table


def _confusion_table(evaluation: Evaluation) -> RenderableType:
    """Expert status (rows) against engine status (columns)."""
    table = Table(
        title="Confusion: expert (rows) x engine (columns)",
        title_justify="left",
        header_style="bold",
    )
    table.add_column("expert \\ engine")
    for status in STATUSES:
        table.add_column(status, justify="right")
    confusion = evaluation.confusion
    for expert in STATUSES:
        cells = [
            Text(str(confusion[(expert, engine)]), style="bold" if expert == engine else "")
            for engine in STATUSES
        ]
        table.add_row(Text(expert), *cells)
    return table


def _mismatch_table(evaluation: Evaluation) -> RenderableType:
    """Every (document, rule) where the engine disagrees with the expert."""
    mismatches = evaluation.mismatches
    if not mismatches:
        return Text("No mismatches.", style="bold")
    table = Table(
        title=f"Mismatches ({len(mismatches)})", title_justify="left", header_style="bold"
    )
    for name in ("Document", "Rule", "Expert", "Engine"):
        table.add_column(name)
    for outcome in mismatches:
        table.add_row(
            Text(outcome.slug),
            Text(outcome.rule_id),
            Text(f"{SYMBOLS[outcome.expert]} {outcome.expert}"),
            Text(f"{SYMBOLS[outcome.engine]} {outcome.engine}", style=COLOURS[outcome.engine]),
        )
    return table


def _percent(value: float | None) -> str:
    """A share as a percentage, or ``n/a`` when nothing was counted."""
    return "n/a" if value is None else f"{value:.0%}"
