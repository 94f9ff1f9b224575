"""The scorecard maps and the history chart, as plain values a template draws as SVG.

The geometry comes from us-atlas (:mod:`freedomcities.web.geography.atlas`, installed by
npm, shipped with the app), so the maps need no tile server and work offline. Shading
counts the nine rules in place in writing: on a state's map, counties by their sheriff's
office and places as dots; on the national map, each state by its scored agencies, on a
scale a colour-blind reader can tell apart: none yet, none in place, some, all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.urls import reverse

from freedomcities.web.geography import atlas
from freedomcities.web.jurisdictions.data import all_states
from freedomcities.web.jurisdictions.models import Agency, Jurisdiction, Kind
from freedomcities.web.scorecards import dashboard
from freedomcities.web.scorecards.dashboard import AgencyRow, HistoryPoint

ALL_RULES = 9
SHADES = ("none", "zero", "some", "all")
"""No scorecard yet; none of the nine rules in place; some; all nine.

Four classes, not ten shades of one hue: with ten, 0 and 1 read as "no scorecard".
The stylesheet colours them orange to purple (``.shade-*``), which stays apart for the
common colour-vision differences; the count is also in each shape's title and the table.
"""


@dataclass(frozen=True)
class Shape:
    """One county on the map."""

    path: str
    name: str
    shade: str
    met: int | None
    url: str | None


@dataclass(frozen=True)
class Dot:
    """One place with a published scorecard."""

    x: float
    y: float
    name: str
    shade: str
    met: int
    url: str


@dataclass(frozen=True)
class StateMapView:
    """Everything the template needs to draw the map."""

    view_box: str
    outline: str
    shapes: tuple[Shape, ...]
    dots: tuple[Dot, ...]
    legend: tuple[tuple[str, int], ...]
    """Each shade with how many counties and places have it."""


def shade_for(met: int | None) -> str:
    """The shade of a count of rules in place: none yet, zero, some or all nine."""
    if met is None:
        return "none"
    if met <= 0:
        return "zero"
    return "all" if met >= ALL_RULES else "some"


def state_map(
    state: Jurisdiction, rows: Sequence[AgencyRow], shading: Mapping[int, int]
) -> StateMapView | None:
    """The state's counties shaded by rules in place, with dots for places; None without atlas."""
    try:
        drawn = atlas.state_map(state.fips)
    except (FileNotFoundError, KeyError, ValueError):
        return None
    counties = {
        j.fips: j
        for j in Jurisdiction.objects.filter(state=state.state, kind=Kind.COUNTY).only(
            "pk", "fips", "name", "ocd_id"
        )
    }
    shapes = []
    for county in drawn.counties:
        found = counties.get(county.fips)
        met = shading.get(found.pk) if found else None
        url = found.get_absolute_url() if found else None
        shapes.append(Shape(county.path, county.name, shade_for(met), met, url))
    dots = []
    seen: set[int] = set()
    for row in rows:
        j = row.jurisdiction
        if j.kind != Kind.PLACE or j.pk in seen or j.latitude is None or j.longitude is None:
            continue
        if j.pk not in shading:
            continue
        seen.add(j.pk)
        x, y = drawn.point(j.latitude, j.longitude)
        met = shading[j.pk]
        dots.append(Dot(x, y, j.name, shade_for(met), met, j.get_absolute_url()))
    shaded = [shape.shade for shape in shapes] + [dot.shade for dot in dots]
    legend = tuple((shade, shaded.count(shade)) for shade in SHADES)
    return StateMapView(drawn.view_box, drawn.outline, tuple(shapes), tuple(dots), legend)


@dataclass(frozen=True)
class Chart:
    """A small line chart of rules in place over time."""

    width: int
    height: int
    points: str
    marks: tuple[tuple[float, float, str, int], ...]
    top: int

    @property
    def start(self) -> str:
        return self.marks[0][2]

    @property
    def end(self) -> str:
        return self.marks[-1][2]


def history_chart(
    history: Sequence[HistoryPoint], width: int = 420, height: int = 140
) -> Chart | None:
    """A step line of rules in place across the state, one mark per policy date."""
    if not history:
        return None
    pad = 24
    top = max(max(point.rules_in_place for point in history), 1)
    first, last = history[0].date.toordinal(), history[-1].date.toordinal()
    span = max(last - first, 1)

    def xy(point: HistoryPoint) -> tuple[float, float]:
        x = pad + (point.date.toordinal() - first) / span * (width - 2 * pad)
        y = height - pad - point.rules_in_place / top * (height - 2 * pad)
        return round(x, 1), round(y, 1)

    coords: list[tuple[float, float]] = []
    for point in history:
        x, y = xy(point)
        if coords:
            coords.append((x, coords[-1][1]))
        coords.append((x, y))
    marks = tuple((*xy(p), p.date.isoformat(), p.rules_in_place) for p in history)
    return Chart(width, height, " ".join(f"{x},{y}" for x, y in coords), marks, top)


# The national map ------------------------------------------------------------------------


@dataclass(frozen=True)
class StateTally:
    """One state's scored agencies and how many of the nine rules each has in writing."""

    code: str
    name: str
    scored: int
    average: float
    shade: str
    url: str
    path: str = ""


@dataclass(frozen=True)
class NationView:
    """The national map's states and the legend's counts (states per shade)."""

    view_box: str
    states: tuple[StateTally, ...]
    legend: tuple[tuple[str, int], ...]


def _shade(met: list[int]) -> str:
    """The state's shade from its scored agencies' counts of rules in place."""
    if not met:
        return "none"
    if all(count == len(dashboard.core_rule_ids()) for count in met):
        return "all"
    return "some" if any(met) else "zero"


def nation_view() -> NationView | None:
    """Every state's tally on the national map; None when the map's shapes are missing."""
    try:
        nation = atlas.us_map()
    except atlas.AtlasNotFound:
        return None
    met: dict[str, list[int]] = defaultdict(list)
    scored = Agency.objects.filter(policies__versions__published_at__isnull=False).distinct()
    for row in dashboard.agency_rows(scored):
        met[row.agency.jurisdiction.state].append(row.met)
    by_fips = {record.fips: record for record in all_states()}
    states = []
    for shape in nation.states:
        record = by_fips.get(shape.fips)
        if record is None:
            continue
        counts = met.get(record.state, [])
        states.append(
            StateTally(
                code=record.state,
                name=record.name,
                scored=len(counts),
                average=sum(counts) / len(counts) if counts else 0.0,
                shade=_shade(counts),
                url=reverse("state", args=[record.state.lower()]),
                path=shape.path,
            )
        )
    legend = tuple((shade, sum(s.shade == shade for s in states)) for shade in SHADES)
    return NationView(nation.view_box, tuple(states), legend)
