"""Where things are: U.S. ZIP codes to coordinates, distances, and blurred public points.

The ZIP database ships inside the ``zipcodes`` wheel (about 42,000 codes with their centroid,
city, state and time zone), so looking up a ZIP code needs no network and no geocoding
service. The first lookup in a process loads it (a few seconds); later ones are dictionary
reads. Nothing here imports Django.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import zipcodes

EARTH_RADIUS_MILES = 3958.8
MILES_PER_DEGREE_LATITUDE = 69.0
MAX_RADIUS_MILES = 500
BLUR_GRID_DEGREES = 0.01
"""Public points of private addresses are snapped to this grid (about 1.1 km of latitude)..."""
BLUR_SHIFT_KM = (1.0, 1.4)
"""...after a fixed shift of between these many kilometres, the same on every page and feed."""

_ZIP = re.compile(r"^\s*(\d{5})(?:-?\d{4})?\s*$")


class UnknownZip(ValueError):
    """The text is not a U.S. ZIP code, or no such ZIP code exists."""


@dataclass(frozen=True)
class ZipPlace:
    """A ZIP code's centroid and the place the Postal Service names for it."""

    code: str
    city: str
    state: str
    latitude: float
    longitude: float
    timezone: str


def normalize_zip(text: str) -> str:
    """The five-digit ZIP code in ``85201`` or ``85201-1234``; UnknownZip for anything else."""
    match = _ZIP.match(text or "")
    if match is None:
        raise UnknownZip(f"{text!r} is not a five-digit ZIP code")
    return match.group(1)


def lookup_zip(text: str) -> ZipPlace:
    """The place of a ZIP code, from the database shipped in the ``zipcodes`` wheel.

    Raises:
        UnknownZip: the text is not a ZIP code, or the Postal Service has no such code.
    """
    code = normalize_zip(text)
    place = _zip_index().get(code)
    if place is None:
        raise UnknownZip(f"{code} is not a ZIP code we know")
    return place


def all_zips() -> tuple[ZipPlace, ...]:
    """Every ZIP code with coordinates, in code order (for seeding benchmarks and demos)."""
    return tuple(_zip_index()[code] for code in sorted(_zip_index()))


@lru_cache(maxsize=1)
def _zip_index() -> dict[str, ZipPlace]:
    """The whole ZIP database as a dict, built once per process."""
    rows: list[dict[str, Any]] = zipcodes.list_all()  # type: ignore[no-untyped-call]
    index = {}
    for row in rows:
        place = _place(row)
        if place is not None:
            index[place.code] = place
    return index


def _place(row: dict[str, Any]) -> ZipPlace | None:
    """One row of the ``zipcodes`` database as a ZipPlace, or None without coordinates."""
    try:
        latitude, longitude = float(row["lat"]), float(row["long"])
    except (KeyError, TypeError, ValueError):
        return None
    if latitude == 0 and longitude == 0:
        return None
    return ZipPlace(
        code=str(row["zip_code"]),
        city=str(row.get("city") or "").title(),
        state=str(row.get("state") or ""),
        latitude=latitude,
        longitude=longitude,
        timezone=str(row.get("timezone") or ""),
    )


def distance_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle (haversine) distance between two points, in miles."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class Box:
    """A latitude/longitude rectangle that contains every point within some miles of a centre."""

    south: float
    north: float
    west: float
    east: float


def bounding_box(latitude: float, longitude: float, miles: float) -> Box:
    """The smallest lat/lon box around a circle, for an indexed range prefilter in SQL.

    A degree of longitude shrinks with the cosine of the latitude; the widest point of the
    circle is nearer the pole, so the box uses the cosine there. Near a pole (never in the
    U.S. states) the box spans every longitude.
    """
    dlat = miles / MILES_PER_DEGREE_LATITUDE
    polar = min(89.9, abs(latitude) + dlat)
    dlon = miles / (MILES_PER_DEGREE_LATITUDE * math.cos(math.radians(polar)))
    if dlon >= 180:
        return Box(latitude - dlat, latitude + dlat, -180.0, 180.0)
    return Box(latitude - dlat, latitude + dlat, longitude - dlon, longitude + dlon)


def blur(latitude: float, longitude: float, seed: str) -> tuple[float, float]:
    """A public stand-in for a private point: 0.4 to 2 km from it, the same every time.

    The point is shifted by a distance and direction drawn from ``seed`` (the event's id), then
    snapped to a 0.01-degree grid. Being fixed per event, repeated views cannot be averaged
    back to the true point, and the grid hides the exact shift.
    """
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    angle = int.from_bytes(digest[:4], "big") / 2**32 * 2 * math.pi
    least, most = BLUR_SHIFT_KM
    shift_km = least + int.from_bytes(digest[4:8], "big") / 2**32 * (most - least)
    dlat = shift_km / 111.0 * math.cos(angle)
    dlon = shift_km / (111.0 * max(0.01, math.cos(math.radians(latitude)))) * math.sin(angle)
    return _snap(latitude + dlat), _snap(longitude + dlon)


def _snap(value: float) -> float:
    """Round a coordinate to the blur grid."""
    return round(round(value / BLUR_GRID_DEGREES) * BLUR_GRID_DEGREES, 4)
