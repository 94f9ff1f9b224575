"""Every main page passes axe-core's WCAG 2 A and AA checks in Debian's chromium.

Volunteers and visitors use screen readers, keyboards and zoom; the public
map and scorecards must work for them too. axe-core (pinned in package.json,
installed by ``npm ci``) runs inside each page with the demo's data, signed
out and as affiliate staff, and the test lists any rule a page breaks.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page
from pytest_django.live_server_helper import LiveServer

from freedomcities.web.seed import seed_demo
from tests.web.browser import (  # noqa: F401  (pytest finds fixtures by name)
    VIEWPORT,
    accessibility_problems,
    axe_fixture,
    browser_fixture,
    login,
    page_fixture,
    sqlite_test_database_in_a_file,
)
from tests.web.demo_pages import public_pages, staff_pages

PASSWORD = "correct horse battery"  # every user made by conftest.make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _problems(page: Page, base: str, paths: list[str], axe: Path) -> list[str]:
    """What axe finds wrong on each of these pages."""
    problems = []
    for path in paths:
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status == 200, path
        problems += accessibility_problems(page, axe)
    return problems


def test_the_public_pages_pass_wcag_checks(page: Page, live_server: LiveServer, axe: Path) -> None:
    seed_demo()
    problems = _problems(page, live_server.url, public_pages(), axe)
    assert problems == [], "\n".join(problems)


def test_the_staff_pages_pass_wcag_checks(
    page: Page, live_server: LiveServer, axe: Path, staff: User
) -> None:
    seed_demo()
    login(page, live_server.url, staff.username, PASSWORD)
    problems = _problems(page, live_server.url, staff_pages(), axe)
    assert problems == [], "\n".join(problems)


def test_the_public_pages_pass_wcag_checks_in_spanish(
    browser: Browser, live_server: LiveServer, axe: Path
) -> None:
    """The same pages for a browser set to Spanish: html lang, labels and names in Spanish."""
    seed_demo()
    context = browser.new_context(viewport=VIEWPORT, locale="es-MX")
    try:
        page = context.new_page()
        problems = _problems(page, live_server.url, public_pages(), axe)
        assert page.evaluate("document.documentElement.lang") == "es"
    finally:
        context.close()
    assert problems == [], "\n".join(problems)
