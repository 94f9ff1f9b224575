"""Tests for reading documents: every format, page numbers, OCR and every bad input."""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

import docx
import pypdfium2 as pdfium
import pytest
from documents import (
    make_docx,
    make_encrypted_pdf,
    make_pdf,
    make_scanned_pdf,
    png_bytes,
)
from docx.oxml import OxmlElement
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from freedomcities.errors import (
    CorruptDocument,
    DocumentError,
    DocumentTooLarge,
    EmptyDocument,
    EncryptedDocument,
    OCRUnavailable,
    UnsupportedFormat,
)
from freedomcities.limits import Limits
from freedomcities.models import Document
from freedomcities.ocr import (
    TesseractOCR,
    TesserocrOCR,
    ocr_images,
    render_page,
    tessdata_folder,
)
from freedomcities.read import read

POLICY = (
    "Officers shall not stop, detain or arrest any person solely to determine "
    "immigration status.\nOfficers shall not honor civil immigration detainers."
)


def words(text: str) -> str:
    """Text with every run of whitespace made one space, as quotes are matched."""
    return " ".join(text.split())


# ---------------------------------------------------------------- PDF


def test_pdf_pages_and_title(tmp_path: Path) -> None:
    pages = ["First page about detainers.", "Second page about warrants.", "Third page."]
    path = make_pdf("", tmp_path / "policy.pdf", pages_text=pages, title="General Order 426")
    document = read(path)
    assert document.pages == 3
    assert document.title == "General Order 426"
    assert document.ocr_pages == 0
    assert document.page_at(document.text.index("warrants")) == 2
    assert document.page_at(document.text.index("Third")) == 3
    assert [document.page_text(n).strip() for n in (1, 2, 3)] == pages


def test_pdf_without_title_metadata_has_no_title(tmp_path: Path) -> None:
    assert read(make_pdf(POLICY, tmp_path / "p.pdf")).title is None


def test_pdf_of_a_corpus_text_keeps_its_words(tmp_path: Path, shared_dir: Path) -> None:
    source = shared_dir / "corpus" / "east-haven-ct-pd-428-2.txt"
    text = source.read_text(encoding="utf-8")
    document = read(make_pdf(text, tmp_path / "east-haven.pdf"))
    assert document.pages > 1
    assert words(document.text) == words(text)


def test_pdf_blank_page_is_kept_and_not_ocred(tmp_path: Path) -> None:
    path = make_pdf("", tmp_path / "p.pdf", pages_text=[POLICY, "", "The end of the policy."])
    document = read(path)
    assert document.pages == 3
    assert document.ocr_pages == 0
    assert document.page_text(2).strip() == ""
    assert document.page_at(document.text.index("The end")) == 3


def test_pdf_reports_progress_page_by_page(tmp_path: Path) -> None:
    path = make_pdf("", tmp_path / "p.pdf", pages_text=["one", "two", "three", "four"])
    calls: list[tuple[int, int]] = []
    read(path, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]


LISLE_RUNNING = {
    "Village of Lisle Police Department",
    "Lisle PD Policy Manual",
    "Copyright Lexipol, LLC 2020/05/04, All Rights Reserved.",
    "Published with permission by Village of Lisle Police",
    "Department",
}


def _lisle_running_line(line: str) -> bool:
    """The Lisle manual's running header and footer lines, written out by hand."""
    line = line.strip()
    return line in LISLE_RUNNING or re.fullmatch(r"[A-Za-z][\w ,()'/&-]* - \d+", line) is not None


def test_real_manual_pages_match_raw_pdfium(shared_dir: Path) -> None:
    """Every word pdfium reads is kept, except the running header and footer lines."""
    path = shared_dir / "manuals" / "lisle-il-pd-policy-manual-2020.pdf"
    document = read(path)
    assert document.pages == 632
    pdf = pdfium.PdfDocument(path)
    try:
        for index in (0, 300, 631):
            page = pdf[index]
            textpage = page.get_textpage()
            raw = textpage.get_text_range()
            textpage.close()
            page.close()
            raw = raw.replace("\ufffe", "-").replace("\r\n", "\n")
            body = [line for line in raw.split("\n") if not _lisle_running_line(line)]
            assert words(document.page_text(index + 1)) == words("\n".join(body))
    finally:
        pdf.close()
    assert "Copyright Lexipol" not in document.text
    assert "ﬁ" not in document.text and "\ufffe" not in document.text and "\r" not in document.text


# ---------------------------------------------------------------- OCR


@pytest.fixture(scope="module")
def scanned_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A two-page picture-only PDF: page 1 about detainers, page 2 about warrants."""
    lines = [f"Line {n}: Officers shall not honor immigration detainers." for n in (1, 2, 3)]
    lines += ["Immigration agents must present a judicial warrant signed by a judge."]
    path = tmp_path_factory.mktemp("scan") / "scanned.pdf"
    return make_scanned_pdf("\n".join(lines), path, lines_per_page=3)


def test_scanned_pdf_is_read_by_ocr_in_page_order(scanned_pdf: Path) -> None:
    calls: list[tuple[int, int]] = []
    document = read(scanned_pdf, progress=lambda done, total: calls.append((done, total)))
    assert document.pages == 2
    assert document.ocr_pages == 2
    assert "Officers shall not honor immigration detainers" in document.page_text(1)
    assert "judicial warrant signed by a judge" in document.page_text(2)
    assert calls[-1] == (2, 2)


def test_scanned_pdf_without_ocr_is_empty(scanned_pdf: Path) -> None:
    with pytest.raises(EmptyDocument, match=r"scanned images.*OCR.*turned off"):
        read(scanned_pdf, ocr=None)


def test_scanned_pdf_without_tesseract_says_to_install_it(scanned_pdf: Path) -> None:
    engine = TesseractOCR(command="/nonexistent/tesseract")
    with pytest.raises(OCRUnavailable, match="tesseract-ocr"):
        read(scanned_pdf, ocr=engine)


def test_blank_scan_is_empty_after_ocr(tmp_path: Path) -> None:
    with pytest.raises(EmptyDocument, match="scanned images and no text could be read"):
        read(make_scanned_pdf("", tmp_path / "blank.pdf"))


class _ShoutingOCR:
    """An OCR engine that needs no program: proves the engine is a parameter."""

    def read_image(self, png: bytes) -> str:
        assert png.startswith(b"\x89PNG")
        return "IMMIGRATION ﬁle\r\n"


def test_any_ocr_engine_can_be_passed(scanned_pdf: Path) -> None:
    document = read(scanned_pdf, ocr=_ShoutingOCR())
    assert document.text == "IMMIGRATION file\n\nIMMIGRATION file"
    assert document.ocr_pages == 2


class _CountingTesseract:
    """Tesseract, counting the pages of each run."""

    def __init__(self) -> None:
        self.runs: list[int] = []
        self.engine = TesseractOCR()

    def read_image(self, png: bytes) -> str:
        self.runs.append(1)
        return self.engine.read_image(png)

    def read_images(self, pngs: list[bytes]) -> list[str]:
        self.runs.append(len(pngs))
        return self.engine.read_images(pngs)


def _scanned_pngs(path: Path) -> list[bytes]:
    """Every page of a scanned PDF, rendered as ``read`` renders pages for OCR."""
    pdf = pdfium.PdfDocument(path)
    try:
        return [render_page(pdf, index) for index in range(len(pdf))]
    finally:
        pdf.close()


def test_one_tesseract_run_reads_several_pages_as_runs_page_by_page_would(
    tmp_path: Path,
) -> None:
    lines = [f"Page {n}: officers shall not honor detainer number {n}." for n in range(1, 6)]
    pngs = _scanned_pngs(
        make_scanned_pdf("\n".join(lines), tmp_path / "five.pdf", lines_per_page=1)
    )
    alone = [TesseractOCR().read_image(png) for png in pngs]
    assert all(f"Page {n}" in text for n, text in enumerate(alone, 1))
    counting = _CountingTesseract()
    read_together = list(ocr_images(counting, enumerate(pngs), workers=2, pages=5))
    assert read_together == list(enumerate(alone))
    assert counting.runs == [3, 2]  # five pages on two workers: no worker waits for the other


def test_tesseract_library_reads_what_the_command_reads(tmp_path: Path) -> None:
    pytest.importorskip("tesserocr")
    lines = [f"Page {n}: officers shall not honor detainer number {n}." for n in range(1, 4)]
    pngs = _scanned_pngs(
        make_scanned_pdf("\n".join(lines), tmp_path / "three.pdf", lines_per_page=1)
    )
    by_command = [" ".join(text.split()) for text in TesseractOCR().read_images(pngs)]
    by_library = [" ".join(text.split()) for text in TesserocrOCR().read_images(pngs)]
    assert by_library == by_command
    assert by_library[1] == lines[1]


def test_tesseract_library_without_the_language_says_to_install_it(scanned_pdf: Path) -> None:
    pytest.importorskip("tesserocr")
    with pytest.raises(OCRUnavailable, match=r"xx\.traineddata.*tesseract-ocr-eng"):
        read(scanned_pdf, ocr=TesserocrOCR(language="xx"))


def test_language_data_is_found_where_tessdata_prefix_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "tessdata").mkdir()
    (tmp_path / "tessdata" / "zz.traineddata").write_bytes(b"model")
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))
    assert tessdata_folder("zz") == str(tmp_path / "tessdata")
    assert tessdata_folder("zz+yy") is None  # every language of a combination is needed


@pytest.mark.slow
def test_real_scanned_287g_agreement(shared_dir: Path) -> None:
    index = json.loads((shared_dir / "moa" / "index.json").read_text(encoding="utf-8"))
    scanned = [entry for entry in index if not entry["text_layer"]]
    entry = min(scanned, key=lambda entry: entry["pages"])
    document = read(shared_dir / "moa" / f"{entry['slug']}.pdf")
    assert document.pages == entry["pages"]
    assert document.ocr_pages > 0
    assert "Immigration" in document.text
    assert "287(g)" in document.text or "287 (g)" in document.text


# ---------------------------------------------------------------- Word


def test_docx_pages_and_title(tmp_path: Path) -> None:
    path = make_docx("", tmp_path / "p.docx", pages_text=["Page one.", "Page two.\nMore."])
    document = read(path)
    assert document.pages == 2
    assert document.title is None
    assert document.page_at(document.text.index("More")) == 2
    titled = read(make_docx(POLICY, tmp_path / "t.docx", title="Immigration Policy"))
    assert titled.title == "Immigration Policy"
    assert titled.pages == 1
    assert words(titled.text) == words(POLICY)


def test_docx_keeps_tables_in_document_order(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Before the table.")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Cell one."
    table.cell(0, 1).text = "Cell two."
    document.add_paragraph("After the table.")
    path = tmp_path / "table.docx"
    document.save(str(path))
    text = read(path).text
    assert text.index("Before") < text.index("Cell one") < text.index("Cell two")
    assert text.index("Cell two") < text.index("After")


def test_docx_rendered_page_breaks_start_pages(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Page one text.")
    second = document.add_paragraph()
    second.add_run()._r.append(OxmlElement("w:lastRenderedPageBreak"))
    second.add_run("Page two text.")
    path = tmp_path / "rendered.docx"
    document.save(str(path))
    result = read(path)
    assert result.pages == 2
    assert result.page_at(result.text.index("Page two")) == 2


# ---------------------------------------------------------------- HTML


def test_html_visible_text_in_lines(tmp_path: Path) -> None:
    page = (
        "<!DOCTYPE html><html><head><title> Policy   426 </title>"
        "<style>p {color: red}</style><script>var x = 'hidden';</script></head>"
        "<body><nav>Home | About</nav><h1>Immigration</h1>"
        "<p>Officers   shall\n not <b>ask</b> about status.</p>"
        "<ul><li>One</li><li>Two</li></ul><table><tr><td>A</td><td>B</td></tr></table>"
        "Line<br>break</body></html>"
    )
    path = tmp_path / "policy.htm"
    path.write_text(page, encoding="utf-8")
    document = read(path)
    assert document.title == "Policy 426"
    assert document.pages == 1
    assert document.text == (
        "Immigration\nOfficers shall not ask about status.\nOne\nTwo\nA B\nLine\nbreak"
    )


def test_html_is_recognised_without_its_extension(tmp_path: Path) -> None:
    path = tmp_path / "saved"
    path.write_text("<html><body><p>Hello</p><p>world</p></body></html>", encoding="utf-8")
    assert read(path).text == "Hello\nworld"


# ---------------------------------------------------------------- text


def test_text_form_feeds_are_page_breaks(tmp_path: Path) -> None:
    path = tmp_path / "p.txt"
    path.write_text("Page one.\fPage two.\fPage three.", encoding="utf-8")
    document = read(path)
    assert document.pages == 3
    assert document.page_at(document.text.index("three")) == 3
    assert document.title is None


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-16-le"])
def test_text_encodings(tmp_path: Path, encoding: str) -> None:
    text = "The officer\u2019s caf\u00e9 \u2013 \u201cquoted\u201d na\u00efve se\u00f1or. " * 4
    path = tmp_path / "p.txt"
    path.write_bytes(text.encode(encoding))
    assert read(path).text == text.strip()


def test_text_is_cleaned_faithfully(tmp_path: Path) -> None:
    path = tmp_path / "p.txt"
    path.write_bytes("Of\ufb01cers\r\nshall not\x00 re\u00adport.\rEnd".encode())
    assert read(path).text == "Officers\nshall not report.\nEnd"


# ---------------------------------------------------------------- bad input


def _random_bytes_pdf(tmp_path: Path) -> Path:
    path = tmp_path / "junk.pdf"
    path.write_bytes(os.urandom(4000))
    return path


def _corrupt_pdf(tmp_path: Path) -> Path:
    path = tmp_path / "corrupt.pdf"
    path.write_bytes(b"%PDF-1.7\n" + os.urandom(4000))
    return path


def _truncated_pdf(tmp_path: Path) -> Path:
    whole = make_pdf(POLICY * 50, tmp_path / "whole.pdf").read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(whole[: len(whole) // 2])
    return path


def _text_named(name: str, content: bytes) -> Callable[[Path], Path]:
    def build(tmp_path: Path) -> Path:
        path = tmp_path / name
        path.write_bytes(content)
        return path

    return build


def _png_named_txt(tmp_path: Path) -> Path:
    path = tmp_path / "policy.txt"
    path.write_bytes(png_bytes(Image.new("RGB", (20, 20), "white")))
    return path


def _zip_named_docx(tmp_path: Path) -> Path:
    path = tmp_path / "policy.docx"
    path.write_bytes(b"PK\x03\x04" + os.urandom(200))
    return path


BAD_INPUTS: list[tuple[str, Callable[[Path], Path], type[DocumentError], str]] = [
    ("corrupt pdf", _corrupt_pdf, CorruptDocument, "damaged or incomplete PDF"),
    ("truncated pdf", _truncated_pdf, CorruptDocument, "damaged or incomplete PDF"),
    (
        "encrypted pdf",
        lambda tmp: make_encrypted_pdf(POLICY, tmp / "locked.pdf"),
        EncryptedDocument,
        "protected by a password",
    ),
    ("empty file", _text_named("empty.txt", b""), EmptyDocument, "has no text in it"),
    ("blank text", _text_named("blank.txt", b" \n\t\r\n "), EmptyDocument, "has no text"),
    ("empty pdf page", lambda tmp: make_pdf("", tmp / "e.pdf"), EmptyDocument, "no text"),
    ("random .pdf", _random_bytes_pdf, CorruptDocument, "says it is a PDF but its contents"),
    ("text .pdf", _text_named("p.pdf", b"Officers shall"), CorruptDocument, "not a PDF"),
    ("png .txt", _png_named_txt, UnsupportedFormat, "PNG picture.*PDF.*Word.*text"),
    ("text .docx", _text_named("p.docx", b"Officers"), CorruptDocument, "not a Word"),
    ("bad zip .docx", _zip_named_docx, CorruptDocument, "damaged Word"),
    ("exe", _text_named("setup.exe", b"MZ\x90\x00" + bytes(300)), UnsupportedFormat, "program"),
    ("binary", _text_named("data.bin", bytes(range(256)) * 4), UnsupportedFormat, "formats"),
    ("folder", lambda tmp: tmp, DocumentError, "is a folder, not a file"),
    ("missing", lambda tmp: tmp / "nope.pdf", DocumentError, "There is no file at"),
]


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [row[1:] for row in BAD_INPUTS],
    ids=[row[0] for row in BAD_INPUTS],
)
def test_bad_input_raises_a_helpful_error(
    tmp_path: Path, build: Callable[[Path], Path], error: type[DocumentError], message: str
) -> None:
    with pytest.raises(error, match=message):
        read(build(tmp_path))


def test_file_over_max_bytes_is_refused_before_reading(tmp_path: Path) -> None:
    path = make_pdf(POLICY, tmp_path / "p.pdf")
    with pytest.raises(DocumentTooLarge, match=r"limit of 100 bytes"):
        read(path, limits=Limits(max_bytes=100))


@pytest.mark.parametrize("suffix", [".pdf", ".docx", ".txt"])
def test_document_over_max_pages_is_refused(tmp_path: Path, suffix: str) -> None:
    pages = ["one", "two", "three"]
    if suffix == ".pdf":
        path = make_pdf("", tmp_path / "p.pdf", pages_text=pages)
    elif suffix == ".docx":
        path = make_docx("", tmp_path / "p.docx", pages_text=pages)
    else:
        path = tmp_path / "p.txt"
        path.write_text("\f".join(pages), encoding="utf-8")
    with pytest.raises(
        DocumentTooLarge,
        match=r"has 3 pages, more than the limit of 2 pages.*FREEDOMCITIES_MAX_PAGES",
    ):
        read(path, limits=Limits(max_pages=2))


# ---------------------------------------------------------------- fuzzing

_PREFIXES = [b"", b"%PDF-1.4\n", b"PK\x03\x04", b"<!DOCTYPE html><html>", b"\xff\xfe"]
_SUFFIXES = [".pdf", ".docx", ".txt", ".html", ""]


def _read_or_error(data: bytes, suffix: str) -> Document | DocumentError:
    """Read bytes from a temporary file; a DocumentError is an acceptable answer."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        try:
            return read(path, ocr=None)
        except DocumentError as error:
            assert str(error)
            return error


@settings(max_examples=300, deadline=None, database=None)
@given(
    prefix=st.sampled_from(_PREFIXES),
    data=st.binary(max_size=3000),
    suffix=st.sampled_from(_SUFFIXES),
)
def test_any_bytes_give_a_document_or_a_document_error(
    prefix: bytes, data: bytes, suffix: str
) -> None:
    result = _read_or_error(prefix + data, suffix)
    if isinstance(result, Document):
        assert result.text.strip() and result.pages >= 1


@pytest.fixture(scope="module")
def real_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Bytes of a real small PDF and Word file to damage."""
    folder = tmp_path_factory.mktemp("real")
    return {
        ".pdf": make_pdf(POLICY * 5, folder / "p.pdf", title="T").read_bytes(),
        ".docx": make_docx(POLICY, folder / "p.docx").read_bytes(),
    }


@settings(max_examples=150, deadline=None, database=None)
@given(suffix=st.sampled_from([".pdf", ".docx"]), cut=st.floats(0, 1), flips=st.data())
def test_damaged_real_files_give_a_document_or_a_document_error(
    real_files: dict[str, bytes], suffix: str, cut: float, flips: st.DataObject
) -> None:
    data = bytearray(real_files[suffix][: max(1, int(len(real_files[suffix]) * cut))])
    for _ in range(flips.draw(st.integers(0, 5))):
        data[flips.draw(st.integers(0, len(data) - 1))] = flips.draw(st.integers(0, 255))
    _read_or_error(bytes(data), suffix)
