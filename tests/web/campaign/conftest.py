"""Campaign fixtures: a Mesa group with an organizer and a volunteer, its officials, a meeting.

``vera`` (the volunteer of ``tests/web/conftest.py``) is a member of the Mesa
group; ``olga`` organizes it; ``otto`` is a volunteer of another group, in Tempe.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from freedomcities.web.accounts.models import Role
from freedomcities.web.campaign import actions
from freedomcities.web.campaign.inputs import (
    AnswerIn,
    GroupIn,
    OfficialIn,
    OutcomeIn,
    PlanIn,
    ReportIn,
)
from freedomcities.web.campaign.models import (
    Group,
    GroupMember,
    GroupRole,
    Meeting,
    Person,
    PostRole,
    Promise,
    Report,
)
from freedomcities.web.jurisdictions.models import Agency, Jurisdiction, Kind
from freedomcities.web.scorecards.models import Obtained, Policy, PolicyVersion, RuleResult
from tests.web.conftest import make_user

MESA = "ocd-division/country:us/state:az/place:mesa"


def client_for(user: User) -> Client:
    """A test client signed in as the user."""
    client = Client()
    client.force_login(user)
    return client


def days_ago(days: int) -> datetime.date:
    """A date in the past, in the app's time zone."""
    return timezone.localdate() - datetime.timedelta(days=days)


def hours_ago(hours: int) -> datetime.datetime:
    """A moment in the past."""
    return timezone.now() - datetime.timedelta(hours=hours)


@pytest.fixture
def mesa(arizona: Jurisdiction) -> Jurisdiction:
    return Jurisdiction.objects.get(ocd_id=MESA)


@pytest.fixture
def organizer(db: None) -> User:
    return make_user("olga", Role.ORGANIZER)


@pytest.fixture
def organizer_client(organizer: User) -> Client:
    return client_for(organizer)


@pytest.fixture
def group(organizer: User, volunteer: User, mesa: Jurisdiction) -> Group:
    """People Power Mesa: olga organizes it, vera is a member."""
    made = actions.create_group(
        GroupIn(name="People Power Mesa", state="AZ", home=mesa.ocd_id), by=organizer
    )
    GroupMember.objects.create(group=made, user=volunteer, role=GroupRole.MEMBER, phone="555-0101")
    mesa.refresh_from_db()  # its campaign is now researching
    return made


@pytest.fixture
def outsider(arizona: Jurisdiction) -> User:
    """Otto, a volunteer of another group (in Tempe), who must not see the Mesa group's things."""
    otto = make_user("otto", Role.VOLUNTEER)
    tempe = Jurisdiction.objects.create(
        ocd_id="ocd-division/country:us/state:az/place:tempe",
        kind=Kind.PLACE,
        name="Tempe",
        state="AZ",
        parent=arizona,
    )
    boss = make_user("tina", Role.ORGANIZER)
    other = actions.create_group(
        GroupIn(name="People Power Tempe", state="AZ", home=tempe.ocd_id), by=boss
    )
    GroupMember.objects.create(group=other, user=otto)
    return otto


@pytest.fixture
def outsider_client(outsider: User) -> Client:
    return client_for(outsider)


@pytest.fixture
def chief(group: Group, organizer: User, mesa: Jurisdiction) -> Person:
    """Mesa's police chief, listed by the group as undecided."""
    return actions.add_official(
        mesa,
        OfficialIn(
            group=group.pk,
            role=PostRole.POLICE_CHIEF,
            label="Chief of police",
            name="Ramon Batista",
            email="chief@mesa.example",
            phone="480-555-0100",
            friendliness="undecided",
        ),
        by=organizer,
    )


@pytest.fixture
def mayor(group: Group, organizer: User, mesa: Jurisdiction) -> Person:
    """Mesa's mayor, listed by the group as an ally."""
    return actions.add_official(
        mesa,
        OfficialIn(
            group=group.pk,
            role=PostRole.MAYOR,
            label="Mayor",
            name="John Giles",
            friendliness="ally",
        ),
        by=organizer,
    )


def plan_for(jurisdiction: Jurisdiction, /, **values: Any) -> PlanIn:
    """A meeting's plan in ``jurisdiction``, as the page and the API both send it to the action."""
    return PlanIn(jurisdiction=jurisdiction.ocd_id, **values)


@pytest.fixture
def meeting(group: Group, mesa: Jurisdiction, chief: Person, volunteer: User) -> Meeting:
    """A meeting with the chief, asked for a week ago and scheduled for yesterday."""
    plan = plan_for(
        mesa,
        requested_on=days_ago(7),
        request_note="E-mailed the chief's office.",
        officials=[chief.pk],
        starts_at=hours_ago(26),
        place="Mesa police headquarters",
        attendees=[volunteer.pk],
        note_taker=volunteer.pk,
    )
    return actions.plan_meeting(group, plan, by=volunteer)


@pytest.fixture
def held_meeting(meeting: Meeting, chief: Person, volunteer: User) -> Meeting:
    """The meeting, held: the chief says rule 5 is in practice only and is evasive on rule 1."""
    outcome = OutcomeIn(
        revision=meeting.revision,
        held_at=hours_ago(26),
        answers=[
            AnswerIn(official=chief.pk, rule="1", in_place="no", support="evasive"),
            AnswerIn(
                official=chief.pk,
                rule="5",
                in_place="practice",
                support="yes",
                note="Will put it in writing",
            ),
        ],
        notes="Private: the aide was hostile.",
    )
    return actions.record_outcome(meeting, outcome, by=volunteer)


@pytest.fixture
def report(held_meeting: Meeting, volunteer: User) -> Report:
    """The volunteer's report-back on the held meeting, waiting for the affiliate."""
    return actions.submit_report(held_meeting, ReportIn(summary="We met the chief."), by=volunteer)


@pytest.fixture
def promise(group: Group, held_meeting: Meeting, chief: Person, volunteer: User) -> Promise:
    """The chief's promise at the held meeting, due in ten days, followed up by the volunteer."""
    return Promise.objects.create(
        group=group,
        meeting=held_meeting,
        person=chief,
        owner=volunteer,
        text="Send the written policy",
        due_on=days_ago(-10),
    )


@pytest.fixture
def published_scorecard(mesa: Jurisdiction) -> PolicyVersion:
    """A published scorecard for a Mesa agency: rules 4 and 9 in place, rule 1 conflicting."""
    agency = Agency.objects.create(jurisdiction=mesa, kind="police", name="Mesa Police Department")
    policy = Policy.objects.create(agency=agency, title="Immigration enforcement policy")
    version = PolicyVersion.objects.create(
        policy=policy,
        file="policies/mesa.pdf",
        original_name="mesa.pdf",
        obtained=Obtained.WEBSITE,
        policy_date=days_ago(100),
        uploaded_at=timezone.now(),
        job_state="done",
        published_at=timezone.now(),
    )
    statuses = {"1": "conflicts", "4": "meets", "9": "meets"}
    for position, rule in enumerate(["1", "2", "3", "4", "5", "6", "7", "8", "9", "1373"]):
        RuleResult.objects.create(
            version=version,
            rule_id=rule,
            position=position,
            status=statuses.get(rule, "silent"),
            confidence=0.9,
        )
    return version
