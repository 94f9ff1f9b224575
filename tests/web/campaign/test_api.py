"""The campaign tracker's JSON API: each operation, with the pages' permissions.

A volunteer of another group gets a 404 for this group's meetings, notes,
members, promises, reports and tools, as on the pages; the public sees only
published positions and no friendliness; every change is recorded with who
made it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from freedomcities.web.accounts.models import ApiToken, Role
from freedomcities.web.campaign import actions
from freedomcities.web.campaign.models import (
    Answer,
    Change,
    Group,
    Meeting,
    Person,
    Promise,
    Report,
)
from freedomcities.web.jurisdictions.models import Jurisdiction
from freedomcities.web.scorecards.models import PolicyVersion
from tests.web.campaign.conftest import MESA, days_ago, hours_ago, plan_for
from tests.web.conftest import make_user

API = "/api/campaign"
NOTE = "Private: the aide was hostile."
MARICOPA = "ocd-division/country:us/state:az/county:maricopa"


class Caller:
    """Django's test client with one person's API token (or none, for the public)."""

    def __init__(self, user: User | None) -> None:
        self.client = Client()
        self.headers = {}
        if user is not None:
            self.headers["Authorization"] = f"Bearer {ApiToken.issue(user, 'tests')[1]}"

    def get(self, path: str, **query: Any) -> Any:
        return self.client.get(f"{API}{path}", query, headers=self.headers)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(
            f"{API}{path}", body or {}, content_type="application/json", headers=self.headers
        )

    def patch(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.patch(
            f"{API}{path}", body, content_type="application/json", headers=self.headers
        )


@pytest.fixture
def public() -> Caller:
    return Caller(None)


@pytest.fixture
def vera(volunteer: User) -> Caller:
    """A member of the Mesa group."""
    return Caller(volunteer)


@pytest.fixture
def olga(organizer: User) -> Caller:
    """The Mesa group's organizer."""
    return Caller(organizer)


@pytest.fixture
def otto(outsider: User) -> Caller:
    """A volunteer of another group, in Tempe."""
    return Caller(outsider)


@pytest.fixture
def sam(staff: User) -> Caller:
    """Affiliate staff."""
    return Caller(staff)


def _changes(subject: str, action: str) -> list[Change]:
    return list(Change.objects.filter(subject=subject, action=action))


# Groups and members ------------------------------------------------------------------------


def test_each_person_lists_their_own_groups_and_staff_list_all(
    vera: Caller, otto: Caller, sam: Caller, public: Caller, group: Group
) -> None:
    assert [g["name"] for g in vera.get("/groups").json()["items"]] == ["People Power Mesa"]
    assert [g["name"] for g in otto.get("/groups").json()["items"]] == ["People Power Tempe"]
    assert sam.get("/groups").json()["count"] == 2
    assert public.get("/groups").status_code == 401
    mesa = vera.get(f"/groups/{group.pk}").json()
    assert mesa["home"] == MESA
    assert [(c["ocd_id"], c["stage"]) for c in mesa["campaigns"]] == [(MESA, "researching")]


def test_an_organizer_starts_a_group_and_a_volunteer_may_not(
    olga: Caller, vera: Caller, organizer: User, arizona: Jurisdiction
) -> None:
    body = {"name": "Maricopa Rising", "state": "az", "home": MARICOPA}
    response = olga.post("/groups", body)
    assert response.status_code == 201, response.content
    made = response.json()
    assert (made["state"], made["home"]) == ("AZ", MARICOPA)
    assert Change.objects.filter(subject="group", subject_id=made["id"], user=organizer).exists()
    refused = vera.post("/groups", body)
    assert refused.status_code == 403
    assert "organizer role" in refused.json()["detail"]
    assert olga.post("/groups", {**body, "state": "ZZ"}).status_code == 400
    unknown = olga.post("/groups", {**body, "home": "ocd-division/nowhere"})
    assert unknown.status_code == 400 and "ocd-division/nowhere" in unknown.json()["detail"]


def test_organizers_add_campaigns_members_do_not_and_outsiders_see_nothing(
    olga: Caller, vera: Caller, otto: Caller, group: Group
) -> None:
    response = olga.post(f"/groups/{group.pk}/campaigns", {"jurisdiction": MARICOPA})
    assert response.status_code == 201
    assert [c["ocd_id"] for c in response.json()["campaigns"]] == [MARICOPA, MESA]
    assert Jurisdiction.objects.get(ocd_id=MARICOPA).stage == "researching"
    again = olga.post(f"/groups/{group.pk}/campaigns", {"jurisdiction": MARICOPA})
    assert again.status_code == 400 and "already campaigns" in again.json()["detail"]
    assert vera.post(f"/groups/{group.pk}/campaigns", {"jurisdiction": MESA}).status_code == 403
    assert otto.post(f"/groups/{group.pk}/campaigns", {"jurisdiction": MESA}).status_code == 404
    assert otto.get(f"/groups/{group.pk}").status_code == 404


def test_members_and_their_contacts_are_private_to_the_group(
    olga: Caller, vera: Caller, otto: Caller, sam: Caller, group: Group, outsider: User
) -> None:
    members = vera.get(f"/groups/{group.pk}/members").json()
    assert [(m["user"]["username"], m["role"]) for m in members] == [
        ("olga", "organizer"),
        ("vera", "member"),
    ]
    assert members[1]["phone"] == "555-0101"
    assert sam.get(f"/groups/{group.pk}/members").status_code == 200
    hidden = otto.get(f"/groups/{group.pk}/members")
    assert hidden.status_code == 404 and "555-0101" not in hidden.content.decode()

    added = olga.post(f"/groups/{group.pk}/members", {"who": "otto@example.org"})
    assert added.status_code == 201 and added.json()["role"] == "member"
    promoted = olga.post(f"/groups/{group.pk}/members", {"who": "otto", "role": "organizer"})
    assert promoted.status_code == 200 and promoted.json()["role"] == "organizer"
    logged = Change.objects.filter(subject="member", user__username="olga")
    assert sorted((c.action, c.details["role"]) for c in logged) == [
        ("added", "member"),
        ("role", "organizer"),
    ]
    assert vera.post(f"/groups/{group.pk}/members", {"who": "sam"}).status_code == 403
    nobody = olga.post(f"/groups/{group.pk}/members", {"who": "nobody"})
    assert nobody.status_code == 400 and "Nobody has signed up as nobody" in nobody.json()["detail"]


# Officials ---------------------------------------------------------------------------------


def test_officials_are_public_but_friendliness_is_the_groups(
    public: Caller, vera: Caller, otto: Caller, sam: Caller, chief: Person, mayor: Person
) -> None:
    listed = public.get(f"/jurisdictions/{MESA}/officials")
    assert listed.status_code == 200
    rows = {o["name"]: o for o in listed.json()}
    assert set(rows) == {"Ramon Batista", "John Giles"}
    assert rows["Ramon Batista"]["email"] == "chief@mesa.example"
    assert rows["Ramon Batista"]["memberships"][0]["role"] == "Police chief"
    assert all(o["friendliness"] is None for o in listed.json())
    assert all(
        o["friendliness"] is None for o in otto.get(f"/jurisdictions/{MESA}/officials").json()
    )
    mine = {
        o["name"]: o["friendliness"] for o in vera.get(f"/jurisdictions/{MESA}/officials").json()
    }
    assert mine == {"Ramon Batista": "undecided", "John Giles": "ally"}
    assert sam.get(f"/officials/{mayor.pk}").json()["friendliness"] == "ally"
    assert public.get(f"/officials/{mayor.pk}").json()["friendliness"] is None
    assert public.get("/jurisdictions/ocd-division/nowhere/officials").status_code == 404
    assert public.get("/officials/999999").status_code == 404


def test_organizers_list_officials_and_members_may_not(
    olga: Caller, vera: Caller, otto: Caller, sam: Caller, group: Group, organizer: User
) -> None:
    body = {
        "group": group.pk,
        "name": "Jennifer Duff",
        "role": "council_member",
        "label": "Council member, district 2",
        "email": "district2@mesa.example",
        "friendliness": "opposed",
        "start_date": "2021-01-04",
    }
    response = olga.post(f"/jurisdictions/{MESA}/officials", body)
    assert response.status_code == 201, response.content
    made = response.json()
    assert made["friendliness"] == "opposed"
    (office,) = made["memberships"]
    assert (office["area_id"], office["label"], office["role"]) == (
        MESA,
        "Council member, district 2",
        "Council member",
    )
    assert office["organization_id"] == "ocd-jurisdiction/country:us/state:az/place:mesa/government"
    assert (office["start_date"], office["end_date"]) == ("2021-01-04", None)
    assert office["person_id"] == made["id"] and isinstance(made["id"], str)
    pk = int(made["id"])
    assert Change.objects.filter(subject="person", subject_id=pk, user=organizer).exists()
    assert vera.post(f"/jurisdictions/{MESA}/officials", body).status_code == 403
    assert otto.post(f"/jurisdictions/{MESA}/officials", body).status_code == 400  # hidden group
    staff_added = sam.post(f"/jurisdictions/{MESA}/officials", {**body, "group": None})
    assert staff_added.status_code == 201
    assert olga.post(f"/jurisdictions/{MESA}/officials", {**body, "agency": 999}).status_code == 400
    texas = Jurisdiction.objects.create(
        ocd_id="ocd-division/country:us/state:tx", kind="state", name="Texas", state="TX"
    )
    elsewhere = olga.post(f"/jurisdictions/{texas.ocd_id}/officials", body)
    assert elsewhere.status_code == 400 and "campaigns in AZ" in elsewhere.json()["detail"]
    bad_email = olga.post(f"/jurisdictions/{MESA}/officials", {**body, "email": "not an address"})
    assert bad_email.status_code == 422 and "valid e-mail" in bad_email.content.decode()


def test_an_official_is_edited_by_their_groups_organizers_with_each_change_recorded(
    olga: Caller, vera: Caller, otto: Caller, chief: Person, organizer: User
) -> None:
    changed = olga.patch(f"/officials/{chief.pk}", {"friendliness": "opposed", "email": ""})
    assert changed.status_code == 200
    assert (changed.json()["friendliness"], changed.json()["email"]) == ("opposed", None)
    phones = [c["value"] for c in changed.json()["contact_details"] if c["type"] == "voice"]
    assert phones == ["480-555-0100"]  # not sent, so kept
    edit = Change.objects.get(subject="person", subject_id=chief.pk, action="edited")
    assert edit.user == organizer
    assert edit.details["friendliness"] == ["undecided", "opposed"]
    assert vera.patch(f"/officials/{chief.pk}", {"phone": "1"}).status_code == 403
    assert otto.patch(f"/officials/{chief.pk}", {"phone": "1"}).status_code == 403
    left = olga.patch(f"/officials/{chief.pk}", {"left_office_on": days_ago(1).isoformat()})
    assert left.json()["memberships"][0]["end_date"] == days_ago(1).isoformat()
    assert olga.get(f"/jurisdictions/{MESA}/officials").json() == []


# Stages and the board ----------------------------------------------------------------------


def test_the_stage_is_public_and_set_by_organizers_or_staff(
    public: Caller, olga: Caller, vera: Caller, sam: Caller, group: Group, organizer: User
) -> None:
    stage = public.get(f"/jurisdictions/{MESA}/stage").json()
    assert (stage["stage"], stage["can_set"]) == ("researching", False)
    assert olga.get(f"/jurisdictions/{MESA}/stage").json()["can_set"] is True
    response = olga.post(f"/jurisdictions/{MESA}/stage", {"stage": "stalled"})
    assert response.status_code == 200 and response.json()["stage"] == "stalled"
    logged = Change.objects.get(subject="stage", action="set")
    assert (logged.user, logged.details) == (
        organizer,
        {"before": "researching", "after": "stalled"},
    )
    assert vera.post(f"/jurisdictions/{MESA}/stage", {"stage": "met"}).status_code == 403
    assert public.post(f"/jurisdictions/{MESA}/stage", {"stage": "met"}).status_code == 401
    assert sam.post(f"/jurisdictions/{MESA}/stage", {"stage": ""}).status_code == 400
    assert sam.post(f"/jurisdictions/{MESA}/stage", {"stage": "won"}).status_code == 422
    board = public.get("/board", state="az").json()
    assert [(p["ocd_id"], p["stage"]) for p in board["items"]] == [(MESA, "stalled")]
    assert public.get("/board", state="NY").json()["count"] == 0


# Meetings ----------------------------------------------------------------------------------


def _plan(chief: Person, volunteer: User, **changes: Any) -> dict[str, Any]:
    return {
        "jurisdiction": MESA,
        "requested_on": days_ago(3).isoformat(),
        "request_note": "Called the chief's office.",
        "officials": [chief.pk],
        "attendees": [volunteer.pk],
        "note_taker": volunteer.pk,
        **changes,
    }


def test_a_member_plans_a_meeting_with_an_agenda_drafted_missing_rules_first(
    vera: Caller,
    group: Group,
    chief: Person,
    volunteer: User,
    published_scorecard: PolicyVersion,
) -> None:
    response = vera.post(f"/groups/{group.pk}/meetings", _plan(chief, volunteer))
    assert response.status_code == 201, response.content
    meeting = response.json()
    assert meeting["status"] == "requested"
    assert [o["name"] for o in meeting["officials"]] == ["Ramon Batista"]
    assert meeting["note_taker"]["username"] == "vera"
    agenda = meeting["agenda"]
    missing, in_place = agenda.index("Rules not in place yet"), agenda.index("already in place")
    assert missing < agenda.index("Rule 1,") < in_place < agenda.index("Rule 4,")
    assert "Why:" in agenda[missing:in_place]
    assert Jurisdiction.objects.get(ocd_id=MESA).stage == "meeting_requested"
    assert Change.objects.filter(subject="meeting", action="planned", user=volunteer).exists()


Edit = Callable[[Person, Any], dict[str, Any]]
"""Changes to a valid request body, given the chief and another person."""


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (lambda _chief, _staff: {"officials": [999999]}, "No official has the id 999999"),
        (lambda _chief, staff: {"attendees": [staff.pk]}, "must be in the group"),
        (lambda _chief, _staff: {"jurisdiction": MARICOPA}, "does not campaign in Maricopa"),
        (lambda _chief, _staff: {"requested_on": "2100-01-01"}, "cannot be in the future"),
        (lambda _chief, _staff: {"status": "held"}, "Choose requested, no answer, refused"),
        (lambda _chief, _staff: {"status": "scheduled"}, "Give the date and time"),
    ],
)
def test_a_bad_plan_is_refused_with_a_message(
    vera: Caller,
    group: Group,
    chief: Person,
    volunteer: User,
    staff: User,
    changes: Edit,
    message: str,
) -> None:
    body = _plan(chief, volunteer, **changes(chief, staff))
    response = vera.post(f"/groups/{group.pk}/meetings", body)
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_meetings_and_their_notes_are_for_the_group_and_staff(
    vera: Caller, otto: Caller, sam: Caller, public: Caller, held_meeting: Meeting, group: Group
) -> None:
    listed = vera.get("/meetings", group=group.pk)
    assert [m["id"] for m in listed.json()["items"]] == [held_meeting.pk]
    assert otto.get("/meetings").json()["count"] == 0
    assert otto.get("/meetings", group=group.pk).json()["count"] == 0
    assert vera.get(f"/meetings/{held_meeting.pk}").json()["notes"] == NOTE
    assert sam.get(f"/meetings/{held_meeting.pk}").json()["notes"] == NOTE
    hidden = otto.get(f"/meetings/{held_meeting.pk}")
    assert hidden.status_code == 404 and NOTE not in hidden.content.decode()
    assert public.get(f"/meetings/{held_meeting.pk}").status_code == 401
    answers = vera.get(f"/meetings/{held_meeting.pk}").json()["answers"]
    assert [(a["rule"], a["support"]) for a in answers] == [("1", "evasive"), ("5", "yes")]


def test_a_meeting_plan_changes_only_in_the_fields_sent(
    vera: Caller, otto: Caller, meeting: Meeting, volunteer: User
) -> None:
    response = vera.patch(f"/meetings/{meeting.pk}", {"place": "City hall", "agenda": "Rule 5"})
    assert response.status_code == 200, response.content
    changed = response.json()
    assert (changed["place"], changed["agenda"], changed["status"]) == (
        "City hall",
        "Rule 5",
        "scheduled",
    )
    assert changed["note_taker"]["username"] == "vera"
    assert changed["request_note"] == "E-mailed the chief's office."
    cleared = vera.patch(f"/meetings/{meeting.pk}", {"note_taker": None}).json()
    assert cleared["note_taker"] is None and cleared["officials"]
    assert Change.objects.filter(subject="meeting", action="edited", user=volunteer).count() == 2
    assert otto.patch(f"/meetings/{meeting.pk}", {"place": "x"}).status_code == 404
    redrafted = vera.post(f"/meetings/{meeting.pk}/agenda")
    assert redrafted.status_code == 200 and "Rules not in place yet" in redrafted.json()["agenda"]


def _outcome(meeting: Meeting, chief: Person, volunteer: User, **changes: Any) -> dict[str, Any]:
    return {
        "revision": meeting.revision,
        "held_at": hours_ago(2).isoformat(),
        "answers": [
            {"official": chief.pk, "rule": "5", "in_place": "practice", "support": "yes"},
            {"official": chief.pk, "rule": "1", "in_place": "no", "support": "evasive"},
        ],
        "promises": [
            {
                "text": "Send the written policy",
                "due_on": days_ago(-14).isoformat(),
                "official": chief.pk,
                "owner": volunteer.pk,
            }
        ],
        "notes": "The chief was friendly; his aide was not.",
        "point_of_contact": chief.pk,
        "next_meeting_on": days_ago(-30).isoformat(),
        **changes,
    }


def test_the_outcome_records_answers_and_promises_and_a_stale_one_is_409(
    vera: Caller, olga: Caller, meeting: Meeting, chief: Person, volunteer: User
) -> None:
    body = _outcome(meeting, chief, volunteer)
    response = vera.post(f"/meetings/{meeting.pk}/outcome", body)
    assert response.status_code == 200, response.content
    held = response.json()
    assert (held["status"], held["revision"]) == ("held", meeting.revision + 1)
    assert [(a["rule"], a["support"]) for a in held["answers"]] == [("1", "evasive"), ("5", "yes")]
    assert held["promises"][0]["official_name"] == "Ramon Batista"
    assert held["point_of_contact"]["id"] == chief.pk
    assert Jurisdiction.objects.get(ocd_id=MESA).stage == "commitments"
    assert len(_changes("answer", "recorded")) == 2
    assert all(c.user == volunteer for c in _changes("answer", "recorded"))
    assert len(_changes("promise", "made")) == 1

    stale = olga.post(f"/meetings/{meeting.pk}/outcome", {**body, "notes": "overwritten"})
    assert stale.status_code == 409
    assert stale.json()["revision"] == meeting.revision + 1
    assert "already saved" in stale.json()["detail"]
    assert Meeting.objects.get(pk=meeting.pk).notes.startswith("The chief was friendly")

    cleared = {"official": chief.pk, "rule": "1"}
    again = {**body, "revision": meeting.revision + 1, "answers": [cleared], "promises": []}
    assert vera.post(f"/meetings/{meeting.pk}/outcome", again).status_code == 200
    assert list(Answer.objects.values_list("rule_id", flat=True)) == ["5"]
    assert len(_changes("answer", "cleared")) == 1


@pytest.mark.parametrize(
    ("changes", "status", "message"),
    [
        (
            lambda _chief, mayor: {"answers": [{"official": mayor.pk, "rule": "5"}]},
            400,
            "not at this meeting",
        ),
        (
            lambda chief, _mayor: {"answers": [{"official": chief.pk, "rule": "5"}] * 2},
            400,
            "answered twice",
        ),
        (
            lambda chief, _mayor: {"answers": [{"official": chief.pk, "rule": "42"}]},
            400,
            "There is no rule 42",
        ),
        (lambda _c, _m: {"held_at": "2100-01-01T10:00:00"}, 400, "in the future"),
        (lambda _c, _m: {"held_at": "0001-01-01T00:00:00+14:00"}, 422, "between 1900 and 2200"),
        (lambda _c, _m: {"next_meeting_on": "2000-01-01"}, 400, "must come after"),
        (lambda _c, _m: {"promises": [{"text": "", "due_on": "2030-01-01"}]}, 422, "at least 1"),
        (lambda _c, _m: {"notes": "a\x00b"}, 422, "NUL"),
    ],
)
def test_a_bad_outcome_is_refused_with_a_message_and_nothing_changes(
    vera: Caller,
    meeting: Meeting,
    chief: Person,
    volunteer: User,
    mayor: Person,
    changes: Edit,
    status: int,
    message: str,
) -> None:
    body = _outcome(meeting, chief, volunteer, **changes(chief, mayor))
    response = vera.post(f"/meetings/{meeting.pk}/outcome", body)
    assert response.status_code == status, response.content
    assert message in response.content.decode()
    assert Meeting.objects.get(pk=meeting.pk).status == "scheduled"
    assert not Answer.objects.exists()


# Positions ---------------------------------------------------------------------------------


def _positions(caller: Caller, person: Person) -> dict[str, Any]:
    response = caller.get(f"/officials/{person.pk}/positions")
    assert response.status_code == 200
    return {row["rule"]: row for row in response.json()}


def test_the_public_sees_only_published_positions(
    public: Caller, otto: Caller, vera: Caller, sam: Caller, report: Report, chief: Person
) -> None:
    assert all(row["position"] is None for row in _positions(public, chief).values())
    assert all(row["position"] is None for row in _positions(otto, chief).values())
    mine = _positions(vera, chief)
    assert mine["1"]["position"]["support"] == "evasive"
    assert mine["5"]["position"]["note"] == "Will put it in writing"
    assert mine["1"]["position"]["meeting"] == report.meeting_id
    assert mine["1"]["position"]["published"] is False

    accepted = sam.post(f"/reports/{report.pk}/accept", {"publish": True})
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    seen = _positions(public, chief)
    assert seen["1"]["position"]["support"] == "evasive"
    assert seen["1"]["position"]["published"] is True
    assert seen["1"]["position"]["meeting"] is None  # the meeting itself stays private
    assert seen["1"]["history"] == [seen["1"]["position"]]
    assert seen["4"]["position"] is None and seen["4"]["name"]


def test_an_earlier_answer_stays_in_the_history(
    vera: Caller, held_meeting: Meeting, chief: Person, group: Group, volunteer: User
) -> None:
    later = actions.plan_meeting(
        group,
        plan_for(held_meeting.jurisdiction, requested_on=days_ago(1), officials=[chief.pk]),
        by=volunteer,
    )
    body = {
        "revision": 0,
        "held_at": hours_ago(1).isoformat(),
        "answers": [{"official": chief.pk, "rule": "1", "in_place": "no", "support": "yes"}],
    }
    assert vera.post(f"/meetings/{later.pk}/outcome", body).status_code == 200
    rule = _positions(vera, chief)["1"]
    assert [a["support"] for a in rule["history"]] == ["evasive", "yes"]
    assert rule["position"]["meeting"] == later.pk


# Report-backs ------------------------------------------------------------------------------


def test_a_member_sends_the_report_back_and_staff_review_it_in_the_queue(
    vera: Caller, sam: Caller, held_meeting: Meeting, volunteer: User, staff: User
) -> None:
    response = vera.post(f"/meetings/{held_meeting.pk}/report", {"summary": "We met the chief."})
    assert response.status_code == 201, response.content
    report = response.json()
    assert (report["state"], report["submitted_by"]) == ("submitted", "vera")
    assert "We met the chief." in report["share_text"] and NOTE not in report["share_text"]
    assert Meeting.objects.get(pk=held_meeting.pk).status == "reported"
    again = vera.post(f"/meetings/{held_meeting.pk}/report", {"summary": "Again"})
    assert again.status_code == 400 and "already sent" in again.json()["detail"]

    queue = sam.get("/reports", state="AZ").json()
    assert [r["id"] for r in queue["items"]] == [report["id"]]
    assert sam.get("/reports", show="accepted").json()["count"] == 0
    assert vera.get("/reports").status_code == 403
    assert vera.post(f"/reports/{report['id']}/accept", {"publish": True}).status_code == 403

    returned = sam.post(f"/reports/{report['id']}/return", {"note": "Which rules did he back?"})
    assert returned.status_code == 200 and returned.json()["staff_note"].startswith("Which")
    assert sam.post(f"/reports/{report['id']}/return", {"note": "Again?"}).status_code == 409
    assert (
        vera.post(f"/meetings/{held_meeting.pk}/report", {"summary": "Rule 5."}).status_code == 201
    )
    done = sam.post(f"/reports/{report['id']}/accept", {"publish": False, "note": "Thanks"})
    assert done.status_code == 200 and done.json()["reviewed_by"] == "sam"
    assert not Answer.objects.filter(published_at__isnull=False).exists()
    history = [(c.action, c.user) for c in Change.objects.filter(subject="report").order_by("pk")]
    assert history == [
        ("submitted", volunteer),
        ("returned", staff),
        ("submitted", volunteer),
        ("accepted", staff),
    ]


def test_returning_a_report_needs_a_note(sam: Caller, report: Report) -> None:
    response = sam.post(f"/reports/{report.pk}/return", {"note": "  "})
    assert response.status_code == 400 and "Say what the group" in response.json()["detail"]


# Promises ----------------------------------------------------------------------------------


def test_promises_are_listed_added_and_updated_by_the_group(
    vera: Caller, otto: Caller, sam: Caller, promise: Promise, group: Group, volunteer: User
) -> None:
    listed = vera.get("/promises", group=group.pk).json()
    assert [p["text"] for p in listed["items"]] == ["Send the written policy"]
    assert sam.get("/promises").json()["count"] == 1
    assert otto.get("/promises").json()["count"] == 0
    body = {"text": "Call the chief's aide", "due_on": days_ago(-3).isoformat()}
    made = vera.post(f"/groups/{group.pk}/promises", {**body, "owner": volunteer.pk})
    assert made.status_code == 201 and made.json()["owner"]["username"] == "vera"
    past = vera.post(f"/groups/{group.pk}/promises", {**body, "due_on": days_ago(1).isoformat()})
    assert past.status_code == 400 and "in the past" in past.json()["detail"]

    done = vera.patch(f"/promises/{promise.pk}", {"state": "done"})
    assert done.status_code == 200 and done.json()["state"] == "done"
    update = Change.objects.get(subject="promise", subject_id=promise.pk, action="updated")
    assert (update.user, update.details["after"]["state"]) == (volunteer, "done")
    Promise.objects.filter(pk=promise.pk).update(state="open", due_on=days_ago(2))
    overdue = vera.get("/promises", overdue="true").json()["items"]
    assert [(p["id"], p["overdue"]) for p in overdue] == [(promise.pk, True)]


# Next steps and drafts ---------------------------------------------------------------------


def test_an_evasive_answer_brings_suggested_tactics(
    vera: Caller, otto: Caller, held_meeting: Meeting, group: Group, chief: Person
) -> None:
    response = vera.get(f"/groups/{group.pk}/next-steps")
    assert response.status_code == 200
    suggestions = response.json()
    assert suggestions and all(s["official"] == chief.pk for s in suggestions)
    assert any("was evasive on" in fact for fact in suggestions[0]["facts"])
    assert suggestions[0]["tactic"]["steps"] and suggestions[0]["reason"]
    assert otto.get(f"/groups/{group.pk}/next-steps").status_code == 404


def test_a_letter_is_drafted_from_the_facts_and_checked_for_language(
    vera: Caller, otto: Caller, held_meeting: Meeting, group: Group, chief: Person
) -> None:
    response = vera.get(f"/groups/{group.pk}/drafts/letter", official=chief.pk)
    assert response.status_code == 200, response.content
    letter = response.json()
    assert letter["official"] == chief.pk and "Ramon Batista" in letter["text"]
    assert letter["flags"] == []
    unknown = vera.get(f"/groups/{group.pk}/drafts/poem")
    assert unknown.status_code == 400 and "Letter to an official" in unknown.json()["detail"]
    assert vera.get(f"/groups/{group.pk}/drafts/letter", official=999).status_code == 400
    assert otto.get(f"/groups/{group.pk}/drafts/letter").status_code == 404
    flags = vera.post("/language-check", {"text": "Stop holding illegal aliens for ICE."}).json()
    assert [(f["phrase"], f["start"]) for f in flags] == [("illegal aliens", 13)]
    assert "undocumented people" in flags[0]["suggestion"]


# Privacy and the record of changes ---------------------------------------------------------


def _private_reads(group: Group, meeting: Meeting, report: Report, promise: Promise) -> list[str]:
    """Every read that shows a group's private things."""
    return [
        f"/groups/{group.pk}",
        f"/groups/{group.pk}/members",
        f"/groups/{group.pk}/changes",
        f"/groups/{group.pk}/next-steps",
        f"/groups/{group.pk}/drafts/letter",
        f"/meetings/{meeting.pk}",
        f"/promises/{promise.pk}",
        f"/reports/{report.pk}",
    ]


def _private_writes(group: Group, meeting: Meeting, report: Report, promise: Promise) -> list[Any]:
    """Every write on a group's private things, with a body that would otherwise pass."""
    due = days_ago(-5).isoformat()
    return [
        ("post", f"/groups/{group.pk}/members", {"who": "otto", "role": "organizer"}),
        ("post", f"/groups/{group.pk}/campaigns", {"jurisdiction": MARICOPA}),
        ("post", f"/groups/{group.pk}/promises", {"text": "x", "due_on": due}),
        ("post", f"/groups/{group.pk}/meetings", {"jurisdiction": MESA, "requested_on": due}),
        ("patch", f"/meetings/{meeting.pk}", {"place": "x"}),
        ("post", f"/meetings/{meeting.pk}/agenda", {}),
        ("post", f"/meetings/{meeting.pk}/outcome", {"revision": 1, "held_at": due}),
        ("post", f"/meetings/{meeting.pk}/report", {"summary": "x"}),
        ("patch", f"/promises/{promise.pk}", {"state": "dropped"}),
        ("post", f"/reports/{report.pk}/accept", {"publish": True}),
        ("post", f"/reports/{report.pk}/return", {"note": "x"}),
    ]


def test_a_volunteer_of_another_group_cannot_read_this_groups_notes(
    otto: Caller, group: Group, held_meeting: Meeting, report: Report, promise: Promise
) -> None:
    for path in _private_reads(group, held_meeting, report, promise):
        response = otto.get(path)
        assert response.status_code == 404, path
        body = response.content.decode()
        assert NOTE not in body and "555-0101" not in body, path
    for method, path, body in _private_writes(group, held_meeting, report, promise):
        assert getattr(otto, method)(path, body).status_code == 404, path
    assert Meeting.objects.get(pk=held_meeting.pk).notes == NOTE
    assert Promise.objects.get(pk=promise.pk).state == "open"
    assert Report.objects.get(pk=report.pk).state == "submitted"
    assert not Answer.objects.filter(published_at__isnull=False).exists()
    assert not group.memberships.filter(user__username="otto").exists()
    assert not Change.objects.filter(user__username="otto").exists()


def test_private_things_need_a_token_and_staff_see_them_all(
    public: Caller,
    sam: Caller,
    group: Group,
    held_meeting: Meeting,
    report: Report,
    promise: Promise,
) -> None:
    for path in _private_reads(group, held_meeting, report, promise):
        assert public.get(path).status_code == 401, path
        assert sam.get(path).status_code == 200, path
    bad = Client().get(f"{API}/board", headers={"Authorization": "Bearer fc_not-a-key"})
    assert bad.status_code == 401


def test_a_public_account_is_refused_even_when_listed_in_a_group(
    group: Group, held_meeting: Meeting
) -> None:
    reader = make_user("pat", Role.PUBLIC)
    group.memberships.create(user=reader)
    response = Caller(reader).get(f"/meetings/{held_meeting.pk}")
    assert response.status_code == 403 and "Volunteer" in response.json()["detail"]


def test_every_change_is_recorded_with_who_and_when(
    vera: Caller, otto: Caller, sam: Caller, meeting: Meeting, chief: Person, group: Group
) -> None:
    volunteer = User.objects.get(username="vera")
    outcome = _outcome(meeting, chief, volunteer)
    assert vera.post(f"/meetings/{meeting.pk}/outcome", outcome).status_code == 200
    report = vera.post(f"/meetings/{meeting.pk}/report", {"summary": "Met."}).json()
    assert sam.post(f"/reports/{report['id']}/accept", {"publish": True}).status_code == 200
    history = vera.get(f"/groups/{group.pk}/changes", limit=100).json()
    kinds = {(c["subject"], c["action"], c["user"]) for c in history["items"]}
    assert {
        ("answer", "recorded", "vera"),
        ("promise", "made", "vera"),
        ("meeting", "held", "vera"),
        ("stage", "advanced", "vera"),
        ("report", "submitted", "vera"),
        ("report", "accepted", "sam"),
    } <= kinds
    assert all(c["at"] for c in history["items"])
    answers = vera.get(f"/groups/{group.pk}/changes", subject="answer").json()
    assert answers["count"] == 2
    published = Change.objects.get(subject="report", action="accepted")
    assert published.details == {"published": 2}
    assert timezone.now() - published.at < datetime.timedelta(minutes=1)


def test_bad_ids_and_input_are_clear_errors_not_server_errors(
    vera: Caller, group: Group, meeting: Meeting
) -> None:
    assert vera.get(f"/meetings/{2**63}").status_code == 422
    assert vera.get("/meetings/0").status_code == 422
    assert vera.get("/meetings/abc").status_code == 422
    assert vera.get("/meetings/999999").status_code == 404
    assert vera.post(f"/groups/{group.pk}/promises", {"text": "x"}).status_code == 422
    long_place = vera.patch(f"/meetings/{meeting.pk}", {"place": "x" * 301})
    assert long_place.status_code == 422
    surrogate = vera.client.post(
        f"{API}/language-check",
        '{"text": "\\ud800"}',
        content_type="application/json",
        headers=vera.headers,
    )
    assert surrogate.status_code == 422


@pytest.mark.parametrize("body", [[None, None], '"hello"', 5, {"phone": "1", "unknown": "x"}])
def test_a_body_that_is_not_the_documented_object_is_refused_and_nothing_changes(
    olga: Caller, chief: Person, body: Any
) -> None:
    response = olga.patch(f"/officials/{chief.pk}", body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"]
    chief.refresh_from_db()
    assert chief.phone == "480-555-0100"
