"""The events map: the U.S. drawn from shipped geometry, events as dots, no JavaScript.

The whole country is drawn once (:func:`freedomcities.web.geography.atlas.us_map`); a search near a
ZIP code zooms in by narrowing the SVG's ``viewBox`` around it, so the same inline SVG serves
both. Dots sit at each event's public point, so a private address stays blurred on the map.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from freedomcities.web.events.models import Event
from freedomcities.web.events.search import Found
from freedomcities.web.geography.atlas import AtlasNotFound, NationMap, us_map
from freedomcities.web.geography.places import bounding_box
from freedomcities.web.jurisdictions.models import Jurisdiction, Kind

WIDTH = 960
Area = tuple[float, float, float, float]
"""A rectangle on the map in SVG units: left, top, right, bottom."""
ZOOM_MARGIN = 1.4
"""The zoomed window shows this many radii on each side of the centre."""
MIN_HALF_WINDOW = 1.0
LABELS = 8
LABEL_CANDIDATES = 60
"""Towns looked at, biggest first, to find ``LABELS`` whose names do not overlap."""
CHAR_WIDTH = 0.6
"""A letter's width in the map's sans-serif font, as a share of the font size."""
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

    @property
    def state_paths(self) -> SafeString:
        """Every state's outline as SVG; the same on every page, so drawn once per map width."""
        return _state_paths(self.nation.width)


@lru_cache(maxsize=4)
def _state_paths(width: int) -> SafeString:
    """The states' ``<path>`` elements, escaped once: looping over 51 long outlines in the
    template took most of the events page's time."""
    return mark_safe(
        "".join(
            format_html('<path d="{}" class="state"><title>{}</title></path>', s.path, s.name)
            for s in us_map(width=width).states
        )
    )


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
    window = (circle.x - half * 1.6, circle.y - half, circle.x + half * 1.6, circle.y + half)
    view_box = f"{window[0]:.1f} {window[1]:.1f} {window[2] - window[0]:.1f} {half * 2:.1f}"
    font_size = half / 14
    labels = _labels(nation, center, miles * half / circle.r, font_size, window)
    return EventMap(nation, view_box, dots, circle, half / 36, labels, font_size=font_size)


def _circle(nation: NationMap, center: tuple[float, float], miles: float) -> Circle:
    """The search radius drawn around the centre, at the map's local scale."""
    lat, lon = center
    x, y = nation.point(lat, lon)
    _x, north_y = nation.point(lat + miles / 69.0, lon)
    return Circle(x, y, max(abs(y - north_y), 0.5))


def _labels(
    nation: NationMap,
    center: tuple[float, float],
    miles: float,
    font_size: float,
    window: Area,
) -> tuple[Label, ...]:
    """The largest towns in the window around the centre (``miles`` from it, up and down).

    Suburbs crowd around a big city, so a town whose name would overlap one already
    placed is left out: the biggest names come first, and each placed name keeps its space.
    A name that would run off the map's ``window`` (left, top, right, bottom) is left out too.
    """
    box = bounding_box(center[0], center[1], miles)
    towns = Jurisdiction.objects.filter(
        kind=Kind.PLACE,
        latitude__range=(box.south, box.north),
        longitude__range=(
            box.west - (box.east - box.west) * 0.3,
            box.east + (box.east - box.west) * 0.3,
        ),
        latitude__isnull=False,
        longitude__isnull=False,
    ).order_by("-population")[:LABEL_CANDIDATES]
    labels: list[Label] = []
    taken: list[Area] = []
    for town in towns:
        assert town.latitude is not None and town.longitude is not None
        x, y = nation.point(town.latitude, town.longitude)
        area = _label_area(x, y, town.name, font_size)
        if not _inside(area, window) or any(_overlap(area, other) for other in taken):
            continue
        labels.append(Label(x, y, town.name))
        taken.append(area)
        if len(labels) == LABELS:
            break
    return tuple(labels)


def _label_area(x: float, y: float, name: str, font_size: float) -> Area:
    """Roughly where a town's dot and name sit (left, top, right, bottom), with a little room."""
    pad = font_size * 0.4
    return (
        x - pad,
        y - pad,
        x + font_size * (1 + CHAR_WIDTH * len(name)) + pad,
        y + font_size * 1.3,
    )


def _overlap(a: Area, b: Area) -> bool:
    """Whether two areas share any point."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _inside(a: Area, b: Area) -> bool:
    """Whether area ``a`` lies wholly within area ``b``."""
    return b[0] <= a[0] and a[2] <= b[2] and b[1] <= a[1] and a[3] <= b[3]


def _dot(nation: NationMap, item: Found) -> Dot:
    """An event's dot at its public point."""
    event = item.event
    x, y = nation.point(event.public_latitude, event.public_longitude)
    return Dot(x, y, event)
