"""Fill the database: every U.S. jurisdiction, and the demo a newcomer sees on first start.

Three verbs, each safe to run again (a second run changes nothing):

- :func:`load_jurisdictions`: states, counties and places from
  :mod:`freedomcities.web.jurisdictions.data`, upserted in batches, so all
  ~24,500 U.S. rows load in seconds on SQLite or PostgreSQL. Campaign data on
  a jurisdiction (its ``stage``, its agencies) is never touched.
- :func:`seed_demo`: Arizona, plus sample agencies in real Arizona places, each
  with versions of the fictional policies in ``freedomcities/samples/demo``,
  analysed by the engine, reviewed and published by a demo staff user. Every
  sample agency has ``is_sample=True`` and a name no one could take for a real
  agency's. A sample group (marked "(demo)" like the agencies) posts a few
  upcoming sample events, so the events map is not empty on a new install.
- :func:`ensure_ready`: what ``freedomcities serve`` runs first: migrate, and on
  an empty database load Arizona and the demo.

:func:`create_user` adds a person with a role, for ``freedomcities createuser``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from freedomcities import analyze
from freedomcities.embed import Embedder, default_embedder
from freedomcities.errors import SeedError as SeedError  # kept importable from here
from freedomcities.ocr import DEFAULT_OCR_NAME
from freedomcities.web.accounts.models import Profile, Role, parse_states
from freedomcities.web.accounts.roles import sign_in_roles
from freedomcities.web.campaign.models import Group
from freedomcities.web.events.actions import EventDraft, post_event
from freedomcities.web.events.models import Tactic
from freedomcities.web.jurisdictions.data import JurisdictionRecord, us_jurisdictions
from freedomcities.web.jurisdictions.models import Agency, AgencyKind, Jurisdiction, Stage
from freedomcities.web.scorecards.actions import (
    confirm_remaining,
    publish,
    review_rule,
)
from freedomcities.web.scorecards.analysis import store_analysis
from freedomcities.web.scorecards.models import Obtained, Policy, PolicyVersion, Status

BATCH_SIZE = 1000
"""Rows per INSERT; Django lowers it to what the database accepts (SQLite's variable limit)."""

DEMO_DIR = Path(__file__).resolve().parents[1] / "samples" / "demo"
DEMO_USERNAME = "demo-staff"
DEMO_POLICY_TITLE = "Immigration enforcement policy (sample)"
DEMO_GROUP_NAME = "Sample group (demo) — Mesa"
ARIZONA = "ocd-division/country:us/state:az"


_UPSERT_FIELDS = ["kind", "name", "state", "fips", "latitude", "longitude", "population", "parent"]


# --- Jurisdictions ----------------------------------------------------------------------------


def load_jurisdictions(states: Collection[str] | None = None) -> int:
    """Insert or update every state, county and place of the given states, parents linked.

    Rows are matched on their OCD id, so running it again updates names, points and
    populations in place and creates nothing twice; a jurisdiction's campaign stage
    and agencies are left alone. Counties get a coordinate from the us-atlas map data
    when ``npm ci`` has installed it.

    Args:
        states: postal codes such as ``["AZ", "CA"]``; None loads all 50 states and DC.

    Returns:
        How many jurisdictions were loaded (new and updated together).

    Raises:
        UnknownState: a code is not a state or DC; nothing was written.
    """
    records = list(us_jurisdictions(states=states, county_points=_county_points()))
    with transaction.atomic():
        for level in _levels(records):
            parents = _pks_by_ocd_id({r.parent_ocd_id for r in level if r.parent_ocd_id})
            Jurisdiction.objects.bulk_create(
                [_row(record, parents) for record in level],
                batch_size=BATCH_SIZE,
                update_conflicts=True,
                unique_fields=["ocd_id"],
                update_fields=_UPSERT_FIELDS,
            )
    return len(records)


def _county_points() -> dict[str, tuple[float, float]] | None:
    """County centroids from the us-atlas map data, or None when it is not installed."""
    from freedomcities.web.geography.atlas import AtlasNotFound, county_centroids

    try:
        return county_centroids()
    except AtlasNotFound:
        return None


def _levels(records: list[JurisdictionRecord]) -> list[list[JurisdictionRecord]]:
    """The records by depth (states, then what is under them), so parents are stored first."""
    depth: dict[str, int] = {}
    for record in records:  # the data yields parents before their children
        parent = record.parent_ocd_id
        depth[record.ocd_id] = depth.get(parent, -1) + 1 if parent else 0
    levels: list[list[JurisdictionRecord]] = [
        [] for _ in range(max(depth.values(), default=-1) + 1)
    ]
    for record in records:
        levels[depth[record.ocd_id]].append(record)
    return levels


def _pks_by_ocd_id(ocd_ids: Iterable[str]) -> dict[str, int]:
    """The primary keys of stored jurisdictions, looked up in chunks SQLite accepts."""
    wanted = sorted(ocd_ids)
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(
            Jurisdiction.objects.filter(ocd_id__in=chunk).values_list("ocd_id", "pk").iterator()
        )
    return found


def _row(record: JurisdictionRecord, parents: dict[str, int]) -> Jurisdiction:
    """The model row for a record, its parent resolved to a key."""
    return Jurisdiction(
        ocd_id=record.ocd_id,
        kind=record.kind,
        name=record.name,
        state=record.state,
        fips=record.fips or "",
        latitude=record.latitude,
        longitude=record.longitude,
        population=record.population,
        parent_id=parents.get(record.parent_ocd_id or ""),
    )


# --- The demo ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Review:
    """A reviewer's decision on one rule that differs from a plain confirmation."""

    rule: str
    status: str
    reason: str
    in_practice_only: bool = False


@dataclass(frozen=True)
class _DemoVersion:
    """One sample file shown as one version of an agency's policy."""

    sample: str
    policy_date: datetime.date
    published: bool = True
    reviews: tuple[_Review, ...] = ()


@dataclass(frozen=True)
class _DemoAgency:
    """A sample agency in a real Arizona jurisdiction, with its policy's versions."""

    division: str
    kind: str
    stage: str
    versions: tuple[_DemoVersion, ...]


_IN_PRACTICE = _Review(
    rule="4",
    status=Status.PARTIAL,
    in_practice_only=True,
    reason=(
        "At our April 2025 meeting the chief said officers already tell people when they are "
        "speaking with ICE or CBP. It is practice only: the written policy does not say so yet."
    ),
)
_OVERRIDE = _Review(
    rule="5",
    status=Status.CONFLICTS,
    reason=(
        '"Shall not routinely ask" still lets booking staff ask about immigration status '
        'whenever they choose. We count it as a conflict until "routinely" is struck.'
    ),
)

DEMO_AGENCIES: tuple[_DemoAgency, ...] = (
    _DemoAgency(
        "place:mesa",
        AgencyKind.POLICE,
        Stage.MET,
        (
            _DemoVersion("strong-2023", datetime.date(2023, 6, 1)),
            _DemoVersion("strong-2025", datetime.date(2025, 3, 1), reviews=(_IN_PRACTICE,)),
        ),
    ),
    _DemoAgency(
        "place:phoenix",
        AgencyKind.POLICE,
        Stage.MEETING_REQUESTED,
        (_DemoVersion("weak-2024", datetime.date(2024, 7, 1)),),
    ),
    _DemoAgency(
        "place:tucson",
        AgencyKind.POLICE,
        Stage.COMMITMENTS,
        (_DemoVersion("middle-2024", datetime.date(2024, 1, 1)),),
    ),
    _DemoAgency(
        "place:flagstaff",
        AgencyKind.POLICE,
        Stage.ADOPTED,
        (_DemoVersion("strong-2025", datetime.date(2025, 3, 1)),),
    ),
    _DemoAgency(
        "place:yuma",
        AgencyKind.POLICE,
        Stage.RESEARCHING,
        (_DemoVersion("weak-2024", datetime.date(2024, 7, 1), published=False),),
    ),
    _DemoAgency(
        "county:maricopa",
        AgencyKind.SHERIFF,
        Stage.MET,
        (
            _DemoVersion("sheriff-2022", datetime.date(2022, 2, 1)),
            _DemoVersion("sheriff-2024", datetime.date(2024, 9, 1), reviews=(_OVERRIDE,)),
        ),
    ),
    _DemoAgency(
        "county:pima",
        AgencyKind.SHERIFF,
        Stage.RESEARCHING,
        (_DemoVersion("sheriff-2022", datetime.date(2022, 2, 1)),),
    ),
)
"""The demo's agencies: where, what kind, the campaign's stage, and the versions shown."""


def seed_demo(*, embedder: Embedder | None = None) -> None:
    """Load Arizona and the demo's sample agencies, scorecards and reviews.

    Each sample version is analysed here and now by the engine (not queued), then
    reviewed and published by the demo staff user (who cannot sign in), except one
    left as an unreviewed draft. Safe to run again: what exists is kept as it is,
    including a campaign stage someone has changed since.

    Args:
        embedder: the embedding engine for the analyses; by default the best installed,
            loaded once for all of them.
    """
    load_jurisdictions(["AZ"])
    staff = _demo_staff()
    for plan in DEMO_AGENCIES:
        jurisdiction = Jurisdiction.objects.get(ocd_id=f"{ARIZONA}/{plan.division}")
        agency = _demo_agency(jurisdiction, plan)
        policy, _ = Policy.objects.get_or_create(agency=agency, title=DEMO_POLICY_TITLE)
        for version in plan.versions:
            if not _has_version(policy, version):
                embedder = embedder or default_embedder()
                _add_version(policy, version, staff, embedder)
        if not jurisdiction.stage:
            Jurisdiction.objects.filter(pk=jurisdiction.pk).update(stage=plan.stage)
    _seed_demo_events(staff)


@dataclass(frozen=True)
class _DemoEvent:
    """A sample event: its tactic, where (a real place and ZIP code), and days from seeding."""

    division: str
    postal_code: str
    tactic: str
    title: str
    in_days: int
    hours: tuple[int, int]


DEMO_EVENTS: tuple[_DemoEvent, ...] = (
    _DemoEvent(
        "place:mesa", "85201", Tactic.KNOW_YOUR_RIGHTS, "Know-your-rights training", 10, (18, 20)
    ),
    _DemoEvent(
        "place:phoenix", "85004", Tactic.CALLS_LETTERS, "Letters to the police chief", 17, (17, 19)
    ),
    _DemoEvent(
        "place:tucson", "85701", Tactic.TOWN_HALL, "Town hall on the nine rules", 24, (18, 20)
    ),
)
"""The demo's events, dated from the day the demo is seeded so they are upcoming then."""

_DEMO_EVENT_NOTE = (
    "This is a sample event made for the demo of this app: it is not real, and no one will be "
    "there. Real events posted by local groups appear on this map the same way."
)


def _seed_demo_events(staff: User) -> None:
    """The sample group and its sample events, posted once (a second run adds nothing).

    The addresses stay private, so the map shows only the area, as it does for most
    real events; the group has no members, so no one's contact is attached.
    """
    mesa = Jurisdiction.objects.get(ocd_id=f"{ARIZONA}/place:mesa")
    group, created = Group.objects.get_or_create(
        name=DEMO_GROUP_NAME, defaults={"state": "AZ", "home": mesa}
    )
    if not created:
        return
    today = timezone.localdate()
    for plan in DEMO_EVENTS:
        jurisdiction = Jurisdiction.objects.get(ocd_id=f"{ARIZONA}/{plan.division}")
        group.jurisdictions.add(jurisdiction)
        day = today + datetime.timedelta(days=plan.in_days)
        start, end = (datetime.datetime.combine(day, datetime.time(hour)) for hour in plan.hours)
        post_event(
            EventDraft(
                group=group,
                tactic=plan.tactic,
                jurisdiction=jurisdiction,
                title=f"Sample event (demo): {plan.title}",
                description=_DEMO_EVENT_NOTE,
                starts=start,
                ends=end,
                postal_code=plan.postal_code,
            ),
            user=staff,
        )


def demo_agency_name(kind: str, jurisdiction: Jurisdiction) -> str:
    """A name that says it is a sample: 'Sample police department (demo) — Mesa'."""
    words = {AgencyKind.POLICE: "police department", AgencyKind.SHERIFF: "sheriff's office"}
    return f"Sample {words.get(AgencyKind(kind), 'jail')} (demo) — {jurisdiction.name}"


def _demo_staff() -> User:
    """The demo's reviewer: affiliate staff with no password, so no one can sign in as it."""
    user, created = User.objects.get_or_create(
        username=DEMO_USERNAME,
        defaults={
            "first_name": "Demo staff",
            "last_name": "(sample data)",
            "email": "demo-staff@example.org",
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    Profile.objects.get_or_create(user=user, defaults={"role": Role.STAFF})
    return user


def _demo_agency(jurisdiction: Jurisdiction, plan: _DemoAgency) -> Agency:
    """The sample agency of a demo plan, made on first use."""
    agency, _ = Agency.objects.get_or_create(
        jurisdiction=jurisdiction,
        name=demo_agency_name(plan.kind, jurisdiction),
        defaults={"kind": plan.kind, "is_sample": True},
    )
    return agency


def _original_name(policy: Policy, plan: _DemoVersion) -> str:
    """The file name a version is shown under: neutral, dated, marked as a sample."""
    return f"sample-{policy.agency.kind}-policy-{plan.policy_date:%Y-%m}.txt"


def _has_version(policy: Policy, plan: _DemoVersion) -> bool:
    """Whether a planned version is already stored (the demo was seeded before)."""
    return policy.versions.filter(
        policy_date=plan.policy_date, original_name=_original_name(policy, plan)
    ).exists()


def _add_version(policy: Policy, plan: _DemoVersion, staff: User, embedder: Embedder) -> None:
    """Analyse a sample file, store it as an upload with its analysis, review and publish it."""
    source = DEMO_DIR / f"{plan.sample}.txt"
    place = policy.agency.jurisdiction.place_name
    scorecard = analyze(source, jurisdiction=place, embedder=embedder)
    with transaction.atomic():
        version = PolicyVersion(
            policy=policy,
            original_name=_original_name(policy, plan),
            obtained=Obtained.SAMPLE,
            policy_date=plan.policy_date,
            uploaded_by=staff,
            uploaded_at=_uploaded_at(plan.policy_date),
        )
        with source.open("rb") as file:
            version.file.save(version.original_name, File(file), save=False)
        version.save()
        store_analysis(version, scorecard, ocr=DEFAULT_OCR_NAME)
        version.refresh_from_db()
        if plan.published:
            _review_and_publish(version, plan.reviews, staff)


def _review_and_publish(version: PolicyVersion, reviews: Iterable[_Review], staff: User) -> None:
    """The demo staff user's decisions, then a confirmation of the rest, then publication."""
    for review in reviews:
        review_rule(
            version,
            review.rule,
            status=review.status,
            reason=review.reason,
            in_practice_only=review.in_practice_only,
            user=staff,
            revision=version.revision,
        )
    confirm_remaining(version, user=staff, revision=version.revision)
    publish(version, user=staff)


def _uploaded_at(policy_date: datetime.date) -> datetime.datetime:
    """A plausible upload time for a sample: noon, two weeks after the policy's date."""
    noon = datetime.datetime.combine(policy_date + datetime.timedelta(days=14), datetime.time(12))
    return timezone.make_aware(noon)


def demo_summary() -> str:
    """One line on what the demo holds, for the command line."""
    versions = PolicyVersion.objects.filter(policy__agency__is_sample=True)
    published = versions.filter(published_at__isnull=False).count()
    return (
        f"{Agency.objects.filter(is_sample=True).count()} sample agencies with "
        f"{versions.count()} policy versions ({published} published, "
        f"{versions.count() - published} draft)"
    )


# --- First start ------------------------------------------------------------------------------


def ensure_ready(*, echo: Callable[[str], None] = print) -> None:
    """Bring the database up to date; on an empty one, load the home state (Arizona: the demo).

    "Empty" means no jurisdictions yet. Loading every state takes longer, so it is
    left to ``freedomcities seed --all``. To start without the demo, run
    ``freedomcities seed --states XX --no-demo`` before the first ``serve``.

    Args:
        echo: where to say what is happening.
    """
    migrate()
    if Jurisdiction.objects.exists():
        return
    home = settings.HOME_STATE
    if home != "AZ":  # the demo's sample agencies are in Arizona
        echo(f"First start: loading the cities and counties of {home}…")
        load_jurisdictions([home])
        echo(
            f"Loaded {home}. Add other states with `freedomcities seed --states CA,NM` "
            "(or `--all`), and the Arizona demo with `freedomcities seed`."
        )
        return
    echo("First start: loading Arizona and the demo (sample agencies and their scorecards)…")
    seed_demo()
    echo(
        "Loaded Arizona and the demo. Other states are not loaded yet, because all of them "
        "take a little while: run `freedomcities seed --all` (or `--states CA,NM`) to add them."
    )


def migrate() -> None:
    """Create or update the database's tables (Django's ``migrate``, quietly)."""
    call_command("migrate", interactive=False, verbosity=0)


# --- People -----------------------------------------------------------------------------------


def create_user(
    username: str, *, role: str, password: str, email: str = "", states: str = ""
) -> User:
    """Add a person who can sign in, with a role; staff and admins may use Django's admin pages.

    ``states`` (postal codes, comma-separated) are the states a staff member works for:
    they see those states' groups only.

    Raises:
        SeedError: the name is taken, the role unknown, a state not a postal code, or
            the password too weak (Django's password rules: at least 8 characters, not
            common, not like the name).
    """
    if role not in sign_in_roles():
        raise SeedError(f"Unknown role {role!r}; choose one of: {', '.join(sign_in_roles())}.")
    try:
        codes = ",".join(parse_states(states))
    except ValidationError as exc:
        raise SeedError(" ".join(exc.messages)) from None
    if User.objects.filter(username=username).exists():
        raise SeedError(f"There is already a user named {username!r}; choose another name.")
    user = User(username=username, email=email, is_staff=role in (Role.STAFF, Role.ADMIN))
    user.is_superuser = role == Role.ADMIN
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise SeedError("The password was refused: " + " ".join(exc.messages)) from None
    user.set_password(password)
    with transaction.atomic():
        user.save()
        Profile.objects.create(user=user, role=role, states=codes)
    return user
