"""What groups do in a campaign: groups, officials, meetings, outcomes, promises, report-backs.

Views and the JSON API call these with the acting user and, for an operation with
both a page and an API operation, the same input type from :mod:`.inputs`; never a
request. Each action checks who may do it and what it was given, raises
:class:`ActionError` with a message fit to show on the page, and records every
change in :class:`~freedomcities.web.campaign.models.Change` (who, when, what).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from freedomcities.web.accounts.models import Role, has_role
from freedomcities.web.campaign import access
from freedomcities.web.campaign.agenda import draft_agenda
from freedomcities.web.campaign.changes import record_change
from freedomcities.web.campaign.inputs import (
    AcceptIn,
    AnswerIn,
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
    ReportIn,
    ReturnIn,
    StageIn,
)
from freedomcities.web.campaign.models import (
    Answer,
    Group,
    GroupMember,
    GroupRole,
    Meeting,
    MeetingStatus,
    Membership,
    Person,
    Post,
    Promise,
    PromiseState,
    Report,
    ReportState,
    Support,
)
from freedomcities.web.campaign.reopen import ensure_unlocked
from freedomcities.web.errors import ActionError
from freedomcities.web.jurisdictions.models import Agency, Jurisdiction, Kind, Stage
from freedomcities.web.scorecards import dashboard

# Stages a campaign passes through on its own; adopted and stalled are set by hand.
STAGE_ORDER = [
    Stage.NONE,
    Stage.RESEARCHING,
    Stage.MEETING_REQUESTED,
    Stage.MET,
    Stage.COMMITMENTS,
    Stage.ADOPTED,
]
# Statuses a person sets on a meeting's plan; held and reported come from the outcome and report.
PLAN_STATUSES = [
    MeetingStatus.REQUESTED,
    MeetingStatus.NO_ANSWER,
    MeetingStatus.REFUSED,
    MeetingStatus.SCHEDULED,
]


class NotAllowed(ActionError):
    """The person's role or group part does not let them do this."""


class StaleSubmission(ActionError):
    """The form was opened before someone else saved; saving it would undo their work."""


def _require(allowed: bool, message: str) -> None:
    """Refuse with ``message`` unless ``allowed``."""
    if not allowed:
        raise NotAllowed(message)


def _organizer(user: User, group: Group) -> None:
    """Refuse anyone but the group's organizers and staff."""
    _require(
        access.can_organize(user, group),
        _("Only the group's organizers and affiliate staff can do this."),
    )


def _member(user: User, group: Group) -> None:
    """Refuse anyone but the group's members and staff."""
    _require(
        access.can_see_group(user, group),
        _("Only the group's members and affiliate staff can do this."),
    )


# Groups ---------------------------------------------------------------------------------------


def create_group(given: GroupIn, *, by: User) -> Group:
    """Start a local group; its creator becomes its first organizer."""
    home = _jurisdiction(given.home) if given.home else None
    _require(
        has_role(by, Role.ORGANIZER),
        _("Starting a group needs the group organizer role; ask your affiliate's staff."),
    )
    if not Jurisdiction.objects.filter(kind=Kind.STATE, state=given.state).exists():
        raise ActionError(_("Choose the state your group is in."))
    if home is not None and home.state != given.state:
        raise ActionError(_("The group's home must be in %(state)s.") % {"state": given.state})
    with transaction.atomic():
        group = Group.objects.create(name=given.name, state=given.state, home=home)
        GroupMember.objects.create(group=group, user=by, role=GroupRole.ORGANIZER)
        record_change(by, group, "group", group.pk, "created", name=given.name, state=given.state)
        if home is not None:
            _start_campaign(group, home, by)
    return group


def _jurisdiction(ocd_id: str) -> Jurisdiction:
    """A city, county or state by its ocd_id, refused with the id when there is none."""
    found = Jurisdiction.objects.filter(ocd_id=ocd_id).first()
    if found is None:
        raise ActionError(_("No jurisdiction has the id %(id)s.") % {"id": ocd_id})
    return found


def find_user(identifier: str) -> User:
    """The user with this username or e-mail address (either case)."""
    identifier = identifier.strip()
    if not identifier:
        raise ActionError(_("Give the person's username or e-mail address."))
    found = list(
        User.objects.filter(Q(username__iexact=identifier) | Q(email__iexact=identifier))[:2]
    )
    if len(found) != 1:
        raise ActionError(
            _(
                "Nobody has signed up as %(who)s. Ask them to create an account first, "
                "then add them with the username or e-mail they used."
            )
            % {"who": identifier}
        )
    return found[0]


def add_member(group: Group, given: MemberIn, *, by: User) -> GroupMember:
    """Add a volunteer to the group by username or e-mail, or change their part in it."""
    _organizer(by, group)
    user = find_user(given.who)
    role = given.role.value
    member, created = GroupMember.objects.get_or_create(
        group=group,
        user=user,
        defaults={"role": role, "phone": given.phone, "postal_code": given.postal_code},
    )
    if not created:
        if member.role == role:
            raise ActionError(_("%(who)s is already in the group.") % {"who": user.get_username()})
        member.role = role
        member.save(update_fields=["role"])
    record_change(by, group, "member", member.pk, "added" if created else "role", role=role)
    return member


def add_campaign(group: Group, given: PlaceIn, *, by: User) -> Jurisdiction:
    """Start campaigning in a jurisdiction; its stage becomes "researching" if it had none."""
    jurisdiction = _jurisdiction(given.jurisdiction)
    _organizer(by, group)
    return _start_campaign(group, jurisdiction, by)


def _start_campaign(group: Group, jurisdiction: Jurisdiction, by: User) -> Jurisdiction:
    """Add a campaign in the group's state that it does not have yet."""
    if jurisdiction.state != group.state:
        raise ActionError(
            _("%(place)s is not in %(state)s, the group's state.")
            % {"place": jurisdiction, "state": group.state}
        )
    if group.jurisdictions.filter(pk=jurisdiction.pk).exists():
        raise ActionError(_("The group already campaigns in %(place)s.") % {"place": jurisdiction})
    group.jurisdictions.add(jurisdiction)
    record_change(by, group, "campaign", jurisdiction.pk, "started", place=str(jurisdiction))
    advance_stage(jurisdiction, Stage.RESEARCHING, by=by, group=group)
    return jurisdiction


# Stages ---------------------------------------------------------------------------------------


def advance_stage(
    jurisdiction: Jurisdiction, stage: str, *, by: User | None, group: Group | None
) -> bool:
    """Move a campaign's stage forward after an event; never back, never off adopted or stalled.

    Stalled and adopted are people's judgements, so only a person moves a
    campaign off them (with :func:`set_stage`).
    """
    current = jurisdiction.stage
    if current in (Stage.ADOPTED, Stage.STALLED):
        return False
    if STAGE_ORDER.index(Stage(stage)) <= STAGE_ORDER.index(Stage(current)):
        return False
    Jurisdiction.objects.filter(pk=jurisdiction.pk).update(stage=stage)
    jurisdiction.stage = stage
    record_change(by, group, "stage", jurisdiction.pk, "advanced", before=current, after=stage)
    return True


def can_set_stage(user: access.AnyUser, jurisdiction: Jurisdiction) -> bool:
    """The state's staff, and organizers of a group campaigning there, may set a stage by hand."""
    if access.staff_for(user, jurisdiction.state):
        return True
    return (
        access.organized_groups(user)
        .filter(Q(jurisdictions=jurisdiction) | Q(home=jurisdiction))
        .exists()
    )


def set_stage(jurisdiction: Jurisdiction, given: StageIn, *, by: User) -> Jurisdiction:
    """Set a campaign's stage by hand, in any direction (adopted and stalled included)."""
    _require(
        can_set_stage(by, jurisdiction),
        _("Only organizers of a group campaigning here, and affiliate staff, can set the stage."),
    )
    stage = given.stage.value
    if stage == Stage.NONE:
        raise ActionError(_("Choose one of the campaign stages."))
    before = jurisdiction.stage
    Jurisdiction.objects.filter(pk=jurisdiction.pk).update(stage=stage)
    jurisdiction.stage = stage
    group = access.organized_groups(by).filter(jurisdictions=jurisdiction).first()
    record_change(by, group, "stage", jurisdiction.pk, "set", before=before, after=stage)
    return jurisdiction


# Officials ------------------------------------------------------------------------------------


OFFICE_FIELDS = ("name", "email", "phone", "office_address", "url", "friendliness")


def officials_of(jurisdiction: Jurisdiction) -> QuerySet[Person]:
    """People holding (or who held, with no end date) a post in the jurisdiction."""
    today = timezone.localdate()
    current = Q(memberships__end_date__isnull=True) | Q(memberships__end_date__gte=today)
    return (
        Person.objects.filter(Q(memberships__post__jurisdiction=jurisdiction) & current)
        .distinct()
        .order_by("name")
    )


def add_official(jurisdiction: Jurisdiction, given: OfficialIn, *, by: User) -> Person:
    """List an official to press: a person holding a post in the jurisdiction (Popolo)."""
    group = _listing_group(given.group, jurisdiction, by)
    agency = Agency.objects.filter(pk=given.agency).first() if given.agency else None
    if given.agency and agency is None:
        raise ActionError(_("No agency has the id %(id)s.") % {"id": given.agency})
    _require(
        access.can_organize(by, group) if group else access.staff_for(by, jurisdiction.state),
        _("Only group organizers and affiliate staff can add officials."),
    )
    office = _office(given)
    if agency is not None and agency.jurisdiction_id != jurisdiction.pk:
        raise ActionError(_("That agency is not in %(place)s.") % {"place": jurisdiction})
    label = given.label.strip() or str(given.role.label)
    with transaction.atomic():
        person = Person.objects.create(added_by=group, **office)
        post, _created = Post.objects.get_or_create(
            jurisdiction=jurisdiction, role=given.role, label=label, defaults={"agency": agency}
        )
        Membership.objects.create(person=person, post=post, start_date=given.start_date)
        record_change(by, group, "person", person.pk, "added", post=str(post), **office)
    return person


def _listing_group(pk: int | None, jurisdiction: Jurisdiction, by: User) -> Group | None:
    """The group that lists a new official: one the person can see, in the same state."""
    if pk is None:
        return None
    group = Group.objects.filter(pk=pk).first()
    if group is None or not access.can_see_group(by, group):
        raise ActionError(_("No group you can see has the id %(id)s.") % {"id": pk})
    if group.state != jurisdiction.state:
        raise ActionError(
            _("%(group)s campaigns in %(state)s; list officials there.")
            % {"group": group.name, "state": group.state}
        )
    return group


def _office(given: OfficialIn | OfficialPatch) -> dict[str, str]:
    """The contacts to store, trimmed: all of a new official's, or those a change sent."""
    new = isinstance(given, OfficialIn)
    keys = [key for key in OFFICE_FIELDS if new or key in given.model_fields_set]
    values = {key: getattr(given, key) for key in keys}
    return {k: str(getattr(v, "value", v)).strip() for k, v in values.items() if v is not None}


def update_official(person: Person, changes: OfficialPatch, *, by: User) -> Person:
    """Change an official's contacts or friendliness (the fields sent), or record they left."""
    _require(
        access.can_edit_person(by, person),
        _("Only organizers of the group that added this official, and staff, can edit them."),
    )
    office = _office(changes)
    left_office_on = changes.left_office_on
    before = {key: getattr(person, key) for key in office}
    for key, value in office.items():
        setattr(person, key, value)
    with transaction.atomic():
        person.save()
        if left_office_on is not None:
            person.memberships.filter(end_date__isnull=True).update(end_date=left_office_on)
        changed = {k: [before[k], v] for k, v in office.items() if before[k] != v}
        if left_office_on is not None:
            changed["left_office_on"] = [None, left_office_on.isoformat()]
        record_change(by, person.added_by, "person", person.pk, "edited", **changed)
    return person


# Meetings -------------------------------------------------------------------------------------


def _check_people(group: Group, plan: PlanPatch) -> None:
    """Refuse officials that do not exist, and people outside the group."""
    officials = set(plan.officials or ())
    missing = officials - set(Person.objects.filter(pk__in=officials).values_list("pk", flat=True))
    if missing:
        raise ActionError(_("No official has the id %(id)s.") % {"id": min(missing)})
    members = set(GroupMember.objects.filter(group=group).values_list("user_id", flat=True))
    people = [*(plan.attendees or ()), plan.spokesperson, plan.note_taker]
    if any(pk is not None and pk not in members for pk in people):
        raise ActionError(_("Attendees, the spokesperson and the note taker must be in the group."))


def _check_plan(jurisdiction: Jurisdiction, plan: PlanPatch) -> None:
    """Refuse dates in the wrong order and officials from elsewhere."""
    requested_on = plan.requested_on or timezone.localdate()
    if requested_on > timezone.localdate():
        raise ActionError(_("The request date cannot be in the future."))
    if plan.starts_at is not None and timezone.localdate(plan.starts_at) < requested_on:
        raise ActionError(_("The meeting cannot start before it was requested."))
    here = set(officials_of(jurisdiction).values_list("pk", flat=True))
    if any(official not in here for official in plan.officials or ()):
        raise ActionError(
            _("Choose officials listed for %(place)s; add them there first.")
            % {"place": jurisdiction}
        )


def _campaigns_in(group: Group, jurisdiction: Jurisdiction) -> bool:
    """Whether the jurisdiction is one of the group's campaigns (or its home)."""
    return (
        group.home_id == jurisdiction.pk or group.jurisdictions.filter(pk=jurisdiction.pk).exists()
    )


def plan_meeting(group: Group, plan: PlanIn, *, by: User) -> Meeting:
    """Record a meeting request (or a scheduled meeting), with an agenda drafted if none given.

    The page's form and the API both send a :class:`~.inputs.PlanIn`: officials
    and people by id, in the place named by its ``jurisdiction``.
    """
    jurisdiction = _jurisdiction(plan.jurisdiction)
    _check_people(group, plan)
    _member(by, group)
    if not _campaigns_in(group, jurisdiction):
        raise ActionError(
            _("The group does not campaign in %(place)s yet; add it to the group first.")
            % {"place": jurisdiction}
        )
    status = _plan_status(plan)
    _check_plan(jurisdiction, plan)
    with transaction.atomic():
        meeting = Meeting.objects.create(
            group=group,
            jurisdiction=jurisdiction,
            status=status,
            created_by=by,
            agenda=draft_agenda(jurisdiction) if plan.agenda is None else plan.agenda,
            **_plan_fields(plan),
        )
        meeting.officials.set(plan.officials or ())
        meeting.attendees.set(plan.attendees or ())
        record_change(by, group, "meeting", meeting.pk, "planned", status=status)
        advance_stage(jurisdiction, Stage.MEETING_REQUESTED, by=by, group=group)
    return meeting


def _plan_status(plan: PlanPatch) -> str:
    """The plan's status: a request with a date becomes scheduled; a schedule needs a date."""
    status = plan.status or MeetingStatus.REQUESTED
    if status not in PLAN_STATUSES:
        raise ActionError(_("Choose requested, no answer, refused or scheduled."))
    if status == MeetingStatus.REQUESTED and plan.starts_at is not None:
        return MeetingStatus.SCHEDULED
    if status == MeetingStatus.SCHEDULED and plan.starts_at is None:
        raise ActionError(_("Give the date and time of the scheduled meeting."))
    return str(status)


def _plan_fields(plan: PlanPatch) -> dict[str, Any]:
    """The meeting's own columns from a whole plan."""
    return {
        "requested_on": plan.requested_on,
        "request_note": (plan.request_note or "").strip(),
        "starts_at": plan.starts_at,
        "place": (plan.place or "").strip(),
        "spokesperson_id": plan.spokesperson,
        "note_taker_id": plan.note_taker,
    }


KEPT_ON_NULL = ("status", "requested_on", "request_note", "officials", "place", "attendees")
"""Plan fields a null leaves as they are; a null date, spokesperson or note taker clears them."""


def _laid_over(meeting: Meeting, changes: PlanPatch) -> PlanPatch:
    """The meeting's whole plan with the fields sent in ``changes`` laid over it."""
    current: dict[str, Any] = {
        "status": meeting.status,
        "requested_on": meeting.requested_on,
        "request_note": meeting.request_note,
        "officials": list(meeting.officials.values_list("pk", flat=True)),
        "starts_at": meeting.starts_at,
        "place": meeting.place,
        "attendees": list(meeting.attendees.values_list("pk", flat=True)),
        "spokesperson": meeting.spokesperson_id,
        "note_taker": meeting.note_taker_id,
        "agenda": None,
    }
    sent = {key: getattr(changes, key) for key in changes.model_fields_set}
    values = current | sent
    for key in KEPT_ON_NULL:
        values[key] = current[key] if values[key] is None else values[key]
    return changes.model_copy(update=values)


def update_meeting(meeting: Meeting, changes: PlanPatch, *, by: User) -> Meeting:
    """Change a meeting's plan: only the fields sent change (its status only until it is held)."""
    plan = _laid_over(meeting, changes)
    _check_people(meeting.group, plan)
    _member(by, meeting.group)
    ensure_unlocked(meeting)
    if meeting.status in (MeetingStatus.HELD, MeetingStatus.REPORTED):
        status = meeting.status
    else:
        status = _plan_status(plan)
    _check_plan(meeting.jurisdiction, plan)
    before = meeting.status
    for key, value in _plan_fields(plan).items():
        setattr(meeting, key, value)
    meeting.status = status
    if plan.agenda is not None:
        meeting.agenda = plan.agenda
    with transaction.atomic():
        meeting.save()
        meeting.officials.set(plan.officials or ())
        meeting.attendees.set(plan.attendees or ())
        record_change(
            by, meeting.group, "meeting", meeting.pk, "edited", before=before, after=status
        )
    return meeting


def redraft_agenda(meeting: Meeting, *, by: User) -> Meeting:
    """Replace the agenda with a fresh draft from the latest published scorecards."""
    _member(by, meeting.group)
    ensure_unlocked(meeting)
    meeting.agenda = draft_agenda(meeting.jurisdiction)
    meeting.save(update_fields=["agenda"])
    record_change(by, meeting.group, "meeting", meeting.pk, "agenda_drafted")
    return meeting


# Outcomes -------------------------------------------------------------------------------------


def record_outcome(meeting: Meeting, outcome: OutcomeIn, *, by: User) -> Meeting:
    """Save what was said at a meeting; it becomes held and the stage moves on.

    ``outcome.revision`` is the meeting's revision when the form was opened: a
    form sent twice, or after someone else saved, is refused instead of undoing
    their answers.
    """
    _member(by, meeting.group)
    ensure_unlocked(meeting)
    _check_outcome(meeting, outcome)
    with transaction.atomic():
        _claim_revision(meeting, outcome.revision)
        _save_answers(meeting, outcome.answers, by)
        _save_promises(meeting, outcome.promises, by)
        _save_meeting_outcome(meeting, outcome, by)
        _advance_after_outcome(meeting, outcome, by)
    return meeting


def _check_outcome(meeting: Meeting, outcome: OutcomeIn) -> None:
    """Refuse unknown officials, unknown rules, odd answers and dates in the wrong order."""
    officials = set(meeting.officials.values_list("pk", flat=True))
    rule_ids = {rule.id for rule in dashboard.rules()}
    held_on = timezone.localdate(outcome.held_at)
    if outcome.held_at > timezone.now():
        raise ActionError(_("The meeting cannot have been held in the future; check the date."))
    if held_on < meeting.requested_on:
        raise ActionError(_("The meeting cannot have been held before it was requested."))
    seen: set[tuple[int, str]] = set()
    for answer in outcome.answers:
        _check_answer(answer, officials, rule_ids)
        if (answer.official, answer.rule) in seen:
            raise ActionError(
                _("Rule %(rule)s for official %(id)s is answered twice; send it once.")
                % {"rule": answer.rule, "id": answer.official}
            )
        seen.add((answer.official, answer.rule))
    for promise in outcome.promises:
        _check_promise(meeting.group, promise, held_on, officials)
    if (
        outcome.point_of_contact is not None
        and not officials_of(meeting.jurisdiction).filter(pk=outcome.point_of_contact).exists()
    ):
        raise ActionError(_("Choose the point of contact among the officials listed here."))
    if outcome.next_meeting_on is not None and outcome.next_meeting_on < held_on:
        raise ActionError(_("The next meeting must come after this one."))


def _check_answer(answer: AnswerIn, officials: set[int], rule_ids: set[str]) -> None:
    """One answer: an official at the meeting, a rule that exists (its choices are typed)."""
    if answer.official not in officials:
        raise ActionError(
            _("Official %(id)s was not at this meeting; add them to the meeting first.")
            % {"id": answer.official}
        )
    if answer.rule not in rule_ids:
        raise ActionError(
            _("There is no rule %(rule)s; the rules are %(rules)s.")
            % {"rule": answer.rule, "rules": ", ".join(sorted(rule_ids, key=len))}
        )


def _check_promise(
    group: Group, promise: PromiseIn, held_on: datetime.date, officials: set[int]
) -> None:
    """One promise: some words, a due date after the meeting, an official there, a member owner."""
    if not promise.text.strip():
        raise ActionError(_("Say what was promised."))
    if promise.due_on < held_on:
        raise ActionError(_("A promise cannot be due before the meeting it was made at."))
    if promise.official is not None and promise.official not in officials:
        raise ActionError(_("The official who promised must be one of those at the meeting."))
    if (
        promise.owner is not None
        and not GroupMember.objects.filter(group=group, user_id=promise.owner).exists()
    ):
        raise ActionError(_("The person following a promise up must be in the group."))


def _claim_revision(meeting: Meeting, revision: int) -> None:
    """Move the meeting to its next revision, or refuse a stale or repeated form."""
    moved = Meeting.objects.filter(pk=meeting.pk, revision=revision).update(
        revision=F("revision") + 1
    )
    if not moved:
        raise StaleSubmission(
            _(
                "This outcome was already saved, perhaps by someone else or by sending the form "
                "twice. Nothing was changed; the page now shows what was saved."
            )
        )
    meeting.revision = revision + 1


def _save_answers(meeting: Meeting, answers: Sequence[AnswerIn], by: User) -> None:
    """Create, change or clear each answer, recording every change with its before and after."""
    existing = {(a.person_id, a.rule_id): a for a in meeting.answers.all()}
    for given in answers:
        found = existing.get((given.official, given.rule))
        if not given.said_something:
            if found is not None:
                record_change(
                    by, meeting.group, "answer", found.pk, "cleared", **_answer_dict(found)
                )
                found.delete()
            continue
        values = {
            "in_place": given.in_place.value,
            "support": given.support.value,
            "note": given.note.strip(),
        }
        if found is None:
            answer = Answer.objects.create(
                meeting=meeting,
                person_id=given.official,
                rule_id=given.rule,
                recorded_by=by,
                **values,
            )
            record_change(
                by, meeting.group, "answer", answer.pk, "recorded", **_answer_dict(answer)
            )
        elif any(getattr(found, key) != value for key, value in values.items()):
            before = _answer_dict(found)
            Answer.objects.filter(pk=found.pk).update(
                recorded_by=by, recorded_at=timezone.now(), **values
            )
            record_change(
                by, meeting.group, "answer", found.pk, "changed", before=before, after=values
            )


def _answer_dict(answer: Answer) -> dict[str, Any]:
    """An answer's facts for the change log."""
    return {
        "person": answer.person_id,
        "rule": answer.rule_id,
        "in_place": answer.in_place,
        "support": answer.support,
        "note": answer.note,
    }


def _save_promises(meeting: Meeting, promises: Sequence[PromiseIn], by: User) -> None:
    """Keep each new promise, tied to the meeting."""
    for given in promises:
        _create_promise(meeting.group, given, by, meeting=meeting)


def _save_meeting_outcome(meeting: Meeting, outcome: OutcomeIn, by: User) -> None:
    """The meeting becomes held, with its date, notes, contact and next date."""
    meeting.status = MeetingStatus.HELD
    meeting.starts_at = outcome.held_at
    meeting.notes = outcome.notes.strip()
    meeting.point_of_contact_id = outcome.point_of_contact
    meeting.next_meeting_on = outcome.next_meeting_on
    meeting.save(
        update_fields=["status", "starts_at", "notes", "point_of_contact", "next_meeting_on"]
    )
    record_change(by, meeting.group, "meeting", meeting.pk, "held", answers=len(outcome.answers))


def _advance_after_outcome(meeting: Meeting, outcome: OutcomeIn, by: User) -> None:
    """Held means met; a "yes" or a promise from an official means commitments."""
    committed = any(a.support == Support.YES for a in outcome.answers) or any(
        p.official is not None for p in outcome.promises
    )
    stage = Stage.COMMITMENTS if committed else Stage.MET
    advance_stage(meeting.jurisdiction, stage, by=by, group=meeting.group)


# Promises -------------------------------------------------------------------------------------


def add_promise(group: Group, given: PromiseIn, *, by: User) -> Promise:
    """A next step or a promise made outside a meeting, with its owner and due date."""
    _member(by, group)
    if given.official is not None and not Person.objects.filter(pk=given.official).exists():
        raise ActionError(_("There is no such official; add them first."))
    if given.due_on < timezone.localdate():
        raise ActionError(_("A new promise cannot be due in the past; check the date."))
    _check_promise(group, given.model_copy(update={"official": None}), given.due_on, set())
    return _create_promise(group, given, by)


def _create_promise(
    group: Group, given: PromiseIn, by: User, *, meeting: Meeting | None = None
) -> Promise:
    """Save a checked promise and note who made it in the group's history."""
    promise = Promise.objects.create(
        group=group,
        meeting=meeting,
        person_id=given.official,
        owner_id=given.owner,
        text=given.text.strip(),
        due_on=given.due_on,
    )
    record_change(
        by,
        group,
        "promise",
        promise.pk,
        "made",
        text=promise.text,
        due_on=promise.due_on.isoformat(),
        person=given.official,
    )
    return promise


def update_promise(promise: Promise, changes: PromisePatch, *, by: User) -> Promise:
    """Mark a promise done, broken or dropped (or open again), or move its due date."""
    _member(by, promise.group)
    state = changes.state.value if changes.state else promise.state
    due_on = changes.due_on
    if (
        due_on is not None
        and promise.meeting
        and promise.meeting.starts_at
        and (due_on < timezone.localdate(promise.meeting.starts_at))
    ):
        raise ActionError(_("A promise cannot be due before the meeting it was made at."))
    before = {"state": promise.state, "due_on": promise.due_on.isoformat()}
    promise.state = state
    promise.due_on = due_on or promise.due_on
    promise.save(update_fields=["state", "due_on"])
    after = {"state": promise.state, "due_on": promise.due_on.isoformat()}
    record_change(by, promise.group, "promise", promise.pk, "updated", before=before, after=after)
    return promise


def overdue(promises: QuerySet[Promise], today: datetime.date | None = None) -> QuerySet[Promise]:
    """Open promises whose due date has passed."""
    return promises.filter(state=PromiseState.OPEN, due_on__lt=today or timezone.localdate())


# Report-backs ---------------------------------------------------------------------------------


def submit_report(meeting: Meeting, given: ReportIn, *, by: User) -> Report:
    """Send a held meeting's report-back to the affiliate (again, after it was returned)."""
    _member(by, meeting.group)
    summary = given.summary.strip()
    if not summary:
        raise ActionError(_("Write a short summary of the meeting."))
    report = Report.objects.filter(meeting=meeting).first()
    if report is not None and report.state != ReportState.RETURNED:
        raise ActionError(
            _("This meeting's report was already sent; it is in the affiliate's queue.")
        )
    if meeting.status != MeetingStatus.HELD:
        raise ActionError(_("Record the meeting's outcome before reporting it."))
    with transaction.atomic():
        report = _store_report(meeting, report, by, summary)
        Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.REPORTED)
        meeting.status = MeetingStatus.REPORTED
        record_change(by, meeting.group, "report", report.pk, "submitted", summary=summary)
    return report


def _store_report(meeting: Meeting, report: Report | None, by: User, summary: str) -> Report:
    """A new report, or the returned one sent again; a duplicate sent at once is refused."""
    now = timezone.now()
    if report is None:
        try:
            with transaction.atomic():
                return Report.objects.create(
                    meeting=meeting, summary=summary, submitted_by=by, submitted_at=now
                )
        except IntegrityError:
            raise ActionError(_("This meeting's report was already sent.")) from None
    moved = Report.objects.filter(pk=report.pk, state=ReportState.RETURNED).update(
        summary=summary, state=ReportState.SUBMITTED, submitted_by=by, submitted_at=now
    )
    if not moved:
        raise ActionError(_("This meeting's report was already sent."))
    report.refresh_from_db()
    return report


def accept_report(report: Report, given: AcceptIn, *, by: User) -> Report:
    """Staff accept a report; publishing makes the officials' answers public."""
    _require(
        access.staff_for(by, report.meeting.group.state),
        _("Only affiliate staff review report-backs."),
    )
    with transaction.atomic():
        _review(report, by, ReportState.ACCEPTED, given.note)
        published = 0
        if given.publish:
            published = report.meeting.answers.filter(published_at__isnull=True).update(
                published_at=timezone.now()
            )
        record_change(
            by, report.meeting.group, "report", report.pk, "accepted", published=published
        )
    return report


def return_report(report: Report, given: ReturnIn, *, by: User) -> Report:
    """Staff send a report back to the group with a question; the group can send it again."""
    _require(
        access.staff_for(by, report.meeting.group.state),
        _("Only affiliate staff review report-backs."),
    )
    note = given.note
    if not note.strip():
        raise ActionError(_("Say what the group should add or check."))
    with transaction.atomic():
        _review(report, by, ReportState.RETURNED, note)
        Meeting.objects.filter(pk=report.meeting_id).update(status=MeetingStatus.HELD)
        record_change(by, report.meeting.group, "report", report.pk, "returned", note=note.strip())
    return report


def _review(report: Report, by: User, state: str, note: str) -> None:
    """Move a waiting report to its reviewed state, refusing one already reviewed."""
    moved = Report.objects.filter(pk=report.pk, state=ReportState.SUBMITTED).update(
        state=state, reviewed_by=by, reviewed_at=timezone.now(), staff_note=note.strip()
    )
    if not moved:
        raise StaleSubmission(_("This report was already reviewed; the page shows how."))
    report.refresh_from_db()


def unpublish_answers(meeting: Meeting, *, by: User) -> int:
    """Take a meeting's answers off the public pages again."""
    _require(
        access.staff_for(by, meeting.group.state),
        _("Only affiliate staff publish officials' answers."),
    )
    count = meeting.answers.filter(published_at__isnull=False).update(published_at=None)
    record_change(by, meeting.group, "meeting", meeting.pk, "answers_unpublished", count=count)
    return count
