"""The whole Scorecard as plain JSON values, and back: what applications store.

:meth:`Scorecard.to_dict` gives everything a report needs again later (the
document's text and page starts, every section, each finding's offsets, why it
was found and whether it is tentative, the judge's "needs review" and version,
who reviewed it), so a stored analysis can be turned back into an equal
Scorecard by :meth:`Scorecard.from_dict` without re-reading the file. It is a
superset of the CLI's JSON output (``docs/json.md``), which :func:`public_view`
cuts out of it; ``docs/json.md`` draws both.

The ``schema`` field says which shape this is. A reader refuses a newer
schema instead of guessing at it; a new schema adds a converter here.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

from freedomcities.errors import ContractError
from freedomcities.models import (
    STANCES,
    STATUSES,
    Document,
    Finding,
    Flag,
    Reviewed,
    RuleResult,
    Scorecard,
    Section,
    Stance,
    Status,
)
from freedomcities.rules import optional_rule_ids

SCHEMA = 1
"""The shape :func:`scorecard_to_dict` writes; bump it (and convert older ones) on any change."""

T = TypeVar("T")

# The fields of docs/json.md, the CLI's public contract, in its order.
_PUBLIC_DOCUMENT = ("source", "title", "pages", "sections", "ocr_pages")
_PUBLIC_RULE = ("id", "name", "status", "confidence", "needs_review", "evidence", "suggestion")
_PUBLIC_EVIDENCE = ("section", "heading", "page", "quote", "stance")
_PUBLIC_FLAG = ("kind", "quote", "page", "suggestion")


def scorecard_to_dict(scorecard: Scorecard) -> dict[str, Any]:
    """The whole scorecard as JSON-ready values (see :meth:`Scorecard.to_dict`)."""
    document = scorecard.document
    optional = optional_rule_ids(scorecard.ruleset_id)
    return {
        "schema": SCHEMA,
        "document": {
            "source": document.source,
            "title": document.title,
            "pages": document.pages,
            "sections": len(scorecard.sections),
            "ocr_pages": document.ocr_pages,
            "text": document.text,
            "page_starts": list(document.page_starts),
        },
        "ruleset": {"id": scorecard.ruleset_id, "version": scorecard.ruleset_version},
        "judge": scorecard.judge_version,
        "jurisdiction": scorecard.jurisdiction,
        "rules": [_rule(result, result.rule_id in optional) for result in scorecard.results],
        "flags": [_flag(flag) for flag in scorecard.flags],
        "sections": [_section(section, document.text) for section in scorecard.sections],
        "reviewed": _reviewed(scorecard.reviewed),
    }


def _rule(result: RuleResult, optional: bool) -> dict[str, Any]:
    """One rule's entry: the public fields, then whether the rule is optional."""
    return {
        "id": result.rule_id,
        "name": result.name,
        "status": result.status,
        "confidence": float(result.confidence),
        "needs_review": result.needs_review,
        "evidence": [_evidence(finding, result.rule_id) for finding in result.findings],
        "suggestion": result.suggestion,
        "optional": optional,
    }


def _evidence(finding: Finding, rule_id: str) -> dict[str, Any]:
    """One finding: the public fields, then its offsets and the judge's reading of it."""
    entry: dict[str, Any] = {
        "section": finding.section,
        "heading": finding.heading,
        "page": finding.page,
        "quote": finding.quote,
        "stance": finding.stance,
        "start": finding.start,
        "end": finding.end,
        "confidence": float(finding.confidence),
        "why": finding.why,
        "tentative": finding.tentative,
    }
    if finding.rule_id != rule_id:
        entry["rule"] = finding.rule_id  # only where it differs from the rule it sits under
    return entry


def _flag(flag: Flag) -> dict[str, Any]:
    """One flagged passage, with its offsets."""
    return {
        "kind": flag.kind,
        "quote": flag.quote,
        "page": flag.page,
        "suggestion": flag.suggestion,
        "start": flag.start,
        "end": flag.end,
    }


def _section(section: Section, text: str) -> dict[str, Any]:
    """One section by its offsets; its text is kept only where it is not the document's slice."""
    entry: dict[str, Any] = {
        "label": section.label,
        "heading": section.heading,
        "start": section.start,
        "end": section.end,
        "page_start": section.page_start,
        "page_end": section.page_end,
    }
    if section.text != text[section.start : section.end]:
        entry["text"] = section.text
    return entry


def _reviewed(reviewed: Reviewed | None) -> dict[str, Any] | None:
    """Who reviewed the statuses, or None for a machine reading."""
    if reviewed is None:
        return None
    return {"by": reviewed.by, "on": reviewed.on.isoformat(), "rule_ids": sorted(reviewed.rule_ids)}


def public_view(data: Mapping[str, Any]) -> dict[str, Any]:
    """The CLI's JSON (docs/json.md) cut out of a stored scorecard dict, and nothing more.

    Also reads the older stored form that had only these fields (no ``schema``).
    """
    return {
        "document": _pick(data["document"], _PUBLIC_DOCUMENT),
        "ruleset": {"id": data["ruleset"]["id"], "version": data["ruleset"]["version"]},
        "judge": data["judge"],
        "jurisdiction": data["jurisdiction"],
        "rules": [
            {
                **_pick(rule, _PUBLIC_RULE),
                "evidence": [_pick(e, _PUBLIC_EVIDENCE) for e in rule["evidence"]],
            }
            for rule in data["rules"]
        ],
        "flags": [_pick(flag, _PUBLIC_FLAG) for flag in data["flags"]],
    }


def evidence_rows(rule: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A stored rule's evidence as docs/json.md has it, plus each quote's offsets.

    What an application keeps per rule so its pages can mark each quote where it is,
    not wherever the same words first appear.
    """
    return [_pick(item, (*_PUBLIC_EVIDENCE, "start", "end")) for item in rule["evidence"]]


def _pick(entry: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """The listed keys of an entry, in that order; keys it lacks are left out."""
    return {key: entry[key] for key in keys if key in entry}


def is_current(data: Any) -> bool:
    """Whether a stored dict is a whole scorecard this version reads (else an older JSON)."""
    return isinstance(data, Mapping) and data.get("schema") == SCHEMA


def scorecard_from_dict(data: Any) -> Scorecard:
    """The Scorecard that :func:`scorecard_to_dict` wrote (see :meth:`Scorecard.from_dict`).

    Raises:
        ContractError: not a scorecard dict, a schema this version does not know, or a field
            missing or of the wrong type; the message says which.
    """
    if not isinstance(data, Mapping):
        raise ContractError(
            f"A stored scorecard should be a JSON object, not {type(data).__name__}. "
            "Analyse the document again to store a new one."
        )
    schema = data.get("schema")
    if schema != SCHEMA:
        raise ContractError(_schema_message(schema))
    try:
        return _scorecard(data)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise ContractError(
            f"A stored scorecard is damaged: {_describe(exc)}. "
            "Analyse the document again to store a new one."
        ) from None


def _schema_message(schema: Any) -> str:
    """Why a schema cannot be read, and what to do."""
    if schema is None:
        return (
            "This scorecard JSON has no schema version: it is the short form that the CLI prints "
            "or an older stored analysis, without the document's text. Analyse the document "
            "again to get a whole scorecard."
        )
    if _is_int(schema) and schema > SCHEMA:
        return (
            f"This scorecard was stored by a newer freedomcities (schema {schema}; this version "
            f"reads schema {SCHEMA}). Upgrade freedomcities to read it."
        )
    return f"This scorecard has an unknown schema {schema!r}; this version reads schema {SCHEMA}."


def _describe(exc: Exception) -> str:
    """A short name for what was wrong in the data."""
    if isinstance(exc, KeyError):
        return f"the field {exc.args[0]!r} is missing"
    return str(exc) or type(exc).__name__


def _scorecard(data: Mapping[str, Any]) -> Scorecard:
    """The Scorecard from a dict whose schema has been checked."""
    raw = _mapping(data["document"])
    document = Document(
        source=_str(raw["source"]),
        text=_str(raw["text"]),
        page_starts=tuple(_int(start) for start in _list(raw["page_starts"])),
        title=_optional(_str, raw["title"]),
        ocr_pages=_int(raw["ocr_pages"]),
    )
    ruleset = _mapping(data["ruleset"])
    return Scorecard(
        document=document,
        sections=tuple(_section_from(_mapping(s), document.text) for s in _list(data["sections"])),
        ruleset_id=_str(ruleset["id"]),
        ruleset_version=_str(ruleset["version"]),
        jurisdiction=_optional(_str, data["jurisdiction"]),
        results=tuple(_rule_from(_mapping(rule)) for rule in _list(data["rules"])),
        flags=tuple(_flag_from(_mapping(flag)) for flag in _list(data["flags"])),
        judge_version=_str(data["judge"]),
        reviewed=_optional(_reviewed_from, data["reviewed"]),
    )


def _section_from(raw: Mapping[str, Any], text: str) -> Section:
    """One section; its text is the document's slice unless the dict kept its own."""
    start, end = _int(raw["start"]), _int(raw["end"])
    return Section(
        label=_optional(_str, raw["label"]),
        heading=_optional(_str, raw["heading"]),
        start=start,
        end=end,
        page_start=_int(raw["page_start"]),
        page_end=_int(raw["page_end"]),
        text=_str(raw["text"]) if "text" in raw else text[start:end],
    )


def _rule_from(raw: Mapping[str, Any]) -> RuleResult:
    """One rule's result with its findings."""
    rule_id = _str(raw["id"])
    return RuleResult(
        rule_id=rule_id,
        name=_str(raw["name"]),
        status=_status(raw["status"]),
        confidence=_float(raw["confidence"]),
        findings=tuple(_finding_from(_mapping(e), rule_id) for e in _list(raw["evidence"])),
        suggestion=_optional(_str, raw["suggestion"]),
        needs_review=_bool(raw["needs_review"]),
    )


def _finding_from(raw: Mapping[str, Any], rule_id: str) -> Finding:
    """One finding of a rule."""
    stance = raw["stance"]
    if stance not in STANCES:
        raise ValueError(f"{stance!r} is not a stance; stances are {', '.join(STANCES)}")
    return Finding(
        rule_id=_str(raw["rule"]) if "rule" in raw else rule_id,
        stance=cast(Stance, stance),
        confidence=_float(raw["confidence"]),
        quote=_str(raw["quote"]),
        start=_int(raw["start"]),
        end=_int(raw["end"]),
        page=_optional(_int, raw["page"]),
        section=_optional(_str, raw["section"]),
        heading=_optional(_str, raw["heading"]),
        why=_str(raw["why"]),
        tentative=_bool(raw["tentative"]),
    )


def _flag_from(raw: Mapping[str, Any]) -> Flag:
    """One flagged passage."""
    return Flag(
        kind=_str(raw["kind"]),
        quote=_str(raw["quote"]),
        start=_int(raw["start"]),
        end=_int(raw["end"]),
        page=_optional(_int, raw["page"]),
        suggestion=_optional(_str, raw["suggestion"]),
    )


def _reviewed_from(raw: Any) -> Reviewed:
    """Who reviewed the statuses, and when."""
    entry = _mapping(raw)
    return Reviewed(
        by=_str(entry["by"]),
        on=datetime.date.fromisoformat(_str(entry["on"])),
        rule_ids=frozenset(_str(rule_id) for rule_id in _list(entry["rule_ids"])),
    )


def _status(value: Any) -> Status:
    """One of the four statuses."""
    if value not in STATUSES:
        raise ValueError(f"{value!r} is not a status; statuses are {', '.join(STATUSES)}")
    return cast(Status, value)


def _optional(read: Callable[[Any], T], value: Any) -> T | None:
    """``read(value)``, or None for a JSON null."""
    return None if value is None else read(value)


def _checked(kind: type[T], name: str) -> Callable[[Any], T]:
    """A reader that accepts only values of one JSON type."""

    def read(value: Any) -> T:
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise TypeError(f"{value!r:.40} should be {name}")
        return value

    return read


_str = _checked(str, "text")
_int = _checked(int, "a whole number")
_bool = _checked(bool, "true or false")
_list = _checked(list, "a list")
_mapping = _checked(dict, "an object")


def _is_int(value: Any) -> bool:
    """An int that is not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def _float(value: Any) -> float:
    """A number, as a float (JSON writes 1.0 as 1 in some tools)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{value!r:.40} should be a number")
    return float(value)
