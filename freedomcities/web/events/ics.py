"""Events as iCalendar (.ics): one event to add to a calendar, or a feed to subscribe to.

Built with the ``icalendar`` package; times carry their IANA time zone with a VTIMEZONE, so
calendars show them right wherever the reader is. Only public parts of the place go in.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

import icalendar
from django.utils import timezone

from freedomcities.web.events.models import Event, EventStatus

PRODID = "-//Freedom Cities//Events//EN"
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
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for event in events:
        cal.add_component(_vevent(event, url_of(event)))
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


def _vevent(event: Event, url: str) -> icalendar.Event:
    """One event as a VEVENT, its description ending with its page's address."""
    location = event.public_location()
    item = icalendar.Event()
    item.add("uid", f"{event.uuid}@freedomcities")
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
        item.add("organizer", f"mailto:{event.host_email}", parameters={"cn": event.group.name})
    return item


def _location_text(event: Event) -> str:
    """The place as one line: venue and street when public, else town, state and ZIP."""
    location = event.public_location()
    area = f"{location.locality}, {location.region} {location.postal_code}"
    return ", ".join(part for part in [location.venue, *location.address_lines, area] if part)
