"""Officials as Popolo people, so civic-tech tools that read Popolo read ours as they are.

Popolo (popoloproject.com) is how open-government data describes who holds which office:
a Person has string ids, ``contact_details`` (typed values: ``email``, ``voice``,
``address``) and ``links``; each Membership joins the person to a Post (the office), the
Organization that the post belongs to, and the Area it serves. Areas use their Open Civic
Data division ids, and governments their OCD jurisdiction ids
(``ocd-jurisdiction/country:us/state:az/place:mesa/government``), so the data joins to other
OCD sources. A post with its own agency (a sheriff's office, a police department) belongs to
that agency's organization.

Each membership embeds its post, organization and area, so one official's JSON is whole.
``friendliness`` is this app's extension, shown only to the group that listed the official
and to staff.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from freedomcities.web.campaign.models import Membership, Person, Post
from freedomcities.web.jurisdictions.models import Agency, Jurisdiction


def person_id(person: Person) -> str:
    """The Popolo id of an official: their id in this app, as a string."""
    return str(person.pk)


def government_id(place: Jurisdiction) -> str:
    """The OCD jurisdiction id of a place's government, from its division id."""
    return place.ocd_id.replace("ocd-division/", "ocd-jurisdiction/", 1) + "/government"


def _date(value: Any) -> str | None:
    """A date as Popolo writes it, YYYY-MM-DD, or null."""
    return value.isoformat() if value else None


def contact_details(person: Person) -> list[dict[str, str]]:
    """The office contacts the person has, each typed as Popolo types them."""
    found = [
        ("email", _("Office e-mail"), person.email),
        ("voice", _("Office phone"), person.phone),
        ("address", _("Office address"), person.office_address),
    ]
    return [
        {"type": kind, "label": str(label), "value": value} for kind, label, value in found if value
    ]


def area(place: Jurisdiction) -> dict[str, Any]:
    """A Popolo area: the place a post serves, by its OCD division id."""
    return {
        "id": place.ocd_id,
        "name": str(place),
        "classification": place.kind,
        "parent_id": place.parent.ocd_id if place.parent_id and place.parent else None,
    }


def organization(post: Post) -> dict[str, Any]:
    """The organization a post belongs to: its agency, or the place's government."""
    place = post.jurisdiction
    agency: Agency | None = post.agency
    if agency is not None:
        return {
            "id": f"freedomcities-agency-{agency.pk}",
            "name": agency.name,
            "classification": agency.kind,
            "parent_id": government_id(place),
            "area_id": place.ocd_id,
        }
    return {
        "id": government_id(place),
        "name": _("Government of %(place)s") % {"place": place},
        "classification": "government",
        "parent_id": None,
        "area_id": place.ocd_id,
    }


def post(post: Post) -> dict[str, Any]:
    """A Popolo post: an office, such as council member for district 7."""
    return {
        "id": f"freedomcities-post-{post.pk}",
        "label": post.label or str(post.get_role_display()),
        "role": str(post.get_role_display()),
        "organization_id": organization(post)["id"],
        "area_id": post.jurisdiction.ocd_id,
    }


def membership(held: Membership) -> dict[str, Any]:
    """A Popolo membership: who held which post, for which organization and area, and when."""
    office = held.post
    body = organization(office)
    return {
        "id": f"freedomcities-membership-{held.pk}",
        "person_id": str(held.person_id),
        "post_id": f"freedomcities-post-{office.pk}",
        "organization_id": body["id"],
        "area_id": office.jurisdiction.ocd_id,
        "role": str(office.get_role_display()),
        "label": office.label or str(office.get_role_display()),
        "start_date": _date(held.start_date),
        "end_date": _date(held.end_date),
        "post": post(office),
        "organization": body,
        "area": area(office.jurisdiction),
    }


def person(official: Person, *, friendliness: str | None) -> dict[str, Any]:
    """An official as a Popolo person; ``friendliness`` only for those who may see it."""
    held = official.memberships.select_related(
        "post__jurisdiction__parent", "post__agency"
    ).order_by("start_date", "pk")
    return {
        "id": person_id(official),
        "name": official.name,
        "email": official.email or None,
        "contact_details": contact_details(official),
        "links": [{"url": official.url, "note": str(_("A web page about them"))}]
        if official.url
        else [],
        "memberships": [membership(one) for one in held],
        "friendliness": friendliness,
    }
