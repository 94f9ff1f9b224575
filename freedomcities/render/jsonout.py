"""The JSON form of a scorecard: a stable contract that other tools read.

The shape (documented in ``docs/``, guarded by ``tests/test_render.py``)::

    {"document": {"source", "title", "pages", "sections", "ocr_pages"},
     "ruleset": {"id", "version"},
     "judge": str,
     "jurisdiction": str | null,
     "rules": [{"id", "name", "status", "confidence", "needs_review",
                "evidence": [{"section", "heading", "page", "quote", "stance"}],
                "suggestion"}],
     "flags": [{"kind", "quote", "page", "suggestion"}]}

Change it only by adding fields; never rename or remove one. It is a part of the whole
scorecard that ``Scorecard.to_dict()`` gives (``freedomcities.contract``), cut out of it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from freedomcities.contract import public_view
from freedomcities.errors import FreedomCitiesError
from freedomcities.evaluate import Evaluation
from freedomcities.models import STATUSES, Scorecard


def scorecard_to_dict(scorecard: Scorecard) -> dict[str, Any]:
    """The scorecard as plain JSON-ready values, following the contract above.

    Cut out of :meth:`Scorecard.to_dict`, the whole form applications store, so the
    two never disagree on a field they share.
    """
    return public_view(scorecard.to_dict())


def render_json(scorecard: Scorecard) -> str:
    """One scorecard as indented JSON text."""
    return _dumps(scorecard_to_dict(scorecard))


def render_json_many(results: Iterable[tuple[Path, Scorecard | FreedomCitiesError]]) -> str:
    """Several documents as a JSON array; a file that failed is ``{"source", "error"}``."""
    items = [
        scorecard_to_dict(result)
        if isinstance(result, Scorecard)
        else {"source": str(path), "error": str(result)}
        for path, result in results
    ]
    return _dumps(items)


def _dumps(value: Any) -> str:
    """Indented, UTF-8 friendly JSON."""
    return json.dumps(value, indent=2, ensure_ascii=False)


def evaluation_to_dict(evaluation: Evaluation) -> dict[str, Any]:
    """An evaluation's figures as plain values; shares are 0..1, or null when nothing counted."""
    confusion = evaluation.confusion
    return {
        "documents": len(evaluation.documents),
        "labels": len(evaluation.outcomes),
        "accuracy": evaluation.accuracy,
        "status_match": evaluation.status_match,
        "evidence_match": evaluation.evidence_match,
        "conflict_recall": evaluation.conflict_recall,
        "flag_recall": evaluation.flag_recall,
        "rule_accuracy": evaluation.rule_accuracy,
        "confusion": {
            expert: {engine: confusion[(expert, engine)] for engine in STATUSES}
            for expert in STATUSES
        },
        "mismatches": [
            {"slug": o.slug, "rule": o.rule_id, "expert": o.expert, "engine": o.engine}
            for o in evaluation.mismatches
        ],
        "errors": [{"slug": d.slug, "error": d.error} for d in evaluation.errors],
    }


def render_cross_validation_json(folds: list[tuple[str, Evaluation]], seconds: float) -> str:
    """Cross-validation figures per fold and in total (the last pair), as JSON text."""
    return _dumps(
        {
            "folds": [{"fold": name, **_figures(evaluation)} for name, evaluation in folds[:-1]],
            "total": _figures(folds[-1][1]),
            "seconds": round(seconds, 1),
        }
    )


def _figures(evaluation: Evaluation) -> dict[str, Any]:
    """The headline figures of one evaluation."""
    return {
        "documents": [d.slug for d in evaluation.documents],
        "status_agreement": evaluation.accuracy,
        "non_silent_matched": evaluation.status_match,
        "conflict_recall": evaluation.conflict_recall,
        "quote_overlap": evaluation.evidence_match,
        "conflicts_read_as_meets": len(evaluation.conflicts_read_as_meets),
    }


def render_evaluation_json(evaluation: Evaluation) -> str:
    """An evaluation as indented JSON text."""
    return _dumps(evaluation_to_dict(evaluation))
