"""The OSDI-shaped JSON API at /api/events/: public events for all, attendances for organizers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from freedomcities.web.accounts.models import ApiToken
from freedomcities.web.events import actions
from freedomcities.web.events.models import Event

pytestmark = pytest.mark.django_db


def test_the_events_collection_is_osdi_shaped(client: Client, event: Event) -> None:
    body = client.get("/api/events/").json()
    assert (body["total_records"], body["page"], body["total_pages"]) == (1, 1, 1)
    assert body["_links"]["self"]["href"].startswith("http://testserver/api/events/")
    (item,) = body["_embedded"]["osdi:events"]
    assert item["identifiers"] == [f"freedomcities:{event.uuid}"]
    assert item["start_date"] == event.local_start.isoformat()
    assert item["end_date"].endswith("-07:00")
    assert item["status"] == "confirmed" and item["visibility"] == "public"
    assert item["browser_url"] == f"http://testserver/events/{event.uuid}/"
    links = item["_links"]
    assert links["self"]["href"] == f"http://testserver/api/events/{event.uuid}"
    assert (
        links["osdi:attendances"]["href"]
        == f"http://testserver/api/events/{event.uuid}/attendances"
    )
    location = item["location"]
    assert set(location) >= {
        "venue",
        "address_lines",
        "locality",
        "region",
        "postal_code",
        "location",
    }
    assert (location["locality"], location["region"], location["postal_code"]) == (
        "Mesa",
        "AZ",
        "85201",
    )
    assert location["location"]["latitude"] == event.public_latitude != event.latitude
    assert location["location"]["accuracy"] == "Approximate"
    assert (location["venue"], location["address_lines"]) == ("", [])
    assert "contact" not in item  # the host's contact is not public


def test_one_event_and_the_filters(client: Client, make_event: Callable[..., Event]) -> None:
    mesa = make_event(address_public=True, host_public=True)
    make_event(postal_code="10007", title="New York", timezone="America/New_York")
    item = client.get(f"/api/events/{mesa.uuid}").json()
    assert item["location"]["address_lines"] == ["64 E 1st St"]
    assert item["location"]["venue"] == "Mesa Public Library"
    assert item["contact"]["email_address"] == "olga@example.org"
    near = client.get("/api/events/", {"zip": "85203", "miles": 20}).json()
    assert [e["title"] for e in near["_embedded"]["osdi:events"]] == [mesa.title]
    paged = client.get("/api/events/", {"per_page": 1, "page": 2}).json()
    assert paged["total_pages"] == 2 and len(paged["_embedded"]["osdi:events"]) == 1
    assert "prev" in paged["_links"] and "next" not in paged["_links"]


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"zip": "00000"}, 400),
        ({"miles": 0}, 422),
        ({"per_page": 1000}, 422),
        ({"start": "2030-05-02", "end": "2030-05-01"}, 400),
        ({"tactic": "riot"}, 422),
        ({"start": "0"}, 422),  # a number is not a day (it was read as 1 January 1970)
        ({"end": "20300501"}, 422),
    ],
)
def test_bad_filters_get_a_4xx_with_a_message(
    client: Client, event: Event, query: dict[str, object], status: int
) -> None:
    response = client.get("/api/events/", query)
    assert response.status_code == status
    assert response.json()["detail"]


def test_private_and_unknown_events_are_404(
    client: Client, make_event: Callable[..., Event]
) -> None:
    private = make_event(public=False)
    assert client.get(f"/api/events/{private.uuid}").status_code == 404
    assert client.get("/api/events/00000000-0000-0000-0000-000000000000").status_code == 404
    assert client.get("/api/events/").json()["total_records"] == 0


def test_attendances_need_an_organizers_token(
    client: Client, event: Event, organizer: User, volunteer: User
) -> None:
    rsvp = actions.rsvp(
        event,
        actions.RsvpDraft("Rosa", "Parks", "rosa@example.org", "85203", consent_to_contact=True),
        base_url="",
    ).attendance
    actions.mark_attended(event, {rsvp.pk: True})
    url = f"/api/events/{event.uuid}/attendances"
    assert client.get(url).status_code == 401
    assert client.get(url, HTTP_AUTHORIZATION="Bearer fc_wrong").status_code == 401
    _t, outsider = ApiToken.issue(volunteer, "test")
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {outsider}").status_code == 403
    _t, key = ApiToken.issue(organizer, "test")
    body = client.get(url, HTTP_AUTHORIZATION=f"Bearer {key}").json()
    (item,) = body["_embedded"]["osdi:attendances"]
    assert (item["status"], item["attended"]) == ("accepted", True)
    assert item["identifiers"] == [f"freedomcities:{rsvp.uuid}"]
    person = item["_embedded"]["osdi:person"]
    assert person["email_addresses"] == [{"address": "rosa@example.org", "primary": True}]
    assert item["_links"]["osdi:event"]["href"] == f"http://testserver/api/events/{event.uuid}"
    person_url = f"http://testserver/api/events/{event.uuid}/attendances/{rsvp.uuid}/person"
    assert item["_links"]["osdi:person"]["href"] == person_url == person["_links"]["self"]["href"]


def test_osdi_token_header_and_query_parameter_work_like_the_bearer_header(
    client: Client, event: Event, organizer: User
) -> None:
    _t, key = ApiToken.issue(organizer, "test")
    url = f"/api/events/{event.uuid}/attendances"
    for sent in (
        client.get(url, HTTP_OSDI_API_TOKEN=key),
        client.get(url, {"osdi-api-token": key}),
        client.get(url, HTTP_AUTHORIZATION=f"Bearer {key}"),
    ):
        assert sent.status_code == 200
        assert sent["Content-Type"] == "application/hal+json; charset=utf-8"
        assert sent.json()["total_records"] == 0
        assert key not in sent.content.decode()  # the token never goes into links
    assert client.get(url, HTTP_OSDI_API_TOKEN="fc_wrong").status_code == 401


def test_events_use_osdis_field_names_and_values(
    client: Client, make_event: Callable[..., Event]
) -> None:
    limited = make_event(capacity=12, address_public=True)
    response = client.get(f"/api/events/{limited.uuid}")
    assert response["Content-Type"] == "application/hal+json; charset=utf-8"
    item = response.json()
    assert (item["type"], item["capacity"]) == ("open", 12)
    assert item["timezone_identifier"] == "America/Phoenix" and "time_zone" not in item
    assert item["location"]["location"]["accuracy"] == "Approximate"  # a ZIP centre, not a roof
    assert "contact" not in item
