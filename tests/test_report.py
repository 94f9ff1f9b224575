"""Reports: the annotated policy, the redline and the meeting packet, as HTML, PDF and Word.

Real scorecards throughout: the bundled sample policy scored for Mesa, AZ, and a
real policy from the labelled corpus. PDFs are printed with WeasyPrint and read
back with pypdfium2; page 1 of each is rendered to ``tests/output/`` (git-ignored)
for a person to look at.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner

from freedomcities import analyze
from freedomcities.cli import cli
from freedomcities.errors import FreedomCitiesError, ReportError
from freedomcities.evaluate import read_labelled_text
from freedomcities.models import Document
from freedomcities.render.annotate import PolicyMarkup, build_report
from freedomcities.render.pdf import write_pdf
from freedomcities.render.report_html import report_html
from freedomcities.render.reports import FORMATS, KINDS, check_kind, write_report

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "freedomcities" / "samples" / "sample-city-pd-immigration-policy.pdf"
OUTPUT = Path(__file__).resolve().parent / "output"
CORPUS_TEXT = "gilbert-az-pd-go-1006-ice-contacts-2007.txt"
HAS_DOCX = importlib.util.find_spec("freedomcities.render.docx") is not None


@pytest.fixture(scope="module")
def mesa() -> PolicyMarkup:
    """The bundled sample policy, scored for Mesa, AZ."""
    return build_report(analyze(SAMPLE, jurisdiction="Mesa, AZ"))


@pytest.fixture(scope="module")
def gilbert(shared_dir: Path) -> PolicyMarkup:
    """A real department's policy from the labelled corpus, scored for Gilbert, AZ."""
    document = read_labelled_text(shared_dir / "corpus" / CORPUS_TEXT)
    return build_report(analyze(document, jurisdiction="Gilbert, AZ"))


def _flat(text: str) -> str:
    """Whitespace collapsed, as the reports lay out PDF text."""
    return re.sub(r"\s+", " ", text).strip()


def _escaped(text: str) -> str:
    """Text as the HTML writer escapes it."""
    return (
        _flat(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#x27;")
    )


# HTML ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["mesa", "gilbert"])
def test_redline_deletes_each_quote_and_inserts_the_filled_model_text(
    name: str, request: pytest.FixtureRequest
) -> None:
    report: PolicyMarkup = request.getfixturevalue(name)
    place = report.jurisdiction.split(",")[0] if report.jurisdiction else ""
    html = report_html(report, "redline")
    replaced = [c for c in report.changes if c.kind == "replace"]
    assert replaced, "the policy has passages to replace"
    for change in replaced:
        deleted = _escaped(report.scorecard.document.text[change.start : change.end])
        assert f"<del>{deleted}</del>" in html
        for model in change.inserted:
            assert f"<ins>{_escaped(model)}</ins>" in html
    for change in (c for c in report.changes if c.kind == "add"):
        assert f"<ins>{_escaped(change.inserted[0])}</ins>" in html
    assert place in html
    assert "[County/City/State]" not in html
    assert html.count("<del>") == len([c for c in replaced if c.end != c.start])


def test_redline_inserts_each_rule_once_and_points_back_to_it(gilbert: PolicyMarkup) -> None:
    html = report_html(gilbert, "redline")
    for ask in gilbert.asks:
        assert html.count(f"<ins>{_escaped(ask.model_text)}</ins>") <= 1
    assert "is inserted above" in html


def test_redline_keeps_the_rest_of_the_section_as_context(mesa: PolicyMarkup) -> None:
    html = report_html(mesa, "redline")
    assert "A copy of the detainer shall be kept with the person&#x27;s booking file." in html


def test_annotated_marks_passages_with_tags_notes_and_a_legend(mesa: PolicyMarkup) -> None:
    html = report_html(mesa, "annotated")
    assert "How to read the marks" in html
    assert "[Rule N ✘ conflicts]" in html and "[Rule N ◐ partly meets]" in html
    assert "[Rule 5 ✘ conflicts]" in html and "[Rule 8 ✔ meets]" in html
    # two passages with five findings between them, and the legend's sample
    assert html.count('<mark class="hl hl-conflicts">') == 3
    assert html.count('<aside class="note') == len(mesa.highlights)
    assert "Ask to replace it with (Rule 1):" in html
    assert "Mesa officials shall require a judicial warrant" in html
    sections = mesa.scorecard.sections
    shown = len({h.section for h in mesa.highlights})
    left = f"{len(sections) - shown} of {len(sections)} sections say nothing on the rules"
    assert left in html
    assert "415.8 TRAINING" not in html  # a section that says nothing on the rules
    assert "Rules the policy does not address: add these" in html


def test_packet_has_the_jurisdiction_and_four_parts_on_their_own_pages(mesa: PolicyMarkup) -> None:
    html = report_html(mesa, "packet")
    assert '<h1 class="running">Meeting packet for Mesa, AZ</h1>' in html
    assert "break-before: page" in html
    assert html.count('<section class="part">') == 3
    for heading in ("Scorecard", "The rules in plain words", "What we ask", "The changes"):
        assert f"<h2>{heading}" in html
    assert "We ask Mesa, AZ to put these rules in writing" in html
    for rule in mesa.ruleset.rules:
        assert _escaped(rule.reason) in html
    for ask in mesa.asks:
        assert _escaped(ask.model_text) in html
    assert "<del>" in html and "<ins>" in html


@pytest.mark.parametrize("kind", KINDS)
def test_html_is_self_contained_english_and_printable(mesa: PolicyMarkup, kind: str) -> None:
    html = report_html(mesa, check_kind(kind))
    assert html.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "<script" not in html and "src=" not in html and "@import" not in html
    assert "@page" in html and "counter(pages)" in html


def test_quotes_from_the_document_are_escaped() -> None:
    text = (
        "415.4 IMMIGRATION DETAINERS\n"
        'The jail will honor the detainer <script>alert("x")</script> and hold the person for '
        "up to 48 hours so that federal immigration authorities can assume custody.\n"
    )
    report = build_report(analyze(Document(source="evil.txt", text=text), jurisdiction="Mesa, AZ"))
    assert any(c.kind == "replace" for c in report.changes)
    for kind in KINDS:
        html = report_html(report, check_kind(kind))
        assert "<script>" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_unknown_kind_and_format_name_the_valid_ones(mesa: PolicyMarkup, tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="valid: annotated, redline, packet"):
        write_report(mesa, tmp_path / "x.html", format="html", kind="memo")  # type: ignore[arg-type]
    with pytest.raises(ReportError, match="valid: docx, pdf, html") as caught:
        write_report(mesa, tmp_path / "x.odt", format="odt", kind="packet")
    assert isinstance(caught.value, FreedomCitiesError)
    assert FORMATS == ("docx", "pdf", "html")


def test_html_report_to_a_missing_folder_is_a_clear_error(
    mesa: PolicyMarkup, tmp_path: Path
) -> None:
    with pytest.raises(ReportError, match=r"Cannot write .* Check that the folder exists"):
        write_report(mesa, tmp_path / "nope" / "x.html", format="html", kind="packet")


# PDF -------------------------------------------------------------------------


def _pdf_text(path: Path) -> tuple[int, str]:
    """Page count and whitespace-collapsed text of a PDF."""
    pdf = pdfium.PdfDocument(path)
    try:
        pages = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
        return len(pdf), _flat(" ".join(pages))
    finally:
        pdf.close()


def _first_page_png(pdf: Path, name: str) -> Path:
    """Page 1 rendered to tests/output/<name>.png for a person to look at."""
    OUTPUT.mkdir(exist_ok=True)
    stem = OUTPUT / name
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", pdf, stem],
        check=True,
    )
    return stem.with_suffix(".png")


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils (pdftoppm)")
@pytest.mark.parametrize("kind", KINDS)
def test_pdf_holds_the_model_text_and_the_jurisdiction(
    mesa: PolicyMarkup, kind: str, tmp_path: Path
) -> None:
    path = write_pdf(mesa, check_kind(kind), tmp_path / f"mesa-{kind}.pdf")
    pages, text = _pdf_text(path)
    assert pages >= 2
    assert "Mesa, AZ" in text
    assert "Mesa officials shall require a judicial warrant prior to detaining" in text
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
    png = _first_page_png(path, f"mesa-{kind}")
    assert png.stat().st_size > 5_000


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils (pdftoppm)")
def test_pdf_of_a_real_policy(gilbert: PolicyMarkup, tmp_path: Path) -> None:
    path = write_report(gilbert, tmp_path / "gilbert.pdf", format="pdf", kind="packet")
    _, text = _pdf_text(path)
    assert "Meeting packet for Gilbert, AZ" in text
    assert "Gilbert officials shall require a judicial warrant" in text
    assert "[County/City/State]" not in text
    _first_page_png(path, "gilbert-packet")


def test_pdf_to_a_missing_folder_is_a_clear_error(mesa: PolicyMarkup, tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="Cannot write"):
        write_pdf(mesa, "redline", tmp_path / "nope" / "x.pdf")


# The command -----------------------------------------------------------------


def _run(*args: str) -> tuple[int, str, str]:
    """Run ``freedomcities report`` in-process: exit code, stdout, stderr."""
    result = CliRunner().invoke(cli, ["report", *args])
    return result.exit_code, result.stdout, result.stderr


def test_cli_prints_html_to_the_screen() -> None:
    code, out, _ = _run(str(SAMPLE), "-j", "Mesa, AZ", "-f", "html", "-k", "redline", "-o", "-")
    assert code == 0
    assert out.startswith("<!DOCTYPE html>") and "Redline for Mesa, AZ" in out and "<del>" in out


@pytest.mark.parametrize("fmt", ["html", "pdf", *(["docx"] if HAS_DOCX else [])])
def test_cli_writes_policy_kind_format_in_the_current_folder(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(str(SAMPLE), "--jurisdiction", "Mesa, AZ", "--format", fmt)
    assert code == 0, err
    written = tmp_path / f"{SAMPLE.stem}-packet.{fmt}"
    assert written.stat().st_size > 1_000
    assert f"Wrote {written.name}" in err


def test_cli_writes_the_chosen_file(tmp_path: Path) -> None:
    target = tmp_path / "mesa.pdf"
    code, _, _ = _run(
        str(SAMPLE), "-j", "Mesa, AZ", "-f", "pdf", "--kind", "annotated", "-o", str(target)
    )
    assert code == 0
    assert target.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["missing.pdf", "-f", "html"], 1, "Error: 'missing.pdf' does not exist"),
        ([str(SAMPLE), "-f", "pdf", "-o", "-"], 2, "Only HTML can go to the screen"),
        ([str(SAMPLE), "-f", "odt"], 2, "'odt' is not one of 'docx', 'pdf', 'html'"),
        ([str(SAMPLE), "-f", "html", "-k", "memo"], 2, "'memo' is not one of"),
        ([str(SAMPLE)], 2, "Missing option '--format'"),
        ([str(SAMPLE), "-f", "html", "-r", "no-such-ruleset"], 1, "Error: "),
        ([str(SAMPLE), "-f", "pdf", "-o", "/no/such/folder/x.pdf"], 1, "Error: Cannot write"),
    ],
)
def test_cli_errors(args: list[str], code: int, message: str) -> None:
    exit_code, _, err = _run(*args)
    assert exit_code == code
    assert message in err
