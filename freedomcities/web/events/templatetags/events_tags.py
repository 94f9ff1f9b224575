"""Template tags of the events app: a jurisdiction page's upcoming events."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Q
from django.utils import timezone

from freedomcities.web.events.models import EventStatus
from freedomcities.web.events.search import public_events
from freedomcities.web.jurisdictions.models import Jurisdiction

register = template.Library()
SHOWN = 10


@register.inclusion_tag("events/_jurisdiction_events.html")
def jurisdiction_events(jurisdiction: Jurisdiction) -> dict[str, Any]:
    """``{% jurisdiction_events jurisdiction %}``: upcoming public events there, soonest first.

    Events about the jurisdiction itself or a place or county within it are listed, with
    links to the map and to the jurisdiction's calendar feed.
    """
    about = (
        Q(jurisdiction=jurisdiction)
        | Q(jurisdiction__parent=jurisdiction)
        | Q(jurisdiction__parent__parent=jurisdiction)
    )
    events = (
        public_events()
        .filter(about, status=EventStatus.SCHEDULED, ends_at__gte=timezone.now())
        .select_related("group")
        .order_by("starts_at")
    )
    return {"jurisdiction": jurisdiction, "events": list(events[:SHOWN])}
