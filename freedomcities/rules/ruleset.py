"""A ruleset's parts as frozen dataclasses, and how each is built from its TOML table.

Both the loader (:mod:`freedomcities.rules`) and a translation
(:mod:`freedomcities.rules.translation`) build rules and flags here, so neither
imports the other's module to do it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from freedomcities.errors import RulesetError

PLACEHOLDER = "[County/City/State]"


DEFAULT_LANGUAGE = "en"
"""The language rulesets are written in; others are translations beside them."""


@dataclass(frozen=True)
class Cues:
    """Detection cues for one rule: regular expressions, compiled once.

    ``keywords`` are plain word beginnings ("immigra", "detainer"); when
    given, only sentences holding one are tried against ``topic``, which
    keeps a 1,000-page manual fast. ``topic`` picks the candidate sentences;
    a sentence that matches none is never judged for this rule.
    ``forbidden`` names what the model rule forbids, so the sentence's
    modality decides the stance (forbidding it meets the rule, allowing or
    requiring it conflicts). ``limited`` names
    actions whose prohibition protects only in part. ``meets``, ``partial``
    and ``conflicts`` are idioms that decide a stance directly (a negated
    conflicts idiom is not a conflict). ``narrowing`` marks a prohibition
    weaker than the model (only for victims, only "routinely");
    ``conditions`` mark a permission so hedged that it is partial rather
    than conflicting (detainers honoured only for serious felonies); and
    ``allowed_exceptions`` the exceptions the model itself makes, which do
    not weaken a prohibition. ``context`` narrows what the learned judge
    reads for a rule whose topic words fill any manual ("video", "camera"):
    a passage must hold one of these as well.
    """

    topic: tuple[re.Pattern[str], ...]
    keywords: tuple[str, ...] = ()
    forbidden: tuple[re.Pattern[str], ...] = ()
    limited: tuple[re.Pattern[str], ...] = ()
    conditions: tuple[re.Pattern[str], ...] = ()
    meets: tuple[re.Pattern[str], ...] = ()
    partial: tuple[re.Pattern[str], ...] = ()
    conflicts: tuple[re.Pattern[str], ...] = ()
    narrowing: tuple[re.Pattern[str], ...] = ()
    allowed_exceptions: tuple[re.Pattern[str], ...] = ()
    context: tuple[re.Pattern[str], ...] = ()


@dataclass(frozen=True)
class Rule:
    """One model rule: its wording, its reason in plain words, and its cues."""

    id: str
    number: int
    name: str
    category: str
    text: str
    reason: str
    cues: Cues
    variants: dict[str, str] = field(default_factory=dict)
    optional: bool = False
    placeholder: str = PLACEHOLDER
    """Where the place's name goes in ``text``; a translation may spell it in its language."""

    def model_text(self, jurisdiction: str | None = None, state: str | None = None) -> str:
        """The model wording to adopt, with the state's variant and the place's name filled in."""
        text = self.variants.get((state or "").upper(), self.text)
        if jurisdiction:
            text = text.replace(self.placeholder, jurisdiction)
        return text


@dataclass(frozen=True)
class FlagCue:
    """Problem language to flag wherever it appears, with the wording to use instead."""

    kind: str
    patterns: tuple[re.Pattern[str], ...]
    suggestion: str
    unless: tuple[re.Pattern[str], ...] = ()
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Example:
    """A labelled example sentence that teaches the classifier one rule's stances."""

    rule_id: str
    label: str
    text: str


@dataclass(frozen=True)
class Ruleset:
    """A versioned set of rules, the language to flag, and example sentences."""

    id: str
    version: str
    name: str
    rules: tuple[Rule, ...]
    flags: tuple[FlagCue, ...]
    examples: tuple[Example, ...]
    language: str = DEFAULT_LANGUAGE
    """The language of the words people read (names, texts, reasons, suggestions)."""

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id; unknown ids are named with the valid ones."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        valid = ", ".join(r.id for r in self.rules)
        raise RulesetError(f"Ruleset {self.id!r} has no rule {rule_id!r}; its rules are {valid}.")


def build_ruleset(data: dict[str, Any], where: str, examples: tuple[Example, ...]) -> Ruleset:
    """Check the top level of a ruleset and build its rules."""
    for key in ("id", "version", "name"):
        _require_str(data, key, where)
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise RulesetError(f"{where}: needs at least one [[rules]] table.")
    rules = tuple(_build_rule(raw, f"{where}, rule #{i + 1}") for i, raw in enumerate(raw_rules))
    ids = [r.id for r in rules]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise RulesetError(f"{where}: rule ids must be unique; repeated: {', '.join(duplicates)}.")
    flags = tuple(
        build_flag(raw, f"{where}, flag #{i + 1}") for i, raw in enumerate(data.get("flags", []))
    )
    unknown = sorted({e.rule_id for e in examples} - set(ids))
    if unknown:
        raise RulesetError(f"{where}: examples name unknown rules: {', '.join(unknown)}.")
    return Ruleset(data["id"], data["version"], data["name"], rules, flags, examples)


def _build_rule(raw: dict[str, Any], where: str) -> Rule:
    """Check one [[rules]] table and compile its cues."""
    for key in ("id", "name", "category", "text", "reason"):
        _require_str(raw, key, where)
    where = f"{where.split(',')[0]}, rule {raw['id']!r}"
    number = raw.get("number")
    if not isinstance(number, int):
        raise RulesetError(f"{where}: 'number' must be a whole number.")
    variants = raw.get("variants", {})
    if not isinstance(variants, dict) or not all(isinstance(v, str) for v in variants.values()):
        raise RulesetError(f"{where}: 'variants' must map a state code to the rule's wording.")
    cues = raw.get("cues")
    if not isinstance(cues, dict):
        raise RulesetError(f"{where}: needs a [rules.cues] table with at least 'topic'.")
    return Rule(
        id=raw["id"],
        number=number,
        name=raw["name"],
        category=raw["category"],
        text=raw["text"].strip(),
        reason=raw["reason"].strip(),
        cues=_build_cues(cues, where),
        variants={k.upper(): v.strip() for k, v in variants.items()},
        optional=bool(raw.get("optional", False)),
    )


def _build_cues(raw: dict[str, Any], where: str) -> Cues:
    """Compile a cues table; every list holds regular expressions."""
    known = set(Cues.__dataclass_fields__)
    unknown = sorted(set(raw) - known)
    if unknown:
        raise RulesetError(
            f"{where}: unknown cue list {', '.join(unknown)}; valid: {', '.join(sorted(known))}."
        )
    if not raw.get("topic"):
        raise RulesetError(f"{where}: cues need a non-empty 'topic' list.")
    keywords = _keywords(raw.get("keywords", []), f"{where}, cues.keywords")
    compiled = {
        key: _compile_all(value, f"{where}, cues.{key}")
        for key, value in raw.items()
        if key != "keywords"
    }
    return Cues(keywords=keywords, **compiled)


def _keywords(values: Any, where: str) -> tuple[str, ...]:
    """Word beginnings, lower-cased, with punctuation read as a space ("I-247" -> " i 247").

    A trailing space is kept: "ins " is the whole word INS, not "inspection".
    """
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        raise RulesetError(f"{where}: must be a list of quoted words.")
    return tuple(" " + re.sub(r"[^a-z0-9]", " ", v.lstrip().lower()) for v in values)


def build_flag(raw: dict[str, Any], where: str) -> FlagCue:
    """Check one [[flags]] table."""
    for key in ("kind", "suggestion"):
        _require_str(raw, key, where)
    if not raw.get("patterns"):
        raise RulesetError(f"{where}: needs a non-empty 'patterns' list.")
    return FlagCue(
        kind=raw["kind"],
        patterns=_compile_all(raw["patterns"], f"{where}, patterns"),
        suggestion=raw["suggestion"],
        unless=_compile_all(raw.get("unless", []), f"{where}, unless"),
        keywords=_keywords(raw.get("keywords", []), f"{where}, keywords"),
    )


def _compile_all(values: Any, where: str) -> tuple[re.Pattern[str], ...]:
    """Compile a list of regular expressions, case-insensitive, naming any bad one."""
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise RulesetError(f"{where}: must be a list of quoted regular expressions.")
    compiled = []
    for value in values:
        try:
            compiled.append(re.compile(value, re.IGNORECASE))
        except re.error as exc:
            raise RulesetError(f"{where}: {value!r} is not a valid pattern ({exc}).") from None
    return tuple(compiled)


def _require_str(raw: dict[str, Any], key: str, where: str) -> None:
    """Raise unless ``raw[key]`` is a non-empty string."""
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RulesetError(f"{where}: '{key}' is required and must be non-empty text.")
