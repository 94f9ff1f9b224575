"""Reports for a version: annotated policy, redline and meeting packet, as Word, PDF or HTML.

The library builds reports from its own Scorecard, which the analysis keeps
as its whole JSON (:meth:`Scorecard.to_dict`) and gives back with
:meth:`Scorecard.from_dict`. Reviewed statuses replace the engine's, so a
packet says what staff published.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from freedomcities.contract import is_current
from freedomcities.errors import ContractError
from freedomcities.models import STATUSES, Reviewed, Scorecard, Status
from freedomcities.render.annotate import build_report
from freedomcities.render.reports import FORMATS, KINDS, write_report
from freedomcities.web.languages import rules_in
from freedomcities.web.scorecards.models import Analysis, PolicyVersion

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
}


class ReportUnavailable(Exception):
    """The version has no whole scorecard: not analysed, or kept only in an older short form.

    The migration that converted stored analyses leaves the short form where an old
    snapshot could not be read; analysing the version again stores a whole one.
    """


def stored_scorecard(analysis: Analysis | None) -> Scorecard:
    """The library's Scorecard kept in an analysis, as the engine made it.

    Raises:
        ReportUnavailable: there is no analysis, or it holds no whole scorecard.
    """
    if analysis is None or not is_current(analysis.scorecard):
        raise ReportUnavailable(analysis.version_id if analysis else None)
    try:
        return Scorecard.from_dict(analysis.scorecard)
    except ContractError as exc:
        raise ReportUnavailable(analysis.version_id) from exc


def reviewed_scorecard(version: PolicyVersion) -> Scorecard:
    """The stored scorecard, with each rule's status as published (review first, else analysis).

    The document is named as the person who uploaded it named it, not by the path the
    engine read (a storage name or, for the demo, a bundled sample file).
    """
    scorecard = stored_scorecard(getattr(version, "analysis", None))
    statuses: dict[str, Status] = {
        verdict.rule_id: status
        for verdict in version.verdicts()
        for status in STATUSES
        if status == verdict.status
    }
    results = tuple(
        dataclasses.replace(result, status=statuses.get(result.rule_id, result.status))
        for result in scorecard.results
    )
    document = dataclasses.replace(
        scorecard.document, source=version.original_name, title=document_title(version)
    )
    return dataclasses.replace(
        scorecard, document=document, results=results, reviewed=_reviewed(version)
    )


def document_title(version: PolicyVersion) -> str:
    """What a report calls the policy: the agency's name and the policy's, not a file name."""
    return f"{version.policy.agency.name}: {version.policy.title}, {version.policy_date:%Y-%m-%d}"


def _reviewed(version: PolicyVersion) -> Reviewed | None:
    """Who reviewed the version's statuses, and when the last of them was reviewed.

    Reports name the affiliate's staff as a body, as the public scorecard page does:
    reviewers' own names stay behind sign-in.
    """
    reviews = version.latest_reviews()
    if not reviews:
        return None
    last = max(review.created_at for review in reviews.values())
    return Reviewed(
        by=str(_("affiliate staff")), on=timezone.localdate(last), rule_ids=frozenset(reviews)
    )


def render_report(
    version: PolicyVersion, kind: str, fmt: str, language: str = "en"
) -> tuple[bytes, str, str]:
    """The report's bytes, a download name and its content type, in ``language``."""
    if kind not in KINDS or fmt not in FORMATS:
        raise ValueError(f"{kind}.{fmt}")
    report = build_report(reviewed_scorecard(version), rules_in(language))
    agency = version.policy.agency
    name = f"{agency.name} {version.policy_date:%Y-%m-%d} {kind}.{fmt}".replace("/", "-")
    with tempfile.TemporaryDirectory() as folder:
        path = write_report(report, Path(folder) / f"report.{fmt}", format=fmt, kind=kind)
        return path.read_bytes(), name, CONTENT_TYPES[fmt]
