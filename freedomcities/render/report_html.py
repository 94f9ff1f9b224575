"""The annotated policy, the redline and the meeting packet as one self-contained HTML page.

The page reuses the scorecard page's look (:mod:`freedomcities.render.html`)
and adds marks, margin notes and ``<del>``/``<ins>`` edits. Inline CSS, no
scripts, nothing fetched from elsewhere; every piece of document text is
escaped, since quotes come from untrusted files. Each mark carries a
bracketed tag and an underline style besides its colour, so the page reads
the same printed in black and white. The print CSS (page size, running
header, page numbers, page breaks between the packet's parts) is what
:mod:`freedomcities.render.pdf` prints from.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from freedomcities.models import Scorecard, Section, Stance
from freedomcities.render.annotate import Edit, Highlight, Kind, PolicyMarkup, check_kind
from freedomcities.render.html import (
    _badge,
    _document_name,
    _e,
    _reviewed_line,
    _rules_table,
    page,
)
from freedomcities.render.words import SYMBOLS, footer_text, labels, summary_text, where_text

_SPACE = re.compile(r"\s+")
_T = TypeVar("_T")
_MARGIN_FONT = "font: 9pt system-ui, sans-serif; color: #444;"
_WORST: dict[Stance, int] = {"meets": 0, "partial": 1, "conflicts": 2}

REPORT_CSS = """
main { max-width: 60rem; }
.running { string-set: running content(); }
.part { break-before: page; }
.part > h2:first-child { margin-top: 0; }
.intro { color: #333; }
.left-out { font-style: italic; color: #444; }
.policy-section { margin-top: 1.5rem; }
.passage { clear: both; }
.passage p, .context { margin: .5rem 0; }
.end { clear: both; }
mark.hl { color: inherit; padding: 0 .1em; text-decoration-line: underline;
  text-decoration-thickness: 2px; text-underline-offset: .18em; }
.hl-meets { background: #e3f4e6; text-decoration-style: solid; text-decoration-color: #135e1f; }
.hl-partial { background: #fff3cd; text-decoration-style: dashed;
  text-decoration-color: #6b4c00; }
.hl-conflicts { background: #fde2e2; text-decoration-style: double;
  text-decoration-color: #8a1010; text-decoration-thickness: 3px; }
.tag { display: inline-block; margin: 0 .15em; padding: 0 .25em; border: 1px solid;
  font-size: .8em; font-weight: bold; font-style: normal; white-space: nowrap;
  text-decoration: none; }
.tag-meets { color: #135e1f; }
.tag-partial { color: #6b4c00; border-style: dashed; }
.tag-conflicts { color: #8a1010; border-width: 2px; }
.tag-delete { color: #8a1010; }
.tag-insert { color: #135e1f; }
.notes { float: right; width: 40%; margin: .5rem 0 .5rem 1.25rem; font-size: .85rem; }
aside.note { margin: 0 0 .5rem; padding: .3rem .6rem; border-left: 4px solid #135e1f;
  background: #f7f7f7; }
aside.note p { margin: .2rem 0; }
aside.note-partial { border-left: 4px dashed #6b4c00; }
aside.note-conflicts { border-left: 6px double #8a1010; }
.replace { clear: both; padding-top: .25rem; }
.replace .why { break-after: avoid; }
dl.marks dt { margin-top: .4rem; }
dl.marks dd { margin-left: 1.5rem; }
del { color: #8a1010; background: #fde2e2; text-decoration: line-through;
  text-decoration-thickness: 2px; }
ins { color: #135e1f; background: #e3f4e6; text-decoration: underline; }
p.insert { margin: .5rem 0 .5rem 1rem; padding-left: .6rem; border-left: 4px double #135e1f; }
.why { margin: .25rem 0 1rem 1rem; color: #444; font-size: .9rem; }
ol.contents li { margin: .2rem 0; }
@media screen and (max-width: 44rem) {
  .passage { display: flex; flex-direction: column-reverse; }
  .notes { float: none; width: auto; margin: .25rem 0 1rem; }
}
@media print {
  main { max-width: none; padding: 0; }
  h2, h3 { break-after: avoid; }
  aside.note, p.insert, p.model { break-inside: avoid; }
  table { font-size: 10.5pt; }
}
"""


@dataclass(frozen=True)
class _Cluster:
    """Overlapping highlights marked as one passage."""

    start: int
    end: int
    highlights: tuple[Highlight, ...]


def report_html(
    report: PolicyMarkup,
    kind: Kind,
    *,
    generated: date | None = None,
    language: str | None = None,
) -> str:
    """A report as one self-contained, printable HTML5 page.

    Args:
        report: what to show, from :func:`freedomcities.render.annotate.build_report`.
        kind: ``"annotated"``, ``"redline"`` or ``"packet"``.
        generated: the date to print as "generated on"; today when not given.
        language: which table of :data:`freedomcities.render.LABELS` to use;
            by default the language of the report's ruleset, so a report built
            with ``load_ruleset(id, "es")`` is Spanish throughout.

    Raises:
        ReportError: an unknown kind; the message lists the valid ones.
    """
    kind = check_kind(kind)
    language = language or report.ruleset.language
    words = labels(language)
    title = _title(report, kind, words)
    when = generated or date.today()
    if kind == "annotated":
        body = [_title_block(report, title, words, when), _annotated(report, words)]
    elif kind == "redline":
        body = [_title_block(report, title, words, when), _redline(report, words)]
    else:
        body = _packet(report, title, words, when)
    return page(
        f"{title} — {_document_name(report.scorecard)}",
        "\n".join(body),
        language,
        REPORT_CSS + _page_css(words),
    )


# Layout of each kind ------------------------------------------------------


def _title_block(report: PolicyMarkup, title: str, words: dict[str, str], generated: date) -> str:
    """The report's title (also the running header in print), document and date."""
    scorecard = report.scorecard
    facts = [
        f"{_e(words['document'])}: {_e(_document_name(scorecard))}",
        f"{_e(words['pages'])}: {scorecard.document.pages}",
    ]
    return (
        f'<header>\n<h1 class="running">{_e(title)}</h1>\n'
        f'<p class="meta">{" · ".join(facts)}</p>\n'
        f'<p class="meta">{_e(words["generated"].format(date=generated.isoformat()))}</p>\n'
        f"{_reviewed_line(scorecard, words)}"
        "</header>"
    )


def _annotated(report: PolicyMarkup, words: dict[str, str]) -> str:
    """The legend, then each section holding highlights, marked and with margin notes."""
    scorecard = report.scorecard
    by_section = _group(scorecard, report.highlights, lambda h: h.start)
    shown = len(by_section)
    total = max(len(scorecard.sections), shown)
    parts = [f'<p class="intro">{_e(words["report.annotated.intro"])}</p>', _legend(words)]
    if not by_section:
        parts.append(f"<p>{_e(words['report.annotated.none'])}</p>")
    if total > shown:
        left_out = words["report.annotated.left_out"].format(count=total - shown, total=total)
        parts.append(f'<p class="left-out">{_e(left_out)}</p>')
    models = {ask.rule_id: ask.model_text for ask in report.asks}
    noted: set[str] = set()
    for section, highlights in by_section:
        parts.append(_annotated_section(scorecard, section, highlights, models, noted, words))
    additions = [c for c in report.changes if c.kind == "add"]
    if additions:
        parts.append(f"<h2>{_e(words['report.annotated.missing'])}</h2>")
        parts.extend(_addition(change, words) for change in additions)
    return '<section class="annotated">\n' + "\n".join(parts) + "\n</section>"


def _redline(report: PolicyMarkup, words: dict[str, str]) -> str:
    """Each passage to change struck through and followed by the model rules, then additions."""
    scorecard = report.scorecard
    replaced = [c for c in report.changes if c.kind == "replace" and c.start is not None]
    added = [c for c in report.changes if c.kind == "add"]
    parts = [f'<p class="intro">{_e(words["report.redline.intro"])}</p>']
    if not replaced and not added:
        parts.append(f"<p>{_e(words['report.redline.none'])}</p>")
    if replaced:
        parts.append(f"<h2>{_e(words['report.redline.replace'])}</h2>")
        inserted = _inserted_ids(replaced)
        for section, changes in _group(scorecard, replaced, lambda c: c.start or 0):
            parts.append(_redline_section(scorecard, section, changes, inserted, words))
    if added:
        parts.append(f"<h2>{_e(words['report.redline.add'])}</h2>")
        parts.extend(_addition(change, words) for change in added)
    return '<section class="redline">\n' + "\n".join(parts) + "\n</section>"


def _packet(report: PolicyMarkup, title: str, words: dict[str, str], generated: date) -> list[str]:
    """A one-page scorecard, the rules in plain words, what we ask, the redline; a page each."""
    place = report.jurisdiction or words["report.jurisdiction.none"]
    headline, rest = summary_text(report.scorecard, words)
    contents = " · ".join(
        _e(words[key])
        for key in (
            "report.packet.rules",
            "report.packet.asks",
            "report.packet.redline",
        )
    )
    return [
        _title_block(report, title, words, generated),
        f"<section>\n<h2>{_e(words['report.packet.scorecard'])}</h2>\n"
        f'<p class="summary">{_e(headline)}</p>\n<p class="meta">{_e(rest)}</p>',
        _rules_table(report.scorecard, words),
        f'<p class="meta">{_e(words["report.packet.contents"])}: {contents}</p>',
        f'<p class="meta">{_e(footer_text(report.scorecard, words))}</p>\n</section>',
        _part(words["report.packet.rules"], _plain_rules(report, place, words)),
        _part(words["report.packet.asks"], _asks(report, place, words)),
        _part(words["report.packet.redline"], _redline(report, words)),
    ]


def _part(heading: str, body: str) -> str:
    """One part of the packet, starting on a new page in print."""
    return f'<section class="part">\n<h2>{_e(heading)}</h2>\n{body}\n</section>'


def _plain_rules(report: PolicyMarkup, place: str, words: dict[str, str]) -> str:
    """Every rule with its reason in plain words and its status in this policy."""
    parts = [
        f'<p class="intro">{_e(words["report.packet.rules.intro"].format(jurisdiction=place))}</p>'
    ]
    for rule in report.ruleset.rules:
        optional = f" ({_e(words['optional'])})" if rule.optional else ""
        parts.append(
            f'<h3 id="rule-{_e(rule.id)}">{_e(words["col.rule"])} {_e(rule.id)} · '
            f"{_e(rule.name)}{optional}</h3>\n<p>{_e(rule.reason)}</p>"
        )
        try:
            result = report.scorecard.result(rule.id)
        except KeyError:
            continue
        parts.append(f"<p>{_e(words['report.in_policy'])}: {_badge(result, words)}</p>")
    return "\n".join(parts)


def _asks(report: PolicyMarkup, place: str, words: dict[str, str]) -> str:
    """The rules to ask for, each with its status today and the model text to adopt."""
    if not report.asks:
        return f"<p>{_e(words['report.packet.asks.none'])}</p>"
    parts = [
        f'<p class="intro">{_e(words["report.packet.asks.intro"].format(jurisdiction=place))}</p>'
    ]
    for ask in report.asks:
        result = report.scorecard.result(ask.rule_id)
        parts.append(
            f"<h3>{_e(words['col.rule'])} {_e(ask.rule_id)} · {_e(ask.rule_name)} "
            f"{_badge(result, words)}</h3>\n"
            f'<p class="model">{_e(ask.model_text)}</p>'
        )
    return "\n".join(parts)


# The policy's own text, marked ---------------------------------------------


def _annotated_section(
    scorecard: Scorecard,
    section: Section,
    highlights: Sequence[Highlight],
    models: dict[str, str],
    noted: set[str],
    words: dict[str, str],
) -> str:
    """One section's text with each highlighted passage marked and its notes beside it."""
    text = scorecard.document.text
    clusters = _clusters(highlights, section.end)
    cursor = _body_start(section, clusters[0].start)
    parts = [f'<section class="policy-section">\n<h3>{_e(_section_title(section, words))}</h3>']
    for cluster in clusters:
        before = _flow(text[cursor : cluster.start]).strip()
        before += " " if before else ""
        notes = "".join(_note(h, words) for h in cluster.highlights)
        parts.append(
            f'<div class="passage">\n<div class="notes">{notes}</div>\n'
            f"<p>{_e(before)}{_mark(cluster, text, words)}</p>\n"
            f"{_replacement(cluster, models, noted, words)}\n</div>"
        )
        cursor = max(cursor, cluster.end)
    rest = _flow(text[cursor : section.end]).strip()
    if rest:
        parts.append(f'<p class="context">{_e(rest)}</p>')
    parts.append('<div class="end"></div>\n</section>')
    return "\n".join(parts)


def _clusters(highlights: Sequence[Highlight], limit: int) -> list[_Cluster]:
    """Highlights in document order, overlapping ones merged into one passage."""
    clusters: list[_Cluster] = []
    for h in sorted(highlights, key=lambda h: (h.start, h.end)):
        end = min(h.end, limit)
        if clusters and h.start < clusters[-1].end:
            last = clusters[-1]
            clusters[-1] = _Cluster(last.start, max(last.end, end), (*last.highlights, h))
        else:
            clusters.append(_Cluster(h.start, end, (h,)))
    return clusters


def _mark(cluster: _Cluster, text: str, words: dict[str, str]) -> str:
    """A marked passage, styled by its worst stance, followed by one tag per rule."""
    worst = max((h.stance for h in cluster.highlights), key=_WORST.__getitem__)
    passage = _flow(text[cluster.start : cluster.end]).strip()
    tags = "".join(_tag(h.rule_id, h.stance, words) for h in cluster.highlights)
    return f'<mark class="hl hl-{worst}">{_e(passage)}</mark>{tags}'


def _tag(rule_id: str, stance: Stance, words: dict[str, str]) -> str:
    """The bracketed tag that names rule and stance in words, e.g. ``[Rule 5 ✘ conflicts]``."""
    status = "conflicts" if stance == "conflicts" else stance
    tag = words["report.tag"].format(
        rule=rule_id, symbol=SYMBOLS[status], stance=words[f"report.stance.{stance}"]
    )
    return f' <span class="tag tag-{stance}">{_e(tag)}</span>'


def _note(highlight: Highlight, words: dict[str, str]) -> str:
    """A margin note: the rule, what the passage does, and why."""
    rule = words["report.note.rule"].format(rule=highlight.rule_id, name=highlight.rule_name)
    return (
        f'<aside class="note note-{highlight.stance}">\n'
        f"<p><strong>{_e(rule)}</strong> — {_e(words[f'stance.{highlight.stance}'])}</p>\n"
        f"<p>{_e(highlight.note)}</p>\n</aside>"
    )


def _replacement(
    cluster: _Cluster, models: dict[str, str], noted: set[str], words: dict[str, str]
) -> str:
    """The model text to ask for in place of a passage, for each rule it falls short of.

    A rule's text is shown at its first passage; later ones point back to it.
    """
    parts = []
    for highlight in cluster.highlights:
        model = models.get(highlight.rule_id)
        if highlight.stance == "meets" or not model:
            continue
        if highlight.rule_id in noted:
            see = words["report.note.see_above"].format(rule=highlight.rule_id)
            parts.append(f'<p class="why">{_e(see)}</p>')
            continue
        noted.add(highlight.rule_id)
        label = f"{words['report.note.replace']} ({words['col.rule']} {highlight.rule_id}):"
        parts.append(f'<p class="why">{_e(label)}</p>\n<p class="model">{_e(model)}</p>')
    return f'<div class="replace">{"".join(parts)}</div>' if parts else ""


def _legend(words: dict[str, str]) -> str:
    """What each mark means, shown with a sample of the mark and its tag."""
    items = "\n".join(
        f'<dt><mark class="hl hl-{stance}">{_e(words[f"stance.{stance}"])}</mark>'
        f"{_tag('N', stance, words)}</dt><dd>{_e(words[f'report.legend.{stance}'])}</dd>"
        for stance in ("conflicts", "partial", "meets")
    )
    return (
        f'<h2>{_e(words["report.legend"])}</h2>\n<dl class="marks">\n{items}\n</dl>\n'
        f"<p>{_e(words['report.legend.tags'])}</p>"
    )


# The redline ---------------------------------------------------------------


def _redline_section(
    scorecard: Scorecard,
    section: Section,
    changes: Sequence[Edit],
    inserted: dict[Edit, tuple[str, ...]],
    words: dict[str, str],
) -> str:
    """One section's text with each passage deleted and the model rules inserted after it."""
    text = scorecard.document.text
    ordered = sorted(changes, key=lambda c: (c.start or 0, c.end or 0))
    cursor = _body_start(section, ordered[0].start or section.start)
    parts = [f'<section class="policy-section">\n<h3>{_e(_section_title(section, words))}</h3>']
    for change in ordered:
        start, end = max(change.start or 0, cursor), min(change.end or 0, section.end)
        before = _flow(text[cursor:start]).strip()
        deleted = _flow(text[start:end]).strip()
        struck = (
            f' <span class="tag tag-delete">{_e(words["report.delete"])}</span> '
            f"<del>{_e(deleted)}</del>"
            if deleted
            else ""
        )
        parts.append(f'<p class="context">{_e(before)}{struck}</p>')
        parts.append(_insertion(change, inserted[change], words))
        cursor = max(cursor, end)
    rest = _flow(text[cursor : section.end]).strip()
    if rest:
        parts.append(f'<p class="context">{_e(rest)}</p>')
    parts.append("</section>")
    return "\n".join(parts)


def _insertion(change: Edit, inserted_ids: Sequence[str], words: dict[str, str]) -> str:
    """The model rules inserted for a change, and why."""
    parts = [
        f'<p class="insert"><span class="tag tag-insert">'
        f"{_e(words['report.insert'].format(rule=rule_id))}</span> <ins>{_e(model)}</ins></p>"
        for rule_id, model in zip(inserted_ids, change.inserted, strict=False)
    ]
    earlier = [r for r in change.rule_ids if r not in inserted_ids]
    if earlier:
        above = words["report.redline.inserted_above"].format(rules=", ".join(earlier))
        parts.append(f'<p class="why">{_e(above)}</p>')
    rules = ", ".join(
        words["report.note.rule"].format(rule=r, name=n)
        for r, n in zip(change.rule_ids, change.rule_names, strict=False)
    )
    parts.append(
        f'<p class="why"><strong>{_e(words["report.why"])}</strong> ({_e(rules)}): '
        f"{_e(change.reason)}</p>"
    )
    return "\n".join(parts)


def _inserted_ids(changes: Sequence[Edit]) -> dict[Edit, tuple[str, ...]]:
    """Which rules each replacement's inserted texts belong to.

    :func:`~freedomcities.render.annotate.build_report` inserts each rule's model text
    once, at its first passage in document order, so a later passage failing
    the same rule inserts only the rules not seen before.
    """
    seen: set[str] = set()
    ids: dict[Edit, tuple[str, ...]] = {}
    for change in sorted(changes, key=lambda c: (c.start or 0, c.end or 0)):
        ids[change] = tuple(r for r in change.rule_ids if r not in seen)
        seen.update(change.rule_ids)
    return ids


def _addition(change: Edit, words: dict[str, str]) -> str:
    """A new section holding a missing rule's model text."""
    rule_id, name = change.rule_ids[0], change.rule_names[0]
    heading = words["report.redline.new"].format(rule=rule_id, name=name)
    inserted = "\n".join(
        f'<p class="insert"><span class="tag tag-insert">'
        f"{_e(words['report.insert'].format(rule=rule_id))}</span> <ins>{_e(text)}</ins></p>"
        for text in change.inserted
    )
    return (
        f'<section class="policy-section">\n<h3>{_e(heading)}</h3>\n{inserted}\n'
        f'<p class="why"><strong>{_e(words["report.why"])}</strong>: {_e(change.reason)}</p>\n'
        "</section>"
    )


# Helpers -------------------------------------------------------------------


def _group(
    scorecard: Scorecard, items: Iterable[_T], offset: Callable[[_T], int]
) -> list[tuple[Section, list[_T]]]:
    """Items grouped by the section holding their start offset, in document order."""
    sections = sorted(scorecard.sections, key=lambda s: s.start)
    starts = [s.start for s in sections]
    groups: dict[int, list[_T]] = {}
    for item in items:
        groups.setdefault(bisect.bisect_right(starts, offset(item)) - 1, []).append(item)
    whole = _whole_document(scorecard)
    return [(sections[i] if i >= 0 else whole, groups[i]) for i in sorted(groups)]


def _whole_document(scorecard: Scorecard) -> Section:
    """The document as one section, for text before the first section (or without any)."""
    document = scorecard.document
    end = min((s.start for s in scorecard.sections), default=len(document.text))
    return Section(None, None, 0, end or len(document.text), 1, document.pages, document.text)


def _title(report: PolicyMarkup, kind: Kind, words: dict[str, str]) -> str:
    """E.g. "Meeting packet for Mesa, AZ"."""
    title = words[f"report.kind.{kind}"]
    if report.jurisdiction:
        return words["report.title.for"].format(title=title, jurisdiction=report.jurisdiction)
    return title


def _section_title(section: Section, words: dict[str, str]) -> str:
    """A section's label, heading and page, e.g. "§ 415.4 CONTACTS, page 2"."""
    return where_text(section.label, section.heading, section.page_start, words)


def _body_start(section: Section, first: int) -> int:
    """Where a section's text begins after its heading line (never past the first mark)."""
    line_end = section.text.find("\n")
    first_line = section.text[: max(line_end, 0)]
    if section.heading and line_end >= 0 and section.heading in first_line:
        return min(section.start + line_end + 1, first)
    return min(section.start, first)


def _flow(text: str) -> str:
    """PDF line breaks and runs of spaces collapsed to single spaces (ends kept)."""
    return _SPACE.sub(" ", text)


def _page_css(words: dict[str, str]) -> str:
    """Print page size, running header and "Page N of M" in the words of the language."""
    pieces = re.split(r"(\{page\}|\{pages\})", words["report.page_of"])
    counter = " ".join(
        {"{page}": "counter(page)", "{pages}": "counter(pages)"}.get(p, _css_string(p))
        for p in pieces
        if p
    )
    return (
        "\n@page { size: letter; margin: 20mm 18mm 20mm;\n"
        f"  @top-left {{ content: string(running); {_MARGIN_FONT} }}\n"
        f"  @bottom-right {{ content: {counter}; {_MARGIN_FONT} }} }}\n"
    )


def _css_string(text: str) -> str:
    """Text as a quoted CSS string."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ")
    return f'"{escaped}"'
