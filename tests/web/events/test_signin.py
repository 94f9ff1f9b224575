"""Typed-up paper sign-in sheets: matched by e-mail, bad rows reported by line, idempotent."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from freedomcities.web.events import actions, signin
from freedomcities.web.events.models import Attendance, Event, RsvpStatus, Source

pytestmark = pytest.mark.django_db

HEADER = "given_name,family_name,email_address,phone_number,postal_code,attended,comment\n"
SHEET = (
    HEADER
    + "Rosa,Parks,ROSA@example.org,480-555-0100,85203,yes,brought a neighbour\n"  # line 2
    + "Cesar,Chavez,cesar@example,,85201,yes,\n"  # line 3: bad e-mail
    + ",,nobody@example.org,,,yes,\n"  # line 4: no name
    + "Dolores,Huerta,dolores@example.org,,85201,maybe,\n"  # line 5: bad attended
    + "\n"  # line 6: blank, skipped
    + f"Fannie,Hamer,fannie@example.org,,85201,no,{'x' * 501}\n"  # line 7: comment too long
    + "Ella,Baker,ella@example.org,,,,walk-in\n"  # line 8: attended empty -> came
    + "Bayard,Rustin,bayard@example.org,,ABCDE,yes,\n"  # line 9: bad ZIP
)


def test_a_sheet_keeps_the_good_rows_and_reports_each_bad_one_by_line(event: Event) -> None:
    rsvp = actions.rsvp(
        event,
        actions.RsvpDraft("Rosa", "Parks", "rosa@example.org", "85203"),
        base_url="http://testserver",
    ).attendance
    report = signin.import_sheet(event, SHEET.encode())
    assert (report.added, report.updated, report.unchanged) == (1, 1, 0)
    assert [(e.line, e.message.split()[0]) for e in report.errors] == [
        (3, "cesar@example"),
        (4, "the"),
        (5, "attended"),
        (7, "comment"),
        (9, "ABCDE"),
    ]
    messages = {e.line: e.message for e in report.errors}
    assert "does not look like an e-mail" in messages[3]
    assert "name is missing" in messages[4]
    assert "yes or no, not 'maybe'" in messages[5]
    assert "longer than 500 characters" in messages[7]
    rosa = Attendance.objects.get(pk=rsvp.pk)  # matched by e-mail, whatever its case
    assert (rosa.attended, rosa.comment, rosa.source) == (True, "brought a neighbour", Source.RSVP)
    ella = Attendance.objects.get(email="ella@example.org")
    assert (ella.attended, ella.source, ella.status) == (True, Source.SIGN_IN, RsvpStatus.ACCEPTED)


def test_importing_the_same_sheet_again_changes_nothing(event: Event) -> None:
    signin.import_sheet(event, SHEET.encode())
    before = list(Attendance.objects.order_by("email").values())
    again = signin.import_sheet(event, SHEET.encode())
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    assert len(again.errors) == 5
    assert list(Attendance.objects.order_by("email").values()) == before


def test_columns_may_come_in_any_order_with_a_byte_order_mark_and_extra_columns(
    event: Event,
) -> None:
    sheet = (
        "\ufeffEmail_Address,Given_Name,family_name,attended,phone_number,postal_code,comment,table\n"
        "ida@example.org,Ida,Wells,Y,,85201,,3\n"
    )
    report = signin.import_sheet(event, sheet.encode("utf-8"))
    assert (report.added, report.errors) == (1, [])
    assert Attendance.objects.get().given_name == "Ida"


def test_a_windows_spreadsheet_export_is_read(event: Event) -> None:
    sheet = HEADER + "José,Martí,jose@example.org,,85201,sí,café\r\n"
    report = signin.import_sheet(event, sheet.encode("cp1252"))
    assert report.added == 1
    assert Attendance.objects.get().given_name == "José"


def test_a_sheet_without_the_header_is_refused_whole(event: Event) -> None:
    with pytest.raises(
        actions.ActionError, match=r"Line 1 must be the header.*missing: phone_number, postal_code"
    ):
        signin.import_sheet(event, b"given_name,family_name,email_address\nA,B,a@example.org\n")
    assert not Attendance.objects.exists()


def test_a_huge_file_is_refused(event: Event) -> None:
    with pytest.raises(actions.ActionError, match="larger than 1 MB"):
        signin.import_sheet(event, HEADER.encode() + b"x" * (1024 * 1024))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=400) | st.text(max_size=400).map(lambda t: (HEADER + t).encode()))
def test_any_bytes_either_import_or_give_a_message(event: Event, raw: bytes) -> None:
    try:
        report = signin.import_sheet(event, raw)
    except actions.ActionError as exc:
        assert str(exc)
    else:
        assert all(error.line >= 2 and error.message for error in report.errors)
