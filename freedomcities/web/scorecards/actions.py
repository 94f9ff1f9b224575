"""What people do to policies: upload, analyse, review, publish.

Views and the API call these; they never touch the models' rules themselves.
Each action checks its own input and raises :class:`ActionError` with a
message fit to show on the page.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from freedomcities import __version__
from freedomcities.cache import analyze_cached, file_digest
from freedomcities.contract import evidence_rows, public_view
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
from freedomcities.read import DOCUMENT_SUFFIXES
from freedomcities.web.errors import ActionError
from freedomcities.web.jurisdictions.models import Agency
from freedomcities.web.scorecards.models import (
    Analysis,
    JobState,
    Obtained,
    Policy,
    PolicyVersion,
    Review,
    RuleResult,
    Section,
    Status,
    WorkerBeat,
)

log = logging.getLogger(__name__)

DEFAULT_POLICY_TITLE = "Immigration enforcement policy"


class StaleReview(ActionError):
    """Someone else saved a review of this version after the form was opened."""


def upload_version(
    agency: Agency,
    upload: UploadedFile,
    *,
    obtained: str,
    policy_date: datetime.date,
    user: User | None,
    title: str = "",
) -> PolicyVersion:
    """Keep an uploaded policy file as a new version and queue its analysis."""
    name = Path(upload.name or "policy").name
    check_upload(name, upload.size or 0)
    if obtained not in Obtained.values:
        raise ActionError(_("Choose how the policy was obtained."))
    policy, _created = Policy.objects.get_or_create(
        agency=agency, title=title.strip() or DEFAULT_POLICY_TITLE
    )
    version = PolicyVersion(
        policy=policy,
        original_name=name,
        obtained=obtained,
        policy_date=policy_date,
        uploaded_by=user,
        uploaded_at=timezone.now(),
    )
    version.file.save(name, upload, save=False)
    version.save()
    transaction.on_commit(lambda: queue_analysis(version))
    return version


def check_upload(name: str, size: int) -> None:
    """Refuse a file the engine cannot read or that is over the size limit, before storing it."""
    suffix = Path(name).suffix.lower()
    if suffix not in DOCUMENT_SUFFIXES:
        raise ActionError(
            _("%(name)s is not a PDF, Word (.docx), web page (.html) or text file.")
            % {"name": name}
        )
    if size > settings.MAX_UPLOAD_BYTES:  # MB here are the setting's: 1 MB = 1024 * 1024 bytes
        raise ActionError(
            _("%(name)s is %(size)s MB; the largest file accepted is %(limit)s MB.")
            % {"name": name, "size": f"{size / 1024 / 1024:.1f}", "limit": settings.MAX_UPLOAD_MB}
        )
    if size == 0:
        raise ActionError(_("%(name)s is empty.") % {"name": name})


def queue_analysis(version: PolicyVersion) -> None:
    """Put the version's analysis on the background queue."""
    from freedomcities.web.scorecards.tasks import analyse_version

    PolicyVersion.objects.filter(pk=version.pk).update(
        job_state=JobState.QUEUED, progress=0, error="", retry_helps=True
    )
    analyse_version(version.pk)


FILE_PROBLEMS = (
    UnsupportedFormat,
    CorruptDocument,
    EncryptedDocument,
    EmptyDocument,
    DocumentTooLarge,
)
"""Failures that reading the same file again cannot fix: the page asks for a better copy."""


def retry_analysis(version: PolicyVersion) -> None:
    """Analyse a version again after a failure, or after a worker stopped mid-job."""
    if not (version.job_state == JobState.FAILED or is_stalled(version)):
        raise ActionError(_("Only a failed or stalled analysis can be retried."))
    PolicyVersion.objects.filter(pk=version.pk).update(lost_runs=0)
    queue_analysis(version)


def is_stalled(version: PolicyVersion) -> bool:
    """A job marked running whose worker has gone silent (workers put such jobs back themselves)."""
    from freedomcities.web.scorecards.jobs import SILENT_AFTER

    cutoff = timezone.now() - SILENT_AFTER
    started = version.job_started_at
    return (
        version.job_state == JobState.RUNNING
        and started is not None
        and started < cutoff
        and not WorkerBeat.objects.filter(name=version.worker, last_seen__gte=cutoff).exists()
    )


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
    from freedomcities.web.scorecards.jobs import worker_name

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
    store_analysis(version, scorecard)


def analyse(
    version: PolicyVersion,
    *,
    embedder: Embedder | None = None,
    model: LearnedJudge | Engine | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Scorecard:
    """The library's scorecard of a version's stored file, for its agency's place.

    A file whose bytes were analysed before by the same ruleset, engine and judge
    is not read again (see :mod:`freedomcities.cache`).

    Raises:
        FreedomCitiesError: the file cannot be read, or the configured judge cannot be loaded.
    """
    return analyze_cached(
        version.file.path,
        jurisdiction=version.policy.agency.jurisdiction.place_name,
        embedder=embedder,
        progress=progress,
        model=current_judge() if model is None else model,
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


@transaction.atomic
def store_analysis(version: PolicyVersion, scorecard: Scorecard) -> None:
    """Replace the version's analysis, sections and rule results with the scorecard's.

    The analysis keeps the whole scorecard's JSON; sections and rule results are
    projections of it that keep their offsets, so pages mark quotes where they are.
    """
    data = scorecard.to_dict()
    data["document"]["source"] = version.original_name
    Analysis.objects.update_or_create(
        version=version,
        defaults={
            "scorecard": data,
            "pages": scorecard.document.pages,
            "ocr_pages": scorecard.document.ocr_pages,
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


def review_rule(
    version: PolicyVersion,
    rule_id: str,
    *,
    status: str,
    reason: str,
    in_practice_only: bool,
    user: User,
    revision: int,
    passage: str = "",
) -> Review:
    """Confirm or override one rule's status; refuses if someone saved since ``revision``.

    ``passage`` is the policy's words that show the status, if the reviewer gives them:
    exported with the review, they teach the judge (see :mod:`.learning`).
    """
    result = version.rule_results.filter(rule_id=rule_id).first()
    if result is None:
        raise ActionError(_("This version has no rule %(rule)s.") % {"rule": rule_id})
    if status not in Status.values:
        raise ActionError(_("Choose one of the four statuses."))
    reason = reason.strip()
    if (status != result.status or in_practice_only) and not reason:
        raise ActionError(
            _("Say why you changed rule %(rule)s, so others can follow.") % {"rule": rule_id}
        )
    with transaction.atomic():
        _claim_revision(version, revision)
        return Review.objects.create(
            version=version,
            rule_id=rule_id,
            status=status,
            in_practice_only=in_practice_only,
            reason=reason,
            passage=passage.strip(),
            reviewer=user,
            created_at=timezone.now(),
        )


def confirm_remaining(version: PolicyVersion, *, user: User, revision: int) -> int:
    """Confirm the engine's status for every rule nobody has reviewed yet."""
    with transaction.atomic():
        _claim_revision(version, revision)
        reviewed = set(version.latest_reviews())
        now = timezone.now()
        confirmations = [
            Review(
                version=version,
                rule_id=result.rule_id,
                status=result.status,
                reviewer=user,
                created_at=now,
            )
            for result in version.rule_results.all()
            if result.rule_id not in reviewed
        ]
        Review.objects.bulk_create(confirmations)
    return len(confirmations)


def _claim_revision(version: PolicyVersion, revision: int) -> None:
    """Move the version to the next revision, or raise if another reviewer got there first."""
    moved = PolicyVersion.objects.filter(pk=version.pk, revision=revision).update(
        revision=F("revision") + 1
    )
    if not moved:
        raise StaleReview(
            _(
                "Someone else saved a review of this policy while you were working. "
                "Their changes are shown below; check them and save yours again."
            )
        )
    version.revision = revision + 1


def publish(version: PolicyVersion, *, user: User) -> None:
    """Show a fully reviewed version to the public."""
    if version.job_state != JobState.DONE:
        raise ActionError(_("Only an analysed policy can be published."))
    missing = [
        r.rule_id for r in version.rule_results.all() if r.rule_id not in version.latest_reviews()
    ]
    if missing:
        raise ActionError(
            _("Review every rule before publishing; not yet reviewed: %(rules)s.")
            % {"rules": ", ".join(missing)}
        )
    PolicyVersion.objects.filter(pk=version.pk).update(
        published_at=timezone.now(), published_by=user
    )


def unpublish(version: PolicyVersion) -> None:
    """Take a version off the public pages (its reviews stay)."""
    PolicyVersion.objects.filter(pk=version.pk).update(published_at=None, published_by=None)


def scorecard_json(version: PolicyVersion) -> dict[str, Any]:
    """The stored scorecard in the docs/json.md shape, each rule's reviewed status folded in."""
    analysis: Analysis = version.analysis
    data = public_view(analysis.scorecard)
    verdicts = {v.rule_id: v for v in version.verdicts()}
    data["rules"] = [
        {
            **rule,
            "status": verdicts[rule["id"]].status,
            "analysed_status": rule["status"],
            "in_practice_only": verdicts[rule["id"]].in_practice_only,
        }
        for rule in data["rules"]
        if rule["id"] in verdicts
    ]
    return data
