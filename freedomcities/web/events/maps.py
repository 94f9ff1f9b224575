"""The events map: the U.S. drawn from shipped geometry, events as dots, no JavaScript.

The whole country is drawn once (:func:`freedomcities.web.geography.us_map`); a search near a
ZIP code zooms in by narrowing the SVG's ``viewBox`` around it, so the same inline SVG serves
both. Dots sit at each event's public point, so a private address stays blurred on the map.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from freedomcities.web.events.models import Event
from freedomcities.web.events.places import bounding_box
from freedomcities.web.events.search import Found
from freedomcities.web.geography import AtlasNotFound, NationMap, us_map
from freedomcities.web.jurisdictions.models import Jurisdiction, Kind

WIDTH = 960
ZOOM_MARGIN = 1.4
"""The zoomed window shows this many radii on each side of the centre."""
MIN_HALF_WINDOW = 1.0
LABELS = 8
NATION_DOT = 7.0


@dataclass(frozen=True)
class Dot:
    """One event on the map."""

    x: float
    y: float
    event: Event


@dataclass(frozen=True)
class Circle:
    """The searched area around a ZIP code."""

    x: float
    y: float
    r: float


@dataclass(frozen=True)
class Label:
    """A town's name on a zoomed map, so people can tell where they are."""

    x: float
    y: float
    name: str


@dataclass(frozen=True)
class EventMap:
    """What the template draws: states, the search circle, the dots, and the window."""

    nation: NationMap
    view_box: str
    dots: tuple[Dot, ...]
    circle: Circle | None
    dot_radius: float
    labels: tuple[Label, ...] = ()
    font_size: float = 12.0

    @property
    def town_radius(self) -> float:
        """Towns are smaller dots than events."""
        return self.dot_radius / 2


def event_map(
    found: Sequence[Found], center: tuple[float, float] | None, miles: float
) -> EventMap | None:
    """The map of the found events, zoomed on ``center`` (lat, lon) when there is one.

    Returns None when the map data (the us-atlas package) is not installed; the list still
    shows every event.
    """
    try:
        nation = us_map(width=WIDTH)
    except AtlasNotFound:
        return None
    dots = tuple(_dot(nation, item) for item in found)
    if center is None:
        return EventMap(nation, nation.view_box, dots, None, dot_radius=NATION_DOT)
    circle = _circle(nation, center, miles)
    half = max(circle.r * ZOOM_MARGIN, MIN_HALF_WINDOW)
    view_box = f"{circle.x - half * 1.6:.1f} {circle.y - half:.1f} {half * 3.2:.1f} {half * 2:.1f}"
    labels = _labels(nation, center, miles * half / circle.r)
    return EventMap(nation, view_box, dots, circle, half / 36, labels, font_size=half / 14)


def _circle(nation: NationMap, center: tuple[float, float], miles: float) -> Circle:
    """The search radius drawn around the centre, at the map's local scale."""
    lat, lon = center
    x, y = nation.point(lat, lon)
    _x, north_y = nation.point(lat + miles / 69.0, lon)
    return Circle(x, y, max(abs(y - north_y), 0.5))


def _labels(nation: NationMap, center: tuple[float, float], miles: float) -> tuple[Label, ...]:
    """The largest towns in the window around the centre (``miles`` from it, up and down)."""
    box = bounding_box(center[0], center[1], miles)
    towns = Jurisdiction.objects.filter(
        kind=Kind.PLACE,
        latitude__range=(box.south, box.north),
        longitude__range=(
            box.west - (box.east - box.west) * 0.3,
            box.east + (box.east - box.west) * 0.3,
        ),
    ).order_by("-population")[:LABELS]
    return tuple(
        Label(*nation.point(town.latitude, town.longitude), town.name)
        for town in towns
        if town.latitude is not None and town.longitude is not None
    )


def _dot(nation: NationMap, item: Found) -> Dot:
    """An event's dot at its public point."""
    event = item.event
    x, y = nation.point(event.public_latitude, event.public_longitude)
    return Dot(x, y, event)
