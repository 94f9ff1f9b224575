"""The analysis queue: huey's tasks, and every way a job is put on it.

Jobs wait in the queue configured by ``FREEDOMCITIES_QUEUE_URL`` (SQLite in the
data folder by default), so they survive a restart of the app. The worker that
``freedomcities serve`` starts runs them. This module sits above the work the
tasks do (:mod:`.analysis`, :mod:`.sweep`) and below what queues it (the
actions, the CLI, the server), so the job queue imports one way.

A worker that is killed (out of memory, a crash, ``kill -9``) cannot say so,
and huey has already taken its job off the queue. Each worker beats
(:mod:`.jobs`); any worker, and ``freedomcities serve`` when it restarts one,
puts back in the queue each running job whose worker has been silent for
:data:`.jobs.SILENT_AFTER`. A job whose workers die :data:`MAX_LOST_RUNS` times
is failed with that reason instead, so one file cannot stop the queue for good.
"""

from __future__ import annotations

import datetime
import logging
import threading
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task, on_startup

from freedomcities.embed import Embedder, RememberingEmbedder, default_embedder
from freedomcities.ocr import DEFAULT_OCR_NAME
from freedomcities.sweep import ManifestRow
from freedomcities.web.scorecards.analysis import run_analysis
from freedomcities.web.scorecards.jobs import BEAT_SECONDS, SILENT_AFTER, beat
from freedomcities.web.scorecards.models import (
    JobState,
    PolicyVersion,
    Sweep,
    SweepItem,
    WorkerBeat,
)
from freedomcities.web.scorecards.sweep import (
    LEASE,
    help_read,
    record_sweep,
    release_stalled,
    run_sweep_item,
)
from freedomcities.workload import longest_first

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _embedder() -> Embedder:
    """One embedding model per worker process, loaded on its first job.

    It remembers the passages it embedded: policies share templates, so a warm
    worker embeds a passage seen in another agency's file only once.
    """
    return RememberingEmbedder(default_embedder(threads=1))


@db_task()  # type: ignore[untyped-decorator]
def analyse_version(version_id: int) -> None:
    """Analyse one uploaded policy version and store its draft scorecard."""
    run_analysis(version_id, embedder=_embedder())


@db_task()  # type: ignore[untyped-decorator]
def analyse_sweep_item(item_id: int) -> None:
    """Analyse one line of a sweep's manifest (see :mod:`.sweep`)."""
    run_sweep_item(item_id, embedder=_embedder())


@on_startup()  # type: ignore[untyped-decorator]
def _requeue_lost_sweep_lines() -> None:
    """A worker starting again puts back the sweep lines a killed worker of this host held."""
    requeue_stalled()
    close_old_connections()


def queue_analysis(version: PolicyVersion) -> None:
    """Put the version's analysis on the background queue."""
    PolicyVersion.objects.filter(pk=version.pk).update(
        job_state=JobState.QUEUED, progress=0, error="", retry_helps=True
    )
    analyse_version(version.pk)


# ---- workers that died ----------------------------------------------------------------------


MAX_LOST_RUNS = 2
"""A job whose worker died this many times is failed rather than queued again."""


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


# ---- sweeps ---------------------------------------------------------------------------------


@db_task()  # type: ignore[untyped-decorator]
def help_read_sweep_item(item_id: int) -> None:
    """Read runs of a sweep line's scanned pages that no one has taken (see :mod:`.sweep`)."""
    help_read(item_id)


def queue_sweep(manifest: Path, rows: list[ManifestRow], ocr: str = DEFAULT_OCR_NAME) -> Sweep:
    """Record the manifest's lines and queue every one not yet analysed (see :mod:`.sweep`).

    The files with the most expected work go first (:mod:`freedomcities.workload`),
    so several workers end together rather than one finishing a long scan alone;
    beside a file with several runs of scanned pages go helper jobs, so other
    workers read some of its scans. The results keep the manifest's order. Every
    worker reads scans with the OCR engine named ``ocr``.
    """
    sweep, waiting = record_sweep(manifest, rows, ocr)
    paths = dict(SweepItem.objects.filter(pk__in=waiting).values_list("pk", "path"))
    for item_id, work in longest_first({pk: Path(path) for pk, path in paths.items()}):
        analyse_sweep_item(item_id)
        for _helper in range(work.helpers):
            help_read_sweep_item(item_id)
    requeue_stalled()
    return sweep


def requeue_stalled(lease: datetime.timedelta = LEASE) -> int:
    """Put back on the queue the lines whose worker is gone; return how many.

    A claim by a process of this host that no longer runs is lost at once;
    a claim from another host is taken as lost once older than ``lease``.
    """
    released = release_stalled(lease)
    for item_id in released:
        analyse_sweep_item(item_id)
    return len(released)


def requeue_unqueued(sweep: Sweep) -> int:
    """Queue again the sweep's waiting lines when the queue itself is empty; return how many.

    Lines wait in the database and their jobs in the queue. If the queue lost
    its jobs (Redis restarted without saving, or emptied by hand) while no line
    is being analysed, the lines would wait for ever: their jobs are put back.
    A job put back twice does no harm: the second finds its line claimed.
    """
    if settings.HUEY.pending_count() or sweep.items.filter(state=JobState.RUNNING).exists():
        return 0
    waiting = list(sweep.items.filter(state=JobState.QUEUED).values_list("pk", flat=True))
    for item_id in waiting:
        analyse_sweep_item(item_id)
    if waiting:
        log.warning("the queue had lost %s waiting sweep lines; queued them again", len(waiting))
    return len(waiting)
