"""The main pages of the demo, for the browser tests that check every page the same way.

Both lists read ids from the database, so call them after ``seed_demo()``.
"""

from __future__ import annotations

from freedomcities.web.campaign.models import Group
from freedomcities.web.events.models import Event
from freedomcities.web.jurisdictions.models import Agency
from freedomcities.web.scorecards.models import PolicyVersion
from freedomcities.web.seed import DEMO_GROUP_NAME

MESA = "/j/ocd-division/country:us/state:az/place:mesa/"


def public_pages() -> list[str]:
    """The pages anyone can open."""
    agency = Agency.objects.get(name__contains="(demo) — Mesa")
    version = PolicyVersion.objects.filter(policy__agency=agency, published_at__isnull=False)[0]
    return [
        "/",
        "/states/",
        "/states/az/",
        MESA,
        f"/agencies/{agency.pk}/",
        f"/agencies/{agency.pk}/compare/",
        version.get_absolute_url(),
        f"{version.get_absolute_url()}sections/",
        "/events/?zip=85201&miles=50",
        "/campaigns/",
        "/search/?q=mesa",
        "/accounts/login/",
        "/join/ask/",
        Event.objects.order_by("starts_at")[0].get_absolute_url(),
    ]


def staff_pages() -> list[str]:
    """The pages only signed-in people reach, as affiliate staff (who see the most)."""
    agency = Agency.objects.get(name__contains="(demo) — Mesa")
    draft = PolicyVersion.objects.get(published_at__isnull=True)
    return [
        draft.get_absolute_url(),
        f"/agencies/{agency.pk}/upload/",
        "/review/",
        "/groups/",
        "/groups/new/",
        "/events/new/",
        "/campaigns/reports/",
        f"/campaigns{MESA.removeprefix('/j')}officials/",
        Group.objects.get(name=DEMO_GROUP_NAME).get_absolute_url(),
        f"{Event.objects.order_by('starts_at')[0].get_absolute_url()}manage/",
    ]
