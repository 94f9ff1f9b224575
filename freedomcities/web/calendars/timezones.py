"""VTIMEZONE components that every calendar app reads the same way.

A calendar file names each event's zone (``DTSTART;TZID=America/Denver``) and must describe
that zone's offsets in a VTIMEZONE. The ``icalendar`` package writes every transition since
1970 as one comma-separated RDATE, and Mozilla's ical.js (Thunderbird and many web calendars)
reads only the first date of it, so it put a 10:00 MDT event at 17:00Z. Outlook, for its part,
imports zones from RRULEs. So the zone is described here from the IANA database as recurring
rules ("second Sunday of March at 02:00"), as Outlook, ical.js, icalendar and vobject all read
them; a transition that follows no yearly rule gets an RDATE of its own, one per property.
"""

from __future__ import annotations

import calendar as month_calendar
import datetime
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass

import icalendar

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY = datetime.timedelta(days=1)
_HOUR = datetime.timedelta(hours=1)
_SINCE_ALWAYS = datetime.datetime(1970, 1, 1)


@dataclass(frozen=True)
class Transition:
    """One change of a zone's offset, as its clocks read just before it."""

    wall: datetime.datetime  # naive: the local time, in the offset before the change
    offset_from: datetime.timedelta
    offset_to: datetime.timedelta
    name: str
    daylight: bool

    @property
    def kind(self) -> tuple[bool, datetime.timedelta, datetime.timedelta, str]:
        """Transitions of one kind share a component (spring forward, fall back)."""
        return (self.daylight, self.offset_from, self.offset_to, self.name)


def transitions(zone: zoneinfo.ZoneInfo, first_year: int, last_year: int) -> list[Transition]:
    """The zone's offset changes from 1 January of ``first_year`` to 31 December of ``last_year``.

    Found by stepping a day at a time in UTC, then an hour at a time inside the day that
    changed: every U.S. and almost every other zone changes on the hour.
    """
    utc = datetime.UTC
    moment = datetime.datetime(first_year, 1, 1, tzinfo=utc)
    end = datetime.datetime(last_year + 1, 1, 1, tzinfo=utc)
    found: list[Transition] = []
    before = moment.astimezone(zone)
    while moment < end:
        after = (moment + _DAY).astimezone(zone)
        if after.utcoffset() != before.utcoffset():
            hour = moment
            while (hour + _HOUR).astimezone(zone).utcoffset() == before.utcoffset():
                hour += _HOUR
            changed = (hour + _HOUR).astimezone(zone)
            offset_from, offset_to = before.utcoffset(), changed.utcoffset()
            assert offset_from is not None and offset_to is not None
            found.append(
                Transition(
                    wall=(changed.astimezone(utc) + offset_from).replace(tzinfo=None),
                    offset_from=offset_from,
                    offset_to=offset_to,
                    name=changed.tzname() or "",
                    daylight=bool(changed.dst()),
                )
            )
        before = after
        moment += _DAY
    return found


def _yearly_rule(wall: Iterable[datetime.datetime]) -> dict[str, object] | None:
    """The RRULE every one of these local times follows, e.g. the second Sunday of March."""
    times = list(wall)
    if len(times) < 2 or len({t.year for t in times}) != len(times):
        return None
    first = times[0]
    same = all(
        (t.month, t.weekday(), t.time()) == (first.month, first.weekday(), first.time())
        for t in times
    )
    if not same:
        return None
    weekday = _WEEKDAYS[first.weekday()]
    nths = {(t.day - 1) // 7 + 1 for t in times}
    if len(nths) == 1:
        return {"freq": "yearly", "bymonth": first.month, "byday": f"{nths.pop()}{weekday}"}
    if all(t.day + 7 > month_calendar.monthrange(t.year, t.month)[1] for t in times):
        return {"freq": "yearly", "bymonth": first.month, "byday": f"-1{weekday}"}
    return None


def _component(first: Transition, daylight: bool) -> icalendar.cal.Component:
    """A STANDARD or DAYLIGHT component with the offsets of ``first``."""
    part = icalendar.TimezoneDaylight() if daylight else icalendar.TimezoneStandard()
    part.add("tzname", first.name)
    part.add("tzoffsetfrom", first.offset_from)
    part.add("tzoffsetto", first.offset_to)
    return part


def vtimezone(tzid: str, first_year: int, last_year: int) -> icalendar.Timezone:
    """The VTIMEZONE of an IANA zone, true for events from ``first_year`` to ``last_year``.

    The span is widened by a year on each side so that rules start before the first
    event. A zone without changes in it (Phoenix, Honolulu) is one STANDARD component.
    """
    zone = zoneinfo.ZoneInfo(tzid)
    result = icalendar.Timezone()
    result.add("tzid", tzid)
    found = transitions(zone, first_year - 1, last_year + 1)
    if not found:
        moment = datetime.datetime(first_year, 1, 1, tzinfo=zone)
        offset = moment.utcoffset()
        assert offset is not None
        fixed = Transition(_SINCE_ALWAYS, offset, offset, moment.tzname() or "", False)
        part = _component(fixed, daylight=False)
        part.add("dtstart", fixed.wall)
        result.add_component(part)
        return result
    kinds: dict[tuple[bool, datetime.timedelta, datetime.timedelta, str], list[Transition]] = {}
    for change in found:
        kinds.setdefault(change.kind, []).append(change)
    for group in kinds.values():
        part = _component(group[0], daylight=group[0].daylight)
        part.add("dtstart", group[0].wall)
        rule = _yearly_rule(change.wall for change in group)
        if rule is not None:
            part.add("rrule", rule)
        else:
            for change in group[1:]:
                part.add("rdate", change.wall)  # one RDATE per transition, never a list
        result.add_component(part)
    return result
