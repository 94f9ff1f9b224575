"""Event times read as they were entered, in the event's own zone, on every page and e-mail.

The site runs on Arizona's clock (``TIME_ZONE``); an event in La Grange, Illinois at
7:00 PM once read "6:00 PM" on its page, in the list and in the RSVP e-mail. Each row
posts an event at 7:00 PM local time in another zone, in summer and in winter where
the zone keeps daylight saving, and reads it back everywhere the public sees it.
"""

from __future__ import annotations

import datetime
import html as html_lib
import re
import zoneinfo

import pytest
from django.core import mail
from django.template import Context, Template
from django.test import Client

from freedomcities.web.campaign.models import Group
from freedomcities.web.events import actions
from freedomcities.web.jurisdictions import times
from freedomcities.web.jurisdictions.models import Jurisdiction
from tests.web.events.conftest import draft
from tests.web.events.test_views import rsvp_data

pytestmark = pytest.mark.django_db


def _text(response_html: str) -> str:
    """What a reader sees of a page: tags dropped, entities read, spaces folded."""
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", response_html)).split())


SUMMER = datetime.datetime(2027, 7, 15, 19, 0)
WINTER = datetime.datetime(2027, 1, 14, 19, 0)

ZONES = [
    # (ZIP, when, IANA zone, what people read, UTC hour of 7:00 PM there)
    ("60525", SUMMER, "America/Chicago", "Central time", 0),  # La Grange, IL, daylight time
    ("60525", WINTER, "America/Chicago", "Central time", 1),
    ("80202", SUMMER, "America/Denver", "Mountain time", 1),  # Denver, daylight time
    ("80202", WINTER, "America/Denver", "Mountain time", 2),
    ("85201", SUMMER, "America/Phoenix", "Mountain time", 2),  # Mesa: no daylight saving
    ("10001", WINTER, "America/New_York", "Eastern time", 0),
    ("90012", SUMMER, "America/Los_Angeles", "Pacific time", 2),
    ("96813", SUMMER, "Pacific/Honolulu", "Hawaii time", 5),
    ("99501", WINTER, "America/Anchorage", "Alaska time", 4),
]


@pytest.mark.parametrize(("postal_code", "starts", "zone", "name", "utc_hour"), ZONES)
def test_an_event_reads_7_pm_where_it_happens(
    client: Client,
    group: Group,
    mesa: Jurisdiction,
    postal_code: str,
    starts: datetime.datetime,
    zone: str,
    name: str,
    utc_hour: int,
) -> None:
    event = actions.post_event(
        draft(
            group,
            mesa,
            starts=starts,
            ends=starts + datetime.timedelta(hours=2),
            postal_code=postal_code,
            title="Evening meeting",
        ),
        user=None,
    )
    assert event.timezone == zone
    assert event.starts_at.astimezone(datetime.UTC).hour == utc_hour
    day = starts.strftime("%B %-d, %Y")

    page = _text(client.get(event.get_absolute_url()).content.decode())
    assert f"{day}, 7:00 PM \u2013 9:00 PM {name}" in page  # an en dash

    listing = client.get("/events/").content.decode()
    assert f"{starts.strftime('%a, %b %-d, %Y')} · 7:00 PM {name}" in _text(listing)
    assert f"{starts.strftime('%B %-d')}, 7:00 PM {name}" in html_lib.unescape(listing)  # map

    client.post(f"/events/{event.uuid}/rsvp/", rsvp_data())
    (message,) = mail.outbox
    assert f"{day}, 7:00 PM {name}" in message.body


def test_upcoming_events_on_a_jurisdiction_page_read_in_their_zone(
    group: Group, mesa: Jurisdiction
) -> None:
    actions.post_event(
        draft(group, mesa, starts=WINTER, ends=WINTER + datetime.timedelta(hours=1),
              postal_code="80202"),
        user=None,
    )  # fmt: skip
    rendered = Template("{% load events_tags %}{% jurisdiction_events j %}").render(
        Context({"j": mesa})
    )
    assert "January 14, 7:00 PM Mountain time" in rendered


@pytest.mark.parametrize(
    ("zone", "moment", "name"),
    [
        ("America/Indiana/Knox", SUMMER, "Central time"),
        ("America/Boise", WINTER, "Mountain time"),
        ("America/Puerto_Rico", WINTER, "Atlantic time"),
        ("Europe/Paris", SUMMER, "CEST"),
    ],
)
def test_a_zone_is_named_by_its_standard_offset(
    zone: str, moment: datetime.datetime, name: str
) -> None:
    assert times.zone_name(moment.replace(tzinfo=zoneinfo.ZoneInfo(zone))) == name


def test_every_state_has_a_zone_known_to_this_system(mesa: Jurisdiction) -> None:
    for state, zone in times.STATE_ZONES.items():
        assert zoneinfo.ZoneInfo(zone).key == zone, state
    assert times.jurisdiction_zone(mesa).key == "America/Phoenix"
