"""The shapes of the campaign API: its paths, queries and answers.

What each operation accepts is in :mod:`.inputs`, which the pages' forms build
too. Outputs never carry more than the caller may see: :func:`official_out` leaves friendliness
out for the public, :func:`answer_out` hides meetings the caller cannot open.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from django.contrib.auth.models import User
from django.utils import timezone
from ninja import Field, P, PathEx, Schema

from freedomcities.web.apitypes import (
    MAX_ID,
    OcdId,
    PageQuery,
    StateCode,
    Storable,
    username,
)
from freedomcities.web.campaign import access, actions, agenda, popolo, tactics
from freedomcities.web.campaign.inputs import Id, text_of
from freedomcities.web.campaign.models import (
    Answer,
    Change,
    Friendliness,
    Group,
    GroupRole,
    InPlace,
    Meeting,
    MeetingStatus,
    Person,
    Promise,
    PromiseState,
    ReopenRequest,
    Report,
    ReportState,
    Support,
)
from freedomcities.web.jurisdictions.models import Jurisdiction, Kind, Stage

GroupId = PathEx[int, P(ge=1, le=MAX_ID, description="The group's id.")]
MeetingId = PathEx[int, P(ge=1, le=MAX_ID, description="The meeting's id.")]
PersonId = PathEx[int, P(ge=1, le=MAX_ID, description="The official's id.")]
PromiseId = PathEx[int, P(ge=1, le=MAX_ID, description="The promise's id.")]
ReportId = PathEx[int, P(ge=1, le=MAX_ID, description="The report-back's id.")]


class MeetingQuery(PageQuery):
    """Filters for meetings."""

    group: Id | None = Field(None, description="Only this group's meetings.")
    jurisdiction: OcdId | None = Field(None, description="Only meetings in this place.")
    status: MeetingStatus | None = Field(None, description="Only meetings in this status.")


class PromiseQuery(PageQuery):
    """Filters for promises."""

    group: Id | None = Field(None, description="Only this group's promises.")
    official: Id | None = Field(None, description="Only this official's promises.")
    state: PromiseState | None = Field(None, description="Only promises in this state.")
    overdue: bool = Field(False, description="Only open promises past their due date.")


class ReportQuery(PageQuery):
    """Filters for the affiliate's queue."""

    state: StateCode | None = Field(None, description="Postal code of the groups' state.")
    show: ReportState | None = Field(
        ReportState.SUBMITTED, description="Which reports; null (send show=) for all."
    )


class BoardQuery(PageQuery):
    """Filters for the board."""

    state: StateCode | None = Field(None, description="Postal code, e.g. AZ.")


class ChangeQuery(PageQuery):
    """Filters for a group's history."""

    subject: Annotated[str, text_of(40), Storable] | None = Field(
        None, description="answer, meeting, promise, report, person, member, stage, ..."
    )


class DraftQuery(Schema):
    """Whom a draft presses."""

    official: Id | None = Field(None, description="The official; all of the place's if left out.")


# Output types ------------------------------------------------------------------------------


class PlaceOut(Schema):
    """A city, county or state with its campaign's stage."""

    ocd_id: str = Field(description="Open Civic Data division id.")
    name: str = Field(description="Its name, e.g. 'Mesa'.")
    kind: Kind = Field(description="State, county or place.")
    state: str = Field(description="Postal code, e.g. AZ.")
    stage: Stage = Field(description="Where its campaign stands; empty for none yet.")


class StageOut(PlaceOut):
    """A place's stage, and whether the caller may set it."""

    can_set: bool = Field(description="Whether the caller may set the stage by hand.")


class GroupOut(Schema):
    """A local volunteer group and its campaigns."""

    id: int = Field(description="The group's id.")
    name: str = Field(description="Its name.")
    state: str = Field(description="Postal code of its affiliate's state.")
    home: str | None = Field(description="The ocd_id of the city or county it mostly works in.")
    campaigns: list[PlaceOut] = Field(description="Where it campaigns (its home included).")
    created_at: datetime.datetime = Field(description="When it was started.")

    @staticmethod
    def resolve_home(obj: Group) -> str | None:
        return obj.home.ocd_id if obj.home else None

    @staticmethod
    def resolve_campaigns(obj: Group) -> list[Jurisdiction]:
        return list(obj.campaigns())


class UserRef(Schema):
    """A group member, as other members see them."""

    id: int = Field(description="Their user id.")
    username: str = Field(description="Their username.")
    name: str = Field(description="Their full name, when they gave one.")

    @staticmethod
    def resolve_name(obj: User) -> str:
        return obj.get_full_name()


class MemberOut(Schema):
    """A volunteer in a group, with contacts private to the group and staff."""

    user: UserRef = Field(description="Who.")
    role: GroupRole = Field(description="Member or organizer.")
    phone: str = Field(description="Their phone.")
    postal_code: str = Field(description="Their ZIP code.")
    invite_to_events: bool = Field(description="Agreed to hear about events near them.")
    joined_at: datetime.datetime = Field(description="When they joined.")


class ContactDetailOut(Schema):
    """A Popolo contact detail: one way to reach an office."""

    type: str = Field(description="email, voice (a phone) or address.")
    label: str = Field(description="What it is, e.g. 'Office phone'.")
    value: str = Field(description="The address or number.")


class LinkOut(Schema):
    """A Popolo link: a page about the person."""

    url: str = Field(description="The page's address.")
    note: str = Field(description="What it is.")


class AreaOut(Schema):
    """A Popolo area: the place a post serves."""

    id: str = Field(description="Its Open Civic Data division id.")
    name: str = Field(description="Its name, e.g. 'Mesa, AZ'.")
    classification: str = Field(description="state, county or place.")
    parent_id: str | None = Field(description="The division it lies in.")


class OrganizationOut(Schema):
    """A Popolo organization: an agency, or a place's government."""

    id: str = Field(description="An OCD jurisdiction id, or freedomcities-agency-<id>.")
    name: str = Field(description="Its name.")
    classification: str = Field(description="government, police, sheriff or jail.")
    parent_id: str | None = Field(description="The government an agency belongs to.")
    area_id: str = Field(description="The OCD division id of the place it serves.")


class PostOut(Schema):
    """A Popolo post: an office in an organization."""

    id: str = Field(description="freedomcities-post-<id>.")
    label: str = Field(description="The title, e.g. 'Council member, district 7'.")
    role: str = Field(description="The office, e.g. 'Council member'.")
    organization_id: str = Field(description="The organization the post is in.")
    area_id: str = Field(description="The OCD division id of the place it serves.")


class MembershipOut(Schema):
    """A Popolo membership: a person holding a post, with its post, organization and area."""

    id: str = Field(description="freedomcities-membership-<id>.")
    person_id: str = Field(description="The person's id.")
    post_id: str = Field(description="The post's id.")
    organization_id: str = Field(description="The organization's id.")
    area_id: str = Field(description="The OCD division id of the place.")
    role: str = Field(description="The office.")
    label: str = Field(description="The title.")
    start_date: str | None = Field(description="In office since (YYYY-MM-DD).")
    end_date: str | None = Field(description="Left office on; null while in office.")
    post: PostOut = Field(description="The post.")
    organization: OrganizationOut = Field(description="The organization.")
    area: AreaOut = Field(description="The area.")


class OfficialOut(Schema):
    """An official or staff member as a Popolo person, with public office contacts."""

    id: str = Field(description="The official's id, as a string (use it in /officials/{id}).")
    name: str = Field(description="Their name.")
    email: str | None = Field(description="Office e-mail; null when unknown.")
    contact_details: list[ContactDetailOut] = Field(description="Office e-mail, phone, address.")
    links: list[LinkOut] = Field(description="Pages about them.")
    memberships: list[MembershipOut] = Field(description="The posts they hold or held.")
    friendliness: Friendliness | None = Field(
        description="How they stand; null unless the caller is in the group that listed them."
    )


class AnswerOut(Schema):
    """One official's reply on one rule at one meeting."""

    id: int = Field(description="The answer's id.")
    official: int = Field(description="The official's id.")
    official_name: str = Field(description="The official's name.")
    rule: str = Field(description="The rule's id.")
    in_place: InPlace = Field(description="Is it in place?")
    support: Support = Field(description="Will you support it?")
    note: str = Field(description="What they said.")
    meeting: int | None = Field(description="The meeting's id; null if the caller cannot see it.")
    meeting_date: datetime.date | None = Field(description="When the meeting was held.")
    recorded_at: datetime.datetime = Field(description="When it was last recorded.")
    published: bool = Field(description="Whether staff made it public.")


class PositionOut(Schema):
    """Where an official stands on one rule: their latest answer and the earlier ones."""

    rule: str = Field(description="The rule's id.")
    name: str = Field(description="The rule's name.")
    position: AnswerOut | None = Field(description="Their latest answer the caller may see.")
    history: list[AnswerOut] = Field(description="Every answer the caller may see, oldest first.")


class PromiseOut(Schema):
    """A promise or next step with its owner and due date."""

    id: int = Field(description="The promise's id.")
    group: int = Field(description="The group's id.")
    meeting: int | None = Field(description="The meeting it was made at.")
    official: int | None = Field(description="The official who promised; null for the group.")
    official_name: str | None = Field(description="Their name.")
    text: str = Field(description="What was promised.")
    owner: UserRef | None = Field(description="The member who follows it up.")
    due_on: datetime.date = Field(description="When it is due.")
    state: PromiseState = Field(description="open, done, broken or dropped.")
    overdue: bool = Field(description="Open and past its due date.")

    @staticmethod
    def resolve_group(obj: Promise) -> int:
        return obj.group_id

    @staticmethod
    def resolve_meeting(obj: Promise) -> int | None:
        return obj.meeting_id

    @staticmethod
    def resolve_official(obj: Promise) -> int | None:
        return obj.person_id

    @staticmethod
    def resolve_official_name(obj: Promise) -> str | None:
        return obj.person.name if obj.person else None

    @staticmethod
    def resolve_overdue(obj: Promise) -> bool:
        return obj.state == PromiseState.OPEN and obj.due_on < timezone.localdate()


class MeetingSummary(Schema):
    """A meeting in a list."""

    id: int = Field(description="The meeting's id.")
    group: int = Field(description="The group's id.")
    jurisdiction: str = Field(description="The ocd_id of the place.")
    status: MeetingStatus = Field(description="From requested to reported.")
    requested_on: datetime.date = Field(description="When it was asked for.")
    starts_at: datetime.datetime | None = Field(description="When it starts or started.")
    place: str = Field(description="Where.")
    revision: int = Field(description="Send it back with the outcome.")
    report: int | None = Field(description="The id of its report-back, once sent.")

    @staticmethod
    def resolve_group(obj: Meeting) -> int:
        return obj.group_id

    @staticmethod
    def resolve_jurisdiction(obj: Meeting) -> str:
        return obj.jurisdiction.ocd_id

    @staticmethod
    def resolve_report(obj: Meeting) -> int | None:
        return Report.objects.filter(meeting=obj).values_list("pk", flat=True).first()


class PersonRef(Schema):
    """An official, by id and name."""

    id: int = Field(description="The official's id.")
    name: str = Field(description="Their name.")


class MeetingOut(MeetingSummary):
    """A meeting with its people, agenda, notes, answers and promises."""

    request_note: str = Field(description="Whom they asked, how, and what was said.")
    officials: list[PersonRef] = Field(description="The officials asked or met.")
    attendees: list[UserRef] = Field(description="Group members attending.")
    spokesperson: UserRef | None = Field(description="Who speaks for the group.")
    note_taker: UserRef | None = Field(description="Who takes the notes.")
    agenda: str = Field(description="The agenda.")
    notes: str = Field(description="Notes, private to the group and affiliate staff.")
    point_of_contact: PersonRef | None = Field(description="The official to keep in touch with.")
    next_meeting_on: datetime.date | None = Field(description="When they meet again.")
    answers: list[AnswerOut] = Field(description="What each official said on each rule.")
    promises: list[PromiseOut] = Field(description="Promises made at the meeting.")

    @staticmethod
    def resolve_officials(obj: Meeting) -> list[Person]:
        return list(obj.officials.all())

    @staticmethod
    def resolve_attendees(obj: Meeting) -> list[User]:
        return list(obj.attendees.all())

    @staticmethod
    def resolve_answers(obj: Meeting) -> list[dict[str, Any]]:
        answers = obj.answers.select_related("person", "meeting").order_by("person__name", "pk")
        return [answer_out(a, visible=True) for a in sorted(answers, key=agenda.rule_order)]

    @staticmethod
    def resolve_promises(obj: Meeting) -> list[Promise]:
        return list(obj.promises.select_related("person", "owner"))


class StaleOutcome(Schema):
    """Someone saved this meeting's outcome first: read it again before saving."""

    detail: str = Field(description="What happened and what to do next.")
    revision: int = Field(description="The meeting's revision now.")


class ReportOut(Schema):
    """A meeting's report-back to the state affiliate."""

    id: int = Field(description="The report's id.")
    meeting: int = Field(description="The meeting's id.")
    group: int = Field(description="The group's id.")
    group_name: str = Field(description="The group's name.")
    jurisdiction: str = Field(description="The ocd_id of the place.")
    state: ReportState = Field(description="submitted, accepted or returned.")
    summary: str = Field(description="The group's summary.")
    share_text: str = Field(description="A short summary to share: no notes, no names.")
    submitted_by: str | None = Field(description="Who sent it (username).")
    submitted_at: datetime.datetime = Field(description="When.")
    reviewed_by: str | None = Field(description="The staff member who reviewed it.")
    reviewed_at: datetime.datetime | None = Field(description="When.")
    staff_note: str = Field(description="The affiliate's note to the group.")

    @staticmethod
    def resolve_meeting(obj: Report) -> int:
        return obj.meeting_id

    @staticmethod
    def resolve_group(obj: Report) -> int:
        return obj.meeting.group_id

    @staticmethod
    def resolve_group_name(obj: Report) -> str:
        return obj.meeting.group.name

    @staticmethod
    def resolve_jurisdiction(obj: Report) -> str:
        return obj.meeting.jurisdiction.ocd_id

    @staticmethod
    def resolve_share_text(obj: Report) -> str:
        return agenda.share_text(obj)

    @staticmethod
    def resolve_submitted_by(obj: Report) -> str | None:
        return username(obj.submitted_by)

    @staticmethod
    def resolve_reviewed_by(obj: Report) -> str | None:
        return username(obj.reviewed_by)


class TacticOut(Schema):
    """A tactic from the guide, with its how-to."""

    id: str = Field(description="The tactic's id, e.g. 'town-hall'.")
    name: str = Field(description="Its name.")
    summary: str = Field(description="What it is.")
    level: int = Field(description="Pressure, from 1 (gentle) to 5 (strongest).")
    wins_allies: bool = Field(description="Whether it wins new allies.")
    steps: list[str] = Field(description="How to do it.")
    pitfalls: list[str] = Field(description="What to avoid.")
    questions: list[str] = Field(description="Sample questions, where it has any.")
    drafts: list[str] = Field(description="Kinds of draft it uses (see the drafts operation).")


class SuggestionOut(Schema):
    """A tactic to try next with an official (or a place's officials), and why."""

    official: int | None = Field(description="The official's id; null for a place's officials.")
    official_name: str | None = Field(description="Their name.")
    facts: list[str] = Field(description="What happened: refusals, dodges, overdue promises.")
    reason: str = Field(description="Why this tactic.")
    tactic: TacticOut = Field(description="The tactic.")

    @staticmethod
    def resolve_official(obj: tactics.Suggestion) -> int | None:
        return obj.official.pk if obj.official else None

    @staticmethod
    def resolve_official_name(obj: tactics.Suggestion) -> str | None:
        return obj.official.name if obj.official else None


class WordingFlag(Schema):
    """A phrase the glossary asks to avoid, and the wording to use instead."""

    start: int = Field(description="Where it starts in the text (characters).")
    end: int = Field(description="Where it ends.")
    phrase: str = Field(description="The words found.")
    suggestion: str = Field(description="What to say instead.")


class DraftOut(Schema):
    """A draft written from the facts, to edit before sending."""

    kind: str = Field(description="letter, call, town-hall, testimony or editor.")
    title: str = Field(description="What it is and whom it presses.")
    official: int | None = Field(description="The official it presses; null for all.")
    text: str = Field(description="The draft.")
    flags: list[WordingFlag] = Field(description="Phrases to reword.")


class ChangeOut(Schema):
    """Who changed what, when."""

    id: int = Field(description="The change's id.")
    at: datetime.datetime = Field(description="When.")
    user: str | None = Field(description="Who (username).")
    subject: str = Field(description="What kind of thing: answer, report, promise, ...")
    subject_id: int = Field(description="Its id.")
    action: str = Field(description="What was done.")
    details: dict[str, Any] = Field(description="What changed.")

    @staticmethod
    def resolve_user(obj: Change) -> str | None:
        return username(obj.user)


# Shaping -----------------------------------------------------------------------------------


def official_out(person: Person, user: access.AnyUser) -> dict[str, Any]:
    """An official as a Popolo person, with friendliness for their group and staff only."""
    visible = access.can_see_friendliness(user, person)
    return popolo.person(person, friendliness=person.friendliness if visible else None)


def answer_out(answer: Answer, *, visible: bool) -> dict[str, Any]:
    """An answer; its meeting's id only when the caller may see the meeting."""
    starts = answer.meeting.starts_at
    return {
        "id": answer.pk,
        "official": answer.person_id,
        "official_name": answer.person.name,
        "rule": answer.rule_id,
        "in_place": answer.in_place,
        "support": answer.support,
        "note": answer.note,
        "meeting": answer.meeting_id if visible else None,
        "meeting_date": timezone.localdate(starts) if starts else None,
        "recorded_at": answer.recorded_at,
        "published": answer.published_at is not None,
    }


def stage_out(place: Jurisdiction, user: access.AnyUser) -> dict[str, Any]:
    """A place's stage, and whether the caller may set it."""
    fields = ("ocd_id", "name", "kind", "state", "stage")
    return {**{key: getattr(place, key) for key in fields}, "can_set": _can_set(user, place)}


def _can_set(user: access.AnyUser, place: Jurisdiction) -> bool:
    """Whether the user may set the place's stage by hand."""
    return bool(user and user.is_authenticated) and actions.can_set_stage(user, place)


class ReopenRequestOut(Schema):
    """A request to reopen a meeting already reported to the affiliate, and staff's decision."""

    id: int = Field(description="The request's id.")
    meeting: int = Field(description="The meeting's id.")
    reason: str = Field(description="What the group needs to change, and why.")
    requested_by: str | None = Field(description="Who asked (username).")
    requested_at: datetime.datetime = Field(description="When.")
    granted: bool | None = Field(
        description="True when reopened, false when declined, null while staff have not decided."
    )
    decided_at: datetime.datetime | None = Field(description="When staff decided.")
    staff_note: str = Field(description="Staff's note on their decision.")

    @staticmethod
    def resolve_meeting(obj: ReopenRequest) -> int:
        return obj.meeting_id

    @staticmethod
    def resolve_requested_by(obj: ReopenRequest) -> str | None:
        return username(obj.requested_by)
