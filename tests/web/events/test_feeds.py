"""iCalendar: one event's .ics and the group and jurisdiction feeds, parsed with icalendar."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import icalendar
import pytest
from django.test import Client
from django.utils import timezone

from freedomcities.web.campaign.feeds import group_feed_token
from freedomcities.web.campaign.models import Group
from freedomcities.web.events import actions
from freedomcities.web.events.models import Event
from freedomcities.web.jurisdictions.models import Jurisdiction

pytestmark = pytest.mark.django_db


def parse(client: Client, url: str) -> icalendar.Calendar:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def vevents(calendar: icalendar.Calendar) -> list[icalendar.Event]:
    return list(calendar.walk("VEVENT"))


def test_one_events_ics_parses_with_its_time_zone_url_and_public_place(
    client: Client, event: Event
) -> None:
    calendar = parse(client, f"/events/{event.uuid}/calendar.ics")
    (item,) = vevents(calendar)
    assert str(item["summary"]) == event.title
    assert str(item["uid"]) == f"{event.uuid}@freedomcities"
    assert item.decoded("dtstart") == event.local_start
    assert str(item.decoded("dtstart").tzinfo) == "America/Phoenix"
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["America/Phoenix"]
    assert str(item["url"]) == f"http://testserver/events/{event.uuid}/"
    assert str(item["url"]) in str(item["description"])
    assert str(item["location"]) == "Mesa, AZ 85201"
    assert str(item["status"]) == "CONFIRMED"
    assert "64 E 1st St" not in calendar.to_ical().decode()


def test_the_group_feed_holds_its_public_events_in_the_window_each_with_its_url(
    client: Client, make_event: Callable[..., Event], group: Group
) -> None:
    public = make_event(title="Public")
    make_event(title="Members only", public=False)
    cancelled = actions.cancel_event(make_event(title="Called off", address_public=True))
    far = make_event(title="Too far ahead")
    Event.objects.filter(pk=far.pk).update(
        starts_at=timezone.now() + datetime.timedelta(days=400),
        ends_at=timezone.now() + datetime.timedelta(days=400, hours=2),
    )
    old = make_event(title="Long ago")
    Event.objects.filter(pk=old.pk).update(
        starts_at=timezone.now() - datetime.timedelta(days=40),
        ends_at=timezone.now() - datetime.timedelta(days=40, hours=-2),
    )
    recent = make_event(title="Last week")
    Event.objects.filter(pk=recent.pk).update(
        starts_at=timezone.now() - datetime.timedelta(days=7),
        ends_at=timezone.now() - datetime.timedelta(days=7, hours=-2),
    )
    calendar = parse(client, f"/events/feeds/group/{group_feed_token(group)}.ics")
    items = {str(item["summary"]): item for item in vevents(calendar)}
    assert set(items) == {"Public", "Called off", "Last week"}
    assert str(calendar["x-wr-calname"]) == "Mesa People Power: events"
    for item in items.values():
        assert str(item["url"]).startswith("http://testserver/events/")
    assert str(items["Called off"]["status"]) == "CANCELLED"
    assert "64 E 1st St" in str(items["Called off"]["location"])  # that one's address is public
    assert str(items["Public"]["location"]) == "Mesa, AZ 85201"
    assert public.venue not in str(items["Public"]["location"])
    assert cancelled.pk


def test_the_jurisdiction_feed_includes_places_within_a_state(
    client: Client, event: Event, arizona: Jurisdiction
) -> None:
    for ocd_id in (event.jurisdiction.ocd_id, arizona.ocd_id):
        (item,) = vevents(parse(client, f"/events/feeds/j/{ocd_id}.ics"))
        assert str(item["summary"]) == event.title
    maricopa = "ocd-division/country:us/state:az/county:maricopa"
    assert vevents(parse(client, f"/events/feeds/j/{maricopa}.ics")) == []


def test_feeds_of_unknown_groups_and_places_are_404(client: Client, db: None) -> None:
    assert client.get("/events/feeds/group/999.ics").status_code == 404
    assert client.get("/events/feeds/group/.ics").status_code == 404
    assert client.get("/events/feeds/j/ocd-division/country:us/state:zz.ics").status_code == 404


def test_a_group_feed_needs_its_random_address_and_organizers_can_retire_it(
    client: Client, event: Event, group: Group, organizer_client: Client
) -> None:
    assert client.get(f"/events/feeds/group/{group.pk}.ics").status_code == 404
    old = group_feed_token(group)
    assert len(old) >= 32 and group_feed_token(group) == old
    page = organizer_client.get(f"/groups/{group.pk}/follow-ups/").content.decode()
    assert f"/events/feeds/group/{old}.ics" in page
    renewed = organizer_client.post(f"/groups/{group.pk}/feed/renew/")
    assert renewed.status_code == 302
    group.refresh_from_db()
    assert group.feed_token != old
    assert client.get(f"/events/feeds/group/{old}.ics").status_code == 404
    (item,) = vevents(parse(client, f"/events/feeds/group/{group.feed_token}.ics"))
    assert str(item["summary"]) == event.title
