"""Times shown as people at the place read them: in the place's own time zone, named plainly.

Django's ``date`` filter converts every aware time to the *site's* zone (``TIME_ZONE``,
Phoenix by default) before formatting, so a 7:00 PM event in La Grange, Illinois read
"6:00 PM (America/Chicago)". Everything here formats a time in the zone it carries, and
names that zone the way U.S. calendars and newspapers do ("Central time"), not by its
IANA identifier.

The name comes from the zone's *standard* offset at that moment (its offset minus any
daylight saving), so every IANA zone of a U.S. region gets the right name without a
table of identifiers: America/Indiana/Knox is Central, America/Boise is Mountain.
Phoenix keeps Mountain standard time all year, which is still "Mountain time".
"""

from __future__ import annotations

import datetime
import zoneinfo

from django.utils import dateformat, formats
from django.utils.translation import gettext_lazy as _

from freedomcities.web.jurisdictions.models import Jurisdiction

_US_ZONES = {
    -4: _("Atlantic time"),
    -5: _("Eastern time"),
    -6: _("Central time"),
    -7: _("Mountain time"),
    -8: _("Pacific time"),
    -9: _("Alaska time"),
    -10: _("Hawaii time"),
    -11: _("Samoa time"),
    10: _("Chamorro time"),
}
"""Standard UTC offset in hours -> the name U.S. readers know the zone by."""

STATE_ZONES = {
    "AL": "America/Chicago", "AK": "America/Anchorage", "AZ": "America/Phoenix",
    "AR": "America/Chicago", "CA": "America/Los_Angeles", "CO": "America/Denver",
    "CT": "America/New_York", "DE": "America/New_York", "DC": "America/New_York",
    "FL": "America/New_York", "GA": "America/New_York", "HI": "Pacific/Honolulu",
    "ID": "America/Boise", "IL": "America/Chicago", "IN": "America/Indiana/Indianapolis",
    "IA": "America/Chicago", "KS": "America/Chicago", "KY": "America/New_York",
    "LA": "America/Chicago", "ME": "America/New_York", "MD": "America/New_York",
    "MA": "America/New_York", "MI": "America/Detroit", "MN": "America/Chicago",
    "MS": "America/Chicago", "MO": "America/Chicago", "MT": "America/Denver",
    "NE": "America/Chicago", "NV": "America/Los_Angeles", "NH": "America/New_York",
    "NJ": "America/New_York", "NM": "America/Denver", "NY": "America/New_York",
    "NC": "America/New_York", "ND": "America/Chicago", "OH": "America/New_York",
    "OK": "America/Chicago", "OR": "America/Los_Angeles", "PA": "America/New_York",
    "RI": "America/New_York", "SC": "America/New_York", "SD": "America/Chicago",
    "TN": "America/Chicago", "TX": "America/Chicago", "UT": "America/Denver",
    "VT": "America/New_York", "VA": "America/New_York", "WA": "America/Los_Angeles",
    "WV": "America/New_York", "WI": "America/Chicago", "WY": "America/Denver",
    "PR": "America/Puerto_Rico", "GU": "Pacific/Guam", "VI": "America/St_Thomas",
    "AS": "Pacific/Pago_Pago", "MP": "Pacific/Saipan",
}  # fmt: skip
"""Each state's most populous time zone, for things with a place but no ZIP code (meetings).

A few states span two zones (the Florida panhandle, west Texas, north Idaho); their
meetings are shown in the zone most of the state keeps, and events, which carry a ZIP
code, in their own.
"""


def zone_name(moment: datetime.datetime) -> str:
    """The plain name of the zone an aware time is in: "Central time", else its abbreviation."""
    offset = moment.utcoffset()
    if offset is None:
        return ""
    standard = offset - (moment.dst() or datetime.timedelta(0))
    hours, rest = divmod(int(standard.total_seconds()), 3600)
    if not rest and hours in _US_ZONES:
        return str(_US_ZONES[hours])
    return moment.tzname() or ""


def format_time(moment: datetime.datetime, pattern: str) -> str:
    """Format an aware time on its *own* clock, not the site's.

    ``pattern`` is a Django date pattern (``"g:i A"``) or, as for the ``date`` filter, the
    name of a format (``"DATETIME_FORMAT"``), read in the active language from
    ``freedomcities/web/formats/``: "Thursday, July 15, 2027, 7:00 PM" in English and
    "jueves, 15 de julio de 2027, 7:00 p.m." in Spanish.
    """
    return dateformat.format(moment, formats.get_format(pattern))


def jurisdiction_zone(jurisdiction: Jurisdiction) -> zoneinfo.ZoneInfo:
    """The time zone of a jurisdiction's state (its most populous one), UTC if unknown."""
    return zoneinfo.ZoneInfo(STATE_ZONES.get(jurisdiction.state.upper(), "UTC"))
