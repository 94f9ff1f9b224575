"""Reports to bring to a meeting: an annotated policy, a redline, a meeting packet.

What a report says is worked out once, in :mod:`freedomcities.annotate`
(:func:`~freedomcities.annotate.build_report`); the modules here only lay it
out, as Word (:mod:`.docx`), HTML (:mod:`.html`) or PDF (:mod:`.pdf`, printed
from the HTML). Three kinds:

- ``annotated``: the policy's own text of each section that bears on the rules,
  each passage marked by rule and stance, with a margin note and the model text;
- ``redline``: each passage to change struck through and followed by the model
  rules, and each missing rule added as a new section;
- ``packet``: for a meeting with officials, a one-page scorecard, the rules in
  plain words, what we ask, then the redline.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, get_args

from freedomcities.annotate import Report
from freedomcities.errors import ReportError

Kind = Literal["annotated", "redline", "packet"]
KINDS: tuple[Kind, ...] = get_args(Kind)
FORMATS = ("docx", "pdf", "html")


def write_report(report: Report, path: Path, *, format: str, kind: Kind) -> Path:
    """Lay out a report as a Word, PDF or HTML file.

    Args:
        report: what to show, from :func:`freedomcities.annotate.build_report`.
        path: the file to write.
        format: ``"docx"``, ``"pdf"`` or ``"html"``.
        kind: ``"annotated"``, ``"redline"`` or ``"packet"``.

    Returns:
        The path written.

    Raises:
        ReportError: an unknown format or kind (the message lists the valid
            ones), or a file that cannot be written.
    """
    check_kind(kind)
    if format == "docx":
        from freedomcities.report.docx import write_docx

        write_docx(report, kind, path)
        return path
    if format == "pdf":
        from freedomcities.report.pdf import write_pdf

        return write_pdf(report, kind, path)
    if format == "html":
        from freedomcities.report.html import report_html

        return write_text(report_html(report, kind), path)
    raise ReportError(f"No report format named {format!r}; valid: {', '.join(FORMATS)}.")


def check_kind(kind: str) -> Kind:
    """The kind itself when it is one of :data:`KINDS`; otherwise a ReportError naming them."""
    for known in KINDS:
        if kind == known:
            return known
    raise ReportError(f"No report kind named {kind!r}; valid: {', '.join(KINDS)}.")


def write_text(text: str, path: Path) -> Path:
    """Write a text report as UTF-8, turning an OS failure into a ReportError."""
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise cannot_write(path, exc) from None
    return path


def cannot_write(path: Path, exc: OSError) -> ReportError:
    """The error for a report file that the system refused to write."""
    return ReportError(
        f"Cannot write {str(path)!r}: {exc.strerror or exc}. "
        "Check that the folder exists and is writable."
    )
