"""Rulesets are data: a TOML file of rules and cues, plus a TSV of example sentences.

The format is documented in ``docs/rulesets.md``. :func:`load_ruleset` checks
every field and names the exact place of any mistake, so a campaign can write
its own ruleset (for example on use of force) without reading this code.
"""

from __future__ import annotations

import csv
import tomllib
from functools import lru_cache
from pathlib import Path

from freedomcities.errors import RulesetError
from freedomcities.rules.ruleset import (
    DEFAULT_LANGUAGE,
    PLACEHOLDER,
    Cues,
    Example,
    FlagCue,
    Rule,
    Ruleset,
    build_ruleset,
)
from freedomcities.rules.translation import languages_beside, translate_ruleset

__all__ = [
    "DEFAULT_LANGUAGE",
    "DEFAULT_RULESET",
    "EXAMPLE_LABELS",
    "PLACEHOLDER",
    "RULES_DIR",
    "Cues",
    "Example",
    "FlagCue",
    "Rule",
    "Ruleset",
    "available_rulesets",
    "load_ruleset",
    "optional_rule_ids",
    "ruleset_languages",
]

RULES_DIR = Path(__file__).parent
DEFAULT_RULESET = "freedom-cities"
EXAMPLE_LABELS = ("meets", "partial", "conflicts", "none")


def available_rulesets() -> list[str]:
    """Names of the rulesets shipped with the package (translations are not rulesets)."""
    return sorted(p.stem for p in RULES_DIR.glob("*.toml") if "." not in p.stem)


def optional_rule_ids(ruleset_id: str) -> frozenset[str]:
    """Ids of a shipped ruleset's optional rules (such as 1373); none for any other ruleset.

    A scorecard names its ruleset by id only, so a campaign's own ruleset file
    (known by path, not id) counts every rule as required.
    """
    if ruleset_id not in available_rulesets():
        return frozenset()
    try:
        ruleset = load_ruleset(ruleset_id)
    except RulesetError:
        return frozenset()
    return frozenset(rule.id for rule in ruleset.rules if rule.optional)


def ruleset_languages(name_or_path: str | Path = DEFAULT_RULESET) -> list[str]:
    """The languages a ruleset can be read in: English, then each translation beside it."""
    return languages_beside(_resolve(name_or_path))


@lru_cache(maxsize=16)
def load_ruleset(
    name_or_path: str | Path = DEFAULT_RULESET, language: str = DEFAULT_LANGUAGE
) -> Ruleset:
    """Load and validate a ruleset by shipped name or by path to a ``.toml`` file.

    Example sentences are read from a ``.tsv`` file of the same name beside
    it when one exists. With ``language`` other than English, the words people
    read come from the translation beside it (``<name>.<language>.toml``, see
    :mod:`freedomcities.rules.translation`); the cues stay the English ones,
    because they read the policies, which are in English.

    Raises:
        RulesetError: the file is missing, is not valid TOML, or a field is
            missing or wrong; the message names the rule and field. Also a
            language the ruleset has no translation for (the message names
            the ones it has).
    """
    if language != DEFAULT_LANGUAGE:
        english = load_ruleset(name_or_path)
        return translate_ruleset(english, _resolve(name_or_path), language)
    path = _resolve(name_or_path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RulesetError(f"{path.name} is not valid TOML: {exc}.") from None
    examples_path = path.with_suffix(".tsv")
    examples = _read_examples(examples_path) if examples_path.exists() else ()
    return build_ruleset(data, path.name, examples)


def _resolve(name_or_path: str | Path) -> Path:
    """Find a ruleset file from a shipped name or a path."""
    path = Path(name_or_path)
    if path.suffix == ".toml":
        if not path.is_file():
            raise RulesetError(f"Ruleset file {str(path)!r} does not exist.")
        return path
    shipped = RULES_DIR / f"{name_or_path}.toml"
    if "." in str(name_or_path) or not shipped.is_file():
        names = ", ".join(available_rulesets())
        raise RulesetError(
            f"No ruleset named {str(name_or_path)!r}; shipped rulesets are: {names}. "
            "Give a path to a .toml file to use your own."
        )
    return shipped


def _read_examples(path: Path) -> tuple[Example, ...]:
    """Read ``rule<TAB>label<TAB>sentence`` rows; ``#`` starts a comment line."""
    examples = []
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.reader(handle, delimiter="\t"), start=1):
            if not row or row[0].startswith("#"):
                continue
            if len(row) != 3 or row[1] not in EXAMPLE_LABELS or not row[2].strip():
                raise RulesetError(
                    f"{path.name}, line {number}: expected rule, label "
                    f"({'/'.join(EXAMPLE_LABELS)}) and sentence separated by tabs."
                )
            examples.append(Example(row[0], row[1], row[2].strip()))
    return tuple(examples)
