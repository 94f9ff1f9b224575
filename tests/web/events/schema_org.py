"""A check of JSON-LD against schema.org's Event shape, written out here (no network).

It follows schema.org's definitions (https://schema.org/Event, Place, PostalAddress,
GeoCoordinates, Organization) and the properties search engines require or recommend for
events: ``name``, ``startDate`` and ``location`` are required; ``endDate``, ``eventStatus``,
``eventAttendanceMode``, ``description``, ``organizer`` are expected. Each property's value
must have the type schema.org gives it. :func:`event_problems` returns what is wrong.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

SCHEMA = "https://schema.org"
EVENT_STATUSES = {
    f"{SCHEMA}/{name}"
    for name in (
        "EventScheduled",
        "EventCancelled",
        "EventPostponed",
        "EventRescheduled",
        "EventMovedOnline",
    )
}
ATTENDANCE_MODES = {
    f"{SCHEMA}/{name}"
    for name in (
        "OfflineEventAttendanceMode",
        "OnlineEventAttendanceMode",
        "MixedEventAttendanceMode",
    )
}
REQUIRED = ("name", "startDate", "location")
EXPECTED = ("endDate", "eventStatus", "eventAttendanceMode", "description", "organizer", "url")

Check = Callable[[Any], bool]


def _text(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _url(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://"))


def _datetime_with_offset(value: Any) -> bool:
    """ISO 8601 date-time with a UTC offset, as schema.org's DateTime and search engines want."""
    if not isinstance(value, str):
        return False
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        return False
    return parsed.utcoffset() is not None


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _typed(kind: str, properties: dict[str, Check], required: tuple[str, ...]) -> Check:
    """A check of a nested schema.org node of type ``kind``."""

    def check(value: Any) -> bool:
        return not _node_problems(value, kind, properties, required, "")

    return check


POSTAL_ADDRESS: dict[str, Check] = {
    "streetAddress": _text,
    "addressLocality": _text,
    "addressRegion": _text,
    "postalCode": _text,
    "addressCountry": _text,
}
GEO: dict[str, Check] = {"latitude": _number, "longitude": _number}
PLACE: dict[str, Check] = {
    "name": _text,
    "address": _typed("PostalAddress", POSTAL_ADDRESS, ("addressLocality", "addressRegion")),
    "geo": _typed("GeoCoordinates", GEO, ("latitude", "longitude")),
}
ORGANIZATION: dict[str, Check] = {"name": _text, "url": _url}
EVENT: dict[str, Check] = {
    "name": _text,
    "description": lambda v: isinstance(v, str),
    "startDate": _datetime_with_offset,
    "endDate": _datetime_with_offset,
    "eventStatus": lambda v: v in EVENT_STATUSES,
    "eventAttendanceMode": lambda v: v in ATTENDANCE_MODES,
    "location": _typed("Place", PLACE, ("address",)),
    "organizer": _typed("Organization", ORGANIZATION, ("name",)),
    "url": _url,
    "@id": _url,
    "identifier": _text,
    "maximumAttendeeCapacity": lambda v: isinstance(v, int) and v > 0,
    "isAccessibleForFree": lambda v: isinstance(v, bool),
    "about": _text,
}


def _node_problems(
    node: Any, kind: str, properties: dict[str, Check], required: tuple[str, ...], where: str
) -> list[str]:
    if not isinstance(node, dict):
        return [f"{where or kind} is not an object"]
    problems = []
    if node.get("@type") != kind:
        problems.append(f"{where}@type is {node.get('@type')!r}, not {kind!r}")
    problems += [f"{where}{name} is missing" for name in required if name not in node]
    for name, value in node.items():
        if name in ("@type", "@context"):
            continue
        check = properties.get(name)
        if check is None:
            problems.append(f"{where}{name} is not a property of {kind} here")
        elif not check(value):
            problems.append(f"{where}{name} has the wrong type or value: {value!r}")
    return problems


def event_problems(data: Any) -> list[str]:
    """Everything that keeps ``data`` from being a valid schema.org Event; empty if valid."""
    problems = _node_problems(data, "Event", EVENT, REQUIRED, "")
    if isinstance(data, dict):
        if data.get("@context") not in (SCHEMA, f"{SCHEMA}/", "http://schema.org"):
            problems.append(f"@context is {data.get('@context')!r}, not {SCHEMA!r}")
        problems += [f"{name} (expected) is missing" for name in EXPECTED if name not in data]
        start, end = data.get("startDate"), data.get("endDate")
        both = _datetime_with_offset(start) and _datetime_with_offset(end)
        if both and datetime.datetime.fromisoformat(end) < datetime.datetime.fromisoformat(start):
            problems.append("endDate is before startDate")
    return problems
