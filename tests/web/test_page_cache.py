"""Public pages from the cache: their queries pinned, fresh after every change, never private.

The dashboard and the agency page are drawn once per change of the public data's
stamp; a visitor who is not signed in then costs one query (the stamp). Each
count is pinned here with real published, reviewed scorecards, so a change that
adds queries per agency or per visit fails.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from freedomcities.web.jurisdictions.models import Agency, Jurisdiction
from freedomcities.web.pagecache import stamps
from freedomcities.web.scorecards.models import PolicyVersion
from tests.web.test_jurisdiction_queries import MESA, _agencies

DASHBOARD = "/states/az/"
# Drawing the dashboard for the cache: the stamp, the state, its agencies with their
# latest published versions and statuses, the history, the map's places. A visit
# from the cache: the stamp alone.
DASHBOARD_DRAWN = 8
AGENCY_DRAWN = (
    7  # the stamp, the agency, its versions, their statuses (2), the latest one's quotes (2)
)
FROM_CACHE = 1


@pytest.fixture
def agencies(arizona: Jurisdiction, staff: User) -> list[Agency]:
    """Three Mesa agencies, each with two published, reviewed versions."""
    return _agencies(Jurisdiction.objects.get(ocd_id=MESA), staff, 3, 2)


def _get(client: Client, path: str, queries: int, assert_queries: DjangoAssertNumQueries) -> str:
    """The page's HTML, asserting it took exactly ``queries`` queries."""
    with assert_queries(queries):
        response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_the_dashboard_costs_one_query_after_its_first_visit(
    agencies: list[Agency], django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    first = _get(Client(), DASHBOARD, DASHBOARD_DRAWN, django_assert_num_queries)
    again = _get(Client(), DASHBOARD, FROM_CACHE, django_assert_num_queries)
    assert all(agency.name in again for agency in agencies)
    assert _without_tokens(first) == _without_tokens(again)


def test_the_agency_page_costs_one_query_after_its_first_visit(
    agencies: list[Agency], django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    path = agencies[0].get_absolute_url()
    first = _get(Client(), path, AGENCY_DRAWN, django_assert_num_queries)
    again = _get(Client(), path, FROM_CACHE, django_assert_num_queries)
    assert "Published" in again and agencies[0].name in again
    assert _without_tokens(first) == _without_tokens(again)


def test_a_save_an_update_and_a_delete_each_show_on_the_next_visit(
    agencies: list[Agency],
) -> None:
    agency = agencies[0]
    path = agency.get_absolute_url()
    client = Client()
    assert "Published</td>" in client.get(path).content.decode()

    agency.name = "Mesa Police Department, renamed"
    agency.save()  # a save: post_save moves the stamp
    assert "renamed" in client.get(path).content.decode()
    assert "renamed" in client.get(DASHBOARD).content.decode()

    # An update() in bulk, as unpublishing does: the manager moves the stamp.
    PolicyVersion.objects.filter(policy__agency=agency).update(published_at=None)
    assert "Published</td>" not in client.get(path).content.decode()

    agencies[1].delete()
    assert agencies[1].name not in client.get(DASHBOARD).content.decode()


def test_progress_alone_keeps_pages_cached(agencies: list[Agency]) -> None:
    version = PolicyVersion.objects.filter(policy__agency=agencies[0]).first()
    assert version is not None
    before = stamps.current()
    PolicyVersion.objects.filter(pk=version.pk).update(progress=50, lost_runs=1)
    assert stamps.current() == before
    PolicyVersion.objects.filter(pk=version.pk).update(progress=60, error="stopped")
    assert stamps.current() == before + 1


def test_each_visitor_gets_a_token_of_their_own_that_works(agencies: list[Agency]) -> None:
    path = agencies[0].get_absolute_url()
    Client().get(path)  # draws and stores the page
    tokens = []
    for _ in range(2):
        client = Client(enforce_csrf_checks=True)
        page = client.get(path).content.decode()
        assert "fc-csrf-placeholder" not in page
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token is not None
        tokens.append(token.group(1))
        switched = client.post(
            "/i18n/setlang/", {"language": "es", "next": path, "csrfmiddlewaretoken": token[1]}
        )
        assert switched.status_code == 302  # the CSRF check passed
        assert '<html lang="es">' in client.get(path).content.decode()  # Spanish has its own
    assert tokens[0] != tokens[1]


def test_a_signed_in_page_is_never_stored_for_others(
    agencies: list[Agency], volunteer: User, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    path = agencies[0].get_absolute_url()
    signed_in = Client()
    signed_in.force_login(volunteer)
    assert "Upload a policy" in signed_in.get(path).content.decode()
    public = Client().get(path).content.decode()
    assert "Upload a policy" not in public and "policy-2020.pdf" not in public
    assert volunteer.username not in public
    with django_assert_num_queries(FROM_CACHE):
        Client().get(path)


def _without_tokens(page: str) -> str:
    """The page with its CSRF tokens blanked (each visitor's differs)."""
    return re.sub(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', r"\1", page)
