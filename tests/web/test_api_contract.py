"""Schemathesis, with every check on, holds the live app to its own OpenAPI schema.

It reads /api/openapi.json from a running server and sends generated requests, valid and
invalid, to every operation with a staff member's token: answers must have documented
status codes, content types, headers and shapes; invalid requests must be refused and valid
ones accepted (see schemathesis.toml beside this file for the one setting changed). The run
is bounded (one phase, a few examples per operation, a fixed seed) to keep CI quick;
docs/api.md gives the command for the full run.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from openapi_spec_validator import OpenAPIV31SpecValidator
from pytest_django.live_server_helper import LiveServer

from freedomcities.web.accounts.models import ApiToken
from freedomcities.web.jurisdictions.models import Agency

CONFIG = Path(__file__).with_name("schemathesis.toml")
CLI = Path(sys.executable).with_name("schemathesis")


@pytest.mark.django_db
def test_openapi_spec_validator_finds_the_schema_valid(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    assert list(OpenAPIV31SpecValidator(schema).iter_errors()) == []
    operations = [op for ops in schema["paths"].values() for op in ops.values()]
    assert len(operations) >= 50
    taking_input = [op for op in operations if op.get("parameters") or op.get("requestBody")]
    assert all("422" in op["responses"] for op in taking_input)


@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_failure_with_every_check(
    live_server: LiveServer, mesa_police: Agency, staff: User, tmp_path: Path
) -> None:
    _token, key = ApiToken.issue(staff, "schemathesis")
    done = subprocess.run(
        [
            str(CLI),
            "--config-file",
            str(CONFIG),
            "run",
            f"{live_server.url}/api/openapi.json",
            "--checks",
            "all",
            "--phases",
            "fuzzing",
            "--max-examples",
            "6",
            "--seed",
            "20261204",
            "--header",
            f"Authorization: Bearer {key}",
            "--suppress-health-check",
            "filter_too_much",
            "--request-timeout",
            "30",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,  # schemathesis keeps a cache in the folder it runs in
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    summary = done.stdout[done.stdout.find("SUMMARY") :]
    (counts,) = [line for line in summary.splitlines() if " generated, " in line]
    generated, passed = re.findall(r"(\d+) (?:generated|passed)", counts)
    assert int(generated) >= 200 and passed == generated, summary
