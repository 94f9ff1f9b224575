"""A meeting in Illinois is entered and shown on Illinois's clock, not the site's (Arizona's)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client

from freedomcities.web.campaign import actions
from freedomcities.web.campaign.inputs import GroupIn
from freedomcities.web.campaign.models import Meeting
from freedomcities.web.jurisdictions.models import Jurisdiction, Kind
from tests.web.campaign.conftest import client_for

pytestmark = pytest.mark.django_db


def test_a_meeting_in_illinois_keeps_the_time_typed_in(organizer: User) -> None:
    state = Jurisdiction.objects.create(
        ocd_id="ocd-division/country:us/state:il", kind=Kind.STATE, name="Illinois", state="IL"
    )
    la_grange = Jurisdiction.objects.create(
        ocd_id="ocd-division/country:us/state:il/place:la_grange",
        kind=Kind.PLACE, name="La Grange", state="IL", parent=state,
    )  # fmt: skip
    group = actions.create_group(
        GroupIn(name="La Grange Freedom", state="IL", home=la_grange.ocd_id), by=organizer
    )
    client: Client = client_for(organizer)
    response = client.post(
        f"/groups/{group.pk}/meetings/new/?place={la_grange.ocd_id}",
        {
            "status": "scheduled",
            "requested_on": "2026-11-20",
            "starts_at": "2027-07-15T19:00",
            "place": "Village Hall",
            "agenda": "The nine rules.",
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    meeting = Meeting.objects.get()
    assert meeting.starts_at.astimezone(datetime.UTC).hour == 0  # 7 PM CDT is midnight UTC
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "2027-07-15 7:00 PM Central time" in page
    edit = client.get(f"/meetings/{meeting.pk}/edit/").content.decode()
    assert 'value="2027-07-15T19:00"' in edit  # the form shows it back as typed
    assert (
        "2027-07-15 7:00 PM Central time" in client.get(group.get_absolute_url()).content.decode()
    )
