"""Posting events, RSVPs, cancelling, marking who came, finding volunteers: the actions."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.core import mail
from django.utils import timezone

from freedomcities.web.accounts.models import Role
from freedomcities.web.campaign.models import Group, GroupMember
from freedomcities.web.events import actions
from freedomcities.web.events.models import Attendance, Event, EventStatus, RsvpStatus, Source
from freedomcities.web.geography import places
from freedomcities.web.jurisdictions.models import Jurisdiction
from tests.web.conftest import make_user
from tests.web.events.conftest import NEXT_WEEK, draft

BASE = "http://testserver"
pytestmark = pytest.mark.django_db


def person(**changes: object) -> actions.RsvpDraft:
    values: dict[str, object] = {
        "given_name": "Rosa",
        "family_name": "Parks",
        "email": "Rosa@Example.org",
        "postal_code": "85203",
        "phone": "(480) 555-0100",
        "consent_to_contact": True,
    }
    values.update(changes)
    return actions.RsvpDraft(**values)  # type: ignore[arg-type]


# Posting ----------------------------------------------------------------------------------


def test_post_event_fills_the_place_and_time_zone_from_the_zip_code(event: Event) -> None:
    assert (event.locality, event.region, event.postal_code) == ("Mesa", "AZ", "85201")
    assert event.timezone == "America/Phoenix"
    event.refresh_from_db()
    assert event.local_start.hour == 18  # the wall-clock time typed, in the event's own zone
    assert event.starts_at.utcoffset() == datetime.timedelta(0)  # stored in UTC
    assert event.identifier == f"freedomcities:{event.uuid}"


def test_a_private_address_gets_a_blurred_public_point(event: Event) -> None:
    assert not event.address_public
    assert (event.public_latitude, event.public_longitude) != (event.latitude, event.longitude)
    km = (
        places.distance_miles(
            event.latitude, event.longitude, event.public_latitude, event.public_longitude
        )
        * 1.609
    )
    assert 0.3 <= km <= 2.2
    location = event.public_location()
    assert location.venue == "" and location.address_lines == ()
    assert (location.locality, location.postal_code) == ("Mesa", "85201")


def test_a_public_address_is_shown_exactly(make_event: Callable[..., Event]) -> None:
    event = make_event(address_public=True)
    assert (event.public_latitude, event.public_longitude) == (event.latitude, event.longitude)
    assert event.public_location().address_lines == ("64 E 1st St",)
    event.address_public = False
    event.save(update_fields=["address_public"])  # even a partial save re-blurs the point
    event.refresh_from_db()
    assert (event.public_latitude, event.public_longitude) != (event.latitude, event.longitude)


def test_an_explicit_time_zone_wins_over_the_zip_codes(make_event: Callable[..., Event]) -> None:
    event = make_event(timezone="America/New_York")
    assert event.timezone == "America/New_York"
    assert event.local_start.hour == 18


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"ends": NEXT_WEEK.replace(tzinfo=None) - datetime.timedelta(days=1)},
            "end after it starts",
        ),
        (
            {
                "starts": timezone.localtime().replace(tzinfo=None) - datetime.timedelta(days=2),
                "ends": timezone.localtime().replace(tzinfo=None) - datetime.timedelta(days=1),
            },
            "in the past",
        ),
        ({"ends": NEXT_WEEK.replace(tzinfo=None) + datetime.timedelta(days=30)}, "14 days"),
        ({"postal_code": "00000"}, "00000 is not a U.S. ZIP code we know"),
        ({"postal_code": "Mesa"}, "Mesa is not a U.S. ZIP code"),
        ({"description": "x" * 5001}, "5001 characters long; the most is 5000"),
        ({"description": "<script>alert(1)</script>"}, "contains HTML"),
        ({"title": 'Meeting <img src=x onerror="alert(1)">'}, "contains HTML"),
        ({"title": "   "}, "Give the event a title"),
        ({"timezone": "Mars/Olympus_Mons"}, "not a time zone we know"),
        ({"capacity": 0}, "at least 1"),
        ({"tactic": "riot"}, "what kind of action"),
        ({"host_email": "not an address"}, "does not look like an e-mail"),
    ],
)
def test_post_event_refuses_bad_input_with_a_clear_message(
    group: Group, mesa: Jurisdiction, changes: dict[str, object], message: str
) -> None:
    with pytest.raises(actions.ActionError, match=message):
        actions.post_event(draft(group, mesa, **changes), user=None)
    assert not Event.objects.exists()


def test_plain_text_with_angle_brackets_is_not_mistaken_for_html(
    make_event: Callable[..., Event],
) -> None:
    event = make_event(description="Turnout goal: > 20 people, < 2 hours. We <3 Mesa.")
    assert "We <3 Mesa" in event.description


def test_update_event_keeps_a_started_event_editable(
    event: Event, group: Group, mesa: Jurisdiction
) -> None:
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=1),
        ends_at=timezone.now() + datetime.timedelta(hours=1),
    )
    event.refresh_from_db()
    start = event.local_start.replace(tzinfo=None)
    changed = actions.update_event(
        event,
        draft(group, mesa, starts=start, ends=event.local_end.replace(tzinfo=None), title="New"),
    )
    assert changed.title == "New"


def test_cancel_event_keeps_it_listed_as_cancelled(event: Event) -> None:
    actions.cancel_event(event)
    assert Event.objects.get(pk=event.pk).status == EventStatus.CANCELLED
    with pytest.raises(actions.ActionError, match="already cancelled"):
        actions.cancel_event(event)


def test_mark_passed_marks_only_ended_scheduled_events(make_event: Callable[..., Event]) -> None:
    ended, upcoming = make_event(), make_event()
    Event.objects.filter(pk=ended.pk).update(
        starts_at=timezone.now() - datetime.timedelta(days=2),
        ends_at=timezone.now() - datetime.timedelta(days=1),
    )
    assert actions.mark_passed() == 1
    assert Event.objects.get(pk=ended.pk).status == EventStatus.PASSED
    assert Event.objects.get(pk=upcoming.pk).status == EventStatus.SCHEDULED


def test_the_periodic_task_marks_passed_events(make_event: Callable[..., Event]) -> None:
    from freedomcities.web.events.tasks import mark_passed_events

    ended = make_event()
    Event.objects.filter(pk=ended.pk).update(ends_at=timezone.now() - datetime.timedelta(hours=1))
    mark_passed_events.call_local()
    assert Event.objects.get(pk=ended.pk).status == EventStatus.PASSED


# RSVPs ------------------------------------------------------------------------------------


def test_rsvp_stores_the_person_and_emails_a_cancel_link(event: Event) -> None:
    result = actions.rsvp(event, person(), base_url=BASE)
    assert result.created and not result.waitlisted
    attendance = result.attendance
    assert attendance.email == "rosa@example.org"
    assert attendance.status == RsvpStatus.ACCEPTED and attendance.source == Source.RSVP
    (message,) = mail.outbox
    assert message.to == ["rosa@example.org"]
    assert event.title in message.subject
    assert f"{BASE}/events/rsvp/" in message.body
    assert "64 E 1st St" not in message.body  # the address is private
    assert "The group will send you the exact address" in message.body


def test_a_second_rsvp_from_the_same_email_updates_the_first(event: Event) -> None:
    actions.rsvp(event, person(), base_url=BASE)
    again = actions.rsvp(
        event, person(email="ROSA@example.org", phone="480 555 0199"), base_url=BASE
    )
    assert not again.created
    assert Attendance.objects.filter(event=event).count() == 1
    assert Attendance.objects.get(event=event).phone == "480 555 0199"


def test_a_full_event_puts_people_on_the_waiting_list_and_a_cancellation_frees_a_place(
    make_event: Callable[..., Event],
) -> None:
    event = make_event(capacity=1)
    first = actions.rsvp(event, person(email="a@example.org"), base_url=BASE)
    second = actions.rsvp(event, person(email="b@example.org"), base_url=BASE)
    assert second.waitlisted and second.attendance.status == RsvpStatus.WAITLISTED
    assert "Waiting list" in mail.outbox[-1].subject
    again = actions.rsvp(event, person(email="a@example.org"), base_url=BASE)
    assert not again.waitlisted  # the first keeps their place when they update the RSVP
    actions.cancel_rsvp(actions.rsvp_cancel_token(first.attendance), base_url=BASE)
    assert Attendance.objects.get(email="a@example.org").status == RsvpStatus.CANCELLED
    assert Attendance.objects.get(email="b@example.org").status == RsvpStatus.ACCEPTED
    assert mail.outbox[-1].to == ["b@example.org"]
    assert "You're coming" in mail.outbox[-1].subject


def test_cancelling_twice_is_harmless_and_a_forged_token_is_refused(event: Event) -> None:
    result = actions.rsvp(event, person(), base_url=BASE)
    token = actions.rsvp_cancel_token(result.attendance)
    actions.cancel_rsvp(token, base_url=BASE)
    assert actions.cancel_rsvp(token, base_url=BASE).status == RsvpStatus.CANCELLED
    with pytest.raises(actions.ActionError, match="not valid"):
        actions.cancel_rsvp(token[:-2] + "xx", base_url=BASE)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"email": "rosa@"}, "does not look like an e-mail"),
        ({"given_name": ""}, "given name is missing"),
        ({"family_name": "<b>Parks</b>"}, "contains HTML"),
        ({"postal_code": "99999"}, "not a U.S. ZIP code we know"),
        ({"phone": "call me maybe"}, "phone number"),
        ({"given_name": "R" * 101}, "the most is 100"),
    ],
)
def test_rsvp_refuses_bad_input(event: Event, changes: dict[str, object], message: str) -> None:
    with pytest.raises(actions.ActionError, match=message):
        actions.rsvp(event, person(**changes), base_url=BASE)
    assert not Attendance.objects.exists()
    assert not mail.outbox


def test_rsvp_refuses_cancelled_passed_and_private_events(make_event: Callable[..., Event]) -> None:
    cancelled = actions.cancel_event(make_event())
    with pytest.raises(actions.ActionError, match="cancelled"):
        actions.rsvp(cancelled, person(), base_url=BASE)
    passed = make_event()
    Event.objects.filter(pk=passed.pk).update(ends_at=timezone.now() - datetime.timedelta(hours=1))
    passed.refresh_from_db()
    with pytest.raises(actions.ActionError, match="already happened"):
        actions.rsvp(passed, person(), base_url=BASE)
    with pytest.raises(actions.ActionError, match="members only"):
        actions.rsvp(make_event(public=False), person(), base_url=BASE)


def test_mark_attended_records_yes_no_and_unknown(event: Event) -> None:
    a = actions.rsvp(event, person(email="a@example.org"), base_url=BASE).attendance
    b = actions.rsvp(event, person(email="b@example.org"), base_url=BASE).attendance
    assert actions.mark_attended(event, {a.pk: True, b.pk: False}) == 2
    assert actions.mark_attended(event, {a.pk: True, b.pk: None}) == 1
    assert [x.attended for x in event.attendances.order_by("email")] == [True, None]


# Volunteers to invite ---------------------------------------------------------------------


def test_nearby_volunteers_lists_only_those_who_opted_in_within_the_distance(
    event: Event, group: Group
) -> None:
    def member(name: str, zip_code: str, opted_in: bool = True) -> None:
        GroupMember.objects.create(
            group=group,
            user=make_user(name, Role.VOLUNTEER),
            postal_code=zip_code,
            invite_to_events=opted_in,
        )

    member("near", "85203")  # Mesa
    member("phoenix", "85004")  # about 15 miles
    member("tucson", "85701")  # about 100 miles
    member("shy", "85201", opted_in=False)
    member("nozip", "")
    invitees = actions.nearby_volunteers(event, 25, among=Group.objects.all())
    assert [i.member.user.username for i in invitees] == ["near", "phoenix"]
    assert invitees[0].miles < invitees[1].miles < 25
    with pytest.raises(actions.ActionError, match="between 1 and 500"):
        actions.nearby_volunteers(event, 0, among=Group.objects.all())
