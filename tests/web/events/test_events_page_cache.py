"""Events near a ZIP code from the cache: queries pinned, new and cancelled events shown at once."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from pytest_django import DjangoAssertNumQueries

from freedomcities.web.events.models import Event, EventStatus
from tests.web.events.conftest import MESA_ZIP

NEAR = f"/events/?zip={MESA_ZIP}&miles=25"
DRAWN = 4  # the stamp, the events in the box, their rows (with groups), the towns on the map
FROM_CACHE = 1  # the stamp


def test_events_by_zip_cost_one_query_after_the_first_visit(
    make_event: Callable[..., Event], django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for n in range(3):
        make_event(title=f"Meeting number {n}")
    with django_assert_num_queries(DRAWN):
        first = Client().get(NEAR).content.decode()
    with django_assert_num_queries(FROM_CACHE):
        again = Client().get(NEAR).content.decode()
    assert all(f"Meeting number {n}" in again for n in range(3))
    assert first.count("event-item") == again.count("event-item") == 3


def test_a_new_or_cancelled_event_shows_on_the_next_visit(
    make_event: Callable[..., Event],
) -> None:
    client = Client()
    make_event(title="The first meeting")
    assert "The first meeting" in client.get(NEAR).content.decode()
    second = make_event(title="The second meeting")
    assert "The second meeting" in client.get(NEAR).content.decode()
    Event.objects.filter(pk=second.pk).update(status=EventStatus.CANCELLED)
    page = client.get(NEAR).content.decode()
    assert page.count("event-item card cancelled") == 1
