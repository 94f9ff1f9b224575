"""The events map in Debian's chromium: post, find by ZIP code, RSVP, import a sign-in sheet.

An organizer posts an event through the form; a member of the public finds it on the map by
ZIP code and radius, opens it from its dot and RSVPs; the organizer imports a typed-up paper
sign-in sheet with a bad row, sees that row's line and why, and the attendance counts.
Screenshots go to tests/output/.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from freedomcities.web.events.models import Attendance, Event
from tests.web.browser import (  # noqa: F401  (pytest finds fixtures by name)
    accessibility_problems,
    axe_fixture,
    browser_fixture,
    fresh_page,
    login,
    page_fixture,
    screenshot,
    sqlite_test_database_in_a_file,
)

PASSWORD = "correct horse battery"  # every user made by conftest.make_user
TITLE = "Town hall: ask the mayor about the nine rules"
SHEET = (
    "given_name,family_name,email_address,phone_number,postal_code,attended,comment\n"
    "Rosa,Parks,ROSA@example.org,,85203,yes,\n"
    "Ella,Baker,ella@example.org,480-555-0101,85201,yes,walk-in\n"
    "Bad,Row,not-an-email,,85201,yes,\n"
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _post_the_event(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/events/")
    page.get_by_role("link", name="Post an event").click()
    start = (timezone.localtime() + datetime.timedelta(days=5)).replace(hour=18, minute=0)
    page.get_by_label("Kind of action").select_option("town_hall")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Description").fill("Bring a question for the mayor.\nAll welcome.")
    page.get_by_label("City, county or state it is about").fill("Mesa, AZ")
    page.get_by_label("Starts").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Ends").fill((start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Venue").fill("Mesa City Hall")
    page.get_by_label("Street address").fill("20 E Main St")
    page.get_by_label("ZIP code").fill("85201")
    page.get_by_label("How many people fit").fill("40")
    page.get_by_role("button", name="Post the event").click()
    expect(page.get_by_text("Your event is posted.")).to_be_visible()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    screenshot(page, "events-posted")


def _find_it_on_the_map(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/events/")
    search = page.get_by_test_id("event-search")
    search.get_by_label("ZIP code").fill("85203")
    search.get_by_label("Within").select_option("10")
    search.get_by_role("button", name="Search").click()
    expect(
        page.get_by_role("heading", name="1 event within 10 miles of 85203 (Mesa)")
    ).to_be_visible()
    expect(page.get_by_test_id("event-list")).to_contain_text(TITLE)
    dots = page.get_by_test_id("events-map").locator("a.event-dot")
    expect(dots).to_have_count(1)
    screenshot(page, "events-map")
    dots.first.click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()


def _rsvp(page: Page) -> None:
    expect(page.get_by_test_id("event-where")).not_to_contain_text("20 E Main St")
    page.get_by_label("Given name").fill("Rosa")
    page.get_by_label("Family name").fill("Parks")
    page.get_by_label("E-mail").fill("rosa@example.org")
    page.get_by_label("ZIP code").fill("85203")
    page.get_by_label("The group may contact me").check()
    page.get_by_role("button", name="RSVP").click()
    expect(page.get_by_text("Thank you, you're coming!")).to_be_visible()
    screenshot(page, "events-rsvp")


def _import_the_sheet(page: Page, live_server: LiveServer, event: Event) -> None:
    page.goto(f"{live_server.url}{event.get_absolute_url()}")
    page.get_by_role("link", name="RSVPs and attendance").click()
    expect(page.get_by_test_id("attendances")).to_contain_text("rosa@example.org")
    page.get_by_label("Sign-in sheet (CSV)").set_input_files(
        {"name": "sign-in.csv", "mimeType": "text/csv", "buffer": SHEET.encode()}
    )
    page.get_by_role("button", name="Import").click()
    report = page.get_by_test_id("import-report")
    expect(report).to_contain_text("1 added, 1 updated, 0 already up to date.")
    expect(page.get_by_test_id("import-errors")).to_contain_text(
        "Line 4: not-an-email does not look like an e-mail address."
    )
    expect(page.get_by_test_id("count-coming")).to_have_text("2")
    expect(page.get_by_test_id("count-attended")).to_have_text("2")
    screenshot(page, "events-attendance")


def test_post_find_rsvp_and_import_a_sign_in_sheet(
    browser: Browser, page: Page, live_server: LiveServer, organizer: User, axe: Path
) -> None:
    login(page, live_server.url, organizer.username, PASSWORD)
    _post_the_event(page, live_server)
    problems = accessibility_problems(page, axe)
    event = Event.objects.get(title=TITLE)
    with fresh_page(browser) as public:
        _find_it_on_the_map(public, live_server)
        problems += accessibility_problems(public, axe)  # the event's page
        _rsvp(public)
        problems += accessibility_problems(public, axe)
        public.goto(f"{live_server.url}/events/")
        expect(public.get_by_test_id("events-map").locator("a.event-dot")).to_have_count(1)
        screenshot(public, "events-nation")
    _import_the_sheet(page, live_server, event)
    problems += accessibility_problems(page, axe)
    assert Attendance.objects.filter(event=event, attended=True).count() == 2
    assert problems == [], "\n".join(problems)
