"""``{% load times %}``: format a time on its own clock and name its zone plainly.

Django's ``date`` filter first moves every aware time to the site's zone; these do not,
so an event in Chicago reads 7:00 PM Central time wherever the site runs.
"""

from __future__ import annotations

import datetime

from django import template

from freedomcities.web.jurisdictions import times

register = template.Library()


@register.filter(expects_localtime=False)
def zoned(moment: datetime.datetime | None, pattern: str) -> str:
    """``{{ event.local_start|zoned:"DATETIME_FORMAT" }}``: the time as its zone's clock shows it.

    Like ``date``, it takes a named format (in the active language) or a pattern (``"g:i A"``).
    """
    if not isinstance(moment, datetime.datetime):
        return ""  # None, or the empty string a template gives for a missing value
    return times.format_time(moment, pattern)


@register.filter(expects_localtime=False)
def zone_name(moment: datetime.datetime | None) -> str:
    """``{{ event.local_start|zone_name }}``: "Central time", "Mountain time", ..."""
    if not isinstance(moment, datetime.datetime):
        return ""
    return times.zone_name(moment)
