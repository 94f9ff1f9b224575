"""The pages: map and list, event page, RSVP and its cancel link, posting, the organizer's tools."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from freedomcities.web.accounts.guard import form_stamp
from freedomcities.web.accounts.models import Role
from freedomcities.web.campaign.models import Group, GroupMember
from freedomcities.web.events import actions
from freedomcities.web.events.models import Attendance, Event, EventStatus, RsvpStatus
from tests.web.conftest import make_user
from tests.web.events.conftest import MESA, NEXT_WEEK

pytestmark = pytest.mark.django_db


def rsvp_data(**changes: str) -> dict[str, str]:
    data = {
        "given_name": "Rosa",
        "family_name": "Parks",
        "email": "rosa@example.org",
        "postal_code": "85203",
        "phone": "",
        "consent_to_contact": "on",
        "website": "",
        "started": form_stamp(),
    }
    data.update(changes)
    return data


def event_data(group: Group, **changes: str) -> dict[str, Any]:
    start = NEXT_WEEK.replace(hour=18, minute=30)
    data: dict[str, Any] = {
        "group": str(group.pk),
        "tactic": "town_hall",
        "title": "Town hall with the mayor",
        "description": "Ask the mayor about the nine rules.",
        "jurisdiction": "Mesa, AZ",
        "starts": start.strftime("%Y-%m-%dT%H:%M"),
        "ends": (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "timezone": "",
        "venue": "Mesa City Hall",
        "address_lines": "20 E Main St",
        "locality": "",
        "postal_code": "85201",
        "public": "on",
        "capacity": "",
        "host_name": "Olga",
        "host_email": "olga@example.org",
        "host_phone": "",
        "website": "",
        "started": form_stamp(),
    }
    data.update(changes)
    return data


# The map and list -------------------------------------------------------------------------


def test_the_map_draws_the_states_and_a_dot_per_event(client: Client, event: Event) -> None:
    response = client.get("/events/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="events-map"' in html
    assert html.count('class="state"') >= 50
    assert html.count('class="event-dot"') == 1
    assert f'href="/events/{event.uuid}/"' in html


def test_a_search_by_zip_code_zooms_in_and_lists_distances(
    client: Client, make_event: Callable[..., Event]
) -> None:
    make_event(title="In Mesa")
    make_event(title="In Tucson", postal_code="85701")
    html = client.get("/events/", {"zip": "85203", "miles": "25"}).content.decode()
    assert "In Mesa" in html and "In Tucson" not in html
    assert "1 event within 25 miles of 85203 (Mesa)" in html
    assert re.search(r"\d+(\.\d)? mi<", html)
    assert 'class="search-area"' in html
    assert 'class="town">Mesa</text>' in html  # towns in the window are named
    assert 'viewBox="0 0' not in html.split('data-testid="events-map"')[0][-300:]


def test_an_unknown_zip_code_is_explained_on_the_page(client: Client, event: Event) -> None:
    response = client.get("/events/", {"zip": "00000"})
    assert response.status_code == 400
    assert "00000 is not a U.S. ZIP code we know." in response.content.decode()


def test_dates_the_wrong_way_round_are_explained(client: Client, event: Event) -> None:
    response = client.get("/events/", {"start": "2030-05-02", "end": "2030-05-01"})
    assert response.status_code == 400
    assert "The end date is before the start date." in response.content.decode()


def test_the_events_csv_neutralises_formulas_and_keeps_private_addresses_out(
    client: Client, make_event: Callable[..., Event]
) -> None:
    make_event(title='=HYPERLINK("http://evil")')
    response = client.get("/events/events.csv")
    assert response.content.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    text = response.content.decode("utf-8-sig")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"  # public: other sites may read it
    assert "'=HYPERLINK" in text
    assert "64 E 1st St" not in text and "Mesa Public Library" not in text
    assert text.splitlines()[0].startswith("identifier,title,tactic")


# The event page and RSVPs -----------------------------------------------------------------


def test_the_public_sees_the_area_and_the_organizer_the_address(
    client: Client, organizer_client: Client, event: Event
) -> None:
    public = client.get(event.get_absolute_url()).content.decode()
    assert "Mesa, AZ 85201" in public
    assert "64 E 1st St" not in public and "Mesa Public Library" not in public
    assert "olga@example.org" not in public  # the host's contact is not public
    mine = organizer_client.get(event.get_absolute_url()).content.decode()
    assert "64 E 1st St" in mine and "olga@example.org" in mine
    assert "RSVPs and attendance" in mine


def test_a_description_with_html_is_shown_as_text(client: Client, event: Event) -> None:
    Event.objects.filter(pk=event.pk).update(description="<script>alert('x')</script>")
    html = client.get(event.get_absolute_url()).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html


def test_a_private_event_is_404_for_the_public_and_shown_to_its_group(
    client: Client, organizer_client: Client, make_event: Callable[..., Event]
) -> None:
    event = make_event(public=False)
    assert client.get(event.get_absolute_url()).status_code == 404
    assert client.get(f"/events/{event.uuid}/calendar.ics").status_code == 404
    assert organizer_client.get(event.get_absolute_url()).status_code == 200


def test_rsvp_then_cancel_through_the_emailed_link(client: Client, event: Event) -> None:
    response = client.post(f"/events/{event.uuid}/rsvp/", rsvp_data(), follow=True)
    assert (
        "you&#x27;re coming! We sent a confirmation to rosa@example.org"
        in response.content.decode()
    )
    (message,) = mail.outbox
    link = re.search(r"http://testserver(/events/rsvp/\S+/cancel/)", message.body)
    assert link is not None
    page = client.get(link.group(1))
    assert "Yes, cancel my RSVP" in page.content.decode()
    assert Attendance.objects.get().status == RsvpStatus.ACCEPTED  # a GET changes nothing
    done = client.post(link.group(1))
    assert done.status_code == 302 and done["Location"] == link.group(1)
    assert "is cancelled" in client.get(link.group(1)).content.decode()
    assert Attendance.objects.get().status == RsvpStatus.CANCELLED
    assert client.get("/events/rsvp/not-a-token/cancel/").status_code == 400


def test_rsvp_errors_are_shown_on_the_form(client: Client, event: Event) -> None:
    response = client.post(f"/events/{event.uuid}/rsvp/", rsvp_data(postal_code="00000"))
    assert response.status_code == 400
    assert "00000 is not a U.S. ZIP code we know" in response.content.decode()
    response = client.post(f"/events/{event.uuid}/rsvp/", rsvp_data(email=""))
    assert "This field is required." in response.content.decode()
    assert not Attendance.objects.exists()


def test_a_full_event_says_so_and_waitlists(
    client: Client, make_event: Callable[..., Event]
) -> None:
    event = make_event(capacity=1)
    client.post(f"/events/{event.uuid}/rsvp/", rsvp_data(email="a@example.org"))
    someone_else = Client()  # the first browser now reads "you are registered"
    page = someone_else.get(event.get_absolute_url()).content.decode()
    assert "This event is full" in page and "1 of 1 taken" in page
    response = someone_else.post(
        f"/events/{event.uuid}/rsvp/", rsvp_data(email="b@example.org"), follow=True
    )
    assert "you are on the waiting list" in response.content.decode()


def test_the_honeypot_refuses_robots(client: Client, event: Event) -> None:
    response = client.post(f"/events/{event.uuid}/rsvp/", rsvp_data(website="http://spam"))
    assert response.status_code == 400
    assert "automated submission" in response.content.decode()
    assert not Attendance.objects.exists()


def test_a_form_sent_back_too_quickly_or_forged_is_refused(
    client: Client, event: Event, settings: Any
) -> None:
    settings.EVENTS_MIN_FILL_SECONDS = 3
    response = client.post(f"/events/{event.uuid}/rsvp/", rsvp_data())
    assert "That was very quick" in response.content.decode()
    response = client.post(f"/events/{event.uuid}/rsvp/", rsvp_data(started="1700000000"))
    assert "could not be checked" in response.content.decode()
    assert not Attendance.objects.exists()


def test_an_anti_bot_stamp_works_once_and_a_replay_is_refused(client: Client, event: Event) -> None:
    stamp = form_stamp()
    first = client.post(f"/events/{event.uuid}/rsvp/", rsvp_data(started=stamp))
    assert first.status_code == 302
    replay = client.post(
        f"/events/{event.uuid}/rsvp/", rsvp_data(started=stamp, email="bot@example.org")
    )
    assert "already sent" in replay.content.decode()
    assert not Attendance.objects.filter(email="bot@example.org").exists()
    assert form_stamp() != form_stamp()


def test_too_many_rsvps_from_one_address_get_a_kind_429(
    client: Client, event: Event, settings: Any
) -> None:
    settings.EVENTS_RATE_LIMIT = 3
    codes = [
        client.post(f"/events/{event.uuid}/rsvp/", rsvp_data(email=f"p{i}@example.org")).status_code
        for i in range(5)
    ]
    assert codes == [302, 302, 302, 429, 429]
    response = client.post(f"/events/{event.uuid}/rsvp/", rsvp_data())
    assert "Please wait a minute" in response.content.decode()
    other = Client(REMOTE_ADDR="10.0.0.2")
    assert other.post(f"/events/{event.uuid}/rsvp/", rsvp_data()).status_code == 302


# Posting and changing ---------------------------------------------------------------------


def test_an_organizer_posts_an_event_through_the_form(
    organizer_client: Client, group: Group
) -> None:
    response = organizer_client.post("/events/new/", event_data(group), follow=True)
    assert "Your event is posted." in response.content.decode()
    event = Event.objects.get()
    assert (event.title, event.jurisdiction.ocd_id, event.timezone) == (
        "Town hall with the mayor",
        MESA,
        "America/Phoenix",
    )
    assert event.local_start.strftime("%H:%M") == "18:30"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"postal_code": "00000"}, "00000 is not a U.S. ZIP code we know"),
        ({"jurisdiction": "Atlantis, AZ"}, "We found no city, county or state called Atlantis, AZ"),
        ({"description": "<a href='x' onclick='steal()'>click</a>"}, "contains HTML"),
        ({"description": "word " * 1001}, "the most is 5000"),
        ({"starts": "2020-01-01T10:00", "ends": "2020-01-01T12:00"}, "in the past"),
        ({"title": ""}, "This field is required."),
        ({"starts": "not a date"}, "Enter a valid date/time."),
    ],
)
def test_the_event_form_explains_bad_input(
    organizer_client: Client, group: Group, changes: dict[str, str], message: str
) -> None:
    response = organizer_client.post("/events/new/", event_data(group, **changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Event.objects.exists()


def test_the_end_before_the_start_is_explained(organizer_client: Client, group: Group) -> None:
    start = NEXT_WEEK.replace(hour=18)
    data = event_data(group, ends=(start - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    response = organizer_client.post("/events/new/", data)
    assert "The event must end after it starts" in response.content.decode()


def test_only_organizers_post_events(
    client: Client, volunteer_client: Client, group: Group
) -> None:
    assert client.get("/events/new/").status_code == 302  # to the sign-in page
    assert volunteer_client.get("/events/new/").status_code == 403
    assert volunteer_client.post("/events/new/", event_data(group)).status_code == 403


def test_an_organizer_cannot_post_for_another_group(organizer_client: Client, group: Group) -> None:
    other = Group.objects.create(name="Tucson group", state="AZ")
    response = organizer_client.post("/events/new/", event_data(other))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_staff_edit_and_cancel_any_groups_event(staff_client: Client, event: Event) -> None:
    page = staff_client.get(f"/events/{event.uuid}/edit/")
    assert page.status_code == 200 and event.title in page.content.decode()
    data = event_data(event.group, title="Moved to the library")
    assert staff_client.post(f"/events/{event.uuid}/edit/", data).status_code == 302
    assert Event.objects.get().title == "Moved to the library"
    staff_client.post(f"/events/{event.uuid}/cancel/")
    assert Event.objects.get().status == EventStatus.CANCELLED


def test_other_volunteers_cannot_manage_an_event(volunteer_client: Client, event: Event) -> None:
    for path in ("edit/", "manage/", "volunteers/", "attendances.csv"):
        assert volunteer_client.get(f"/events/{event.uuid}/{path}").status_code == 403


# The organizer's tools ------------------------------------------------------------------


def test_the_organizer_imports_a_sheet_and_sees_bad_lines_and_counts(
    organizer_client: Client, event: Event
) -> None:
    actions.rsvp(
        event, actions.RsvpDraft("Rosa", "Parks", "rosa@example.org", "85203"), base_url=""
    )
    sheet = (
        "given_name,family_name,email_address,phone_number,postal_code,attended,comment\n"
        "Rosa,Parks,Rosa@Example.org,,85203,yes,\n"
        "Ella,Baker,ella@example.org,,85201,yes,walk-in\n"
        "Bad,Row,not-an-email,,85201,yes,\n"
    )
    upload = SimpleUploadedFile("sheet.csv", sheet.encode(), content_type="text/csv")
    response = organizer_client.post(f"/events/{event.uuid}/sign-in/", {"sheet": upload})
    assert response.status_code == 302  # a reload imports nothing twice
    assert response["Location"] == f"/events/{event.uuid}/manage/"
    html = organizer_client.get(response["Location"]).content.decode()
    assert "1 added, 1 updated, 0 already up to date." in html
    assert "Line 4: not-an-email does not look like an e-mail address." in html
    assert re.search(r'data-testid="count-attended">2<', html)
    assert re.search(r'data-testid="count-coming">2<', html)
    # Shown once; the import's address, opened again, leads back to the page, not to a 405.
    assert "1 added" not in organizer_client.get(response["Location"]).content.decode()
    again = organizer_client.get(f"/events/{event.uuid}/sign-in/")
    assert again.status_code == 302 and again["Location"] == response["Location"]


def test_the_organizer_marks_who_came(organizer_client: Client, event: Event) -> None:
    rsvp = actions.rsvp(
        event, actions.RsvpDraft("Rosa", "Parks", "rosa@example.org", "85203"), base_url=""
    ).attendance
    organizer_client.post(f"/events/{event.uuid}/attended/", {f"attended-{rsvp.pk}": "yes"})
    assert Attendance.objects.get().attended is True
    page = organizer_client.get(f"/events/{event.uuid}/manage/").content.decode()
    assert re.search(r'data-testid="count-attended">1<', page)


def test_a_bad_upload_is_explained(organizer_client: Client, event: Event) -> None:
    upload = SimpleUploadedFile("sheet.csv", b"name,email\nA,a@example.org\n")
    response = organizer_client.post(f"/events/{event.uuid}/sign-in/", {"sheet": upload})
    assert response.status_code == 400
    assert "Line 1 must be the header" in response.content.decode()


def test_the_attendances_csv_is_for_organizers_and_neutralised(
    organizer_client: Client, event: Event
) -> None:
    actions.rsvp(
        event, actions.RsvpDraft("@SUM(A1)", "Parks", "rosa@example.org", "85203"), base_url=""
    )
    response = organizer_client.get(f"/events/{event.uuid}/attendances.csv")
    assert "Access-Control-Allow-Origin" not in response  # private: no other site reads it
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("given_name,family_name,email_address")
    assert "'@SUM(A1)" in text


def test_the_organizer_finds_volunteers_to_invite(
    organizer_client: Client, event: Event, group: Group, organizer: User
) -> None:
    GroupMember.objects.create(
        group=group,
        user=make_user("nina", Role.VOLUNTEER),
        postal_code="85203",
        invite_to_events=True,
    )
    page = organizer_client.get(f"/events/{event.uuid}/volunteers/", {"miles": "10"})
    html = page.content.decode()
    assert "nina@example.org" in html and "bcc=nina%40example.org" in html
    bad = organizer_client.get(f"/events/{event.uuid}/volunteers/", {"miles": "9999"})
    assert bad.status_code == 400


def test_the_jurisdiction_template_tag_lists_upcoming_public_events(
    event: Event, make_event: Callable[..., Event]
) -> None:
    from django.template import Context, Template

    make_event(title="Members only", public=False)
    html = Template("{% load events_tags %}{% jurisdiction_events j %}").render(
        Context({"j": event.jurisdiction.parent})
    )
    assert event.title in html and "Members only" not in html
    assert "/events/feeds/j/ocd-division/country:us/state:az.ics" in html


def test_after_an_rsvp_the_page_says_you_are_registered_with_a_cancel_link(
    client: Client, event: Event
) -> None:
    response = client.post(f"/events/{event.uuid}/rsvp/", rsvp_data())
    assert response.status_code == 302
    page = client.get(event.get_absolute_url()).content.decode()
    done = page.split('data-testid="rsvp-done"')[1].split("</div>")[0]
    assert "You are registered, as rosa@example.org" in done
    cancel = re.search(r'href="(/events/rsvp/[^"]+/cancel/)"', done)
    assert cancel is not None
    assert 'action="/events/' not in done  # no empty form to fill in again
    client.post(cancel.group(1))
    assert Attendance.objects.get().status == RsvpStatus.CANCELLED
    again = client.get(event.get_absolute_url()).content.decode()
    assert 'data-testid="rsvp-done"' not in again and "rsvp-form" in again
    # Someone else's browser sees the form.
    assert 'data-testid="rsvp-done"' not in Client().get(event.get_absolute_url()).content.decode()
