"""The jurisdiction page reads a fixed number of queries, however many agencies and versions.

Each agency's card shows its scorecard, its history and its policy files; a
page that asked the database again per agency or per version slowed Los
Angeles down, so the count is pinned here and compared across sizes.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from freedomcities.web.jurisdictions.models import Agency, AgencyKind, Jurisdiction
from freedomcities.web.scorecards import actions
from freedomcities.web.scorecards.models import Obtained, Policy, PolicyVersion, RuleResult

MESA = "ocd-division/country:us/state:az/place:mesa"
RULES = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "1373"]
# The most queries the page may read. The public's 9: the jurisdiction, its agencies, their
# versions, those versions' results and reviews, the latest versions' quotes and reviews
# (for the reviewers' reasons shown publicly), the campaign's officials and the events. A
# volunteer's page also reads the session, the user, the role (once, kept on the user for
# the request) and the campaign block's groups: 14. Before the
# cards were built together it was 17 and 27 for one agency with two versions, 43 and 55 for
# three with three; before the role was kept, 18 for a volunteer.
MOST_QUERIES = {"public": 9, "volunteer": 14}

# The engine's statuses for each version; the reviewer overrides rule 1 to "meets".
ANALYSED = {"1": "conflicts", "4": "meets", "9": "meets"}


def _reviewed_version(policy: Policy, date: datetime.date, staff: User) -> PolicyVersion:
    """An analysed version with every rule reviewed (rule 1 overridden), then published."""
    version = PolicyVersion.objects.create(
        policy=policy,
        file=f"policies/{policy.agency_id}-{date:%Y}.pdf",
        original_name=f"policy-{date:%Y}.pdf",
        obtained=Obtained.WEBSITE,
        policy_date=date,
        uploaded_at=timezone.now(),
        job_state="done",
    )
    RuleResult.objects.bulk_create(
        RuleResult(
            version=version,
            rule_id=rule,
            position=position,
            status=ANALYSED.get(rule, "silent"),
            confidence=0.9,
        )
        for position, rule in enumerate(RULES)
    )
    actions.review_rule(
        version,
        "1",
        status="meets",
        reason="The chief showed us the new order.",
        in_practice_only=True,
        user=staff,
        revision=0,
    )
    actions.confirm_remaining(version, user=staff, revision=1)
    actions.publish(version, user=staff)
    return version


def _agencies(mesa: Jurisdiction, staff: User, count: int, versions: int) -> list[Agency]:
    """``count`` agencies in Mesa, each with ``versions`` published, reviewed versions."""
    made = []
    for n in range(count):
        agency = Agency.objects.create(
            jurisdiction=mesa, kind=AgencyKind.POLICE, name=f"Mesa agency {n}"
        )
        policy = Policy.objects.create(agency=agency, title="Immigration enforcement policy")
        for year in range(versions):
            _reviewed_version(policy, datetime.date(2020 + year, 1, 1), staff)
        made.append(agency)
    return made


def _page(client: Client, most: int, assert_queries: DjangoAssertNumQueries) -> tuple[str, int]:
    """The Mesa page's HTML and how many queries drawing it took (no more than ``most``)."""
    with assert_queries(most) as captured:
        response = client.get(f"/j/{MESA}/")
    assert response.status_code == 200
    return response.content.decode(), len(captured)


@pytest.mark.parametrize("who", ["public", "volunteer"])
def test_the_page_reads_the_same_few_queries_for_one_agency_or_three(
    who: str,
    arizona: Jurisdiction,
    staff: User,
    volunteer: User,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    mesa = Jurisdiction.objects.get(ocd_id=MESA)
    client = Client()
    if who == "volunteer":
        client.force_login(volunteer)
    counts = []
    for count, versions in ((1, 2), (3, 2), (3, 3)):
        Agency.objects.filter(jurisdiction=mesa).delete()
        agencies = _agencies(mesa, staff, count, versions)
        page, queries = _page(client, MOST_QUERIES[who], django_assert_max_num_queries)
        counts.append(queries)
        for agency in agencies:
            assert page.count(f'id="agency-{agency.pk}"') == 1
            assert agency.name in page
        # Every card's history has a row per version, and rule 1 shows its review, not the engine.
        assert page.count('<td class="met">3/9</td>') == count * (versions + 1)
        assert page.count("Published</td>") == count * versions
        assert "3 of the nine rules in place in writing" in page
        assert page.count("<sup>*</sup>") >= count  # rule 1 is in practice only
        assert (f"{versions - 1 + 2020}-01-01" in page) and "2020-01-01" in page
        if who == "volunteer":
            assert page.count("policy-2020.pdf") == count
        else:
            assert "policy-2020.pdf" not in page
    assert counts[0] == counts[1] == counts[2], counts
