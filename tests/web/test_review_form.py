"""A review sent back with an error keeps the reviewer's choice and says what is missing, there."""

from __future__ import annotations

import pytest
from django.test import Client

from freedomcities.web.jurisdictions.models import Agency
from freedomcities.web.scorecards.models import Review
from tests.web.test_scorecard_pages import _analysed_version

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_override_without_a_reason_keeps_the_chosen_status(
    volunteer_client: Client, staff_client: Client, mesa_police: Agency
) -> None:
    version = _analysed_version(volunteer_client, mesa_police)
    rule = version.rule_results.get(rule_id="6")
    changed = "conflicts" if rule.status != "conflicts" else "silent"
    response = staff_client.post(
        f"/versions/{version.pk}/review/",
        {"rule": "6", "revision": 0, "status": changed, "reason": "", "passage": "Sec. 4.2"},
    )
    assert response.status_code == 302 and response["Location"].endswith("#rule-6")
    assert not Review.objects.exists()
    page = staff_client.get(response["Location"].split("#")[0]).content.decode()
    form = page.split('data-testid="review-6"')[1].split("</form>")[0]
    assert f'<option value="{changed}" selected>' in form
    assert "Say why you changed rule 6" in form  # beside the field, not at the top
    assert 'aria-describedby="review-error-6"' in form
    assert ">Sec. 4.2</textarea>" in form
    other = page.split('data-testid="review-5"')[1].split("</form>")[0]
    assert "review-error" not in other
    # Shown once: a reload shows the rule as it is.
    again = staff_client.get(version.get_absolute_url()).content.decode()
    assert "Say why you changed rule 6" not in again
