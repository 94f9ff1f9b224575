"""Events in Illinois and Colorado, walked in chromium at 1366 px and at 390 px.

An organizer posts three evening events through the form, 7:00 to 9:00 PM where they
happen: La Grange, Illinois in July (Central daylight time), Denver in July (Mountain
daylight time) and Denver in January (Mountain standard time). The site itself runs on
Arizona's clock, which keeps no daylight saving, so any time shown through the site's
zone would be an hour off. Each event must read 7:00 PM on its page, in the list, on the
map, in the RSVP e-mail and in its calendar file, and no page may be wider than a phone.
"""

from __future__ import annotations

import datetime

import icalendar
import pytest
from django.contrib.auth.models import User
from django.core import mail
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from freedomcities.web.accounts.models import Role
from freedomcities.web.campaign.models import Group, GroupMember, GroupRole
from freedomcities.web.events.models import Event
from freedomcities.web.jurisdictions.models import Jurisdiction, Kind
from tests.web.browser import (  # noqa: F401  (pytest finds fixtures by name)
    browser_fixture,
    login,
    screenshot,
    sqlite_test_database_in_a_file,
)
from tests.web.conftest import make_user

PASSWORD = "correct horse battery"  # every user made by conftest.make_user
CHICAGO, DENVER = "America/Chicago", "America/Denver"
EVENTS = [
    # (title, place, ZIP, day, zone, what people read)
    ("La Grange town hall", "La Grange, IL", "60525", "2027-07-15", CHICAGO, "Central time"),
    ("Denver summer rally", "Denver, CO", "80202", "2027-07-15", DENVER, "Mountain time"),
    ("Denver winter meeting", "Denver, CO", "80202", "2027-01-14", DENVER, "Mountain time"),
]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def campaigner(settings: object) -> User:
    """An organizer of a group in Illinois and of one in Colorado."""
    settings.EVENTS_MIN_FILL_SECONDS = 0  # type: ignore[attr-defined]
    user = make_user("ines", Role.ORGANIZER)
    for code, name, place in (("IL", "Illinois", "La Grange"), ("CO", "Colorado", "Denver")):
        state = Jurisdiction.objects.create(
            ocd_id=f"ocd-division/country:us/state:{code.lower()}",
            kind=Kind.STATE, name=name, state=code,
        )  # fmt: skip
        home = Jurisdiction.objects.create(
            ocd_id=f"{state.ocd_id}/place:{place.lower().replace(' ', '_')}",
            kind=Kind.PLACE, name=place, state=code, parent=state,
        )  # fmt: skip
        group = Group.objects.create(name=f"{place} Freedom", state=code, home=home)
        GroupMember.objects.create(group=group, user=user, role=GroupRole.ORGANIZER)
    return user


def _post(page: Page, url: str, title: str, place: str, postal: str, day: str) -> None:
    page.goto(f"{url}/events/new/")
    page.get_by_label("Group").select_option(label=f"{place.split(',')[0]} Freedom")
    page.get_by_label("Kind of action").select_option("town_hall")
    page.get_by_label("Title").fill(title)
    page.get_by_label("City, county or state it is about").fill(place)
    page.get_by_label("Starts").fill(f"{day}T19:00")
    page.get_by_label("Ends").fill(f"{day}T21:00")
    page.get_by_label("ZIP code").fill(postal)
    page.get_by_role("button", name="Post the event").click()
    expect(page.get_by_text("Your event is posted.")).to_be_visible()


def _wider_than(page: Page, width: int) -> bool:
    return int(page.evaluate("document.documentElement.scrollWidth")) > width


@pytest.mark.parametrize("width", [1366, 390])
def test_event_times_match_what_was_entered_everywhere(
    browser: Browser, live_server: LiveServer, campaigner: User, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        login(page, live_server.url, campaigner.username, PASSWORD)
        for title, place, postal, day, _zone, _name in EVENTS:
            _post(page, live_server.url, title, place, postal, day)
        page.goto(f"{live_server.url}/events/")
        listing = page.get_by_test_id("event-list")
        for title, _place, _postal, day, _zone, name in EVENTS:
            when = datetime.date.fromisoformat(day)
            item = listing.locator("li", has_text=title)
            expect(item).to_contain_text(f"{when:%a, %b} {when.day}, {when.year} · 7:00 PM {name}")
            dot = page.get_by_test_id("events-map").locator("title", has_text=title)
            expect(dot).to_contain_text(f"{when:%B} {when.day}, 7:00 PM {name}")
        assert not _wider_than(page, width)
        screenshot(page, f"events-zones-list-{width}")

        for title, _place, _postal, day, zone, name in EVENTS:
            event = Event.objects.get(title=title)
            when = datetime.date.fromisoformat(day)
            page.goto(f"{live_server.url}{event.get_absolute_url()}")
            expect(page.get_by_test_id("event-when")).to_have_text(
                f"{when:%A, %B} {when.day}, {when.year}, 7:00 PM \N{EN DASH} 9:00 PM {name}"
            )
            assert not _wider_than(page, width)
            mail.outbox.clear()
            page.get_by_label("Given name").fill("Rosa")
            page.get_by_label("Family name").fill("Parks")
            page.get_by_label("E-mail").fill(f"rosa-{event.pk}@example.org")
            page.get_by_label("ZIP code").fill(event.postal_code)
            page.get_by_role("button", name="RSVP").click()
            expect(page.get_by_test_id("rsvp-done")).to_contain_text("You are registered")
            (message,) = mail.outbox
            assert f"{when:%A, %B} {when.day}, {when.year}, 7:00 PM {name}" in message.body
            ics = page.request.get(f"{live_server.url}/events/{event.uuid}/calendar.ics")
            (item,) = icalendar.Calendar.from_ical(ics.body()).walk("VEVENT")
            start = item.decoded("dtstart")
            assert (start.hour, start.minute, str(start.tzinfo)) == (19, 0, zone)
            assert start.date() == when
        screenshot(page, f"events-zones-detail-{width}")
    finally:
        context.close()
