"""Events and attendances in the shape of the OSDI standard (Open Supporter Data Interface).

OSDI is what organizing tools exchange: HAL documents with ``_links``, ``identifiers`` such as
``freedomcities:<uuid>``, and the field names below. Groups can sync the events map with the
tools they already use. An event's location holds only its public parts; attendances (people's
names and contacts) are only ever built for the group's organizers and staff.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from freedomcities.web.events.models import Attendance, Event, EventStatus, RsvpStatus

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


def _iso(value: Any) -> str:
    """A datetime as ISO 8601 with its offset."""
    return str(value.isoformat())


def event_resource(event: Event, api_path: str, page_url: str, url: Url) -> dict[str, Any]:
    """An OSDI event; ``api_path`` is its path in the API, ``page_url`` its public page."""
    location = event.public_location()
    data: dict[str, Any] = {
        "identifiers": [event.identifier],
        "origin_system": ORIGIN,
        "created_date": _iso(event.created_at),
        "modified_date": _iso(event.updated_at),
        "title": event.title,
        "description": event.description,
        "browser_url": page_url,
        "type": "limited" if event.capacity else "open",
        "capacity": event.capacity,
        "status": EVENT_STATUS[event.status],
        "visibility": "public" if event.public else "private",
        "start_date": _iso(event.local_start),
        "end_date": _iso(event.local_end),
        "time_zone": event.timezone,
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
                "accuracy": "Rooftop" if location.exact else "Approximate",
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


def attendance_resource(attendance: Attendance, event_path: str, url: Url) -> dict[str, Any]:
    """An OSDI attendance: the person's reply, whether they came, and who they are."""
    return {
        "identifiers": [f"freedomcities:{attendance.uuid}"],
        "origin_system": ORIGIN,
        "created_date": _iso(attendance.created_at),
        "modified_date": _iso(attendance.updated_at),
        "status": ATTENDANCE_STATUS[attendance.status],
        "attended": attendance.attended,
        "comment": attendance.comment,
        "person": {
            "given_name": attendance.given_name,
            "family_name": attendance.family_name,
            "email_addresses": [{"address": attendance.email, "primary": True}],
            "phone_numbers": [{"number": attendance.phone, "primary": True}]
            if attendance.phone
            else [],
            "postal_addresses": [{"postal_code": attendance.postal_code, "primary": True}]
            if attendance.postal_code
            else [],
        },
        "_links": {
            "self": {"href": url(f"{event_path}/attendances/{attendance.uuid}")},
            "osdi:event": {"href": url(event_path)},
        },
    }


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
    """The URL with its ``page`` query parameter set."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "page"] + [("page", str(page))]
    return urlunsplit(parts._replace(query=urlencode(query)))
