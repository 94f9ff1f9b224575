"""Background jobs, run by the huey worker that ``freedomcities serve`` starts.

Jobs wait in the queue configured by ``FREEDOMCITIES_QUEUE_URL`` (SQLite in the
data folder by default), so they survive a restart of the app.
"""

from __future__ import annotations

from functools import lru_cache

from huey.contrib.djhuey import db_task, on_startup

from freedomcities.embed import Embedder, RememberingEmbedder, default_embedder
from freedomcities.web.scorecards.actions import run_analysis


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
    from freedomcities.web.scorecards.sweep import run_sweep_item

    run_sweep_item(item_id, embedder=_embedder())


@on_startup()  # type: ignore[untyped-decorator]
def _requeue_lost_sweep_lines() -> None:
    """A worker starting again puts back the sweep lines a killed worker of this host held."""
    from django.db import close_old_connections

    from freedomcities.web.scorecards.sweep import requeue_stalled

    requeue_stalled()
    close_old_connections()
