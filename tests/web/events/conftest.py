"""Fixtures for the events tests: a group with an organizer, events near Mesa, the API mounted."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from freedomcities.web.accounts.models import Role
from freedomcities.web.campaign.models import Group, GroupMember, GroupRole
from freedomcities.web.events import actions
from freedomcities.web.events.models import Event, Tactic
from freedomcities.web.jurisdictions.models import Jurisdiction
from tests.web.conftest import make_user

MESA = "ocd-division/country:us/state:az/place:mesa"
MESA_ZIP = "85201"
NEXT_WEEK = timezone.localtime() + datetime.timedelta(days=7)


@pytest.fixture(autouse=True)
def _events_settings(settings: Any) -> Iterator[None]:
    """No fill timer (tests are quick), the API mounted, fresh rate-limit counters.

    Passwords are hashed with a fast hasher: the default one takes a second per user.
    """
    settings.EVENTS_MIN_FILL_SECONDS = 0
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ROOT_URLCONF = "tests.web.events.urls"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def mesa(arizona: Jurisdiction) -> Jurisdiction:
    return Jurisdiction.objects.get(ocd_id=MESA)


@pytest.fixture
def group(mesa: Jurisdiction) -> Group:
    return Group.objects.create(name="Mesa People Power", state="AZ", home=mesa)


@pytest.fixture
def organizer(group: Group) -> User:
    user = make_user("olga", Role.VOLUNTEER)
    GroupMember.objects.create(group=group, user=user, role=GroupRole.ORGANIZER)
    return user


@pytest.fixture
def organizer_client(organizer: User) -> Client:
    client = Client()
    client.force_login(organizer)
    return client


def draft(group: Group, jurisdiction: Jurisdiction, **changes: Any) -> actions.EventDraft:
    """A valid event next week in Mesa, with any field changed."""
    start = NEXT_WEEK.replace(hour=18, minute=0, second=0, microsecond=0, tzinfo=None)
    values: dict[str, Any] = {
        "group": group,
        "tactic": Tactic.ORGANIZING_MEETING,
        "jurisdiction": jurisdiction,
        "title": "Organizing meeting: the nine rules in Mesa",
        "description": "Bring a friend.\nWe read Mesa PD's policy together.",
        "starts": start,
        "ends": start + datetime.timedelta(hours=2),
        "postal_code": MESA_ZIP,
        "venue": "Mesa Public Library",
        "address_lines": "64 E 1st St",
        "host_name": "Olga",
        "host_email": "olga@example.org",
    }
    values.update(changes)
    return actions.EventDraft(**values)


@pytest.fixture
def make_event(group: Group, mesa: Jurisdiction) -> Callable[..., Event]:
    def make(**changes: Any) -> Event:
        return actions.post_event(draft(group, mesa, **changes), user=None)

    return make


@pytest.fixture
def event(make_event: Callable[..., Event]) -> Event:
    """A public event whose exact address is private (the default)."""
    return make_event()
