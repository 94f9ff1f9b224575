"""Word reports: the annotated policy, the redline and the meeting packet.

Groups open these in Word and hand them to a department's staff, so the edits
are real tracked changes (``w:del`` / ``w:ins``, author ``freedomcities``) that
staff accept or reject one by one, and the notes are real Word comments.
python-docx has no API for tracked changes, so those runs are built here as XML.

Only the sections that hold a highlighted passage are laid out; a 630-page
manual gives a document of a few pages, built in well under a second.
"""

from __future__ import annotations

import bisect
import io
import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import docx
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt
from docx.text.paragraph import Paragraph

from freedomcities.models import Document, Scorecard, Section, Stance
from freedomcities.render.annotate import Edit, Highlight, Kind, PolicyMarkup, check_kind
from freedomcities.render.files import write_file
from freedomcities.render.words import (
    SYMBOLS,
    labels,
    reviewed_text,
    status_text,
    summary_text,
    title_text,
    where_text,
)

AUTHOR = "freedomcities"
"""The author of every tracked change and comment, so staff can tell them apart."""
INITIALS = "FC"

# Shading behind a marked passage, and an underline that tells stances apart in black and white.
_SHADING: dict[str, str] = {"conflicts": "F4B6B6", "partial": "FFE699", "meets": "C6EFCE"}
_UNDERLINE: dict[str, str] = {"conflicts": "double", "partial": "dash", "meets": "single"}
_STANCE_ORDER: tuple[Stance, ...] = ("conflicts", "partial", "meets")

_XML_UNSAFE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")
_LIST_ITEM = re.compile(r"\s*(?:\(?[A-Za-z0-9]{1,3}[.)]|[•●▪◦*\u2013-])\s")
_SENTENCE_END = (".", ":", ";", "!", "?")
_HEAD_LINES, _TAIL_LINES, _REPEATS = 8, 4, 3

Element = Any  # an lxml element from docx.oxml; python-docx ships no type hints


def write_docx(
    report: PolicyMarkup, kind: Kind, path: Path, *, language: str | None = None
) -> Path:
    """Lay out a report as a Word file (see :func:`docx_bytes` for the arguments).

    Raises:
        ReportError: an unknown kind, or a file that cannot be written.
    """
    return write_file(docx_bytes(report, kind, language=language), path)


def docx_bytes(report: PolicyMarkup, kind: Kind, *, language: str | None = None) -> bytes:
    """Lay out a report as the bytes of a Word file.

    Args:
        report: what to show, from :func:`freedomcities.render.annotate.build_report`.
        kind: ``"annotated"`` (the policy's relevant sections, passages marked
            by rule with comments and model text), ``"redline"`` (tracked
            changes that replace each passage and add each missing rule) or
            ``"packet"`` (scorecard, rules in plain words, asks, then the redline).
        language: the language of the words around the policy's own text; by
            default the language of the report's ruleset.

    Raises:
        ReportError: an unknown kind.
    """
    builders: dict[str, Callable[[_Writer], None]] = {
        "annotated": _annotated,
        "redline": _redline,
        "packet": _packet,
    }
    build = builders[check_kind(kind)]
    writer = _Writer(report, labels(language or report.ruleset.language))
    writer.document.core_properties.language = language or report.ruleset.language
    build(writer)
    buffer = io.BytesIO()
    writer.document.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class _Mark:
    """A passage to mark in a section: highlights on it, or the change that replaces it."""

    start: int
    end: int
    highlights: tuple[Highlight, ...] = ()
    change: Edit | None = None


_Piece = tuple[str, int | None]  # text, and the index of the mark it belongs to


class _Writer:
    """One Word document being built, with the report and the words to use."""

    def __init__(self, report: PolicyMarkup, words: dict[str, str]) -> None:
        self.report = report
        self.words = words
        self.document: Any = docx.Document()
        self.date = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self._next_id = 1000
        self._furniture: frozenset[str] | None = None
        self.document.core_properties.author = AUTHOR
        self.document.core_properties.title = title_text(report.scorecard, words)

    @property
    def scorecard(self) -> Scorecard:
        """The scorecard the report was built from."""
        return self.report.scorecard

    def revision_id(self) -> str:
        """A fresh id for a tracked change."""
        self._next_id += 1
        return str(self._next_id)

    def furniture(self) -> frozenset[str]:
        """Running headers and footers of the document, worked out once."""
        if self._furniture is None:
            self._furniture = _furniture(self.scorecard.document)
        return self._furniture

    def paragraph(self, text: str = "", style: str | None = None) -> Paragraph:
        """A new paragraph at the end of the document."""
        paragraph: Paragraph = self.document.add_paragraph(_clean(text), style)
        return paragraph

    def heading(self, text: str, level: int) -> Paragraph:
        """A new heading at the end of the document."""
        heading: Paragraph = self.document.add_heading(_clean(text), level)
        return heading

    def comment(self, first: Element, last: Element, notes: Sequence[str]) -> None:
        """A Word comment holding ``notes``, anchored from element ``first`` to ``last``."""
        comment = self.document.comments.add_comment(
            text=_clean(notes[0]), author=AUTHOR, initials=INITIALS
        )
        for note in notes[1:]:
            comment.add_paragraph(_clean(note))
        ident = str(comment.comment_id)
        first.addprevious(_element("w:commentRangeStart", {"w:id": ident}))
        reference = _element("w:r")
        reference.append(_element("w:commentReference", {"w:id": ident}))
        last.addnext(reference)
        last.addnext(_element("w:commentRangeEnd", {"w:id": ident}))


# -- the three kinds -------------------------------------------------------------------------


def _annotated(writer: _Writer) -> None:
    """The policy's relevant sections, each passage marked, noted and given its model text."""
    words, report = writer.words, writer.report
    writer.heading(_title(writer, "docx.annotated.title"), 0)
    _subtitle(writer)
    shown = _sections_of(writer.scorecard, [(h.start, h.end) for h in report.highlights])
    left_out = len(writer.scorecard.sections) - len(shown)
    writer.paragraph(words["docx.annotated.intro"].format(shown=len(shown), left_out=left_out))
    _legend(writer)
    shown_models: set[str] = set()
    for section in shown:
        marks = _highlight_marks(report.highlights, section)
        _section_heading(writer, section)
        for pieces in _section_paragraphs(writer, section, marks):
            _annotated_paragraph(writer, pieces, marks, shown_models)
    additions = [c for c in report.changes if c.kind == "add"]
    if additions:
        writer.heading(words["docx.missing"], 1)
        writer.paragraph(words["docx.missing.intro"])
        for change in additions:
            writer.heading(_rules_title(change.rule_ids, change.rule_names, writer.words), 3)
            for text in change.inserted:
                _model_paragraph(writer, text)


def _redline(writer: _Writer) -> None:
    """The policy with every change as a tracked deletion and insertion."""
    writer.heading(_title(writer, "docx.redline.title"), 0)
    _subtitle(writer)
    _redline_body(writer)


def _packet(writer: _Writer) -> None:
    """For a meeting: the scorecard on one page, the rules, the asks, then the redline."""
    words, report = writer.words, writer.report
    writer.heading(_title(writer, "docx.packet.title"), 0)
    _subtitle(writer)
    headline, rest = summary_text(writer.scorecard, words)
    writer.paragraph().add_run(headline).bold = True
    writer.paragraph(rest)
    _scorecard_table(writer)
    _page_break(writer)
    writer.heading(words["docx.packet.rules"], 1)
    for rule in report.ruleset.rules:
        result = writer.scorecard.result(rule.id)
        writer.heading(_rules_title((rule.id,), (rule.name,), writer.words), 3)
        writer.paragraph().add_run(status_text(result.status, words)).bold = True
        writer.paragraph(rule.reason)
    writer.heading(words["docx.packet.asks"], 1)
    if not report.asks:
        writer.paragraph(words["suggestions.none"])
    for ask in report.asks:
        writer.heading(_rules_title((ask.rule_id,), (ask.rule_name,), writer.words), 3)
        status = writer.scorecard.result(ask.rule_id).status
        writer.paragraph().add_run(status_text(status, words)).bold = True
        writer.paragraph(ask.reason)
        _model_paragraph(writer, ask.model_text)
    _page_break(writer)
    writer.heading(words["docx.redline.heading"], 1)
    _redline_body(writer)


# -- pieces shared by the kinds --------------------------------------------------------------


def _document_name(writer: _Writer) -> str:
    """The policy's title, or its file name."""
    document = writer.scorecard.document
    return document.title or Path(document.source).name


def _title(writer: _Writer, key: str) -> str:
    """A report's title, naming the jurisdiction when there is one."""
    place = writer.report.jurisdiction
    if place:
        return writer.words[key + ".for"].format(jurisdiction=place)
    return writer.words[key]


def _subtitle(writer: _Writer) -> None:
    """The line under a title: which document, for whom, and when."""
    words, scorecard = writer.words, writer.scorecard
    place = scorecard.jurisdiction or words["jurisdiction.none"]
    text = words["docx.subtitle"].format(
        name=_document_name(writer),
        pages=scorecard.document.pages,
        jurisdiction=place,
        date=writer.date[:10],
    )
    run = writer.paragraph().add_run(_clean(text))
    run.italic = True
    reviewed = reviewed_text(scorecard, words)
    if reviewed:
        writer.paragraph().add_run(_clean(reviewed)).bold = True


def _rules_title(rule_ids: Iterable[str], names: Iterable[str], words: dict[str, str]) -> str:
    """E.g. ``"Rule 5 — Don't Ask Rule"``; several rules joined with semicolons."""
    return "; ".join(
        words["docx.rule_title"].format(rule=rule_id, name=name)
        for rule_id, name in zip(rule_ids, names, strict=True)
    )


def _section_heading(writer: _Writer, section: Section) -> None:
    """A heading naming a section and its page."""
    text = where_text(section.label, section.heading, section.page_start, writer.words)
    writer.heading(text or writer.words["docx.section.untitled"], 2)


def _model_paragraph(writer: _Writer, text: str, lead: str | None = None) -> None:
    """Model text set apart: indented, with a left border, optionally led by bold words."""
    paragraph = writer.paragraph()
    paragraph.paragraph_format.left_indent = Pt(18)
    _left_border(paragraph)
    if lead:
        paragraph.add_run(_clean(lead) + " ").bold = True
    paragraph.add_run(_clean(text)).italic = True


def _left_border(paragraph: Paragraph) -> None:
    """A thick grey bar down the paragraph's left edge."""
    borders = _element("w:pBdr")
    attrs = {"w:val": "single", "w:sz": "18", "w:space": "8", "w:color": "808080"}
    borders.append(_element("w:left", attrs))
    paragraph._p.get_or_add_pPr().insert_element_before(
        borders, "w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc", "w:rPr"
    )


def _page_break(writer: _Writer) -> None:
    """Start a new page."""
    writer.paragraph().add_run().add_break(WD_BREAK.PAGE)


def _legend(writer: _Writer) -> None:
    """What the marks mean, readable in colour and in black and white."""
    words = writer.words
    writer.heading(words["docx.legend"], 2)
    table = writer.document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for stance in _STANCE_ORDER:
        cells = table.add_row().cells
        paragraph = cells[0].paragraphs[0]
        paragraph._p.append(_run(_tag_text(stance, ["N"], words), bold=True))
        paragraph._p.append(_run(" " + words["docx.legend.sample"], stance=stance))
        cells[1].paragraphs[0].add_run(_clean(words[f"docx.legend.{stance}"]))
    writer.paragraph(words["docx.legend.notes"])


def _scorecard_table(writer: _Writer) -> None:
    """One row per rule: number, name, and status as symbol and word, shaded."""
    words = writer.words
    table = writer.document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, key in zip(
        table.rows[0].cells, ("col.number", "col.rule", "col.status"), strict=True
    ):
        cell.paragraphs[0].add_run(words[key]).bold = True
    _column_widths(table.rows[0].cells)
    table.autofit = False
    for column, width in zip(table.columns, _WIDTHS, strict=True):
        column.width = width
    for rule in writer.report.ruleset.rules:
        result = writer.scorecard.result(rule.id)
        cells = table.add_row().cells
        cells[0].text = rule.id
        name = f"{rule.name} ({words['optional']})" if rule.optional else rule.name
        cells[1].text = _clean(name)
        cells[2].text = status_text(result.status, words)
        _column_widths(cells)
        if result.status in _SHADING:
            shading = _element("w:shd", {"w:val": "clear", "w:fill": _SHADING[result.status]})
            cells[2]._tc.get_or_add_tcPr().append(shading)


_WIDTHS = (Inches(0.6), Inches(3.4), Inches(2.5))


def _column_widths(cells: Sequence[Any]) -> None:
    """Narrow number, wide rule name and status: Word reads cell widths, LibreOffice the grid."""
    for cell, width in zip(cells, _WIDTHS, strict=True):
        cell.width = width


# -- the annotated policy --------------------------------------------------------------------


def _highlight_marks(highlights: Sequence[Highlight], section: Section) -> list[_Mark]:
    """The section's highlights, overlapping ones merged into one marked passage."""
    inside = sorted(
        (h for h in highlights if section.start <= h.start < section.end),
        key=lambda h: (h.start, h.end),
    )
    marks: list[_Mark] = []
    for highlight in inside:
        end = min(highlight.end, section.end)
        if marks and highlight.start < marks[-1].end:
            last = marks[-1]
            marks[-1] = _Mark(last.start, max(last.end, end), (*last.highlights, highlight))
        else:
            marks.append(_Mark(highlight.start, end, (highlight,)))
    return marks


def _annotated_paragraph(
    writer: _Writer, pieces: list[_Piece], marks: list[_Mark], shown_models: set[str]
) -> None:
    """One paragraph of policy text, its marked passages tagged, shaded and commented."""
    paragraph = writer.paragraph()
    p = paragraph._p
    marked: list[_Mark] = []
    for text, index in pieces:
        if index is None:
            p.append(_run(text))
            continue
        mark = marks[index]
        marked.append(mark)
        stance = _worst(h.stance for h in mark.highlights)
        tags = [_run(tag + " ", bold=True) for tag in _tags(mark, writer.words)]
        for tag in tags:
            p.append(tag)
        body = _run(text, stance=stance)
        p.append(body)
        writer.comment(tags[0], body, [_note(h, writer.words) for h in mark.highlights])
    for mark in marked:
        _mark_models(writer, mark, shown_models)


def _tags(mark: _Mark, words: dict[str, str]) -> list[str]:
    """One bracketed tag per stance on the passage, e.g. ``"[Rules 1, 5 ✘ conflicts]"``."""
    tags = []
    for stance in _STANCE_ORDER:
        ids = list(dict.fromkeys(h.rule_id for h in mark.highlights if h.stance == stance))
        if ids:
            tags.append(_tag_text(stance, ids, words))
    return tags


def _tag_text(stance: Stance, rule_ids: Sequence[str], words: dict[str, str]) -> str:
    """A bracketed tag naming rules and a stance by symbol and word."""
    key = "docx.tag.rule" if len(rule_ids) == 1 else "docx.tag.rules"
    rules = words[key].format(ids=", ".join(rule_ids))
    return f"[{rules} {SYMBOLS[stance]} {words[f'docx.stance.{stance}']}]"


def _note(highlight: Highlight, words: dict[str, str]) -> str:
    """A comment line: the rule, the stance in words, and why."""
    title = _rules_title((highlight.rule_id,), (highlight.rule_name,), words)
    return f"{title}: {words[f'stance.{highlight.stance}']}. {highlight.note}"


def _mark_models(writer: _Writer, mark: _Mark, shown_models: set[str]) -> None:
    """Under a paragraph, the model text to replace a marked passage with, or to add."""
    words, report = writer.words, writer.report
    spans = {(h.start, h.end) for h in mark.highlights}
    for change in report.changes:
        if change.kind == "replace" and (change.start, change.end) in spans and change.inserted:
            lead = words["docx.model.replace"].format(
                rules=_rules_title(change.rule_ids, change.rule_names, writer.words)
            )
            for number, text in enumerate(change.inserted):
                _model_paragraph(writer, text, lead if number == 0 else None)
            shown_models.update(change.rule_ids)
    asks = {ask.rule_id: ask for ask in report.asks}
    for highlight in mark.highlights:
        ask = asks.get(highlight.rule_id)
        if highlight.stance == "meets" or ask is None or ask.rule_id in shown_models:
            continue
        shown_models.add(ask.rule_id)
        lead = words["docx.model.add"].format(
            rules=_rules_title((ask.rule_id,), (ask.rule_name,), writer.words)
        )
        _model_paragraph(writer, ask.model_text, lead)


def _worst(stances: Iterable[Stance]) -> Stance:
    """The stance that matters most among several: conflicts, then partial, then meets."""
    found = set(stances)
    return next(s for s in _STANCE_ORDER if s in found)


# -- the redline -----------------------------------------------------------------------------


def _redline_body(writer: _Writer) -> None:
    """The sections to change, with tracked edits, then the sections to add."""
    words, report = writer.words, writer.report
    writer.paragraph(words["docx.redline.intro"])
    replaces = [c for c in report.changes if c.kind == "replace" and c.start is not None]
    spans = [(c.start or 0, c.end or 0) for c in replaces]
    for section in _sections_of(writer.scorecard, spans):
        marks = [
            _Mark(c.start or 0, min(c.end or 0, section.end), change=c)
            for c in replaces
            if section.start <= (c.start or 0) < section.end
        ]
        marks = _without_overlaps(marks)
        _section_heading(writer, section)
        for pieces in _section_paragraphs(writer, section, marks):
            _redline_paragraph(writer, pieces, marks)
    additions = [c for c in report.changes if c.kind == "add"]
    if additions:
        writer.heading(words["docx.redline.new"], 2)
        for change in additions:
            _added_section(writer, change)


def _without_overlaps(marks: list[_Mark]) -> list[_Mark]:
    """Marks in order, dropping any that overlaps one before it (the same words can't go twice)."""
    kept: list[_Mark] = []
    for mark in sorted(marks, key=lambda m: (m.start, m.end)):
        if not kept or mark.start >= kept[-1].end:
            kept.append(mark)
    return kept


def _redline_paragraph(writer: _Writer, pieces: list[_Piece], marks: list[_Mark]) -> None:
    """One paragraph of policy text with each marked passage deleted and the model text inserted."""
    p = writer.paragraph()._p
    for text, index in pieces:
        if index is None:
            p.append(_run(text))
            continue
        change = marks[index].change
        assert change is not None
        deletion = _tracked(writer, "w:del", _run(text, deleted=True))
        p.append(deletion)
        last = deletion
        for number, inserted in enumerate(change.inserted):
            last = _tracked(writer, "w:ins", _run(("" if number == 0 else " ") + inserted))
            p.append(last)
        note = _rules_title(change.rule_ids, change.rule_names, writer.words) + ". " + change.reason
        writer.comment(deletion, last, [note])


def _added_section(writer: _Writer, change: Edit) -> None:
    """A missing rule as a new section: a heading and its text, all tracked as inserted."""
    heading = writer.heading("", 3)
    _insert_paragraph(writer, heading, ", ".join(change.rule_names))
    for text in change.inserted:
        _insert_paragraph(writer, writer.paragraph(), text)
    writer.comment(heading._p[-1], writer.document.paragraphs[-1]._p[-1], [change.reason])


def _insert_paragraph(writer: _Writer, paragraph: Paragraph, text: str) -> None:
    """Fill an empty paragraph with tracked inserted text, its paragraph mark inserted too."""
    mark = _element("w:rPr")
    mark.append(_revision(writer, "w:ins"))
    paragraph._p.get_or_add_pPr().append(mark)
    paragraph._p.append(_tracked(writer, "w:ins", _run(text)))


def _tracked(writer: _Writer, tag: str, run: Element) -> Element:
    """A run wrapped in a tracked insertion (``w:ins``) or deletion (``w:del``)."""
    revision = _revision(writer, tag)
    revision.append(run)
    return revision


def _revision(writer: _Writer, tag: str) -> Element:
    """An empty ``w:ins`` or ``w:del`` by freedomcities, dated now."""
    attrs = {"w:id": writer.revision_id(), "w:author": AUTHOR, "w:date": writer.date}
    return _element(tag, attrs)


# -- policy text: which sections, and their paragraphs ---------------------------------------


def _sections_of(scorecard: Scorecard, spans: Iterable[tuple[int, int]]) -> list[Section]:
    """The sections, in document order, that hold the start of any span."""
    sections = scorecard.sections
    starts = [s.start for s in sections]
    found: set[int] = set()
    for start, _ in spans:
        index = bisect.bisect_right(starts, start) - 1
        if index >= 0 and start < sections[index].end:
            found.add(index)
    return [sections[i] for i in sorted(found)]


def _section_paragraphs(
    writer: _Writer, section: Section, marks: list[_Mark]
) -> list[list[_Piece]]:
    """A section's text as paragraphs of pieces, each piece plain or part of a mark.

    PDF text is wrapped into lines; lines are joined into paragraphs again,
    running headers and footers are dropped, and a marked passage is never
    split or trimmed, so a deletion holds exactly the words it quotes.
    """
    text = writer.scorecard.document.text
    lines = _lines(text, section.start, section.end)
    if lines and not any(m.start < lines[0][1] for m in marks):
        lines = lines[1:]  # the heading line, shown as a Word heading instead
    furniture = writer.furniture()
    width = max((b - a for a, b in lines), default=0)
    paged = writer.scorecard.document.pages > 1
    paragraphs: list[list[tuple[int, int]]] = [[]]
    previous: tuple[int, int] | None = None
    for a, b in lines:
        covered = any(m.start < b and a < m.end for m in marks)
        line = text[a:b]
        if not covered and (not line.strip() or _normal(line) in furniture):
            if not line.strip() and not paged and paragraphs[-1]:
                paragraphs.append([])
            continue
        if (
            previous
            and paragraphs[-1]
            and not _inside(marks, previous[1], a)
            and _breaks(text[previous[0] : previous[1]], line, width)
        ):
            paragraphs.append([])
        paragraphs[-1].append((a, b))
        previous = (a, b)
    return [_pieces(text, spans, marks) for spans in paragraphs if spans]


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The (start, end) offsets of each line between two offsets, without line ends."""
    spans = []
    position = start
    while position < end:
        newline = text.find("\n", position, end)
        stop = end if newline < 0 else newline
        spans.append((position, stop))
        position = stop + 1
    return spans


def _inside(marks: list[_Mark], before: int, after: int) -> bool:
    """Whether a line break between two offsets falls inside a marked passage."""
    return any(m.start < before and after < m.end for m in marks)


def _breaks(line: str, following: str, width: int) -> bool:
    """Whether a paragraph ends after ``line``, judged by its length, its end and what follows."""
    if width > 200 or _LIST_ITEM.match(following):
        return True  # unwrapped text (one paragraph a line), or a list item
    stripped = line.rstrip()
    return stripped.endswith(_SENTENCE_END) and len(stripped) < 0.8 * width


def _pieces(text: str, spans: list[tuple[int, int]], marks: list[_Mark]) -> list[_Piece]:
    """A paragraph's lines as pieces, cut where marks begin and end, lines joined by spaces."""
    pieces: list[_Piece] = []
    for number, (a, b) in enumerate(spans):
        cuts = sorted(
            {a, b, *(m.start for m in marks if a < m.start < b)}
            | {m.end for m in marks if a < m.end < b}
        )
        for start, stop in itertools.pairwise(cuts):
            _add_piece(pieces, text[start:stop], _mark_at(marks, start))
        if number < len(spans) - 1:
            _add_piece(
                pieces, " ", _mark_at(marks, b) if _inside(marks, b, spans[number + 1][0]) else None
            )
    return pieces


def _add_piece(pieces: list[_Piece], text: str, index: int | None) -> None:
    """Append text to the last piece when it belongs to the same mark, else start a piece."""
    if pieces and pieces[-1][1] == index:
        pieces[-1] = (pieces[-1][0] + text, index)
    elif text:
        pieces.append((text, index))


def _mark_at(marks: list[_Mark], offset: int) -> int | None:
    """The index of the mark holding the character at ``offset``, if any."""
    for index, mark in enumerate(marks):
        if mark.start <= offset < mark.end:
            return index
    return None


def _furniture(document: Document) -> frozenset[str]:
    """Lines that head or foot many pages (running headers, footers, page numbers)."""
    if document.pages < _REPEATS:
        lines = document.text.splitlines()
        counted = Counter(_normal(line) for line in lines if len(line) < 80)
    else:
        counted = Counter()
        for page in range(1, document.pages + 1):
            lines = document.page_text(page).strip().splitlines()
            edges = set(lines[:_HEAD_LINES] + lines[-_TAIL_LINES:])
            counted.update({_normal(line) for line in edges})
    return frozenset(line for line, count in counted.items() if count >= _REPEATS and line)


def _normal(line: str) -> str:
    """A line with digits and spacing evened out, to spot repeats such as ``Page 3``."""
    return " ".join(re.sub(r"\d+", "#", line).split())


# -- XML -------------------------------------------------------------------------------------


def _clean(text: str) -> str:
    """Text with characters XML cannot hold (and tabs) turned into spaces."""
    return _XML_UNSAFE.sub(" ", text)


def _element(tag: str, attrs: dict[str, str] | None = None) -> Element:
    """A WordprocessingML element with namespaced attributes."""
    return OxmlElement(tag, attrs={qn(k): v for k, v in (attrs or {}).items()})


def _run(
    text: str, *, bold: bool = False, stance: str | None = None, deleted: bool = False
) -> Element:
    """A ``w:r`` holding text: bold, marked (shaded and underlined by stance) or deleted."""
    run = _element("w:r")
    properties = _element("w:rPr")
    if bold:
        properties.append(_element("w:b"))
    if stance is not None:
        properties.append(_element("w:u", {"w:val": _UNDERLINE[stance]}))
        properties.append(_element("w:shd", {"w:val": "clear", "w:fill": _SHADING[stance]}))
    if len(properties):
        run.append(properties)
    body = _element("w:delText" if deleted else "w:t")
    body.text = _clean(text)
    body.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    run.append(body)
    return run
