"""Periodic jobs of the events app, run by the huey worker that ``freedomcities serve`` starts."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from freedomcities.web.events.actions import mark_passed


@db_periodic_task(crontab(minute="*/15"))  # type: ignore[untyped-decorator]
def mark_passed_events() -> int:
    """Every quarter hour, mark events that have ended as passed."""
    return mark_passed()
