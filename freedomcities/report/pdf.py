"""Reports as PDF, printed by WeasyPrint from the HTML page.

One layout for screen and print: :func:`freedomcities.report.html.report_html`
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

from freedomcities.annotate import Report
from freedomcities.errors import ReportError
from freedomcities.report import Kind, cannot_write
from freedomcities.report.html import report_html

# CSS that browsers use and WeasyPrint skips (e.g. ``color-scheme``); it logs each one.
_QUIET_LOGGERS = ("weasyprint", "fontTools")


def write_pdf(report: Report, kind: Kind, path: Path) -> Path:
    """Print a report to a PDF file.

    Args:
        report: what to show, from :func:`freedomcities.annotate.build_report`.
        kind: ``"annotated"``, ``"redline"`` or ``"packet"``.
        path: the file to write.

    Returns:
        The path written.

    Raises:
        ReportError: WeasyPrint is not installed, the kind is unknown, or the
            file cannot be written.
    """
    html = _weasyprint_html()(string=report_html(report, kind))
    levels = [(name, logging.getLogger(name).level) for name in _QUIET_LOGGERS]
    try:
        for name, _ in levels:
            logging.getLogger(name).setLevel(logging.ERROR)
        html.write_pdf(path)
    except OSError as exc:
        raise cannot_write(path, exc) from None
    finally:
        for name, level in levels:
            logging.getLogger(name).setLevel(level)
    return path


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
