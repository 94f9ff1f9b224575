"""ZIP codes, distances, bounding boxes and blurred points (no database)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from freedomcities.web.geography import places


@pytest.mark.parametrize(
    ("text", "code"),
    [("85201", "85201"), (" 85201 ", "85201"), ("85201-1234", "85201"), ("852011234", "85201")],
)
def test_normalize_zip_keeps_the_five_digits(text: str, code: str) -> None:
    assert places.normalize_zip(text) == code


@pytest.mark.parametrize("text", ["", "8520", "ABCDE", "85201-12", "852O1", "85201 85202"])
def test_normalize_zip_refuses_what_is_not_a_zip_code(text: str) -> None:
    with pytest.raises(places.UnknownZip):
        places.normalize_zip(text)


def test_lookup_zip_finds_mesa_with_its_time_zone() -> None:
    mesa = places.lookup_zip("85201")
    assert (mesa.city, mesa.state, mesa.timezone) == ("Mesa", "AZ", "America/Phoenix")
    assert 33.3 < mesa.latitude < 33.5 and -112.0 < mesa.longitude < -111.7


def test_lookup_zip_refuses_a_code_that_does_not_exist() -> None:
    with pytest.raises(places.UnknownZip, match="00000"):
        places.lookup_zip("00000")


def test_distance_from_mesa_to_phoenix_is_about_fifteen_miles() -> None:
    mesa, phoenix = places.lookup_zip("85201"), places.lookup_zip("85004")
    miles = places.distance_miles(
        mesa.latitude, mesa.longitude, phoenix.latitude, phoenix.longitude
    )
    assert 10 < miles < 20


def test_distance_across_the_country() -> None:
    # New York City hall to Los Angeles city hall: about 2,450 miles.
    assert 2400 < places.distance_miles(40.7128, -74.006, 34.0537, -118.2428) < 2500


latitudes = st.floats(min_value=18, max_value=71)
longitudes = st.floats(min_value=-179, max_value=-66)


@settings(max_examples=200, deadline=None)
@given(
    latitudes, longitudes, st.floats(min_value=1, max_value=500), st.floats(0, 1), st.floats(0, 1)
)
def test_every_point_within_the_radius_is_inside_the_bounding_box(
    lat: float, lon: float, miles: float, fraction: float, bearing: float
) -> None:
    box = places.bounding_box(lat, lon, miles)
    # Walk `fraction` of the radius in the direction `bearing` (a full turn is 1).
    d = miles * fraction * 0.999 / places.EARTH_RADIUS_MILES
    theta = bearing * 2 * math.pi
    phi1, lam1 = math.radians(lat), math.radians(lon)
    phi2 = math.asin(math.sin(phi1) * math.cos(d) + math.cos(phi1) * math.sin(d) * math.cos(theta))
    lam2 = lam1 + math.atan2(
        math.sin(theta) * math.sin(d) * math.cos(phi1),
        math.cos(d) - math.sin(phi1) * math.sin(phi2),
    )
    lat2, lon2 = math.degrees(phi2), math.degrees(lam2)
    assert places.distance_miles(lat, lon, lat2, lon2) <= miles
    assert box.south <= lat2 <= box.north
    assert box.west <= lon2 <= box.east


@settings(max_examples=200, deadline=None)
@given(latitudes, longitudes, st.uuids())
def test_blur_moves_a_point_by_about_one_or_two_kilometres_the_same_way_every_time(
    lat: float, lon: float, seed: object
) -> None:
    blurred = places.blur(lat, lon, str(seed))
    assert blurred == places.blur(lat, lon, str(seed))
    km = places.distance_miles(lat, lon, *blurred) * 1.609
    assert 0.3 <= km <= 2.2


def test_blur_never_gives_back_the_exact_point_of_a_real_zip_code() -> None:
    mesa = places.lookup_zip("85201")
    for seed in range(200):
        assert places.blur(mesa.latitude, mesa.longitude, str(seed)) != (
            mesa.latitude,
            mesa.longitude,
        )


def test_all_zips_has_every_state() -> None:
    states = {place.state for place in places.all_zips()}
    assert {"AZ", "CA", "NY", "TX", "AK", "HI", "DC"} <= states
    assert len(places.all_zips()) > 40_000
