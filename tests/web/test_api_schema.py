"""Fuzz every API operation from its own OpenAPI schema: no input may cause a server error.

Schemathesis generates requests from ``/api/openapi.json`` and sends them to the app
in-process over WSGI. Half of the examples are steered onto real data (a seeded
agency, an analysed draft, a real rule id and the current revision), and most carry
a real token, so the writes get past 401/404 and exercise the actions behind them.
Responses must also match their documented schemas.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from freedomcities.web.accounts.models import ApiToken, Profile
from freedomcities.web.jurisdictions.models import Agency
from freedomcities.web.scorecards.actions import confirm_remaining, upload_version
from freedomcities.web.scorecards.models import PolicyVersion

SAMPLE_TEXT = b"415.1 POLICY\nOfficers shall not ask about immigration status.\n"
MESA = "ocd-division/country:us/state:az/place:mesa"
MAX_EXAMPLES = 30

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", WSGIHandler())


@dataclass(frozen=True)
class Seeded:
    """The real rows and keys that steered examples point at."""

    agency: Agency
    version: PolicyVersion
    keys: dict[str, str]


@pytest.fixture
def seeded(mesa_police: Agency, django_capture_on_commit_callbacks: Callable[..., Any]) -> Seeded:
    """A jurisdiction, an agency, an analysed and confirmed draft, and a token for each role.

    The draft's rules are all confirmed, so a steered publish can succeed too.
    """
    users = {role: _user(role) for role in ("volunteer", "staff")}
    with django_capture_on_commit_callbacks(execute=True):
        version = upload_version(
            mesa_police,
            SimpleUploadedFile("policy.txt", SAMPLE_TEXT),
            obtained="sample",
            policy_date=datetime.date(2024, 1, 1),
            user=users["volunteer"],
        )
    confirm_remaining(version, user=users["staff"], revision=0)
    keys = {role: ApiToken.issue(user, "fuzz")[1] for role, user in users.items()}
    return Seeded(agency=mesa_police, version=version, keys=keys)


def _user(role: str) -> User:
    """A user of this role, with no password (hashing one costs about a second)."""
    user = User.objects.create_user(f"fuzz-{role}")
    Profile.objects.create(user=user, role=role)
    return user


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """Stop each request from closing the test's database connection, as Django's Client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def steer(case: schemathesis.Case[Any], seeded: Seeded) -> None:
    """Point a generated request at the seeded rows, with a real rule and the current revision."""
    version = PolicyVersion.objects.get(pk=seeded.version.pk)
    params = case.path_parameters or {}
    for name, value in (("agency_id", seeded.agency.pk), ("version_id", version.pk)):
        if name in params:
            params[name] = value
    if "ocd_id" in params:
        params["ocd_id"] = MESA
    if isinstance(case.body, dict):
        if "revision" in case.body:
            case.body["revision"] = version.revision
        if "rule" in case.body:
            case.body["rule"] = "3"
            case.body["reason"] = "Checked against section 415.4."
        if "jurisdiction" in case.body:
            case.body["jurisdiction"] = MESA


@pytest.mark.django_db
@schema.parametrize()
@schema.given(
    on_real_data=st.booleans(), who=st.sampled_from(["staff", "staff", "volunteer", "", "bad"])
)
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,  # patterns on dates and text narrow what is valid
    ],
)
def test_no_input_causes_a_server_error(
    case: schemathesis.Case[Any], seeded: Seeded, on_real_data: bool, who: str
) -> None:
    if on_real_data:
        steer(case, seeded)
    headers = {}
    if who:
        key = seeded.keys.get(who, "fc_not-a-key")
        headers["Authorization"] = f"Bearer {key}"
    response = case.call(headers=headers)
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
