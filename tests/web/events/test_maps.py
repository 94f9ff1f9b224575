"""The events map's town names: the biggest towns around a search, never on top of each other."""

from __future__ import annotations

import itertools

import pytest

from freedomcities.web.events import maps
from freedomcities.web.jurisdictions.models import Jurisdiction, Kind
from freedomcities.web.seed import load_jurisdictions

pytestmark = pytest.mark.django_db

PHOENIX = (33.4484, -112.0740)


def test_a_search_in_a_crowded_metro_names_the_big_city_and_no_two_names_overlap() -> None:
    load_jurisdictions(["AZ"])

    event_map = maps.event_map([], PHOENIX, miles=25)

    assert event_map is not None
    names = [label.name for label in event_map.labels]
    assert names[0] == "Phoenix"  # the biggest town is placed first, so it is never dropped
    assert 3 <= len(names) <= maps.LABELS
    areas = [
        maps._label_area(label.x, label.y, label.name, event_map.font_size)
        for label in event_map.labels
    ]
    for a, b in itertools.combinations(areas, 2):
        assert not maps._overlap(a, b)
    left, top, width, height = (float(n) for n in event_map.view_box.split())
    for area in areas:  # no name runs off the edge of the map
        assert maps._inside(area, (left - 0.1, top - 0.1, left + width + 0.1, top + height + 0.1))


def test_a_bigger_town_is_left_out_only_where_its_name_would_run_into_a_placed_one() -> None:
    load_jurisdictions(["AZ"])

    event_map = maps.event_map([], PHOENIX, miles=25)

    assert event_map is not None
    nation = event_map.nation
    placed = {label.name for label in event_map.labels}
    areas = [
        maps._label_area(label.x, label.y, label.name, event_map.font_size)
        for label in event_map.labels
    ]
    smallest_placed = min(
        Jurisdiction.objects.filter(kind=Kind.PLACE, state="AZ", name__in=placed).values_list(
            "population", flat=True
        )
    )
    bigger = Jurisdiction.objects.filter(
        kind=Kind.PLACE,
        state="AZ",
        population__gt=smallest_placed,
        latitude__range=(PHOENIX[0] - 0.5, PHOENIX[0] + 0.5),
        longitude__range=(PHOENIX[1] - 0.5, PHOENIX[1] + 0.5),
    ).exclude(name__in=placed)
    assert bigger.exists()  # suburbs crowd the city: some bigger town had to give way
    for town in bigger:
        assert town.latitude is not None and town.longitude is not None
        x, y = nation.point(town.latitude, town.longitude)
        area = maps._label_area(x, y, town.name, event_map.font_size)
        assert any(maps._overlap(area, other) for other in areas), town.name
