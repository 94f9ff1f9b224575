"""The ``osdi`` client package (as organizers' tools use it) reads the events API of a live server.

It sends its own ``OSDI-API-Token`` header, pages through collections by their ``next``
links and reads ``_embedded``; every link it finds must answer 200 with HAL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from django.contrib.auth.models import User
from osdi.base.service import ActionError, OSDIService
from pytest_django.live_server_helper import LiveServer

from freedomcities.web.accounts.models import ApiToken
from freedomcities.web.events import actions
from freedomcities.web.events.models import Event

pytestmark = pytest.mark.django_db(transaction=True)

PEOPLE = [
    ("Rosa", "Parks", "rosa@example.org", "85203"),
    ("José", "Martí", "jose@example.org", "85201"),
    ("Ada", "Lovelace", "ada@example.org", "85210"),
]


def _links(resource: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Every link of a resource and of what it embeds, as (relation, href)."""
    for relation, link in resource.get("_links", {}).items():
        yield relation, link["href"]
    for embedded in resource.get("_embedded", {}).values():
        for item in embedded if isinstance(embedded, list) else [embedded]:
            yield from _links(item)


@pytest.fixture
def replied(make_event: Callable[..., Event]) -> Event:
    """An event three people replied to, two of whom came."""
    event = make_event()
    rsvps = [
        actions.rsvp(
            event,
            actions.RsvpDraft(given, family, email, zip_code, consent_to_contact=True),
            base_url="",
        ).attendance
        for given, family, email, zip_code in PEOPLE
    ]
    actions.mark_attended(event, {rsvps[0].pk: True, rsvps[1].pk: True})
    return event


def test_the_osdi_client_lists_attendances_and_follows_every_link(
    live_server: LiveServer, replied: Event, organizer: User
) -> None:
    _token, key = ApiToken.issue(organizer, "osdi client")
    service = OSDIService(f"{live_server.url}/api/events", key)
    url = f"{live_server.url}/api/events/{replied.uuid}/attendances"
    # Two per page: the client must follow the next link to get the third.
    attendances = service.get_model_raw(
        url, "osdi:attendances", params={"per_page": 2}, is_full=True
    )
    names = sorted(a["_embedded"]["osdi:person"]["given_name"] for a in attendances)
    assert names == sorted(given for given, *_rest in PEOPLE)
    assert sorted(str(a.get("attended")) for a in attendances) == ["None", "True", "True"]
    followed = 0
    for attendance in attendances:
        assert {"self", "osdi:event", "osdi:person"} <= set(attendance["_links"])
        for relation, href in _links(attendance):
            answer = service._get_request(href, is_full=True)  # raises unless 200
            if relation == "self" and "/person" not in href:
                assert answer["identifiers"] == attendance["identifiers"]
            followed += 1
    assert followed == len(attendances) * 4  # self, event, person, and the person's self


def test_the_osdi_client_reads_the_public_events_and_their_links(
    live_server: LiveServer, replied: Event, organizer: User
) -> None:
    _token, key = ApiToken.issue(organizer, "osdi client")
    service = OSDIService(f"{live_server.url}/api/events", key)
    events = service.get_model_raw(f"{live_server.url}/api/events/", "osdi:events", is_full=True)
    (event,) = events
    assert event["identifiers"] == [f"freedomcities:{replied.uuid}"]
    for _relation, href in _links(event):
        service._get_request(href, is_full=True)
    response = requests.get(event["_links"]["self"]["href"], timeout=10)
    assert response.headers["Content-Type"] == "application/hal+json; charset=utf-8"


def test_without_a_valid_token_the_osdi_client_is_refused(
    live_server: LiveServer, replied: Event
) -> None:
    service = OSDIService(f"{live_server.url}/api/events", "fc_not-a-key")
    url = f"{live_server.url}/api/events/{replied.uuid}/attendances"
    with pytest.raises(ActionError, match="401"):
        service.get_model_raw(url, "osdi:attendances", is_full=True)
