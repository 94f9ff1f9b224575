"""Reading a policy document from a file: PDF, Word (.docx), web page or text.

The first stage of the pipeline: ``read`` turns a file into a
:class:`~freedomcities.models.Document`, one string of text plus the offset
where each page begins, so later stages can search the whole text and still
cite page numbers.

The format is decided from the file's bytes (magic numbers) together with its
extension, because volunteers collect files from many places and names lie:
a ``.pdf`` that is really a saved web page is reported plainly rather than
misread.

Pages are joined with a blank line (``"\\n\\n"``, :data:`PAGE_SEPARATOR`) rather
than a form feed, so a paragraph never runs into the next page's first line
and the text reads naturally in reports; ``page_starts`` keeps the page
boundaries. The text is kept faithful to the file (later stages quote it
exactly): line endings become ``\\n``, ligatures such as ``ﬁ`` are spelled out,
soft hyphens, NULs and other control characters are removed, and running
headers and footers (lines that repeat on most pages, :mod:`freedomcities.running`)
are dropped, since they are not the policy's words; nothing else changes.
"""

from __future__ import annotations

import ctypes
import logging
import re
import stat
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import charset_normalizer
import docx
import lxml.etree
import lxml.html
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from docx.oxml.ns import qn

from freedomcities.cache import file_digest
from freedomcities.errors import (
    CorruptDocument,
    DocumentError,
    DocumentTooLarge,
    EmptyDocument,
    EncryptedDocument,
    UnsupportedFormat,
)
from freedomcities.limits import Limits, check_pdf_streams, check_zip_parts, too_large
from freedomcities.models import Document
from freedomcities.ocr import DEFAULT_OCR, OCREngine, ocr_images, render_page
from freedomcities.ocrshare import SharedOCR, read_shared
from freedomcities.running import strip_running_lines

Progress = Callable[[int, int], None]

log = logging.getLogger(__name__)

PAGE_SEPARATOR: Final = "\n\n"
"""Placed between pages in ``Document.text``."""

OCR_MIN_CHARS: Final = 20
# A page with less text than this and a full-page picture is a scan with a stamp on it.
SPARSE_CHARS: Final = 120
"""A PDF page with fewer non-space characters than this, and a picture, is OCRed."""

XML_DEPTH: Final = 256
"""libxml2's own nesting limit (python-docx parses without ``huge_tree``): deep XML stops here."""

FORMATS: Final = "PDF (.pdf), Word (.docx), web pages (.html) and plain text (.txt)"
DOCUMENT_SUFFIXES: Final = (".pdf", ".docx", ".html", ".htm", ".txt")
"""The file names of the formats read: what the CLI looks for in a folder, what the web accepts."""
# Read as a web page when named so, beside the page-like start of any file; not sought in folders.
_HTML_SUFFIXES: Final = (".html", ".htm", ".xhtml")

_PLACEHOLDER_TITLES: Final = frozenset(("", "untitled", "untitled document"))
_HEAD_BYTES: Final = 2048
_ZIP_MAGIC: Final = b"PK\x03\x04"
_BINARY_MAGIC: Final = {
    b"\x89PNG": "a PNG picture",
    b"\xff\xd8\xff": "a JPEG picture",
    b"GIF8": "a GIF picture",
    b"II*\x00": "a TIFF picture",
    b"MM\x00*": "a TIFF picture",
    b"\xd0\xcf\x11\xe0": "an old-style Word (.doc) or Excel (.xls) file",
    b"{\\rtf": "a Rich Text (.rtf) file",
    b"MZ": "a Windows program",
    b"\x7fELF": "a program",
    b"\x1f\x8b": "a compressed (.gz) file",
    b"7z\xbc\xaf": "a compressed (.7z) file",
    b"Rar!": "a compressed (.rar) file",
}
_BOMS: Final = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_LIGATURES: Final = {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
_SPACES: Final = re.compile(r"\s+")
_CONTROLS: Final = {c: None for c in [*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F]}
_CLEAN: Final = str.maketrans(
    {
        **_CONTROLS,
        **_LIGATURES,
        "\r": "\n",
        "\f": "\n",
        "\v": "\n",
        "\x02": "-",  # pdfium marks some hyphens with \x02 ...
        "\ufffe": "-",  # ... or U+FFFE (get_text_range)
        "\xad": None,  # soft hyphen: an invisible hint where a word may break
        "\u200b": None,  # zero-width space
        "\ufeff": None,  # byte-order mark or zero-width no-break space
    }
)


_RARE: Final = tuple(chr(code) for code in _CLEAN)


@dataclass(frozen=True)
class _Options:
    """The caller's choices, passed to each format's reader."""

    ocr: OCREngine | None
    limits: Limits
    progress: Progress | None
    share: SharedOCR | None = None


@dataclass(frozen=True)
class _Pages:
    """What a format's reader found, before cleaning and joining."""

    pages: list[str]
    title: str | None = None
    ocr_pages: int = 0
    scanned_pages: int = 0
    progress_reported: bool = False


def read(
    path: str | Path,
    *,
    ocr: OCREngine | None = DEFAULT_OCR,
    limits: Limits | None = None,
    progress: Progress | None = None,
    share: SharedOCR | None = None,
) -> Document:
    """Read a policy document from a PDF, Word (.docx), HTML or plain-text file.

    PDF pages without a text layer (scans) are read by OCR in parallel, one
    process per core, so a scanned 287(g) agreement is read like any other.

    The limits on bytes, pages and characters are checked while the file is
    read, so a hostile file stops early. Memory and time are not bounded here:
    :func:`freedomcities.isolate.read_isolated` reads in a child process that
    has them.

    Args:
        path: The file to read.
        ocr: The engine for scanned PDF pages (Tesseract by default), or
            ``None`` to leave scanned pages empty.
        limits: What the document may cost (bytes, inflated bytes, pages,
            characters, XML depth); by default the ones set in the environment.
        progress: Called as ``progress(done_pages, total_pages)`` while pages
            are read, e.g. to drive a progress bar.
        share: Read scanned pages through this shared OCR cache
            (:mod:`freedomcities.ocrshare`), so other workers can read some of
            them; the text is the same as without.

    Returns:
        The document's text, page offsets, title and count of OCRed pages.

    Raises:
        UnsupportedFormat: The file is not one of the formats read.
        CorruptDocument: The file is damaged or not what its extension says.
        EncryptedDocument: The PDF needs a password.
        EmptyDocument: No text could be found in it, even by OCR.
        DocumentTooLarge: The file is over one of the ``limits``; the message names it.
        OCRUnavailable: It has scanned pages and the OCR engine cannot run.
        DocumentError: The file is missing, a folder, or cannot be opened.
    """
    path = Path(path)
    limits = Limits.from_env() if limits is None else limits
    _check_size(path, _file_size(path), limits.max_bytes)
    options = _Options(ocr=ocr, limits=limits, progress=progress, share=share)
    try:
        found = _read_any(path, _read_head(path), options)
        return _build(path, found, options)
    except (DocumentError, MemoryError):
        raise
    except Exception as exc:  # a parser library's own surprise: still one plain message
        log.exception("reading %s failed unexpectedly", path)
        raise CorruptDocument(
            f"{path.name} could not be read: something in it stopped the reader "
            f"({type(exc).__name__}). It may be damaged. Open it and save a new copy, "
            "or save it as a PDF, and try again."
        ) from exc


def _file_size(path: Path) -> int:
    """The size of a regular file, or a DocumentError saying why it is not one."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise DocumentError(
            f"There is no file at {path}. Check the spelling and the folder, then try again."
        ) from None
    except OSError as exc:
        raise DocumentError(f"Could not look at {path}: {exc.strerror}.") from exc
    if stat.S_ISDIR(info.st_mode):
        raise DocumentError(
            f"{path} is a folder, not a file. Give the path of one policy document inside it."
        )
    if not stat.S_ISREG(info.st_mode):
        raise DocumentError(f"{path} is not an ordinary file. Give the path of a document file.")
    return info.st_size


def _check_size(path: Path, size: int, max_bytes: int) -> None:
    """Refuse a file over the byte limit before reading any of it."""
    if size > max_bytes:
        raise too_large(path.name, f"is {_bytes(size)}, more than", "max_bytes", max_bytes)


def _bytes(count: int) -> str:
    """A byte count in words a volunteer reads at a glance."""
    return f"{count:,} bytes" if count < 1_000_000 else f"{count / 1_000_000:,.1f} MB"


def _read_head(path: Path) -> bytes:
    """The first bytes of the file, enough to recognise its format."""
    try:
        with path.open("rb") as file:
            return file.read(_HEAD_BYTES)
    except OSError as exc:
        raise DocumentError(
            f"Could not open {path}: {exc.strerror}. Check that you are allowed to read it."
        ) from exc


def _read_any(path: Path, head: bytes, options: _Options) -> _Pages:
    """Dispatch on the file's bytes and extension to the right reader."""
    suffix = path.suffix.lower()
    pdf_at = head.find(b"%PDF-", 0, 1024)
    if pdf_at == 0 or (pdf_at > 0 and suffix == ".pdf"):
        return _read_pdf(path, options)
    if head.startswith(_ZIP_MAGIC):
        return _read_zip(path, suffix, options.limits)
    _refuse_encrypted_word(path, head, suffix)
    _refuse_mislabelled(path, suffix)
    _refuse_binary(path, head)
    data = _read_bytes(path)
    if len(data) > 4 * options.limits.max_chars:  # even UTF-32 spends only 4 bytes a character
        _check_chars(path, len(data) // 4, options.limits)
    text = _decode(data, path)
    _check_chars(path, len(text), options.limits)
    if suffix in _HTML_SUFFIXES or _looks_like_html(text):
        return _read_html(text, path)
    return _Pages(text.split("\f"))


def _read_bytes(path: Path) -> bytes:
    """The whole file (only text and HTML are read this way)."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"Could not read {path}: {exc.strerror}.") from exc


def _refuse_mislabelled(path: Path, suffix: str) -> None:
    """A .pdf or .docx whose bytes are something else is damaged or misnamed."""
    kinds = {".pdf": "a PDF", ".docx": "a Word (.docx) document"}
    if suffix in kinds:
        raise CorruptDocument(
            f"{path.name} says it is {kinds[suffix]} but its contents are not {kinds[suffix]}. "
            "It may be damaged, unfinished, or a different kind of file renamed. "
            "Download or export it again, or open it and save it again in that format."
        )


def _refuse_binary(path: Path, head: bytes) -> None:
    """Name well-known non-document formats instead of calling them junk."""
    for magic, kind in _BINARY_MAGIC.items():
        if head.startswith(magic):
            raise UnsupportedFormat(
                f"{path.name} looks like {kind}, not a policy document. The formats read "
                f"are {FORMATS}. Save the policy in one of those formats and try again."
            )


# ---------------------------------------------------------------- building


def _build(path: Path, found: _Pages, options: _Options) -> Document:
    """Clean and join the pages into a Document, refusing empty or too-long ones."""
    _check_pages(path, len(found.pages), options.limits.max_pages)
    pages = strip_running_lines([_clean(page).strip() for page in found.pages])
    _check_chars(path, sum(map(len, pages)), options.limits)
    if not any(pages):
        raise EmptyDocument(_empty_message(path, found, options))
    starts, offset = [], 0
    for page in pages:
        starts.append(offset)
        offset += len(page) + len(PAGE_SEPARATOR)
    if options.progress is not None and not found.progress_reported:
        options.progress(len(pages), len(pages))
    return Document(
        source=str(path),
        text=PAGE_SEPARATOR.join(pages),
        page_starts=tuple(starts),
        title=found.title,
        ocr_pages=found.ocr_pages,
    )


def _clean(text: str) -> str:
    """Normalise line endings, ligatures, soft hyphens and control characters.

    The common cases are plain ``str.replace`` calls and the rest are only
    translated when present: this runs on every page of 600-page manuals.
    """
    text = text.replace("\r\n", "\n").replace("\ufffe", "-")
    if any(char in text for char in _RARE):
        text = text.translate(_CLEAN)
    return text


def _check_pages(path: Path, count: int, max_pages: int) -> None:
    """Refuse a document over the page limit."""
    if count > max_pages:
        raise too_large(path.name, f"has {count:,} pages, more than", "max_pages", max_pages)


def _check_chars(path: Path, count: int, limits: Limits) -> None:
    """Refuse a document over the character limit (readers call this as they go)."""
    if count > limits.max_chars:
        raise too_large(path.name, "has more characters than", "max_chars", limits.max_chars)


def _empty_message(path: Path, found: _Pages, options: _Options) -> str:
    """Say why no text was found, and what the volunteer can do about it."""
    if found.scanned_pages and options.ocr is None:
        return (
            f"{path.name} looks like scanned images with no text layer, and OCR (reading "
            "text from images) was turned off. Turn OCR on to read it."
        )
    if found.scanned_pages:
        return (
            f"{path.name} looks like scanned images and no text could be read from them, "
            "even with OCR. The scan may be blank or too faint; try a clearer copy."
        )
    return (
        f"{path.name} has no text in it. Check that it is the right file and that it "
        "is not blank; if it is a picture of a policy, save it as a PDF and try again."
    )


# ---------------------------------------------------------------- PDF


def _read_pdf(path: Path, options: _Options) -> _Pages:
    """Read a PDF's text layer page by page, then OCR the pages that are scans."""
    broken = check_pdf_streams(path, options.limits)
    pdf = open_pdf(path)
    try:
        total = len(pdf)
        if total == 0:
            raise _corrupt_pdf(path)  # pdfium opened it, but its list of pages is lost
        _check_pages(path, total, options.limits.max_pages)
        texts, scanned = _pdf_text_layer(pdf, path, options)
        ocr_pages = _pdf_ocr(pdf, path, texts, scanned, options) if options.ocr else 0
        if broken and not any(_clean(text).strip() for text in texts):
            raise _corrupt_pdf(path)  # no text because parts of it cannot be unpacked
        return _Pages(
            texts,
            title=_title(pdf.get_metadata_value("Title")),
            ocr_pages=ocr_pages,
            scanned_pages=len(scanned),
            progress_reported=True,
        )
    finally:
        pdf.close()


def open_pdf(path: Path) -> Any:
    """Open a PDF with pdfium, turning its error codes into plain messages; the caller closes it."""
    try:
        return pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        if exc.err_code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise EncryptedDocument(
                f"{path.name} is protected by a password, so its text cannot be read. "
                "Ask whoever published it for an unprotected copy, or open it with the "
                "password and save (or print) it as a new PDF."
            ) from exc
        raise _corrupt_pdf(path) from exc


def _corrupt_pdf(path: Path, page: int | None = None) -> CorruptDocument:
    """The error for a PDF pdfium cannot parse."""
    where = f" (page {page})" if page is not None else ""
    return CorruptDocument(
        f"{path.name} is a damaged or incomplete PDF{where}: it could not be read. "
        "Download it again, or open it in a PDF viewer and save a new copy."
    )


def _pdf_text_layer(pdf: Any, path: Path, options: _Options) -> tuple[list[str], list[int]]:
    """Each page's text, and the indexes of pages that need OCR."""
    total = len(pdf)
    texts: list[str] = []
    scanned: list[int] = []
    done = chars = 0
    for index in range(total):
        text, is_scan = _pdf_page_text(pdf, index, path, options.limits)
        texts.append(text)
        chars += len(text)
        _check_chars(path, chars, options.limits)
        if is_scan:
            scanned.append(index)
        if options.progress is not None and not (is_scan and options.ocr):
            done += 1  # a scan is done once OCR has read it
            options.progress(done, total)
    return texts, scanned


def _pdf_page_text(pdf: Any, index: int, path: Path, limits: Limits) -> tuple[str, bool]:
    """One page's text layer, and whether it is a scan (almost no text, but a picture)."""
    try:
        page = pdf[index]
    except pdfium.PdfiumError as exc:
        raise _corrupt_pdf(path, index + 1) from exc
    try:
        textpage = page.get_textpage()
        try:
            if textpage.count_chars() > limits.max_page_chars:
                raise too_large(
                    path.name,
                    f"has a page (page {index + 1}) with more characters than",
                    "max_page_chars",
                    limits.max_page_chars,
                )
            text: str = textpage.get_text_range()
        finally:
            textpage.close()
        if _nearly_empty(text):
            return text, _has_image(page)
        return text, _sparse(text) and _mostly_picture(page)
    except pdfium.PdfiumError as exc:
        raise _corrupt_pdf(path, index + 1) from exc
    finally:
        page.close()


def needs_ocr(pdf: Any, index: int, path: Path, limits: Limits) -> bool:
    """Whether a page of an open pypdfium2 document is a scan that ``read`` would OCR.

    For estimating work before reading (:mod:`freedomcities.workload`).
    """
    return _pdf_page_text(pdf, index, path, limits)[1]


def _nearly_empty(text: str) -> bool:
    """Whether a page has too little text to be anything but a scan or a blank."""
    if len("".join(text[:200].split())) >= OCR_MIN_CHARS:
        return False  # the usual case, decided without scanning the whole page
    return len("".join(text.split())) < OCR_MIN_CHARS


def _sparse(text: str) -> bool:
    """Whether a page has no more text than a stamp or running header."""
    return len("".join(text[: 4 * SPARSE_CHARS].split())) < SPARSE_CHARS


def _mostly_picture(page: Any) -> bool:
    """Whether one picture covers most of the page: a scan carrying a stamped header."""
    width, height = page.get_size()
    return any(area >= 0.5 * width * height for area in _image_areas(page))


def _has_image(page: Any) -> bool:
    """Whether the page draws a picture (only asked of pages with no text)."""
    return next(_image_areas(page), None) is not None


def _image_areas(page: Any) -> Iterator[float]:
    """The area of each picture on the page, through pdfium's C calls.

    pypdfium2's ``get_objects`` wraps every object of the page in Python; a
    hostile page has hundreds of thousands, so only the pictures are looked at.
    """
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    for index in range(pdfium_c.FPDFPage_CountObjects(page.raw)):
        item = pdfium_c.FPDFPage_GetObject(page.raw, index)
        if pdfium_c.FPDFPageObj_GetType(item) != pdfium_c.FPDF_PAGEOBJ_IMAGE:
            continue
        if pdfium_c.FPDFPageObj_GetBounds(item, left, bottom, right, top):
            yield (right.value - left.value) * (top.value - bottom.value)


def _pdf_ocr(pdf: Any, path: Path, texts: list[str], scanned: list[int], options: _Options) -> int:
    """Replace the scanned pages' texts with OCR text; return how many were read."""
    assert options.ocr is not None
    done, total = len(texts) - len(scanned), len(texts)
    if options.share is not None and scanned:
        found = read_shared(pdf, file_digest(path), scanned, options.ocr, options.share)
    else:
        images = ((index, render_page(pdf, index)) for index in scanned)
        found = ocr_images(options.ocr, images, pages=len(scanned))
    for index, text in found:
        texts[index] = text
        done += 1
        if options.progress is not None:
            options.progress(done, total)
    return len(scanned)


def _title(value: object) -> str | None:
    """A title from a file's metadata, or None if it is missing or blank."""
    if not isinstance(value, str):
        return None
    title = _SPACES.sub(" ", _clean(value)).strip()
    return None if title.lower() in _PLACEHOLDER_TITLES else title


# ---------------------------------------------------------------- Word


def _read_zip(path: Path, suffix: str, limits: Limits) -> _Pages:
    """Read a zip file that should be a Word document, once its parts are within the limits."""
    try:
        with zipfile.ZipFile(path) as archive:
            is_word = "word/document.xml" in archive.namelist()
            if is_word:
                check_zip_parts(path, archive, limits)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        if suffix == ".docx":
            raise CorruptDocument(_damaged_word(path)) from exc
        raise _unsupported(path) from exc
    if not is_word:
        if suffix == ".docx":
            raise CorruptDocument(_damaged_word(path))
        raise _unsupported(path)
    return _read_docx(path, limits)


def _refuse_encrypted_word(path: Path, head: bytes, suffix: str) -> None:
    """A password-protected .docx is not a zip but an OLE file holding an encrypted package."""
    if suffix != ".docx" or not head.startswith(_OLE_MAGIC):
        return
    with path.open("rb") as file:
        start = file.read(_OLE_SCAN_BYTES)
    if "EncryptedPackage".encode("utf-16-le") in start:
        raise EncryptedDocument(
            f"{path.name} is a Word document protected by a password, so its text cannot be "
            "read. Open it with the password and save an unprotected copy, or save it as a PDF."
        )


_OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0"
_OLE_SCAN_BYTES: Final = 8_000_000


def _damaged_word(path: Path) -> str:
    """The message for a .docx that cannot be opened."""
    return (
        f"{path.name} is a damaged Word (.docx) document: it could not be opened. "
        "Open it in Word or LibreOffice and save it again, or save it as a PDF."
    )


def _unsupported(path: Path) -> UnsupportedFormat:
    """The error for a file in a format that is not read."""
    return UnsupportedFormat(
        f"{path.name} is not in a format that can be read. The formats read are "
        f"{FORMATS}. Save the policy in one of those formats and try again."
    )


def _read_docx(path: Path, limits: Limits) -> _Pages:
    """Paragraphs and table cells in document order, split at page breaks."""
    try:
        document = docx.Document(str(path))
        pages = _docx_pages(document.element.body, _PageBuilder(path, limits))
        title = document.core_properties.title
        pictures = bool(document.inline_shapes) or _has_media(document)
    except (DocumentError, MemoryError):
        raise
    except lxml.etree.XMLSyntaxError as exc:
        if "depth" in str(exc).lower():  # libxml2 refuses nesting past its own limit
            raise DocumentTooLarge(
                f"{path.name} has XML nested deeper than {XML_DEPTH} levels, the most the XML "
                "reader accepts (a real Word document nests a few dozen), so it was not read. "
                "Open it in Word or LibreOffice and save it again, or save it as a PDF."
            ) from exc
        raise CorruptDocument(_damaged_word(path)) from exc
    except Exception as exc:  # python-docx raises many kinds of error on damaged files
        raise CorruptDocument(_damaged_word(path)) from exc
    if pictures and not "".join(pages).strip():
        raise EmptyDocument(
            f"{path.name} holds only pictures, no text: it looks like scanned pages pasted "
            "into Word. Save or export it as a PDF and analyse that, so the pages are read "
            "with OCR (reading text from images)."
        )
    return _Pages(pages, title=_title(title))


def _has_media(document: Any) -> bool:
    """Whether a Word document carries any picture (floating ones are not inline shapes)."""
    return any(
        part.partname.startswith("/word/media/") for part in document.part.package.iter_parts()
    )


_W_P, _W_R, _W_T = qn("w:p"), qn("w:r"), qn("w:t")
_W_TAB, _W_BR, _W_CR = qn("w:tab"), qn("w:br"), qn("w:cr")
_W_PAGE_BREAK, _W_TYPE = qn("w:lastRenderedPageBreak"), qn("w:type")
_RUN_PATHS: Final = (
    "./w:r | ./w:hyperlink/w:r | ./w:ins/w:r | ./w:smartTag/w:r"
    " | ./w:fldSimple/w:r | ./w:sdt/w:sdtContent/w:r"
)


class _PageBuilder:
    """Collects lines into pages; a break only starts a page once this one has text.

    Counts characters as they come, so a document over the limit stops early.
    """

    def __init__(self, path: Path, limits: Limits) -> None:
        self.pages: list[list[str]] = [[]]
        self.path = path
        self.limits = limits
        self.chars = 0

    def add(self, text: str) -> None:
        self.pages[-1].append(text)
        self.chars += len(text)
        if self.chars > self.limits.max_chars:
            _check_chars(self.path, self.chars, self.limits)

    def new_page(self) -> None:
        if "".join(self.pages[-1]).strip():
            self.pages.append([])

    def texts(self) -> list[str]:
        return ["".join(page) for page in self.pages]


def _docx_pages(body: Any, builder: _PageBuilder) -> list[str]:
    """The text of each page of a Word document body."""
    for block in body.iterchildren():
        paragraphs = [block] if block.tag == _W_P else block.iter(_W_P)
        for paragraph in paragraphs:
            _docx_paragraph(paragraph, builder)
            builder.add("\n")
    return builder.texts()


def _docx_paragraph(paragraph: Any, builder: _PageBuilder) -> None:
    """Add one paragraph's runs, starting new pages at its page breaks."""
    for run in paragraph.xpath(_RUN_PATHS):
        for item in run.iterchildren():
            if item.tag == _W_T:
                builder.add(item.text or "")
            elif item.tag == _W_TAB:
                builder.add("\t")
            elif item.tag == _W_PAGE_BREAK or (item.tag == _W_BR and item.get(_W_TYPE) == "page"):
                builder.new_page()
            elif item.tag in (_W_BR, _W_CR):
                builder.add("\n")


# ---------------------------------------------------------------- HTML

_DROPPED: Final = ("head", "script", "style", "nav", "noscript", "template", "svg")
_BLOCKS: Final = frozenset(
    {
        *("p", "div", "li", "ul", "ol", "dl", "dt", "dd", "br", "hr", "pre", "blockquote"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tfoot", "tr"),
        *("section", "article", "header", "footer", "main", "aside", "caption", "center"),
        *("figure", "figcaption", "form", "address"),
    }
)
_CELLS: Final = frozenset(("td", "th"))


def _looks_like_html(text: str) -> bool:
    """Whether text starts like a web page."""
    start = text.lstrip()[:100].lower()
    return start.startswith(("<!doctype html", "<html"))


def _read_html(text: str, path: Path) -> _Pages:
    """A web page's visible text, one line per block, as one page."""
    if not text.strip():
        return _Pages([""])
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)  # lxml refuses str with a declaration
    try:
        root = lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, ValueError) as exc:
        if not text.strip():
            return _Pages([""])
        raise CorruptDocument(
            f"{path.name} looks like a web page but could not be read as one. "
            "Open it in a browser and save it again, or print it to PDF."
        ) from exc
    return _Pages([_html_text(root)], title=_title(root.findtext(".//title")))


def _html_text(root: Any) -> str:
    """The visible text of a parsed page, with line breaks at block elements."""
    parts: list[str] = []
    walker = lxml.etree.iterwalk(root, events=("start", "end"))
    for event, element in walker:
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if tag in _DROPPED or not tag:
                walker.skip_subtree()
                continue
            parts.append("\n" if tag in _BLOCKS else "")
            parts.append(_SPACES.sub(" ", element.text or ""))
        else:
            parts.append("\n" if tag in _BLOCKS else " " if tag in _CELLS else "")
            if element is not root:
                parts.append(_SPACES.sub(" ", element.tail or ""))
    lines = (line.strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


# ---------------------------------------------------------------- text


def _decode(data: bytes, path: Path) -> str:
    """Decode a text file in whatever encoding it uses, or refuse it as not text."""
    text = _decode_bytes(data)
    if text is None or not _looks_like_text(text):
        raise _unsupported(path)
    return text


def _decode_bytes(data: bytes) -> str | None:
    """The text of the bytes: BOM, then UTF-8, then line by line, then a guess at the encoding."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                return None
    if data.count(b"\x00") * 100 <= len(data):  # stray NULs are dropped; many mean UTF-16
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        mixed = _decode_lines(data)
        if mixed is not None:
            return mixed
    return _decode_guessed(data)


def _decode_lines(data: bytes) -> str | None:
    """Text pasted together from UTF-8 and Windows files, each line in its own encoding.

    A line that is valid UTF-8 is read as UTF-8, any other as Windows-1252
    (Latin-1 for the five bytes it leaves undefined), so one pasted paragraph
    does not garble the rest. None when no line uses UTF-8 beyond ASCII: then
    the file is in one legacy encoding, which is better guessed whole.
    """
    lines: list[str] = []
    saw_utf8 = False
    for line in data.split(b"\n"):
        try:
            lines.append(line.decode("utf-8"))
            saw_utf8 = saw_utf8 or not line.isascii()
        except UnicodeDecodeError:
            lines.append(_decode_windows(line))
    return "\n".join(lines) if saw_utf8 else None


def _decode_windows(line: bytes) -> str:
    """One line in Windows-1252, with Latin-1 for the bytes Windows-1252 leaves undefined."""
    try:
        return line.decode("cp1252")
    except UnicodeDecodeError:
        return "".join(
            chr(b) if b in _CP1252_UNDEFINED else bytes([b]).decode("cp1252") for b in line
        )


_CP1252_UNDEFINED: Final = frozenset((0x81, 0x8D, 0x8F, 0x90, 0x9D))
_SNIFF_BYTES: Final = 1_000_000
"""How much of a legacy-encoded file charset-normalizer looks at: its cost grows with the size."""


def _decode_guessed(data: bytes) -> str | None:
    """Decode with charset-normalizer's guess from the first megabyte, preferring Windows-1252."""
    matches = charset_normalizer.from_bytes(data[:_SNIFF_BYTES])
    best = matches.best()
    if best is None:
        return None
    if any(match.encoding == "cp1252" for match in matches):
        return _decode_windows(data)  # American offices: prefer it to its cousins
    return data.decode(best.encoding, errors="replace")  # the guess came from the start only


def _looks_like_text(text: str) -> bool:
    """Whether decoded text is prose rather than binary data that happened to decode."""
    if not text:
        return True
    sample = text[:1_000_000]
    junk = sum(1 for char in sample if _is_junk(char))
    return junk <= len(sample) // 100


def _is_junk(char: str) -> bool:
    """A control character that prose does not contain (tabs, breaks and NULs are fine)."""
    code = ord(char)
    return (0 < code < 0x20 and char not in "\t\n\r\f") or 0x7F <= code < 0xA0 or code == 0xFFFD
