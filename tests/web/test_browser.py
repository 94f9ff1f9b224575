"""The whole review workflow in Debian's chromium, against a live server and a real worker.

Affiliate staff sign in, upload a real policy PDF, watch the background analysis
report its progress until the page turns into the draft scorecard, override one
rule, confirm the rest and publish; a signed-out visitor then sees the agency on
the state's map and table, where before publishing there was nothing.
Screenshots of the progress box, the scorecard and the state dashboard are
saved in ``tests/output/`` (gitignored) for a person to look at.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from freedomcities.web.jurisdictions.models import Agency
from freedomcities.web.scorecards import dashboard
from freedomcities.web.scorecards.models import PolicyVersion
from tests.web.browser import (  # noqa: F401  (pytest finds fixtures by name)
    QueueWorker,
    browser_fixture,
    fresh_page,
    login,
    page_fixture,
    queue_worker_fixture,
    screenshot,
    sqlite_test_database_in_a_file,
)

SAMPLE_PDF = (
    Path(__file__).resolve().parents[2]
    / "freedomcities"
    / "samples"
    / "sample-city-pd-immigration-policy.pdf"
)
PASSWORD = "correct horse battery"  # every user made by conftest.make_user
OVERRIDDEN_RULE = "4"
ANALYSIS_TIMEOUT_MS = 40_000  # loading the embedding model and reading the PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _agency_row(page: Page, agency: Agency) -> Locator:
    return page.get_by_test_id("agency-table").locator("tbody tr").filter(has_text=agency.name)


def _rule_cell(page: Page, row: Locator, rule_id: str) -> Locator:
    heads = page.get_by_test_id("agency-table").locator("th.rule-head").all_inner_texts()
    return row.locator("td.rule-cell").nth([h.strip() for h in heads].index(rule_id))


def _upload_the_sample(page: Page, live_server: LiveServer, agency: Agency) -> None:
    page.goto(f"{live_server.url}{agency.get_absolute_url()}")
    page.get_by_role("link", name="Upload a policy").click()
    page.get_by_label("Policy file").set_input_files(SAMPLE_PDF)
    page.get_by_label("How did you get it?").select_option("records_request")
    page.get_by_label("Date of the policy").fill("2024-03-01")
    page.get_by_role("button", name="Upload and analyse").click()


def _watch_the_analysis(page: Page, worker: QueueWorker) -> None:
    """The job waits in the queue until the worker starts; then the page refreshes itself."""
    progress = page.locator("#progress")
    expect(progress).to_contain_text("Waiting for the analysis to start")
    expect(progress.locator("progress")).to_be_attached()
    expect(page.get_by_test_id("review-1")).to_have_count(0)
    screenshot(page, "progress")
    url = page.url
    worker.start()
    expect(page.get_by_test_id("review-1")).to_be_visible(timeout=ANALYSIS_TIMEOUT_MS)
    assert page.url == url  # htmx reloaded the page (HX-Refresh); the test did not
    expect(progress).to_contain_text("Analysis finished.")
    expect(page.get_by_test_id("draft")).to_contain_text("Draft: not public")


def _override(page: Page, rule_id: str) -> str:
    """Change one rule's status with a reason; return the new status."""
    item = page.locator(f"#rule-{rule_id}")
    new_status = "meets" if item.get_attribute("data-status") == "conflicts" else "conflicts"
    form = page.get_by_test_id(f"review-{rule_id}")
    form.get_by_label("Status").select_option(new_status)
    form.get_by_label("Why").fill("The 2023 memorandum of understanding still binds the force.")
    form.get_by_role("button").click()
    expect(page.locator(".messages")).to_contain_text(f"Saved your review of rule {rule_id}.")
    expect(item).to_have_attribute("data-status", new_status)
    expect(item.locator(".override")).to_contain_text("Changed by a reviewer")
    expect(item).to_contain_text("memorandum of understanding")
    return new_status


def _confirm_and_publish(page: Page) -> None:
    page.get_by_role("button", name="Confirm all unreviewed rules").click()
    expect(page.locator(".messages")).to_contain_text(re.compile(r"Confirmed \d+ rules\."))
    expect(page.locator(".review-bar")).to_contain_text(re.compile(r"(\d+) of \1 rules reviewed"))
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Published.")
    expect(page.locator(".published")).to_have_text("Published")


def _the_public_sees_no_scorecard_yet(browser: Browser, url: str, draft_url: str) -> None:
    with fresh_page(browser) as public:
        public.goto(f"{url}/states/az/")
        no_scorecard = "\N{EN DASH}"
        expect(public.get_by_test_id("agency-table").locator("td.met")).to_have_text(no_scorecard)
        expect(public.get_by_test_id("state-map").locator("circle")).to_have_count(0)
        response = public.goto(draft_url)
        assert response is not None and response.status == 404


def test_staff_upload_review_and_publish_then_the_public_sees_it(
    browser: Browser,
    page: Page,
    live_server: LiveServer,
    queue_worker: QueueWorker,
    staff: User,
    mesa_police: Agency,
) -> None:
    login(page, live_server.url, staff.username, PASSWORD)
    _upload_the_sample(page, live_server, mesa_police)
    _watch_the_analysis(page, queue_worker)
    _the_public_sees_no_scorecard_yet(browser, live_server.url, page.url)

    new_status = _override(page, OVERRIDDEN_RULE)
    _confirm_and_publish(page)
    screenshot(page, "scorecard")

    version = PolicyVersion.objects.get()
    met = dashboard.agency_rows(Agency.objects.filter(pk=mesa_police.pk))[0].met
    with fresh_page(browser) as public:
        public.goto(f"{live_server.url}/states/az/")
        row = _agency_row(public, mesa_police)
        expect(row.locator("td.met")).to_have_text(f"{met}/9")
        expect(row).to_contain_text("2024-03-01")
        expect(_rule_cell(public, row, OVERRIDDEN_RULE).locator(".status")).to_have_class(
            re.compile(rf"\bstatus-{new_status}\b")
        )
        dot = public.get_by_test_id("state-map").locator("a.place-dot circle")
        expect(dot).to_have_count(1)
        expect(dot).to_have_attribute("data-met", str(met))
        expect(dot.locator("title")).to_contain_text("Mesa")
        screenshot(public, "dashboard")
        public.goto(f"{live_server.url}{version.get_absolute_url()}")
        expect(public.locator(f"#rule-{OVERRIDDEN_RULE} .override")).to_be_visible()
        expect(public.get_by_test_id(f"review-{OVERRIDDEN_RULE}")).to_have_count(0)


def test_a_visitor_is_sent_to_sign_in_before_uploading(
    page: Page, live_server: LiveServer, mesa_police: Agency
) -> None:
    page.goto(f"{live_server.url}{mesa_police.get_absolute_url()}")
    expect(page.get_by_text("No scorecard has been published yet.")).to_be_visible()
    expect(page.get_by_role("link", name="Upload a policy")).to_have_count(0)
    page.goto(f"{live_server.url}/agencies/{mesa_police.pk}/upload/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_a_wrong_password_is_refused_with_a_clear_message(
    page: Page, live_server: LiveServer, staff: User
) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("User name").fill(staff.username)
    page.get_by_label("Password").fill("wrong horse")
    page.locator("main").get_by_role("button", name="Sign in").click()
    expect(page.locator("main .error")).to_contain_text("do not match")
