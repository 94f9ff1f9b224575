"""A group's history: who changed what, and when.

Every action that changes a group's things keeps a :class:`Change` row, so the group can
follow its own history (``/api/campaign/groups/{id}/changes`` and the group's page). It sits
apart from :mod:`.actions` so that the actions' own helpers (:mod:`.reopen`, :mod:`.joining`)
can record changes without importing the actions back.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from freedomcities.web.campaign.models import Change, Group


def record_change(
    user: User | None,
    group: Group | None,
    subject: str,
    subject_id: int,
    action: str,
    **details: Any,
) -> Change:
    """Keep who changed what and when, so a group can follow its own history."""
    return Change.objects.create(
        user=user,
        group=group,
        subject=subject,
        subject_id=subject_id,
        action=action,
        details=details,
    )
