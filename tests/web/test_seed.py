"""Seeding: all of a state's jurisdictions, the demo, first start, and their commands."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client
from django.utils import timezone

from freedomcities.cli import cli
from freedomcities.web.accounts.models import Profile, Role
from freedomcities.web.campaign.models import GroupMember
from freedomcities.web.events.models import Event, EventStatus
from freedomcities.web.jurisdictions.data import UnknownState
from freedomcities.web.jurisdictions.models import Agency, Jurisdiction, Kind, Stage
from freedomcities.web.scorecards import dashboard
from freedomcities.web.scorecards.models import JobState, Obtained, Policy, PolicyVersion, Review
from freedomcities.web.seed import (
    DEMO_GROUP_NAME,
    DEMO_USERNAME,
    SeedError,
    create_user,
    ensure_ready,
    load_jurisdictions,
    seed_demo,
)

ARIZONA = "ocd-division/country:us/state:az"
MESA = f"{ARIZONA}/place:mesa"


# --- load_jurisdictions -----------------------------------------------------------------------


@pytest.mark.django_db
def test_load_arizona_gives_the_state_its_15_counties_and_its_places() -> None:
    loaded = load_jurisdictions(["az"])

    assert loaded == Jurisdiction.objects.count()
    state = Jurisdiction.objects.get(ocd_id=ARIZONA)
    assert (state.kind, state.name, state.fips, state.parent) == (Kind.STATE, "Arizona", "04", None)
    counties = Jurisdiction.objects.filter(kind=Kind.COUNTY)
    assert counties.count() == 15
    maricopa = counties.get(ocd_id=f"{ARIZONA}/county:maricopa")
    assert (maricopa.name, maricopa.fips) == ("Maricopa County", "04013")
    assert 33 < (maricopa.latitude or 0) < 34 and -113 < (maricopa.longitude or 0) < -112
    assert not counties.filter(latitude__isnull=True).exists()
    mesa = Jurisdiction.objects.get(ocd_id=MESA)
    assert (mesa.kind, mesa.name, mesa.state) == (Kind.PLACE, "Mesa", "AZ")
    assert (mesa.population or 0) > 400_000
    assert Jurisdiction.objects.filter(kind=Kind.PLACE).count() > 200
    assert not Jurisdiction.objects.exclude(pk=state.pk).exclude(parent=state).exists()


@pytest.mark.django_db
def test_loading_again_changes_nothing_and_keeps_campaign_stages() -> None:
    load_jurisdictions(["AZ"])
    Jurisdiction.objects.filter(ocd_id=MESA).update(stage=Stage.MET)
    before = list(Jurisdiction.objects.order_by("pk").values())

    assert load_jurisdictions(["AZ"]) == len(before)

    assert list(Jurisdiction.objects.order_by("pk").values()) == before
    assert Jurisdiction.objects.get(ocd_id=MESA).stage == Stage.MET


@pytest.mark.django_db
def test_loading_a_second_state_adds_it_beside_the_first() -> None:
    arizona = load_jurisdictions(["AZ"])
    both = load_jurisdictions(["AZ", "NM"])

    assert Jurisdiction.objects.count() == both > arizona
    new_mexico = Jurisdiction.objects.get(ocd_id="ocd-division/country:us/state:nm")
    assert new_mexico.children.filter(kind=Kind.COUNTY).count() == 33


@pytest.mark.django_db
def test_an_unknown_state_is_refused_before_anything_is_written() -> None:
    with pytest.raises(UnknownState, match="Unknown state 'ZZ'"):
        load_jurisdictions(["AZ", "ZZ"])
    assert not Jurisdiction.objects.exists()


# --- seed_demo --------------------------------------------------------------------------------


@pytest.fixture(scope="class")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The demo, seeded once for the tests of TestDemo and rolled back after them."""
    with django_db_blocker.unblock(), transaction.atomic():
        seed_demo()
        yield
        transaction.set_rollback(True)


def _published() -> list[PolicyVersion]:
    return list(PolicyVersion.objects.filter(published_at__isnull=False))


@pytest.mark.django_db
class TestDemo:
    """The demo, seeded once for all these tests."""

    def test_the_demo_loads_arizona(self, demo: None) -> None:
        assert Jurisdiction.objects.filter(state="AZ", kind=Kind.COUNTY).count() == 15
        assert Jurisdiction.objects.get(ocd_id=MESA).agencies.exists()

    def test_every_demo_agency_and_version_is_marked_as_a_sample(self, demo: None) -> None:
        agencies = list(Agency.objects.all())
        assert len(agencies) >= 7
        for agency in agencies:
            assert agency.is_sample
            assert agency.name.startswith("Sample ") and "(demo)" in agency.name
            assert agency.name.endswith(agency.jurisdiction.name)
        versions = PolicyVersion.objects.all()
        assert {v.obtained for v in versions} == {Obtained.SAMPLE}
        assert all(v.is_sample for v in versions)
        kinds = {a.jurisdiction.kind for a in agencies}
        assert kinds == {Kind.PLACE, Kind.COUNTY}

    def test_demo_files_are_stored_as_uploads(self, demo: None) -> None:
        for version in PolicyVersion.objects.all():
            path = Path(version.file.path)
            assert path.is_relative_to(Path(settings.MEDIA_ROOT))
            assert path.read_text(encoding="utf-8").startswith("SAMPLE POLICY")
            assert version.original_name.startswith("sample-") and version.original_name.endswith(
                ".txt"
            )
            assert version.analysis.scorecard["document"]["source"] == version.original_name

    def test_published_demo_scorecards_show_every_status_and_change_over_time(
        self, demo: None
    ) -> None:
        published = _published()
        assert len(published) >= 7
        assert all(v.job_state == JobState.DONE for v in published)
        statuses = {verdict.status for v in published for verdict in v.verdicts()}
        assert statuses == {"meets", "partial", "conflicts", "silent"}
        assert {v.policy_date.year for v in published} == {2022, 2023, 2024, 2025}
        mesa = sorted(
            (v for v in published if v.agency.jurisdiction.ocd_id == MESA),
            key=lambda v: v.policy_date,
        )
        met = [sum(verdict.status == "meets" for verdict in v.verdicts()) for v in mesa]
        assert len(met) == 2 and met[1] > met[0]  # the 2025 revision improved on 2023

    def test_every_published_rule_is_reviewed_by_the_demo_staff_user(self, demo: None) -> None:
        staff = User.objects.get(username=DEMO_USERNAME)
        assert staff.profile.role == Role.STAFF
        assert not staff.has_usable_password()
        for version in _published():
            assert version.published_by == staff
            assert all(verdict.review is not None for verdict in version.verdicts())

    def test_one_demo_version_is_an_unreviewed_draft(self, demo: None) -> None:
        drafts = PolicyVersion.objects.filter(published_at__isnull=True)
        assert drafts.count() == 1
        draft = drafts.get()
        assert draft.job_state == JobState.DONE and draft.rule_results.count() == 10
        assert not draft.reviews.exists()

    def test_the_demo_keeps_an_override_and_an_in_practice_mark_with_their_reasons(
        self, demo: None
    ) -> None:
        verdicts = [verdict for v in _published() for verdict in v.verdicts()]
        overridden = [v for v in verdicts if v.overridden]
        assert len(overridden) == 1
        (override,) = overridden
        assert (override.result.status, override.status) == ("partial", "conflicts")
        assert override.review is not None and "routinely" in override.review.reason
        practice = [v for v in verdicts if v.in_practice_only]
        assert len(practice) == 1
        assert practice[0].review is not None and "practice only" in practice[0].review.reason
        assert not Review.objects.filter(in_practice_only=True, reason="").exists()

    def test_the_demo_sets_a_few_campaign_stages(self, demo: None) -> None:
        stages = set(Jurisdiction.objects.exclude(stage="").values_list("stage", flat=True))
        assert len(stages) >= 4

    def test_the_demo_posts_upcoming_sample_events_for_the_public_map(self, demo: None) -> None:
        events = list(Event.objects.select_related("group", "jurisdiction"))
        assert len(events) == 3
        assert {e.group.name for e in events} == {DEMO_GROUP_NAME}
        assert {e.jurisdiction.state for e in events} == {"AZ"}
        now = timezone.now()
        for event in events:
            assert event.title.startswith("Sample event (demo): ")
            assert "not real" in event.description
            assert event.public and event.starts_at > now
            assert event.current_status == EventStatus.SCHEDULED
            # The address stays private, so the public point is blurred, not the exact one.
            assert not event.address_public and not event.host_public
            assert event.public_location().latitude != event.latitude
        assert not GroupMember.objects.filter(group__name=DEMO_GROUP_NAME).exists()

    def test_the_events_page_finds_a_demo_event_by_zip_code(
        self, demo: None, client: Client
    ) -> None:
        page = client.get("/events/", {"zip": "85201", "miles": "25"})
        assert page.status_code == 200
        assert "Sample event (demo): Know-your-rights training" in page.content.decode()

    def test_seeding_the_demo_again_changes_nothing(self, demo: None) -> None:
        def snapshot() -> list[list[dict[str, Any]]]:
            return [
                list(Jurisdiction.objects.exclude(stage="").order_by("pk").values()),
                list(Agency.objects.order_by("pk").values()),
                list(PolicyVersion.objects.order_by("pk").values()),
                list(Review.objects.order_by("pk").values()),
                list(User.objects.order_by("pk").values()),
                list(Event.objects.order_by("pk").values()),
            ]

        before = snapshot()
        seed_demo()
        assert snapshot() == before

    def test_seeding_the_demo_keeps_a_stage_someone_changed(self, demo: None) -> None:
        Jurisdiction.objects.filter(ocd_id=MESA).update(stage=Stage.ADOPTED)
        seed_demo()
        assert Jurisdiction.objects.get(ocd_id=MESA).stage == Stage.ADOPTED


# --- ensure_ready -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_ensure_ready_leaves_a_database_with_jurisdictions_alone(arizona: Jurisdiction) -> None:
    said: list[str] = []
    ensure_ready(echo=said.append)
    assert Jurisdiction.objects.count() == 3
    assert not Agency.objects.exists()
    assert said == []


# --- people -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_user_gives_a_role_and_a_password() -> None:
    user = create_user("olga", role=Role.ORGANIZER, password="plenty of words here")
    assert user.check_password("plenty of words here")
    assert Profile.objects.get(user=user).role == Role.ORGANIZER
    assert not user.is_staff and not user.is_superuser


@pytest.mark.django_db
def test_create_user_lets_staff_and_admins_into_django_admin() -> None:
    staff = create_user("sara", role=Role.STAFF, password="plenty of words here")
    admin = create_user("adam", role=Role.ADMIN, password="plenty of words here")
    assert (staff.is_staff, staff.is_superuser) == (True, False)
    assert (admin.is_staff, admin.is_superuser) == (True, True)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "role", "password", "message"),
    [
        ("olga", "public", "plenty of words here", "Unknown role 'public'"),
        ("olga", "staff", "short", "too short"),
        ("olga", "staff", "password123", "too common"),
        ("sam", "staff", "plenty of words here", "already a user named 'sam'"),
    ],
)
def test_create_user_refuses_with_a_reason(
    staff: User, username: str, role: str, password: str, message: str
) -> None:
    with pytest.raises(SeedError, match=message):
        create_user(username, role=role, password=password)
    assert User.objects.count() == 1


# --- the commands -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_command_loads_the_states_asked_for() -> None:
    result = CliRunner().invoke(cli, ["seed", "--states", "AZ", "--no-demo"])
    assert result.exit_code == 0, result.output
    assert "jurisdictions of AZ" in result.output
    assert Jurisdiction.objects.filter(state="AZ").count() > 200
    assert not Agency.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--states", "AZ,ZZ"], "Error: Unknown state 'ZZ'"),
        (["--states", "AZ", "--all"], "Give --states or --all, not both."),
    ],
)
def test_seed_command_refuses_with_one_line(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["seed", *args])
    assert result.exit_code in (1, 2)
    assert message in result.output
    assert "Traceback" not in result.output
    assert not Jurisdiction.objects.exists()


@pytest.mark.django_db
def test_createuser_command_reads_the_password_from_stdin() -> None:
    result = CliRunner().invoke(
        cli,
        ["createuser", "ana", "--role", "staff", "--email", "ana@example.org", "--password-stdin"],
        input="plenty of words here\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created ana (staff)" in result.output
    ana = User.objects.get(username="ana")
    assert ana.email == "ana@example.org" and ana.check_password("plenty of words here")
    assert ana.profile.role == Role.STAFF


@pytest.mark.django_db
def test_createuser_command_asks_for_the_password_twice_and_can_make_a_token() -> None:
    result = CliRunner().invoke(
        cli,
        ["createuser", "vic", "--role", "volunteer", "--token"],
        input="plenty of words here\nplenty of words here\n",
    )
    assert result.exit_code == 0, result.output
    assert "plenty of words here" not in result.output  # the prompt hides it
    key = result.output.split("keep it secret): ")[1].strip()
    from freedomcities.web.accounts.models import ApiToken

    token = ApiToken.find(key)
    assert token is not None and token.user.username == "vic"


@pytest.mark.django_db
def test_createuser_command_gives_staff_their_states() -> None:
    result = CliRunner().invoke(
        cli,
        ["createuser", "ana", "--role", "staff", "--state", "az", "--state", "NM"],
        input="plenty of words here\nplenty of words here\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created ana (staff, for AZ,NM)" in result.output
    assert User.objects.get(username="ana").profile.states == "AZ,NM"
    bad = CliRunner().invoke(
        cli,
        ["createuser", "bo", "--role", "staff", "--state", "Arizona", "--password-stdin"],
        input="plenty of words here\n",
    )
    assert bad.exit_code == 1
    assert bad.output.startswith("Error: Arizona is not a state's postal code")
    alone = CliRunner().invoke(
        cli,
        ["createuser", "cy", "--role", "staff", "--password-stdin"],
        input="plenty of words here\n",
    )
    assert "sees no state's groups until you give it states" in alone.output


@pytest.mark.django_db
def test_createuser_command_refuses_a_weak_password_with_one_line() -> None:
    result = CliRunner().invoke(
        cli, ["createuser", "ana", "--role", "staff", "--password-stdin"], input="abc\n"
    )
    assert result.exit_code == 1
    assert result.output.startswith("Error: The password was refused: ")
    assert not User.objects.filter(username="ana").exists()


@pytest.mark.django_db
def test_the_state_chart_ends_where_the_table_stands(demo: None) -> None:
    view = dashboard.state_view("AZ")

    published = [row for row in view.rows if row.version is not None]
    last = view.history[-1]
    assert last.agencies == len(published)
    assert last.rules_in_place == sum(row.met for row in published)
    dates = [point.date for point in view.history]
    assert dates == sorted(dates) and len(set(dates)) == len(dates)
    assert max(row.policy_date for row in published) == dates[-1]


def test_a_weaker_new_policy_lowers_the_state_line() -> None:
    def version(pk: int, agency: int, date: str, met: int) -> tuple[PolicyVersion, dict[str, str]]:
        policy = Policy(agency_id=agency)
        made = PolicyVersion(pk=pk, policy=policy, policy_date=datetime.date.fromisoformat(date))
        return made, {rule: "meets" for rule in dashboard.core_rule_ids()[:met]}

    given = [
        version(1, agency=10, date="2022-01-01", met=6),
        version(2, agency=20, date="2023-01-01", met=2),
        version(3, agency=10, date="2024-01-01", met=3),  # agency 10 weakens its policy
    ]
    found = {v.pk: (statuses, set[str]()) for v, statuses in given}

    points = dashboard._history([v for v, _ in given], found)

    assert [(p.date.year, p.rules_in_place, p.agencies) for p in points] == [
        (2022, 6, 1),
        (2023, 8, 2),
        (2024, 5, 2),
    ]
