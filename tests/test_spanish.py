"""Spanish outside the web app: the ruleset translation, the report words, the packet, the CLI.

Real parts throughout: the shipped translation file, the bundled sample policy
scored for Mesa, AZ, a Word file read back with python-docx and a PDF printed by
WeasyPrint, read back with pypdfium2 and rendered to ``tests/output/`` as PNG.
"""

from __future__ import annotations

import re
import shutil
import string
import subprocess
from pathlib import Path

import docx
import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner

from freedomcities import analyze
from freedomcities.cli import cli
from freedomcities.errors import RulesetError
from freedomcities.render import LABELS
from freedomcities.render.annotate import PolicyMarkup, build_report
from freedomcities.render.report_html import report_html
from freedomcities.render.reports import write_report
from freedomcities.rules import available_rulesets, load_ruleset, ruleset_languages
from freedomcities.web.campaign.language import check_language

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "freedomcities" / "samples" / "sample-city-pd-immigration-policy.pdf"
OUTPUT = Path(__file__).resolve().parent / "output"


@pytest.fixture(scope="module")
def spanish_packet() -> PolicyMarkup:
    """The bundled sample policy, scored for Mesa, AZ, reported in Spanish."""
    scorecard = analyze(SAMPLE, jurisdiction="Mesa, AZ")
    return build_report(scorecard, load_ruleset("freedom-cities", "es"))


# The ruleset -------------------------------------------------------------------------------


def test_the_rules_come_in_spanish_with_the_place_filled_in() -> None:
    english, spanish = load_ruleset(), load_ruleset("freedom-cities", "es")
    assert ruleset_languages() == ["en", "es"]
    assert available_rulesets() == ["freedom-cities"]  # a translation is not a ruleset
    assert [r.id for r in spanish.rules] == [r.id for r in english.rules]
    assert spanish.rule("1").name == "Regla de la orden judicial"
    assert spanish.rule("5").name == "Regla de no preguntar"
    text = spanish.rule("1").model_text("Mesa", "AZ")
    assert text.startswith("Los funcionarios de Mesa exigirán una orden judicial")
    for rule in spanish.rules:
        assert "[Condado/Ciudad/Estado]" not in rule.model_text("Mesa", "AZ")
        assert rule.text != english.rule(rule.id).text
        assert rule.cues == english.rule(rule.id).cues  # the cues read English policies


def test_arizona_gets_rule_5_with_including_in_spanish_too() -> None:
    rule = load_ruleset("freedom-cities", "es").rule("5")
    arizona, elsewhere = rule.model_text("Tucson", "AZ"), rule.model_text("Denver", "CO")
    assert "lo exija, incluso para verificar" in arizona
    assert "incluso" not in elsewhere


def test_a_language_without_a_translation_names_the_ones_there_are() -> None:
    with pytest.raises(RulesetError, match=r"no 'fr' translation; its languages are: en, es"):
        load_ruleset("freedom-cities", "fr")


def test_an_incomplete_translation_names_what_is_missing(tmp_path: Path) -> None:
    shipped = ROOT / "freedomcities" / "rules"
    shutil.copy(shipped / "freedom-cities.toml", tmp_path / "mine.toml")
    text = (shipped / "freedom-cities.es.toml").read_text(encoding="utf-8")
    text = text.replace('translates = "freedom-cities"', 'translates = "freedom-cities"', 1)
    without_rule_7 = re.sub(r"\[rules\.7\]\n(?:.+\n)+", "", text)
    (tmp_path / "mine.es.toml").write_text(without_rule_7, encoding="utf-8")
    with pytest.raises(RulesetError, match=r"mine\.es\.toml, rule '7': missing"):
        load_ruleset(tmp_path / "mine.toml", "es")
    no_variant = text.replace("[rules.5.variants]", "[rules.5.elsewhere]")
    (tmp_path / "mine.es.toml").write_text(no_variant, encoding="utf-8")
    with pytest.raises(RulesetError, match=r"rule '5': 'variants' must translate .*\(AZ\)"):
        load_ruleset(tmp_path / "mine.toml", "es")


def test_every_spanish_label_matches_an_english_one_with_the_same_blanks() -> None:
    english, spanish = LABELS["en"], LABELS["es"]
    assert sorted(spanish) == sorted(english)
    for key, words in english.items():
        assert _blanks(spanish[key]) == _blanks(words), key


def _blanks(words: str) -> set[str]:
    """The ``{names}`` a label is formatted with (``{+like this+}`` is literal text)."""
    return {
        name for _, name, _, _ in string.Formatter().parse(words) if name and name.isidentifier()
    }


# The language check ------------------------------------------------------------------------

SPANISH_WORDING = [
    ("Los ilegales no deben tener miedo de llamar a la policía.", ["Los ilegales"]),
    ("La policía entrega extranjeros ilegales a ICE.", ["extranjeros ilegales"]),
    ("Hablan de inmigrantes ilegales en la radio.", ["inmigrantes ilegales"]),
    ("Dijo que un ilegal le robó.", ["un ilegal"]),
    ("El sheriff persigue a los criminales extranjeros.", ["criminales extranjeros"]),
    ("Detuvieron a trabajadores ilegales en la obra.", ["trabajadores ilegales"]),
    # things, not people, may be illegal
    ("Los arrestos ilegales costaron dinero al condado.", []),
    ("La detención ilegal de una persona viola sus derechos.", []),
    ("Las personas indocumentadas y los inmigrantes son vecinos.", []),
    ("Mi vecino es extranjero y trabaja aquí.", []),
]


@pytest.mark.parametrize(("text", "phrases"), SPANISH_WORDING)
def test_the_language_check_reads_spanish(text: str, phrases: list[str]) -> None:
    flags = check_language(text, ruleset=load_ruleset("freedom-cities", "es"))
    assert [flag.phrase for flag in flags] == phrases
    for flag in flags:
        assert "personas indocumentadas" in flag.suggestion


def test_english_words_in_a_spanish_reader_get_the_spanish_suggestion() -> None:
    flags = check_language("Illegal aliens", ruleset=load_ruleset("freedom-cities", "es"))
    assert [flag.phrase for flag in flags] == ["Illegal aliens"]
    assert flags[0].suggestion.startswith('Diga "personas indocumentadas"')


# The meeting packet ------------------------------------------------------------------------


def test_the_spanish_packet_page_has_spanish_words_rules_and_model_text(
    spanish_packet: PolicyMarkup,
) -> None:
    html = report_html(spanish_packet, "packet")
    assert '<html lang="es">' in html
    for words in ("Carpeta para la reunión", "Lo que pedimos", "Regla de no preguntar"):
        assert words in html
    assert "Los funcionarios de Mesa no preguntarán" in html
    for english in ("Meeting packet", "What we ask", "Don&#x27;t Ask Rule", "In place"):
        assert english not in html


def test_the_spanish_packet_in_word_has_accents_and_spanish_headings(
    spanish_packet: PolicyMarkup, tmp_path: Path
) -> None:
    path = write_report(spanish_packet, tmp_path / "carpeta.docx", format="docx", kind="packet")
    document = docx.Document(str(path))
    text = "\n".join(p.text for p in document.paragraphs)
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Regla 6 — Regla de protección de la privacidad" in headings
    assert "Lo que pedimos" in headings
    assert "Los funcionarios de Mesa exigirán una orden judicial" in text
    assert document.core_properties.language == "es"


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils (pdftoppm)")
def test_the_spanish_packet_prints_with_its_accents(
    spanish_packet: PolicyMarkup, tmp_path: Path
) -> None:
    pytest.importorskip("weasyprint")
    path = write_report(spanish_packet, tmp_path / "carpeta.pdf", format="pdf", kind="packet")
    pdf = pdfium.PdfDocument(path)
    try:
        text = " ".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()
    text = re.sub(r"\s+", " ", text)
    for words in ("Carpeta para la reunión", "Regla de protección de la privacidad", "Página 1 de"):
        assert words in text
    OUTPUT.mkdir(exist_ok=True)
    png = OUTPUT / "packet-es"
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", path, png], check=True)
    assert png.with_suffix(".png").stat().st_size > 10_000


# The CLI ---------------------------------------------------------------------------------


def test_the_cli_lists_the_rules_in_spanish() -> None:
    result = CliRunner().invoke(cli, ["rules", "--language", "es", "-j", "Mesa, AZ"])
    assert result.exit_code == 0, result.output
    assert "Regla 9 · Regla de policía justa e imparcial" in result.output
    assert "Ningún funcionario de Mesa" in result.output


def test_the_cli_scores_in_spanish_and_keeps_json_for_programs(tmp_path: Path) -> None:
    runner = CliRunner()
    text = runner.invoke(cli, ["analyze", str(SAMPLE), "-j", "Mesa, AZ", "--language", "es"])
    assert text.exit_code == 0, text.output
    assert "Evaluación de Freedom Cities para Mesa, AZ" in text.output
    assert "Regla de la orden judicial" in text.output
    out = tmp_path / "s.json"
    as_json = runner.invoke(cli, ["analyze", str(SAMPLE), "-f", "json", "-l", "es", "-o", str(out)])
    assert as_json.exit_code == 0, as_json.output
    assert "Judicial Warrant Rule" in out.read_text(encoding="utf-8")


def test_the_cli_rejects_a_language_it_does_not_have() -> None:
    result = CliRunner().invoke(cli, ["rules", "--language", "fr"])
    assert result.exit_code == 2
    assert "'fr' is not one of 'en', 'es'" in result.output


def test_the_spanish_notes_carry_no_english_sentence_of_the_engine(
    spanish_packet: PolicyMarkup,
) -> None:
    notes = {h.note for h in spanish_packet.highlights}
    assert notes and notes <= {
        "Este pasaje cumple la regla.",
        "Este pasaje cumple la regla solo en parte.",
        "Este pasaje va en contra de la regla.",
    }
    reasons = {c.reason for c in spanish_packet.changes}
    assert reasons <= {
        "Este pasaje no llega a lo que pide la regla: reemplácelo con el texto modelo.",
        "La política no menciona esta regla.",
    }
    html = report_html(spanish_packet, "annotated")  # the policy's own words stay English
    assert "Este pasaje va en contra de la regla." in html
    assert not re.search(r"Forbids|Allows|Promised, not yet adopted|covers only part", html)
