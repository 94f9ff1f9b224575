"""Render a version comparison: in the terminal, as an HTML page, and as plain JSON values.

First the rule statuses that moved (old -> new, with symbol, word and whether
the move is toward the model rule), then each section that changed as a word
diff. Deleted words are struck through and inserted words underlined, and
both also carry markers that read without colour or styling: ``[-deleted-]``
and ``{+inserted+}`` in the terminal, ``<del>`` and ``<ins>`` in HTML. Long
unchanged stretches between edits are shortened to their ends.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.rule import Rule as Divider
from rich.table import Table
from rich.text import Text

from freedomcities.compare import Comparison, Run, SectionChange, StatusMove
from freedomcities.models import Finding, Scorecard, Section
from freedomcities.render.html import _badge, _document_name, _e, page
from freedomcities.render.terminal import INDENT
from freedomcities.render.words import (
    COLOURS,
    DEFAULT_LANGUAGE,
    labels,
    status_text,
    where_text,
)
from freedomcities.sentences import normalize_space

CONTEXT_WORDS = 12  # unchanged words kept on each side of an edit
ARROWS = {"better": "▲", "worse": "▼"}
DIRECTION_COLOURS = {"better": "green", "worse": "bold red"}
MARKERS = {"delete": ("[-", "-]"), "insert": ("{+", "+}")}
DIFF_STYLES = {"delete": "red strike", "insert": "green underline", "equal": ""}

COMPARE_CSS = """
del { color: #8a1010; background: #fde2e2; text-decoration: line-through; }
ins { color: #135e1f; background: #e3f4e6; text-decoration: underline; }
.diff { margin: .25rem 0 1rem; padding: .5rem .75rem; border: 1px solid #888;
  overflow-wrap: anywhere; }
.arrow { white-space: nowrap; }
@media print { del, ins { background: none; } }
"""


def comparison_text(
    comparison: Comparison, *, width: int = 100, language: str = DEFAULT_LANGUAGE
) -> str:
    """The comparison as plain text without colour, e.g. for ``--output changes.txt``."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, highlight=False, emoji=False)
    print_comparison(comparison, console, language=language)
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())


def print_comparison(
    comparison: Comparison, console: Console, *, language: str = DEFAULT_LANGUAGE
) -> None:
    """Print the comparison to a rich console: header, status moves, section diffs."""
    words = labels(language)
    for part in (
        _header(comparison, words),
        _moves(comparison, words),
        _sections(comparison, words),
    ):
        console.print(part)
        console.print()


def _header(comparison: Comparison, words: dict[str, str]) -> RenderableType:
    """Title, the two documents, and the headline counts."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    grid.add_row(Text(words["compare.old"]), Text(_document(comparison.old)))
    grid.add_row(Text(words["compare.new"]), Text(_document(comparison.new)))
    jurisdiction = comparison.new.jurisdiction or words["jurisdiction.none"]
    grid.add_row(Text(words["jurisdiction"]), Text(jurisdiction))
    ruleset = f"{comparison.new.ruleset_id} {comparison.new.ruleset_version}"
    grid.add_row(Text(words["ruleset"]), Text(ruleset))
    return Group(
        Text(_title(comparison, words), style="bold underline"),
        grid,
        Text(""),
        Text(_summary(comparison, words), style="bold"),
        Text(_sections_summary(comparison, words)),
    )


def _moves(comparison: Comparison, words: dict[str, str]) -> RenderableType:
    """The table of moved statuses, then the quote behind each side of each move."""
    blocks: list[RenderableType] = [Divider(Text(words["compare.moves"]), align="left")]
    if not comparison.moves:
        blocks.append(Text(words["compare.moves.none"]))
    else:
        blocks.append(_moves_table(comparison, words))
        blocks.extend(_move_evidence(move, words) for move in comparison.moves)
    if comparison.steady:
        blocks.append(Text(words["compare.steady"].format(rules=", ".join(comparison.steady))))
    return Group(*blocks)


def _moves_table(comparison: Comparison, words: dict[str, str]) -> RenderableType:
    """One row per moved rule: number, name, old status, new status, better or worse."""
    table = Table(header_style="bold")
    table.add_column(words["col.number"], justify="right")
    table.add_column(words["col.rule"])
    table.add_column(words["compare.old"])
    table.add_column(words["compare.new"])
    table.add_column(words["compare.col.change"])
    for move in comparison.moves:
        table.add_row(
            Text(move.rule_id),
            Text(move.name),
            Text(status_text(move.old, words), style=COLOURS[move.old]),
            Text(f"→ {status_text(move.new, words)}", style=COLOURS[move.new]),
            Text(_direction(move, words), style=DIRECTION_COLOURS[move.direction]),
        )
    return table


def _move_evidence(move: StatusMove, words: dict[str, str]) -> RenderableType:
    """``Rule 5 · Don't Ask Rule — ✘ … → ✔ …`` and the deciding quote of each side."""
    heading = Text(f"{words['col.rule']} {move.rule_id} · {move.name} — ", style="bold")
    heading.append(status_text(move.old, words), style=COLOURS[move.old])
    heading.append(" → ")
    heading.append(status_text(move.new, words), style=COLOURS[move.new])
    lines: list[RenderableType] = [heading]
    for side, finding in (("compare.old", move.old_finding), ("compare.new", move.new_finding)):
        line = Text(f"{words[side]}: ", style="bold")
        if finding is None:
            line.append(words["evidence.silent"], style="dim")
        else:
            line.append(f"“{normalize_space(finding.quote)}”", style="italic")
            line.append(_where(finding, words), style="dim")
        lines.append(Padding(line, INDENT, expand=False))
    return Group(Text(""), *lines)


def _sections(comparison: Comparison, words: dict[str, str]) -> RenderableType:
    """Each added, removed or changed section with its word diff."""
    blocks: list[RenderableType] = [Divider(Text(words["compare.sections"]), align="left")]
    if not comparison.sections:
        blocks.append(Text(words["compare.sections.none"]))
    else:
        blocks.append(Text(words["compare.legend"], style="dim"))
    for change in comparison.sections:
        blocks.append(Text(""))
        blocks.append(Text(_change_heading(change, words), style="bold"))
        blocks.append(Padding(_diff_text(change.diff), INDENT, expand=False))
    return Group(*blocks)


def _diff_text(diff: tuple[Run, ...]) -> Text:
    """A word diff as one paragraph: markers for every edit, strike and underline as a bonus."""
    text = Text()
    for op, words in shorten(diff):
        if text:
            text.append(" ")
        if op == "equal":
            text.append(words)
        else:
            opening, closing = MARKERS[op]
            text.append(f"{opening}{words}{closing}", style=DIFF_STYLES[op])
    return text


def comparison_html(
    comparison: Comparison, *, generated: date | None = None, language: str = DEFAULT_LANGUAGE
) -> str:
    """The comparison as one self-contained HTML5 page (inline CSS, no scripts).

    Args:
        comparison: the two versions compared.
        generated: the date to print as "generated on"; today when not given.
        language: which table of :data:`freedomcities.render.LABELS` to use.
    """
    title = _title(comparison, labels(language))
    body = comparison_body(comparison, generated=generated, language=language)
    return page(title, body, language, COMPARE_CSS)


def comparison_body(
    comparison: Comparison, *, generated: date | None = None, language: str = DEFAULT_LANGUAGE
) -> str:
    """The comparison's HTML without the page around it, for the web app to embed.

    Style it with :data:`COMPARE_CSS`.
    """
    words = labels(language)
    return "\n".join(
        [
            _html_header(comparison, words, generated or date.today()),
            _html_moves(comparison, words),
            _html_sections(comparison, words),
            f"<footer>\n<p>{_e(words['footer'])}</p>\n</footer>",
        ]
    )


def _html_header(comparison: Comparison, words: dict[str, str], generated: date) -> str:
    """Title, the two documents, the date and the headline counts."""
    facts = [
        f"{_e(words['compare.old'])}: {_e(_document_name(comparison.old))}",
        f"{_e(words['compare.new'])}: {_e(_document_name(comparison.new))}",
    ]
    return (
        f"<header>\n<h1>{_e(_title(comparison, words))}</h1>\n"
        + "".join(f'<p class="meta">{fact}</p>\n' for fact in facts)
        + f'<p class="meta">{_e(words["generated"].format(date=generated.isoformat()))}</p>\n'
        f'<p class="summary">{_e(_summary(comparison, words))}</p>\n'
        f'<p class="meta">{_e(_sections_summary(comparison, words))}</p>\n</header>'
    )


def _html_moves(comparison: Comparison, words: dict[str, str]) -> str:
    """The table of moved statuses and each side's deciding quote."""
    parts = [f"<section>\n<h2>{_e(words['compare.moves'])}</h2>"]
    if not comparison.moves:
        parts.append(f"<p>{_e(words['compare.moves.none'])}</p>")
    else:
        parts.append(_html_moves_table(comparison, words))
        parts.extend(_html_move_evidence(comparison, move, words) for move in comparison.moves)
    if comparison.steady:
        steady = words["compare.steady"].format(rules=", ".join(comparison.steady))
        parts.append(f"<p>{_e(steady)}</p>")
    parts.append("</section>")
    return "\n".join(parts)


def _html_moves_table(comparison: Comparison, words: dict[str, str]) -> str:
    """One row per moved rule, with status badges on both sides."""
    headers = ("col.rule", "compare.old", "compare.new", "compare.col.change")
    head = f'<th class="num" scope="col">{_e(words["col.number"])}</th>' + "".join(
        f'<th scope="col">{_e(words[key])}</th>' for key in headers
    )
    rows = "\n".join(
        f'<tr><td class="num">{_e(m.rule_id)}</td>'
        f'<td><a href="#move-{_e(m.rule_id)}">{_e(m.name)}</a></td>'
        f"<td>{_badge(comparison.old.result(m.rule_id), words)}</td>"
        f'<td><span class="arrow" aria-hidden="true">→ </span>'
        f"{_badge(comparison.new.result(m.rule_id), words)}</td>"
        f"<td>{_e(_direction(m, words))}</td></tr>"
        for m in comparison.moves
    )
    return (
        '<div class="table-wrap"><table>\n'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table></div>"
    )


def _html_move_evidence(comparison: Comparison, move: StatusMove, words: dict[str, str]) -> str:
    """A moved rule's heading and the quote that decided each side."""
    parts = [
        f'<h3 id="move-{_e(move.rule_id)}">{_e(words["col.rule"])} {_e(move.rule_id)} · '
        f"{_e(move.name)}</h3>"
    ]
    for side, scorecard, finding in (
        ("compare.old", comparison.old, move.old_finding),
        ("compare.new", comparison.new, move.new_finding),
    ):
        badge = _badge(scorecard.result(move.rule_id), words)
        parts.append(f"<p><strong>{_e(words[side])}:</strong> {badge}</p>")
        if finding is None:
            parts.append(f'<p class="where">{_e(words["evidence.silent"])}</p>')
        else:
            parts.append(f"<blockquote>{_e(normalize_space(finding.quote))}</blockquote>")
            where = where_text(finding.section, finding.heading, finding.page, words)
            parts.append(f'<p class="where">{_e(where)}</p>')
    return "\n".join(parts)


def _html_sections(comparison: Comparison, words: dict[str, str]) -> str:
    """Each added, removed or changed section with its word diff."""
    parts = [f"<section>\n<h2>{_e(words['compare.sections'])}</h2>"]
    if not comparison.sections:
        parts.append(f"<p>{_e(words['compare.sections.none'])}</p>")
    else:
        parts.append(f'<p class="meta">{_e(words["compare.legend.page"])}</p>')
    for change in comparison.sections:
        parts.append(f"<h3>{_e(_change_heading(change, words))}</h3>")
        parts.append(f'<p class="diff">{_diff_html(change.diff)}</p>')
    parts.append("</section>")
    return "\n".join(parts)


def _diff_html(diff: tuple[Run, ...]) -> str:
    """A word diff as escaped HTML with ``<del>`` and ``<ins>``."""
    tags = {"delete": "del", "insert": "ins"}
    return " ".join(
        _e(words) if op == "equal" else f"<{tags[op]}>{_e(words)}</{tags[op]}>"
        for op, words in shorten(diff)
    )


def comparison_to_dict(comparison: Comparison) -> dict[str, Any]:
    """The comparison as plain JSON-ready values."""
    return {
        "old": _document_dict(comparison.old),
        "new": _document_dict(comparison.new),
        "ruleset": {"id": comparison.new.ruleset_id, "version": comparison.new.ruleset_version},
        "jurisdiction": comparison.new.jurisdiction,
        "moves": [
            {
                "rule": m.rule_id,
                "name": m.name,
                "old": m.old,
                "new": m.new,
                "direction": m.direction,
                "old_quote": m.old_quote,
                "new_quote": m.new_quote,
            }
            for m in comparison.moves
        ],
        "steady": list(comparison.steady),
        "sections": [_change_dict(change) for change in comparison.sections],
        "unchanged_sections": comparison.unchanged_sections,
    }


def _document_dict(scorecard: Scorecard) -> dict[str, Any]:
    """What was read on one side."""
    document = scorecard.document
    return {"source": document.source, "title": document.title, "sections": len(scorecard.sections)}


def _change_dict(change: SectionChange) -> dict[str, Any]:
    """One section change, with its full (not shortened) diff."""
    return {
        "kind": change.kind,
        "old": _section_dict(change.old),
        "new": _section_dict(change.new),
        "similarity": change.similarity,
        "diff": [{"op": op, "text": text} for op, text in change.diff],
    }


def _section_dict(section: Section | None) -> dict[str, Any] | None:
    """A section's label, heading and first page."""
    if section is None:
        return None
    return {"label": section.label, "heading": section.heading, "page": section.page_start}


def shorten(diff: tuple[Run, ...], context: int = CONTEXT_WORDS) -> list[Run]:
    """The diff with long unchanged stretches cut to ``context`` words beside each edit."""
    runs: list[Run] = []
    for k, (op, text) in enumerate(diff):
        words = text.split(" ")
        if op != "equal" or len(words) <= 2 * context + 1:
            runs.append((op, text))
            continue
        head = words[:context] if k > 0 else []
        tail = words[-context:] if k < len(diff) - 1 else []
        runs.append(("equal", " ".join([*head, "…", *tail])))
    return runs


def _title(comparison: Comparison, words: dict[str, str]) -> str:
    """The title, naming the jurisdiction when there is one."""
    if comparison.new.jurisdiction:
        return words["compare.title.for"].format(jurisdiction=comparison.new.jurisdiction)
    return words["compare.title"]


def _summary(comparison: Comparison, words: dict[str, str]) -> str:
    """``5 of 10 rules changed status: 5 better, 0 worse``."""
    return words["compare.summary"].format(
        moved=len(comparison.moves),
        total=len(comparison.moves) + len(comparison.steady),
        better=len(comparison.better),
        worse=len(comparison.worse),
    )


def _sections_summary(comparison: Comparison, words: dict[str, str]) -> str:
    """``1 sections changed, 3 added, 0 removed, 0 the same``."""
    kinds = [change.kind for change in comparison.sections]
    return words["compare.sections.summary"].format(
        changed=kinds.count("changed"),
        added=kinds.count("added"),
        removed=kinds.count("removed"),
        unchanged=comparison.unchanged_sections,
    )


def _change_heading(change: SectionChange, words: dict[str, str]) -> str:
    """``§ 181A.820 Enforcement … → § 181A.820 … (changed, 54% of the words the same)``."""
    sides = [s for s in (change.old, change.new) if s is not None]
    if len(sides) == 2 and (sides[0].label, sides[0].heading) == (sides[1].label, sides[1].heading):
        sides = sides[1:]
    names = [_section_name(s, words) for s in sides]
    note = words[f"compare.kind.{change.kind}"]
    if change.kind == "changed":
        percent = f"{change.similarity:.0%}"
        note += ", " + words["compare.similarity"].format(percent=percent)
    return f"{' → '.join(names)} ({note})"


def _section_name(section: Section, words: dict[str, str]) -> str:
    """``§ 181A.820 Enforcement of federal immigration laws``, with its page in a paged document."""
    page = section.page_start if section.page_end > 1 else None
    name = where_text(section.label, section.heading, page, words)
    if section.label is None and section.heading is None:
        return ", ".join([words["compare.unlabelled"], *([name] if name else [])])
    return name


def _direction(move: StatusMove, words: dict[str, str]) -> str:
    """``▲ better`` or ``▼ worse``."""
    return f"{ARROWS[move.direction]} {words[f'compare.{move.direction}']}"


def _where(finding: Finding, words: dict[str, str]) -> str:
    """`` — § 181A.820, page 1`` after a quote; empty when the place is unknown."""
    where = where_text(finding.section, finding.heading, finding.page, words)
    return f" — {where}" if where else ""


def _document(scorecard: Scorecard) -> str:
    """A document's source, with its title when it has one."""
    document = scorecard.document
    return f"{document.source} ({document.title})" if document.title else document.source
