"""Web app fixtures: users of each role, a seeded jurisdiction, an agency.

The database is whatever ``DATABASE_URL`` names (SQLite by default);
``scripts/test`` runs these tests a second time on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from django.test import Client

from freedomcities.web.accounts.models import Profile, Role
from freedomcities.web.jurisdictions.models import Agency, AgencyKind, Jurisdiction, Kind
from tests.web.browser import (  # noqa: F401  (pytest finds fixtures by name)
    browser_fixture,
    page_fixture,
    queue_worker_fixture,
    sqlite_test_database_in_a_file,
)


@pytest.fixture(autouse=True)
def _fast_passwords(settings: object) -> None:
    """Hash test passwords cheaply; real PBKDF2 costs about a second per user on 2 cores."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with no cached dashboards (ids repeat after a rollback)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the site's language: a request's language stays active in the test
    client's thread after the response, so a Spanish page must not make the next test Spanish.
    """
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _immediate_queue() -> Iterator[None]:
    """Run background jobs in the test's own thread, on an in-memory queue."""
    from django.conf import settings

    settings.HUEY.immediate = True
    yield
    settings.HUEY.immediate = False


def make_user(username: str, role: str, states: str = "") -> User:
    """A user with a role (staff: for ``states``) and the password 'correct horse battery'."""
    user = User.objects.create_user(username, f"{username}@example.org", "correct horse battery")
    Profile.objects.create(user=user, role=role, states=states)
    return user


@pytest.fixture
def volunteer(db: None) -> User:
    return make_user("vera", Role.VOLUNTEER)


@pytest.fixture
def staff(db: None) -> User:
    """Sam, affiliate staff for Arizona."""
    return make_user("sam", Role.STAFF, states="AZ")


@pytest.fixture
def staff_client(staff: User) -> Client:
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def volunteer_client(volunteer: User) -> Client:
    client = Client()
    client.force_login(volunteer)
    return client


@pytest.fixture
def arizona(db: None) -> Jurisdiction:
    state = Jurisdiction.objects.create(
        ocd_id="ocd-division/country:us/state:az",
        kind=Kind.STATE,
        name="Arizona",
        state="AZ",
        fips="04",
        latitude=34.3,
        longitude=-111.7,
    )
    Jurisdiction.objects.create(
        ocd_id="ocd-division/country:us/state:az/county:maricopa",
        kind=Kind.COUNTY,
        name="Maricopa County",
        state="AZ",
        fips="04013",
        parent=state,
        latitude=33.35,
        longitude=-112.49,
    )
    Jurisdiction.objects.create(
        ocd_id="ocd-division/country:us/state:az/place:mesa",
        kind=Kind.PLACE,
        name="Mesa",
        state="AZ",
        parent=state,
        latitude=33.42,
        longitude=-111.82,
        population=471825,
    )
    return state


@pytest.fixture
def mesa_police(arizona: Jurisdiction) -> Agency:
    mesa = Jurisdiction.objects.get(ocd_id="ocd-division/country:us/state:az/place:mesa")
    return Agency.objects.create(
        jurisdiction=mesa, kind=AgencyKind.POLICE, name="Sample police department (demo)"
    )
