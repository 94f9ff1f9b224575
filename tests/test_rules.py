"""The shipped ruleset, the documented example, and the errors a ruleset author sees."""

from __future__ import annotations

from pathlib import Path

import pytest

from freedomcities.errors import RulesetError
from freedomcities.rules import EXAMPLE_LABELS, PLACEHOLDER, available_rulesets, load_ruleset

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "use-of-force.toml"

GOOD_RULE = """
[[rules]]
id = "{id}"
number = 1
name = "A rule"
category = "test"
text = "[County/City/State] officers shall not do the thing."
reason = "Because the thing hurts people."

[rules.cues]
topic = ['the thing']
"""
GOOD_HEAD = 'id = "test"\nversion = "1"\nname = "Test rules"\n'


def test_shipped_ruleset_has_the_nine_rules_and_1373() -> None:
    ruleset = load_ruleset()
    assert ruleset.id == "freedom-cities"
    assert [rule.id for rule in ruleset.rules] == [*map(str, range(1, 10)), "1373"]
    assert [rule.number for rule in ruleset.rules] == list(range(1, 11))
    assert ruleset.rule("1373").optional
    assert not any(rule.optional for rule in ruleset.rules[:9])


def test_shipped_ruleset_is_listed() -> None:
    assert "freedom-cities" in available_rulesets()


def test_rule_texts_carry_the_placeholder() -> None:
    for rule in load_ruleset().rules:
        if rule.id == "8":  # the Redress Rule names an oversight entity instead
            assert "[oversight entity]" in rule.text
        else:
            assert PLACEHOLDER in rule.text, rule.id


def test_every_rule_has_a_reason_and_a_topic() -> None:
    for rule in load_ruleset().rules:
        assert rule.reason, rule.id
        assert rule.cues.topic, rule.id


def test_rule_5_arizona_variant_says_including() -> None:
    rule = load_ruleset().rule("5")
    text = rule.model_text("Mesa", "AZ")
    assert "including" in text
    assert "Mesa" in text
    assert PLACEHOLDER not in text
    assert "including" not in rule.model_text()
    assert "including" not in rule.model_text("Portland", "OR")


def test_unknown_rule_id_names_the_valid_ones() -> None:
    with pytest.raises(RulesetError, match="its rules are 1, 2, 3"):
        load_ruleset().rule("42")


def test_documented_example_ruleset_loads() -> None:
    ruleset = load_ruleset(EXAMPLE)
    assert ruleset.id == "use-of-force"
    assert [rule.id for rule in ruleset.rules] == ["1", "2"]
    assert {example.label for example in ruleset.examples} == set(EXAMPLE_LABELS)
    assert "Oakland officers" in ruleset.rule("1").model_text("Oakland", "CA")
    assert ruleset.flags[0].kind == "vague-force-standard"


def test_documented_example_is_shown_in_full_in_the_docs() -> None:
    docs = (ROOT / "docs" / "rulesets.md").read_text(encoding="utf-8")
    assert EXAMPLE.read_text(encoding="utf-8").strip() in docs


BAD_RULESETS = [
    pytest.param("id = \n", None, r"bad\.toml is not valid TOML", id="invalid-toml"),
    pytest.param(
        'version = "1"\nname = "x"\n' + GOOD_RULE.format(id="1"),
        None,
        r"bad\.toml: 'id' is required",
        id="missing-ruleset-id",
    ),
    pytest.param(
        GOOD_HEAD + GOOD_RULE.format(id="1").replace('id = "1"\n', ""),
        None,
        r"bad\.toml, rule #1: 'id' is required",
        id="missing-rule-id",
    ),
    pytest.param(GOOD_HEAD, None, r"bad\.toml: needs at least one \[\[rules\]\]", id="no-rules"),
    pytest.param(
        GOOD_HEAD + GOOD_RULE.format(id="1") + GOOD_RULE.format(id="1"),
        None,
        r"bad\.toml: rule ids must be unique; repeated: 1\.",
        id="duplicate-ids",
    ),
    pytest.param(
        GOOD_HEAD + GOOD_RULE.format(id="1").replace("'the thing'", "'(unclosed'"),
        None,
        r"bad\.toml, rule '1', cues\.topic: '\(unclosed' is not a valid pattern",
        id="bad-regex",
    ),
    pytest.param(
        GOOD_HEAD + GOOD_RULE.format(id="1") + "synonyms = ['thing']\n",
        None,
        r"bad\.toml, rule '1': unknown cue list synonyms; valid: allowed_exceptions",
        id="unknown-cue-list",
    ),
    pytest.param(
        GOOD_HEAD + GOOD_RULE.format(id="1").replace("topic = ['the thing']", "topic = []"),
        None,
        r"rule '1': cues need a non-empty 'topic' list",
        id="empty-topic",
    ),
    pytest.param(
        GOOD_HEAD + GOOD_RULE.format(id="1") + "keywords = [42]\n",
        None,
        r"bad\.toml, rule '1', cues\.keywords: must be a list of quoted words",
        id="keywords-not-words",
    ),
    pytest.param(
        GOOD_HEAD + GOOD_RULE.format(id="1").replace("number = 1", 'number = "one"'),
        None,
        r"rule '1': 'number' must be a whole number",
        id="number-not-a-number",
    ),
    pytest.param(
        GOOD_HEAD + GOOD_RULE.format(id="1") + '\n[[flags]]\nkind = "x"\nsuggestion = "y"\n',
        None,
        r"bad\.toml, flag #1: needs a non-empty 'patterns' list",
        id="flag-without-patterns",
    ),
    pytest.param(
        GOOD_HEAD + GOOD_RULE.format(id="1"),
        "# a comment\n1\tmeets\tOfficers shall not do the thing.\n1\tgood\tOfficers may do it.\n",
        r"bad\.tsv, line 3: expected rule, label \(meets/partial/conflicts/none\)",
        id="example-wrong-label",
    ),
    pytest.param(
        GOOD_HEAD + GOOD_RULE.format(id="1"),
        "1\tmeets only two columns\n",
        r"bad\.tsv, line 1: expected rule, label",
        id="example-missing-tab",
    ),
    pytest.param(
        GOOD_HEAD + GOOD_RULE.format(id="1"),
        "42\tmeets\tOfficers shall not do the thing.\n",
        r"bad\.toml: examples name unknown rules: 42\.",
        id="example-unknown-rule",
    ),
]


@pytest.mark.parametrize(("toml", "tsv", "message"), BAD_RULESETS)
def test_bad_ruleset_names_the_place(
    tmp_path: Path, toml: str, tsv: str | None, message: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(toml, encoding="utf-8")
    if tsv is not None:
        path.with_suffix(".tsv").write_text(tsv, encoding="utf-8")
    with pytest.raises(RulesetError, match=message):
        load_ruleset(path)


def test_good_ruleset_in_the_same_shape_loads(tmp_path: Path) -> None:
    path = tmp_path / "good.toml"
    path.write_text(GOOD_HEAD + GOOD_RULE.format(id="1"), encoding="utf-8")
    path.with_suffix(".tsv").write_text("1\tmeets\tOfficers shall not do it.\n", encoding="utf-8")
    ruleset = load_ruleset(path)
    assert [rule.id for rule in ruleset.rules] == ["1"]
    assert ruleset.examples[0].label == "meets"


def test_unknown_shipped_name_lists_the_shipped_ones() -> None:
    message = r"No ruleset named 'nope'; shipped rulesets are: .*freedom-cities"
    with pytest.raises(RulesetError, match=message):
        load_ruleset("nope")


def test_missing_ruleset_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(RulesetError, match=r"does not exist"):
        load_ruleset(tmp_path / "missing.toml")
