"""``{% jurisdiction_campaign jurisdiction %}``: where a place's campaign and its officials stand.

The panel follows the privacy rules of :mod:`..access`: the public sees only
answers staff published; members of a group campaigning there and staff see
every answer, and members see upcoming meetings too.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Q
from django.utils import timezone

from freedomcities.web.campaign import access
from freedomcities.web.campaign.actions import can_set_stage, officials_of
from freedomcities.web.campaign.forms import StageForm
from freedomcities.web.campaign.models import Answer, MeetingStatus, answer_history
from freedomcities.web.jurisdictions.models import Jurisdiction
from freedomcities.web.scorecards import dashboard

register = template.Library()

UPCOMING = [MeetingStatus.REQUESTED, MeetingStatus.NO_ANSWER, MeetingStatus.SCHEDULED]


@register.inclusion_tag("campaign/_jurisdiction_panel.html", takes_context=True)
def jurisdiction_campaign(context: template.Context, jurisdiction: Jurisdiction) -> dict[str, Any]:
    """The campaign's stage, each official's position per rule, and (for members) meetings."""
    request = context.get("request")
    user = getattr(request, "user", None)
    people = list(officials_of(jurisdiction))
    history = answer_history(access.visible_answers(user).filter(person__in=people))
    rules = dashboard.rules()
    rows = [(person, [_latest(history, person.pk, rule.id) for rule in rules]) for person in people]
    here = Q(jurisdictions=jurisdiction) | Q(home=jurisdiction)
    my_groups = list(access.groups_of(user).filter(here).distinct())
    member = bool(my_groups) or access.staff_for(user, jurisdiction.state)
    return {
        "jurisdiction": jurisdiction,
        "rules": rules,
        "rows": rows,
        "member": member,
        "my_groups": my_groups,
        "meetings": _upcoming(user, jurisdiction) if member else [],
        "stage_form": StageForm(initial={"stage": jurisdiction.stage}),
        "can_set_stage": can_set_stage(user, jurisdiction),
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }


def _latest(history: dict[tuple[int, str], list[Answer]], person: int, rule: str) -> Answer | None:
    """The official's position on the rule: their latest visible answer, if any."""
    answers = history.get((person, rule))
    return answers[-1] if answers else None


def _upcoming(user: access.AnyUser, jurisdiction: Jurisdiction) -> list[Any]:
    """Meetings asked for or scheduled that have not happened yet."""
    meetings = access.visible_meetings(user).filter(jurisdiction=jurisdiction, status__in=UPCOMING)
    meetings = meetings.filter(Q(starts_at__isnull=True) | Q(starts_at__gte=timezone.now()))
    return list(meetings.select_related("group").order_by("starts_at", "requested_on"))
