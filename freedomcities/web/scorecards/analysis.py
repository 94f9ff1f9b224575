"""Running one analysis and storing its result: the worker's side of an upload or a sweep line.

The queue's tasks (:mod:`.tasks`) call :func:`run_analysis`; a sweep line and
the learning loop call :func:`analyse` and :func:`store_analysis` themselves.
Nothing here puts a job on the queue, so the tasks can import it.

A stored analysis records the OCR engine and settings that read its scanned
pages, as the analysis cache keys it (:mod:`freedomcities.cache`): one that read
no scans is the same whatever the engine, one that read some is reused only by
the same settings (:func:`read_alike`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from freedomcities import __version__
from freedomcities.analyze import analyze_cached
from freedomcities.cache import file_digest
from freedomcities.contract import evidence_rows
from freedomcities.embed import Embedder
from freedomcities.errors import (
    CorruptDocument,
    DocumentTooLarge,
    EmptyDocument,
    EncryptedDocument,
    FreedomCitiesError,
    RulesetError,
    UnsupportedFormat,
)
from freedomcities.judge import Engine
from freedomcities.learned import LearnedJudge, load_judge
from freedomcities.models import Scorecard
from freedomcities.ocr import OCREngine, ocr_engine, ocr_settings
from freedomcities.web.scorecards.jobs import worker_name
from freedomcities.web.scorecards.models import (
    Analysis,
    JobState,
    PolicyVersion,
    Review,
    RuleResult,
    Section,
)

log = logging.getLogger(__name__)

DEFAULT_POLICY_TITLE = "Immigration enforcement policy"


FILE_PROBLEMS = (
    UnsupportedFormat,
    CorruptDocument,
    EncryptedDocument,
    EmptyDocument,
    DocumentTooLarge,
)
"""Failures that reading the same file again cannot fix: the page asks for a better copy."""


def run_analysis(
    version_id: int,
    embedder: Embedder | None = None,
    model: LearnedJudge | Engine | None = None,
) -> None:
    """Analyse one version and store the result; called by the background worker.

    ``model`` is the judge; by default the one ``FREEDOMCITIES_JUDGE`` names.
    """
    version = PolicyVersion.objects.select_related("policy__agency__jurisdiction").get(
        pk=version_id
    )
    PolicyVersion.objects.filter(pk=version_id).update(
        job_state=JobState.RUNNING, progress=1, job_started_at=timezone.now(), worker=worker_name()
    )
    try:
        scorecard = analyse(
            version, embedder=embedder, model=model, progress=_progress_saver(version_id)
        )
    except FreedomCitiesError as exc:
        retry_helps = not isinstance(exc, FILE_PROBLEMS)
        _fail(version, failure_message(version, exc), retry_helps)
        return
    except Exception:  # the worker must record every failure, not die with it
        log.exception("analysis of version %s failed", version_id)
        _fail(version, _("The analysis stopped on an unexpected error. Try again later."))
        return
    store_analysis(version, scorecard, ocr=settings.OCR)


def analyse(
    version: PolicyVersion,
    *,
    embedder: Embedder | None = None,
    model: LearnedJudge | Engine | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Scorecard:
    """The library's scorecard of a version's stored file, for its agency's place.

    A file whose bytes were analysed before by the same ruleset, engine and judge
    (and OCR engine, where it read scans) is not read again (see :mod:`freedomcities.cache`).
    Scans are read with the OCR engine ``FREEDOMCITIES_OCR`` (``settings.OCR``) names:
    pass that name to :func:`store_analysis`.

    Raises:
        FreedomCitiesError: the file cannot be read, or the configured judge cannot be loaded.
    """
    return analyze_cached(
        version.file.path,
        jurisdiction=version.policy.agency.jurisdiction.place_name,
        embedder=embedder,
        progress=progress,
        model=current_judge() if model is None else model,
        ocr=ocr_engine(settings.OCR),
    )


def failure_message(version: PolicyVersion, exc: FreedomCitiesError) -> str:
    """An analysis error's message, naming the file as its uploader did, not by its storage path."""
    stored = Path(version.file.path)
    message = str(exc).replace(str(stored), version.original_name)
    return message.replace(stored.name, version.original_name)


def current_judge() -> LearnedJudge | Engine:
    """The judge ``FREEDOMCITIES_JUDGE`` names, loaded once per process (again if the file changes).

    Unset, it is "learned": the judge shipped with the ruleset, or the cues where none is.

    Raises:
        RulesetError: the file is missing or is not a judge this version can read.
    """
    configured = settings.JUDGE_PATH
    if not configured:
        return "learned"
    path = Path(configured).expanduser()
    try:
        changed = path.stat().st_mtime_ns
    except OSError:
        raise RulesetError(
            f"FREEDOMCITIES_JUDGE names {path}, which cannot be read. Train a judge there with "
            f"`freedomcities train --output {path}`, or unset FREEDOMCITIES_JUDGE to use the "
            "shipped one."
        ) from None
    return _load_judge(path, changed)


@lru_cache(maxsize=2)
def _load_judge(path: Path, changed: int) -> LearnedJudge:
    """One judge file, read once per process and modification time."""
    return load_judge(path)


def _progress_saver(version_id: int) -> Callable[[int, int], None]:
    """A progress callback that writes whole percents (reading is ~90% of the work)."""
    last = [0]

    def save(done: int, total: int) -> None:
        percent = max(1, min(90, int(90 * done / max(total, 1))))
        if percent >= last[0] + 5:
            last[0] = percent
            PolicyVersion.objects.filter(pk=version_id).update(progress=percent)

    return save


def _fail(version: PolicyVersion, message: str, retry_helps: bool = True) -> None:
    """Record why an analysis failed; the file stays so it can be retried."""
    PolicyVersion.objects.filter(pk=version.pk).update(
        job_state=JobState.FAILED, error=message, progress=0, retry_helps=retry_helps
    )


def read_alike(ocr: OCREngine) -> Q:
    """Policy versions whose analysis reading with ``ocr`` would give again.

    Those that read no scanned page, and those whose scans were read with the
    same OCR settings (engine, options, Tesseract's version, resolution). An
    analysis stored before its settings were recorded matches only the first.
    """
    return Q(analysis__ocr_pages=0) | Q(analysis__ocr_settings=ocr_settings(ocr))


def ocr_record(scorecard: Scorecard, ocr: str) -> dict[str, str]:
    """The OCR fields an analysis read with the engine named ``ocr`` stores.

    Empty where no page was read by OCR: any engine gives that scorecard.

    Raises:
        OCRUnavailable: no engine has that name, or it is not installed here.
    """
    if scorecard.document.ocr_pages == 0:
        return {"ocr_engine": "", "ocr_settings": ""}
    return {"ocr_engine": ocr, "ocr_settings": ocr_settings(ocr_engine(ocr))}


@transaction.atomic
def store_analysis(version: PolicyVersion, scorecard: Scorecard, *, ocr: str) -> None:
    """Replace the version's analysis, sections and rule results with the scorecard's.

    The analysis keeps the whole scorecard's JSON; sections and rule results are
    projections of it that keep their offsets, so pages mark quotes where they are.
    ``ocr`` names the engine (in :data:`~freedomcities.ocr.OCR_ENGINES`) that read
    the file; it is recorded if a page was read by OCR (:func:`ocr_record`).
    """
    data = scorecard.to_dict()
    data["document"]["source"] = version.original_name
    Analysis.objects.update_or_create(
        version=version,
        defaults={
            "scorecard": data,
            "pages": scorecard.document.pages,
            "ocr_pages": scorecard.document.ocr_pages,
            **ocr_record(scorecard, ocr),
            "engine_version": __version__,
            "judge_version": scorecard.judge_version,
            "content_hash": _content_hash(version),
            "ruleset_version": f"{scorecard.ruleset_id} {scorecard.ruleset_version}",
            "analysed_at": timezone.now(),
        },
    )
    version.sections.all().delete()
    Section.objects.bulk_create(
        Section(
            version=version,
            position=index,
            label=(section.label or "")[:80],
            heading=(section.heading or "")[:300],
            text=section.text,
            page=section.page_start,
            start=section.start,
            end=section.end,
        )
        for index, section in enumerate(scorecard.sections)
    )
    version.rule_results.all().delete()
    RuleResult.objects.bulk_create(rule_results(version, data["rules"]))
    carry_over_reviews(version)
    PolicyVersion.objects.filter(pk=version.pk).update(job_state=JobState.DONE, progress=100)


def _content_hash(version: PolicyVersion) -> str:
    """The stored file's SHA-256, or "" if it has none (then it is never reused)."""
    try:
        return file_digest(version.file.path) if version.file else ""
    except FreedomCitiesError:
        return ""


def rule_results(version: PolicyVersion, rules: list[dict[str, Any]]) -> list[RuleResult]:
    """Unsaved rows for the scorecard JSON's rules, in its order, ready for bulk_create."""
    return [
        RuleResult(
            version=version,
            rule_id=rule["id"],
            position=index,
            status=rule["status"],
            confidence=rule["confidence"],
            evidence=evidence_rows(rule),
            suggestion=rule["suggestion"] or "",
            needs_review=bool(rule.get("needs_review", False)),
        )
        for index, rule in enumerate(rules)
    ]


def carry_over_reviews(version: PolicyVersion) -> int:
    """Copy the previous version's overrides, so a new file does not undo people's decisions.

    Only overrides and "in practice only" marks travel: a plain confirmation
    was about the old text, and the new text deserves a fresh look.
    """
    if version.reviews.exists():
        return 0
    previous = (
        PolicyVersion.objects.filter(policy=version.policy, job_state=JobState.DONE)
        .exclude(pk=version.pk)
        .filter(policy_date__lte=version.policy_date)
        .order_by("-policy_date", "-uploaded_at")
        .first()
    )
    if previous is None:
        return 0
    carried = [
        Review(
            version=version,
            rule_id=verdict.rule_id,
            status=verdict.review.status,
            in_practice_only=verdict.review.in_practice_only,
            reason=verdict.review.reason,
            passage=verdict.review.passage,
            reviewer=verdict.review.reviewer,
            created_at=timezone.now(),
            carried_from=verdict.review,
        )
        for verdict in previous.verdicts()
        if verdict.review is not None and (verdict.overridden or verdict.in_practice_only)
    ]
    Review.objects.bulk_create(carried)
    return len(carried)
