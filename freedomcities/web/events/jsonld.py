"""An event as schema.org ``Event`` JSON-LD, so search engines and calendars can read the page.

Only what the public may know goes in: the address's street lines only when the organizer
made them public, and the public (possibly blurred) point. See https://schema.org/Event.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from freedomcities.web.events.models import Event, EventStatus

SCHEMA = "https://schema.org"
STATUS = {
    EventStatus.SCHEDULED.value: f"{SCHEMA}/EventScheduled",
    EventStatus.PASSED.value: f"{SCHEMA}/EventScheduled",
    EventStatus.CANCELLED.value: f"{SCHEMA}/EventCancelled",
}
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def event_jsonld(event: Event, url: str) -> dict[str, Any]:
    """The schema.org Event of an event whose page is at ``url`` (absolute)."""
    data: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "Event",
        "@id": url,
        "url": url,
        "identifier": event.identifier,
        "name": event.title,
        "description": event.description,
        "startDate": event.local_start.isoformat(),
        "endDate": event.local_end.isoformat(),
        "eventStatus": STATUS[event.status],
        "eventAttendanceMode": f"{SCHEMA}/OfflineEventAttendanceMode",
        "location": _place(event),
        "organizer": {"@type": "Organization", "name": event.group.name},
        "isAccessibleForFree": True,
        "about": event.get_tactic_display(),
    }
    if event.capacity:
        data["maximumAttendeeCapacity"] = event.capacity
    return data


def _place(event: Event) -> dict[str, Any]:
    """The schema.org Place: its PostalAddress holds only the public parts."""
    location = event.public_location()
    address: dict[str, Any] = {
        "@type": "PostalAddress",
        "addressLocality": location.locality,
        "addressRegion": location.region,
        "postalCode": location.postal_code,
        "addressCountry": "US",
    }
    if location.address_lines:
        address["streetAddress"] = ", ".join(location.address_lines)
    place: dict[str, Any] = {
        "@type": "Place",
        "name": location.venue or f"{location.locality}, {location.region}",
        "address": address,
    }
    if location.latitude is not None and location.longitude is not None:
        place["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": location.latitude,
            "longitude": location.longitude,
        }
    return place


def script_tag(data: dict[str, Any]) -> SafeString:
    """``<script type="application/ld+json">`` with the data, safe inside HTML.

    ``<``, ``>`` and ``&`` are written as JSON escapes, so text such as ``</script>`` in a
    title cannot end the script element early.
    """
    text = json.dumps(data, ensure_ascii=False, indent=1).translate(_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')
