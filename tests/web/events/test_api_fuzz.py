"""Fuzz the events API from its OpenAPI schema: no input may cause a server error."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from freedomcities.web.accounts.models import ApiToken
from freedomcities.web.api import api
from freedomcities.web.events.models import Event


def _events_schema() -> schemathesis.BaseSchema:
    """The events operations of the API that serves them (the main one once it mounts them)."""
    from tests.web.events import urls

    serving = getattr(urls, "standalone", api)
    loaded = schemathesis.openapi.from_dict(serving.get_openapi_schema(path_prefix="/api/"))
    loaded.app = WSGIHandler()
    return loaded.include(path_regex="^/api/events")


schema = _events_schema()


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """Stop each request from closing the test's database connection, as Django's Client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@schema.given(on_real_data=st.booleans(), with_token=st.booleans())
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,  # patterns on dates and text narrow what is valid
    ],
)
def test_no_input_causes_a_server_error(
    case: schemathesis.Case,
    make_event: Callable[..., Event],
    organizer: User,
    on_real_data: bool,
    with_token: bool,
) -> None:
    event = make_event()
    params = case.path_parameters or {}
    if on_real_data and "key" in params:
        params["key"] = str(event.uuid)
    headers = {}
    if with_token:
        headers["Authorization"] = f"Bearer {ApiToken.issue(organizer, 'fuzz')[1]}"
    response = case.call(headers=headers)
    case.validate_response(response, checks=[not_a_server_error])
