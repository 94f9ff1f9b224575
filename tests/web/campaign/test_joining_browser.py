"""A new volunteer, on a phone, from an organizer's invitation link to a recorded meeting outcome.

No command line and no admin: the organizer makes the link on the members page, the
newcomer opens it in a fresh browser at 390 px, makes an account, lands on the group,
opens its meeting with the police chief and records what the chief said.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from freedomcities.web.campaign.models import Answer, Group, GroupMember, Meeting, Person
from tests.web.browser import (  # noqa: F401  (pytest finds fixtures by name)
    browser_fixture,
    fresh_page,
    login,
    screenshot,
    sqlite_test_database_in_a_file,
)

PASSWORD = "correct horse battery"  # every user made by conftest.make_user
PHONE = {"width": 390, "height": 844}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_from_an_invitation_link_to_a_recorded_outcome_on_a_phone(
    browser: Browser,
    live_server: LiveServer,
    organizer: User,
    group: Group,
    meeting: Meeting,
    chief: Person,
    settings: object,
) -> None:
    settings.SITE_URL = live_server.url  # type: ignore[attr-defined]
    with fresh_page(browser) as page:
        login(page, live_server.url, organizer.username, PASSWORD)
        page.goto(f"{live_server.url}/groups/{group.pk}/members/")
        page.get_by_role("button", name="Make an invitation link").click()
        link = page.get_by_test_id("invitation-link").input_value()
    assert link.startswith(f"{live_server.url}/join/")

    with fresh_page(browser) as phone:
        phone.set_viewport_size(PHONE)  # type: ignore[arg-type]
        phone.goto(link)
        expect(phone.get_by_role("heading", name="Join People Power Mesa")).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        phone.get_by_label("Username").fill("nina")
        phone.get_by_label("Your first name").fill("Nina")
        phone.get_by_label("E-mail").fill("nina@example.org")
        phone.get_by_label("Password", exact=True).fill("a long walk to the city council")
        phone.get_by_label("Password confirmation").fill("a long walk to the city council")
        screenshot(phone, "join-phone")
        phone.get_by_role("button", name="Make my account and join").click()
        expect(phone.locator(".messages")).to_contain_text("Welcome to People Power Mesa")

        phone.locator(f"main a[href='{meeting.get_absolute_url()}']").first.click()  # "Meetings"
        phone.get_by_role("link", name="Record the outcome").click()
        row = phone.locator(f"#answer-{chief.pk}-1")
        for question, value in (("in_place", "no"), ("support", "evasive")):
            radio = row.locator(f"input[name='{question}_{chief.pk}_1'][value='{value}']")
            row.locator(f"label[for='{radio.get_attribute('id')}']").click()
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        phone.get_by_role("button", name="Save the outcome").click()
        expect(phone.locator(".messages")).to_contain_text("Saved. Send the report-back")
        screenshot(phone, "join-outcome-phone")

    nina = User.objects.get(username="nina")
    assert GroupMember.objects.filter(group=group, user=nina).exists()
    answer = Answer.objects.get(meeting=meeting, person=chief, rule_id="1")
    assert (answer.in_place, answer.support) == ("no", "evasive")
