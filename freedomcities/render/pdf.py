"""Reports as PDF, printed by WeasyPrint from the HTML page.

One layout for screen and print: :func:`freedomcities.render.report_html.report_html`
carries the print CSS (Letter pages with margins that also fit A4, a running
header naming the report and the jurisdiction, "Page N of M", a new page for
each part of the meeting packet), and WeasyPrint lays it out. Nothing is
fetched from elsewhere: the page has no links to outside files.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any

from freedomcities.errors import ReportError
from freedomcities.render.annotate import Kind, PolicyMarkup
from freedomcities.render.files import write_file
from freedomcities.render.report_html import report_html

# CSS that browsers use and WeasyPrint skips (e.g. ``color-scheme``); it logs each one.
_QUIET_LOGGERS = ("weasyprint", "fontTools")


def pdf_bytes(report: PolicyMarkup, kind: Kind) -> bytes:
    """Print a report to the bytes of a PDF file.

    Args:
        report: what to show, from :func:`freedomcities.render.annotate.build_report`.
        kind: ``"annotated"``, ``"redline"`` or ``"packet"``.

    Raises:
        ReportError: WeasyPrint is not installed, or the kind is unknown.
    """
    return html_to_pdf(report_html(report, kind))


def write_pdf(report: PolicyMarkup, kind: Kind, path: Path) -> Path:
    """Print a report to a PDF file (see :func:`pdf_bytes`).

    Raises:
        ReportError: as :func:`pdf_bytes`, or a file that cannot be written.
    """
    return write_file(pdf_bytes(report, kind), path)


def html_to_pdf(html: str) -> bytes:
    """Print any HTML page of the package's (e.g. the web app's report-backs) to PDF bytes."""
    document = _weasyprint_html()(string=html)
    levels = [(name, logging.getLogger(name).level) for name in _QUIET_LOGGERS]
    try:
        for name, _ in levels:
            logging.getLogger(name).setLevel(logging.ERROR)
        pdf: bytes = document.write_pdf()
    finally:
        for name, level in levels:
            logging.getLogger(name).setLevel(level)
    return pdf


def _weasyprint_html() -> Any:
    """WeasyPrint's ``HTML`` class, imported on first use (it takes a moment to load)."""
    with warnings.catch_warnings():
        # Without Debian's libharfbuzz-subset0 WeasyPrint warns at import and subsets fonts
        # with fontTools instead; the PDF is the same.
        warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
        try:
            from weasyprint import HTML  # type: ignore[import-untyped, unused-ignore]
        except (ImportError, OSError) as exc:
            raise ReportError(
                f"PDF reports need WeasyPrint and the Pango library, which did not load ({exc}). "
                "Install them (pip install weasyprint; apt-get install libpango-1.0-0 "
                "libpangoft2-1.0-0), or choose --format html or docx."
            ) from None
    return HTML
