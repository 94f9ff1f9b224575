"""The one entry to the last stage: ``render(scorecard, format, kind)`` for every output.

The sample policy, scored for Mesa, AZ, is rendered in every format and kind
the registry knows, in English and Spanish, and each output is checked against
the layout that makes it and against what the CLI writes for the same request.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner

from freedomcities import analyze, render
from freedomcities.cli import cli
from freedomcities.compare import compare
from freedomcities.models import Scorecard
from freedomcities.render import COMPARE, renderer
from freedomcities.render.annotate import KINDS, build_report
from freedomcities.render.compare import comparison_html, comparison_text
from freedomcities.render.html import render_html
from freedomcities.render.jsonout import render_json
from freedomcities.render.outputs import RENDERERS
from freedomcities.render.report_html import report_html
from freedomcities.render.terminal import render_text
from freedomcities.rules import load_ruleset
from freedomcities.score import in_language

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "freedomcities" / "samples" / "sample-city-pd-immigration-policy.txt"
PLACE = "Mesa, AZ"
LANGUAGES = ("en", "es")


@pytest.fixture(scope="module")
def sample() -> Scorecard:
    """The bundled sample policy, scored for Mesa, AZ."""
    return analyze(SAMPLE, jurisdiction=PLACE)


def test_the_registry_names_every_output() -> None:
    assert sorted(RENDERERS[None]) == ["html", "json", "text"]
    for kind in KINDS:
        assert sorted(RENDERERS[kind]) == ["docx", "html", "pdf"]
    assert sorted(RENDERERS[COMPARE]) == ["html", "json", "text"]


def test_an_unknown_kind_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="No report kind named 'poster'; valid: None, annotated"):
        renderer("html", "poster")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_scorecard_renders_as_its_layouts_do(sample: Scorecard, language: str) -> None:
    rules = load_ruleset("freedom-cities", language)
    shown = in_language(sample, rules)
    assert render(sample, "text", ruleset=rules) == render_text(shown, language=language)
    assert render(sample, "json", ruleset=rules) == render_json(sample)
    assert render(sample, "html", ruleset=rules) == render_html(shown, language=language)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_each_report_renders_as_its_layout_does(
    sample: Scorecard, kind: str, language: str
) -> None:
    rules = load_ruleset("freedom-cities", language)
    expected = report_html(build_report(sample, rules), kind)  # type: ignore[arg-type]
    assert render(sample, "html", kind, ruleset=rules) == expected


@pytest.mark.parametrize("kind", KINDS)
def test_each_report_renders_as_a_word_file(sample: Scorecard, kind: str) -> None:
    made = render(sample, "docx", kind)
    assert isinstance(made, bytes)
    body = zipfile.ZipFile(io.BytesIO(made)).read("word/document.xml").decode("utf-8")
    assert PLACE in body


def test_the_packet_renders_as_a_pdf(sample: Scorecard) -> None:
    pytest.importorskip("weasyprint")
    made = render(sample, "pdf", "packet")
    assert isinstance(made, bytes) and made.startswith(b"%PDF-")
    first = pdfium.PdfDocument(made)[0].get_textpage().get_text_range()
    assert "Meeting packet for Mesa, AZ" in " ".join(first.split())


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_comparison_renders_as_its_layouts_do(sample: Scorecard, language: str) -> None:
    rules = load_ruleset("freedom-cities", language)
    comparison = compare(sample, sample)
    text = render(comparison, "text", COMPARE, ruleset=rules)
    assert text == comparison_text(comparison, language=language)
    page = render(comparison, "html", COMPARE, ruleset=rules)
    assert page == comparison_html(comparison, language=language)
    assert '"moves": []' in str(render(comparison, "json", COMPARE))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("command", "fmt", "kind"),
    [
        ("analyze", "text", None),
        ("analyze", "html", None),
        ("analyze", "json", None),
        *(("report", "html", kind) for kind in KINDS),
    ],
)
def test_the_cli_writes_what_the_registry_renders(
    sample: Scorecard, tmp_path: Path, command: str, fmt: str, kind: str | None, language: str
) -> None:
    out = tmp_path / f"out.{fmt}"
    extra = ["--kind", kind] if kind else []
    args = [command, str(SAMPLE), "-j", PLACE, "-f", fmt, "-l", language, "-o", str(out)]
    result = CliRunner().invoke(cli, [*args, *extra])
    assert result.exit_code == 0, result.output
    made = render(sample, fmt, kind, ruleset=load_ruleset("freedom-cities", language))
    assert out.read_text(encoding="utf-8") == made + ("\n" if fmt == "json" else "")
