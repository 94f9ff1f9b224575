"""Events as iCalendar (.ics): one event to add to a calendar, or a feed to subscribe to.

Built with the ``icalendar`` package, and read back in the tests by icalendar, vobject and
Mozilla's ical.js, which must all agree. What that takes:

- times carry their IANA zone with a VTIMEZONE of yearly rules
  (see :mod:`freedomcities.web.calendars.timezones`);
- every text property is escaped (commas, semicolons, backslashes), the calendar's name too;
- a parameter value such as the organizer's CN is quoted as RFC 5545 says and holds no
  double quote (RFC 6868's ``^'`` shows literally in most readers), so one becomes ``'``;
- UIDs are unique on every deployment (:func:`uid`), and SEQUENCE grows with each change,
  so a calendar app replaces the event it holds instead of adding a second one;
- a cancelled event stays in the feed as STATUS:CANCELLED, so calendars drop it.

Only public parts of the place go in.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

import icalendar
from django.utils import timezone

from freedomcities.web.calendars.ics import UID_DOMAIN, new_calendar, quoted_parameter, sequence
from freedomcities.web.calendars.timezones import vtimezone
from freedomcities.web.events.models import Event, EventStatus

FEED_PAST_DAYS = 30
FEED_FUTURE_DAYS = 365
STATUS = {
    EventStatus.SCHEDULED.value: "CONFIRMED",
    EventStatus.PASSED.value: "CONFIRMED",
    EventStatus.CANCELLED.value: "CANCELLED",
}


def feed_window(now: datetime.datetime | None = None) -> tuple[datetime.datetime, ...]:
    """The span a feed covers: a month back (recent history) to a year ahead."""
    now = now or timezone.now()
    past, future = (
        datetime.timedelta(days=FEED_PAST_DAYS),
        datetime.timedelta(days=FEED_FUTURE_DAYS),
    )
    return now - past, now + future


def calendar(events: Iterable[Event], name: str, url_of: Callable[[Event], str]) -> bytes:
    """An iCalendar file of the events; ``url_of`` gives each event's absolute page URL."""
    cal = new_calendar(name)
    items = [(event, _vevent(event, url_of(event))) for event in events]
    years: dict[str, list[int]] = {}
    for event, _item in items:
        zone = str(event.local_start.tzinfo)
        years.setdefault(zone, []).extend([event.local_start.year, event.local_end.year])
    for zone, seen in sorted(years.items()):
        if zone != "UTC":  # UTC times are written with Z and need no VTIMEZONE
            cal.add_component(vtimezone(zone, min(seen), max(seen)))
    for _event, item in items:
        cal.add_component(item)
    return bytes(cal.to_ical())


def _vevent(event: Event, url: str) -> icalendar.Event:
    """One event as a VEVENT, its description ending with its page's address."""
    location = event.public_location()
    item = icalendar.Event()
    item.add("uid", f"{event.uuid}@{UID_DOMAIN}")  # a random UUID: unique everywhere already
    item.add("sequence", sequence(event.created_at, event.updated_at))
    item.add("dtstamp", event.updated_at)
    item.add("last-modified", event.updated_at)
    item.add("dtstart", event.local_start)
    item.add("dtend", event.local_end)
    item.add("summary", event.title)
    item.add("description", f"{event.description}\n\n{url}".strip())
    item.add("location", _location_text(event))
    if location.latitude is not None and location.longitude is not None:
        item.add("geo", (location.latitude, location.longitude))
    item.add("url", url)
    item.add("status", STATUS[event.status])
    item.add("categories", [str(event.get_tactic_display())])
    if event.host_public and event.host_email:
        item.add(
            "organizer",
            f"mailto:{event.host_email}",
            parameters={"cn": quoted_parameter(event.group.name)},
        )
    return item


def _location_text(event: Event) -> str:
    """The place as one line: venue and street when public, else town, state and ZIP."""
    location = event.public_location()
    area = f"{location.locality}, {location.region} {location.postal_code}"
    return ", ".join(part for part in [location.venue, *location.address_lines, area] if part)
