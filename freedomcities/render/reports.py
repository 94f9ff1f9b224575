"""Reports to bring to a meeting, written to files: an annotated policy, a redline, a packet.

What a report says is worked out once, in :mod:`freedomcities.render.annotate`
(:func:`~freedomcities.render.annotate.build_report`); :mod:`.report_html`,
:mod:`.docx` and :mod:`.pdf` (printed from the HTML) only lay it out. Three kinds:

- ``annotated``: the policy's own text of each section that bears on the rules,
  each passage marked by rule and stance, with a margin note and the model text;
- ``redline``: each passage to change struck through and followed by the model
  rules, and each missing rule added as a new section;
- ``packet``: for a meeting with officials, a one-page scorecard, the rules in
  plain words, what we ask, then the redline.
"""

from __future__ import annotations

from pathlib import Path

from freedomcities.errors import ReportError
from freedomcities.render.annotate import KINDS, Kind, PolicyMarkup, check_kind
from freedomcities.render.files import write_file

FORMATS = ("docx", "pdf", "html")

__all__ = ["FORMATS", "KINDS", "Kind", "check_kind", "write_file", "write_report"]


def write_report(report: PolicyMarkup, path: Path, *, format: str, kind: Kind) -> Path:
    """Lay out a report as a Word, PDF or HTML file.

    Args:
        report: what to show, from :func:`freedomcities.render.annotate.build_report`.
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
        from freedomcities.render.docx import docx_bytes

        return write_file(docx_bytes(report, kind), path)
    if format == "pdf":
        from freedomcities.render.pdf import pdf_bytes

        return write_file(pdf_bytes(report, kind), path)
    if format == "html":
        from freedomcities.render.report_html import report_html

        return write_file(report_html(report, kind), path)
    raise ReportError(f"No report format named {format!r}; valid: {', '.join(FORMATS)}.")
