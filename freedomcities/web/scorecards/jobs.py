"""Workers' signs of life, and the queue as staff see it.

A worker that is killed (out of memory, a crash, ``kill -9``) cannot say so,
and huey has already taken its job off the queue, so without this the job
would show "running" for ever. Each worker writes a :class:`WorkerBeat` every
:data:`BEAT_SECONDS`; a worker silent for :data:`SILENT_AFTER` is taken to be
dead, and :mod:`.tasks` puts its jobs back in the queue. Nothing here queues a
job, so the analysis that a task runs can name its worker.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from freedomcities.lease import holder
from freedomcities.web.scorecards.models import JobState, PolicyVersion, WorkerBeat

BEAT_SECONDS = 10
"""How often a worker says it is alive."""

SILENT_AFTER = datetime.timedelta(seconds=30)
"""A worker not heard from for this long is taken to be dead, and its jobs go back in the queue."""


def worker_name(pid: int | None = None) -> str:
    """This worker's name: the machine and the process, unique while it runs."""
    return holder(pid)


def beat(name: str) -> None:
    """Record that the worker ``name`` is alive now."""
    now = timezone.now()
    updated = WorkerBeat.objects.filter(name=name).update(last_seen=now)
    if not updated:
        WorkerBeat.objects.update_or_create(
            name=name, defaults={"started_at": now, "last_seen": now}
        )


@dataclass(frozen=True)
class WorkerRow:
    """One worker as staff see it."""

    name: str
    started_at: datetime.datetime
    last_seen: datetime.datetime
    alive: bool


def queue_state() -> dict[str, Any]:
    """What staff see on the jobs page: counts, workers, running and failed jobs."""
    from django.conf import settings
    from django.db.models import Count

    counts = dict(PolicyVersion.objects.values_list("job_state").annotate(n=Count("pk")).order_by())
    cutoff = timezone.now() - SILENT_AFTER
    workers = [
        WorkerRow(beat.name, beat.started_at, beat.last_seen, beat.last_seen >= cutoff)
        for beat in WorkerBeat.objects.all()
    ]
    jobs = PolicyVersion.objects.select_related("policy__agency").order_by("-uploaded_at")
    try:
        waiting_in_queue: int | None = settings.HUEY.pending_count()
    except Exception:  # the queue is unreachable: the page says so rather than failing
        waiting_in_queue = None
    return {
        "counts": {state: counts.get(state, 0) for state in JobState.values},
        "workers": workers,
        "running": list(jobs.filter(job_state=JobState.RUNNING)),
        "queued": list(jobs.filter(job_state=JobState.QUEUED)[:50]),
        "failed": list(jobs.filter(job_state=JobState.FAILED)[:50]),
        "waiting_in_queue": waiting_in_queue,
    }
