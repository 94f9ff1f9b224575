"""The table of every output the last stage makes: kind and format to the function that makes it.

:func:`freedomcities.render.render` looks a name up here, so a new output format
is one function and one line in :data:`RENDERERS`. The modules it names are
imported on first use: PDF and Word need libraries that take a moment to load.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from freedomcities.models import Scorecard
from freedomcities.render.annotate import KINDS, Kind, PolicyMarkup, build_report
from freedomcities.render.words import DEFAULT_LANGUAGE
from freedomcities.rules import Ruleset
from freedomcities.score import in_language

# What a renderer draws on: the scorecard (or a comparison of two) and the ruleset whose
# language the words take (None: English, and for reports the ruleset loaded by id).
Renderer = Callable[[Any, "Ruleset | None"], str | bytes]
SCORECARD_FORMATS = ("text", "json", "html")
REPORT_FORMATS = ("html", "docx", "pdf")
COMPARE = "compare"


def _language(ruleset: Ruleset | None) -> str:
    """The language of a report's words: the ruleset's, or English without one."""
    return ruleset.language if ruleset else DEFAULT_LANGUAGE


def _translated(scorecard: Scorecard, ruleset: Ruleset | None) -> Scorecard:
    """The scorecard with its rule names and model texts in the ruleset's language."""
    return in_language(scorecard, ruleset) if ruleset else scorecard


def _text(scorecard: Scorecard, ruleset: Ruleset | None) -> str:
    from freedomcities.render.terminal import render_text

    return render_text(_translated(scorecard, ruleset), language=_language(ruleset))


def _json(scorecard: Scorecard, ruleset: Ruleset | None) -> str:
    from freedomcities.render.jsonout import render_json

    return render_json(scorecard)  # for programs: the ruleset file's own words


def _html(scorecard: Scorecard, ruleset: Ruleset | None) -> str:
    from freedomcities.render.html import render_html

    return render_html(_translated(scorecard, ruleset), language=_language(ruleset))


def _markup(scorecard: Scorecard, ruleset: Ruleset | None) -> PolicyMarkup:
    """What a report says, in the ruleset's language (the shipped ruleset by id without one)."""
    return build_report(scorecard, ruleset)


def report_renderers(kind: Kind) -> dict[str, Renderer]:
    """The renderers of one kind of report: HTML page, Word file and PDF."""

    def html(scorecard: Scorecard, ruleset: Ruleset | None) -> str:
        from freedomcities.render.report_html import report_html

        return report_html(_markup(scorecard, ruleset), kind)

    def docx(scorecard: Scorecard, ruleset: Ruleset | None) -> bytes:
        from freedomcities.render.docx import docx_bytes

        return docx_bytes(_markup(scorecard, ruleset), kind)

    def pdf(scorecard: Scorecard, ruleset: Ruleset | None) -> bytes:
        from freedomcities.render.pdf import pdf_bytes

        return pdf_bytes(_markup(scorecard, ruleset), kind)

    return {"html": html, "docx": docx, "pdf": pdf}


def _compare_text(comparison: Any, ruleset: Ruleset | None) -> str:
    from freedomcities.render.compare import comparison_text

    return comparison_text(comparison, language=_language(ruleset))


def _compare_html(comparison: Any, ruleset: Ruleset | None) -> str:
    from freedomcities.render.compare import comparison_html

    return comparison_html(comparison, language=_language(ruleset))


def _compare_json(comparison: Any, ruleset: Ruleset | None) -> str:
    from freedomcities.render.compare import comparison_to_dict

    return json.dumps(comparison_to_dict(comparison), indent=2, ensure_ascii=False)


RENDERERS: dict[str | None, dict[str, Callable[[Any, Ruleset | None], str | bytes]]] = {
    None: {"text": _text, "json": _json, "html": _html},
    **{kind: report_renderers(kind) for kind in KINDS},
    COMPARE: {"text": _compare_text, "json": _compare_json, "html": _compare_html},
}
