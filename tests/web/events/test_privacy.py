"""A private address never leaks: not through the page, the feeds, JSON-LD, the API or CSV."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from freedomcities.web.accounts.guard import form_stamp
from freedomcities.web.campaign.feeds import group_feed_token
from freedomcities.web.campaign.models import Group
from freedomcities.web.events.models import Event

pytestmark = pytest.mark.django_db


def everything_public(client: Client, event: Event, group: Group) -> dict[str, str]:
    """Every way the public can read about the event, as text."""
    j = event.jurisdiction
    client.post(
        f"/events/{event.uuid}/rsvp/",
        {
            "given_name": "Rosa",
            "family_name": "Parks",
            "email": "rosa@example.org",
            "postal_code": "85203",
            "started": form_stamp(),
        },
    )
    urls = {
        "page": event.get_absolute_url(),
        "list": "/events/?zip=85201&miles=25",
        "ics": f"/events/{event.uuid}/calendar.ics",
        "group feed": f"/events/feeds/group/{group_feed_token(group)}.ics",
        "place feed": f"/events/feeds/j/{j.ocd_id}.ics",
        "state feed": f"/events/feeds/j/{j.parent.ocd_id}.ics" if j.parent else "",
        "csv": "/events/events.csv",
        "api list": "/api/events/?zip=85201",
        "api event": f"/api/events/{event.uuid}",
    }
    texts = {name: client.get(url).content.decode() for name, url in urls.items() if url}
    texts["e-mail"] = mail.outbox[0].body
    return texts


def test_a_private_address_is_in_none_of_the_public_outputs(
    client: Client, event: Event, group: Group
) -> None:
    exact = (str(event.latitude), str(event.longitude), "64 E 1st St", "Mesa Public Library")
    for name, text in everything_public(client, event, group).items():
        assert event.title in text or name == "e-mail", name
        for secret in exact:
            assert secret not in text, f"{secret} leaked through the {name}"
        assert "olga@example.org" not in text, f"the host's e-mail leaked through the {name}"
