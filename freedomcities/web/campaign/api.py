"""The campaign tracker's JSON API, which :mod:`freedomcities.web.api` mounts at ``/api/campaign/``.

The permissions are the pages' (see :mod:`.access`): the board, the officials'
office contacts, their published positions and each place's stage are public;
everything else needs a token (``Authorization: Bearer <key>``). A group's
meetings, notes, members, promises, reports and tools are for its members and
the affiliate's staff: anyone else gets a 404, as on the pages, so a private
thing never shows that it exists. How friendly an official is shows only to
the group that listed them and to staff.

Each operation is thin: pydantic checks the input, an action from :mod:`.actions`
does the work, and its refusal becomes a 403 (the person's part does not allow
it), a 409 (someone saved first) or a 400 (anything else), with its message.
The token check comes from :mod:`freedomcities.web.accounts.apiauth` and the shared shapes
from :mod:`freedomcities.web.apitypes`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import P, PathEx, Query, Router
from ninja.decorators import decorate_view
from ninja.errors import HttpError
from ninja.responses import Status as Reply

from freedomcities.web.accounts.apiauth import READ_AUTH, caller, require, token_auth
from freedomcities.web.accounts.models import Role
from freedomcities.web.apitypes import WRITE_ERRORS, Message, Page, PageQuery, page
from freedomcities.web.campaign import access, actions, drafts, language, reopen, tactics
from freedomcities.web.campaign.actions import NotAllowed, StaleSubmission
from freedomcities.web.campaign.api_schemas import (
    BoardQuery,
    ChangeOut,
    ChangeQuery,
    DraftOut,
    DraftQuery,
    GroupId,
    GroupOut,
    MeetingId,
    MeetingOut,
    MeetingQuery,
    MeetingSummary,
    MemberOut,
    OfficialOut,
    PersonId,
    PlaceOut,
    PositionOut,
    PromiseId,
    PromiseOut,
    PromiseQuery,
    ReopenRequestOut,
    ReportId,
    ReportOut,
    ReportQuery,
    StageOut,
    StaleOutcome,
    SuggestionOut,
    WordingFlag,
    answer_out,
    official_out,
    stage_out,
)
from freedomcities.web.campaign.inputs import (
    AcceptIn,
    DraftKind,
    GroupIn,
    MemberIn,
    OfficialIn,
    OfficialPatch,
    OutcomeIn,
    PlaceIn,
    PlanIn,
    PlanPatch,
    PromiseIn,
    PromisePatch,
    ReopenIn,
    ReportIn,
    ReturnIn,
    StageIn,
    TextIn,
)
from freedomcities.web.campaign.models import (
    Group,
    GroupMember,
    Meeting,
    Person,
    Promise,
    ReopenRequest,
    Report,
    answer_history,
)
from freedomcities.web.campaign.reopen import MeetingLocked
from freedomcities.web.errors import ActionError
from freedomcities.web.jurisdictions.api import PlaceId
from freedomcities.web.jurisdictions.models import Jurisdiction, Stage
from freedomcities.web.responses import shared
from freedomcities.web.scorecards import dashboard

router: Router = Router(tags=["campaign"])

PRIVATE = {401: Message, 403: Message, 404: Message}


# Who is asking, and what they may see ------------------------------------------------------

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


def _user(request: HttpRequest) -> User:
    """The token's user on an operation that needs a token."""
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User), "token_auth lets only users through"
    return user


def _volunteer(request: HttpRequest) -> User:
    """The caller, if a volunteer or above (as the group pages require); else a 403."""
    return require(request, Role.VOLUNTEER)


def _refusal(exc: ActionError) -> HttpError:
    """An action's refusal as 403 (not allowed), 409 (someone saved first, or locked) or 400."""
    status = 400
    if isinstance(exc, NotAllowed):
        status = 403
    elif isinstance(exc, StaleSubmission | MeetingLocked):
        status = 409
    return HttpError(status, str(exc))


def _act(work: Callable[[], T]) -> T:
    """Run an action; a refusal becomes an HTTP error with the action's own message."""
    try:
        return work()
    except ActionError as exc:
        raise _refusal(exc) from exc


def _hidden(message: str, pk: int) -> HttpError:
    """The 404 for something missing or private: the two look the same."""
    return HttpError(404, message % {"id": pk})


def _group(request: HttpRequest, pk: int) -> Group:
    """A group the caller belongs to (any group for staff); else a 404."""
    group = Group.objects.select_related("home").filter(pk=pk).first()
    if group is None or not access.can_see_group(caller(request), group):
        raise _hidden(_("No group you can see has the id %(id)s."), pk)
    return group


def _meeting(request: HttpRequest, pk: int) -> Meeting:
    """A meeting of one of the caller's groups, or a 404."""
    meeting = Meeting.objects.select_related("group", "jurisdiction").filter(pk=pk).first()
    if meeting is None or not access.can_see_group(caller(request), meeting.group):
        raise _hidden(_("No meeting you can see has the id %(id)s."), pk)
    return meeting


def _promise(request: HttpRequest, pk: int) -> Promise:
    """A promise of one of the caller's groups, or a 404."""
    found = Promise.objects.select_related("group", "meeting", "person", "owner").filter(pk=pk)
    promise = found.first()
    if promise is None or not access.can_see_group(caller(request), promise.group):
        raise _hidden(_("No promise you can see has the id %(id)s."), pk)
    return promise


def _report(request: HttpRequest, pk: int) -> Report:
    """A report-back of one of the caller's groups, or a 404."""
    related = ("meeting__group", "meeting__jurisdiction", "submitted_by", "reviewed_by")
    report = Report.objects.select_related(*related).filter(pk=pk).first()
    if report is None or not access.can_see_group(caller(request), report.meeting.group):
        raise _hidden(_("No report you can see has the id %(id)s."), pk)
    return report


def _person(pk: int) -> Person:
    """An official (public), or a 404."""
    person = Person.objects.filter(pk=pk).first()
    if person is None:
        raise HttpError(404, _("No official has the id %(id)s.") % {"id": pk})
    return person


def _place(ocd_id: str) -> Jurisdiction:
    """A jurisdiction by its ocd_id in the path, or a 404 (the actions look up one in a body)."""
    place = Jurisdiction.objects.filter(ocd_id=ocd_id).first()
    if place is None:
        raise HttpError(404, _("No jurisdiction has the id %(id)s.") % {"id": ocd_id})
    return place


# Registration ------------------------------------------------------------------------------


def _public(path: str, ok: Any, errors: dict[int, Any] | None = None) -> Callable[[F], F]:
    """A read the public may make; a token, if sent, must be valid and may show more."""
    register = router.get(
        path,
        response={200: ok, 401: Message, **(errors or {})},
        auth=READ_AUTH,
        openapi_extra={"security": [{}]},  # the token is optional
    )
    return lambda view: register(decorate_view(shared)(view))  # other sites may read it


def _private(path: str, ok: Any) -> Callable[[F], F]:
    """A read that needs a token; private things answer 404 to outsiders."""
    return router.get(path, response={200: ok, 400: Message, **PRIVATE}, auth=token_auth)


def _post(path: str, responses: dict[int, Any]) -> Callable[[F], F]:
    """A write that needs a token; the action checks who may do it."""
    return router.post(path, response={**responses, **WRITE_ERRORS}, auth=token_auth)


def _patch(path: str, responses: dict[int, Any]) -> Callable[[F], F]:
    """A change that needs a token; only the fields sent change."""
    return router.patch(path, response={**responses, **WRITE_ERRORS}, auth=token_auth)


# Groups and members ------------------------------------------------------------------------


@_private("/groups", Page[GroupOut])
def list_groups(request: HttpRequest, query: Query[PageQuery]) -> dict[str, Any]:
    """The caller's groups; every group for staff."""
    user = _volunteer(request)
    return page(access.visible_groups(user).select_related("home").order_by("state", "name"), query)


@_post("/groups", {201: GroupOut})
def create_group(request: HttpRequest, body: GroupIn) -> Reply[Group]:
    """Start a local group (group organizer role); its creator becomes its first organizer."""
    user = _volunteer(request)
    group = _act(lambda: actions.create_group(body, by=user))
    return Reply(201, group)


@_private("/groups/{group_id}", GroupOut)
def get_group(request: HttpRequest, group_id: GroupId) -> Group:
    """One of the caller's groups, with its campaigns."""
    _volunteer(request)
    return _group(request, group_id)


@_post("/groups/{group_id}/campaigns", {201: GroupOut})
def add_campaign(request: HttpRequest, group_id: GroupId, body: PlaceIn) -> Reply[Group]:
    """Start campaigning in another city or county of the group's state (organizers)."""
    user = _volunteer(request)
    group = _group(request, group_id)
    _act(lambda: actions.add_campaign(group, body, by=user))
    return Reply(201, group)


@_private("/groups/{group_id}/members", list[MemberOut])
def list_members(request: HttpRequest, group_id: GroupId) -> list[GroupMember]:
    """The group's volunteers and their contacts: for its members and staff only."""
    _volunteer(request)
    group = _group(request, group_id)
    return list(group.memberships.select_related("user").order_by("user__username"))


@_post("/groups/{group_id}/members", {200: MemberOut, 201: MemberOut})
def add_member(request: HttpRequest, group_id: GroupId, body: MemberIn) -> Reply[GroupMember]:
    """Add a volunteer by username or e-mail (201), or change their part in the group (200)."""
    user = _volunteer(request)
    group = _group(request, group_id)
    before = set(group.memberships.values_list("pk", flat=True))
    member = _act(lambda: actions.add_member(group, body, by=user))
    return Reply(200 if member.pk in before else 201, member)


@_private("/groups/{group_id}/changes", Page[ChangeOut])
def list_changes(
    request: HttpRequest, group_id: GroupId, query: Query[ChangeQuery]
) -> dict[str, Any]:
    """Who changed what in the group's campaign, and when, newest first."""
    _volunteer(request)
    changes = _group(request, group_id).changes.select_related("user")
    if query.subject:
        changes = changes.filter(subject=query.subject)
    return page(changes, query)


# Officials ---------------------------------------------------------------------------------


@_public("/jurisdictions/{path:ocd_id}/officials", list[OfficialOut], {404: Message})
def list_officials(request: HttpRequest, ocd_id: PlaceId) -> list[dict[str, Any]]:
    """The officials to press in a place, with their office contacts (public)."""
    people = actions.officials_of(_place(ocd_id)).select_related("added_by")
    return [official_out(person, caller(request)) for person in people]


@_post("/jurisdictions/{path:ocd_id}/officials", {201: OfficialOut})
def add_official(request: HttpRequest, ocd_id: PlaceId, body: OfficialIn) -> Reply[dict[str, Any]]:
    """List an official to press (the group's organizers, or staff)."""
    user = _volunteer(request)
    place = _place(ocd_id)
    person = _act(lambda: actions.add_official(place, body, by=user))
    return Reply(201, official_out(person, user))


@_public("/officials/{person_id}", OfficialOut, {404: Message})
def get_official(request: HttpRequest, person_id: PersonId) -> dict[str, Any]:
    """An official's offices and contacts (public); friendliness for their group and staff."""
    return official_out(_person(person_id), caller(request))


@_patch("/officials/{person_id}", {200: OfficialOut})
def update_official(
    request: HttpRequest, person_id: PersonId, body: OfficialPatch
) -> dict[str, Any]:
    """Change an official's contacts or friendliness, or record that they left office."""
    user = _volunteer(request)
    person = _person(person_id)
    _act(lambda: actions.update_official(person, body, by=user))
    return official_out(person, user)


@_public("/officials/{person_id}/positions", list[PositionOut], {404: Message})
def list_positions(request: HttpRequest, person_id: PersonId) -> list[dict[str, Any]]:
    """Where an official stands on each rule, with the history (public: published answers)."""
    person = _person(person_id)
    user = caller(request)
    history = answer_history(access.visible_answers(user).filter(person=person))
    seen = set(access.visible_meetings(user).values_list("pk", flat=True))
    positions = []
    for rule in dashboard.rules():
        answers = [
            answer_out(a, visible=a.meeting_id in seen)
            for a in history.get((person.pk, rule.id), [])
        ]
        positions.append(
            {
                "rule": rule.id,
                "name": rule.name,
                "position": answers[-1] if answers else None,
                "history": answers,
            }
        )
    return positions


# Stages and the board ----------------------------------------------------------------------


@_public("/board", Page[PlaceOut])
def board(request: HttpRequest, query: Query[BoardQuery]) -> dict[str, Any]:
    """Every place with a campaign and its stage (public), by state and name."""
    places = Jurisdiction.objects.exclude(stage=Stage.NONE).order_by("state", "name", "pk")
    if query.state:
        places = places.filter(state=query.state)
    return page(places, query)


@_public("/jurisdictions/{path:ocd_id}/stage", StageOut, {404: Message})
def get_stage(request: HttpRequest, ocd_id: PlaceId) -> dict[str, Any]:
    """A place's campaign stage (public)."""
    return stage_out(_place(ocd_id), caller(request))


@_post("/jurisdictions/{path:ocd_id}/stage", {200: StageOut})
def set_stage(request: HttpRequest, ocd_id: PlaceId, body: StageIn) -> dict[str, Any]:
    """Set a place's stage by hand, adopted and stalled included (its organizers, or staff)."""
    user = _volunteer(request)
    place = _place(ocd_id)
    _act(lambda: actions.set_stage(place, body, by=user))
    return stage_out(place, user)


# Meetings ----------------------------------------------------------------------------------


@_private("/meetings", Page[MeetingSummary])
def list_meetings(request: HttpRequest, query: Query[MeetingQuery]) -> dict[str, Any]:
    """Meetings of the caller's groups (every group's for staff), newest request first."""
    meetings = access.visible_meetings(_volunteer(request)).select_related("jurisdiction")
    if query.group:
        meetings = meetings.filter(group_id=query.group)
    if query.jurisdiction:
        meetings = meetings.filter(jurisdiction__ocd_id=query.jurisdiction)
    if query.status:
        meetings = meetings.filter(status=query.status)
    return page(meetings.order_by("-requested_on", "-pk"), query)


@_post("/groups/{group_id}/meetings", {201: MeetingOut})
def plan_meeting(request: HttpRequest, group_id: GroupId, body: PlanIn) -> Reply[Meeting]:
    """Record a meeting request, or a scheduled meeting; the agenda is drafted if none is given.

    The drafted agenda lists the rules the place's published scorecards show
    missing first, each with its plain reason, then the rules to thank them for.
    """
    user = _volunteer(request)
    group = _group(request, group_id)
    meeting = _act(lambda: actions.plan_meeting(group, body, by=user))
    return Reply(201, meeting)


@_private("/meetings/{meeting_id}", MeetingOut)
def get_meeting(request: HttpRequest, meeting_id: MeetingId) -> Meeting:
    """A meeting with its agenda, answers, promises and notes: for the group and staff only."""
    _volunteer(request)
    return _meeting(request, meeting_id)


@_patch("/meetings/{meeting_id}", {200: MeetingOut})
def update_meeting(request: HttpRequest, meeting_id: MeetingId, body: PlanPatch) -> Meeting:
    """Change a meeting's plan: only the fields sent change (status only until it is held)."""
    user = _volunteer(request)
    meeting = _meeting(request, meeting_id)
    _act(lambda: actions.update_meeting(meeting, body, by=user))
    return _meeting(request, meeting_id)


@_post("/meetings/{meeting_id}/agenda", {200: MeetingOut})
def redraft_agenda(request: HttpRequest, meeting_id: MeetingId) -> Meeting:
    """Draft the agenda again from the latest published scorecards."""
    user = _volunteer(request)
    meeting = _meeting(request, meeting_id)
    return _act(lambda: actions.redraft_agenda(meeting, by=user))


@_post("/meetings/{meeting_id}/outcome", {200: MeetingOut, 409: StaleOutcome})
def record_outcome(
    request: HttpRequest, meeting_id: MeetingId, body: OutcomeIn
) -> Reply[Meeting | dict[str, Any]]:
    """Save what was said: per-rule answers, promises, notes, contact, next meeting.

    Send the meeting's ``revision`` as read: if the outcome was saved since
    (by someone else, or by sending twice), nothing is saved and the answer
    is a 409 with the current revision.
    """
    user = _volunteer(request)
    meeting = _meeting(request, meeting_id)
    try:
        actions.record_outcome(meeting, body, by=user)
    except StaleSubmission as exc:
        revision = Meeting.objects.filter(pk=meeting.pk).values_list("revision", flat=True)[0]
        return Reply(409, {"detail": str(exc), "revision": revision})
    except ActionError as exc:
        raise _refusal(exc) from exc
    return Reply(200, _meeting(request, meeting_id))


# Report-backs ------------------------------------------------------------------------------


@_post("/meetings/{meeting_id}/report", {201: ReportOut})
def submit_report(request: HttpRequest, meeting_id: MeetingId, body: ReportIn) -> Reply[Report]:
    """Send a held meeting's report-back to the affiliate (again, after it was returned)."""
    user = _volunteer(request)
    meeting = _meeting(request, meeting_id)
    return Reply(201, _act(lambda: actions.submit_report(meeting, body, by=user)))


@router.get("/reports", response={200: Page[ReportOut], **PRIVATE}, auth=token_auth)
def report_queue(request: HttpRequest, query: Query[ReportQuery]) -> dict[str, Any]:
    """The affiliate's queue (staff): waiting reports by default, oldest first."""
    if not access.is_staff(_user(request)):
        raise HttpError(403, _("Only affiliate staff review report-backs."))
    related = ("meeting__group", "meeting__jurisdiction", "submitted_by", "reviewed_by")
    reports = (
        access.reviewable_reports(_user(request))
        .select_related(*related)
        .order_by("submitted_at", "pk")
    )
    if query.state:
        reports = reports.filter(meeting__group__state=query.state)
    if query.show:
        reports = reports.filter(state=query.show)
    return page(reports, query)


@_private("/reports/{report_id}", ReportOut)
def get_report(request: HttpRequest, report_id: ReportId) -> Report:
    """A report-back: for its group's members and staff."""
    _volunteer(request)
    return _report(request, report_id)


@_post("/reports/{report_id}/accept", {200: ReportOut, 409: Message})
def accept_report(request: HttpRequest, report_id: ReportId, body: AcceptIn) -> Report:
    """Accept a waiting report (staff); publishing makes the officials' answers public."""
    user = _volunteer(request)
    report = _report(request, report_id)
    return _act(lambda: actions.accept_report(report, body, by=user))


@_post("/reports/{report_id}/return", {200: ReportOut, 409: Message})
def return_report(request: HttpRequest, report_id: ReportId, body: ReturnIn) -> Report:
    """Send a waiting report back to the group with a question (staff)."""
    user = _volunteer(request)
    report = _report(request, report_id)
    return _act(lambda: actions.return_report(report, body, by=user))


@_post("/meetings/{meeting_id}/reopen-requests", {201: ReopenRequestOut})
def request_reopen(
    request: HttpRequest, meeting_id: MeetingId, body: ReopenIn
) -> Reply[ReopenRequest]:
    """Ask the affiliate's staff to reopen a meeting already reported, saying what needs
    changing (as on the meeting's page); staff decide on the meeting's page."""
    user = _volunteer(request)
    meeting = _meeting(request, meeting_id)
    return Reply(201, _act(lambda: reopen.request_reopen(meeting, body, by=user)))


# Promises ----------------------------------------------------------------------------------


@_private("/promises", Page[PromiseOut])
def list_promises(request: HttpRequest, query: Query[PromiseQuery]) -> dict[str, Any]:
    """Promises and next steps of the caller's groups (all for staff), soonest due first."""
    promises = access.visible_promises(_volunteer(request)).select_related("person", "owner")
    if query.group:
        promises = promises.filter(group_id=query.group)
    if query.official:
        promises = promises.filter(person_id=query.official)
    if query.state:
        promises = promises.filter(state=query.state)
    if query.overdue:
        promises = actions.overdue(promises)
    return page(promises.order_by("due_on", "pk"), query)


@_post("/groups/{group_id}/promises", {201: PromiseOut})
def add_promise(request: HttpRequest, group_id: GroupId, body: PromiseIn) -> Reply[Promise]:
    """Add a next step, or a promise made outside a meeting, with its owner and due date."""
    user = _volunteer(request)
    group = _group(request, group_id)
    return Reply(201, _act(lambda: actions.add_promise(group, body, by=user)))


@_private("/promises/{promise_id}", PromiseOut)
def get_promise(request: HttpRequest, promise_id: PromiseId) -> Promise:
    """A promise: for its group's members and staff."""
    _volunteer(request)
    return _promise(request, promise_id)


@_patch("/promises/{promise_id}", {200: PromiseOut})
def update_promise(request: HttpRequest, promise_id: PromiseId, body: PromisePatch) -> Promise:
    """Mark a promise done, broken or dropped (or open again), or move its due date."""
    user = _volunteer(request)
    promise = _promise(request, promise_id)
    return _act(lambda: actions.update_promise(promise, body, by=user))


# Next steps and drafts ---------------------------------------------------------------------


@_private("/groups/{group_id}/next-steps", list[SuggestionOut])
def next_steps(request: HttpRequest, group_id: GroupId) -> list[tactics.Suggestion]:
    """Tactics to try next after refusals, evasive answers and overdue promises, and why."""
    return tactics.suggest_tactics(_group(request, group_id))


@_private("/groups/{group_id}/drafts/{kind}", DraftOut)
def get_draft(
    request: HttpRequest,
    group_id: GroupId,
    kind: PathEx[DraftKind, P(description="letter, call, town-hall, testimony or editor.")],
    query: Query[DraftQuery],
) -> dict[str, Any]:
    """A draft from the facts (missing rules, what the official said and promised), to edit."""
    group = _group(request, group_id)
    officials = {person.pk: person for person in drafts.officials_for(group)}
    if query.official and query.official not in officials:
        raise HttpError(400, _("Choose one of the officials the group added, met or heard from."))
    official = officials.get(query.official) if query.official else None
    sender = _user(request).get_full_name()
    written = _act(lambda: drafts.build_draft(kind, group, official=official, sender=sender))
    return {
        "kind": written.kind,
        "title": written.title,
        "official": official.pk if official else None,
        "text": written.text,
        "flags": language.check_language(written.text),
    }


@router.post("/language-check", response={200: list[WordingFlag], 401: Message}, auth=token_auth)
def check_language(request: HttpRequest, body: TextIn) -> list[language.LanguageFlag]:
    """The phrases in an edited draft that the glossary asks to avoid, and what to say instead."""
    return language.check_language(body.text)
