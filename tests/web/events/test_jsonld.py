"""The event page's schema.org Event JSON-LD: valid in shape, public parts only, safe in HTML."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from django.test import Client

from freedomcities.web.events import actions, jsonld
from freedomcities.web.events.models import Event
from tests.web.events.schema_org import event_problems

pytestmark = pytest.mark.django_db
SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def page_jsonld(client: Client, event: Event) -> dict[str, object]:
    html = client.get(event.get_absolute_url()).content.decode()
    (text,) = SCRIPT.findall(html)
    data: dict[str, object] = json.loads(text)
    return data


def test_the_event_page_carries_valid_schema_org_event_jsonld(client: Client, event: Event) -> None:
    data = page_jsonld(client, event)
    assert event_problems(data) == []
    assert data["name"] == event.title
    assert str(data["startDate"]).endswith("-07:00")  # Arizona time, with its offset
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["url"] == f"http://testserver/events/{event.uuid}/"


def test_a_private_address_stays_out_of_the_jsonld(client: Client, event: Event) -> None:
    location = page_jsonld(client, event)["location"]
    assert isinstance(location, dict)
    assert location["name"] == "Mesa, AZ"
    assert "streetAddress" not in location["address"]
    assert location["geo"]["latitude"] == event.public_latitude != event.latitude
    assert "64 E 1st St" not in json.dumps(location)


def test_a_public_address_and_a_cancellation_show_in_the_jsonld(
    client: Client, make_event: Callable[..., Event]
) -> None:
    event = actions.cancel_event(make_event(address_public=True, capacity=30))
    data = page_jsonld(client, event)
    assert event_problems(data) == []
    assert data["eventStatus"] == "https://schema.org/EventCancelled"
    assert data["location"]["address"]["streetAddress"] == "64 E 1st St"  # type: ignore[index]
    assert data["maximumAttendeeCapacity"] == 30


def test_the_shape_check_catches_what_is_wrong() -> None:
    problems = event_problems(
        {
            "@context": "https://schema.org",
            "@type": "Event",
            "name": "",
            "startDate": "2030-05-01T18:00",
            "eventStatus": "scheduled",
            "location": {"@type": "Place", "address": "Mesa"},
            "colour": "red",
        }
    )
    assert "name has the wrong type or value: ''" in problems
    assert any(p.startswith("startDate has the wrong type") for p in problems)  # no offset
    assert any(p.startswith("eventStatus has the wrong type") for p in problems)
    assert any(p.startswith("location has the wrong type") for p in problems)
    assert "colour is not a property of Event here" in problems
    assert "endDate (expected) is missing" in problems


def test_a_title_cannot_close_the_script_element_early(event: Event) -> None:
    Event.objects.filter(pk=event.pk).update(title="</script><script>alert(1)</script>")
    event.refresh_from_db()
    tag = jsonld.script_tag(jsonld.event_jsonld(event, "http://testserver/e/"))
    assert tag.count("</script>") == 1
    assert "\\u003C/script\\u003E" in tag
    body = tag.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    assert json.loads(body)["name"] == event.title
