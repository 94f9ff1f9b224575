"""Policies over time, their analyses, and people's reviews of them.

The published status of a rule is the latest review where there is one, else
the analysis: see :meth:`PolicyVersion.verdicts`. A review never changes the
analysis, so re-running the engine cannot wipe out what a person decided.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from freedomcities.web.jurisdictions.models import Agency
from freedomcities.web.pagecache.stamps import StampedQuerySet
from freedomcities.web.scorecards.statuses import label as status_label


class Status(models.TextChoices):
    """A rule's status; the same four words as the library's scorecard, from its table."""

    MEETS = "meets", status_label("meets")
    PARTIAL = "partial", status_label("partial")
    CONFLICTS = "conflicts", status_label("conflicts")
    SILENT = "silent", status_label("silent")


class Obtained(models.TextChoices):
    """How a volunteer got the policy, which tells staff how far to trust it."""

    WEBSITE = "website", _("The agency's website")
    RECORDS_REQUEST = "records_request", _("A public-records request")
    AFFILIATE = "affiliate", _("A copy from the state affiliate")
    SAMPLE = "sample", _("A sample written for the demo")


class JobState(models.TextChoices):
    """Where a version's background analysis stands."""

    QUEUED = "queued", _("Waiting to be analysed")
    RUNNING = "running", _("Being analysed")
    DONE = "done", _("Analysed")
    FAILED = "failed", _("Could not be analysed")


class Policy(models.Model):
    """An agency's policy document over time (each file is a version)."""

    objects = StampedQuerySet.as_manager()  # bulk writes move the page cache's stamp

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="policies")
    title = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = _("policies")
        ordering = ["agency", "title"]

    def __str__(self) -> str:
        return f"{self.agency}: {self.title}"


def _upload_path(version: PolicyVersion, filename: str) -> str:
    """Uploads are kept per agency, under a name the uploader cannot steer."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    stamp = f"{version.uploaded_at:%Y%m%d%H%M%S}"
    return f"policies/{version.policy.agency_id}/{version.policy_id}-{stamp}.{suffix}"


class PolicyVersion(models.Model):
    """One uploaded file of a policy: its date, how it was obtained, its analysis and review."""

    objects = StampedQuerySet.as_manager()  # bulk writes move the page cache's stamp

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="versions")
    file = models.FileField(upload_to=_upload_path, max_length=300)
    original_name = models.CharField(max_length=255)
    obtained = models.CharField(max_length=20, choices=Obtained.choices)
    policy_date = models.DateField(help_text=_("The date the policy took effect or was issued."))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    job_state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text=_("Percent done"))
    job_started_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(
        max_length=100, blank=True, help_text=_("The worker running the analysis (host:process).")
    )
    lost_runs = models.PositiveSmallIntegerField(
        default=0, help_text=_("Times the worker running this analysis stopped before it ended.")
    )
    error = models.TextField(blank=True)
    retry_helps = models.BooleanField(
        default=True,
        help_text=_("False when the file itself is the problem (damaged, locked, empty)."),
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revision = models.PositiveIntegerField(
        default=0, help_text=_("Counts review edits, so two reviewers never overwrite each other.")
    )

    class Meta:
        ordering = ["-policy_date", "-uploaded_at"]
        indexes = [models.Index(fields=["policy", "published_at", "policy_date"])]

    def __str__(self) -> str:
        return f"{self.policy} ({self.policy_date:%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        return reverse("version", args=[self.pk])

    @property
    def agency(self) -> Agency:
        return self.policy.agency

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def is_sample(self) -> bool:
        return self.obtained == Obtained.SAMPLE or self.policy.agency.is_sample

    def verdicts(self) -> list[Verdict]:
        """Each rule's status: the latest review where there is one, else the analysis."""
        reviews = self.latest_reviews()
        return [
            Verdict(result=result, review=reviews.get(result.rule_id))
            for result in self.rule_results.all()
        ]

    def latest_reviews(self) -> dict[str, Review]:
        """The latest review of each rule (earlier ones are the history)."""
        latest: dict[str, Review] = {}
        for review in self.reviews.order_by("created_at", "pk"):
            latest[review.rule_id] = review
        return latest


class WorkerBeat(models.Model):
    """A background worker's sign of life, written every few seconds while it runs.

    A job whose worker has gone silent is put back in the queue (see
    :mod:`freedomcities.web.scorecards.jobs`), and staff see the workers on the jobs page.
    """

    name = models.CharField(max_length=100, unique=True, help_text=_("host:process"))
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField()

    class Meta:
        ordering = ["-last_seen"]

    def __str__(self) -> str:
        return self.name


class Analysis(models.Model):
    """What the engine said about a version: the library's whole scorecard, stored as its JSON.

    ``scorecard`` is :meth:`Scorecard.to_dict` (text, sections, offsets, judge), so reports
    are made from it again with :meth:`Scorecard.from_dict`; the rows below are projections
    of it. An analysis whose old snapshot could not be converted keeps the shorter JSON of
    earlier releases (no ``schema`` field): pages work, reports need a new analysis.

    The OCR engine changes a scorecard only where it read scanned pages, so an analysis
    records the engine and its settings only then (``ocr_engine``, ``ocr_settings``;
    empty where no page was read by OCR). One stored before they were recorded that read
    scans has them empty too, and is never taken for another engine's reading.
    """

    objects = StampedQuerySet.as_manager()  # bulk writes move the page cache's stamp

    version = models.OneToOneField(PolicyVersion, on_delete=models.CASCADE, related_name="analysis")
    scorecard = models.JSONField(
        help_text=_("The whole scorecard as Scorecard.to_dict() gives it (see docs/json.md)")
    )
    pages = models.PositiveIntegerField()
    ocr_pages = models.PositiveIntegerField(default=0)
    ocr_engine = models.CharField(
        max_length=20,
        blank=True,
        help_text=_(
            "The OCR engine that read its scanned pages (tesseract or tesserocr); empty where "
            "no page was read by OCR, or for an analysis made before engines were recorded"
        ),
    )
    ocr_settings = models.TextField(
        blank=True,
        help_text=_(
            "The OCR engine's options and version and the resolution its scans were read at; "
            "another sweep reuses the analysis only with the same ones"
        ),
    )
    engine_version = models.CharField(max_length=40)
    content_hash = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_("SHA-256 of the file analysed: the same bytes are never analysed twice"),
    )
    ruleset_version = models.CharField(
        max_length=80,
        blank=True,
        help_text=_('The ruleset that judged it, e.g. "freedom-cities 1.2"'),
    )
    judge_version = models.CharField(
        max_length=40,
        blank=True,
        help_text=_('Which judge read the policy: "cues" or "learned-<fingerprint>".'),
    )
    analysed_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = _("analyses")


class Section(models.Model):
    """A section of an analysed version, kept so every quote can be shown in context."""

    objects = StampedQuerySet.as_manager()  # bulk writes move the page cache's stamp

    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveIntegerField()
    label = models.CharField(max_length=80, blank=True)
    heading = models.CharField(max_length=300, blank=True)
    text = models.TextField()
    page = models.PositiveIntegerField(default=1)
    start = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Where the section begins in the document's text")
    )
    end = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Where the section ends in the document's text")
    )

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="section_position_unique")
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.heading}".strip()


class RuleResult(models.Model):
    """The engine's status for one rule in one version, with its evidence."""

    objects = StampedQuerySet.as_manager()  # bulk writes move the page cache's stamp

    version = models.ForeignKey(
        PolicyVersion, on_delete=models.CASCADE, related_name="rule_results"
    )
    rule_id = models.CharField(max_length=10)
    position = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices)
    confidence = models.FloatField()
    evidence = models.JSONField(default=list)
    suggestion = models.TextField(blank=True)
    needs_review = models.BooleanField(
        default=False, help_text=_("The judge is unsure: a person should look at this rule first.")
    )

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "rule_id"], name="rule_result_unique")
        ]


class Review(models.Model):
    """A person's confirmation or override of one rule's status, kept as history."""

    objects = StampedQuerySet.as_manager()  # bulk writes move the page cache's stamp

    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="reviews")
    rule_id = models.CharField(max_length=10)
    status = models.CharField(max_length=10, choices=Status.choices)
    in_practice_only = models.BooleanField(
        default=False,
        help_text=_("Officials say it is practised, but it is not written in the policy."),
    )
    reason = models.TextField(blank=True)
    passage = models.TextField(
        blank=True, help_text=_("The words of the policy that show the reviewed status.")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["version", "rule_id", "created_at"]
        indexes = [models.Index(fields=["version", "rule_id", "created_at"])]


class StatusMove(models.Model):
    """A rule whose analysed status changed when a new judge read the version again.

    Staff confirm the new status, or keep the old one (which records a review);
    until then the move waits on the moves page.
    """

    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="moves")
    rule_id = models.CharField(max_length=10)
    old_status = models.CharField(max_length=10, choices=Status.choices)
    new_status = models.CharField(max_length=10, choices=Status.choices)
    old_judge = models.CharField(max_length=40, blank=True)
    new_judge = models.CharField(max_length=40)
    moved_at = models.DateTimeField()
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    kept_old = models.BooleanField(
        default=False, help_text=_("Staff kept the old status instead of the new one.")
    )

    class Meta:
        ordering = ["moved_at", "pk"]
        indexes = [models.Index(fields=["confirmed_at", "moved_at"])]


class Sweep(models.Model):
    """One manifest of agencies' files, analysed by however many workers join in.

    The same manifest judged by the same ruleset, engine and judge (and OCR
    engine, named in ``judged_by`` when not the default) is the same sweep:
    running it again resumes it.
    """

    manifest = models.CharField(max_length=500, help_text=_("The manifest file's full path"))
    judged_by = models.CharField(
        max_length=200, help_text=_("The ruleset, engine and judge versions that analyse it")
    )
    ocr = models.CharField(
        max_length=20,
        default="tesseract",
        help_text=_("The OCR engine every worker reads its scanned pages with"),
    )
    started_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["manifest", "judged_by"], name="sweep_unique")
        ]

    def __str__(self) -> str:
        return self.manifest


class SweepItem(models.Model):
    """One manifest line: an agency's file, and where its analysis stands."""

    sweep = models.ForeignKey(Sweep, on_delete=models.CASCADE, related_name="items")
    line = models.PositiveIntegerField(help_text=_("The line of the manifest it came from"))
    agency_name = models.CharField(max_length=200)
    ocd_id = models.CharField(max_length=200)
    path = models.CharField(max_length=1000)
    policy_date = models.DateField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    claimed_by = models.CharField(
        max_length=200, blank=True, help_text=_("The worker analysing it: host and process")
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    version = models.ForeignKey(
        PolicyVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reused = models.BooleanField(
        default=False, help_text=_("The same file was already analysed by the same judge")
    )
    pages = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sweep", "line"]
        constraints = [
            models.UniqueConstraint(fields=["sweep", "line"], name="sweep_item_line_unique")
        ]
        indexes = [models.Index(fields=["sweep", "state"])]

    def __str__(self) -> str:
        return f"{self.agency_name}: {self.path}"


@dataclass(frozen=True)
class Verdict:
    """One rule's analysed result together with its latest review, if any."""

    result: RuleResult
    review: Review | None

    @property
    def rule_id(self) -> str:
        return self.result.rule_id

    @property
    def status(self) -> str:
        return self.review.status if self.review else self.result.status

    @property
    def overridden(self) -> bool:
        return self.review is not None and self.review.status != self.result.status

    @property
    def in_practice_only(self) -> bool:
        return bool(self.review and self.review.in_practice_only)

    @property
    def evidence(self) -> list[dict[str, Any]]:
        """The quotes, the ones that decide the status shown first.

        The analysis puts its own deciding quote first; once a reviewer changes the status,
        the quotes that bear it out move to the top, so a weaker or opposite line is never
        the headline.
        """
        return sorted(self.result.evidence, key=lambda item: item.get("stance") != self.status)

    @property
    def reason(self) -> str:
        """The reviewer's reason for the status, shown publicly with it."""
        return self.review.reason if self.review else ""

    def as_dict(self) -> dict[str, Any]:
        """The verdict in the API's and exports' shape."""
        return {
            "rule": self.rule_id,
            "status": self.status,
            "analysed_status": self.result.status,
            "reviewed": self.review is not None,
            "in_practice_only": self.in_practice_only,
            "confidence": self.result.confidence,
            "evidence": self.result.evidence,
        }
