"""Evaluating the engine against a labelled corpus: loading, comparing quotes, the figures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from freedomcities.cli import cli
from freedomcities.errors import CorpusError
from freedomcities.evaluate import (
    DocumentOutcome,
    Evaluation,
    NormalisedText,
    RuleOutcome,
    evaluate,
    load_corpus,
    read_labelled_text,
)
from freedomcities.models import STATUSES, Finding, Status

PAIR = ("east-haven-ct-pd-428-2", "texas-sb4-2017-detainer-provisions")


@pytest.fixture
def tiny_corpus(shared_dir: Path, tmp_path: Path) -> Path:
    """Two real labelled documents copied from the shared corpus."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    for slug in PAIR:
        for suffix in (".txt", ".json"):
            shutil.copy(shared_dir / "corpus" / f"{slug}{suffix}", folder)
    return folder


def _write_entry(folder: Path, slug: str, labels: Any, text: str = "---\nSome policy.\n") -> None:
    (folder / f"{slug}.json").write_text(json.dumps(labels), encoding="utf-8")
    (folder / f"{slug}.txt").write_text(text, encoding="utf-8")


# ---- reading a corpus -----------------------------------------------------------------------


def test_load_corpus_reads_labels_and_jurisdiction(tiny_corpus: Path) -> None:
    corpus = load_corpus(tiny_corpus)
    assert [e.slug for e in corpus] == list(PAIR)
    east_haven = corpus[0]
    assert east_haven.jurisdiction == "East Haven, CT"
    assert east_haven.path.suffix == ".txt"
    assert [label.rule_id for label in east_haven.labels] == [*"123456789", "1373"]
    assert {label.rule_id: label.status for label in east_haven.labels}["5"] == "partial"
    assert corpus[1].flags and corpus[1].flags[0][0] == "detainer"


def test_only_and_exclude_pick_documents(tiny_corpus: Path) -> None:
    assert [e.slug for e in load_corpus(tiny_corpus, only=[PAIR[1]])] == [PAIR[1]]
    assert [e.slug for e in load_corpus(tiny_corpus, exclude=[PAIR[1]])] == [PAIR[0]]
    with pytest.raises(CorpusError, match=f"no-such-slug.*{PAIR[0]}"):
        load_corpus(tiny_corpus, only=["no-such-slug"])
    with pytest.raises(CorpusError, match="leave no documents"):
        load_corpus(tiny_corpus, exclude=list(PAIR))


def test_labelled_text_is_only_what_follows_the_header(tiny_corpus: Path) -> None:
    document = read_labelled_text(tiny_corpus / f"{PAIR[0]}.txt")
    assert not document.text.startswith("SOURCE:")
    assert "JURISDICTION:" not in document.text
    assert document.text.startswith("East Haven")
    labels = json.loads((tiny_corpus / f"{PAIR[0]}.json").read_text(encoding="utf-8"))
    assert labels["rules"]["5"]["quote"] in document.text  # expert quotes are exact substrings


def test_empty_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="No label files"):
        load_corpus(tmp_path)


def test_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "nowhere")


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        ({"rules": {"1": {"status": "maybe", "quote": ""}}}, r"broken\.json, rule '1': 'status'"),
        ({"rules": {"1": {"status": "meets", "quote": 3}}}, r"broken\.json, rule '1': 'quote'"),
        ({"rules": {}}, r"broken\.json: needs a 'rules' object"),
        ([], r"broken\.json: needs a 'rules' object"),
        ({"jurisdiction": 5, "rules": {"1": {"status": "silent"}}}, r"'jurisdiction'"),
        ({"rules": {"1": {"status": "silent"}}, "flags": [{"kind": 1}]}, r"'flags'"),
    ],
)
def test_broken_label_values_name_the_file(tmp_path: Path, labels: Any, message: str) -> None:
    _write_entry(tmp_path, "broken", labels)
    with pytest.raises(CorpusError, match=message):
        load_corpus(tmp_path)


def test_broken_json_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text('{"rules": {', encoding="utf-8")
    (tmp_path / "bad.txt").write_text("---\ntext\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"bad\.json is not valid JSON"):
        load_corpus(tmp_path)


def test_label_without_text_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "lonely.json").write_text('{"rules": {"1": {"status": "silent"}}}', "utf-8")
    with pytest.raises(CorpusError, match=r"lonely\.json has no text.*lonely\.txt.*lonely\.pdf"):
        load_corpus(tmp_path)


def test_text_without_header_line_is_an_error(tmp_path: Path) -> None:
    _write_entry(tmp_path, "nohead", {"rules": {"1": {"status": "silent"}}}, "just text\n")
    with pytest.raises(CorpusError, match=r"nohead\.txt has no '---' line"):
        load_corpus(tmp_path)


# ---- comparing quotes -----------------------------------------------------------------------

DOC = "shall not\n  routinely inquire into the specific\nimmigration status of any person"


def _finding(quote: str, start: int = -1, end: int = -1) -> Finding:
    return Finding("5", "partial", 0.8, quote, start, end, 1, None, None, "")


@pytest.mark.parametrize(
    ("expert", "engine", "with_offsets", "overlaps"),
    [
        ("routinely inquire into the specific immigration", "routinely inquire", False, True),
        ("routinely inquire", "shall not\n  routinely inquire into", True, True),  # contains
        ("shall not routinely inquire", "inquire into the specific", True, True),  # spans cross
        ("shall not routinely inquire", "inquire into the specific", False, True),  # found by text
        (
            "routinely  inquire into the\nspecific",
            "routinely inquire into the specific",
            False,
            True,
        ),
        ("shall not routinely", "status of any person", True, False),
        ("shall not routinely", "status of any person", False, False),
        ("", "status of any person", False, False),  # a silent label has no quote to back
    ],
)
def test_quotes_overlap_with_whitespace_normalised(
    expert: str, engine: str, with_offsets: bool, overlaps: bool
) -> None:
    start = DOC.find(engine) if with_offsets else -1
    finding = _finding(engine, start, start + len(engine) if with_offsets else -1)
    assert NormalisedText(DOC).overlaps(expert, finding) is overlaps


def test_normalised_offsets_map_back() -> None:
    text = NormalisedText("a \n\n b  c")
    assert text.text == "a b c"
    assert text.offsets[5] == 2 and text.offsets[8] == 4 and text.offsets[-1] == 5


# ---- the figures ----------------------------------------------------------------------------


def _outcome(rule: str, expert: Status, engine: Status, evidence: bool = False) -> RuleOutcome:
    return RuleOutcome("doc", rule, expert, engine, evidence)


def test_figures_from_known_outcomes() -> None:
    outcomes = (
        _outcome("1", "conflicts", "conflicts", True),
        _outcome("2", "conflicts", "partial", True),
        _outcome("3", "meets", "meets", False),
        _outcome("4", "silent", "silent"),
        _outcome("5", "partial", "silent"),
    )
    evaluation = Evaluation(
        (DocumentOutcome("doc", outcomes, 2, 1), DocumentOutcome("bad", (), error="broken"))
    )
    assert evaluation.accuracy == 3 / 5
    assert evaluation.rule_accuracy == {"1": 1.0, "2": 0.0, "3": 1.0, "4": 1.0, "5": 0.0}
    assert evaluation.conflict_recall == 1 / 2
    assert evaluation.status_match == 2 / 4
    assert evaluation.evidence_match == 2 / 4
    assert evaluation.flag_recall == 1 / 2
    assert evaluation.confusion[("conflicts", "partial")] == 1
    assert sum(evaluation.confusion.values()) == 5
    assert [(o.rule_id, o.expert, o.engine) for o in evaluation.mismatches] == [
        ("2", "conflicts", "partial"),
        ("5", "partial", "silent"),
    ]
    assert [d.slug for d in evaluation.errors] == ["bad"]


def test_figures_without_labels_are_none() -> None:
    evaluation = Evaluation(())
    assert evaluation.accuracy is None and evaluation.conflict_recall is None
    assert evaluation.flag_recall is None


def test_evaluate_a_tiny_corpus(tiny_corpus: Path) -> None:
    evaluation = evaluate(tiny_corpus, workers=1)
    assert len(evaluation.documents) == 2 and not evaluation.errors
    assert len(evaluation.outcomes) == 20
    for share in (evaluation.accuracy, evaluation.status_match, evaluation.evidence_match):
        assert share is not None and 0.0 <= share <= 1.0
    assert evaluation.conflict_recall is not None  # Texas SB4 holds expert conflicts


# ---- the eval command -----------------------------------------------------------------------


def test_eval_command_prints_the_figures(tiny_corpus: Path) -> None:
    result = CliRunner().invoke(cli, ["eval", str(tiny_corpus)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    for expected in (
        "Evaluation on 2 of 2 documents, 20 rule labels",
        "Accuracy, all rules",
        "Expert's non-silent statuses matched exactly",
        "Expert's findings backed by an overlapping quote",
        "Conflict recall",
        "Accuracy per rule",
        "expert \\ engine",
        *STATUSES,
    ):
        assert expected in out, expected
    assert "%" in out


def test_eval_command_json(tiny_corpus: Path) -> None:
    result = CliRunner().invoke(cli, ["eval", str(tiny_corpus), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["documents"] == 2 and data["labels"] == 20
    for key in ("accuracy", "status_match", "evidence_match", "conflict_recall"):
        assert isinstance(data[key], float) and 0.0 <= data[key] <= 1.0, key
    assert set(data["confusion"]) == set(STATUSES)
    assert sum(sum(row.values()) for row in data["confusion"].values()) == 20
    assert set(data["rule_accuracy"]) == {*"123456789", "1373"}
    for row in data["mismatches"]:
        assert set(row) == {"slug", "rule", "expert", "engine"}
        assert row["slug"] in PAIR and row["expert"] != row["engine"]


def test_eval_command_only(tiny_corpus: Path) -> None:
    result = CliRunner().invoke(
        cli, ["eval", str(tiny_corpus), "--only", PAIR[0], "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["documents"] == 1


@pytest.mark.parametrize("make", ["empty", "broken"])
def test_eval_command_errors(tmp_path: Path, make: str) -> None:
    if make == "broken":
        (tmp_path / "x.json").write_text("{nope", encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.output
    if make == "broken":
        assert "x.json" in result.stderr


@pytest.mark.slow
def test_eval_on_a_whole_pdf_manual(shared_dir: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "eval",
            str(shared_dir / "manuals"),
            "--only",
            "lisle-il-pd-policy-manual-2020",
            "-f",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["documents"] == 1 and data["labels"] == 10 and not data["errors"]
    assert data["evidence_match"] is not None
