"""Build the bundled sample policy as a PDF and a Word file from its text version.

The text file ``freedomcities/samples/sample-city-pd-immigration-policy.txt`` is
the source; this script writes the ``.pdf`` (a real text layer, a page number in
every footer, a few pages) and the ``.docx`` beside it. Run it again after editing
the text::

    .venv/bin/python scripts/make_sample.py

It needs reportlab (installed by ``pip install -e '.[test]'``) and python-docx.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from xml.sax.saxutils import escape

import docx
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

SAMPLES = Path(__file__).resolve().parent.parent / "freedomcities" / "samples"
STEM = "sample-city-pd-immigration-policy"
SECTION = re.compile(r"^\d{3}(\.\d+)+ [A-Z][A-Z ,'/-]+$")
TITLE_LINES = ("Sample City Police Department", "Policy Manual", "Policy 415")
FOOTER = "Sample City Police Department - fictional SAMPLE policy for the freedomcities demo"
FIXED_DATE = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)


def blocks(text: str) -> list[tuple[str, str]]:
    """Split the text into (kind, line) pairs: banner, title, heading or body."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    kinds = []
    for number, line in enumerate(lines):
        if number == 0:
            kinds.append(("banner", line))
        elif line in TITLE_LINES or line == "Immigration Violations":
            kinds.append(("title", line))
        elif SECTION.match(line):
            kinds.append(("heading", line))
        else:
            kinds.append(("body", line))
    return kinds


def write_pdf(parts: list[tuple[str, str]], path: Path) -> None:
    """Write a letter-size PDF with a text layer and a page number in each footer."""
    styles = getSampleStyleSheet()
    look = {
        "banner": ParagraphStyle("banner", parent=styles["Italic"], fontSize=9, leading=12),
        "title": ParagraphStyle(
            "title", parent=styles["Heading1"], alignment=TA_CENTER, spaceAfter=2
        ),
        "heading": ParagraphStyle("heading", parent=styles["Heading3"], spaceBefore=10),
        "body": ParagraphStyle("body", parent=styles["BodyText"], fontSize=11, leading=15),
    }
    story = []
    for kind, line in parts:
        story.append(Paragraph(escape(line), look[kind]))
        if kind == "banner":
            story.append(Spacer(1, 0.2 * inch))
    doc = SimpleDocTemplate(
        str(path),
        pagesize=LETTER,
        leftMargin=inch,
        rightMargin=inch,
        topMargin=inch,
        bottomMargin=inch,
        title="Sample City Police Department - Immigration Violations (SAMPLE)",
        author="freedomcities demo (fictional)",
        invariant=1,
    )
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)


def _footer(canvas: Canvas, doc: SimpleDocTemplate) -> None:
    """Draw the footer line and page number on one page."""
    canvas.saveState()
    canvas.setFont("Helvetica", 8)
    canvas.drawString(inch, 0.6 * inch, FOOTER)
    canvas.drawRightString(LETTER[0] - inch, 0.6 * inch, f"Page {doc.page}")
    canvas.restoreState()


def write_docx(parts: list[tuple[str, str]], path: Path) -> None:
    """Write a Word file with real headings and paragraphs."""
    document = docx.Document()
    for kind, line in parts:
        if kind == "title":
            document.add_heading(line, level=1)
        elif kind == "heading":
            document.add_heading(line, level=2)
        else:
            paragraph = document.add_paragraph(line)
            if kind == "banner":
                paragraph.runs[0].italic = True
    document.core_properties.title = "Sample City Police Department - Immigration Violations"
    document.core_properties.author = "freedomcities demo (fictional)"
    document.core_properties.created = FIXED_DATE
    document.core_properties.modified = FIXED_DATE
    document.save(str(path))


def main() -> None:
    """Build the PDF and the Word file from the text version."""
    parts = blocks((SAMPLES / f"{STEM}.txt").read_text(encoding="utf-8"))
    write_pdf(parts, SAMPLES / f"{STEM}.pdf")
    write_docx(parts, SAMPLES / f"{STEM}.docx")
    for suffix in (".pdf", ".docx"):
        print(SAMPLES / f"{STEM}{suffix}")


if __name__ == "__main__":
    main()
