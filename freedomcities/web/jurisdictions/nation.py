"""The whole country at a glance, and the deployment's home state.

A deployment serves a campaign in one state first (``FREEDOMCITIES_HOME_STATE``,
Arizona by default): the main menu links to that state's dashboard, whichever page
one is on. The national page draws every state from the shipped geometry (no map
tiles), shaded by the rules the state's scored agencies have in place in writing,
on a scale a colour-blind reader can tell apart: none yet, none in place, some, all.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from freedomcities.web import geography
from freedomcities.web.jurisdictions.data import all_states, state_by_postal
from freedomcities.web.jurisdictions.maps import SHADES
from freedomcities.web.jurisdictions.models import Agency
from freedomcities.web.scorecards import dashboard


@dataclass(frozen=True)
class HomeState:
    """The state a deployment's campaign starts in."""

    code: str
    name: str

    @property
    def slug(self) -> str:
        return self.code.lower()


def home_state() -> HomeState:
    """The configured home state (``HOME_STATE``, checked when the settings load)."""
    record = state_by_postal(settings.HOME_STATE)
    return HomeState(record.state, record.name)


def home_state_context(request: HttpRequest) -> dict[str, object]:
    """``home_state`` for every template: the main menu's first link."""
    return {"home_state": home_state()}


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
        nation = geography.us_map()
    except geography.AtlasNotFound:
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
