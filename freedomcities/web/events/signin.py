"""Paper sign-in sheets, typed up as CSV, read into an event's attendances.

The sheet's header is ``given_name, family_name, email_address, phone_number, postal_code,
attended, comment`` (in any order; other columns are ignored). People are matched to RSVPs by
e-mail, case-insensitively, so importing the same sheet twice changes nothing. Every bad row is
reported with its line number and why; the good rows are kept.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from freedomcities.web.events.actions import ActionError, check_email, check_phone
from freedomcities.web.events.models import Attendance, Event, RsvpStatus, Source
from freedomcities.web.geography.places import UnknownZip, normalize_zip

COLUMNS = (
    "given_name",
    "family_name",
    "email_address",
    "phone_number",
    "postal_code",
    "attended",
    "comment",
)
REQUIRED = ("given_name", "email_address")
LIMITS = {
    "given_name": 100,
    "family_name": 100,
    "email_address": 254,
    "phone_number": 40,
    "postal_code": 10,
    "attended": 10,
    "comment": 500,
}
MAX_BYTES = 1024 * 1024
MAX_ROWS = 5000
YES = {"yes", "y", "true", "1", "x", "✓", "✔", "si", "sí"}
NO = {"no", "n", "false", "0"}


@dataclass(frozen=True)
class RowError:
    """Why one line of the sheet was not imported."""

    line: int
    message: str


@dataclass(frozen=True)
class SheetPerson:
    """One good row of the sheet, checked."""

    line: int
    email: str
    fields: Mapping[str, object]


@dataclass
class ImportReport:
    """What an import did: new people, changed ones, unchanged ones, and the refused lines."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def kept(self) -> int:
        """Good rows, whether they changed anything or not."""
        return self.added + self.updated + self.unchanged


def decode(raw: bytes) -> str:
    """The sheet's text: UTF-8 (with or without a byte-order mark), else Windows-1252."""
    if len(raw) > MAX_BYTES:
        raise ActionError(
            _("The sheet is larger than %(mb)s MB; split it into smaller files.")
            % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def read_sheet(text: str) -> tuple[list[SheetPerson], list[RowError]]:
    """Check every row of a sheet; good rows and bad ones, each with its line number."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    _check_header(reader.fieldnames)
    people: list[SheetPerson] = []
    errors: list[RowError] = []
    for line, row in _rows(reader):
        try:
            people.append(_person(line, row))
        except ActionError as exc:
            errors.append(RowError(line, str(exc)))
    return people, errors


def _check_header(names: Sequence[str] | None) -> None:
    """Refuse a sheet whose first line lacks the columns."""
    found = {(name or "").strip().lower() for name in names or []}
    missing = [name for name in COLUMNS if name not in found]
    if missing:
        raise ActionError(
            _("Line 1 must be the header %(columns)s; missing: %(missing)s.")
            % {"columns": ", ".join(COLUMNS), "missing": ", ".join(missing)}
        )


def _rows(reader: csv.DictReader[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row with clean keys), skipping blank rows.

    The line number is the file's line where the row ends: the line it is on, unless a
    quoted cell spans several lines.
    """
    try:
        for count, row in enumerate(reader, start=1):
            if count > MAX_ROWS:
                raise ActionError(
                    _("The sheet has more than %(rows)s rows; split it.") % {"rows": MAX_ROWS}
                )
            clean = {(key or "").strip().lower(): _cell(value) for key, value in row.items()}
            if any(clean.get(name) for name in COLUMNS):
                yield reader.line_num, clean
    except csv.Error as exc:
        raise ActionError(
            _("Line %(line)s could not be read as CSV (%(why)s).")
            % {"line": reader.line_num, "why": exc}
        ) from exc


def _cell(value: str | list[str] | None) -> str:
    """A cell's text; extra cells past the header's columns are joined, then ignored."""
    if isinstance(value, list):
        return ",".join(value).strip()
    return (value or "").strip()


def _person(line: int, row: Mapping[str, str]) -> SheetPerson:
    """One row checked, or an ActionError saying what is wrong with it."""
    for name, limit in LIMITS.items():
        if len(row.get(name, "")) > limit:
            raise ActionError(
                _("%(column)s is longer than %(limit)s characters.")
                % {"column": name, "limit": limit}
            )
    if not row.get("given_name") and not row.get("family_name"):
        raise ActionError(_("the name is missing (given_name and family_name are empty)."))
    if not row.get("email_address"):
        raise ActionError(_("the e-mail address is missing; people are matched by e-mail."))
    email = check_email(row["email_address"])
    return SheetPerson(
        line=line,
        email=email,
        fields={
            "given_name": row.get("given_name", ""),
            "family_name": row.get("family_name", ""),
            "phone": check_phone(row.get("phone_number", "")),
            "postal_code": _postal_code(row.get("postal_code", "")),
            "attended": _attended(row.get("attended", "")),
            "comment": row.get("comment", ""),
        },
    )


def _postal_code(value: str) -> str:
    """A five-digit ZIP code, or empty."""
    if not value:
        return ""
    try:
        return normalize_zip(value)
    except UnknownZip as exc:
        raise ActionError(_("%(zip)s is not a five-digit ZIP code.") % {"zip": value}) from exc


def _attended(value: str) -> bool:
    """yes/no (and the usual spellings); an empty cell counts as yes: they signed in."""
    word = value.strip().lower()
    if not word or word in YES:
        return True
    if word in NO:
        return False
    raise ActionError(_("attended must be yes or no, not %(value)s.") % {"value": repr(value)})


@transaction.atomic
def import_sheet(event: Event, raw: bytes) -> ImportReport:
    """Read a typed-up sign-in sheet into the event's attendances; see the module docstring.

    A person already on the list is updated from the sheet's non-empty cells (the sheet is
    what they wrote on the day); a new person is added as having come. A later row with the
    same e-mail wins over an earlier one.
    """
    people, errors = read_sheet(decode(raw))
    report = ImportReport(errors=errors)
    by_email = {person.email: person for person in people}
    existing = {a.email: a for a in event.attendances.filter(email__in=list(by_email))}
    for email, person in by_email.items():
        attendance = existing.get(email)
        if attendance is None:
            _add(event, person)
            report.added += 1
        elif _update(attendance, person):
            report.updated += 1
        else:
            report.unchanged += 1
    report.unchanged += len(people) - len(by_email)
    return report


def _add(event: Event, person: SheetPerson) -> Attendance:
    """A walk-in: someone who came without an RSVP."""
    return Attendance.objects.create(
        event=event,
        email=person.email,
        status=RsvpStatus.ACCEPTED,
        source=Source.SIGN_IN,
        **person.fields,
    )


def _update(attendance: Attendance, person: SheetPerson) -> bool:
    """Copy the sheet's non-empty cells onto an attendance; True if anything changed."""
    changed = []
    for name, value in person.fields.items():
        if value == "" or getattr(attendance, name) == value:
            continue
        setattr(attendance, name, value)
        changed.append(name)
    if changed:
        attendance.save(update_fields=[*changed, "updated_at"])
    return bool(changed)
