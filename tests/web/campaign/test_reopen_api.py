"""Asking to reopen a reported meeting through the API, as the meeting's page does."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from freedomcities.web.accounts.models import Role
from freedomcities.web.campaign.models import MeetingStatus, ReopenRequest, Report
from tests.web.campaign.conftest import client_for
from tests.web.campaign.test_api import Caller
from tests.web.conftest import make_user

pytestmark = pytest.mark.django_db
REASON = "The chief's answer on rule 5 was written down wrong."


def test_a_member_asks_to_reopen_and_the_request_waits_for_staff(
    report: Report, volunteer: User
) -> None:
    vera = Caller(volunteer)
    meeting = report.meeting
    asked = vera.post(f"/meetings/{meeting.pk}/reopen-requests", {"reason": REASON})
    assert asked.status_code == 201, asked.content
    body = asked.json()
    assert body["meeting"] == meeting.pk and body["reason"] == REASON
    assert body["requested_by"] == volunteer.username and body["granted"] is None
    stored = ReopenRequest.objects.get(pk=body["id"])
    assert stored.requested_by == volunteer and stored.granted is None
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.REPORTED  # locked until staff decide

    again = vera.post(f"/meetings/{meeting.pk}/reopen-requests", {"reason": REASON})
    assert again.status_code == 400 and "already waiting" in again.json()["detail"]


@pytest.mark.parametrize(
    ("body", "status"),
    [({"reason": "   "}, 400), ({}, 422), ({"reason": REASON, "granted": True}, 422)],
)
def test_a_request_needs_a_reason_and_nothing_else(
    report: Report, volunteer: User, body: dict[str, object], status: int
) -> None:
    answer = Caller(volunteer).post(f"/meetings/{report.meeting.pk}/reopen-requests", body)
    assert answer.status_code == status
    assert not ReopenRequest.objects.exists()


def test_the_page_refuses_what_the_api_refuses(report: Report, volunteer: User) -> None:
    meeting = report.meeting
    too_long = "x" * 20_001  # the input type's bound, the same for both doors
    answer = Caller(volunteer).post(f"/meetings/{meeting.pk}/reopen-requests", {"reason": too_long})
    assert answer.status_code == 422
    page = client_for(volunteer).post(
        f"/meetings/{meeting.pk}/reopen/", {"reason": too_long}, follow=True
    )
    assert "reason: String should have at most 20000 characters" in page.content.decode()
    assert not ReopenRequest.objects.exists()


def test_outsiders_cannot_ask(report: Report) -> None:
    stranger = make_user("stella", Role.VOLUNTEER)
    path = f"/meetings/{report.meeting.pk}/reopen-requests"
    assert Caller(stranger).post(path, {"reason": REASON}).status_code == 404
    assert Caller(None).post(path, {"reason": REASON}).status_code == 401
    assert not ReopenRequest.objects.exists()


def test_the_operation_is_in_the_openapi_schema() -> None:
    schema = Client().get("/api/openapi.json").json()
    operation = schema["paths"]["/api/campaign/meetings/{meeting_id}/reopen-requests"]["post"]
    assert {"201", "400", "401", "404"} <= set(operation["responses"])
    body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body.endswith("/ReopenIn")
    assert "reason" in schema["components"]["schemas"]["ReopenIn"]["required"]
