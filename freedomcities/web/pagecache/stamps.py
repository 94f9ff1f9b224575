"""The stamp of public data: a counter that moves on every change a public page could show.

Cached pages are keyed by it, so a change makes a new key and the next view draws
the page afresh; nothing is ever served stale and nothing needs to be deleted from
the cache. Reading it is one primary-key lookup, instead of aggregating over the
data behind a page (which cost the dashboard more than drawing it from the cache).

It moves on:

- ``post_save`` and ``post_delete`` of every model in :data:`PUBLIC_MODELS`;
- ``update()``, ``bulk_create()`` and ``bulk_update()`` through
  :class:`StampedQuerySet`, the managers of those models that are written in bulk
  (signals do not fire for bulk writes).

Inside a transaction the counter moves with the data and commits with it; a page
reads the stamp before its data, so a page drawn from old data is never stored
under a new stamp.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.apps import apps
from django.db import connection, models
from django.db.models import F
from django.db.models.signals import post_delete, post_save

from freedomcities.web.pagecache.models import Stamp

PUBLIC = "public"
"""The one stamp: public pages share so much data that finer stamps would not pay."""

PUBLIC_MODELS = (
    "jurisdictions.Jurisdiction",
    "jurisdictions.Agency",
    "scorecards.Policy",
    "scorecards.PolicyVersion",
    "scorecards.Analysis",
    "scorecards.Section",
    "scorecards.RuleResult",
    "scorecards.Review",
    "events.Event",
    "campaign.Group",
)
"""Models whose rows the cached pages show (the dashboard, agency and events pages)."""

QUIET_FIELDS = frozenset({"progress", "lost_runs", "worker", "job_started_at"})
"""Bookkeeping of a running analysis: an ``update()`` of only these moves no stamp."""

_M = TypeVar("_M", bound=models.Model)
_READ = f"SELECT counter FROM {Stamp._meta.db_table} WHERE name = %s"


def current() -> int:
    """The stamp now: one primary-key read, in plain SQL (building it through the ORM
    cost a cached page more than the rest of its visit)."""
    with connection.cursor() as cursor:
        cursor.execute(_READ, [PUBLIC])
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def bump(**_signal: Any) -> None:
    """Move the stamp (also a signal receiver, hence the ignored keywords)."""
    if not Stamp.objects.filter(name=PUBLIC).update(counter=F("counter") + 1):
        Stamp.objects.get_or_create(name=PUBLIC, defaults={"counter": 1})


def connect() -> None:
    """Listen for saves and deletes of the public models (called once, from the app's ready)."""
    for label in PUBLIC_MODELS:
        model = apps.get_model(label)
        post_save.connect(bump, sender=model, dispatch_uid=f"pagecache-save-{label}")
        post_delete.connect(bump, sender=model, dispatch_uid=f"pagecache-delete-{label}")


class StampedQuerySet(models.QuerySet[_M]):
    """A queryset whose bulk writes move the stamp, as saves and deletes do through signals."""

    def update(self, **kwargs: Any) -> int:
        """Update the rows; move the stamp when any changed and not only bookkeeping did."""
        changed = super().update(**kwargs)
        if changed and not set(kwargs) <= QUIET_FIELDS:
            bump()
        return changed

    def bulk_create(self, objs: Iterable[_M], *args: Any, **kwargs: Any) -> list[_M]:
        """Create the rows, then move the stamp."""
        made = super().bulk_create(objs, *args, **kwargs)
        if made:
            bump()
        return made

    def bulk_update(
        self, objs: Iterable[_M], fields: Iterable[str], batch_size: int | None = None
    ) -> int:
        """Update the rows' fields, then move the stamp."""
        changed = super().bulk_update(objs, fields, batch_size)
        if changed:
            bump()
        return changed
