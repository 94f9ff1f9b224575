"""The learned judge: its features, its decisions, training it, and measuring it by place."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from freedomcities import analyze
from freedomcities.cli import cli
from freedomcities.errors import CorpusError, RulesetError
from freedomcities.judge import cue_stance
from freedomcities.learned import (
    LABELS,
    Judgement,
    LearnedJudge,
    Settings,
    cue_features,
    decide,
    load_judge,
    shipped_judge,
)
from freedomcities.models import Document, Finding
from freedomcities.passages import Passage
from freedomcities.rules import load_ruleset
from freedomcities.score import rule_results
from freedomcities.training import (
    cross_validate,
    example_documents,
    train,
    training_set,
    write_examples,
)
from freedomcities.tuning import Recipe

RULESET = load_ruleset()
# One pass is enough for the tests' few passages, and keeps each training near half a minute.
QUICK = Recipe(epochs=1)

# Written here for these tests: two places, each with a protective and a cooperating policy.
POLICIES = {
    "springfield-protective": (
        "Springfield, IL",
        "The Department shall not hold any person in custody at the request of ICE unless a "
        "judge has signed a warrant for that person.\n\nOfficers shall not ask any person "
        "about immigration status.\n",
        {
            "1": ("meets", "shall not hold any person in custody at the request of ICE"),
            "5": ("meets", "Officers shall not ask any person about immigration status."),
        },
    ),
    "springfield-cooperating": (
        "Springfield, IL",
        "The jail will hold every inmate named in an ICE detainer for up to 48 hours after "
        "release.\n\nOfficers shall ask every person they arrest about his or her immigration "
        "status.\n",
        {
            "1": ("conflicts", "will hold every inmate named in an ICE detainer"),
            "5": (
                "conflicts",
                "shall ask every person they arrest about his or her immigration status",
            ),
        },
    ),
    "shelbyville-protective": (
        "Shelbyville, IN",
        "Jail staff will not keep anyone past release for federal immigration agents without "
        "a judicial warrant.\n\nNo member may inquire into the immigration status of a victim "
        "or witness.\n",
        {
            "1": ("meets", "will not keep anyone past release for federal immigration agents"),
            "5": ("partial", "No member may inquire into the immigration status of a victim"),
        },
    ),
    "shelbyville-cooperating": (
        "Shelbyville, IN",
        "Deputies shall detain any inmate for ICE when an immigration detainer is received.\n\n"
        "Booking staff must record the citizenship status of every arrestee and send it to "
        "ICE.\n",
        {
            "1": ("conflicts", "shall detain any inmate for ICE when an immigration detainer"),
            "5": ("conflicts", "must record the citizenship status of every arrestee"),
        },
    ),
}


def _write_corpus(folder: Path) -> Path:
    """A small labelled corpus in the shared corpus format."""
    folder.mkdir(parents=True, exist_ok=True)
    for slug, (place, text, labels) in POLICIES.items():
        (folder / f"{slug}.txt").write_text(
            f"SOURCE: written for tests\nJURISDICTION: {place}\n---\n{text}", encoding="utf-8"
        )
        rules = {
            rule.id: {"status": "silent", "quote": "", "why": "", "evidence": []}
            for rule in RULESET.rules
        }
        for rule_id, (status, quote) in labels.items():
            evidence = [{"quote": quote, "stance": status}]
            rules[rule_id] = {"status": status, "quote": quote, "why": "", "evidence": evidence}
        label = {"slug": slug, "jurisdiction": place, "rules": rules, "flags": []}
        (folder / f"{slug}.json").write_text(json.dumps(label), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write_corpus(tmp_path_factory.mktemp("corpus"))


def test_a_rule_with_context_words_reads_only_passages_that_hold_one() -> None:
    """Rule 7's topic words ("video", "camera") fill any manual; its context narrows them."""
    texts = [
        "Officers shall activate body-worn video cameras during every traffic stop.",
        "No member shall use video cameras to monitor a mosque based on religion.",
    ]
    passages = [Passage(text, 0, len(text), None) for text in texts]
    on_subject = cue_features(passages, RULESET, ["7"], cue_stance)[0, :, 0]
    assert on_subject.tolist() == [0.0, 1.0]


def test_a_passage_becomes_a_finding_by_how_surely_it_bears_on_the_rule() -> None:
    settings = Settings(find={"meets": 0.5, "partial": 0.5, "conflicts": 0.6}, review=0.3)
    rows = np.array(
        [
            [0.9, 0.05, 0.03, 0.02],  # about something else
            [0.2, 0.3, 0.45, 0.05],  # bears on it (0.8), most likely partly
            [0.55, 0.05, 0.05, 0.35],  # near a conflict, not past its line
        ],
        dtype=np.float32,
    )
    assert decide(rows, settings) == [
        (1, "partial", pytest.approx(0.8), False),
        (2, "conflicts", pytest.approx(0.45), True),
    ]


def test_a_passage_off_a_rules_topic_words_opens_only_to_the_rule_it_most_bears_on() -> None:
    # Neither passage holds Rule 5's topic words. The first bears on Rule 5 most (0.9 against
    # Rule 6's 0.4): "shall not initiate any immigration status investigation". The second
    # bears on Rule 6 most, so Rule 5 stays closed to it however sure the reader is.
    probabilities = np.array(
        [
            [[0.1, 0.1, 0.75, 0.05], [0.2, 0.3, 0.4, 0.1]],  # Rule 5
            [[0.6, 0.3, 0.05, 0.05], [0.05, 0.9, 0.03, 0.02]],  # Rule 6
        ],
        dtype=np.float32,
    )
    topical = np.array([[False, False], [True, True]])
    judgement = Judgement(("5", "6"), probabilities, topical)
    none = [1.0, 0.0, 0.0, 0.0]
    assert judgement.of("5").tolist() == [none, none]
    opened = judgement.of("5", best_rule=0.3)
    assert opened[0].tolist() == pytest.approx(probabilities[0, 0].tolist())
    assert opened[1].tolist() == none
    assert judgement.of("5", best_rule=0.95).tolist() == [none, none]


def test_the_judges_settings_survive_saving(tmp_path: Path) -> None:
    settings = Settings(find={"meets": 0.2, "partial": 0.2, "conflicts": 0.2}, best_rule=0.3)
    LearnedJudge(b"model", ("5",), settings).save(tmp_path / "judge.npz")
    assert load_judge(tmp_path / "judge.npz").settings == settings


def test_a_tentative_finding_leaves_the_rule_silent_but_asks_for_review() -> None:
    near = Finding("5", "conflicts", 0.45, "q", 0, 1, 1, None, None, "why", tentative=True)
    result = next(r for r in rule_results([near], RULESET) if r.rule_id == "5")
    assert (result.status, result.needs_review, result.findings) == ("silent", True, ())
    sure = Finding("5", "conflicts", 0.9, "q", 0, 1, 1, None, None, "why")
    result = next(r for r in rule_results([sure], RULESET) if r.rule_id == "5")
    assert (result.status, result.needs_review) == ("conflicts", False)


def test_a_finding_past_its_judges_own_threshold_decides_however_low_its_chance() -> None:
    # A calibrated 0.3 that a passage conflicts is past the learned judge's bar: the rule is
    # scored from it, and marked for a person to look at first.
    low = Finding("5", "conflicts", 0.3, "q", 0, 1, 1, None, None, "why")
    result = next(r for r in rule_results([low], RULESET) if r.rule_id == "5")
    assert (result.status, result.confidence, result.needs_review) == ("conflicts", 0.3, True)


def test_training_is_reproducible_and_the_judge_reads_its_lessons(
    corpus: Path, tmp_path: Path
) -> None:
    documents = training_set(RULESET, [corpus])
    first = train(documents, RULESET, QUICK)
    second = train(training_set(RULESET, [corpus]), RULESET, QUICK)
    assert first.version == second.version
    first.save(tmp_path / "judge.npz")
    loaded = load_judge(tmp_path / "judge.npz")
    assert loaded.version == first.version
    text = "Officers shall ask every person they arrest about his or her immigration status."
    card = analyze(Document("t", text), model=loaded)
    assert card.judge_version == first.version
    passage = Passage(text, 0, len(text), None)
    row = loaded.judge([passage], RULESET, cue_stance).of("5")[0]
    assert row[LABELS.index("conflicts")] > row[LABELS.index("meets")]


def test_the_cue_judge_is_still_there_by_name() -> None:
    text = "Officers shall comply with all ICE detainers."
    card = analyze(Document("t", text), model="cues")
    assert card.judge_version == "cues"
    assert card.result("1").status == "conflicts"


def test_the_shipped_judge_reads_by_default_and_names_itself() -> None:
    judge = shipped_judge(RULESET.id)
    assert judge is not None, "freedomcities/rules/freedom-cities.judge.npz is missing"
    card = analyze(Document("t", "Deputies shall honor every ICE detainer."))
    assert card.judge_version == judge.version
    assert judge.about["documents"] > 100
    assert card.result("1").status == "conflicts"


def test_cross_validation_holds_out_every_document_of_a_place_together(corpus: Path) -> None:
    documents = training_set(RULESET, [corpus])
    result = cross_validate(documents, RULESET, QUICK, folds=2)
    folds = [set(f.slugs) for f in result.folds]
    assert sorted(len(f) for f in folds) == [2, 2]
    for fold in folds:
        places = {slug.split("-")[0] for slug in fold}
        assert len(places) == 1, f"a place is split across folds: {fold}"
    assert len(result.total.outcomes) == 4 * len(RULESET.rules)
    assert result.total.accuracy is not None


def test_exported_passages_round_trip_into_training(tmp_path: Path) -> None:
    path = tmp_path / "reviews.tsv"
    rows = [
        ("5", "conflicts", "Deputies ask\tevery arrestee's\ncountry of birth.", "Staff said so")
    ]
    assert write_examples(rows, path) == 1
    document = example_documents(path, RULESET, "reviews")
    assert document.passages[0].text == "Deputies ask every arrestee's country of birth."
    assert document.labels[[r.id for r in RULESET.rules].index("5"), 0] == LABELS.index("conflicts")
    assert path.read_text(encoding="utf-8").startswith("# Staff said so\n")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("5\tmaybe\tOfficers ask.", "line 1: expected a rule id"),
        ("42\tmeets\tOfficers ask.", "line 1: expected a rule id"),
        ("5\tmeets", "line 1: expected a rule id"),
    ],
)
def test_a_broken_passage_row_is_named_with_its_line(
    tmp_path: Path, row: str, message: str
) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text(row + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=message):
        training_set(RULESET, passages=[path])


def test_a_damaged_judge_file_says_how_to_rebuild_it(tmp_path: Path) -> None:
    path = tmp_path / "judge.npz"
    path.write_bytes(b"not a model")
    with pytest.raises(RulesetError, match="freedomcities train"):
        load_judge(path)


def test_train_and_crossval_commands(corpus: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    output = tmp_path / "judge.npz"
    result = runner.invoke(
        cli, ["train", "--corpus", str(corpus), "--epochs", "1", "--output", str(output)]
    )
    assert result.exit_code == 0, result.output
    assert "Trained learned-" in result.output and "peak memory" in result.output
    assert load_judge(output).about["documents"] == 4
    result = runner.invoke(
        cli, ["crossval", "--corpus", str(corpus), "--epochs", "1", "--folds", "2", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert len(figures["folds"]) == 2
    assert 0.0 <= figures["total"]["status_agreement"] <= 1.0
    result = runner.invoke(cli, ["crossval"])
    assert result.exit_code == 2 and "--corpus" in result.output
    result = runner.invoke(cli, ["train", "--passages", str(tmp_path / "missing.tsv")])
    assert result.exit_code == 1 and "Error: Cannot read missing.tsv" in result.output
