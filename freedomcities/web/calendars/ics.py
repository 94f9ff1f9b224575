"""The parts of an iCalendar file that any app writes: the calendar, UIDs, SEQUENCE, names.

The events feeds (:mod:`freedomcities.web.events.ics`) and a volunteer's promises feed
(:mod:`freedomcities.web.campaign.feeds`) both build on these, so two deployments never give
out the same UID and every reader shows the calendar's name and people's names as written.
"""

from __future__ import annotations

import datetime

import icalendar
from django.utils.crypto import salted_hmac

PRODID = "-//Freedom Cities//Events//EN"
UID_DOMAIN = "freedomcities"


def uid(kind: str, key: object) -> str:
    """A UID no other deployment gives out: the thing's kind and key, and this deployment's mark.

    The mark is derived from the site's secret key, so it stays the same across restarts
    and host names, and two deployments that both have a "promise 1" never collide.
    """
    # The salt keeps the name of the module it was first in: a new one would change every UID.
    mark = salted_hmac("freedomcities.events.ics.uid", "deployment").hexdigest()[:12]
    return f"{kind}-{key}-{mark}@{UID_DOMAIN}"


def sequence(created: datetime.datetime, updated: datetime.datetime) -> int:
    """SEQUENCE for a thing saved at ``updated``: seconds since it was created.

    It grows with every save, as RFC 5545 asks of a revision counter, without a column
    to keep: a calendar app then knows an imported copy is newer than the one it holds.
    """
    return max(0, int((updated - created).total_seconds()))


def quoted_parameter(value: str) -> str:
    """A parameter value (such as CN) a reader shows as written: no double quotes in it.

    RFC 5545 forbids DQUOTE inside a parameter value; RFC 6868's escape for it is read
    literally by ics-py and vobject, so a double quote becomes a single one. icalendar then
    puts the value in double quotes when it holds a comma, semicolon or colon.
    """
    return " ".join(value.replace('"', "'").split())


def new_calendar(name: str, prodid: str = PRODID) -> icalendar.Calendar:
    """An empty calendar whose name (X-WR-CALNAME) is escaped, and typed, as text."""
    cal = icalendar.Calendar()
    cal.add("prodid", prodid)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    # VALUE=TEXT: icalendar and ical.js leave an X- property's escapes in place without it.
    cal.add("x-wr-calname", icalendar.vText(name), parameters={"value": "TEXT"})
    return cal
