"""Word reports: real tracked changes, real comments, and files LibreOffice opens.

Each report is built from a real scorecard (the bundled sample policy, and a
real department's policy from the shared corpus), then read back both with
python-docx and as raw WordprocessingML.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import zipfile
from importlib.resources import files
from pathlib import Path

import docx
import pypdfium2
import pytest
from lxml import etree

from freedomcities import analyze
from freedomcities.errors import ReportError
from freedomcities.evaluate import read_labelled_text
from freedomcities.render.annotate import Edit, PolicyMarkup, build_report
from freedomcities.render.docx import AUTHOR, write_docx
from freedomcities.render.reports import KINDS, Kind

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
OUTPUT = Path(__file__).parent / "output"
SAMPLE = files("freedomcities") / "samples" / "sample-city-pd-immigration-policy.pdf"
URBANA = "corpus/urbana-il-pd-immigration-violations-2015.txt"


@pytest.fixture(scope="module")
def mesa() -> PolicyMarkup:
    """The bundled sample policy, scored for Mesa, AZ."""
    return build_report(analyze(Path(str(SAMPLE)), jurisdiction="Mesa, AZ"))


@pytest.fixture(scope="module")
def urbana(shared_dir: Path) -> PolicyMarkup:
    """Urbana, IL's real immigration policy, from the labelled corpus."""
    document = read_labelled_text(shared_dir / URBANA)
    return build_report(analyze(document, jurisdiction="Urbana, IL"))


def _xml(path: Path, part: str) -> etree._Element:
    """One part of a .docx, parsed."""
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read(part))


def _text(element: etree._Element, tag: str = "t") -> str:
    """The text of every w:t (or w:delText) under an element, joined."""
    return "".join(node.text or "" for node in element.iter(f"{W}{tag}"))


def _normal(text: str) -> str:
    return " ".join(text.split())


def _edits(path: Path) -> list[tuple[str, list[str]]]:
    """Each tracked deletion's text, with the texts of the insertions right after it."""
    body = _xml(path, "word/document.xml")
    edits = []
    for deletion in body.iter(f"{W}del"):
        if deletion.getparent().tag != f"{W}p":
            continue
        inserted = []
        sibling = deletion.getnext()
        while sibling is not None and sibling.tag == f"{W}ins":
            inserted.append(_normal(_text(sibling)))
            sibling = sibling.getnext()
        edits.append((_normal(_text(deletion, "delText")), inserted))
    return edits


def _replaces(report: PolicyMarkup) -> list[Edit]:
    return [c for c in report.changes if c.kind == "replace"]


@pytest.mark.parametrize("name", ["mesa", "urbana"])
def test_redline_deletes_each_passage_and_inserts_the_model_text(
    name: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    report: PolicyMarkup = request.getfixturevalue(name)
    path = write_docx(report, "redline", tmp_path / "redline.docx")
    edits = _edits(path)
    expected = [(_normal(c.deleted), [_normal(t) for t in c.inserted]) for c in _replaces(report)]
    assert expected
    assert edits == expected


def test_redline_model_text_is_filled_in_for_the_jurisdiction(
    mesa: PolicyMarkup, tmp_path: Path
) -> None:
    path = write_docx(mesa, "redline", tmp_path / "redline.docx")
    inserted = [text for _, texts in _edits(path) for text in texts]
    assert inserted
    assert all("Mesa" in text for text in inserted)
    assert "[County/City/State]" not in _text(_xml(path, "word/document.xml"))


def test_redline_changes_are_real_tracked_changes(mesa: PolicyMarkup, tmp_path: Path) -> None:
    body = _xml(write_docx(mesa, "redline", tmp_path / "redline.docx"), "word/document.xml")
    revisions = [*body.iter(f"{W}del"), *body.iter(f"{W}ins")]
    assert revisions
    for revision in revisions:
        assert revision.get(f"{W}author") == AUTHOR
        assert revision.get(f"{W}date", "").endswith("Z")
    ids = [r.get(f"{W}id") for r in revisions]
    assert len(ids) == len(set(ids))
    # deleted words never sit in a w:t, and inserted words never in a w:delText
    assert not [*body.iterfind(f".//{W}del//{W}t")]
    assert not [*body.iterfind(f".//{W}ins//{W}delText")]


def test_redline_keeps_the_section_text_around_a_deletion(
    mesa: PolicyMarkup, tmp_path: Path
) -> None:
    path = write_docx(mesa, "redline", tmp_path / "redline.docx")
    plain = _normal(_text(_xml(path, "word/document.xml")))
    # 415.4's sentence after the deleted passage stays as normal text
    assert "Any status check shall be noted in the officer's report" in plain
    assert "415.4 CONTACTS AND STATUS CHECKS" in plain
    # a section with nothing to change is left out
    assert "PURPOSE AND SCOPE" not in plain


def test_redline_adds_each_missing_rule_as_an_inserted_section(
    mesa: PolicyMarkup, tmp_path: Path
) -> None:
    additions = [c for c in mesa.changes if c.kind == "add"]
    assert additions
    body = _xml(write_docx(mesa, "redline", tmp_path / "redline.docx"), "word/document.xml")
    inserted = {_normal(_text(ins)) for ins in body.iter(f"{W}ins")}
    for change in additions:
        assert set(change.rule_names) <= inserted  # the new section's heading
        assert {_normal(t) for t in change.inserted} <= inserted
    marks = body.iterfind(f".//{W}pPr/{W}rPr/{W}ins")
    assert len(list(marks)) == sum(1 + len(c.inserted) for c in additions)


def test_redline_notes_each_change_in_a_comment(mesa: PolicyMarkup, tmp_path: Path) -> None:
    path = write_docx(mesa, "redline", tmp_path / "redline.docx")
    comments = [_text(c) for c in _xml(path, "word/comments.xml").iter(f"{W}comment")]
    assert len(comments) == len(mesa.changes)
    assert any("Judicial Warrant Rule" in c for c in comments)


@pytest.mark.parametrize("name", ["mesa", "urbana"])
def test_annotated_marks_passages_with_comments_naming_the_rules(
    name: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    report: PolicyMarkup = request.getfixturevalue(name)
    path = write_docx(report, "annotated", tmp_path / "annotated.docx")
    comments = _xml(path, "word/comments.xml")
    notes = " ".join(_text(c) for c in comments.iter(f"{W}comment"))
    for highlight in report.highlights:
        assert f"Rule {highlight.rule_id} — {highlight.rule_name}" in notes
    assert {c.get(f"{W}author") for c in comments.iter(f"{W}comment")} == {AUTHOR}
    body = _xml(path, "word/document.xml")
    starts = list(body.iter(f"{W}commentRangeStart"))
    assert len(starts) == len(list(body.iter(f"{W}commentRangeEnd"))) == len(list(comments))
    plain = _text(body)
    assert "✘ conflicts]" in plain
    assert "Rule" in plain


def test_annotated_shows_only_relevant_sections_and_says_how_many_are_left_out(
    mesa: PolicyMarkup, tmp_path: Path
) -> None:
    document = docx.Document(str(write_docx(mesa, "annotated", tmp_path / "a.docx")))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    shown = [h for h in headings if h.startswith("§")]
    sections = {h.section for h in mesa.highlights}
    assert len(shown) == len(sections)
    left_out = len(mesa.scorecard.sections) - len(sections)
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"{left_out} other sections say nothing on the rules" in text
    assert "Mesa officials shall require a judicial warrant" in text  # the model text
    assert "PURPOSE AND SCOPE" not in text


def test_packet_has_the_scorecard_asks_and_redline(mesa: PolicyMarkup, tmp_path: Path) -> None:
    path = write_docx(mesa, "packet", tmp_path / "packet.docx")
    document = docx.Document(str(path))
    assert "Mesa, AZ" in document.paragraphs[0].text
    table = document.tables[0]
    ids = [row.cells[0].text for row in table.rows[1:]]
    assert ids == [rule.id for rule in mesa.ruleset.rules]
    assert len(ids) == 10
    statuses = [row.cells[2].text for row in table.rows[1:]]
    assert statuses[0] == "✘ Conflicts with the rule"
    assert "✔ In place in writing" in statuses
    text = "\n".join(p.text for p in document.paragraphs)
    assert "The rules in plain words" in text
    assert "What we ask" in text
    for ask in mesa.asks:
        assert ask.model_text in text
    assert _edits(path) == _edits(write_docx(mesa, "redline", tmp_path / "redline.docx"))


def test_an_unknown_kind_names_the_valid_ones(mesa: PolicyMarkup, tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="annotated, redline, packet"):
        write_docx(mesa, "poster", tmp_path / "x.docx")  # type: ignore[arg-type]


def test_an_unwritable_path_is_a_report_error(mesa: PolicyMarkup, tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="Cannot write"):
        write_docx(mesa, "redline", tmp_path / "missing" / "x.docx")


@pytest.mark.slow
def test_a_630_page_manual_builds_in_well_under_a_second_each(
    shared_dir: Path, tmp_path: Path
) -> None:
    manual = shared_dir / "manuals" / "lisle-il-pd-policy-manual-2020.pdf"
    report = build_report(analyze(manual, jurisdiction="Lisle, IL"))
    for kind in KINDS:
        started = time.perf_counter()
        path = write_docx(report, kind, tmp_path / f"{kind}.docx")
        assert time.perf_counter() - started < 2.0, kind
        assert len(docx.Document(str(path)).paragraphs) < 1000


# -- LibreOffice opens each file and prints it --------------------------------------------------


def _soffice() -> str:
    found = shutil.which("soffice")
    if found:
        return found
    message = "LibreOffice is missing: apt-get install -y libreoffice-writer-nogui"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.mark.parametrize("kind", KINDS)
def test_libreoffice_prints_each_kind(kind: Kind, mesa: PolicyMarkup, tmp_path: Path) -> None:
    source = write_docx(mesa, kind, tmp_path / f"mesa-{kind}.docx")
    profile = (tmp_path / "profile").as_uri()
    command = [_soffice(), f"-env:UserInstallation={profile}", "--headless"]
    command += ["--convert-to", "pdf", "--outdir", str(tmp_path), str(source)]
    done = subprocess.run(command, capture_output=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    pdf_path = source.with_suffix(".pdf")
    pdf = pypdfium2.PdfDocument(str(pdf_path))
    try:
        text = _normal(" ".join(page.get_textpage().get_text_range() for page in pdf))
    finally:
        pdf.close()
    assert "Mesa officials shall require a judicial warrant" in text
    OUTPUT.mkdir(exist_ok=True)
    picture = OUTPUT / f"docx-{kind}"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf_path), str(picture)],
        check=True,
        timeout=60,
    )
