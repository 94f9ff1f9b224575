"""The language check: words the glossary asks volunteers to avoid, and what to say instead.

There is one word list, the ruleset's flag cues (``[[flags]]`` in
``freedomcities/rules/freedom-cities.toml``), which the analysis also uses on
policies. A letter or a speech is checked against the cues of the kinds in
:data:`LANGUAGE_KINDS` only: the others (detainers, 287(g), DRO holds) name
policy content, which a letter about the campaign mentions on purpose.

Each flag is a span of the text (start, end), so a page can mark it in place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from freedomcities.rules import DEFAULT_RULESET, FlagCue, Ruleset, load_ruleset, ruleset_languages

LANGUAGE_KINDS: tuple[str, ...] = ("dehumanizing-language",)
"""The flag cues that are about wording rather than policy content."""

_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")


@dataclass(frozen=True)
class LanguageFlag:
    """A phrase to reword: where it is, what it says, and the wording to use instead."""

    start: int
    end: int
    phrase: str
    suggestion: str
    kind: str


def language_cues(
    ruleset: Ruleset | None = None, kinds: Iterable[str] = LANGUAGE_KINDS
) -> tuple[FlagCue, ...]:
    """The ruleset's flag cues of these kinds.

    Without a ruleset: the cues of every language, the reader's first, so a
    letter in Spanish is checked from an English page too, and each phrase
    gets its suggestion in the reader's language where one exists.
    """
    from freedomcities.web.languages import rules_in

    wanted = set(kinds)
    if ruleset is not None:
        rulesets = [ruleset]
    else:
        reader = rules_in()
        others = [lang for lang in ruleset_languages(DEFAULT_RULESET) if lang != reader.language]
        rulesets = [reader, *(load_ruleset(DEFAULT_RULESET, lang) for lang in others)]
    return tuple(cue for rules in rulesets for cue in rules.flags if cue.kind in wanted)


def check_language(
    text: str, *, ruleset: Ruleset | None = None, kinds: Iterable[str] = LANGUAGE_KINDS
) -> list[LanguageFlag]:
    """Every phrase in ``text`` that the glossary asks to avoid, in order.

    Overlapping matches ("illegal aliens" and "aliens") give one flag, the
    longest. A cue's ``unless`` patterns, when it has any, excuse the sentence
    they match, as they do in the analysis.
    """
    found: list[LanguageFlag] = []
    for cue in language_cues(ruleset, kinds):
        for pattern in cue.patterns:
            found += [
                LanguageFlag(m.start(), m.end(), m.group(0), cue.suggestion, cue.kind)
                for m in pattern.finditer(text)
                if m.end() > m.start() and not _excused(cue, text, m.start())
            ]
    return _longest_first(found)


def _excused(cue: FlagCue, text: str, at: int) -> bool:
    """Whether the sentence around ``at`` matches one of the cue's ``unless`` patterns."""
    if not cue.unless:
        return False
    for sentence in _SENTENCE.finditer(text):
        if sentence.start() <= at < sentence.end():
            return any(p.search(sentence.group(0)) for p in cue.unless)
    return False


def _longest_first(flags: Sequence[LanguageFlag]) -> list[LanguageFlag]:
    """Drop flags that overlap a longer (or earlier) one, and sort by position."""
    kept: list[LanguageFlag] = []
    for flag in sorted(flags, key=lambda f: (f.start, -(f.end - f.start))):
        if kept and flag.start < kept[-1].end:
            continue
        kept.append(flag)
    return kept


def marked_segments(
    text: str, flags: Sequence[LanguageFlag]
) -> list[tuple[str, LanguageFlag | None]]:
    """The text cut into pieces, each flagged piece paired with its flag, for highlighting."""
    pieces: list[tuple[str, LanguageFlag | None]] = []
    at = 0
    for flag in flags:
        if flag.start > at:
            pieces.append((text[at : flag.start], None))
        pieces.append((text[flag.start : flag.end], flag))
        at = flag.end
    if at < len(text):
        pieces.append((text[at:], None))
    return pieces
