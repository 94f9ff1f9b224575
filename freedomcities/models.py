"""The plain values that flow through the pipeline.

read (file -> Document) -> split (Document -> Sections) -> judge (Sections x
Ruleset -> Findings, Flags) -> score (Findings -> Scorecard) -> render.

Every value keeps character offsets into ``Document.text`` so that any finding
can be traced back to its page and quoted exactly.
"""

from __future__ import annotations

import bisect
import datetime
from dataclasses import dataclass, field
from typing import Any, Literal

Stance = Literal["meets", "partial", "conflicts"]
Status = Literal["meets", "partial", "conflicts", "silent"]
STANCES: tuple[Stance, ...] = ("meets", "partial", "conflicts")
STATUSES: tuple[Status, ...] = ("meets", "partial", "conflicts", "silent")


@dataclass(frozen=True)
class Document:
    """What was read from a file: its text and where each page begins.

    ``page_starts[i]`` is the offset in ``text`` where page ``i + 1`` begins, so
    one document-wide string can be searched while every offset still maps
    back to a page number.
    """

    source: str
    text: str
    page_starts: tuple[int, ...] = (0,)
    title: str | None = None
    ocr_pages: int = 0

    @property
    def pages(self) -> int:
        """Number of pages (1 for formats without pages)."""
        return len(self.page_starts)

    def page_at(self, offset: int) -> int:
        """The 1-based page number holding the character at ``offset``."""
        return max(1, bisect.bisect_right(self.page_starts, offset))

    def page_text(self, page: int) -> str:
        """The text of one 1-based page."""
        start = self.page_starts[page - 1]
        end = self.page_starts[page] if page < self.pages else len(self.text)
        return self.text[start:end]


@dataclass(frozen=True)
class Section:
    """A numbered or headed part of a document, e.g. ``428.2 POLICY``."""

    label: str | None
    heading: str | None
    start: int
    end: int
    page_start: int
    page_end: int
    text: str


@dataclass(frozen=True)
class Finding:
    """One passage's bearing on one rule, with the exact quote that shows it."""

    rule_id: str
    stance: Stance
    confidence: float
    quote: str
    start: int
    end: int
    page: int | None
    section: str | None
    heading: str | None
    why: str
    # Near a stance but short of it: decides nothing, asks a person to look first.
    tentative: bool = False


@dataclass(frozen=True)
class Flag:
    """Problem language in a document, with the wording to use instead."""

    kind: str
    quote: str
    start: int
    end: int
    page: int | None
    suggestion: str | None


@dataclass(frozen=True)
class RuleResult:
    """One rule's status in one document, with the findings behind it."""

    rule_id: str
    name: str
    status: Status
    confidence: float
    findings: tuple[Finding, ...]
    suggestion: str | None
    # The judge is unsure: a person should check this rule before anyone relies on it.
    needs_review: bool = False


@dataclass(frozen=True)
class Reviewed:
    """Who checked a scorecard's statuses against the document, and when.

    The library never sets this: an application whose staff review scorecards (the web
    app) does, so reports say "Reviewed by ... on ..." instead of "made by a computer",
    and show no machine confidence for the rules a person decided.
    """

    by: str
    on: datetime.date
    rule_ids: frozenset[str]


@dataclass(frozen=True)
class Scorecard:
    """A document scored against a ruleset: one result per rule, plus flags."""

    document: Document
    sections: tuple[Section, ...]
    ruleset_id: str
    ruleset_version: str
    jurisdiction: str | None
    results: tuple[RuleResult, ...]
    flags: tuple[Flag, ...] = field(default=())
    # Which judge read it ("cues" or "learned-<fingerprint>"), so a new model's moves show.
    judge_version: str = "cues"
    # Set by an application after a person reviewed the statuses; None for a machine reading.
    reviewed: Reviewed | None = None

    @property
    def fully_reviewed(self) -> bool:
        """Whether a person confirmed or changed every rule's status."""
        done = self.reviewed.rule_ids if self.reviewed else frozenset()
        return all(result.rule_id in done for result in self.results)

    def to_dict(self) -> dict[str, Any]:
        """The whole scorecard as JSON-ready values, versioned by a ``schema`` field.

        Everything is kept (text, sections, offsets, why, tentative findings, the judge,
        the review), so :meth:`from_dict` gives an equal Scorecard back; applications
        store this instead of re-reading the file. See :mod:`freedomcities.contract`.
        """
        from freedomcities.contract import scorecard_to_dict

        return scorecard_to_dict(self)

    @classmethod
    def from_dict(cls, data: Any) -> Scorecard:
        """The Scorecard that :meth:`to_dict` gave.

        Raises:
            ContractError: the data is damaged, incomplete or of a newer schema.
        """
        from freedomcities.contract import scorecard_from_dict

        return scorecard_from_dict(data)

    def result(self, rule_id: str) -> RuleResult:
        """The result for one rule id, e.g. ``"5"`` or ``"1373"``."""
        for result in self.results:
            if result.rule_id == rule_id:
                return result
        raise KeyError(rule_id)
