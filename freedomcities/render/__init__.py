"""Render a Scorecard for people and for programs: the last stage, in one folder.

:func:`render` is the one entry: terminal, JSON and HTML scorecards, comparisons,
and reports as HTML, Word or PDF (:mod:`.outputs` names the function for each).
Every word a reader sees lives in :data:`LABELS` (:mod:`.words`), one table per
language, which every renderer here imports; this module imports the renderers,
never the other way round.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from freedomcities.render.outputs import (
    COMPARE,
    RENDERERS,
    REPORT_FORMATS,
    SCORECARD_FORMATS,
    Renderer,
)
from freedomcities.render.words import (
    COLOURS,
    DEFAULT_LANGUAGE,
    LABELS,
    NO_STATUS,
    NO_STATUS_SYMBOL,
    SYMBOLS,
    confidence_text,
    counts,
    flag_kind_text,
    footer_text,
    labels,
    required_results,
    reviewed_text,
    shows_confidence,
    status_symbol,
    status_text,
    status_word,
    summary_text,
    title_text,
    where_text,
)

if TYPE_CHECKING:
    from freedomcities.compare import Comparison
    from freedomcities.models import Scorecard
    from freedomcities.rules import Ruleset

__all__ = [
    "COLOURS",
    "COMPARE",
    "DEFAULT_LANGUAGE",
    "LABELS",
    "NO_STATUS",
    "NO_STATUS_SYMBOL",
    "REPORT_FORMATS",
    "SCORECARD_FORMATS",
    "SYMBOLS",
    "Renderer",
    "confidence_text",
    "counts",
    "flag_kind_text",
    "footer_text",
    "labels",
    "render",
    "renderer",
    "required_results",
    "reviewed_text",
    "shows_confidence",
    "status_symbol",
    "status_text",
    "status_word",
    "summary_text",
    "title_text",
    "where_text",
]


def render(
    subject: Scorecard | Comparison,
    format: str,
    kind: str | None = None,
    *,
    ruleset: Ruleset | None = None,
) -> str | bytes:
    """The one entry to the last stage: a scorecard (or a comparison) in a format.

    Args:
        subject: a :class:`~freedomcities.models.Scorecard`; for ``kind="compare"``
            a :class:`~freedomcities.compare.Comparison` of two.
        format: ``text``, ``json`` or ``html`` for a scorecard or a comparison;
            ``html``, ``docx`` or ``pdf`` for a report.
        kind: None for the scorecard itself; ``annotated``, ``redline`` or
            ``packet`` for a report to bring to officials; ``compare`` for a
            comparison of two versions.
        ruleset: the ruleset whose language the words take (a translation from
            ``load_ruleset(id, "es")`` gives Spanish). JSON stays in the ruleset
            file's own words, for programs.

    Returns:
        Text for ``text``, ``json`` and ``html``; the file's bytes for ``docx`` and ``pdf``.

    Raises:
        ValueError: an unknown format or kind; the message lists the valid ones.
        ReportError: a report that cannot be made (e.g. no PDF engine installed).
    """
    return renderer(format, kind)(subject, ruleset)


def renderer(name: str, kind: str | None = None) -> Renderer:
    """The renderer for a format name and kind (see :func:`render` for the names).

    Raises:
        ValueError: an unknown name; the message lists the valid ones.
    """
    renderers = RENDERERS.get(kind)
    if renderers is None:
        known = ", ".join(str(k) for k in RENDERERS)
        raise ValueError(f"No report kind named {kind!r}; valid: {known}.")
    try:
        return renderers[name]
    except KeyError:
        raise ValueError(
            f"No renderer named {name!r}; valid: {', '.join(sorted(renderers))}."
        ) from None
