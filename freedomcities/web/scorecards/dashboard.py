"""What a state's dashboard shows: one row per agency, the map's shading, the history.

Everything here reads published versions only, so the dashboard is the same
for the public and for staff; drafts live on the review pages. The one
exception is an agency's card, whose list of files and history show drafts
to volunteers when the caller asks for them.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from freedomcities.rules import Rule
from freedomcities.web.jurisdictions.models import Agency, Jurisdiction, Kind
from freedomcities.web.languages import rules_in
from freedomcities.web.scorecards import statuses
from freedomcities.web.scorecards.models import (
    JobState,
    PolicyVersion,
    Review,
    RuleResult,
    Status,
    Verdict,
)

SORTS = ("name", "-name", "met", "-met", "date", "-date", "stage", "-stage", "kind", "-kind")


def rules() -> tuple[Rule, ...]:
    """The ruleset's rules in order, in the reader's language; nine core rules and optional 1373."""
    return rules_in().rules


def core_rule_ids() -> list[str]:
    """The nine rules that count towards "rules in place" (1373 is optional)."""
    return [rule.id for rule in rules() if not rule.optional]


def rules_met(statuses: dict[str, str]) -> int:
    """How many of the nine rules these statuses put in place in writing."""
    return sum(1 for rule in core_rule_ids() if statuses.get(rule) == Status.MEETS)


@dataclass
class AgencyRow:
    """One agency on the dashboard: its latest published scorecard, or none yet."""

    agency: Agency
    version: PolicyVersion | None
    statuses: dict[str, str] = field(default_factory=dict)
    in_practice: set[str] = field(default_factory=set)

    @property
    def jurisdiction(self) -> Jurisdiction:
        return self.agency.jurisdiction

    @property
    def met(self) -> int:
        """How many of the nine rules are in place in writing."""
        return rules_met(self.statuses)

    @property
    def policy_date(self) -> datetime.date | None:
        return self.version.policy_date if self.version else None

    @property
    def cells(self) -> list[Cell]:
        """One cell per rule, ready to print without a template include per cell."""
        return [
            Cell(
                rule.id,
                self.statuses.get(rule.id, "none") if self.version else "none",
                rule.id in self.in_practice,
            )
            for rule in rules()
        ]


@dataclass(frozen=True)
class Cell:
    """A rule's status in one row of the table."""

    rule_id: str
    status: str
    in_practice: bool

    @property
    def symbol(self) -> str:
        return statuses.status_symbol(self.status)

    @property
    def word(self) -> str:
        return statuses.word(self.status)


def agency_versions(agencies: QuerySet[Agency], *, drafts: bool = False) -> QuerySet[PolicyVersion]:
    """These agencies' versions, oldest first, with their policy; drafts only if asked."""
    versions = (
        PolicyVersion.objects.filter(policy__agency__in=agencies)
        .select_related("policy")
        .order_by("policy_date", "uploaded_at", "pk")
    )
    return versions if drafts else versions.filter(published_at__isnull=False)


def published_versions(agencies: QuerySet[Agency]) -> list[PolicyVersion]:
    """Every published version of these agencies, oldest first (only the fields rows need)."""
    return list(
        agency_versions(agencies).only(
            "id", "policy_date", "uploaded_at", "published_at", "obtained", "policy__agency_id"
        )
    )


def published_statuses(
    versions: Iterable[PolicyVersion],
) -> dict[int, tuple[dict[str, str], set[str]]]:
    """Version id -> each rule's published status and the rules in place in practice only.

    Read as plain tuples in two queries, not as model objects: a state's
    dashboard reads thousands of results and reviews on every request.
    """
    ids = [version.pk for version in versions]
    statuses: dict[int, dict[str, str]] = defaultdict(dict)
    practice: dict[int, set[str]] = defaultdict(set)
    results = RuleResult.objects.filter(version_id__in=ids).values_list(
        "version_id", "rule_id", "status"
    )
    for version_id, rule_id, status in results:
        statuses[version_id][rule_id] = status
    reviews = (
        Review.objects.filter(version_id__in=ids)
        .order_by("created_at", "pk")
        .values_list("version_id", "rule_id", "status", "in_practice_only")
    )
    for version_id, rule_id, status, in_practice_only in reviews:  # the latest review wins
        statuses[version_id][rule_id] = status
        (practice[version_id].add if in_practice_only else practice[version_id].discard)(rule_id)
    return {pk: (statuses[pk], practice[pk]) for pk in ids}


def agency_rows(agencies: QuerySet[Agency]) -> list[AgencyRow]:
    """One row per agency with its latest published scorecard."""
    agencies = agencies.select_related("jurisdiction")
    latest = _latest_published(published_versions(agencies))
    return _rows(agencies, latest, published_statuses(latest.values()))


def _latest_published(versions: Iterable[PolicyVersion]) -> dict[int, PolicyVersion]:
    """Agency id -> its latest published version, from versions given oldest first."""
    latest: dict[int, PolicyVersion] = {}
    for version in versions:  # oldest first, so the newest stays
        if version.published_at is not None:
            latest[version.policy.agency_id] = version
    return latest


def _rows(
    agencies: Iterable[Agency],
    latest: dict[int, PolicyVersion],
    found: dict[int, tuple[dict[str, str], set[str]]],
) -> list[AgencyRow]:
    """The agencies' rows, from their latest published versions and those versions' statuses."""
    rows = []
    for agency in agencies:
        row = AgencyRow(agency=agency, version=latest.get(agency.pk))
        if row.version is not None:
            row.statuses, row.in_practice = found[row.version.pk]
        rows.append(row)
    return rows


@dataclass(frozen=True)
class AgencyCard:
    """What an agency's card shows: its row, its files, its scorecards over time, its quotes."""

    row: AgencyRow
    versions: list[PolicyVersion]  # newest first
    history: list[tuple[PolicyVersion, dict[str, str], int]]  # analysed ones, oldest first
    findings: list[tuple[Rule, str | None, Verdict | None]]

    @property
    def agency(self) -> Agency:
        return self.row.agency

    @property
    def reviewed_on(self) -> datetime.datetime | None:
        """When staff last reviewed a rule of the published scorecard, if they have."""
        times = [v.review.created_at for _r, _s, v in self.findings if v and v.review]
        return max(times, default=None)


def agency_cards(agencies: QuerySet[Agency], *, drafts: bool) -> list[AgencyCard]:
    """One card per agency, in a fixed number of queries however many agencies and versions.

    A jurisdiction page shows a card per agency next to the agencies' table,
    so the versions and their statuses are read once for all of them, and the
    table's rows are the cards' rows. ``drafts`` adds unpublished versions to
    the files and history, for volunteers; the rows stay published only.
    """
    agencies = agencies.select_related("jurisdiction")
    versions = list(agency_versions(agencies, drafts=drafts))
    found = published_statuses(versions)
    rows = _rows(agencies, _latest_published(versions), found)
    prefetch_related_objects(
        [row.version for row in rows if row.version],
        "rule_results",
        Prefetch("reviews", queryset=Review.objects.order_by("created_at", "pk")),
    )
    by_agency: dict[int, list[PolicyVersion]] = defaultdict(list)
    for version in versions:
        by_agency[version.policy.agency_id].append(version)
    return [_card(row, by_agency[row.agency.pk], found) for row in rows]


def _card(
    row: AgencyRow,
    versions: list[PolicyVersion],
    found: dict[int, tuple[dict[str, str], set[str]]],
) -> AgencyCard:
    """One agency's card from its row, its versions (oldest first) and their statuses."""
    history = [
        (version, found[version.pk][0], rules_met(found[version.pk][0]))
        for version in versions
        if version.job_state == JobState.DONE
    ]
    verdicts = _verdicts(row.version) if row.version else {}
    findings = [(rule, row.statuses.get(rule.id), verdicts.get(rule.id)) for rule in rules()]
    return AgencyCard(row, versions[::-1], history, findings)


def _verdicts(version: PolicyVersion) -> dict[str, Verdict]:
    """Rule id -> its verdict, from the version's prefetched results and reviews."""
    latest = {review.rule_id: review for review in version.reviews.all()}  # oldest first
    return {
        result.rule_id: Verdict(result=result, review=latest.get(result.rule_id))
        for result in version.rule_results.all()
    }


def filter_rows(
    rows: Sequence[AgencyRow], *, rule: str = "", status: str = "", kind: str = "", q: str = ""
) -> list[AgencyRow]:
    """Rows matching the table's filters (empty filters match everything)."""
    needle = q.strip().lower()
    return [
        row
        for row in rows
        if (not kind or row.agency.kind == kind)
        and (not needle or needle in f"{row.agency.name} {row.jurisdiction.name}".lower())
        and (
            not rule
            or not status
            or row.statuses.get(rule, "") == status
            or (status == Status.SILENT and row.version is not None and rule not in row.statuses)
        )
    ]


def sort_rows(rows: list[AgencyRow], sort: str) -> list[AgencyRow]:
    """Rows in the table's order; unknown sort keys fall back to the name."""
    sort = sort if sort in SORTS else "name"
    key = sort.lstrip("-")
    keys = {
        "name": lambda r: (r.jurisdiction.name.lower(), r.agency.name.lower()),
        "met": lambda r: (r.met if r.version else -1, r.jurisdiction.name.lower()),
        "date": lambda r: (r.policy_date or datetime.date.min, r.jurisdiction.name.lower()),
        "stage": lambda r: (r.jurisdiction.stage or "", r.jurisdiction.name.lower()),
        "kind": lambda r: (r.agency.kind, r.jurisdiction.name.lower()),
    }
    return sorted(rows, key=keys[key], reverse=sort.startswith("-"))


def shading(rows: Iterable[AgencyRow]) -> dict[int, int]:
    """Jurisdiction id -> the most rules in place among its agencies with a published scorecard."""
    best: dict[int, int] = {}
    for row in rows:
        if row.version is not None:
            jid = row.jurisdiction.pk
            best[jid] = max(best.get(jid, 0), row.met)
    return best


@dataclass(frozen=True)
class HistoryPoint:
    """Rules in place in writing across the state's agencies, as of a date."""

    date: datetime.date
    rules_in_place: int
    agencies: int


@dataclass(frozen=True)
class StateView:
    """A state's agency rows and its history, from one read of its published versions."""

    rows: list[AgencyRow]
    history: list[HistoryPoint]


def state_view(state: str) -> StateView:
    """The dashboard's rows and chart together: the versions and statuses are read once."""
    agencies = Agency.objects.filter(jurisdiction__state=state).select_related("jurisdiction")
    versions = published_versions(agencies)
    found = published_statuses(versions)
    rows = _rows(agencies, _latest_published(versions), found)
    return StateView(rows, _history(versions, found))


def _history(
    versions: list[PolicyVersion], found: dict[int, tuple[dict[str, str], set[str]]]
) -> list[HistoryPoint]:
    """Rules in place after each policy date, from published versions given oldest first.

    Each agency counts its latest published version as of the date, so a
    weaker new policy lowers the line as it should.
    """
    current: dict[int, int] = {}
    points: dict[datetime.date, HistoryPoint] = {}
    for version in versions:
        statuses, _practice = found[version.pk]
        current[version.policy.agency_id] = rules_met(statuses)
        points[version.policy_date] = HistoryPoint(
            version.policy_date, sum(current.values()), len(current)
        )
    return list(points.values())


def state_jurisdiction(postal: str) -> Jurisdiction | None:
    """The state's own jurisdiction row, by postal code."""
    return Jurisdiction.objects.filter(kind=Kind.STATE, state=postal.upper()).first()


def counts_by_state() -> dict[str, int]:
    """State postal code -> number of agencies with a published scorecard."""
    counts: dict[str, set[int]] = defaultdict(set)
    published = PolicyVersion.objects.filter(published_at__isnull=False).values_list(
        "policy__agency__jurisdiction__state", "policy__agency_id"
    )
    for state, agency in published:
        counts[state].add(agency)
    return {state: len(ids) for state, ids in counts.items()}
