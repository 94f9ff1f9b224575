"""What people do to policies: upload, analyse, review, publish.

Views and the API call these; they never touch the models' rules themselves.
Each action checks its own input and raises :class:`ActionError` with a
message fit to show on the page.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from freedomcities.contract import public_view
from freedomcities.read import DOCUMENT_SUFFIXES
from freedomcities.web.errors import ActionError
from freedomcities.web.jurisdictions.models import Agency
from freedomcities.web.scorecards.analysis import DEFAULT_POLICY_TITLE
from freedomcities.web.scorecards.jobs import SILENT_AFTER
from freedomcities.web.scorecards.models import (
    Analysis,
    JobState,
    Obtained,
    Policy,
    PolicyVersion,
    Review,
    Status,
    WorkerBeat,
)
from freedomcities.web.scorecards.tasks import queue_analysis


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


def retry_analysis(version: PolicyVersion) -> None:
    """Analyse a version again after a failure, or after a worker stopped mid-job."""
    if not (version.job_state == JobState.FAILED or is_stalled(version)):
        raise ActionError(_("Only a failed or stalled analysis can be retried."))
    PolicyVersion.objects.filter(pk=version.pk).update(lost_runs=0)
    queue_analysis(version)


def is_stalled(version: PolicyVersion) -> bool:
    """A job marked running whose worker has gone silent (workers put such jobs back themselves)."""
    cutoff = timezone.now() - SILENT_AFTER
    started = version.job_started_at
    return (
        version.job_state == JobState.RUNNING
        and started is not None
        and started < cutoff
        and not WorkerBeat.objects.filter(name=version.worker, last_seen__gte=cutoff).exists()
    )


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
