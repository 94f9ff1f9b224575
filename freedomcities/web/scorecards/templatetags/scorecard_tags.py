"""Template helpers: looking up a rule's status, marking quotes inside section text."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from freedomcities.rules import Rule
from freedomcities.sentences import normalize_space
from freedomcities.web.jurisdictions.models import Jurisdiction
from freedomcities.web.scorecards.models import Section

register = template.Library()
_SPACE = re.compile(r"\s+")


@register.filter
def get(mapping: Mapping[str, Any] | None, key: str) -> Any:
    """``mapping|get:key``: a dict lookup with a variable key, None when absent."""
    return mapping.get(key) if mapping else None


@register.filter
def contains(collection: Iterable[Any] | None, item: Any) -> bool:
    """``collection|contains:item``."""
    return bool(collection) and item in collection  # type: ignore[operator]


@register.filter
def mark_quotes(section: Section, evidence: Iterable[Mapping[str, Any]]) -> SafeString:
    """The section's text, escaped and with spacing flattened, each quote wrapped in ``<mark>``.

    A quote is marked where its offsets put it in the document, so the words the engine
    read are the words marked, even where the same words appear more than once. A quote
    stored without offsets (an analysis whose old snapshot could not be converted) is
    found by its words instead, across spacing.
    """
    flat, at = flatten(section.text)
    spans = sorted(
        span
        for item in evidence
        if (span := _offset_span(section, item, at) or _found_span(flat, item)) is not None
    )
    parts, cursor = [], 0
    for start, end in spans:
        if start < cursor or start >= end:
            continue
        parts += [escape(flat[cursor:start]), "<mark>", escape(flat[start:end]), "</mark>"]
        cursor = end
    parts.append(escape(flat[cursor:]))
    return mark_safe("".join(parts))


def flatten(text: str) -> tuple[str, list[int]]:
    """``normalize_space(text)``, and where each offset of ``text`` (0..len) lands in it."""
    pieces: list[str] = []
    where: list[int] = []
    length = cursor = 0
    for match in _SPACE.finditer(text):
        pieces += [text[cursor : match.start()], " "]
        where += range(length, length + match.start() - cursor)
        length += match.start() - cursor
        where += [length] * (match.end() - match.start())
        length += 1
        cursor = match.end()
    pieces.append(text[cursor:])
    where += range(length, length + len(text) - cursor + 1)
    collapsed = "".join(pieces)
    flat = collapsed.strip()
    lead = len(collapsed) - len(collapsed.lstrip())
    return flat, [min(max(0, offset - lead), len(flat)) for offset in where]


def _offset_span(
    section: Section, item: Mapping[str, Any], at: list[int]
) -> tuple[int, int] | None:
    """Where a quote's offsets fall in the flattened section, or None without offsets."""
    start, end = item.get("start"), item.get("end")
    if section.start is None or not isinstance(start, int) or not isinstance(end, int):
        return None
    first = max(start - section.start, 0)
    last = min(end - section.start, len(section.text))
    if first >= last:
        return (0, 0)  # offsets that miss this section: nothing to mark here
    return at[first], at[last]


def _found_span(flat: str, item: Mapping[str, Any]) -> tuple[int, int] | None:
    """Where a quote's words first appear in the flattened section, for quotes without offsets."""
    needle = normalize_space(str(item.get("quote", "")))
    found = flat.find(needle) if needle else -1
    return (found, found + len(needle)) if found >= 0 else None


@register.filter
def model_text_for(rule: Rule, place: Jurisdiction) -> str:
    """A rule's model text filled in for a place, in the rule's (the reader's) language.

    The analysis stores the English text it suggested; the page reads the rule
    itself, so a Spanish reader gets the Spanish wording, Arizona's variant included.
    """
    return rule.model_text(place.name, place.state)
