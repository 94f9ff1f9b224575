"""The API's policies: versions, scorecards and reviews, mounted by :mod:`freedomcities.web.api`.

Reads are open to everyone and show published scorecards only; a volunteer's token also shows
drafts. Writes need a token whose user has the role each operation names.

Each operation is thin: pydantic schemas check the input, :func:`require` checks the role,
an action from :mod:`freedomcities.web.scorecards.actions` does the work, and the answer is
shaped into an output schema. An :class:`ActionError` becomes a 400 with its message.
"""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, FileEx, Form, P, PathEx, Query, Router, Schema, UploadedFile
from ninja.errors import HttpError
from ninja.responses import Status as Reply
from pydantic import ConfigDict, StrictBool

from freedomcities.web.accounts.apiauth import caller, require, sees_drafts, token_auth
from freedomcities.web.accounts.models import Role, is_staff_for, staff_states
from freedomcities.web.apitypes import (
    LIST_ERRORS,
    MAX_ID,
    MAX_REVISION,
    Input,
    Message,
    Page,
    PageQuery,
    Reason,
    RuleId,
    StateCode,
    Title,
    page,
    read,
    username,
    write,
)
from freedomcities.web.jurisdictions.api import AgencyId, AgencyOut, agency_or_404
from freedomcities.web.jurisdictions.data import UnknownState, state_by_postal
from freedomcities.web.jurisdictions.models import Agency
from freedomcities.web.scorecards import learning
from freedomcities.web.scorecards.actions import (
    StaleReview,
    confirm_remaining,
    publish,
    retry_analysis,
    review_rule,
    scorecard_json,
    upload_version,
)
from freedomcities.web.scorecards.learning import LabelledPassage
from freedomcities.web.scorecards.models import (
    Analysis,
    JobState,
    Obtained,
    PolicyVersion,
    Review,
    Status,
)

router = Router()

VersionId = PathEx[int, P(ge=1, le=MAX_ID, description="The policy version's id.")]


# Input types -------------------------------------------------------------------------------


class VersionQuery(PageQuery):
    """Filters for the list of policy versions."""

    agency: int | None = Field(None, ge=1, le=MAX_ID, description="Only this agency's versions.")


class UploadForm(Schema):
    """What is known about an uploaded policy file."""

    obtained: Obtained = Field(description="How the file was obtained.")
    policy_date: datetime.date = Field(description="The date the policy took effect or was issued.")
    title: Title = Field(
        "", description="The policy's title; empty for the agency's immigration policy."
    )


class RevisionIn(Input):
    """The version's revision the client last saw, so two reviewers never overwrite each other."""

    revision: int = Field(
        ge=0, le=MAX_REVISION, description="The version's `revision` when the client read it."
    )


class ReviewIn(RevisionIn):
    """A person's confirmation or override of one rule's status."""

    rule: RuleId = Field(description="The rule's id, e.g. '4' or '1373'.")
    status: Status = Field(description="The status the reviewer gives the rule.")
    reason: Reason = Field("", description="Why; needed when the status differs from the analysis.")
    in_practice_only: StrictBool = Field(
        False, description="Officials say it is practised, but it is not written in the policy."
    )
    passage: Reason = Field(
        "",
        description="The words of the policy that show the reviewed status; exported with the "
        "review, they teach the judge.",
    )


class ExportQuery(Schema):
    """Which reviews to export as labelled passages."""

    state: StateCode | None = Field(None, description="Only this state's agencies, e.g. AZ.")
    confirmed: bool = Field(
        False, description="Also export confirmations (the review agrees with the analysis)."
    )


# Output types ------------------------------------------------------------------------------


class RuleSummary(Schema):
    """One rule's published status."""

    id: str = Field(description="The rule's id, e.g. '4' or '1373'.")
    name: str = Field(description="The rule's name, e.g. 'Don't Ask Rule'.")
    status: Status = Field(description="The reviewed status.")
    in_practice_only: bool = Field(description="Practised, but not written in the policy.")


class StatusCounts(Schema):
    """How many rules have each status."""

    meets: int = Field(0, description="Rules in place in writing.")
    partial: int = Field(0, description="Rules partly in place.")
    conflicts: int = Field(0, description="Rules the policy contradicts.")
    silent: int = Field(0, description="Rules the policy does not address.")


class ScorecardSummary(Schema):
    """The short form of a published scorecard."""

    version: int = Field(
        description="The policy version's id; its full scorecard is at "
        "/api/versions/{id}/scorecard."
    )
    policy: str = Field(description="The policy's title.")
    policy_date: datetime.date = Field(description="When the policy took effect or was issued.")
    published_at: datetime.datetime = Field(description="When staff published the scorecard.")
    counts: StatusCounts = Field(description="How many rules have each status.")
    rules: list[RuleSummary] = Field(description="Each rule's status, in the ruleset's order.")


class AgencyDetail(AgencyOut):
    """An agency with its most recent published scorecard."""

    scorecard: ScorecardSummary | None = Field(
        description="The latest published version's scorecard; null when none is published."
    )

    @staticmethod
    def resolve_scorecard(obj: Agency) -> ScorecardSummary | None:
        return _summary(obj)


class VersionOut(Schema):
    """One uploaded file of a policy, and where its analysis and review stand."""

    id: int = Field(description="The version's id.")
    agency: int = Field(description="The agency's id.")
    agency_name: str = Field(description="The agency's name.")
    policy: str = Field(description="The policy's title.")
    original_name: str = Field(description="The uploaded file's name.")
    obtained: Obtained = Field(description="How the file was obtained.")
    policy_date: datetime.date = Field(description="When the policy took effect or was issued.")
    uploaded_at: datetime.datetime = Field(description="When the file was uploaded.")
    job_state: JobState = Field(description="Where the background analysis stands.")
    progress: int = Field(description="Percent of the analysis done.")
    error: str = Field(description="Why the analysis failed; empty unless job_state is failed.")
    retry_helps: bool = Field(
        description="False when the file itself is the problem (damaged, locked, empty): "
        "retrying gives the same result, so upload a better copy instead."
    )
    analysed_at: datetime.datetime | None = Field(description="When the analysis finished.")
    published: bool = Field(description="Whether the public can see it.")
    published_at: datetime.datetime | None = Field(description="When it was published.")
    revision: int = Field(description="Counts review edits; send it back with a review.")
    is_sample: bool = Field(description="Demo data: not a real agency's policy.")

    @staticmethod
    def resolve_agency(obj: PolicyVersion) -> int:
        return obj.policy.agency_id

    @staticmethod
    def resolve_agency_name(obj: PolicyVersion) -> str:
        return obj.policy.agency.name

    @staticmethod
    def resolve_policy(obj: PolicyVersion) -> str:
        return obj.policy.title

    @staticmethod
    def resolve_analysed_at(obj: PolicyVersion) -> datetime.datetime | None:
        analysis = _analysis(obj)
        return analysis.analysed_at if analysis else None

    @staticmethod
    def resolve_published(obj: PolicyVersion) -> bool:
        return obj.is_published


class Contract(Schema):
    """Part of the scorecard JSON contract (docs/json.md): fields may be added, never removed."""

    model_config = ConfigDict(extra="allow")


class DocumentOut(Contract):
    """The document that was read."""

    source: str = Field(description="The uploaded file's name.")
    title: str | None = Field(description="The document's own title, when it has one.")
    pages: int = Field(description="Pages read (1 for formats without pages).")
    sections: int = Field(description="Numbered or headed sections found.")
    ocr_pages: int = Field(description="Pages that were scanned images and read by OCR.")


class RulesetOut(Contract):
    """Which ruleset the policy was scored against."""

    id: str = Field(description="The ruleset's id, e.g. 'freedom-cities'.")
    version: str = Field(description="The ruleset's version, e.g. '2017.1'.")


class EvidenceOut(Contract):
    """One quote behind a rule's status."""

    section: str | None = Field(description="The section number, e.g. '415.3'.")
    heading: str | None = Field(description="The section heading, e.g. 'VICTIMS AND WITNESSES'.")
    page: int | None = Field(description="1-based page of the quote; null when unknown.")
    quote: str = Field(description="The exact words from the document.")
    stance: str = Field(description="meets, partial or conflicts.")


class RuleOut(Contract):
    """One rule's status, evidence and suggested wording."""

    id: str = Field(description="The rule's id, e.g. '4' or '1373'.")
    name: str = Field(description="The rule's name, e.g. 'Don't Ask Rule'.")
    status: Status = Field(
        description="The reviewed status where there is a review, else the analysis's."
    )
    analysed_status: Status = Field(description="What the analysis said.")
    in_practice_only: bool = Field(description="Practised, but not written in the policy.")
    confidence: float = Field(description="How sure the analysis is, 0 to 1.")
    evidence: list[EvidenceOut] = Field(description="The quotes behind the status.")
    suggestion: str | None = Field(description="Model wording to adopt; null when the rule is met.")


class FlagOut(Contract):
    """Problem language found in the document."""

    kind: str = Field(description="What kind of problem, e.g. 'dehumanizing-language'.")
    quote: str = Field(description="The exact words from the document.")
    page: int | None = Field(description="1-based page of the quote; null when unknown.")
    suggestion: str | None = Field(description="What to say instead.")


class ScorecardOut(Contract):
    """A version's full scorecard, in the JSON contract of docs/json.md."""

    document: DocumentOut = Field(description="The document that was read.")
    ruleset: RulesetOut = Field(description="The ruleset it was scored against.")
    jurisdiction: str | None = Field(description="The place the model wording names.")
    rules: list[RuleOut] = Field(description="Every rule of the ruleset, in its order.")
    flags: list[FlagOut] = Field(description="Problem language found in the document.")


class ReviewOut(Schema):
    """A saved review of one rule."""

    rule: str = Field(description="The rule's id, e.g. '4' or '1373'.")
    status: Status = Field(description="The status the reviewer gave the rule.")
    in_practice_only: bool = Field(description="Practised, but not written in the policy.")
    reason: str = Field(description="Why the reviewer decided so.")
    passage: str = Field(description="The policy's words that show the status; may be empty.")
    reviewer: str | None = Field(description="The reviewer's user name.")
    created_at: datetime.datetime = Field(description="When the review was saved.")
    carried_over: bool = Field(description="Copied from the previous version of the policy.")

    @staticmethod
    def resolve_rule(obj: Review) -> str:
        return obj.rule_id

    @staticmethod
    def resolve_reviewer(obj: Review) -> str | None:
        return username(obj.reviewer)

    @staticmethod
    def resolve_carried_over(obj: Review) -> bool:
        return obj.carried_from_id is not None


class ReviewSaved(ReviewOut):
    """A review just saved, with the version's new revision."""

    revision: int = Field(description="The version's revision now; send it with the next review.")

    @staticmethod
    def resolve_revision(obj: Review) -> int:
        return obj.version.revision


class LabelledPassageOut(Schema):
    """A review as a training row for the judge (`freedomcities train --passages`)."""

    rule_id: str = Field(description="The rule's id, e.g. '4' or '1373'.")
    label: str = Field(
        description="meets, partial, conflicts, or none (the rule is not addressed)."
    )
    passage: str = Field(description="The policy's words.")
    note: str = Field(description="Agency, policy date and the reviewer's reason.")


class ConfirmOut(Schema):
    """The result of confirming every rule nobody had reviewed."""

    confirmed: int = Field(description="How many rules were confirmed.")
    revision: int = Field(description="The version's revision now.")


class StaleOut(Schema):
    """Someone else saved a review first: their reviews, to check before saving again."""

    detail: str = Field(description="What happened and what to do next.")
    revision: int = Field(description="The version's current revision.")
    reviews: list[ReviewOut] = Field(description="The latest review of each rule.")


# Lookups and shaping -----------------------------------------------------------------------


def _reviewable(request: HttpRequest, version_id: int) -> PolicyVersion:
    """A version the caller may review: its state's staff and admins; a 404 for other staff."""
    version = _version(request, version_id)
    if not is_staff_for(caller(request), version.policy.agency.jurisdiction.state):
        raise HttpError(
            404, _("No policy version with the id %(id)s is yours to review.") % {"id": version_id}
        )
    return version


def _version(request: HttpRequest, version_id: int) -> PolicyVersion:
    """The version with this id, if the caller may see it; else a 404."""
    version = (
        PolicyVersion.objects.select_related("policy__agency__jurisdiction", "analysis")
        .filter(pk=version_id)
        .first()
    )
    if version is None or not (version.is_published or sees_drafts(request)):
        raise HttpError(
            404,
            _("No published policy version has the id %(id)s (drafts need a volunteer's token).")
            % {"id": version_id},
        )
    return version


def _analysis(version: PolicyVersion) -> Analysis | None:
    """The version's stored analysis, or None before it is analysed."""
    try:
        return version.analysis
    except Analysis.DoesNotExist:
        return None


def _reloaded(version: PolicyVersion) -> PolicyVersion:
    """A version read again after an action changed it."""
    return PolicyVersion.objects.select_related("policy__agency", "analysis").get(pk=version.pk)


def _summary(agency: Agency) -> ScorecardSummary | None:
    """The agency's latest published scorecard in short, or None."""
    published = PolicyVersion.objects.filter(
        policy__agency=agency, published_at__isnull=False, analysis__isnull=False
    ).select_related("policy", "analysis")
    version = published.order_by("-policy_date", "-published_at").first()
    if version is None or version.published_at is None:
        return None
    rules = [
        RuleSummary(
            id=rule["id"],
            name=rule["name"],
            status=rule["status"],
            in_practice_only=rule["in_practice_only"],
        )
        for rule in scorecard_json(version)["rules"]
    ]
    counts = Counter(str(rule.status.value) for rule in rules)
    return ScorecardSummary(
        version=version.pk,
        policy=version.policy.title,
        policy_date=version.policy_date,
        published_at=version.published_at,
        counts=StatusCounts(**counts),
        rules=rules,
    )


def _stale(version: PolicyVersion, exc: StaleReview) -> dict[str, Any]:
    """The 409 answer: the message, the current revision and everyone's latest reviews."""
    fresh = PolicyVersion.objects.get(pk=version.pk)
    reviews = fresh.latest_reviews().values()
    return {"detail": str(exc), "revision": fresh.revision, "reviews": list(reviews)}


# Reads -------------------------------------------------------------------------------------


@read(router, "/agencies/{agency_id}", AgencyDetail, "agencies")
def get_agency(request: HttpRequest, agency_id: AgencyId) -> Agency:
    """One agency, with its latest published scorecard in short."""
    return agency_or_404(agency_id)


@read(router, "/versions", Page[VersionOut], "versions", LIST_ERRORS)
def list_versions(request: HttpRequest, query: Query[VersionQuery]) -> dict[str, Any]:
    """Policy versions, newest policy date first: published ones, and drafts for volunteers."""
    versions = PolicyVersion.objects.select_related("policy__agency", "analysis").defer(
        "analysis__scorecard"  # the whole scorecard, text and all: a list shows none of it
    )
    if not sees_drafts(request):
        versions = versions.filter(published_at__isnull=False)
    if query.agency:
        versions = versions.filter(policy__agency_id=query.agency)
    return page(versions, query)


@read(router, "/versions/{version_id}", VersionOut, "versions")
def get_version(request: HttpRequest, version_id: VersionId) -> PolicyVersion:
    """One policy version: its analysis job's state and progress, dates and publication."""
    return _version(request, version_id)


@read(router, "/versions/{version_id}/scorecard", ScorecardOut, "versions")
def get_scorecard(request: HttpRequest, version_id: VersionId) -> dict[str, Any]:
    """A version's full scorecard, with each rule's reviewed status folded in."""
    version = _version(request, version_id)
    if _analysis(version) is None:
        raise HttpError(
            404,
            _("Version %(id)s has no scorecard yet: its analysis is %(state)s.")
            % {"id": version_id, "state": str(JobState(version.job_state).label).lower()},
        )
    return scorecard_json(version)


# Writes ------------------------------------------------------------------------------------


@write(router, "/agencies/{agency_id}/versions", {201: VersionOut}, "versions")
def upload(
    request: HttpRequest,
    agency_id: AgencyId,
    file: FileEx[UploadedFile, P(description="The policy: PDF, Word (.docx), HTML or text.")],
    form: Form[UploadForm],
) -> Reply[PolicyVersion]:
    """Upload a policy file as a new version and queue its analysis (volunteer or above)."""
    user = require(request, Role.VOLUNTEER)
    version = upload_version(
        agency_or_404(agency_id),
        file,
        obtained=form.obtained.value,
        policy_date=form.policy_date,
        user=user,
        title=form.title,
    )
    return Reply(201, _reloaded(version))


@write(router, "/versions/{version_id}/retry", {202: VersionOut}, "versions")
def retry(request: HttpRequest, version_id: VersionId) -> Reply[PolicyVersion]:
    """Queue a failed analysis again (volunteer or above)."""
    require(request, Role.VOLUNTEER)
    version = _version(request, version_id)
    retry_analysis(version)
    return Reply(202, _reloaded(version))


@write(router, "/versions/{version_id}/reviews", {201: ReviewSaved, 409: StaleOut}, "reviews")
def create_review(
    request: HttpRequest, version_id: VersionId, body: ReviewIn
) -> Reply[Review | dict[str, Any]]:
    """Confirm or override one rule's status (staff or above).

    Send the version's ``revision`` as read: if someone saved a review since, nothing is
    saved and the answer is a 409 with their reviews and the current revision.
    """
    user = require(request, Role.STAFF)
    version = _reviewable(request, version_id)
    try:
        review = review_rule(
            version,
            body.rule,
            status=body.status.value,
            reason=body.reason,
            in_practice_only=body.in_practice_only,
            user=user,
            revision=body.revision,
            passage=body.passage,
        )
    except StaleReview as exc:
        return Reply(409, _stale(version, exc))
    return Reply(201, review)


@router.get(
    "/reviews/export",
    response={200: list[LabelledPassageOut], 400: Message, 401: Message, 403: Message},
    auth=token_auth,
    tags=["reviews"],
)
def export_reviews(request: HttpRequest, query: Query[ExportQuery]) -> list[LabelledPassage]:
    """Reviews that override the analysis, as labelled passages to train the judge (staff or above).

    The same rows as `freedomcities export-reviews`; see docs/web.md, "Learning from review".
    """
    user = require(request, Role.STAFF)
    states = staff_states(user)
    if states is None:
        return learning.export_reviews(state=query.state, confirmed=query.confirmed)
    if query.state and query.state.upper() not in states:
        try:
            state_by_postal(query.state)  # an unknown state is refused as for everyone
        except UnknownState as exc:
            raise HttpError(400, str(exc)) from None
        return []  # a real state, but not one this staff member works for
    wanted = [query.state.upper()] if query.state else sorted(states)
    return [
        passage
        for state in wanted
        for passage in learning.export_reviews(state=state, confirmed=query.confirmed)
    ]


@write(router, "/versions/{version_id}/confirm", {200: ConfirmOut, 409: StaleOut}, "reviews")
def confirm(request: HttpRequest, version_id: VersionId, body: RevisionIn) -> Reply[dict[str, Any]]:
    """Confirm the analysis's status for every rule nobody has reviewed (staff or above)."""
    user = require(request, Role.STAFF)
    version = _reviewable(request, version_id)
    try:
        confirmed = confirm_remaining(version, user=user, revision=body.revision)
    except StaleReview as exc:
        return Reply(409, _stale(version, exc))
    return Reply(200, {"confirmed": confirmed, "revision": version.revision})


@write(router, "/versions/{version_id}/publish", {200: VersionOut}, "reviews")
def publish_version(request: HttpRequest, version_id: VersionId) -> PolicyVersion:
    """Show a fully reviewed version to the public (staff or above)."""
    user = require(request, Role.STAFF)
    version = _reviewable(request, version_id)
    publish(version, user=user)
    return _reloaded(version)
