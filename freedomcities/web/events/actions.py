"""What people do with events: post and change them, RSVP, cancel, mark who came.

Views and the API call these and never change the models themselves. Each action checks
its input and raises :class:`ActionError` with a message fit to show on the page.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from freedomcities.web.campaign.models import Group, GroupMember, Person
from freedomcities.web.errors import ActionError
from freedomcities.web.events.models import (
    DESCRIPTION_MAX,
    TITLE_MAX,
    Attendance,
    Event,
    EventStatus,
    RsvpStatus,
    Tactic,
)
from freedomcities.web.geography import places
from freedomcities.web.jurisdictions.models import Jurisdiction

__all__ = [
    "ActionError",
    "EventDraft",
    "Invitee",
    "RsvpDraft",
    "RsvpResult",
    "cancel_event",
    "cancel_rsvp",
    "check_email",
    "check_phone",
    "check_text",
    "mark_attended",
    "mark_passed",
    "nearby_volunteers",
    "post_event",
    "rsvp",
    "rsvp_cancel_token",
    "update_event",
]

MAX_EVENT_DAYS = 14
START_GRACE = datetime.timedelta(minutes=5)
_CANCEL_SALT = "freedomcities.events.rsvp-cancel"
_PHONE = re.compile(r"^[0-9+().\-\s/x#extEXT]{0,40}$")


@dataclass(frozen=True)
class EventDraft:
    """What an organizer wrote about an event, before it is checked and stored."""

    group: Group
    tactic: str
    jurisdiction: Jurisdiction
    title: str
    starts: datetime.datetime
    """Local wall-clock start (naive): it is read in ``timezone``."""
    ends: datetime.datetime
    postal_code: str
    timezone: str = ""
    """IANA name; empty for the ZIP code's own time zone."""
    description: str = ""
    venue: str = ""
    address_lines: str = ""
    locality: str = ""
    address_public: bool = False
    public: bool = True
    capacity: int | None = None
    host_name: str = ""
    host_email: str = ""
    host_phone: str = ""
    host_public: bool = False
    officials: tuple[Person, ...] = field(default_factory=tuple)


def check_text(value: str, what: str, limit: int) -> str:
    """Plain text within ``limit`` characters; HTML is refused, never stored or shown."""
    value = (value or "").replace("\r\n", "\n").strip()
    if "\x00" in value:
        raise ActionError(
            _("%(what)s contains a character that cannot be stored.") % {"what": what}
        )
    if strip_tags(value) != value:
        raise ActionError(
            _("%(what)s contains HTML. Please write plain text: tags are not shown.")
            % {"what": what}
        )
    if len(value) > limit:
        raise ActionError(
            _("%(what)s is %(length)s characters long; the most is %(limit)s.")
            % {"what": what, "length": len(value), "limit": limit}
        )
    return value


def _zone(name: str, place: places.ZipPlace) -> zoneinfo.ZoneInfo:
    """The named IANA time zone, or the ZIP code's when the name is empty."""
    name = (name or place.timezone or "").strip()
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ActionError(
            _("%(zone)s is not a time zone we know; choose one such as America/Phoenix.")
            % {"zone": name or "?"}
        ) from exc


def _zip_place(postal_code: str) -> places.ZipPlace:
    """The ZIP code's place, or a message saying what is wrong with it."""
    try:
        return places.lookup_zip(postal_code)
    except places.UnknownZip as exc:
        raise ActionError(
            _("%(zip)s is not a U.S. ZIP code we know; check the five digits.")
            % {"zip": (postal_code or "").strip() or _("An empty ZIP code")}
        ) from exc


def _times(
    draft: EventDraft, zone: zoneinfo.ZoneInfo, *, was: Event | None
) -> tuple[datetime.datetime, datetime.datetime]:
    """Aware start and end; the end after the start, and a new start not in the past."""
    starts = draft.starts.replace(tzinfo=zone)
    ends = draft.ends.replace(tzinfo=zone)
    if ends <= starts:
        raise ActionError(_("The event must end after it starts; check the end time."))
    if ends - starts > datetime.timedelta(days=MAX_EVENT_DAYS):
        raise ActionError(
            _("An event may last %(days)s days at most; post a longer action as several events.")
            % {"days": MAX_EVENT_DAYS}
        )
    unchanged = was is not None and was.starts_at == starts
    if not unchanged and starts < timezone.now() - START_GRACE:
        raise ActionError(_("That start time is in the past; events are posted ahead of time."))
    return starts, ends


def _fields(draft: EventDraft, *, was: Event | None) -> dict[str, object]:
    """The checked model fields of a draft."""
    if draft.tactic not in Tactic.values:
        raise ActionError(_("Choose what kind of action this is."))
    title = check_text(draft.title, _("The title"), TITLE_MAX)
    if not title:
        raise ActionError(_("Give the event a title."))
    place = _zip_place(draft.postal_code)
    zone = _zone(draft.timezone, place)
    starts, ends = _times(draft, zone, was=was)
    if draft.capacity is not None and draft.capacity < 1:
        raise ActionError(_("The capacity must be at least 1, or empty for no limit."))
    if draft.host_email:
        check_email(draft.host_email)
    return {
        "group": draft.group,
        "tactic": draft.tactic,
        "jurisdiction": draft.jurisdiction,
        "title": title,
        "description": check_text(draft.description, _("The description"), DESCRIPTION_MAX),
        "starts_at": starts,
        "ends_at": ends,
        "timezone": zone.key,
        "venue": check_text(draft.venue, _("The venue"), 200),
        "address_lines": check_text(draft.address_lines, _("The address"), 300),
        "locality": check_text(draft.locality, _("The town"), 100) or place.city,
        "region": place.state,
        "postal_code": place.code,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "address_public": draft.address_public,
        "public": draft.public,
        "capacity": draft.capacity,
        "host_name": check_text(draft.host_name, _("The host's name"), 200),
        "host_email": draft.host_email.strip().lower(),
        "host_phone": check_phone(draft.host_phone),
        "host_public": draft.host_public,
    }


@transaction.atomic
def post_event(draft: EventDraft, *, user: User | None) -> Event:
    """Put a group's event on the map (or on the group's own calendar when not public)."""
    event = Event(**_fields(draft, was=None), created_by=user)
    event.save()
    event.officials.set(draft.officials)
    return event


@transaction.atomic
def update_event(event: Event, draft: EventDraft) -> Event:
    """Change an event; its start may stay in the past only if it is left as it was."""
    if event.status == EventStatus.CANCELLED:
        raise ActionError(_("This event was cancelled; post a new one instead."))
    for name, value in _fields(draft, was=event).items():
        setattr(event, name, value)
    event.save()
    event.officials.set(draft.officials)
    return event


def cancel_event(event: Event) -> Event:
    """Call an event off: it stays on the map, marked cancelled, so nobody comes in vain."""
    if event.status == EventStatus.CANCELLED:
        raise ActionError(_("This event is already cancelled."))
    event.status = EventStatus.CANCELLED
    event.save(update_fields=["status", "updated_at"])
    return event


def mark_passed(now: datetime.datetime | None = None) -> int:
    """Mark every scheduled event that has ended as passed; returns how many changed."""
    return Event.objects.filter(
        status=EventStatus.SCHEDULED, ends_at__lt=now or timezone.now()
    ).update(status=EventStatus.PASSED)


# RSVPs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RsvpDraft:
    """What a member of the public wrote in the RSVP form."""

    given_name: str
    family_name: str
    email: str
    postal_code: str
    phone: str = ""
    consent_to_contact: bool = False


@dataclass(frozen=True)
class RsvpResult:
    """The RSVP as stored, and whether it was new and whether there was room."""

    attendance: Attendance
    created: bool
    waitlisted: bool


def check_email(value: str) -> str:
    """A lower-case e-mail address, or a message that it does not look like one."""
    email = (value or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ActionError(
            _("%(email)s does not look like an e-mail address.") % {"email": email or "''"}
        ) from exc
    return email


def check_phone(value: str) -> str:
    """A phone number of digits and the usual punctuation, or a message."""
    phone = (value or "").strip()
    if not _PHONE.match(phone):
        raise ActionError(_("A phone number may hold only digits, spaces and + ( ) - ."))
    return phone


def _check_name(value: str, what: str, *, required: bool = True) -> str:
    """A name of at most 100 characters; required unless said otherwise."""
    name = check_text(value, what, 100)
    if required and not name:
        raise ActionError(_("%(what)s is missing.") % {"what": what})
    return name


def _check_open(event: Event) -> None:
    """Refuse RSVPs to events that are not public or no longer on."""
    if not event.public:
        raise ActionError(_("This event is for the group's members only."))
    if event.status == EventStatus.CANCELLED:
        raise ActionError(_("This event was cancelled, so it takes no more RSVPs."))
    if event.current_status == EventStatus.PASSED:
        raise ActionError(_("This event has already happened."))


def _has_room(event: Event, email: str) -> bool:
    """Whether one more person fits, not counting this e-mail's own place."""
    if event.capacity is None:
        return True
    coming = event.attendances.filter(status=RsvpStatus.ACCEPTED).exclude(email=email).count()
    return coming < event.capacity


def rsvp(event: Event, draft: RsvpDraft, *, base_url: str) -> RsvpResult:
    """Record an RSVP (the same e-mail again updates it) and send the confirmation e-mail.

    When the event is full the person goes on the waiting list and is told so; a place that
    frees up goes to the first on the list.
    """
    fields = {
        "given_name": _check_name(draft.given_name, _("Your given name")),
        "family_name": _check_name(draft.family_name, _("Your family name")),
        "postal_code": _zip_place(draft.postal_code).code,
        "phone": check_phone(draft.phone),
        "consent_to_contact": draft.consent_to_contact,
    }
    email = check_email(draft.email)
    _check_open(event)
    try:
        with transaction.atomic():
            Event.objects.select_for_update().filter(pk=event.pk).first()
            result = _store_rsvp(event, email, fields)
    except IntegrityError as exc:  # the same e-mail sent twice at once
        raise ActionError(
            _("We got two RSVPs from this e-mail at once; please try again.")
        ) from exc
    _send_confirmation(result, base_url)
    return result


def _store_rsvp(event: Event, email: str, fields: Mapping[str, object]) -> RsvpResult:
    """Create or update the e-mail's attendance, placing it or waitlisting it."""
    attendance = Attendance.objects.filter(event=event, email=email).first()
    created = attendance is None
    if attendance is None:
        attendance = Attendance(event=event, email=email)
    for name, value in fields.items():
        setattr(attendance, name, value)
    keeps_place = not created and attendance.status == RsvpStatus.ACCEPTED
    room = keeps_place or _has_room(event, email)
    attendance.status = RsvpStatus.ACCEPTED if room else RsvpStatus.WAITLISTED
    attendance.save()
    return RsvpResult(attendance=attendance, created=created, waitlisted=not room)


def rsvp_cancel_token(attendance: Attendance) -> str:
    """The signed token of an RSVP's cancel link: only its e-mail's reader has it."""
    return signing.dumps(str(attendance.uuid), salt=_CANCEL_SALT)


def attendance_for_token(token: str) -> Attendance:
    """The RSVP a cancel link is for, or a message that the link is broken."""
    try:
        key = signing.loads(token, salt=_CANCEL_SALT)
    except signing.BadSignature as exc:
        raise ActionError(
            _("This cancel link is not valid; copy the whole link from your e-mail.")
        ) from exc
    attendance = Attendance.objects.select_related("event").filter(uuid=key).first()
    if attendance is None:
        raise ActionError(_("This RSVP no longer exists."))
    return attendance


def cancel_rsvp(token: str, *, base_url: str) -> Attendance:
    """Cancel the RSVP of a cancel link, and give a freed place to the first on the waiting list."""
    attendance = attendance_for_token(token)
    if attendance.status == RsvpStatus.CANCELLED:
        return attendance
    with transaction.atomic():
        Event.objects.select_for_update().filter(pk=attendance.event_id).first()
        freed = attendance.status == RsvpStatus.ACCEPTED
        attendance.status = RsvpStatus.CANCELLED
        attendance.save(update_fields=["status", "updated_at"])
        promoted = _promote(attendance.event) if freed else None
    if promoted is not None:
        _send_confirmation(RsvpResult(promoted, created=False, waitlisted=False), base_url)
    return attendance


def _promote(event: Event) -> Attendance | None:
    """Move the longest-waiting person into a free place, if there is one."""
    first = event.attendances.filter(status=RsvpStatus.WAITLISTED).order_by("created_at").first()
    if first is None or not _has_room(event, first.email):
        return None
    first.status = RsvpStatus.ACCEPTED
    first.save(update_fields=["status", "updated_at"])
    return first


def _send_confirmation(result: RsvpResult, base_url: str) -> None:
    """E-mail the person what they signed up for, with the link to cancel."""
    attendance = result.attendance
    event = attendance.event
    context = {
        "attendance": attendance,
        "event": event,
        "waitlisted": result.waitlisted,
        "location": event.public_location(),
        "event_url": base_url + event.get_absolute_url(),
        "cancel_url": base_url + _cancel_path(attendance),
    }
    subject = (
        _("Waiting list: %(title)s") if result.waitlisted else _("You're coming: %(title)s")
    ) % {"title": event.title}
    body = render_to_string("events/rsvp_email.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [attendance.email])


def _cancel_path(attendance: Attendance) -> str:
    """The path of an RSVP's cancel page."""
    return reverse("rsvp_cancel", args=[rsvp_cancel_token(attendance)])


# Organizers ------------------------------------------------------------------------------


def mark_attended(event: Event, marks: Mapping[int, bool | None]) -> int:
    """Record who came (True), who did not (False) or unknown (None); returns how many changed."""
    changed = 0
    for attendance in event.attendances.filter(pk__in=list(marks)):
        value = marks[attendance.pk]
        if attendance.attended != value:
            attendance.attended = value
            attendance.save(update_fields=["attended", "updated_at"])
            changed += 1
    return changed


@dataclass(frozen=True)
class Invitee:
    """A volunteer who agreed to hear about events, and how far they live from one."""

    member: GroupMember
    miles: float


def nearby_volunteers(
    event: Event, miles: float, *, among: QuerySet[Group] | Iterable[Group]
) -> list[Invitee]:
    """Volunteers of ``among`` who opted in to invitations and live within ``miles``, nearest first.

    A volunteer's place is their ZIP code's centroid; members in several groups are listed once.
    """
    if not 0 < miles <= places.MAX_RADIUS_MILES:
        raise ActionError(
            _("Choose a distance between 1 and %(most)s miles.") % {"most": places.MAX_RADIUS_MILES}
        )
    members = GroupMember.objects.filter(
        group__in=among, invite_to_events=True, user__is_active=True
    ).exclude(postal_code="")
    nearest: dict[int, Invitee] = {}
    for member in members.select_related("user", "group"):
        try:
            home = places.lookup_zip(member.postal_code)
        except places.UnknownZip:
            continue
        distance = places.distance_miles(
            event.latitude, event.longitude, home.latitude, home.longitude
        )
        known = nearest.get(member.user_id)
        if distance <= miles and (known is None or distance < known.miles):
            nearest[member.user_id] = Invitee(member=member, miles=round(distance, 1))
    return sorted(nearest.values(), key=lambda invitee: invitee.miles)
