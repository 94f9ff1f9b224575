"""On a phone, no page is wider than the screen: wide tables scroll inside their panel.

Volunteers read scorecards and fill in forms on their phones at meetings. A
page wider than the screen makes them pan sideways for every line, so each
main page is opened in Debian's chromium at a phone's width (390 CSS pixels)
with the demo's data, signed out and as affiliate staff (who see the most).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page
from pytest_django.live_server_helper import LiveServer

from freedomcities.web.jurisdictions.models import Agency
from freedomcities.web.scorecards import dashboard
from freedomcities.web.scorecards.models import Verdict
from freedomcities.web.seed import seed_demo
from tests.web.browser import (  # noqa: F401  (pytest finds fixtures by name)
    browser_fixture,
    login,
    screenshot,
    sqlite_test_database_in_a_file,
)
from tests.web.demo_pages import public_pages, staff_pages

PHONE_WIDTH = 390
PASSWORD = "correct horse battery"  # every user made by conftest.make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A page the size of a phone's screen, in a fresh browser context."""
    context = browser.new_context(
        viewport={"width": PHONE_WIDTH, "height": 844}, locale="en-US", is_mobile=True
    )
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def _too_wide(page: Page, base: str, paths: list[str]) -> dict[str, int]:
    """Path -> page width, for the pages wider than the screen."""
    widths = {}
    for path in paths:
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status == 200, path
        widths[path] = int(page.evaluate("document.documentElement.scrollWidth"))
    return {path: width for path, width in widths.items() if width > PHONE_WIDTH}


def test_no_page_is_wider_than_a_phone(phone: Page, live_server: LiveServer, staff: User) -> None:
    seed_demo()
    assert _too_wide(phone, live_server.url, public_pages()) == {}
    phone.goto(f"{live_server.url}/states/az/")
    screenshot(phone, "phone-dashboard")

    login(phone, live_server.url, staff.username, PASSWORD)
    # Signed in, the same pages show more (review forms, campaign blocks).
    assert _too_wide(phone, live_server.url, [*public_pages(), *staff_pages()]) == {}


def _headline(verdict: Verdict | None) -> str:
    """The quote a rule's card leads with: the reviewer's passage, else the deciding quote."""
    if verdict is None:
        return ""
    if verdict.review is not None and verdict.review.passage:
        return " ".join(verdict.review.passage.split())
    return " ".join(verdict.evidence[0]["quote"].split()) if verdict.evidence else ""


def test_each_rules_full_quote_is_readable_on_a_phone(phone: Page, live_server: LiveServer) -> None:
    """An agency's rules are cards: each quote whole, as wide as the screen, never a sliver."""
    seed_demo()
    agency = Agency.objects.get(name__contains="(demo) — Mesa")
    phone.goto(f"{live_server.url}/agencies/{agency.pk}/")
    quotes = phone.get_by_test_id("quote")
    assert quotes.count() >= 5
    card = dashboard.agency_cards(Agency.objects.filter(pk=agency.pk), drafts=False)[0]
    expected = [_headline(verdict) for _rule, _status, verdict in card.findings]
    expected = [quote for quote in expected if quote]
    shown = [" ".join(text.split()) for text in quotes.all_inner_texts()]
    assert shown == expected  # in full, not cut short
    for index in range(quotes.count()):
        box = quotes.nth(index).bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_WIDTH, index
        assert box["width"] >= PHONE_WIDTH * 0.6, index  # a column of text, not a letter a line
    assert int(phone.evaluate("document.documentElement.scrollWidth")) <= PHONE_WIDTH
    screenshot(phone, "phone-agency-findings")


def test_the_dashboard_table_shows_every_column_on_a_laptop(
    browser: Browser, live_server: LiveServer
) -> None:
    """At 1366 px the agencies' table is whole: its last column (the campaign) is not cut off."""
    seed_demo()
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-US")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/states/az/")
        table = page.get_by_test_id("agency-table")
        panel = table.locator("xpath=..")
        assert panel.evaluate("el => el.scrollWidth <= el.clientWidth")
        last = table.locator("thead th").last
        box = last.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 1366
        assert last.inner_text().strip() == "Campaign"
        screenshot(page, "laptop-dashboard")
    finally:
        context.close()
