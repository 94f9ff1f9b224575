"""Events, attendances and people in the shape of OSDI 1.1 (Open Supporter Data Interface).

OSDI is what organizing tools exchange: HAL documents (``application/hal+json``) with
``_links`` and ``_embedded``, ``identifiers`` such as ``freedomcities:<uuid>``, and the field
names and values of the spec. Groups can sync the events map with the tools they already use.
Every resource's ``self`` link answers, attendances link to their ``osdi:person``, and
collections link to their neighbouring pages, as OSDI clients follow them.

An event's location holds only its public parts; attendances and people (names and contacts)
are only ever built for the group's organizers and staff. The fields ``timezone_identifier``,
``tactic``, ``group`` and ``jurisdiction`` are this app's extensions, as OSDI allows.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ninja import Field, Schema
from pydantic import ConfigDict

from freedomcities.web.events.models import Attendance, Event, EventStatus, RsvpStatus

OSDI_VERSION = "1.1"
HAL = "application/hal+json"
ORIGIN = "Freedom Cities"
EVENT_STATUS = {
    EventStatus.SCHEDULED.value: "confirmed",
    EventStatus.PASSED.value: "confirmed",
    EventStatus.CANCELLED.value: "cancelled",
}
ATTENDANCE_STATUS = {
    RsvpStatus.ACCEPTED.value: "accepted",
    RsvpStatus.WAITLISTED.value: "tentative",
    RsvpStatus.CANCELLED.value: "declined",
}

Url = Callable[[str], str]
"""Turns an API path such as ``/api/events/<uuid>`` into an absolute URL."""


# The shapes, as the OpenAPI schema documents them -----------------------------------------


class Hal(Schema):
    """A HAL resource: OSDI's field names, ``_links`` and ``_embedded`` included."""

    model_config = ConfigDict(populate_by_name=True)


class Link(Schema):
    """A HAL link."""

    href: str = Field(description="The absolute URL it points to.")


class Point(Schema):
    """Where on the map; approximate unless the organizer made the address public."""

    latitude: float = Field(description="Degrees north.")
    longitude: float = Field(description="Degrees east (negative in the U.S.).")
    accuracy: Literal["Rooftop", "Approximate"] = Field(
        description="Always Approximate here: points come from the ZIP code, never the street."
    )


class Location(Schema):
    """An event's place: the venue and street only when the organizer made them public."""

    venue: str = Field(description="The venue's name; empty when the address is private.")
    address_lines: list[str] = Field(description="The street address; empty when private.")
    locality: str = Field(description="The town or city.")
    region: str = Field(description="The state's postal code.")
    postal_code: str = Field(description="The ZIP code.")
    country: Literal["US"] = Field(description="Always US.")
    location: Point = Field(description="The point on the map.")


class Contact(Schema):
    """The host's contact, present only when the host made it public."""

    name: str = Field(description="The host's name.")
    email_address: str = Field(description="The host's e-mail.")
    phone_number: str = Field(description="The host's phone.")
    public: bool = Field(description="Always true: shown only when public.")


class EventLinks(Hal):
    """Links of an event."""

    self: Link
    attendances: Link = Field(alias="osdi:attendances")


class Resource(Hal):
    """What every OSDI resource here starts with: its ids, its origin, when it changed.

    Most are replies (a person, an attendance); an event says when it was posted.
    """

    identifiers: list[str] = Field(description="e.g. freedomcities:<uuid>.")
    origin_system: str = Field(description="Freedom Cities.")
    created_date: datetime.datetime = Field(description="When they replied.")
    modified_date: datetime.datetime = Field(description="When it last changed.")


class OsdiEvent(Resource):
    """An OSDI event (``osdi:event``)."""

    created_date: datetime.datetime = Field(description="When it was posted.")
    title: str = Field(description="Its title.")
    description: str = Field(description="Plain text.")
    browser_url: str = Field(description="The event's public page.")
    type: Literal["open", "ticketed"] = Field(description="Always open: RSVPs are free.")
    capacity: int | None = Field(None, description="The most people who can come; absent: none.")
    status: Literal["confirmed", "tentative", "cancelled"] = Field(
        description="confirmed, or cancelled."
    )
    visibility: Literal["public", "private"] = Field(description="public, or private to the group.")
    start_date: datetime.datetime = Field(description="With the offset of the event's zone.")
    end_date: datetime.datetime = Field(description="With the offset of the event's zone.")
    timezone_identifier: str = Field(description="Extension: the IANA zone, America/Denver.")
    tactic: str = Field(description="Extension: the kind of action.")
    group: str = Field(description="Extension: the local group's name.")
    jurisdiction: str = Field(description="Extension: the Open Civic Data id it is about.")
    location: Location
    contact: Contact | None = Field(None, description="The host's, when public.")
    links: EventLinks = Field(alias="_links")


class PageLinks(Hal):
    """Links of a collection page: itself and its neighbours."""

    self: Link
    next: Link | None = Field(None, description="The next page; absent on the last.")
    prev: Link | None = Field(None, description="The page before; absent on the first.")


class Page(Hal):
    """The counts every OSDI collection page carries."""

    total_pages: int = Field(description="How many pages there are.")
    total_records: int = Field(description="How many items, over all pages.")
    page: int = Field(description="This page's number, from 1.")
    per_page: int = Field(description="The most items a page holds.")
    links: PageLinks = Field(alias="_links")


class EventsEmbedded(Hal):
    """The events of a page."""

    events: list[OsdiEvent] = Field(alias="osdi:events", description="The events on this page.")


class EventPage(Page):
    """A page of OSDI events."""

    embedded: EventsEmbedded = Field(alias="_embedded")


class EmailAddress(Schema):
    """An e-mail address of a person."""

    address: str = Field(description="The address.")
    primary: bool = Field(description="Always true: one address.")


class PhoneNumber(Schema):
    """A phone number of a person."""

    number: str = Field(description="The number.")
    primary: bool = Field(description="Always true: one number.")


class PostalAddress(Schema):
    """Where a person lives, as far as they told: the ZIP code only."""

    postal_code: str = Field(description="The ZIP code.")
    primary: bool = Field(description="Always true.")


class PersonLinks(Hal):
    """Links of a person."""

    self: Link


class OsdiPerson(Resource):
    """An OSDI person (``osdi:person``): who replied, for the group's organizers only."""

    given_name: str = Field(description="Their given name.")
    family_name: str = Field(description="Their family name.")
    email_addresses: list[EmailAddress] = Field(description="Their e-mail.")
    phone_numbers: list[PhoneNumber] = Field(description="Their phone, if given.")
    postal_addresses: list[PostalAddress] = Field(description="Their ZIP code, if given.")
    links: PersonLinks = Field(alias="_links")


class AttendanceLinks(Hal):
    """Links of an attendance."""

    self: Link
    event: Link = Field(alias="osdi:event")
    person: Link = Field(alias="osdi:person")


class AttendanceEmbedded(Hal):
    """The person, embedded so a client needs no second request."""

    person: OsdiPerson = Field(alias="osdi:person")


class OsdiAttendance(Resource):
    """An OSDI attendance (``osdi:attendance``): a reply to an event, and whether they came."""

    status: Literal["accepted", "tentative", "declined", "needs action"] = Field(
        description="accepted, tentative (waiting list) or declined."
    )
    attended: bool | None = Field(None, description="Absent until the organizer marks it.")
    comment: str = Field(description="What they wrote.")
    links: AttendanceLinks = Field(alias="_links")
    embedded: AttendanceEmbedded = Field(alias="_embedded")


class AttendancesEmbedded(Hal):
    """The attendances of a page."""

    attendances: list[OsdiAttendance] = Field(
        alias="osdi:attendances", description="The attendances on this page."
    )


class AttendancePage(Page):
    """A page of OSDI attendances."""

    embedded: AttendancesEmbedded = Field(alias="_embedded")


# Building them ----------------------------------------------------------------------------


def _iso(value: Any) -> str:
    """A datetime as ISO 8601 with its offset."""
    return str(value.isoformat())


def _resource(identifier: str, made: Event | Attendance) -> dict[str, Any]:
    """The fields every resource starts with (see :class:`Resource`)."""
    return {
        "identifiers": [identifier],
        "origin_system": ORIGIN,
        "created_date": _iso(made.created_at),
        "modified_date": _iso(made.updated_at),
    }


def event_resource(event: Event, api_path: str, page_url: str, url: Url) -> dict[str, Any]:
    """An OSDI event; ``api_path`` is its path in the API, ``page_url`` its public page."""
    location = event.public_location()
    data: dict[str, Any] = {
        **_resource(event.identifier, event),
        "title": event.title,
        "description": event.description,
        "browser_url": page_url,
        "type": "open",
        "capacity": event.capacity,
        "status": EVENT_STATUS[event.status],
        "visibility": "public" if event.public else "private",
        "start_date": _iso(event.local_start),
        "end_date": _iso(event.local_end),
        "timezone_identifier": event.timezone,
        "tactic": event.tactic,
        "group": event.group.name,
        "jurisdiction": event.jurisdiction.ocd_id,
        "location": {
            "venue": location.venue,
            "address_lines": list(location.address_lines),
            "locality": location.locality,
            "region": location.region,
            "postal_code": location.postal_code,
            "country": "US",
            "location": {
                "latitude": location.latitude,
                "longitude": location.longitude,
                # The point is the ZIP code's centre (blurred when private), never a geocode.
                "accuracy": "Approximate",
            },
        },
        "_links": {
            "self": {"href": url(api_path)},
            "osdi:attendances": {"href": url(f"{api_path}/attendances")},
        },
    }
    if event.host_public:
        data["contact"] = {
            "name": event.host_name,
            "email_address": event.host_email,
            "phone_number": event.host_phone,
            "public": True,
        }
    return data


def attendance_path(event_path: str, attendance: Attendance) -> str:
    """Where an attendance answers in the API."""
    return f"{event_path}/attendances/{attendance.uuid}"


def person_resource(attendance: Attendance, event_path: str, url: Url) -> dict[str, Any]:
    """The OSDI person who gave an attendance: their name and the contacts they left."""
    return {
        **_resource(f"freedomcities:{attendance.uuid}", attendance),
        "given_name": attendance.given_name,
        "family_name": attendance.family_name,
        "email_addresses": [{"address": attendance.email, "primary": True}],
        "phone_numbers": [{"number": attendance.phone, "primary": True}]
        if attendance.phone
        else [],
        "postal_addresses": [{"postal_code": attendance.postal_code, "primary": True}]
        if attendance.postal_code
        else [],
        "_links": {"self": {"href": url(attendance_path(event_path, attendance) + "/person")}},
    }


def attendance_resource(attendance: Attendance, event_path: str, url: Url) -> dict[str, Any]:
    """An OSDI attendance: the reply, whether they came, and a link to who they are."""
    path = attendance_path(event_path, attendance)
    data: dict[str, Any] = {
        **_resource(f"freedomcities:{attendance.uuid}", attendance),
        "status": ATTENDANCE_STATUS[attendance.status],
        "comment": attendance.comment,
        "_links": {
            "self": {"href": url(path)},
            "osdi:event": {"href": url(event_path)},
            "osdi:person": {"href": url(f"{path}/person")},
        },
        "_embedded": {"osdi:person": person_resource(attendance, event_path, url)},
    }
    if attendance.attended is not None:
        data["attended"] = attendance.attended
    return data


def collection(
    name: str,
    items: Sequence[dict[str, Any]],
    *,
    self_url: str,
    total: int,
    page: int,
    per_page: int,
) -> dict[str, Any]:
    """An OSDI collection page: counts, links to neighbouring pages, items under ``_embedded``."""
    pages = max(1, -(-total // per_page))
    links: dict[str, Any] = {"self": {"href": _with_page(self_url, page)}}
    if page < pages:
        links["next"] = {"href": _with_page(self_url, page + 1)}
    if page > 1:
        links["prev"] = {"href": _with_page(self_url, page - 1)}
    return {
        "total_pages": pages,
        "total_records": total,
        "page": page,
        "per_page": per_page,
        "_links": links,
        "_embedded": {name: list(items)},
    }


def _with_page(url: str, page: int) -> str:
    """The URL with its ``page`` query parameter set (and any token in it left out)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in {"page", "osdi-api-token"}] + [
        ("page", str(page))
    ]
    return urlunsplit(parts._replace(query=urlencode(query)))
