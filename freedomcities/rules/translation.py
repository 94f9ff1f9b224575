"""A ruleset in another language: the words people read, laid over the English ruleset.

A translation is a TOML file beside its ruleset, ``<ruleset>.<language>.toml``
(``freedom-cities.es.toml``), holding the ruleset's name, each rule's name,
model text, reason and state variants, the wording each flag suggests, and
flags of its own that find problem words in that language. The detection cues
stay in the English file: the policies the engine reads are in English, and
one set of cues means one behaviour to test. Adding a language is this file
and the web app's message catalogue, nothing else (``docs/languages.md``).

A translation must be complete: a rule, a variant or a flag suggestion it
leaves out is an error naming what is missing, so no reader gets half a page
in English without anyone noticing.
"""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path
from typing import Any

from freedomcities.errors import RulesetError
from freedomcities.rules.ruleset import DEFAULT_LANGUAGE, Rule, Ruleset, build_flag

_RULE_FIELDS = ("name", "text", "reason")


def translation_path(ruleset_path: Path, language: str) -> Path:
    """Where the translation of a ruleset file into ``language`` lives."""
    return ruleset_path.with_name(f"{ruleset_path.stem}.{language}.toml")


def languages_beside(ruleset_path: Path) -> list[str]:
    """The languages a ruleset file can be read in: English, then each translation beside it."""
    found = ruleset_path.parent.glob(f"{ruleset_path.stem}.*.toml")
    return [DEFAULT_LANGUAGE, *sorted(p.suffixes[-2][1:] for p in found)]


def translate_ruleset(english: Ruleset, ruleset_path: Path, language: str) -> Ruleset:
    """The ruleset with every reader-facing word in ``language``.

    Raises:
        RulesetError: no translation into that language (the message names
            the languages there are), or a translation that is not valid TOML,
            leaves out a rule, a variant or a suggestion, or names a rule the
            ruleset does not have.
    """
    path = translation_path(ruleset_path, language)
    if not path.is_file():
        known = ", ".join(languages_beside(ruleset_path))
        raise RulesetError(
            f"The ruleset {english.id!r} has no {language!r} translation; "
            f"its languages are: {known}."
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RulesetError(f"{path.name} is not valid TOML: {exc}.") from None
    where = path.name
    _check_header(data, english, where)
    placeholder = str(data.get("placeholder") or "").strip()
    rules = _translated_rules(english, data.get("rules"), placeholder, where)
    flags = _translated_flags(english, data, where)
    return dataclasses.replace(
        english, name=data["name"].strip(), rules=rules, flags=flags, language=language
    )


def _check_header(data: dict[str, Any], english: Ruleset, where: str) -> None:
    """The translation names the ruleset it translates and has a name of its own."""
    if data.get("translates") != english.id:
        raise RulesetError(f"{where}: 'translates' must be {english.id!r}, the ruleset's id.")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise RulesetError(f"{where}: 'name' is required and must be non-empty text.")


def _translated_rules(english: Ruleset, raw: Any, placeholder: str, where: str) -> tuple[Rule, ...]:
    """Every rule with its translated words; none may be missing, none unknown."""
    if not isinstance(raw, dict):
        raise RulesetError(f"{where}: needs a [rules.<id>] table for every rule.")
    ids = [rule.id for rule in english.rules]
    unknown = sorted(set(raw) - set(ids))
    if unknown:
        raise RulesetError(
            f"{where}: no rule {', '.join(unknown)} in {english.id!r}; its rules are "
            f"{', '.join(ids)}."
        )
    return tuple(
        _translated_rule(rule, raw.get(rule.id), placeholder, where) for rule in english.rules
    )


def _translated_rule(rule: Rule, raw: Any, placeholder: str, where: str) -> Rule:
    """One rule with its name, text, reason and variants in the translation's words."""
    here = f"{where}, rule {rule.id!r}"
    if not isinstance(raw, dict):
        raise RulesetError(f"{here}: missing; every rule needs a [rules.{rule.id}] table.")
    for key in _RULE_FIELDS:
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise RulesetError(f"{here}: '{key}' is required and must be non-empty text.")
    variants = raw.get("variants", {})
    if not isinstance(variants, dict) or set(map(str.upper, variants)) != set(rule.variants):
        wanted = ", ".join(sorted(rule.variants)) or "none"
        raise RulesetError(f"{here}: 'variants' must translate the state variants ({wanted}).")
    marker = placeholder or rule.placeholder
    texts = [raw["text"], *variants.values()]
    if rule.placeholder in rule.text and not all(marker in text for text in texts):
        raise RulesetError(f"{here}: the text must hold the place name marker {marker!r}.")
    return dataclasses.replace(
        rule,
        name=raw["name"].strip(),
        text=raw["text"].strip(),
        reason=raw["reason"].strip(),
        variants={k.upper(): v.strip() for k, v in variants.items()},
        placeholder=marker,
    )


def _translated_flags(english: Ruleset, data: dict[str, Any], where: str) -> tuple[Any, ...]:
    """The English flags with translated suggestions, then the translation's own flags."""
    suggestions = data.get("suggestions", {})
    kinds = sorted({flag.kind for flag in english.flags})
    missing = [kind for kind in kinds if not str(suggestions.get(kind, "")).strip()]
    if missing:
        raise RulesetError(f"{where}: [suggestions] needs the wording for {', '.join(missing)}.")
    translated = tuple(
        dataclasses.replace(flag, suggestion=suggestions[flag.kind].strip())
        for flag in english.flags
    )
    extra = tuple(
        build_flag(raw, f"{where}, flag #{i + 1}") for i, raw in enumerate(data.get("flags", []))
    )
    return translated + extra
