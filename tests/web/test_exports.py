"""The state exports as spreadsheets and other sites' pages read them.

Excel on Windows needs the UTF-8 byte-order mark to read "José"; an agency without a
published scorecard is empty in the 0/1 columns, never "0 rules in place"; public reads
carry ``Access-Control-Allow-Origin: *`` so a coalition's page can embed them, and nothing
that needs a token or a session does.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.test import Client

from freedomcities.web.accounts.models import ApiToken
from freedomcities.web.campaign.models import Group
from freedomcities.web.jurisdictions.models import Agency, AgencyKind, Jurisdiction
from tests.web.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def unscored(arizona: Jurisdiction) -> Agency:
    """An agency with an accented name and no published scorecard."""
    maricopa = Jurisdiction.objects.get(ocd_id="ocd-division/country:us/state:az/county:maricopa")
    return Agency.objects.create(
        jurisdiction=maricopa, kind=AgencyKind.SHERIFF, name="Oficina del Sheriff de José"
    )


def test_the_csv_has_a_byte_order_mark_and_leaves_unscored_agencies_empty(
    client: Client, unscored: Agency
) -> None:
    response = client.get("/states/az/agencies.csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    (row,) = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    assert row["agency"] == "Oficina del Sheriff de José"
    assert row["rules_in_place"] == ""
    rule_columns = [name for name in row if name.startswith("rule_") and name[5:].isdigit()]
    assert len(rule_columns) >= 9
    assert {row[name] for name in rule_columns} == {""}  # not 0: nothing is known yet
    assert row["fips"] == "04013"


def test_the_geojson_gives_each_county_its_fips_code(client: Client, unscored: Agency) -> None:
    features = json.loads(client.get("/states/az/agencies.geojson").content)["features"]
    (county,) = features
    assert county["properties"]["fips"] == "04013"


def test_public_reads_may_be_read_by_other_sites_and_nothing_private_is(
    client: Client, unscored: Agency, volunteer: object
) -> None:
    public = [
        "/states/az/agencies.csv",
        "/states/az/agencies.geojson",
        "/states/az/agencies.json",
        "/api/agencies",
        f"/api/agencies/{unscored.pk}",
        "/api/jurisdictions",
        "/api/campaign/board",
        "/api/events/",
        "/events/events.csv",
    ]
    for url in public:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Access-Control-Allow-Origin"] == "*", url
    organizer = make_user("oriana", "volunteer")
    Group.objects.create(name="Grupo", state="AZ")
    key = ApiToken.issue(organizer, "test")[1]
    private = client.get("/api/campaign/groups", headers={"Authorization": f"Bearer {key}"})
    assert private.status_code == 200 and "Access-Control-Allow-Origin" not in private
    write = client.post("/api/agencies", {}, "application/json")
    assert "Access-Control-Allow-Origin" not in write
    assert "Access-Control-Allow-Origin" not in client.get("/states/az/")
