"""Every calendar the app serves reads the same in icalendar, vobject and Mozilla's ical.js.

Three readers nobody here wrote parse each feed: the events land at the same instants in
every one (daylight saving included: ical.js reads the zone only from the VTIMEZONE), and
names with commas, semicolons, quotes and accents come back exactly as they were written.
ical.js runs in node, from the package.json devDependency.
"""

from __future__ import annotations

import datetime
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import icalendar
import pytest
import vobject
from django.test import Client
from django.utils import timezone

from freedomcities.web.calendars.ics import quoted_parameter, sequence
from freedomcities.web.campaign.feeds import group_feed_token
from freedomcities.web.campaign.models import Group
from freedomcities.web.events import actions
from freedomcities.web.events.models import Event

pytestmark = pytest.mark.django_db

READER = Path(__file__).with_name("read_ics.mjs")
NODE = shutil.which("node")
TRICKY_GROUP = 'José\'s "People Power", Mesa; AZ'
TRICKY_TITLE = 'Rally, march; and "teach-in" at Peña\'s \\ café'


def _next(month: int, day: int) -> datetime.datetime:
    """The next such day at 10:00 (naive, local to the event), within the feed's year."""
    today = timezone.localdate()
    year = today.year if (month, day) > (today.month, today.day) else today.year + 1
    return datetime.datetime(year, month, day, 10, 0)


def read_with_icalendar(body: bytes) -> dict[str, Any]:
    """What icalendar understood of a calendar."""
    calendar = icalendar.Calendar.from_ical(body)
    events = []
    for item in calendar.walk("VEVENT"):
        organizer = item.get("organizer")
        events.append(
            {
                "uid": str(item["uid"]),
                "summary": str(item["summary"]),
                "description": str(item["description"]),
                "location": str(item["location"]),
                "status": str(item["status"]),
                "sequence": int(item["sequence"]),
                "start": _utc(item.decoded("dtstart")),
                "end": _utc(item.decoded("dtend")),
                "organizer_cn": str(organizer.params["CN"]) if organizer else None,
                "categories": [str(c) for c in item["categories"].cats],
            }
        )
    return {"name": str(calendar["x-wr-calname"]), "events": events}


def read_with_vobject(body: bytes) -> dict[str, Any]:
    """What vobject understood of a calendar (it builds zones from the VTIMEZONE)."""
    calendar = vobject.readOne(body.decode("utf-8"))
    events = []
    for item in calendar.vevent_list:
        organizer = getattr(item, "organizer", None)
        events.append(
            {
                "uid": item.uid.value,
                "summary": item.summary.value,
                "description": item.description.value,
                "location": item.location.value,
                "status": item.status.value,
                "sequence": int(item.sequence.value),
                "start": _utc(item.dtstart.value),
                "end": _utc(item.dtend.value),
                "organizer_cn": organizer.params["CN"][0] if organizer else None,
                "categories": list(item.categories.value),
            }
        )
    return {"name": calendar.x_wr_calname.value, "events": events}


def read_with_icaljs(body: bytes) -> dict[str, Any]:
    """What Mozilla's ical.js understood of a calendar, read in node."""
    assert NODE, "node is needed for ical.js; scripts/test installs it"
    done = subprocess.run(
        [NODE, str(READER)], input=body, capture_output=True, check=True, timeout=60
    )
    result: dict[str, Any] = json.loads(done.stdout)
    for event in result["events"]:
        for key in ("start", "end"):
            event[key] = event[key].replace(".000Z", "Z")
    return result


def _utc(value: datetime.datetime) -> str:
    """An aware time as ISO 8601 in UTC, the form all three readers are compared in."""
    assert value.tzinfo is not None, "every event time carries its zone"
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_everywhere(body: bytes) -> dict[str, Any]:
    """The calendar as each reader sees it; the test fails unless all three agree."""
    seen = {
        "icalendar": read_with_icalendar(body),
        "vobject": read_with_vobject(body),
        "ical.js": read_with_icaljs(body),
    }
    assert seen["vobject"] == seen["icalendar"]
    assert seen["ical.js"] == seen["icalendar"]
    return seen["icalendar"]


@pytest.fixture
def tricky_group(group: Group) -> Group:
    group.name = TRICKY_GROUP
    group.save()
    return group


def test_events_across_zones_land_at_the_same_instant_in_every_reader(
    client: Client, make_event: Callable[..., Event], tricky_group: Group
) -> None:
    cases = {
        "Denver summer": ("America/Denver", _next(7, 15), "16:00"),
        "Denver winter": ("America/Denver", _next(1, 15), "17:00"),
        "Chicago summer": ("America/Chicago", _next(7, 16), "15:00"),
        "New York winter": ("America/New_York", _next(1, 16), "15:00"),
        "Honolulu": ("Pacific/Honolulu", _next(7, 17), "20:00"),
        "Phoenix": ("America/Phoenix", _next(7, 18), "17:00"),
    }
    for title, (zone, start, _utc_time) in cases.items():
        make_event(
            title=f"{title}: {TRICKY_TITLE}",
            timezone=zone,
            starts=start,
            ends=start + datetime.timedelta(hours=2),
            host_public=True,
        )
    response = client.get(f"/events/feeds/group/{group_feed_token(tricky_group)}.ics")
    assert response.status_code == 200
    calendar = read_everywhere(response.content)
    assert calendar["name"] == f"{TRICKY_GROUP}: events"
    starts = {event["summary"].split(":")[0]: event["start"] for event in calendar["events"]}
    assert {title: start[11:16] for title, start in starts.items()} == {
        title: utc for title, (_zone, _start, utc) in cases.items()
    }
    for event in calendar["events"]:
        assert event["summary"].endswith(TRICKY_TITLE)
        assert event["organizer_cn"] == quoted_parameter(TRICKY_GROUP)
        assert event["organizer_cn"] == "José's 'People Power', Mesa; AZ"


def test_one_events_file_reads_the_same_and_carries_its_sequence(
    client: Client, event: Event
) -> None:
    body = client.get(f"/events/{event.uuid}/calendar.ics").content
    (item,) = read_everywhere(body)["events"]
    assert item["uid"] == f"{event.uuid}@freedomcities"
    assert item["location"] == "Mesa, AZ 85201"
    assert item["description"].startswith("Bring a friend.\nWe read Mesa PD's policy together.")


def test_a_changed_event_has_a_higher_sequence_and_a_cancelled_one_says_so(
    client: Client, event: Event
) -> None:
    url = f"/events/{event.uuid}/calendar.ics"
    five_minutes_ago = timezone.now() - datetime.timedelta(minutes=5)
    Event.objects.filter(pk=event.pk).update(
        created_at=five_minutes_ago, updated_at=five_minutes_ago
    )
    (before,) = read_everywhere(client.get(url).content)["events"]
    event.refresh_from_db()
    actions.cancel_event(event)
    (after,) = read_everywhere(client.get(url).content)["events"]
    assert after["uid"] == before["uid"]
    assert after["sequence"] > before["sequence"]
    saved = Event.objects.get(pk=event.pk)
    assert after["sequence"] == sequence(saved.created_at, saved.updated_at)
    assert (before["status"], after["status"]) == ("CONFIRMED", "CANCELLED")


def test_the_due_dates_feed_reads_the_same_in_every_reader(
    client: Client, organizer: Any, tricky_group: Group
) -> None:
    from freedomcities.web.campaign import feeds
    from freedomcities.web.campaign.models import Promise

    Promise.objects.create(
        group=tricky_group, text=TRICKY_TITLE, due_on=timezone.localdate(), owner=organizer
    )
    organizer.set_password("a long enough password")
    organizer.save()
    response = client.get(f"/feeds/promises/{feeds.feed_token(organizer)}.ics")
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    (item,) = calendar.walk("VEVENT")
    assert str(item["summary"]) == f"Due: {TRICKY_TITLE}"
    assert read_with_vobject_summary(response.content) == f"Due: {TRICKY_TITLE}"
    assert read_with_icaljs_summary(response.content) == f"Due: {TRICKY_TITLE}"


def read_with_vobject_summary(body: bytes) -> str:
    """The one all-day event's summary, as vobject reads it."""
    (item,) = vobject.readOne(body.decode("utf-8")).vevent_list
    return str(item.summary.value)


def read_with_icaljs_summary(body: bytes) -> str:
    """The one event's summary, as ical.js reads it (all-day: no time to compare)."""
    assert NODE
    done = subprocess.run(
        [NODE, str(READER)], input=body, capture_output=True, check=True, timeout=60
    )
    (event,) = json.loads(done.stdout)["events"]
    return str(event["summary"])


def test_a_changed_promise_has_a_higher_sequence_in_every_reader(
    client: Client, organizer: Any, tricky_group: Group
) -> None:
    from freedomcities.web.campaign import feeds
    from freedomcities.web.campaign.models import Promise

    promise = Promise.objects.create(
        group=tricky_group, text="Send the policy", due_on=timezone.localdate(), owner=organizer
    )
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)  # made an hour ago, unchanged
    Promise.objects.filter(pk=promise.pk).update(created_at=an_hour_ago, updated_at=an_hour_ago)
    organizer.set_password("a long enough password")
    organizer.save()
    url = f"/feeds/promises/{feeds.feed_token(organizer)}.ics"

    def sequences() -> tuple[int, int]:
        body = client.get(url).content
        (by_icalendar,) = icalendar.Calendar.from_ical(body).walk("VEVENT")
        (by_vobject,) = vobject.readOne(body.decode("utf-8")).vevent_list
        return int(by_icalendar["sequence"]), int(by_vobject.sequence.value)

    assert sequences() == (0, 0)
    promise.refresh_from_db()
    promise.due_on += datetime.timedelta(days=7)
    promise.save()  # the group moved the due date
    after = sequences()
    assert after[0] == after[1] >= 3600
