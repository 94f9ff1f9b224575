"""Every main page passes axe-core's WCAG 2 A and AA checks in Debian's chromium.

Volunteers and visitors use screen readers, keyboards and zoom; the public
map and scorecards must work for them too. axe-core (pinned in package.json,
installed by ``npm ci``) runs inside each page with the demo's data, signed
out and as affiliate staff, and the test lists any rule a page breaks.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page
from pytest_django.live_server_helper import LiveServer

from freedomcities.web.campaign.models import Group
from freedomcities.web.events.models import Event
from freedomcities.web.jurisdictions.models import Agency
from freedomcities.web.scorecards.models import PolicyVersion
from freedomcities.web.seed import DEMO_GROUP_NAME, seed_demo
from tests.web.browser import (  # noqa: F401  (pytest finds fixtures by name)
    browser_fixture,
    fresh_page,
    login,
    sqlite_test_database_in_a_file,
)

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "correct horse battery"  # every user made by conftest.make_user
MESA = "/j/ocd-division/country:us/state:az/place:mesa/"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def axe() -> Path:
    """axe-core's script from node_modules; skip (in CI, fail) when npm has not installed it."""
    if not AXE.is_file():
        message = f"axe-core is not installed at {AXE}; run npm ci"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return AXE


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with fresh_page(browser) as new:
        yield new


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


def _violations(page: Page, base: str, path: str, axe: Path) -> list[str]:
    """What axe finds wrong on one page: rule id, impact and the first offending element."""
    response = page.goto(f"{base}{path}")
    assert response is not None and response.status == 200, path
    page.add_script_tag(path=str(axe))
    found: list[dict[str, Any]] = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
        ".then(result => result.violations)",
        WCAG,
    )
    return [
        f"{path}: {v['id']} ({v['impact']}) {v['nodes'][0]['target']} - {v['help']}" for v in found
    ]


def test_the_public_pages_pass_wcag_checks(page: Page, live_server: LiveServer, axe: Path) -> None:
    seed_demo()
    problems = [
        problem
        for path in _public_pages()
        for problem in _violations(page, live_server.url, path, axe)
    ]
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
    problems = [
        problem for path in paths for problem in _violations(page, live_server.url, path, axe)
    ]
    assert problems == [], "\n".join(problems)
