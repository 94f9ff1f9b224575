"""Every officials answer of the API is a Popolo person, checked with a JSON Schema validator.

The schemas in ``popolo/`` state Popolo's Person, Membership, Post, Organization and Area
(no package ships them); ``jsonschema`` checks each answer, formats (e-mail, URI) included.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from freedomcities.web.campaign import actions
from freedomcities.web.campaign.inputs import OfficialIn
from freedomcities.web.campaign.models import Group, Person, PostRole
from freedomcities.web.jurisdictions.models import Agency, Jurisdiction
from tests.web.campaign.conftest import MESA, days_ago
from tests.web.campaign.test_api import Caller

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).with_name("popolo")
KINDS = ("person", "membership", "post", "organization", "area")


def _validators() -> dict[str, Draft202012Validator]:
    """A validator per Popolo kind, resolving references between the schema files."""
    documents = {
        path.stem: json.loads(path.read_text(encoding="utf-8")) for path in SCHEMAS.glob("*.json")
    }
    registry: Registry[Any] = Registry().with_resources(
        (doc["$id"], Resource.from_contents(doc)) for doc in documents.values()
    )
    checker = Draft202012Validator.FORMAT_CHECKER
    return {
        kind: Draft202012Validator(documents[kind], registry=registry, format_checker=checker)
        for kind in KINDS
    }


VALIDATORS = _validators()


def assert_popolo(person: dict[str, Any]) -> None:
    """The person, each membership, and the post, organization and area each embeds."""
    problems = [error.message for error in VALIDATORS["person"].iter_errors(person)]
    for membership in person["memberships"]:
        problems += [e.message for e in VALIDATORS["membership"].iter_errors(membership)]
        for kind in ("post", "organization", "area"):
            problems += [e.message for e in VALIDATORS[kind].iter_errors(membership[kind])]
    assert problems == []


@pytest.fixture
def olga(organizer: Any) -> Caller:
    """The Mesa group's organizer, with an API token."""
    return Caller(organizer)


@pytest.fixture
def public() -> Caller:
    """Anyone, without a token."""
    return Caller(None)


@pytest.fixture
def sheriff(group: Group, organizer: Any, mesa: Jurisdiction) -> Person:
    """An official with every contact, an agency post, and an earlier post they left."""
    maricopa = Jurisdiction.objects.get(ocd_id="ocd-division/country:us/state:az/county:maricopa")
    office = Agency.objects.create(jurisdiction=maricopa, kind="sheriff", name="Maricopa Sheriff")
    person = actions.add_official(
        maricopa,
        OfficialIn(
            group=group.pk,
            role=PostRole.SHERIFF,
            label="Sheriff",
            name='José "Pepe" Núñez',
            email="sheriff@maricopa.example",
            phone="602-555-0100",
            office_address="550 W Jackson St, Phoenix, AZ",
            url="https://maricopa.example/sheriff",
            friendliness="opposed",
            agency=office.pk,
            start_date=days_ago(400),
        ),
        by=organizer,
    )
    return person


def test_every_officials_answer_is_a_popolo_person(
    olga: Caller, public: Caller, sheriff: Person, chief: Person, group: Group
) -> None:
    maricopa = "ocd-division/country:us/state:az/county:maricopa"
    answers = [
        *olga.get(f"/jurisdictions/{maricopa}/officials").json(),
        *public.get(f"/jurisdictions/{MESA}/officials").json(),
        olga.get(f"/officials/{sheriff.pk}").json(),
        olga.patch(f"/officials/{chief.pk}", {"left_office_on": days_ago(1).isoformat()}).json(),
        olga.post(
            f"/jurisdictions/{MESA}/officials",
            {"name": "Jennifer Duff", "role": "council_member", "group": group.pk},
        ).json(),
    ]
    assert len(answers) == 5
    for person in answers:
        assert_popolo(person)
    full = answers[0]
    assert full["id"] == str(sheriff.pk)
    assert {c["type"]: c["value"] for c in full["contact_details"]} == {
        "email": "sheriff@maricopa.example",
        "voice": "602-555-0100",
        "address": "550 W Jackson St, Phoenix, AZ",
    }
    assert full["links"] == [
        {"url": "https://maricopa.example/sheriff", "note": "A web page about them"}
    ]
    (held,) = full["memberships"]
    assert held["area"]["id"] == held["area_id"] == maricopa
    assert held["organization"]["name"] == "Maricopa Sheriff"
    assert held["organization"]["parent_id"] == (
        "ocd-jurisdiction/country:us/state:az/county:maricopa/government"
    )
    assert held["post"]["id"] == held["post_id"]
    left = answers[3]["memberships"][0]
    assert left["end_date"] == days_ago(1).isoformat()


def test_the_validator_catches_what_popolo_does_not_allow(sheriff: Person, olga: Caller) -> None:
    person = olga.get(f"/officials/{sheriff.pk}").json()
    broken = {**person, "id": sheriff.pk, "links": [{"note": "no url"}]}
    errors = list(VALIDATORS["person"].iter_errors(broken))
    assert len(errors) == 2  # an integer id, a link without its url
