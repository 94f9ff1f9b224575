"""Finding public events: near a ZIP code, within dates, of a tactic.

The nearby search stays fast at hundreds of thousands of events in two steps:

1. SQL keeps only the events inside the circle's bounding box, reading the
   ``(public_latitude, public_longitude)`` index, and returns just their ids, points and
   start times;
2. Python measures the exact (haversine) distance of those candidates, drops the box's
   corners, sorts, and loads the full rows of the page that is shown.

Distances are measured from the public point, so they never reveal a private address.
"""

from __future__ import annotations

import contextlib
import datetime
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from freedomcities.web.events.models import Event, EventStatus
from freedomcities.web.geography import places

DEFAULT_MILES = 25
DEFAULT_LIMIT = 200
SORTS = ("distance", "date")


@dataclass(frozen=True)
class EventQuery:
    """What someone is looking for; every part optional."""

    postal_code: str = ""
    miles: float = DEFAULT_MILES
    start: datetime.date | None = None
    end: datetime.date | None = None
    tactic: str = ""
    sort: str = ""
    limit: int = DEFAULT_LIMIT
    offset: int = 0


@dataclass(frozen=True)
class Found:
    """An event that matched, with its distance in miles when the search had a centre."""

    event: Event
    miles: float | None


@dataclass(frozen=True)
class SearchResult:
    """The matches shown, the centre searched around, and how many matched in all."""

    found: list[Found]
    center: places.ZipPlace | None
    total: int

    @property
    def truncated(self) -> bool:
        """Whether more events matched than are shown."""
        return self.total > len(self.found)


def public_events() -> QuerySet[Event]:
    """Events anyone may see: public ones, scheduled, passed or cancelled."""
    return Event.objects.filter(public=True)


def find_events(query: EventQuery, *, base: QuerySet[Event] | None = None) -> SearchResult:
    """Events matching the query, nearest first near a ZIP code, else soonest first.

    Raises:
        places.UnknownZip: the query's ZIP code is not a known U.S. ZIP code.
    """
    events = _filtered(base if base is not None else public_events(), query)
    if not query.postal_code:
        total = events.count()
        window = slice(query.offset, query.offset + query.limit)
        page = list(events.select_related("group", "jurisdiction")[window])
        return SearchResult([Found(event, None) for event in page], None, total)
    center = places.lookup_zip(query.postal_code)
    near = nearby(events, center.latitude, center.longitude, query.miles)
    if query.sort != "date":
        near.sort(key=lambda item: (item[1], item[2]))
    shown = near[query.offset : query.offset + query.limit]
    rows = Event.objects.select_related("group", "jurisdiction").in_bulk([pk for pk, *_ in shown])
    found = [Found(rows[pk], round(miles, 1)) for pk, miles, _start in shown if pk in rows]
    return SearchResult(found, center, len(near))


def nearby(
    events: QuerySet[Event], latitude: float, longitude: float, miles: float
) -> list[tuple[int, float, datetime.datetime]]:
    """(id, miles, start) of the events within ``miles`` of a point, soonest first.

    The bounding box is an indexed range query; only its candidates are measured exactly.
    """
    box = places.bounding_box(latitude, longitude, miles)
    candidates = events.filter(
        public_latitude__range=(box.south, box.north),
        public_longitude__range=(box.west, box.east),
    ).values_list("pk", "public_latitude", "public_longitude", "starts_at")
    near = []
    for pk, lat, lon, starts_at in candidates.order_by():  # sorted here, not by the database
        distance = places.distance_miles(latitude, longitude, lat, lon)
        if distance <= miles:
            near.append((pk, distance, starts_at))
    near.sort(key=lambda item: (item[2], item[0]))
    return near


def _filtered(events: QuerySet[Event], query: EventQuery) -> QuerySet[Event]:
    """The tactic and date filters; without dates, events that have not ended yet."""
    if query.tactic:
        events = events.filter(tactic=query.tactic)
    zone = _search_zone(query)
    if query.start:
        events = events.filter(ends_at__gte=_midnight(query.start, zone))
    elif not query.end:
        events = events.filter(ends_at__gte=timezone.now())
    if query.end:
        after = _midnight(query.end + datetime.timedelta(days=1), zone)
        events = events.filter(starts_at__lt=after)
    return events.exclude(Q(status=EventStatus.CANCELLED) & Q(ends_at__lt=timezone.now()))


def _search_zone(query: EventQuery) -> zoneinfo.ZoneInfo:
    """Dates are whole days where the searcher is: the ZIP code's zone, else the site's."""
    name = settings.TIME_ZONE
    if query.postal_code:
        with contextlib.suppress(places.UnknownZip):
            name = places.lookup_zip(query.postal_code).timezone or name
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _midnight(day: datetime.date, zone: zoneinfo.ZoneInfo) -> datetime.datetime:
    """The start of a day in a time zone, as an aware datetime."""
    return datetime.datetime.combine(day, datetime.time(), tzinfo=zone)
