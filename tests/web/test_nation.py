"""Any state can be home; the country at a glance, shaded on a scale anyone can read."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from freedomcities.web.jurisdictions.models import Agency, AgencyKind, Jurisdiction, Kind
from freedomcities.web.scorecards.maps import nation_view
from freedomcities.web.scorecards.models import Policy, PolicyVersion, RuleResult
from freedomcities.web.seed import seed_demo

pytestmark = pytest.mark.django_db


def test_the_menu_links_the_home_state_not_arizona(client: Client, settings: object) -> None:
    settings.HOME_STATE = "IL"  # type: ignore[attr-defined]
    Jurisdiction.objects.create(
        ocd_id="ocd-division/country:us/state:il", kind=Kind.STATE, name="Illinois", state="IL"
    )
    for path in ("/", "/states/", "/states/il/", "/events/"):
        page = client.get(path).content.decode()
        menu = page.split('aria-label="Main"')[1].split("</nav>")[0]
        assert 'href="/states/il/">Illinois</a>' in menu, path
        assert "Arizona" not in menu, path
        assert 'href="/states/">All states</a>' in menu, path


def _published(agency: Agency, met: int) -> None:
    """A published scorecard with ``met`` of the nine rules in place."""
    policy = Policy.objects.create(agency=agency, title="Policy manual")
    version = PolicyVersion.objects.create(
        policy=policy, policy_date="2025-01-01", published_at="2025-02-01T00:00:00Z",
        original_name="manual.pdf", obtained="website", file="policies/manual.pdf",
        uploaded_at="2025-01-15T00:00:00Z", job_state="done",
    )  # fmt: skip
    for position, rule in enumerate(["1", "2", "3", "4", "5", "6", "7", "8", "9"]):
        status = "meets" if position < met else "silent"
        RuleResult.objects.create(
            version=version, rule_id=rule, position=position, status=status, confidence=0.9
        )


def test_the_national_map_shades_each_state_and_counts_the_legend(client: Client) -> None:
    for code, name, met in (("AZ", "Arizona", 0), ("IL", "Illinois", 4), ("CO", "Colorado", 9)):
        state = Jurisdiction.objects.create(
            ocd_id=f"ocd-division/country:us/state:{code.lower()}",
            kind=Kind.STATE, name=name, state=code,
        )  # fmt: skip
        _published(
            Agency.objects.create(jurisdiction=state, kind=AgencyKind.POLICE, name="PD"), met
        )
    view = nation_view()
    assert view is not None and len(view.states) == 51
    shades = {s.code: s.shade for s in view.states}
    assert (shades["AZ"], shades["IL"], shades["CO"], shades["TX"]) == (
        "zero",
        "some",
        "all",
        "none",
    )
    assert dict(view.legend) == {"none": 48, "zero": 1, "some": 1, "all": 1}
    page = client.get("/states/").content.decode()
    assert 'data-state="IL"' in page and 'href="/states/il/"' in page
    assert "No scorecard yet (48 states)" in page and "Some rules in place (1 state)" in page
    assert "Illinois: 1 agency with a scorecard, 4.0 of 9 rules in place on average" in page
    assert not re.search(r"<img|tile", page)  # drawn from shipped geometry


def test_the_demos_home_page_draws_the_country(client: Client) -> None:
    seed_demo()
    page = client.get("/").content.decode()
    assert 'data-testid="nation-map"' in page
    assert page.count('class="state-shape shade-') == 51


def test_the_state_map_tells_zero_from_none_and_counts_its_legend(client: Client) -> None:
    from freedomcities.web.scorecards.maps import shade_for

    assert [shade_for(m) for m in (None, 0, 1, 8, 9)] == ["none", "zero", "some", "some", "all"]
    seed_demo()
    page = client.get("/states/az/").content.decode()
    legend = page.split('class="legend"')[1].split("</ol>")[0]
    assert "No scorecard yet (" in legend and "No rule in place (" in legend
    assert "All nine rules (" in legend and 'style="' not in legend
    assert 'data-testid="chart-y-label">Rules in place' in page
    assert 'data-testid="chart-x-label">Policy date' in page
