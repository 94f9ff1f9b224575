"""Events and attendances as CSV, for the spreadsheets and tools groups already use.

The events file holds only what the public may know (private addresses stay out); the
attendances file is for the group's organizers. Every cell that a spreadsheet would run as a
formula (``=``, ``+``, ``-``, ``@``...) is neutralised with the scorecard exports' rule.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable

from freedomcities.web.events.models import Attendance, Event
from freedomcities.web.scorecards.exports import for_spreadsheets, neutralise

EVENT_COLUMNS = (
    "identifier",
    "title",
    "tactic",
    "status",
    "start_date",
    "end_date",
    "time_zone",
    "group",
    "jurisdiction",
    "venue",
    "address_lines",
    "locality",
    "region",
    "postal_code",
    "latitude",
    "longitude",
    "capacity",
    "url",
)
ATTENDANCE_COLUMNS = (
    "given_name",
    "family_name",
    "email_address",
    "phone_number",
    "postal_code",
    "status",
    "attended",
    "consent_to_contact",
    "source",
    "comment",
    "created_date",
)


def _write(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    """CSV text with a header, every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(value) for value in row])
    return for_spreadsheets(out.getvalue())


def events_csv(events: Iterable[Event], url_of: Callable[[Event], str]) -> str:
    """One line per event, with only its public location."""
    return _write(EVENT_COLUMNS, (_event_row(event, url_of(event)) for event in events))


def _event_row(event: Event, url: str) -> list[object]:
    location = event.public_location()
    return [
        event.identifier,
        event.title,
        event.tactic,
        event.current_status,
        event.local_start.isoformat(),
        event.local_end.isoformat(),
        event.timezone,
        event.group.name,
        event.jurisdiction.ocd_id,
        location.venue,
        "\n".join(location.address_lines),
        location.locality,
        location.region,
        location.postal_code,
        location.latitude,
        location.longitude,
        event.capacity,
        url,
    ]


def attendances_csv(attendances: Iterable[Attendance]) -> str:
    """One line per person, in the sign-in sheet's column names (and a few more)."""
    return _write(ATTENDANCE_COLUMNS, (_attendance_row(a) for a in attendances))


def _attendance_row(attendance: Attendance) -> list[object]:
    attended = {True: "yes", False: "no", None: ""}[attendance.attended]
    return [
        attendance.given_name,
        attendance.family_name,
        attendance.email,
        attendance.phone,
        attendance.postal_code,
        attendance.status,
        attended,
        "yes" if attendance.consent_to_contact else "no",
        attendance.source,
        attendance.comment,
        attendance.created_at.isoformat(),
    ]
