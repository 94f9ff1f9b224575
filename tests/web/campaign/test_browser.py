"""One campaign in Debian's chromium, from listing officials to the affiliate's review.

An organizer of People Power Mesa signs in, lists Mesa's police chief and a
council member, plans a meeting whose agenda is drafted from Mesa's published
scorecard (missing rules first), and records the outcome on a phone-sized
screen: the chief is evasive on rule 1, backs rule 5 and promises the written
policy. The official's page shows those positions, the jurisdiction page and
the board show the stage moving to "Commitments made", the next-steps page
suggests a tactic after the evasive answer, and a letter is drafted and
exported. The report-back goes to the affiliate, whose staff accept and
publish it in the queue; a signed-out visitor then sees the chief's published
position. Screenshots go to ``tests/output/campaign-*.png``.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Browser, Page, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from freedomcities.web.campaign.models import Group, Meeting, Person
from freedomcities.web.scorecards.models import PolicyVersion
from tests.web.browser import (  # noqa: F401  (pytest finds fixtures by name)
    OUTPUT_DIR,
    accessibility_problems,
    axe_fixture,
    browser_fixture,
    fresh_page,
    login,
    page_fixture,
    screenshot,
    sqlite_test_database_in_a_file,
)
from tests.web.campaign.conftest import MESA

PASSWORD = "correct horse battery"  # every user made by conftest.make_user
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
CHIEF = "Ramon Batista"
COUNCIL = "Jennifer Duff"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _add_official(page: Page, url: str, name: str, role: str, title: str, friendly: str) -> None:
    page.goto(f"{url}/campaigns/{MESA}/officials/")
    page.get_by_role("link", name="Add an official").click()
    page.get_by_label("Name:", exact=True).fill(name)
    page.get_by_label("Office:", exact=True).select_option(role)
    page.get_by_label("Title:", exact=True).fill(title)
    page.get_by_label("Office e-mail").fill(f"{name.split()[0].lower()}@mesa.example")
    page.get_by_label("How friendly (private to the group)").select_option(friendly)
    expect(page.get_by_label("Listed by")).to_have_value(re.compile(r"\d+"))
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator(".messages")).to_contain_text(f"{name} is listed.")


def _plan_the_meeting(page: Page, url: str, group: Group) -> None:
    """Plan a meeting with both officials; the drafted agenda puts missing rules first."""
    page.goto(f"{url}{group.get_absolute_url()}")
    page.get_by_role("link", name="Plan a meeting").click()
    agenda = page.get_by_label("Agenda").input_value()
    missing, thanks = agenda.index("Rules not in place yet"), agenda.index("already in place")
    assert missing < agenda.index("Rule 1,") < agenda.index("Rule 5,") < thanks
    assert thanks < agenda.index("Rule 4,") and "Why:" in agenda[missing:thanks]
    yesterday = timezone.localtime() - datetime.timedelta(days=1)
    page.get_by_label("Status").select_option("scheduled")
    page.get_by_label("Asked on").fill(
        (yesterday - datetime.timedelta(days=6)).strftime("%Y-%m-%d")
    )
    page.get_by_label("Whom you asked, how, and what they said").fill("E-mailed both offices.")
    page.get_by_label(CHIEF).check()
    page.get_by_label(COUNCIL).check()
    page.get_by_label("Date and time").fill(yesterday.strftime("%Y-%m-%dT10:00"))
    page.get_by_label("Place:", exact=True).fill("Mesa City Hall, room 2")
    page.get_by_label("olga", exact=True).check()
    page.get_by_label("vera", exact=True).check()
    page.get_by_label("Spokesperson").select_option(label="olga")
    page.get_by_label("Note taker").select_option(label="vera")
    screenshot(page, "campaign-meeting-plan")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Meeting saved.")
    expect(page.locator("pre.agenda")).to_contain_text("Rules not in place yet")


def _answer(page: Page, person: Person, rule: str, in_place: str, support: str) -> None:
    """Tap one rule's two answers, as the note taker does on a phone: the labels are the buttons."""
    row = page.locator(f"#answer-{person.pk}-{rule}")
    for question, value in (("in_place", in_place), ("support", support)):
        radio = row.locator(f"input[name='{question}_{person.pk}_{rule}'][value='{value}']")
        row.locator(f"label[for='{radio.get_attribute('id')}']").click()
        expect(radio).to_be_checked()


def _record_the_outcome_on_a_phone(page: Page, chief: Person, council: Person) -> None:
    page.get_by_role("link", name="Record the outcome").click()
    page.set_viewport_size(PHONE)
    expect(page.get_by_role("heading", name="What did they say?")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(OUTPUT_DIR / "campaign-outcome-phone-top.png"))
    _answer(page, chief, "1", "no", "evasive")
    row = page.locator(f"#answer-{chief.pk}-1")
    row.get_by_text("What they said").click()
    row.get_by_role("textbox").fill("It depends on the situation.")
    _answer(page, chief, "5", "practice", "yes")
    _answer(page, council, "9", "no", "yes")
    page.locator("#id_promise_text_0").fill("Send us the written immigration policy")
    due = timezone.localdate() + datetime.timedelta(days=14)
    page.locator("#id_promise_due_0").fill(due.isoformat())
    page.locator("#id_promise_person_0").select_option(label=CHIEF)
    page.locator("#id_promise_owner_0").select_option(label="vera")
    page.get_by_label("Notes (private to the group and affiliate staff)").fill(
        "The chief's aide interrupted twice."
    )
    page.get_by_label("Point of contact").select_option(label=CHIEF)
    row.scroll_into_view_if_needed()
    row.screenshot(path=str(OUTPUT_DIR / "campaign-outcome-phone-rule.png"))
    screenshot(page, "campaign-outcome-phone")
    page.get_by_role("button", name="Save the outcome").click()
    expect(page.locator(".messages")).to_contain_text("Saved. Send the report-back")
    page.set_viewport_size(DESKTOP)


def _see_positions_and_the_stage(page: Page, url: str, chief: Person) -> None:
    page.goto(f"{url}{chief.get_absolute_url()}")
    rule_1 = page.locator("#rule-1")
    expect(rule_1).to_contain_text("Evasive")
    expect(rule_1).to_contain_text("It depends on the situation.")
    expect(rule_1).to_contain_text("not public yet")
    expect(page.locator("#rule-5")).to_contain_text("In practice only")
    screenshot(page, "campaign-person")
    page.goto(f"{url}/j/{MESA}/")
    panel = page.get_by_test_id("campaign-panel")
    expect(panel.locator("strong.stage")).to_have_text("Commitments made")
    expect(panel.locator("tr", has_text=CHIEF)).to_contain_text("Evasive")
    screenshot(page, "campaign-jurisdiction")
    page.goto(f"{url}/campaigns/")
    expect(page.locator("section.stage-commitments")).to_contain_text("Mesa")
    screenshot(page, "campaign-board")


def _see_a_suggested_tactic(page: Page, url: str, group: Group) -> None:
    page.goto(f"{url}{group.get_absolute_url()}")
    page.get_by_role("link", name="Suggested next steps").click()
    target = page.locator("section.target", has_text=CHIEF)
    expect(target.locator("ul.facts")).to_contain_text("was evasive on")
    expect(target.locator("li.suggestion").first).to_be_visible()
    expect(target.locator("li.suggestion").first.locator("p.why")).to_contain_text("Why:")
    screenshot(page, "campaign-next-steps")


def _draft_and_export_a_letter(page: Page) -> None:
    page.get_by_role("link", name="Drafts", exact=True).click()
    page.locator("select[name=kind]").select_option("letter")
    page.locator("select[name=official]").select_option(label=CHIEF)
    page.get_by_role("button", name="Write the draft").click()
    text = page.locator("#draft-text")
    expect(text).to_have_value(re.compile(CHIEF))
    expect(text).to_have_value(re.compile("Send us the written immigration policy"))
    page.get_by_role("button", name="Check language").click()
    expect(page.locator(".language-check")).to_contain_text("No words to change")
    screenshot(page, "campaign-draft")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export as Word (.docx)").click()
    letter = download.value
    assert letter.suggested_filename.endswith(".docx")
    assert letter.path().read_bytes()[:2] == b"PK"  # a zip, as Word files are


def _send_the_report_back(page: Page, url: str, meeting: Meeting) -> None:
    page.goto(f"{url}{meeting.get_absolute_url()}")
    page.get_by_role("link", name="Send the report-back").click()
    expect(page.get_by_label("Summary")).to_have_value(re.compile(f"{CHIEF} gave no clear answer"))
    page.get_by_role("button", name="Send to the affiliate").click()
    expect(page.locator(".messages")).to_contain_text("Sent to the affiliate.")


def _staff_review_and_publish(browser: Browser, url: str, staff: User) -> None:
    with fresh_page(browser) as review:
        login(review, url, staff.username, PASSWORD)
        review.goto(f"{url}/campaigns/reports/")
        row = review.locator("tbody tr", has_text="People Power Mesa")
        expect(row).to_contain_text("Mesa")
        screenshot(review, "campaign-report-queue")
        row.get_by_role("link", name="Waiting for review").click()
        expect(review.locator(".notes")).to_contain_text("aide interrupted twice")
        review.get_by_label("Accept", exact=True).check()
        expect(review.get_by_label("Publish the officials' answers")).to_be_checked()
        review.get_by_role("button", name="Save the review").click()
        expect(review.locator(".messages")).to_contain_text("Accepted.")
        screenshot(review, "campaign-report-reviewed")


def _the_public_sees_the_published_position(browser: Browser, url: str, chief: Person) -> None:
    with fresh_page(browser) as visitor:
        visitor.goto(f"{url}{chief.get_absolute_url()}")
        expect(visitor.locator("#rule-1")).to_contain_text("Evasive")
        expect(visitor.locator("main")).not_to_contain_text("not public yet")
        expect(visitor.locator("main")).not_to_contain_text("How friendly")
        expect(visitor.locator("main")).not_to_contain_text("aide interrupted")
        screenshot(visitor, "campaign-public-person")


def test_one_campaign_from_officials_to_the_affiliates_review(
    browser: Browser,
    page: Page,
    live_server: LiveServer,
    group: Group,
    organizer: User,
    staff: User,
    published_scorecard: PolicyVersion,
    axe: Path,
) -> None:
    url = live_server.url
    with fresh_page(browser) as before:
        before.goto(f"{url}/campaigns/{MESA}/officials/")
        expect(before.locator("main")).to_contain_text("No officials listed yet.")
    login(page, url, organizer.username, PASSWORD)
    _add_official(page, url, CHIEF, "police_chief", "Chief of police", "undecided")
    _add_official(page, url, COUNCIL, "council_member", "Council member, district 2", "opposed")
    screenshot(page, "campaign-officials")
    chief, council = Person.objects.get(name=CHIEF), Person.objects.get(name=COUNCIL)

    problems = accessibility_problems(page, axe)  # the officials page
    _plan_the_meeting(page, url, group)
    problems += accessibility_problems(page, axe)
    _record_the_outcome_on_a_phone(page, chief, council)
    meeting = Meeting.objects.get()
    assert meeting.status == "held" and meeting.answers.count() == 3

    _see_positions_and_the_stage(page, url, chief)
    problems += accessibility_problems(page, axe)
    _see_a_suggested_tactic(page, url, group)
    problems += accessibility_problems(page, axe)
    _draft_and_export_a_letter(page)
    problems += accessibility_problems(page, axe)
    _send_the_report_back(page, url, meeting)
    problems += accessibility_problems(page, axe)
    _staff_review_and_publish(browser, url, staff)
    _the_public_sees_the_published_position(browser, url, chief)
    for form in (f"/groups/{group.pk}/meetings/new/", f"/meetings/{meeting.pk}/outcome/"):
        page.goto(f"{url}{form}")
        problems += accessibility_problems(page, axe)
    assert problems == [], "\n".join(problems)
