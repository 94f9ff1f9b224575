"""State maps drawn from the real us-atlas data that `npm ci` installs, and the TopoJSON decoder."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from freedomcities.web.geography import atlas
from freedomcities.web.geography.atlas import (
    AtlasNotFound,
    Feature,
    atlas_path,
    county_centroids,
    decode_topology,
    state_map,
    us_map,
)

STATES = [
    "01", "02", "04", "05", "06", "08", "09", "10", "11", "12", "13", "15", "16", "17", "18",
    "19", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31", "32", "33",
    "34", "35", "36", "37", "38", "39", "40", "41", "42", "44", "45", "46", "47", "48", "49",
    "50", "51", "53", "54", "55", "56",
]  # fmt: skip
PHOENIX = (33.45, -112.07)
ANCHORAGE = (61.22, -149.90)
ATTU = (52.93, 173.18)  # the far end of the Aleutians, east of the antimeridian
HONOLULU = (21.31, -157.86)
NEW_YORK = (40.71, -74.01)


def rings(path: str) -> list[list[tuple[float, float]]]:
    """The points of each subpath of an `M x,y L x,y ... Z` path."""
    assert re.fullmatch(r"(M[-\d.,L]+Z)+", path), path[:80]
    return [
        [(float(x), float(y)) for x, y in (pair.split(",") for pair in ring.split("L"))]
        for ring in path[1:-1].split("ZM")
    ]


def bbox(path: str) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of every point of a path."""
    points = [point for ring in rings(path) for point in ring]
    xs, ys = [x for x, _ in points], [y for _, y in points]
    return min(xs), min(ys), max(xs), max(ys)


def inside(point: tuple[float, float], box: tuple[float, float, float, float]) -> bool:
    """True if an (x, y) lies within a (left, top, right, bottom) box."""
    x, y = point
    left, top, right, bottom = box
    return left <= x <= right and top <= y <= bottom


# --- Finding the atlas ------------------------------------------------------------------------


def test_atlas_is_installed_by_npm() -> None:
    path = atlas_path()
    assert path.name == "counties-10m.json"
    assert path.parent == Path(atlas.__file__).parents[3] / "node_modules" / "us-atlas"


def test_atlas_env_var_may_name_the_folder_or_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    real = atlas_path()
    monkeypatch.setenv("FREEDOMCITIES_ATLAS", str(real.parent))
    assert atlas_path() == real
    monkeypatch.setenv("FREEDOMCITIES_ATLAS", str(real))
    assert atlas_path() == real


def test_missing_atlas_says_to_run_npm_ci(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FREEDOMCITIES_ATLAS", str(tmp_path / "nowhere"))
    with pytest.raises(AtlasNotFound, match=r"run `npm ci` in the project folder") as error:
        atlas_path()
    assert isinstance(error.value, FileNotFoundError)
    assert str(tmp_path / "nowhere") in str(error.value)


# --- State maps -------------------------------------------------------------------------------


def test_arizona_has_its_15_counties() -> None:
    arizona = state_map("04")
    assert arizona.name == "Arizona"
    assert len(arizona.counties) == 15
    names = {county.fips: county.name for county in arizona.counties}
    assert names["04013"] == "Maricopa"
    assert all(len(fips) == 5 and fips.startswith("04") for fips in names)


def test_every_path_is_closed_and_inside_the_view_box() -> None:
    for fips in STATES:
        drawn = state_map(fips)
        assert drawn.view_box == f"0 0 {drawn.width} {drawn.height}"
        frame = (0.0, 0.0, float(drawn.width), float(drawn.height))
        for path in [drawn.outline, *(county.path for county in drawn.counties)]:
            assert path.startswith("M") and path.endswith("Z")
            assert path.count("M") == path.count("Z")
            assert inside(bbox(path)[:2], frame) and inside(bbox(path)[2:], frame), fips


def test_a_county_too_small_to_see_still_has_a_path() -> None:
    # The atlas itself draws Falls Church, Virginia, as a two-point sliver.
    falls_church = next(c for c in state_map("51").counties if c.fips == "51610")
    assert len(rings(falls_church.path)[0]) == 2


def test_phoenix_falls_inside_maricopa() -> None:
    arizona = state_map("04")
    phoenix = arizona.point(*PHOENIX)
    maricopa = next(county for county in arizona.counties if county.fips == "04013")
    assert inside(phoenix, (0, 0, arizona.width, arizona.height))
    assert inside(phoenix, bbox(maricopa.path))
    assert not inside(phoenix, bbox(arizona.counties[0].path))  # Apache, in the north-east


def test_map_is_as_wide_as_asked_and_no_taller() -> None:
    for fips, width in [("04", 640), ("48", 300), ("33", 500), ("02", 800)]:
        drawn = state_map(fips, width=width)
        assert drawn.width == width
        assert width / 4 < drawn.height <= width


def test_alaska_keeps_the_aleutians_beside_it() -> None:
    alaska = state_map("02")
    # Drawn across the antimeridian it would span the globe and be a thin strip.
    assert alaska.height > alaska.width / 2
    frame = (0, 0, alaska.width, alaska.height)
    attu, anchorage = alaska.point(*ATTU), alaska.point(*ANCHORAGE)
    assert inside(attu, frame) and inside(anchorage, frame)
    assert attu[0] < anchorage[0] and attu[1] > anchorage[1]  # west and south of Anchorage


def test_points_are_rounded_like_the_paths() -> None:
    x, y = state_map("04").point(*PHOENIX)
    assert (x, y) == (round(x, 1), round(y, 1))


def test_unknown_state_lists_the_codes() -> None:
    with pytest.raises(ValueError, match=r"No state has FIPS code '4'.*04, 05"):
        state_map("4")


def test_maps_are_cached() -> None:
    assert state_map("48") is state_map("48")


# --- The national map -------------------------------------------------------------------------


def test_us_map_draws_50_states_and_dc_with_insets() -> None:
    nation = us_map()
    shapes = {shape.fips: shape for shape in nation.states}
    assert sorted(shapes) == STATES
    frame = (0, 0, nation.width, nation.height)
    for shape in nation.states:
        assert inside(bbox(shape.path)[:2], frame) and inside(bbox(shape.path)[2:], frame)
    assert inside(nation.point(*ANCHORAGE), bbox(shapes["02"].path))
    assert inside(nation.point(*ATTU), bbox(shapes["02"].path))
    assert inside(nation.point(*HONOLULU), bbox(shapes["15"].path))
    assert inside(nation.point(*NEW_YORK), bbox(shapes["36"].path))
    assert inside(nation.point(*PHOENIX), bbox(shapes["04"].path))


# --- County coordinates -----------------------------------------------------------------------


def test_maricopa_centroid() -> None:
    lat, lon = county_centroids()["04013"]
    assert math.dist((lat, lon), (33.3, -112.5)) < 1


def test_every_county_has_a_centroid_inside_its_state() -> None:
    centroids = county_centroids()
    assert len(centroids) == 3231
    for fips in ["04", "48", "02", "15"]:
        drawn = state_map(fips)
        for county in drawn.counties:
            assert inside(drawn.point(*centroids[county.fips]), bbox(county.path)), county.fips


def test_aleutians_west_centroid_is_a_real_longitude() -> None:
    lat, lon = county_centroids()["02016"]
    assert 51 < lat < 56 and -180 <= lon < -160


def test_centroids_are_a_fresh_dict() -> None:
    county_centroids().clear()
    assert county_centroids()


# --- The TopoJSON decoder ---------------------------------------------------------------------


def square_topology() -> dict[str, object]:
    """Two unit squares sharing an edge, quantized by 0.5 and moved by (10, 20)."""
    return {
        "type": "Topology",
        "transform": {"scale": [0.5, 0.5], "translate": [10, 20]},
        "arcs": [
            [[2, 0], [0, 2]],  # the shared edge, (1,0) -> (1,1), delta-encoded
            [[2, 2], [-2, 0], [0, -2], [2, 0]],  # west square's other three sides
            [[2, 0], [2, 0], [0, 2], [-2, 0]],  # east square's other three sides
        ],
        "objects": {
            "squares": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Polygon", "id": "W", "arcs": [[0, 1]], "properties": {"name": "w"}},
                    {"type": "MultiPolygon", "id": 7, "arcs": [[[2, ~0]]]},
                    {"type": None, "id": "empty"},
                ],
            }
        },
    }


def test_decoder_joins_arcs_and_reverses_negative_ones() -> None:
    west, east = decode_topology(square_topology())["squares"]
    assert west == Feature(
        id="W",
        name="w",
        polygons=((((11, 20), (11, 21), (10, 21), (10, 20), (11, 20)),),),
    )
    assert east.id == "7" and east.name == ""
    assert east.polygons == ((((11, 20), (12, 20), (12, 21), (11, 21), (11, 20)),),)


def test_decoder_rejects_what_it_does_not_handle() -> None:
    with pytest.raises(ValueError, match="Not a TopoJSON topology"):
        decode_topology({"type": "FeatureCollection"})
    topology = square_topology()
    topology["objects"] = {"dot": {"type": "Point", "coordinates": [1, 2]}}
    with pytest.raises(ValueError, match="Unsupported TopoJSON geometry 'Point'"):
        decode_topology(topology)


points = st.tuples(st.integers(-1000, 1000), st.integers(-1000, 1000))


@given(
    ring=st.lists(points, min_size=3, max_size=30),
    cut=st.integers(1, 29),
    scale=st.tuples(st.floats(0.001, 10), st.floats(0.001, 10)),
    translate=st.tuples(st.floats(-180, 180), st.floats(-90, 90)),
)
def test_decoder_round_trips_a_ring_cut_into_two_arcs(
    ring: list[tuple[int, int]],
    cut: int,
    scale: tuple[float, float],
    translate: tuple[float, float],
) -> None:
    closed = [*ring, ring[0]]
    cut = min(cut, len(closed) - 2)
    first, second = closed[: cut + 1], closed[cut:]

    def delta(arc: list[tuple[int, int]]) -> list[list[int]]:
        return [[x - px, y - py] for (px, py), (x, y) in zip([(0, 0), *arc], arc, strict=False)]

    topology = {
        "type": "Topology",
        "transform": {"scale": list(scale), "translate": list(translate)},
        "arcs": [delta(first), delta(second[::-1])],  # the second stored backwards
        "objects": {"ring": {"type": "Polygon", "arcs": [[0, ~1]]}},
    }
    (feature,) = decode_topology(topology)["ring"]
    (decoded,) = feature.polygons[0]
    expected = [(x * scale[0] + translate[0], y * scale[1] + translate[1]) for x, y in closed]
    assert len(decoded) == len(expected)
    for (x, y), (ex, ey) in zip(decoded, expected, strict=True):
        assert math.isclose(x, ex, abs_tol=1e-6) and math.isclose(y, ey, abs_tol=1e-6)
