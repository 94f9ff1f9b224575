"""What the public reads about a rule: the deciding quote first, and the reviewer's reason."""

from __future__ import annotations

import datetime
import html

import pytest
from django.test import Client
from django.utils import timezone

from freedomcities.web.jurisdictions.models import Agency
from freedomcities.web.scorecards import dashboard
from freedomcities.web.scorecards.models import Review, RuleResult, Verdict
from freedomcities.web.seed import seed_demo

pytestmark = pytest.mark.django_db

EVIDENCE = [
    {"stance": "meets", "quote": "Members shall not ask about immigration status."},
    {"stance": "partial", "quote": "Members should avoid asking about status."},
    {"stance": "conflicts", "quote": "Members shall ask about status at booking."},
]


@pytest.mark.parametrize(
    ("reviewed", "first"),
    [
        (None, "meets"),  # the analysis's own order stands
        ("conflicts", "conflicts"),  # a reviewer's status brings its own quote to the top
        ("partial", "partial"),
        ("silent", "meets"),  # nothing decides silence: the order stands
    ],
)
def test_the_quote_that_decides_the_shown_status_comes_first(
    reviewed: str | None, first: str
) -> None:
    result = RuleResult(rule_id="5", position=5, status="meets", confidence=0.8, evidence=EVIDENCE)
    review = None
    if reviewed is not None:
        review = Review(
            rule_id="5", status=reviewed, created_at=datetime.datetime.now(datetime.UTC)
        )
    evidence = Verdict(result=result, review=review).evidence
    assert evidence[0]["stance"] == first
    assert sorted(item["quote"] for item in evidence) == sorted(i["quote"] for i in EVIDENCE)


def test_reviewers_reasons_are_shown_publicly_with_the_status(client: Client) -> None:
    seed_demo()
    shown = 0
    for agency in Agency.objects.filter(is_sample=True):
        card = dashboard.agency_cards(Agency.objects.filter(pk=agency.pk), drafts=False)[0]
        page = html.unescape(client.get(f"/agencies/{agency.pk}/").content.decode())
        for _rule, _status, verdict in card.findings:
            if verdict is not None and verdict.reason:
                assert f"Reviewer's reason: {verdict.reason}" in page
                shown += 1
        if card.reviewed_on:
            day = timezone.localtime(card.reviewed_on)  # as the page prints it
            assert f"Reviewed by affiliate staff on {day:%Y-%m-%d}." in page
    assert shown >= 1
