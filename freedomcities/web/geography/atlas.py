"""State and national maps drawn on the server as SVG, from the us-atlas TopoJSON.

The shapes come from the `us-atlas` npm package (US Census cartographic boundaries at 1:10m),
installed by `npm ci` next to `package.json`. Drawing them here, in plain Python, means the pages
need no tile server, no network and no JavaScript: a template writes the `d` strings into an
`<svg>` and the browser does the rest.

The pieces, in the order they run::

    atlas_path()       where counties-10m.json is
    decode_topology()  TopoJSON -> features (lists of rings of (longitude, latitude))
    Projection         (latitude, longitude) -> (x, y) in SVG space
    state_map()        one state and its counties, fitted to a width
    us_map()           the lower 48 states, with Alaska and Hawaii as insets
    county_centroids() a coordinate for every county, for the database

This module imports nothing from Django, so the library and the tests can use it on their own.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from freedomcities.errors import AtlasNotFound as AtlasNotFound  # kept importable from here

__all__ = [
    "AtlasNotFound",
    "CountyShape",
    "Feature",
    "NationMap",
    "Projection",
    "StateMap",
    "StateShape",
    "atlas_path",
    "county_centroids",
    "decode_topology",
    "state_map",
    "us_map",
]

ATLAS_ENV = "FREEDOMCITIES_ATLAS"
"""Environment variable naming the us-atlas folder or its counties-10m.json, if not the default."""

ATLAS_FILE = "counties-10m.json"
DEFAULT_ATLAS_DIR = Path(__file__).parents[3] / "node_modules" / "us-atlas"

Point = tuple[float, float]
"""(longitude, latitude) in degrees, the order GeoJSON and TopoJSON use."""
Ring = tuple[Point, ...]
"""A closed ring: its last point repeats its first."""
Polygon = tuple[Ring, ...]
"""An outer ring followed by its holes."""
Box = tuple[float, float, float, float]
"""(west, south, east, north) in degrees."""

# Territories are in the atlas but not on the national map.
_INSETS = {"02": "Alaska", "15": "Hawaii"}
_NOT_STATES = {"60", "66", "69", "72", "78"}


# --- Finding and reading the atlas -----------------------------------------------------------


def atlas_path() -> Path:
    """Locate the us-atlas counties file that every map is drawn from.

    The file ships in the `us-atlas` npm package rather than in this repository, so that its
    version is pinned in `package-lock.json` and installed by `npm ci` like the other web
    assets. `FREEDOMCITIES_ATLAS` may name the us-atlas folder or the file itself, for a
    deployment that keeps node_modules elsewhere.

    Returns:
        The path of `counties-10m.json`.

    Raises:
        AtlasNotFound: the file is not there; the message says how to install it.
    """
    configured = os.environ.get(ATLAS_ENV)
    path = Path(configured) if configured else DEFAULT_ATLAS_DIR
    if path.is_dir():
        path = path / ATLAS_FILE
    if path.is_file():
        return path
    where = f"{ATLAS_ENV}={configured}" if configured else "the project folder"
    raise AtlasNotFound(
        f"The US map data is missing: {path} does not exist (looked in {where}). "
        "The maps are drawn from the us-atlas npm package: run `npm ci` in the project folder "
        f"({DEFAULT_ATLAS_DIR.parents[1]}), or set {ATLAS_ENV} to the us-atlas folder."
    )


@dataclass(frozen=True)
class _Atlas:
    """The decoded atlas: features by object name, with states and counties indexed by FIPS."""

    states: Mapping[str, Feature]
    counties: Mapping[str, Feature]


@lru_cache(maxsize=1)
def _atlas() -> _Atlas:
    """Read and decode the atlas once per process; every map and centroid reuses it."""
    with atlas_path().open(encoding="utf-8") as file:
        objects = decode_topology(json.load(file))
    return _Atlas(
        states={feature.id: feature for feature in objects["states"]},
        counties={feature.id: feature for feature in objects["counties"]},
    )


# --- Decoding TopoJSON ------------------------------------------------------------------------


@dataclass(frozen=True)
class Feature:
    """One decoded TopoJSON geometry: a state, a county or the nation."""

    id: str
    name: str
    polygons: tuple[Polygon, ...]

    def points(self) -> Iterable[Point]:
        """Every point of every ring, for bounding boxes."""
        return (point for polygon in self.polygons for ring in polygon for point in ring)


def decode_topology(topology: Mapping[str, Any]) -> dict[str, tuple[Feature, ...]]:
    """Turn a TopoJSON topology into plain polygons, one tuple of features per object.

    TopoJSON stores each shared border once, as an "arc", quantized to integers and
    delta-encoded; a ring lists the arcs it follows, a negative index `~i` meaning arc `i`
    walked backwards. This decoder reads exactly what us-atlas uses: quantized or plain arcs,
    and Polygon and MultiPolygon geometries (alone or in a GeometryCollection). Geometries
    without a type (null shapes) are skipped.

    Args:
        topology: the parsed JSON of a `"type": "Topology"` document.

    Returns:
        For each object name, its features with their id, `properties.name` and rings of
        (longitude, latitude).

    Raises:
        ValueError: the document is not a topology, or uses a geometry type not handled here.
    """
    if topology.get("type") != "Topology":
        raise ValueError(f"Not a TopoJSON topology: type is {topology.get('type')!r}.")
    arcs = _decode_arcs(topology["arcs"], topology.get("transform"))
    return {
        name: tuple(
            _decode_feature(geometry, arcs)
            for geometry in _geometries(obj)
            if geometry.get("type") is not None
        )
        for name, obj in topology["objects"].items()
    }


def _decode_arcs(arcs: Sequence[Sequence[Sequence[float]]], transform: Any) -> list[list[Point]]:
    """Undo the delta encoding and quantization of every arc."""
    if transform is None:
        return [[(float(x), float(y)) for x, y, *_ in arc] for arc in arcs]
    (kx, ky), (dx, dy) = transform["scale"], transform["translate"]
    decoded = []
    for arc in arcs:
        x = y = 0.0
        points = []
        for step_x, step_y, *_ in arc:
            x += step_x
            y += step_y
            points.append((x * kx + dx, y * ky + dy))
        decoded.append(points)
    return decoded


def _geometries(obj: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The geometries of an object: its members if a collection, else itself."""
    if obj.get("type") == "GeometryCollection":
        return list(obj["geometries"])
    return [obj]


def _decode_feature(geometry: Mapping[str, Any], arcs: list[list[Point]]) -> Feature:
    """Decode one Polygon or MultiPolygon geometry."""
    kind = geometry["type"]
    if kind == "Polygon":
        polygons = [geometry["arcs"]]
    elif kind == "MultiPolygon":
        polygons = geometry["arcs"]
    else:
        raise ValueError(f"Unsupported TopoJSON geometry {kind!r}: only Polygon and MultiPolygon.")
    properties = geometry.get("properties") or {}
    return Feature(
        id=str(geometry.get("id", "")),
        name=str(properties.get("name", "")),
        polygons=tuple(tuple(_decode_ring(ring, arcs) for ring in polygon) for polygon in polygons),
    )


def _decode_ring(indices: Sequence[int], arcs: list[list[Point]]) -> Ring:
    """Join a ring's arcs; each arc starts where the previous ended, so that point is kept once."""
    points: list[Point] = []
    for index in indices:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return tuple(points)


# --- Projecting -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Projection:
    """An equirectangular projection fitted into a rectangle of an SVG, y pointing down.

    Longitudes are shrunk by the cosine of the map's middle latitude, so shapes keep their
    proportions near that latitude; for one state (or the lower 48 at a glance) that is close
    enough, and a newcomer can check every number by hand. `wrap` moves eastern longitudes
    360 degrees west, so Alaska's Aleutians, which cross the antimeridian, stay next to it.
    """

    west: float
    north: float
    x_scale: float
    y_scale: float
    left: float
    top: float
    wrap: bool = False

    def point(self, lat: float, lon: float) -> tuple[float, float]:
        """SVG (x, y) of a coordinate, rounded to 0.1 like the paths."""
        x, y = self.xy((lon, lat))
        return round(x, 1), round(y, 1)

    def xy(self, point: Point) -> tuple[float, float]:
        """SVG (x, y) of a (longitude, latitude) as TopoJSON orders it, unrounded."""
        lon, lat = point
        if self.wrap and lon > 0:
            lon -= 360
        return (
            self.left + (lon - self.west) * self.x_scale,
            self.top + (self.north - lat) * self.y_scale,
        )


def _fit(box: Box, frame: Box, *, wrap: bool) -> Projection:
    """Fit a (west, south, east, north) box into an SVG (left, top, width, height), centred."""
    west, south, east, north = box
    left, top, width, height = frame
    shrink = math.cos(math.radians((south + north) / 2))
    scale = min(width / ((east - west) * shrink), height / (north - south))
    return Projection(
        west=west,
        north=north,
        x_scale=scale * shrink,
        y_scale=scale,
        left=left + (width - (east - west) * shrink * scale) / 2,
        top=top + (height - (north - south) * scale) / 2,
        wrap=wrap,
    )


def _crosses_antimeridian(features: Iterable[Feature]) -> bool:
    """True if the shapes reach both sides of the 180th meridian (Alaska does)."""
    lons = [lon for feature in features for lon, _ in feature.points()]
    return max(lons) - min(lons) > 180


def _bounds(features: Iterable[Feature], *, wrap: bool) -> Box:
    """The (west, south, east, north) box around the features."""
    points = [point for feature in features for point in feature.points()]
    lons = [lon - 360 if wrap and lon > 0 else lon for lon, _ in points]
    lats = [lat for _, lat in points]
    return min(lons), min(lats), max(lons), max(lats)


def _path(polygons: Iterable[Polygon], xy: Callable[[Point], tuple[float, float]]) -> str:
    """An SVG path `d` drawing every ring, in tenths of a unit, with repeated points dropped.

    Rings that shrink to fewer than three points (small islands) are left out, unless that
    would leave nothing: the atlas draws Falls Church, Virginia, as a two-point sliver, and a
    county still needs a path to hover and click.
    """
    rings = [_ring_tenths(ring, xy) for polygon in polygons for ring in polygon]
    kept = [ring for ring in rings if len(ring) >= 3] or [ring for ring in rings if ring]
    return "".join(
        "M" + "L".join(f"{_tenths(x)},{_tenths(y)}" for x, y in ring) + "Z" for ring in kept
    )


def _ring_tenths(ring: Ring, xy: Callable[[Point], tuple[float, float]]) -> list[tuple[int, int]]:
    """A ring projected to whole tenths, consecutive repeats and the closing point dropped."""
    tenths: list[tuple[int, int]] = []
    for x, y in map(xy, ring):
        point = (round(x * 10), round(y * 10))
        if not tenths or point != tenths[-1]:
            tenths.append(point)
    if len(tenths) > 1 and tenths[0] == tenths[-1]:
        tenths.pop()  # "Z" closes the ring
    return tenths


def _tenths(value: int) -> str:
    """A number kept in tenths, written as short as SVG allows: 1234 -> '123.4', 50 -> '5'."""
    return str(value // 10) if value % 10 == 0 else f"{value / 10:.1f}"


# --- State maps -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CountyShape:
    """A county's outline, ready for `<path d="...">`."""

    fips: str
    """Five digits: the state's two, then the county's three."""
    name: str
    path: str


@dataclass(frozen=True)
class StateMap:
    """One state and its counties, drawn in a `0 0 width height` SVG space."""

    fips: str
    name: str
    width: int
    height: int
    outline: str
    """The SVG path `d` of the state's border."""
    counties: tuple[CountyShape, ...]
    projection: Projection = field(repr=False)

    @property
    def view_box(self) -> str:
        """The value of the `<svg viewBox>` attribute."""
        return f"0 0 {self.width} {self.height}"

    def point(self, lat: float, lon: float) -> tuple[float, float]:
        """Where a coordinate falls on this map, for drawing a city as a dot."""
        return self.projection.point(lat, lon)


def state_map(state_fips: str, *, width: int = 640) -> StateMap:
    """Draw one state with its counties as SVG paths.

    The map is fitted to the state's bounding box with a margin of a fiftieth of the width. Its
    height follows the state's shape but never exceeds the width, so a tall state such as New
    Hampshire does not push the rest of a page down (it is centred instead). Coordinates are
    rounded to 0.1 unit, which keeps Texas's 254 counties small enough to inline in a page.
    Maps are cached per state and width.

    Args:
        state_fips: the two-digit FIPS code, such as "04" for Arizona.
        width: the width of the SVG space, in user units.

    Raises:
        AtlasNotFound: the us-atlas data is not installed.
        ValueError: no state has that code; the message lists the codes there are.
    """
    return _state_map(state_fips, width)


@lru_cache(maxsize=256)
def _state_map(state_fips: str, width: int) -> StateMap:
    """The cached body of `state_map`."""
    atlas = _atlas()
    state = atlas.states.get(state_fips)
    if state is None:
        codes = ", ".join(sorted(atlas.states))
        raise ValueError(f"No state has FIPS code {state_fips!r}; the codes are: {codes}.")
    wrap = _crosses_antimeridian([state])
    west, south, east, north = _bounds([state], wrap=wrap)
    margin = width / 50
    inner = width - 2 * margin
    aspect = (north - south) / ((east - west) * math.cos(math.radians((south + north) / 2)))
    height = round(min(inner * aspect, inner) + 2 * margin)
    projection = _fit(
        (west, south, east, north), (margin, margin, inner, height - 2 * margin), wrap=wrap
    )
    counties = tuple(
        CountyShape(fips=fips, name=county.name, path=_path(county.polygons, projection.xy))
        for fips, county in sorted(atlas.counties.items())
        if fips[:2] == state_fips
    )
    return StateMap(
        fips=state_fips,
        name=state.name,
        width=width,
        height=height,
        outline=_path(state.polygons, projection.xy),
        counties=counties,
        projection=projection,
    )


# --- The national map -------------------------------------------------------------------------


@dataclass(frozen=True)
class StateShape:
    """A state's outline on the national map, ready for `<path d="...">`."""

    fips: str
    name: str
    path: str


@dataclass(frozen=True)
class NationMap:
    """The 50 states and DC: the lower 48 filling the frame, Alaska and Hawaii inset bottom left."""

    width: int
    height: int
    states: tuple[StateShape, ...]
    regions: tuple[tuple[Box, Projection], ...] = field(repr=False)
    """(west, south, east, north) of each inset, then of the lower 48, with its projection."""

    @property
    def view_box(self) -> str:
        """The value of the `<svg viewBox>` attribute."""
        return f"0 0 {self.width} {self.height}"

    def point(self, lat: float, lon: float) -> tuple[float, float]:
        """Where a coordinate falls on this map, in Alaska's or Hawaii's inset if it is there."""
        for (west, south, east, north), projection in self.regions:
            wrapped = lon - 360 if projection.wrap and lon > 0 else lon
            if west <= wrapped <= east and south <= lat <= north:
                return projection.point(lat, lon)
        return self.regions[-1][1].point(lat, lon)


def us_map(*, width: int = 960) -> NationMap:
    """Draw the United States: every state's outline, Alaska and Hawaii as insets.

    The lower 48 and DC fill the frame; Alaska and Hawaii are shrunk into the empty corner
    south of California and Arizona, as on most printed maps of the country. Territories are
    left out. Cached per width.

    Raises:
        AtlasNotFound: the us-atlas data is not installed.
    """
    return _us_map(width)


@lru_cache(maxsize=8)
def _us_map(width: int) -> NationMap:
    """The cached body of `us_map`."""
    atlas = _atlas()
    states = {fips: s for fips, s in atlas.states.items() if fips not in _NOT_STATES}
    lower48 = [s for fips, s in states.items() if fips not in _INSETS]
    margin = width / 50
    main = _bounds(lower48, wrap=False)
    west, south, east, north = main
    aspect = (north - south) / ((east - west) * math.cos(math.radians((south + north) / 2)))
    height = round((width - 2 * margin) * aspect + 2 * margin)
    frames = {
        "02": (margin, height * 0.72, width * 0.22, height * 0.26),
        "15": (width * 0.23, height * 0.86, width * 0.08, height * 0.12),
    }
    regions = []
    projections = {}
    for fips, frame in frames.items():
        wrap = _crosses_antimeridian([states[fips]])
        box = _bounds([states[fips]], wrap=wrap)
        projections[fips] = _fit(box, frame, wrap=wrap)
        regions.append((box, projections[fips]))
    inner = (margin, margin, width - 2 * margin, height - 2 * margin)
    lower48_projection = _fit(main, inner, wrap=False)
    regions.append((main, lower48_projection))
    shapes = tuple(
        StateShape(
            fips=fips,
            name=s.name,
            path=_path(s.polygons, projections.get(fips, lower48_projection).xy),
        )
        for fips, s in sorted(states.items())
    )
    return NationMap(width=width, height=height, states=shapes, regions=tuple(regions))


# --- County coordinates -----------------------------------------------------------------------


def county_centroids() -> dict[str, tuple[float, float]]:
    """Give every county one coordinate, to store with it and to place it on a map.

    The coordinate is the area-weighted centroid of the county's largest polygon (holes
    subtracted), so a county with islands is placed on its mainland. Areas are taken in plain
    degrees, which is accurate enough at a county's size.

    Returns:
        County FIPS code (five digits) -> (latitude, longitude), rounded to 4 decimals (11 m).
        A new dict each call, so a caller may change it.

    Raises:
        AtlasNotFound: the us-atlas data is not installed.
    """
    return dict(_county_centroids())


@lru_cache(maxsize=1)
def _county_centroids() -> dict[str, tuple[float, float]]:
    """The cached body of `county_centroids`."""
    return {fips: _centroid(county) for fips, county in _atlas().counties.items()}


def _centroid(feature: Feature) -> tuple[float, float]:
    """(latitude, longitude) of the centroid of the feature's largest polygon."""
    wrap = _crosses_antimeridian([feature])
    moments = [_polygon_moments(polygon, wrap=wrap) for polygon in feature.polygons]
    area, lon_moment, lat_moment = max(moments)
    if area == 0:
        points = list(feature.points())
        lon = sum(lon for lon, _ in points) / len(points)
        return round(sum(lat for _, lat in points) / len(points), 4), round(lon, 4)
    lon = lon_moment / area
    if lon < -180:
        lon += 360
    return round(lat_moment / area, 4), round(lon, 4)


def _polygon_moments(polygon: Polygon, *, wrap: bool) -> tuple[float, float, float]:
    """(area, area x mean longitude, area x mean latitude) of an outer ring less its holes."""
    total = [0.0, 0.0, 0.0]
    for position, ring in enumerate(polygon):
        area, lon_moment, lat_moment = _ring_moments(ring, wrap=wrap)
        sign = 1 if (position == 0) == (area >= 0) else -1  # outer ring adds, holes subtract
        total[0] += sign * area
        total[1] += sign * lon_moment
        total[2] += sign * lat_moment
    return total[0], total[1], total[2]


def _ring_moments(ring: Ring, *, wrap: bool) -> tuple[float, float, float]:
    """Signed area of a ring and its first moments, by the shoelace formula."""
    points = [(lon - 360 if wrap and lon > 0 else lon, lat) for lon, lat in ring]
    area = lon_moment = lat_moment = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        lon_moment += (x0 + x1) * cross
        lat_moment += (y0 + y1) * cross
    return area / 2, lon_moment / 6, lat_moment / 6
