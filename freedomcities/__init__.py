"""Score police policy manuals against the Freedom Cities model rules, with quoted evidence.

The public API is a handful of verbs, one per pipeline stage, plus the values
they pass along::

    read (file -> Document) -> split (Document -> Sections) -> judge (Sections x
    Ruleset -> Findings, Flags) -> score (Findings -> Scorecard) -> render (Scorecard
    -> text, JSON, HTML, Word, PDF)

:func:`analyze` runs the whole pipeline on one file and :func:`analyze_many` on
several. :func:`render` is the one entry to the last stage: the scorecard itself,
an annotated policy, a redline or a meeting packet (also as :func:`build_report`
and :func:`write_report`), and :func:`compare`'s view of what moved between two
versions of a policy. Everything else is private to its module.
"""

from freedomcities.analyze import analyze, analyze_many
from freedomcities.compare import compare
from freedomcities.errors import FreedomCitiesError
from freedomcities.judge import judge
from freedomcities.models import Document, Finding, Flag, RuleResult, Scorecard, Section
from freedomcities.read import read
from freedomcities.render import render
from freedomcities.render.annotate import build_report
from freedomcities.render.reports import write_report
from freedomcities.rules import load_ruleset
from freedomcities.score import score
from freedomcities.split import split
from freedomcities.version import __version__

__all__ = [
    "Document",
    "Finding",
    "Flag",
    "FreedomCitiesError",
    "RuleResult",
    "Scorecard",
    "Section",
    "__version__",
    "analyze",
    "analyze_many",
    "build_report",
    "compare",
    "judge",
    "load_ruleset",
    "read",
    "render",
    "score",
    "split",
    "write_report",
]
