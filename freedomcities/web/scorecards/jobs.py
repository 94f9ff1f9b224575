"""Keeping the analysis queue honest: workers' signs of life, and jobs whose worker died.

A worker that is killed (out of memory, a crash, ``kill -9``) cannot say so,
and huey has already taken its job off the queue, so without this the job
would show "running" for ever. Each worker writes a :class:`WorkerBeat` every
:data:`BEAT_SECONDS`; any worker, and ``freedomcities serve`` when it restarts
one, puts back in the queue each running job whose worker has been silent for
:data:`SILENT_AFTER`. A job whose workers die :data:`MAX_LOST_RUNS` times is
failed with that reason instead, so one file cannot stop the queue for good.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import threading
from dataclasses import dataclass
from typing import Any

from django.db import close_old_connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from freedomcities.web.scorecards.models import JobState, PolicyVersion, WorkerBeat

log = logging.getLogger(__name__)

BEAT_SECONDS = 10
"""How often a worker says it is alive."""

SILENT_AFTER = datetime.timedelta(seconds=30)
"""A worker not heard from for this long is taken to be dead, and its jobs go back in the queue."""

MAX_LOST_RUNS = 2
"""A job whose worker died this many times is failed rather than queued again."""


def worker_name(pid: int | None = None) -> str:
    """This worker's name: the machine and the process, unique while it runs."""
    return f"{socket.gethostname()}:{os.getpid() if pid is None else pid}"


def beat(name: str) -> None:
    """Record that the worker ``name`` is alive now."""
    now = timezone.now()
    updated = WorkerBeat.objects.filter(name=name).update(last_seen=now)
    if not updated:
        WorkerBeat.objects.update_or_create(
            name=name, defaults={"started_at": now, "last_seen": now}
        )


def forget_worker(name: str) -> list[int]:
    """A worker known to be gone (``serve`` saw it die): requeue its jobs now, not in 30 s."""
    WorkerBeat.objects.filter(name=name).delete()
    return recover_abandoned(dead=name)


def recover_abandoned(dead: str | None = None) -> list[int]:
    """Put back in the queue (or fail) every running job whose worker is gone; return their ids.

    A worker is gone when its last beat is older than :data:`SILENT_AFTER`, or
    when it has no beat at all and the job started longer ago than that. The
    jobs of ``dead``, a worker known to have died, are recovered at once.
    """
    cutoff = timezone.now() - SILENT_AFTER
    alive = set(WorkerBeat.objects.filter(last_seen__gte=cutoff).values_list("name", flat=True))
    running = PolicyVersion.objects.filter(job_state=JobState.RUNNING)
    lost = [
        version
        for version in running
        if version.worker not in alive
        and (version.worker == dead or (version.job_started_at or cutoff) < cutoff)
    ]
    for version in lost:
        _requeue_or_fail(version)
    WorkerBeat.objects.filter(last_seen__lt=cutoff).delete()
    return [version.pk for version in lost]


def _requeue_or_fail(version: PolicyVersion) -> None:
    """One job whose worker died: queue it again, or fail it once that has happened too often."""
    from freedomcities.web.scorecards.actions import queue_analysis

    with transaction.atomic():
        claimed = PolicyVersion.objects.filter(
            pk=version.pk, job_state=JobState.RUNNING, worker=version.worker
        ).update(lost_runs=version.lost_runs + 1, job_state=JobState.QUEUED)
    if not claimed:
        return  # another worker recovered it first, or it finished
    if version.lost_runs + 1 >= MAX_LOST_RUNS:
        log.warning("version %s: its worker died %s times; failing it", version.pk, MAX_LOST_RUNS)
        PolicyVersion.objects.filter(pk=version.pk).update(
            job_state=JobState.FAILED,
            retry_helps=False,
            error=_(
                "The worker analysing this file stopped before it finished, twice. The file "
                "may need more memory or time than the worker has. Try a smaller or cleaner "
                "copy of it, or ask the site's administrator to look at the worker's log."
            ),
        )
        return
    log.warning("version %s: its worker %s stopped; queueing it again", version.pk, version.worker)
    queue_analysis(version)


def start_heartbeat(name: str, *, every: float = BEAT_SECONDS) -> threading.Event:
    """Beat and recover abandoned jobs on a thread, until the returned event is set."""
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            try:
                beat(name)
                recover_abandoned()
            except Exception:  # the database may be away for a moment: try again next beat
                log.exception("the worker's heartbeat failed")
            finally:
                close_old_connections()
            stop.wait(every)
        WorkerBeat.objects.filter(name=name).delete()
        close_old_connections()

    threading.Thread(target=run, name="heartbeat", daemon=True).start()
    return stop


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
