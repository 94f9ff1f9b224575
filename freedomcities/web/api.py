"""The JSON API, with its OpenAPI schema at ``/api/openapi.json`` and docs at ``/api/docs``.

Reads are open to everyone and show published scorecards only; a volunteer's token
(``Authorization: Bearer <key>``, see :meth:`ApiToken.issue`) also shows drafts. Writes need
a token whose user has the role each operation names. A token that is sent but not valid
is always refused with 401, so a typo never passes silently as public access.

Each operation is thin: pydantic schemas check the input, :func:`_require` checks the role,
an action from :mod:`freedomcities.web.scorecards.actions` does the work, and the answer is
shaped into an output schema. An :class:`ActionError` becomes a 400 with its message.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable
from typing import Annotated, Any, Generic, TypeVar, cast

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found
from ninja import Field, FileEx, Form, NinjaAPI, P, PathEx, Query, Schema, UploadedFile
from ninja.decorators import decorate_view
from ninja.errors import AuthenticationError, HttpError
from ninja.operation import Operation
from ninja.responses import Status as Reply
from ninja.security import HttpBearer
from pydantic import (
    ConfigDict,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StrictBool,
    StringConstraints,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from freedomcities.web.accounts.models import (
    ApiToken,
    Role,
    has_role,
    is_staff_for,
    staff_states,
)
from freedomcities.web.cors import shared
from freedomcities.web.errors import ActionError
from freedomcities.web.events import osdi
from freedomcities.web.jurisdictions.actions import create_agency
from freedomcities.web.jurisdictions.data import UnknownState, state_by_postal
from freedomcities.web.jurisdictions.models import Agency, AgencyKind, Jurisdiction, Kind, Stage
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
from freedomcities.web.wire import Input

MAX_ID = 2**63 - 1  # the largest primary key a database column holds
MAX_REVISION = 2**31 - 1  # PositiveIntegerField's upper bound
MAX_OFFSET = 2**31 - 1
MAX_LIMIT = 500
DEFAULT_LIMIT = 100


VALIDATION_ERRORS = {
    "title": "ValidationErrors",
    "description": "The request did not match the schema: what was wrong, and where.",
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {
            "type": "array",
            "description": "Each mistake in the request.",
            "items": {
                "type": "object",
                "required": ["type", "loc", "msg"],
                "properties": {
                    "type": {"type": "string", "description": "The kind of mistake."},
                    "loc": {
                        "type": "array",
                        "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                        "description": "Where: the part of the request, then the field.",
                    },
                    "msg": {"type": "string", "description": "What is wrong, fit to show."},
                },
            },
        }
    },
}


class FreedomCitiesAPI(NinjaAPI):
    """The API, with operation ids named after their view functions (``list_agencies``)."""

    def get_openapi_operation_id(self, operation: Operation) -> str:
        return operation.view_func.__name__

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        """The schema, true to what the API answers: 422s and HAL documented where they occur.

        Every operation that takes parameters or a body answers 422 when they do not match
        the schema; django-ninja does that without documenting it. The OSDI operations
        answer ``application/hal+json``.
        """
        from freedomcities.web.events.api import HAL_OPERATIONS  # mounted below; no cycle

        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})
        schema["components"]["schemas"]["ValidationErrors"] = VALIDATION_ERRORS
        invalid = {
            "description": "The request does not match the schema.",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/ValidationErrors"}}
            },
        }
        unreadable = {
            "description": "The body could not be read (not JSON, or not the form's fields).",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Message"}}},
        }
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation["responses"]
                if operation.get("parameters") or operation.get("requestBody"):
                    responses.setdefault(422, invalid)
                if operation.get("requestBody"):
                    responses.setdefault(400, unreadable)
                if operation["operationId"] in HAL_OPERATIONS:
                    content = responses[200]["content"]
                    content[osdi.HAL] = content.pop("application/json")
        return schema


api = FreedomCitiesAPI(
    title="Freedom Cities API",
    version="1",
    urls_namespace="api",
    description=(
        "Jurisdictions, agencies and their immigration-enforcement policies, scored against "
        "the Freedom Cities model rules. Reads need no token and show published scorecards; "
        "send `Authorization: Bearer <key>` to see drafts (volunteer or above) and to write."
    ),
)


# Input types -------------------------------------------------------------------------------


def _storable(value: str) -> str:
    """Refuse text no database can store: NUL characters and lone surrogates."""
    if "\x00" in value:
        raise ValueError(_("Text may not contain NUL characters."))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(_("Text must be valid Unicode.")) from exc
    return value


class _StorableText:
    """Pydantic metadata: refuse what no database stores, and say so in the JSON schema."""

    PATTERN = "^[^\\x00]*$"  # no NUL character

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(_storable, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema.setdefault("pattern", self.PATTERN)
        return json_schema


Storable = _StorableText()
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), Storable
]
Title = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), Storable]
Words = Annotated[str, StringConstraints(max_length=120), Storable]
RuleId = Annotated[str, StringConstraints(max_length=10), Storable]
Reason = Annotated[str, StringConstraints(max_length=5000), Storable]
StateCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$", to_upper=True)]
OcdId = Annotated[str, StringConstraints(max_length=200), Storable]
AgencyId = PathEx[int, P(ge=1, le=MAX_ID, description="The agency's id.")]
VersionId = PathEx[int, P(ge=1, le=MAX_ID, description="The policy version's id.")]


class PageQuery(Schema):
    """Which slice of a long list to return."""

    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="How many items to return.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many items to skip first.")


class JurisdictionQuery(PageQuery):
    """Filters for the list of jurisdictions."""

    state: StateCode | None = Field(None, description="Postal code of the state, e.g. AZ.")
    kind: Kind | None = Field(None, description="Only states, counties or places.")
    q: Words | None = Field(
        None, description="Words the name contains, e.g. 'mesa' (case does not matter)."
    )


class AgencyQuery(PageQuery):
    """Filters for the list of agencies."""

    state: StateCode | None = Field(None, description="Postal code of the state, e.g. AZ.")
    jurisdiction: OcdId | None = Field(
        None, description="The Open Civic Data id of the agency's jurisdiction."
    )


class VersionQuery(PageQuery):
    """Filters for the list of policy versions."""

    agency: int | None = Field(None, ge=1, le=MAX_ID, description="Only this agency's versions.")


class AgencyIn(Input):
    """A new agency."""

    jurisdiction: OcdId = Field(
        description="The Open Civic Data id of its jurisdiction, "
        "e.g. ocd-division/country:us/state:az/place:mesa."
    )
    kind: AgencyKind = Field(description="Police department, sheriff's office or jail.")
    name: Name = Field(description="Its name, e.g. 'Mesa Police Department'.")


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


class Message(Schema):
    """An error: what happened, why, and what to do next."""

    detail: str = Field(description="The message, fit to show a person.")


ItemT = TypeVar("ItemT")


class Page(Schema, Generic[ItemT]):
    """One slice of a long list."""

    count: int = Field(description="How many items match, over all pages.")
    limit: int = Field(description="The most items one page holds.")
    offset: int = Field(description="How many matching items come before this page.")
    items: list[ItemT] = Field(description="The items on this page.")


class JurisdictionOut(Schema):
    """A state, county or place."""

    ocd_id: str = Field(description="Open Civic Data division id, the jurisdiction's key.")
    kind: Kind = Field(description="State, county or place.")
    name: str = Field(description="Its name, e.g. 'Maricopa County'.")
    state: str = Field(description="Postal code, e.g. AZ.")
    fips: str = Field(description="Census FIPS code; empty when unknown.")
    parent: str | None = Field(description="The ocd_id of the jurisdiction it lies in.")
    latitude: float | None = Field(description="Of its centre, in degrees; null when unknown.")
    longitude: float | None = Field(description="Of its centre, in degrees; null when unknown.")
    population: int | None = Field(description="People living there; null when unknown.")
    stage: Stage = Field(description="Where its campaign stands; empty for none yet.")

    @staticmethod
    def resolve_parent(obj: Jurisdiction) -> str | None:
        return obj.parent.ocd_id if obj.parent else None


class AgencyOut(Schema):
    """A police department, sheriff's office or jail."""

    id: int = Field(description="The agency's id.")
    name: str = Field(description="Its name, e.g. 'Mesa Police Department'.")
    kind: AgencyKind = Field(description="Police department, sheriff's office or jail.")
    jurisdiction: str = Field(description="The ocd_id of its jurisdiction.")
    jurisdiction_name: str = Field(description="Its jurisdiction's name, e.g. 'Mesa, AZ'.")
    state: str = Field(description="Postal code, e.g. AZ.")
    is_sample: bool = Field(description="Demo data: not a real agency's policy.")

    @staticmethod
    def resolve_jurisdiction(obj: Agency) -> str:
        return obj.jurisdiction.ocd_id

    @staticmethod
    def resolve_jurisdiction_name(obj: Agency) -> str:
        return str(obj.jurisdiction)

    @staticmethod
    def resolve_state(obj: Agency) -> str:
        return obj.jurisdiction.state


class JurisdictionDetail(JurisdictionOut):
    """A jurisdiction with its agencies."""

    agencies: list[AgencyOut] = Field(description="Its police, sheriff and jail agencies.")

    @staticmethod
    def resolve_agencies(obj: Jurisdiction) -> list[Agency]:
        return list(obj.agencies.select_related("jurisdiction"))


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
        return obj.reviewer.get_username() if obj.reviewer else None

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


LIST_ERRORS: dict[int, type[Schema]] = {401: Message}
READ_ERRORS: dict[int, type[Schema]] = {401: Message, 404: Message}
WRITE_ERRORS: dict[int, type[Schema]] = {400: Message, 401: Message, 403: Message, 404: Message}


# Who is asking -----------------------------------------------------------------------------


class InvalidToken(AuthenticationError):
    """A token was sent but matches no active user's key."""


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <key>`` with a key from :meth:`ApiToken.issue`."""

    def authenticate(self, request: HttpRequest, token: str) -> User:
        found = ApiToken.find(token)
        if found is None or not found.user.is_active:
            raise InvalidToken(message=_("This API token is not valid; ask for a new one."))
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        return found.user


def _anyone(request: HttpRequest) -> AnonymousUser:
    """Lets a read go on without a token, as the public."""
    return AnonymousUser()


token_auth = TokenAuth()
READ_AUTH = [token_auth, _anyone]


def _caller(request: HttpRequest) -> AbstractBaseUser | AnonymousUser:
    """The user the request's token belongs to, or the anonymous public."""
    return cast(AbstractBaseUser | AnonymousUser, getattr(request, "auth", AnonymousUser()))


def _require(request: HttpRequest, role: Role) -> User:
    """The caller, if their role is ``role`` or above; else a 403."""
    user = _caller(request)
    if not isinstance(user, User) or not has_role(user, role):
        raise HttpError(
            403,
            _("Your role does not allow this: it needs %(role)s or higher.") % {"role": role.label},
        )
    return user


def _sees_drafts(request: HttpRequest) -> bool:
    """Whether the caller may see versions that are not published."""
    return has_role(_caller(request), Role.VOLUNTEER)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    """401 with a message saying what to send."""
    detail = (
        exc.message
        if isinstance(exc, InvalidToken)
        else _("This needs an API token: send the header 'Authorization: Bearer <key>'.")
    )
    response = api.create_response(request, {"detail": detail}, status=401)
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(ActionError)
def _refused(request: HttpRequest, exc: ActionError) -> HttpResponse:
    """An action's refusal, with its message, as a 400."""
    return api.create_response(request, {"detail": str(exc)}, status=400)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 404 for the site, JSON for addresses under /api/ that match no operation."""
    if request.path.startswith("/api/"):
        detail = _("Nothing is at this address of the API; see /api/docs for what is.")
        return api.create_response(request, {"detail": detail}, status=404)
    return page_not_found(request, exception)


# Lookups and shaping -----------------------------------------------------------------------

M = TypeVar("M", bound=Model)


def _agency(agency_id: int) -> Agency:
    """The agency with this id, or a 404."""
    agency = Agency.objects.select_related("jurisdiction").filter(pk=agency_id).first()
    if agency is None:
        raise HttpError(404, _("No agency has the id %(id)s.") % {"id": agency_id})
    return agency


def _reviewable(request: HttpRequest, version_id: int) -> PolicyVersion:
    """A version the caller may review: its state's staff and admins; a 404 for other staff."""
    version = _version(request, version_id)
    if not is_staff_for(_caller(request), version.policy.agency.jurisdiction.state):
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
    if version is None or not (version.is_published or _sees_drafts(request)):
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


def _page(queryset: QuerySet[M], query: PageQuery) -> dict[str, Any]:
    """One page of a queryset, with the total count, for :class:`Page`."""
    items = list(queryset[query.offset : query.offset + query.limit])
    return {"count": queryset.count(), "limit": query.limit, "offset": query.offset, "items": items}


F = TypeVar("F", bound=Callable[..., Any])


def _read(path: str, ok: Any, tag: str, errors: dict[int, Any] = READ_ERRORS) -> Callable[[F], F]:
    """Register a read: open to all (other sites' pages too); a token, if sent, must be
    valid, and may show drafts."""
    register = api.get(
        path,
        response={200: ok, **errors},
        auth=READ_AUTH,
        openapi_extra={"security": [{}]},  # the token is optional
        tags=[tag],
    )
    return lambda view: register(decorate_view(shared)(view))


def _write(path: str, responses: dict[int, Any], tag: str) -> Callable[[F], F]:
    """Register a write: it needs a valid token; the view checks the caller's role."""
    return api.post(path, response={**responses, **WRITE_ERRORS}, auth=token_auth, tags=[tag])


# Reads -------------------------------------------------------------------------------------


@_read("/jurisdictions", Page[JurisdictionOut], "jurisdictions", LIST_ERRORS)
def list_jurisdictions(request: HttpRequest, query: Query[JurisdictionQuery]) -> dict[str, Any]:
    """States, counties and places, filtered by state, kind and name."""
    jurisdictions = Jurisdiction.objects.select_related("parent")
    if query.state:
        jurisdictions = jurisdictions.filter(state=query.state)
    if query.kind:
        jurisdictions = jurisdictions.filter(kind=query.kind)
    if query.q and query.q.strip():
        jurisdictions = jurisdictions.filter(name__icontains=query.q.strip())
    return _page(jurisdictions, query)


@_read("/jurisdictions/{path:ocd_id}", JurisdictionDetail, "jurisdictions")
def get_jurisdiction(
    request: HttpRequest,
    ocd_id: PathEx[OcdId, P(description="Open Civic Data division id, its / and : as they are.")],
) -> Jurisdiction:
    """One jurisdiction, by its Open Civic Data id, with its agencies."""
    jurisdiction = Jurisdiction.objects.select_related("parent").filter(ocd_id=ocd_id).first()
    if jurisdiction is None:
        raise HttpError(404, _("No jurisdiction has the id %(id)s.") % {"id": ocd_id})
    return jurisdiction


@_read("/agencies", Page[AgencyOut], "agencies", LIST_ERRORS)
def list_agencies(request: HttpRequest, query: Query[AgencyQuery]) -> dict[str, Any]:
    """Police departments, sheriff's offices and jails, filtered by state or jurisdiction."""
    agencies = Agency.objects.select_related("jurisdiction")
    if query.state:
        agencies = agencies.filter(jurisdiction__state=query.state)
    if query.jurisdiction:
        agencies = agencies.filter(jurisdiction__ocd_id=query.jurisdiction)
    return _page(agencies, query)


@_read("/agencies/{agency_id}", AgencyDetail, "agencies")
def get_agency(request: HttpRequest, agency_id: AgencyId) -> Agency:
    """One agency, with its latest published scorecard in short."""
    return _agency(agency_id)


@_read("/versions", Page[VersionOut], "versions", LIST_ERRORS)
def list_versions(request: HttpRequest, query: Query[VersionQuery]) -> dict[str, Any]:
    """Policy versions, newest policy date first: published ones, and drafts for volunteers."""
    versions = PolicyVersion.objects.select_related("policy__agency", "analysis").defer(
        "analysis__scorecard"  # the whole scorecard, text and all: a list shows none of it
    )
    if not _sees_drafts(request):
        versions = versions.filter(published_at__isnull=False)
    if query.agency:
        versions = versions.filter(policy__agency_id=query.agency)
    return _page(versions, query)


@_read("/versions/{version_id}", VersionOut, "versions")
def get_version(request: HttpRequest, version_id: VersionId) -> PolicyVersion:
    """One policy version: its analysis job's state and progress, dates and publication."""
    return _version(request, version_id)


@_read("/versions/{version_id}/scorecard", ScorecardOut, "versions")
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


@_write("/agencies", {201: AgencyOut}, "agencies")
def add_agency(request: HttpRequest, body: AgencyIn) -> Reply[Agency]:
    """Add an agency to a jurisdiction (volunteer or above)."""
    _require(request, Role.VOLUNTEER)
    jurisdiction = Jurisdiction.objects.filter(ocd_id=body.jurisdiction).first()
    if jurisdiction is None:
        raise HttpError(400, _("No jurisdiction has the id %(id)s.") % {"id": body.jurisdiction})
    try:
        agency = create_agency(jurisdiction, kind=body.kind, name=body.name)
    except ActionError as exc:
        raise HttpError(400, str(exc)) from exc
    return Reply(201, agency)


@_write("/agencies/{agency_id}/versions", {201: VersionOut}, "versions")
def upload(
    request: HttpRequest,
    agency_id: AgencyId,
    file: FileEx[UploadedFile, P(description="The policy: PDF, Word (.docx), HTML or text.")],
    form: Form[UploadForm],
) -> Reply[PolicyVersion]:
    """Upload a policy file as a new version and queue its analysis (volunteer or above)."""
    user = _require(request, Role.VOLUNTEER)
    version = upload_version(
        _agency(agency_id),
        file,
        obtained=form.obtained.value,
        policy_date=form.policy_date,
        user=user,
        title=form.title,
    )
    return Reply(201, _reloaded(version))


@_write("/versions/{version_id}/retry", {202: VersionOut}, "versions")
def retry(request: HttpRequest, version_id: VersionId) -> Reply[PolicyVersion]:
    """Queue a failed analysis again (volunteer or above)."""
    _require(request, Role.VOLUNTEER)
    version = _version(request, version_id)
    retry_analysis(version)
    return Reply(202, _reloaded(version))


@_write("/versions/{version_id}/reviews", {201: ReviewSaved, 409: StaleOut}, "reviews")
def create_review(
    request: HttpRequest, version_id: VersionId, body: ReviewIn
) -> Reply[Review | dict[str, Any]]:
    """Confirm or override one rule's status (staff or above).

    Send the version's ``revision`` as read: if someone saved a review since, nothing is
    saved and the answer is a 409 with their reviews and the current revision.
    """
    user = _require(request, Role.STAFF)
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


@api.get(
    "/reviews/export",
    response={200: list[LabelledPassageOut], 400: Message, 401: Message, 403: Message},
    auth=token_auth,
    tags=["reviews"],
)
def export_reviews(request: HttpRequest, query: Query[ExportQuery]) -> list[LabelledPassage]:
    """Reviews that override the analysis, as labelled passages to train the judge (staff or above).

    The same rows as `freedomcities export-reviews`; see docs/web.md, "Learning from review".
    """
    user = _require(request, Role.STAFF)
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


@_write("/versions/{version_id}/confirm", {200: ConfirmOut, 409: StaleOut}, "reviews")
def confirm(request: HttpRequest, version_id: VersionId, body: RevisionIn) -> Reply[dict[str, Any]]:
    """Confirm the analysis's status for every rule nobody has reviewed (staff or above)."""
    user = _require(request, Role.STAFF)
    version = _reviewable(request, version_id)
    try:
        confirmed = confirm_remaining(version, user=user, revision=body.revision)
    except StaleReview as exc:
        return Reply(409, _stale(version, exc))
    return Reply(200, {"confirmed": confirmed, "revision": version.revision})


@_write("/versions/{version_id}/publish", {200: VersionOut}, "reviews")
def publish_version(request: HttpRequest, version_id: VersionId) -> PolicyVersion:
    """Show a fully reviewed version to the public (staff or above)."""
    user = _require(request, Role.STAFF)
    version = _reviewable(request, version_id)
    publish(version, user=user)
    return _reloaded(version)


# The events app's OSDI-shaped endpoints live in their own module, mounted here.
from freedomcities.web.events.api import router as events_router  # noqa: E402

api.add_router("/events/", events_router)

# The campaign tracker's endpoints, too (its module imports this one's auth and shapes).
from freedomcities.web.campaign.api import router as campaign_router  # noqa: E402

api.add_router("/campaign/", campaign_router)
