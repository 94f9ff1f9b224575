"""Passages: the sentences of a document that a judge reads, each with its context.

A sentence alone often hides its force: "(a) The person's address;" means
nothing without the lead-in "No officer shall disclose to ICE:". A
:class:`Passage` carries the sentence exactly as it stands (so it can be
quoted with offsets), the lead-in of the list it belongs to, and its section.

Most of a manual is about uniforms and vehicle pursuits, so sentences are
worked out only in the sections a keyword points into (:class:`Sentences`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

from freedomcities.models import Document, Section
from freedomcities.sentences import sentence_spans

LEAD_IN_REACH = 12
SENTENCE_END = (".", "!", "?", ";", '"', "\u201d", ")")
LIST_ITEM = re.compile(r"\s*(?:(?P<open>\()?(?P<mark>[a-zA-Z0-9]{1,3})(?P<close>[.)])|[-•●▪*])\s")
ROMAN = re.compile(r"[ivx]{1,4}")
# How many lists up an item's lead-in reaches: "(b) No agency may prohibit an officer from:
# (2) with respect to information about a person: (A) sending it to ICE" needs both.
LEAD_IN_LEVELS = 2
ASCII_PUNCTUATION_TO_SPACE = {c: " " for c in range(128) if not chr(c).isalnum()}


@dataclass(frozen=True)
class Passage:
    """One sentence of a document, with the lead-in and section that give it its force."""

    text: str
    start: int
    end: int
    section: Section | None
    lead_in: str | None = None

    @cached_property
    def reading(self) -> str:
        """The sentence as a judge reads it: its list's lead-in first, on one line.

        Kept once worked out: every rule's cues read it, and a manual has thousands.
        """
        sentence = flatten(self.text)
        return f"{self.lead_in} {sentence}" if self.lead_in else sentence


class Sentences:
    """Sentence spans, worked out only in the sections that a keyword points into."""

    def __init__(self, document: Document, sections: Sequence[Section]) -> None:
        self.text = document.text
        self.words = " " + document.text.lower().translate(ASCII_PUNCTUATION_TO_SPACE)
        self.bounds = [(s.start, s.end) for s in sections] or [(0, len(document.text))]
        self.section_starts = [start for start, _ in self.bounds]
        self._spans: dict[int, list[tuple[int, int]]] = {}
        self._flat: dict[tuple[int, int], str] = {}
        self._keyword_hits: dict[str, set[tuple[int, int]]] = {}

    def in_section(self, k: int) -> list[tuple[int, int]]:
        """The sentence spans of section ``k``."""
        if k not in self._spans:
            self._spans[k] = sentence_spans(self.text, *self.bounds[k])
        return self._spans[k]

    def at(self, offset: int) -> tuple[int, int] | None:
        """(section index, sentence index) of the sentence holding ``offset``."""
        k = bisect.bisect_right(self.section_starts, offset) - 1
        spans = self.in_section(max(k, 0))
        j = bisect.bisect_right(spans, (offset, len(self.text))) - 1
        if j >= 0 and spans[j][0] <= offset < spans[j][1]:
            return max(k, 0), j
        return None

    def with_keywords(self, keywords: Iterable[str]) -> list[tuple[int, int]]:
        """The sentences holding a word that begins with one of ``keywords``, in order.

        No keywords at all means every sentence of the document.
        """
        keywords = list(keywords)
        if not keywords:
            return [(k, j) for k in range(len(self.bounds)) for j in range(len(self.in_section(k)))]
        found: set[tuple[int, int]] = set()
        for keyword in keywords:
            found.update(self._hits(keyword))
        return sorted(found)

    def _hits(self, keyword: str) -> set[tuple[int, int]]:
        """The sentences holding one keyword; rules share keywords, so each is looked for once."""
        if keyword not in self._keyword_hits:
            hits = set()
            position = self.words.find(keyword)
            while position >= 0:
                place = self.at(position)
                if place is not None:
                    hits.add(place)
                position = self.words.find(keyword, position + 1)
            self._keyword_hits[keyword] = hits
        return self._keyword_hits[keyword]

    def span(self, place: tuple[int, int]) -> tuple[int, int]:
        """Start and end offsets of a sentence."""
        return self.in_section(place[0])[place[1]]

    def flat(self, place: tuple[int, int]) -> str:
        """A sentence as the cues read it (see :func:`flatten`), worked out once."""
        if place not in self._flat:
            start, end = self.span(place)
            self._flat[place] = flatten(self.text[start:end])
        return self._flat[place]

    def lead_in(self, place: tuple[int, int]) -> str | None:
        """The sentences introducing the list this sentence is an item of, outermost first.

        Looks back over earlier items of the same list, within the section, for
        a sentence ending in a colon, or one cut off mid-phrase ("prior to").
        A colon sentence numbered like the item itself ("(2) ... of any person:"
        above "(4) permitting ...") opens a sub-list of a sibling, not this
        item's list, and is passed over. Where the lead-in is itself an item of
        a list, that list's lead-in comes first (up to LEAD_IN_LEVELS): the
        force of "(A) sending the information to ICE" is in "may not prohibit",
        two lists up.
        """
        found: list[str] = []
        while len(found) < LEAD_IN_LEVELS:
            j = self._introduction(place, colon_only=bool(found))
            if j is None:
                break
            place = (place[0], j)
            start, end = self.span(place)
            found.append(flatten(self.text[start:end].rstrip()))
            if not LIST_ITEM.match(self.text, start):
                break
        return " ".join(reversed(found)) if found else None

    def _introduction(self, place: tuple[int, int], colon_only: bool = False) -> int | None:
        """Index of the sentence that introduces the list holding ``place``, if any.

        A sentence cut off mid-phrase counts only for the item's own list, and only
        before any sibling's sub-list: above that, an unfinished line is a heading.
        """
        spans = self.in_section(place[0])
        i = place[1]
        kind = _item_kind(self.text, spans[i][0])
        for j in range(i - 1, max(-1, i - LEAD_IN_REACH), -1):
            sentence = self.text[spans[j][0] : spans[j][1]].rstrip()
            if sentence.endswith(":"):
                if kind is None or _item_kind(sentence) != kind:
                    return j
                colon_only = True  # a sibling's sub-list: only a colon can introduce ours
            if not LIST_ITEM.match(self.text, spans[j + 1][0]):
                break
            unfinished = not sentence.endswith(SENTENCE_END)
            if unfinished and not colon_only and not LIST_ITEM.match(sentence):
                return j
        return None

    def passage(self, place: tuple[int, int], sections: Sequence[Section]) -> Passage:
        """The sentence at ``place`` as a Passage, with its lead-in and section."""
        start, end = self.span(place)
        section = sections[place[0]] if sections else None
        return Passage(self.text[start:end], start, end, section, self.lead_in(place))


def candidate_passages(
    sentences: Sentences, sections: Sequence[Section], keywords: Iterable[str] = ()
) -> list[Passage]:
    """The passages holding one of ``keywords`` (every passage when none), in document order.

    A list item takes its force and often its subject from its lead-in
    ("shall not provide ICE with: (a) the person's address"), so the items
    under a lead-in that holds a keyword come along.
    """
    places = set(sentences.with_keywords(keywords))
    for k, j in sorted(places):
        count = len(sentences.in_section(k))
        for item in range(j + 1, min(j + 1 + LEAD_IN_REACH, count)):
            if (k, item) not in places and sentences.lead_in((k, item)) is None:
                break
            places.add((k, item))
    return [sentences.passage(place, sections) for place in sorted(places)]


def _item_kind(text: str, at: int = 0) -> tuple[str, str, str] | None:
    """How a list item is numbered ("(", "a", ")" for "(b)"), or None if it is not one.

    Items of one list are numbered alike; a sub-list is numbered otherwise.
    Small roman numerals count as their own kind, as legal texts number
    sub-sub-lists "(i)", "(ii)" under "(a)".
    """
    match = LIST_ITEM.match(text, at)
    if match is None:
        return None
    mark = match.group("mark")
    if mark is None:
        return ("", "bullet", "")
    if mark.isdigit():
        style = "1"
    elif ROMAN.fullmatch(mark.lower()) and (len(mark) > 1 or mark in "iI"):
        style = "i" if mark.islower() else "I"
    elif mark.isalpha():
        style = "a" if mark.islower() else "A"
    else:
        style = "mixed"
    return (match.group("open") or "", style, match.group("close"))


@lru_cache(maxsize=1 << 13)
def flatten(text: str) -> str:
    """The text as cues read it: one line, single spaces, words broken at line ends rejoined.

    Periods inside numbers ("RCW 9.94A.701") become middle dots, so cue
    patterns that stop at a full stop read past citations.

    Kept for the sentences seen last: a list's lead-in is flattened again for
    every item under it, and a sentence as a candidate and as a passage.
    """
    text = _BROKEN_WORD.sub(r"\1\2", text)
    text = _INLINE_MARK.sub(r"\1)", text)
    return _NUMBER_POINT.sub("\u00b7", _SPACES.sub(" ", text))


_BROKEN_WORD = re.compile(r"(\w)-\s+([a-z])")
_INLINE_MARK = re.compile(r"(?<=[a-z] )([a-h])\.(?= [A-Z])")
_SPACES = re.compile(r"\s+")
_NUMBER_POINT = re.compile(r"(?<=\d)\.(?=\d)")
