"""Build real PDF and Word files from text, for tests that read documents.

Every builder writes an ordinary file that any PDF viewer or Word opens, so
tests exercise the real readers; other test modules use these to check that
the PDF and Word versions of a policy score the same as its text.

Fonts: text PDFs and scans use DejaVu Sans from Debian's ``fonts-dejavu-core``
(``/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf``) so that curly quotes and
``§`` survive. ``make_pdf`` falls back to Helvetica if it is missing;
``make_scanned_pdf`` needs it.
"""

from __future__ import annotations

import io
import json
import textwrap
from pathlib import Path

import docx
import pytest
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import letter
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

FONT_PATH = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
"""A TrueType font with the characters policies use (Debian: fonts-dejavu-core)."""

_MARGIN = 72  # points: one inch
_FONT_SIZE = 10
_LINE_HEIGHT = 14
_WRAP = 95  # characters per line at 10 pt across a letter page
_SCAN_DPI = 200


def _pdf_font() -> str:
    """Register DejaVu Sans with reportlab if present; else use built-in Helvetica."""
    if not FONT_PATH.exists():
        return "Helvetica"
    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(FONT_PATH)))
    return "DejaVuSans"


def _wrap(text: str, width: int = _WRAP) -> list[str]:
    """Lines of text wrapped to a page's width, keeping blank lines."""
    lines: list[str] = []
    for line in text.splitlines():
        lines.extend(textwrap.wrap(line, width) or [""])
    return lines


def make_pdf(
    text: str,
    path: Path,
    *,
    pages_text: list[str] | None = None,
    title: str | None = None,
    encrypt: str | None = None,
) -> Path:
    """Write ``text`` as a text-layer PDF, wrapping lines and adding pages as needed.

    Args:
        text: The document's text; ignored when ``pages_text`` is given.
        path: Where to write the PDF.
        pages_text: One string per page; each starts a new page.
        title: The title to put in the PDF's metadata.
        encrypt: A password to protect the PDF with.
    """
    font = _pdf_font()
    pdf = canvas.Canvas(str(path), pagesize=letter, encrypt=encrypt)
    if title is not None:
        pdf.setTitle(title)
    for page_text in pages_text if pages_text is not None else [text]:
        _draw_lines(pdf, font, _wrap(page_text))
        pdf.showPage()
    pdf.save()
    return path


def _draw_lines(pdf: canvas.Canvas, font: str, lines: list[str]) -> None:
    """Draw lines top to bottom, starting a new page when one fills up."""
    top = letter[1] - _MARGIN
    y = top
    pdf.setFont(font, _FONT_SIZE)
    for line in lines:
        if y < _MARGIN:
            pdf.showPage()
            pdf.setFont(font, _FONT_SIZE)
            y = top
        pdf.drawString(_MARGIN, y, line)
        y -= _LINE_HEIGHT


def make_encrypted_pdf(text: str, path: Path, password: str = "secret") -> Path:
    """Write ``text`` as a PDF that opens only with ``password``."""
    return make_pdf(text, path, encrypt=password)


def make_docx(
    text: str,
    path: Path,
    *,
    pages_text: list[str] | None = None,
    title: str | None = None,
) -> Path:
    """Write ``text`` as a Word document, one paragraph per line.

    With ``pages_text``, each string is a page and pages are separated by
    explicit page breaks.
    """
    document = docx.Document()
    if title is not None:
        document.core_properties.title = title
    for number, page_text in enumerate(pages_text if pages_text is not None else [text]):
        if number:
            document.add_page_break()
        for line in page_text.splitlines():
            document.add_paragraph(line)
    document.save(str(path))
    return path


def make_scanned_pdf(text: str, path: Path, *, lines_per_page: int = 40) -> Path:
    """Write ``text`` as a PDF of page pictures with no text layer, like a scan.

    Each page holds ``lines_per_page`` wrapped lines drawn as a 200 dpi image
    with DejaVu Sans, placed on a letter page, so only OCR can read it.
    """
    pdf = canvas.Canvas(str(path), pagesize=letter)
    lines = _wrap(text, 70)
    for start in range(0, max(len(lines), 1), lines_per_page):
        image = _text_image(lines[start : start + lines_per_page])
        pdf.drawImage(ImageReader(image), 0, 0, width=letter[0], height=letter[1])
        pdf.showPage()
    pdf.save()
    return path


def _text_image(lines: list[str]) -> Image.Image:
    """A white letter-size page picture with the lines drawn in black."""
    size = (int(8.5 * _SCAN_DPI), int(11 * _SCAN_DPI))
    image = Image.new("L", size, color=255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT_PATH), size=_SCAN_DPI * 12 // 72)
    y = _SCAN_DPI
    for line in lines:
        draw.text((_SCAN_DPI, y), line, fill=0, font=font)
        y += _SCAN_DPI * 18 // 72
    return image


def png_bytes(image: Image.Image) -> bytes:
    """An image as PNG bytes (e.g. to disguise a picture as a text file)."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def scanned_agreement(shared_dir: Path) -> Path:
    """The shortest agreement that ``index.json`` lists without a text layer."""
    index = json.loads((shared_dir / "moa" / "index.json").read_text(encoding="utf-8"))
    scans = sorted((row["pages"], row["slug"]) for row in index if not row["text_layer"])
    if not scans:
        pytest.skip("no scanned agreement in shared/moa")
    return shared_dir / "moa" / f"{scans[0][1]}.pdf"
