"""What each campaign operation accepts: one input type per operation, for every door.

A page's form and the JSON API both build one of these and hand it to the action
(:mod:`.actions`), so both are checked the same way: text is bounded by its column
and free of NUL characters, dates fall between 1900 and 2200, ids fit a database
key, and a time sent without a zone is read in the app's own. The API takes them as
request bodies (their fields and descriptions are the OpenAPI document's); the
actions check what needs the database (people in the group, rules that exist,
dates in order).
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, TypeVar

import pydantic
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field
from pydantic import AfterValidator, BeforeValidator, StrictBool, StringConstraints, WithJsonSchema

from freedomcities.web.apitypes import (
    MAX_ID,
    MAX_REVISION,
    Input,
    Name,
    OcdId,
    StateCode,
    Storable,
    day_text,
    day_type,
)
from freedomcities.web.campaign import drafts
from freedomcities.web.campaign.models import (
    Friendliness,
    GroupRole,
    InPlace,
    MeetingStatus,
    PostRole,
    PromiseState,
    Support,
)
from freedomcities.web.errors import ActionError
from freedomcities.web.jurisdictions.models import Stage

T = TypeVar("T", bound=Input)

EARLIEST_YEAR, LATEST_YEAR = 1900, 2200  # dates outside are typing mistakes
MAX_LONG_TEXT = 20_000  # notes, agendas, summaries


# Input types -------------------------------------------------------------------------------


def _day(value: datetime.date) -> datetime.date:
    """Refuse dates no meeting or promise could have."""
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(_("Check the year: it should be between 1900 and 2200."))
    return value


def _moment(value: datetime.datetime) -> datetime.datetime:
    """A sane moment, in the app's time zone when it came without one."""
    _day(value.date())
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _email(value: str) -> str:
    """An e-mail address, or nothing."""
    try:
        validate_email(value) if value else None
    except ValidationError as exc:
        raise ValueError(_("Give a valid e-mail address, or leave it empty.")) from exc
    return value


def _url(value: str) -> str:
    """A web address, or nothing."""
    try:
        URLValidator(schemes=["http", "https"])(value) if value else None
    except ValidationError as exc:
        raise ValueError(
            _("Give a web address starting with https://, or leave it empty.")
        ) from exc
    return value


def text_of(length: int, *, strip: bool = True, least: int = 0) -> Any:
    """Text the database stores: at most ``length`` characters, no NUL."""
    return StringConstraints(strip_whitespace=strip, min_length=least, max_length=length)


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# The years the server takes, in the schema too, so a client knows before it sends.
_YEARS = r"(19\d\d|2[01]\d\d|2200)"
Day = Annotated[
    datetime.date,
    BeforeValidator(day_text),
    AfterValidator(_day),
    day_type(rf"{_YEARS}-\d{{2}}-\d{{2}}"),
]
Moment = Annotated[
    datetime.datetime,
    AfterValidator(_moment),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": f"^{_YEARS}-"}),
]
Line = Annotated[str, text_of(200), Storable]
Phone = Annotated[str, text_of(40), Storable]
Address = Annotated[str, text_of(300), Storable]
Said = Annotated[str, text_of(500), Storable]
Promised = Annotated[str, text_of(500, least=1), Storable]
LongText = Annotated[str, text_of(MAX_LONG_TEXT, strip=False), Storable]
DraftText = Annotated[str, text_of(drafts.MAX_TEXT, strip=False), Storable]
# What Django's validators take, as patterns a client can check before sending (a little
# narrower than the validators, never wider).
_HOST = r"([a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?\.)+[a-z]{2,10}"
_EMAIL = rf"^([A-Za-z0-9_%+-]+(\.[A-Za-z0-9_%+-]+)*@{_HOST})?$"
_URL = rf"^(https?://{_HOST}(/[^\s\x00]*)?)?$"
Email = Annotated[
    str,
    text_of(254),
    Storable,
    AfterValidator(_email),
    WithJsonSchema({"type": "string", "maxLength": 254, "pattern": _EMAIL}),
]
Url = Annotated[
    str,
    text_of(200),
    Storable,
    AfterValidator(_url),
    WithJsonSchema({"type": "string", "maxLength": 200, "pattern": _URL}),
]
Who = Annotated[str, text_of(254, least=1), Storable]
RuleId = Annotated[str, text_of(10), Storable]
DraftKind = Annotated[str, text_of(20), Storable]


class GroupIn(Input):
    """A new local group."""

    name: Name = Field(description="The group's name, e.g. 'People Power Mesa'.")
    state: StateCode = Field(description="Postal code of the affiliate's state, e.g. AZ.")
    home: OcdId | None = Field(None, description="The ocd_id of the city or county it works in.")


class PlaceIn(Input):
    """Another city or county for a group to campaign in."""

    jurisdiction: OcdId = Field(description="Its ocd_id.")


class MemberIn(Input):
    """A volunteer to add to a group, or whose part in it changes."""

    who: Who = Field(description="Their username or e-mail address; they must have signed up.")
    role: GroupRole = Field(GroupRole.MEMBER, description="Member or organizer.")
    phone: Phone = Field("", description="Their phone (private to the group and staff).")
    postal_code: Annotated[str, text_of(10), Storable] = Field("", description="Their ZIP code.")


class OfficeIn(Input):
    """An official's public office contacts, and the group's judgement of them."""

    email: Email = Field("", description="Office e-mail.")
    phone: Phone = Field("", description="Office phone.")
    office_address: Address = Field("", description="Office address.")
    url: Url = Field("", description="A web page about them.")
    friendliness: Friendliness = Field(
        Friendliness.UNDECIDED, description="How they stand towards the campaign (private)."
    )


class OfficialIn(OfficeIn):
    """An official to press: who, which office, which group lists them."""

    name: Name = Field(description="Their name.")
    role: PostRole = Field(description="Their office.")
    label: Line = Field("", description="Their title, e.g. 'Council member, district 7'.")
    agency: Id | None = Field(None, description="The id of their agency here, if any.")
    start_date: Day | None = Field(None, description="In office since.")
    group: Id | None = Field(None, description="The group listing them; staff may leave it out.")


class OfficialPatch(Input):
    """Changes to an official: only the fields sent change."""

    name: Name | None = Field(None, description="Their name.")
    email: Email | None = Field(None, description="Office e-mail.")
    phone: Phone | None = Field(None, description="Office phone.")
    office_address: Address | None = Field(None, description="Office address.")
    url: Url | None = Field(None, description="A web page about them.")
    friendliness: Friendliness | None = Field(None, description="How they stand (private).")
    left_office_on: Day | None = Field(None, description="The day they left office, if they did.")


class PlanPatch(Input):
    """Changes to a meeting's plan: only the fields sent change."""

    status: MeetingStatus | None = Field(
        None, description="requested, no_answer, refused or scheduled; held comes from the outcome."
    )
    requested_on: Day | None = Field(None, description="When the meeting was asked for.")
    request_note: LongText | None = Field(None, description="Whom you asked, how, what they said.")
    officials: list[Id] | None = Field(None, max_length=50, description="Ids of the officials.")
    starts_at: Moment | None = Field(None, description="When it starts.")
    place: Address | None = Field(None, description="Where.")
    attendees: list[Id] | None = Field(None, max_length=100, description="Members' user ids.")
    spokesperson: Id | None = Field(None, description="The spokesperson's user id.")
    note_taker: Id | None = Field(None, description="The note taker's user id.")
    agenda: LongText | None = Field(None, description="The agenda; left out keeps it as it is.")


class PlanIn(PlanPatch):
    """A meeting asked for (or scheduled); the agenda is drafted when none is given."""

    jurisdiction: OcdId = Field(description="The ocd_id of one of the group's campaigns.")
    requested_on: Day = Field(description="When the meeting was asked for.")


class AnswerIn(Input):
    """One official's reply on one rule; don't know, not asked and no note clears it."""

    official: Id = Field(description="The official's id; they must be on the meeting.")
    rule: RuleId = Field(description="The rule's id, e.g. '4' or '1373'.")
    in_place: InPlace = Field(InPlace.UNKNOWN, description="Is it in place?")
    support: Support = Field(Support.NOT_ASKED, description="Will you support it?")
    note: Said = Field("", description="What they said.")

    @property
    def said_something(self) -> bool:
        """Blank rows (don't know, not asked, no note) are not answers."""
        return (
            self.in_place != InPlace.UNKNOWN or self.support != Support.NOT_ASKED or bool(self.note)
        )


class PromiseIn(Input):
    """A promise an official made, or a next step the group took on."""

    text: Promised = Field(description="What was promised.")
    due_on: Day = Field(description="When it is due.")
    official: Id | None = Field(None, description="The official who promised; null for the group.")
    owner: Id | None = Field(None, description="The user id of the member who follows it up.")


class OutcomeIn(Input):
    """What was said at a meeting; answers not sent stay as they were."""

    revision: int = Field(ge=0, le=MAX_REVISION, description="The meeting's revision as read.")
    held_at: Moment = Field(description="When it was held.")
    answers: list[AnswerIn] = Field([], max_length=1000, description="Answers per official, rule.")
    promises: list[PromiseIn] = Field([], max_length=50, description="Promises made.")
    notes: LongText = Field("", description="Notes, private to the group and staff.")
    point_of_contact: Id | None = Field(None, description="The official to keep in touch with.")
    next_meeting_on: Day | None = Field(None, description="When they meet again.")


class PromisePatch(Input):
    """A promise's new state, or due date."""

    state: PromiseState | None = Field(None, description="open, done, broken or dropped.")
    due_on: Day | None = Field(None, description="A new due date.")


class ReportIn(Input):
    """A meeting's report-back to the affiliate."""

    summary: LongText = Field(description="A short summary the group is happy to share.")


class AcceptIn(Input):
    """Staff accept a report-back."""

    publish: StrictBool = Field(False, description="Make the officials' answers public.")
    note: LongText = Field("", description="A note to the group.")


class ReturnIn(Input):
    """Staff return a report-back with a question."""

    note: LongText = Field(description="What the group should add or check.")


class ReopenIn(Input):
    """A member asks staff to reopen a reported meeting."""

    reason: LongText = Field(description="What needs changing, and why, for staff to decide.")


class StageIn(Input):
    """A campaign's stage, set by hand."""

    stage: Stage = Field(description="researching, meeting_requested, met, ..., stalled.")


class TextIn(Input):
    """Text to check against the glossary."""

    text: DraftText = Field(description="The text of a draft.")


def checked(kind: type[T], **values: Any) -> T:
    """An input built from a page's values; what it refuses, the action refuses, as on the API.

    A form has already turned text into values; this applies the same bounds the
    API applies to a body, and says what is wrong in the page's message.
    """
    try:
        return kind(**values)
    except pydantic.ValidationError as exc:
        error = exc.errors()[0]
        message = str(error["msg"]).removeprefix("Value error, ")
        where = ".".join(str(part) for part in error["loc"])
        raise ActionError(f"{where}: {message}" if where else message) from None
