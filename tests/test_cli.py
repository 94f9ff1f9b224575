"""The ``freedomcities`` command, driven in-process with click's CliRunner on real policy texts."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from documents import make_scanned_pdf
from test_render import assert_json_contract

from freedomcities import cli as cli_module
from freedomcities import console
from freedomcities.cli import cli

SMALL = "east-haven-ct-pd-428-2"  # a real two-page policy excerpt, read in place
DETAINER = "texas-sb4-2017-detainer-provisions"


def run(*args: str) -> Result:
    """Run the command and check it never shows a traceback."""
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


@pytest.fixture
def corpus(shared_dir: Path) -> Path:
    return shared_dir / "corpus"


# ---- help -----------------------------------------------------------------------------------


def _commands() -> list[str]:
    return sorted(cli.commands)


def test_group_help_lists_every_command() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for name in ("analyze", "eval", "rules"):
        assert name in result.output


@pytest.mark.parametrize("name", _commands())
def test_every_command_and_option_has_help(name: str) -> None:
    command = cli.commands[name]
    assert (command.help or "").strip()
    for param in command.params:
        if isinstance(param, click.Option):
            assert (param.help or "").strip(), f"{name} {param.opts[0]}"
    result = run(name, "--help")
    assert result.exit_code == 0
    assert "Usage: " in result.output


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert "freedomcities" in result.output


# ---- analyze --------------------------------------------------------------------------------


def test_analyze_prints_a_text_report(corpus: Path) -> None:
    result = run("analyze", str(corpus / f"{SMALL}.txt"), "--jurisdiction", "East Haven, CT")
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())  # undo the wrapping at 80 columns
    for expected in (
        "Freedom Cities scorecard for East Haven, CT",
        f"{SMALL}.txt",
        "Pages",
        "Sections",
        "Pages read by OCR",
        "rules in place in writing",
        "Judicial Warrant Rule",
        "1373 Rule",
        "What the document says",
        "Model text to adopt",
        "East Haven officials shall",  # the model text, filled in
        "Language to change",
    ):
        assert expected in out, expected
    assert "[County/City/State]" not in out
    assert any(word in out for word in ("Not addressed", "Partly in place", "In place in writing"))
    assert result.stderr == ""  # no progress bar when stderr is not a terminal


def test_analyze_json_is_the_contract_and_nothing_else(corpus: Path) -> None:
    result = run("analyze", str(corpus / f"{DETAINER}.txt"), "--format", "json", "-j", "Austin, TX")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert_json_contract(data)
    assert data["jurisdiction"] == "Austin, TX"
    assert data["document"]["source"].endswith(f"{DETAINER}.txt")


def test_analyze_html_to_a_file(corpus: Path, tmp_path: Path) -> None:
    output = tmp_path / "card.html"
    result = run(
        "analyze", str(corpus / f"{SMALL}.txt"), "-f", "html", "-o", str(output), "-j", "East Haven"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    page = output.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "Freedom Cities scorecard for East Haven" in page
    assert "<script" not in page


def test_analyze_text_to_a_file_has_no_colour_codes(corpus: Path, tmp_path: Path) -> None:
    output = tmp_path / "report.txt"
    result = run("analyze", str(corpus / f"{SMALL}.txt"), "--output", str(output))
    assert result.exit_code == 0, result.output
    report = output.read_text(encoding="utf-8")
    assert "Judicial Warrant Rule" in report and "\x1b[" not in report


def test_analyze_several_paths_gives_a_json_array(corpus: Path, tmp_path: Path) -> None:
    bad = tmp_path / "picture.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    result = run(
        "analyze",
        str(corpus / f"{SMALL}.txt"),
        str(corpus / f"{DETAINER}.txt"),
        str(bad),
        "--format",
        "json",
    )
    assert result.exit_code == 1  # one file failed; the others are still reported
    data = json.loads(result.stdout)
    assert len(data) == 3
    assert_json_contract(data[0])
    assert_json_contract(data[1])
    assert data[2]["source"] == str(bad)
    assert set(data[2]) == {"source", "error"} and "picture.png" in data[2]["error"]
    assert result.stderr.startswith("Error: ")


def test_analyze_a_folder_in_parallel(corpus: Path, tmp_path: Path) -> None:
    folder = tmp_path / "policies"
    folder.mkdir()
    for slug in (SMALL, DETAINER):
        shutil.copy(corpus / f"{slug}.txt", folder)
    (folder / "notes.json").write_text("{}", encoding="utf-8")  # not a document: skipped
    result = run("analyze", str(folder), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [Path(d["document"]["source"]).name for d in data] == sorted(
        [f"{SMALL}.txt", f"{DETAINER}.txt"]
    )
    for item in data:
        assert_json_contract(item)


def test_analyze_a_folder_as_text_and_html(corpus: Path, tmp_path: Path) -> None:
    folder = tmp_path / "policies"
    folder.mkdir()
    for slug in (SMALL, DETAINER):
        shutil.copy(corpus / f"{slug}.txt", folder)
    text = run("analyze", str(folder))
    assert text.exit_code == 0, text.output
    assert text.stdout.count("Freedom Cities scorecard") == 2
    pages = tmp_path / "pages"
    html = run("analyze", str(folder), "--format", "html", "--output", str(pages))
    assert html.exit_code == 0, html.output
    assert sorted(p.name for p in pages.iterdir()) == sorted([f"{SMALL}.html", f"{DETAINER}.html"])


def test_html_for_several_documents_needs_a_folder(corpus: Path) -> None:
    result = run(
        "analyze", str(corpus / f"{SMALL}.txt"), str(corpus / f"{DETAINER}.txt"), "-f", "html"
    )
    assert result.exit_code == 2
    assert "--output FOLDER" in result.stderr


# ---- rules ----------------------------------------------------------------------------------


def test_rules_lists_model_text_filled_in() -> None:
    result = run("rules", "--jurisdiction", "Mesa, AZ")
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())  # undo the wrapping at 80 columns
    assert "Rule 1 · Judicial Warrant Rule" in out
    assert "Rule 1373 · 1373 Rule (optional)" in out
    assert "Mesa officials shall require a judicial warrant" in out
    assert "required by state or federal law including to verify" in out  # Arizona's Rule 5
    assert "[County/City/State]" not in out


def test_rules_without_jurisdiction_keeps_placeholders() -> None:
    result = run("rules")
    assert result.exit_code == 0
    assert "[County/City/State] officials shall require" in " ".join(result.stdout.split())


# ---- errors ---------------------------------------------------------------------------------


def _assert_one_line_error(result: Result, code: int = 1) -> None:
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.output


def test_missing_file(tmp_path: Path) -> None:
    result = run("analyze", str(tmp_path / "nope.pdf"))
    _assert_one_line_error(result)
    assert "nope.pdf" in result.stderr


def test_unsupported_file(tmp_path: Path) -> None:
    picture = tmp_path / "scan.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    result = run("analyze", str(picture))
    _assert_one_line_error(result)
    assert "scan.png" in result.stderr


def test_empty_folder(tmp_path: Path) -> None:
    _assert_one_line_error(run("analyze", str(tmp_path)))


@pytest.mark.parametrize("command", ["analyze", "rules"])
def test_bad_ruleset_path(command: str, tmp_path: Path, corpus: Path) -> None:
    args = [str(corpus / f"{SMALL}.txt")] if command == "analyze" else []
    result = run(command, *args, "--ruleset", str(tmp_path / "missing.toml"))
    _assert_one_line_error(result)
    assert "missing.toml" in result.stderr


def test_broken_ruleset_file(tmp_path: Path) -> None:
    broken = tmp_path / "mine.toml"
    broken.write_text('id = "mine"\nversion = [', encoding="utf-8")
    result = run("rules", "--ruleset", str(broken))
    _assert_one_line_error(result)
    assert "mine.toml" in result.stderr


def test_unknown_ruleset_name() -> None:
    result = run("rules", "--ruleset", "no-such-rules")
    _assert_one_line_error(result)
    assert "freedom-cities" in result.stderr  # names the shipped ones


def test_unwritable_output(corpus: Path, tmp_path: Path) -> None:
    result = run("analyze", str(corpus / f"{SMALL}.txt"), "-o", str(tmp_path / "no" / "x.txt"))
    _assert_one_line_error(result)


def test_usage_error_exits_2() -> None:
    result = run("analyze", "x.pdf", "--format", "docx")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_ctrl_c_exits_130_quietly(monkeypatch: pytest.MonkeyPatch, corpus: Path) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_module, "analyze_cached", interrupted)
    result = run("analyze", str(corpus / f"{SMALL}.txt"))
    assert result.exit_code == 130
    assert result.output == ""


def test_progress_bar_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    with console.PageProgress("Reading") as progress:
        progress(10, 600)  # stderr is not a terminal under pytest
        assert progress._progress is None
    monkeypatch.setattr(console, "stderr_is_terminal", lambda: True)
    with console.PageProgress("Reading") as progress:
        progress(3, 5)  # too short to bother
        assert progress._progress is None
        progress(10, 600)
        assert progress._progress is not None
        progress(600, 600)


def test_a_folder_with_an_unreadable_subfolder_still_analyses_the_rest(
    shared_dir: Path, tmp_path: Path
) -> None:
    (tmp_path / "policies").mkdir()
    source = shared_dir / "corpus" / "east-haven-ct-pd-428-2.txt"
    (tmp_path / "policies" / "east-haven.txt").write_bytes(source.read_bytes())
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        result = CliRunner().invoke(cli, ["analyze", str(tmp_path), "--format", "json"])
    finally:
        locked.chmod(0o700)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "east-haven.txt" in result.output


def test_a_folder_with_hostile_files_reports_every_file_good_or_bad(tmp_path: Path) -> None:
    from tests import hostile

    folder = tmp_path / "policies"
    folder.mkdir()
    sample = Path(cli_module.__file__).parent / "samples" / "sample-city-pd-immigration-policy.txt"
    shutil.copy(sample, folder / "a-good.txt")
    hostile.docx_with_compression(folder / "b-deflate64.docx", 9)
    hostile.pdf_stream_bomb(folder / "c-bomb.pdf")
    hostile.docx_deep_xml(folder / "d-deep.docx")

    result = run("analyze", str(folder), "--format", "json")

    assert result.exit_code == 1  # some files failed; every one is still reported
    data = json.loads(result.stdout)
    assert [
        Path(item["source"] if "error" in item else item["document"]["source"]).name
        for item in data
    ] == ["a-good.txt", "b-deflate64.docx", "c-bomb.pdf", "d-deep.docx"]
    assert_json_contract(data[0])
    assert "zip compression (method 9)" in data[1]["error"]
    assert "FREEDOMCITIES_MAX_STREAM_MB" in data[2]["error"]
    assert "XML nested deeper than 256 levels" in data[3]["error"]
    assert "Traceback" not in result.output
    assert result.stderr.count("Error: ") == 3


def test_analyze_reads_scans_with_the_chosen_ocr_engine(tmp_path: Path) -> None:
    pytest.importorskip("tesserocr")
    scan = make_scanned_pdf(
        "Officers shall not ask any person about their immigration status.", tmp_path / "s.pdf"
    )
    for engine in ("tesseract", "tesserocr"):
        result = CliRunner().invoke(cli, ["analyze", str(scan), "--ocr", engine, "-f", "json"])
        assert result.exit_code == 0, result.output
        document = json.loads(result.output)["document"]
        assert document["ocr_pages"] == 1 and document["pages"] == 1


@pytest.mark.parametrize(
    "command",
    [["analyze", "policy.pdf"], ["sweep", "agencies.csv"], ["worker"]],
    ids=["analyze", "sweep", "worker"],
)
def test_choosing_tesserocr_without_the_extra_says_how_to_install_it(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "tesserocr", None)  # as if it were not installed
    monkeypatch.chdir(tmp_path)
    (tmp_path / "agencies.csv").write_text(
        "name,ocd_id,path\nMesa Police Department,ocd-division/country:us/state:az/place:mesa,"
        "policy.pdf\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, [*command, "--ocr", "tesserocr"])
    assert result.exit_code == 1, result.output
    assert "Error: The OCR engine tesserocr is not installed here" in result.output
    assert "pip install 'freedomcities[fast-ocr]'" in result.output
    assert "Traceback" not in result.output
