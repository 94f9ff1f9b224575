"""The nearby search: bounding box in SQL, exact distance after; filters; privacy of points."""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable

import pytest
from django.utils import timezone

from freedomcities.web.events.models import Event, EventStatus, Tactic
from freedomcities.web.events.search import EventQuery, find_events, nearby, public_events
from freedomcities.web.geography import places

pytestmark = pytest.mark.django_db


@pytest.fixture
def spread(make_event: Callable[..., Event]) -> dict[str, Event]:
    """Events in Mesa, Phoenix, Tucson and New York City."""
    return {
        "mesa": make_event(postal_code="85201", title="Mesa"),
        "phoenix": make_event(
            postal_code="85004", title="Phoenix", tactic=Tactic.RALLY, address_public=True
        ),
        "tucson": make_event(postal_code="85701", title="Tucson"),
        "nyc": make_event(postal_code="10007", title="New York", timezone="America/New_York"),
    }


def titles(query: EventQuery) -> list[str]:
    return [item.event.title for item in find_events(query).found]


def test_a_search_near_a_zip_code_finds_events_within_the_radius_nearest_first(
    spread: dict[str, Event],
) -> None:
    assert titles(EventQuery(postal_code="85201", miles=25)) == ["Mesa", "Phoenix"]
    assert titles(EventQuery(postal_code="85201", miles=150)) == ["Mesa", "Phoenix", "Tucson"]
    assert titles(EventQuery(postal_code="10001", miles=10)) == ["New York"]
    result = find_events(EventQuery(postal_code="85201", miles=25))
    assert result.center is not None and result.center.city == "Mesa"
    assert [item.miles is not None and item.miles < 25 for item in result.found] == [True, True]


def test_without_a_zip_code_every_upcoming_event_is_listed_soonest_first(
    spread: dict[str, Event],
) -> None:
    result = find_events(EventQuery())
    assert result.total == 4 and result.center is None


def test_tactic_and_date_filters(spread: dict[str, Event]) -> None:
    assert titles(EventQuery(tactic=Tactic.RALLY)) == ["Phoenix"]
    week = spread["mesa"].local_start.date()
    assert len(titles(EventQuery(start=week, end=week))) == 4
    assert titles(EventQuery(start=week + datetime.timedelta(days=1))) == []
    assert titles(EventQuery(end=week - datetime.timedelta(days=1))) == []


def test_private_events_and_long_past_cancelled_ones_are_not_found(
    make_event: Callable[..., Event], spread: dict[str, Event]
) -> None:
    make_event(public=False, title="Group only")
    cancelled = make_event(title="Called off")
    Event.objects.filter(pk=cancelled.pk).update(status=EventStatus.CANCELLED)
    found = titles(EventQuery(postal_code="85201", miles=25))
    assert "Group only" not in found
    assert "Called off" in found  # still upcoming: people who planned to come learn it is off


def test_an_unknown_zip_code_raises_for_the_view_to_explain(spread: dict[str, Event]) -> None:
    with pytest.raises(places.UnknownZip):
        find_events(EventQuery(postal_code="00000"))


def test_distances_use_the_public_point_so_a_private_address_cannot_be_triangulated(
    event: Event,
) -> None:
    ((pk, miles, _start),) = nearby(public_events(), event.latitude, event.longitude, 5)
    assert pk == event.pk
    assert miles > 0.1  # measured to the blurred point, not the exact one


def test_the_two_step_search_agrees_with_measuring_every_event(
    make_event: Callable[..., Event],
) -> None:
    rng = random.Random(7)
    zips = [p for p in places.all_zips() if p.state in {"AZ", "NM", "NV"}]
    starts = timezone.localtime().replace(tzinfo=None) + datetime.timedelta(days=3)
    events = [
        make_event(
            postal_code=rng.choice(zips).code,
            starts=starts,
            ends=starts + datetime.timedelta(hours=1),
        )
        for _ in range(60)
    ]
    for _ in range(10):
        center = rng.choice(zips)
        miles = rng.choice([5, 25, 100, 250])
        expected = {
            e.pk
            for e in events
            if places.distance_miles(
                center.latitude, center.longitude, e.public_latitude, e.public_longitude
            )
            <= miles
        }
        found = {
            pk for pk, _m, _s in nearby(public_events(), center.latitude, center.longitude, miles)
        }
        assert found == expected
