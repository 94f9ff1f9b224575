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
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from freedomcities.web.campaign.models import Group
from freedomcities.web.events.models import Event
from freedomcities.web.jurisdictions.models import Agency
from freedomcities.web.scorecards.models import PolicyVersion
from freedomcities.web.seed import DEMO_GROUP_NAME, seed_demo
from tests.web.browser import (  # noqa: F401  (pytest finds fixtures by name)
    accessibility_problems,
    axe_fixture,
    browser_fixture,
    login,
    page_fixture,
    sqlite_test_database_in_a_file,
)

PASSWORD = "correct horse battery"  # every user made by conftest.make_user
MESA = "/j/ocd-division/country:us/state:az/place:mesa/"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _public_pages() -> list[str]:
    """The pages anyone can open, with the demo's ids."""
    agency = Agency.objects.get(name__contains="(demo) — Mesa")
    version = PolicyVersion.objects.filter(policy__agency=agency, published_at__isnull=False)[0]
    return [
        "/states/az/",
        MESA,
        f"/agencies/{agency.pk}/",
        f"/agencies/{agency.pk}/compare/",
        version.get_absolute_url(),
        f"{version.get_absolute_url()}sections/",
        "/events/?zip=85201&miles=50",
        "/campaigns/",
        "/search/?q=mesa",
        "/accounts/login/",
        Event.objects.order_by("starts_at")[0].get_absolute_url(),
    ]


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
    problems = _problems(page, live_server.url, _public_pages(), axe)
    assert problems == [], "\n".join(problems)


def test_the_staff_pages_pass_wcag_checks(
    page: Page, live_server: LiveServer, axe: Path, staff: User
) -> None:
    seed_demo()
    agency = Agency.objects.get(name__contains="(demo) — Mesa")
    draft = PolicyVersion.objects.get(published_at__isnull=True)
    login(page, live_server.url, staff.username, PASSWORD)
    paths = [
        draft.get_absolute_url(),
        f"/agencies/{agency.pk}/upload/",
        "/review/",
        "/groups/",
        "/groups/new/",
        "/events/new/",
        "/campaigns/reports/",
        f"/campaigns{MESA.removeprefix('/j')}officials/",
        Group.objects.get(name=DEMO_GROUP_NAME).get_absolute_url(),
        f"{Event.objects.order_by('starts_at')[0].get_absolute_url()}manage/",
    ]
    problems = _problems(page, live_server.url, paths, axe)
    assert problems == [], "\n".join(problems)
