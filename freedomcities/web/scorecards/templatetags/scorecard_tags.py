"""Template helpers: looking up a rule's status, marking quotes inside section text."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from freedomcities.rules import Rule
from freedomcities.sentences import normalize_space
from freedomcities.web.jurisdictions.models import Jurisdiction

register = template.Library()


@register.filter
def get(mapping: Mapping[str, Any] | None, key: str) -> Any:
    """``mapping|get:key``: a dict lookup with a variable key, None when absent."""
    return mapping.get(key) if mapping else None


@register.filter
def contains(collection: Iterable[Any] | None, item: Any) -> bool:
    """``collection|contains:item``."""
    return bool(collection) and item in collection  # type: ignore[operator]


@register.filter
def mark_quotes(text: str, quotes: Iterable[str]) -> SafeString:
    """The text, escaped, with each quote wrapped in ``<mark>``; quotes match across spacing."""
    flat = normalize_space(text)
    spans = []
    for quote in quotes:
        needle = normalize_space(quote)
        at = flat.find(needle) if needle else -1
        if at >= 0:
            spans.append((at, at + len(needle)))
    spans.sort()
    parts, cursor = [], 0
    for start, end in spans:
        if start < cursor:
            continue
        parts += [escape(flat[cursor:start]), "<mark>", escape(flat[start:end]), "</mark>"]
        cursor = end
    parts.append(escape(flat[cursor:]))
    return mark_safe("".join(parts))


@register.simple_tag
def has_quote(text: str, quotes: Iterable[str]) -> bool:
    """Whether any quote appears in the text (to scroll to the first marked section)."""
    flat = normalize_space(text)
    return any(normalize_space(q) and normalize_space(q) in flat for q in quotes)


@register.filter
def model_text_for(rule: Rule, place: Jurisdiction) -> str:
    """A rule's model text filled in for a place, in the rule's (the reader's) language.

    The analysis stores the English text it suggested; the page reads the rule
    itself, so a Spanish reader gets the Spanish wording, Arizona's variant included.
    """
    return rule.model_text(place.name, place.state)
