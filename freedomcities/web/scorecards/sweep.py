"""A national sweep on the web app's queue: one job per agency's file, any number of workers.

``freedomcities sweep MANIFEST`` calls :func:`.tasks.queue_sweep`, which records
each manifest line as a :class:`~.models.SweepItem` (:func:`record_sweep`) and
puts one job per line on the queue the web app already uses (huey: SQLite in
the data folder, Redis for several machines). Every ``freedomcities worker``
that reaches the queue takes jobs (:func:`run_sweep_item`); the embedding model
and the judge stay loaded in each worker process, so a small file costs its
judging time only.

Nothing is lost and nothing is analysed twice:

- A job first *claims* its line (queued -> running, naming the worker's host
  and process); a second job for the same line finds it taken and does nothing.
- A line whose worker died (its process is gone on this host, or its claim is
  older than the lease) goes back on the queue: :func:`.tasks.requeue_stalled`, run
  when a worker starts and while ``sweep`` watches.
- A file whose bytes this agency already has analysed by the same ruleset,
  engine and judge (and, if it read scanned pages, the same OCR settings:
  :func:`.analysis.read_alike`) is not read again; nor is one in this machine's
  analysis cache (:mod:`freedomcities.cache`).

Long files first, and scans read by several workers:

- :func:`.tasks.queue_sweep` queues the files with the most expected work first
  (:mod:`freedomcities.workload`: scanned pages weigh about 400 text pages), so
  the workers end together instead of one finishing a long scan alone.
- Beside a file with several runs of scanned pages it queues helper jobs
  (:func:`help_read`): the worker that takes one reads runs of the file's scans
  no one has claimed into the OCR cache (:mod:`freedomcities.ocrshare`), while
  the file's own job reads the others and takes every page's text from there.
  Each run is claimed before it is read, so no page is read twice; a run whose
  reader died is taken over. The scorecard is the one reading the file in one
  piece gives.

Results are analyses awaiting review (done, not published), like an upload's.
"""

from __future__ import annotations

import datetime
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.files import File
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from freedomcities import __version__
from freedomcities.analyze import analyze_or_reuse
from freedomcities.cache import analysis_key, file_digest
from freedomcities.contract import public_view
from freedomcities.embed import Embedder
from freedomcities.errors import DocumentError, FreedomCitiesError
from freedomcities.isolate import read_isolated
from freedomcities.judge import Engine, judge_version
from freedomcities.learned import LearnedJudge
from freedomcities.lease import is_lost
from freedomcities.ocr import DEFAULT_OCR_NAME, ocr_engine
from freedomcities.ocrcache import default_ocr_cache
from freedomcities.ocrshare import SharedOCR, has_free_runs
from freedomcities.rules import DEFAULT_RULESET, Ruleset, load_ruleset
from freedomcities.sweep import ManifestRow
from freedomcities.web.jurisdictions.models import Agency, AgencyKind, Jurisdiction
from freedomcities.web.scorecards.analysis import (
    DEFAULT_POLICY_TITLE,
    current_judge,
    read_alike,
    store_analysis,
)
from freedomcities.web.scorecards.jobs import worker_name
from freedomcities.web.scorecards.models import (
    JobState,
    Obtained,
    Policy,
    PolicyVersion,
    Sweep,
    SweepItem,
)

log = logging.getLogger(__name__)

LEASE = datetime.timedelta(hours=1)
"""A line claimed longer ago than this by a worker on another machine is taken to be lost."""

UNEXPECTED = "The analysis stopped on an unexpected error; the worker's log says more."


@dataclass(frozen=True)
class SweepCounts:
    """Where a sweep stands: lines per state, and pages analysed so far."""

    total: int
    queued: int
    running: int
    done: int
    failed: int
    pages: int

    @property
    def finished(self) -> bool:
        return self.queued + self.running == 0


def judged_by(rules: Ruleset, model: LearnedJudge | Engine, ocr: str = DEFAULT_OCR_NAME) -> str:
    """The ruleset, engine and judge versions, and the OCR engine if not the default: a
    sweep is resumed only by the same ones."""
    judged = (
        f"{rules.id} {rules.version}, engine {__version__}, judge {judge_version(rules, model)}"
    )
    return judged if ocr == DEFAULT_OCR_NAME else f"{judged}, OCR {ocr}"


def record_sweep(
    manifest: Path, rows: list[ManifestRow], ocr: str = DEFAULT_OCR_NAME
) -> tuple[Sweep, list[int]]:
    """Record the manifest's lines; return the sweep and the lines to queue.

    Run again with the same manifest (and the same judge and OCR engine), it
    resumes: lines done stay done, lines that failed are to be tried again,
    lines being analysed by a live worker are left to it. Every worker reads
    the sweep's scans with ``ocr`` (a name in :data:`~freedomcities.ocr.OCR_ENGINES`).
    :func:`.tasks.queue_sweep` queues them.
    """
    rules = load_ruleset(DEFAULT_RULESET)
    sweep, _created = Sweep.objects.get_or_create(
        manifest=str(manifest.resolve()),
        judged_by=judged_by(rules, current_judge(), ocr),
        defaults={"started_at": timezone.now(), "ocr": ocr},
    )
    waiting = []
    for row in rows:
        item, created = SweepItem.objects.get_or_create(
            sweep=sweep, line=row.line, defaults=_fields(row)
        )
        if not created and item.state in (JobState.QUEUED, JobState.FAILED):
            SweepItem.objects.filter(pk=item.pk).update(
                **_fields(row), state=JobState.QUEUED, error="", claimed_by="", claimed_at=None
            )
        if item.state in (JobState.QUEUED, JobState.FAILED):
            waiting.append(item.pk)
    return sweep, waiting


def _fields(row: ManifestRow) -> dict[str, Any]:
    """A manifest row's values as a SweepItem's fields."""
    return {
        "agency_name": row.name[:200],
        "ocd_id": row.ocd_id[:200],
        "path": str(row.path)[:1000],
        "policy_date": row.date,
    }


def sweep_counts(sweep: Sweep) -> SweepCounts:
    """How many lines are in each state, and the pages of those done."""
    by_state = dict(
        sweep.items.values_list("state").annotate(count=Count("pk")).values_list("state", "count")
    )
    pages = sweep.items.filter(state=JobState.DONE).aggregate(total=Sum("pages"))["total"]
    return SweepCounts(
        total=sum(by_state.values()),
        queued=by_state.get(JobState.QUEUED, 0),
        running=by_state.get(JobState.RUNNING, 0),
        done=by_state.get(JobState.DONE, 0),
        failed=by_state.get(JobState.FAILED, 0),
        pages=pages or 0,
    )


def failures(sweep: Sweep) -> list[SweepItem]:
    """The lines that could not be analysed, in manifest order, with their errors."""
    return list(sweep.items.filter(state=JobState.FAILED).order_by("line"))


# ---- the worker's side ----------------------------------------------------------------------


def run_sweep_item(
    item_id: int,
    *,
    embedder: Embedder | None = None,
    model: LearnedJudge | Engine | None = None,
) -> None:
    """Analyse one manifest line and store it as an analysis awaiting review.

    Never raises for a bad file: the line is marked failed with a message fit
    to list at the end of the sweep.
    """
    claimed = SweepItem.objects.filter(pk=item_id, state=JobState.QUEUED).update(
        state=JobState.RUNNING, claimed_by=worker_name(), claimed_at=timezone.now()
    )
    if not claimed:
        return  # done already, or another worker has it
    item = SweepItem.objects.select_related("sweep").get(pk=item_id)
    started = time.monotonic()
    try:
        judge = current_judge() if model is None else model
        version, reused = _analysed_version(item, embedder, judge)
    except FreedomCitiesError as exc:
        _finish(item_id, state=JobState.FAILED, error=str(exc))
        return
    except Exception:  # the sweep lists every failure and goes on; it never dies with one
        log.exception("sweep line %s (%s) failed", item.line, item.path)
        _finish(item_id, state=JobState.FAILED, error=UNEXPECTED)
        return
    _finish(
        item_id,
        state=JobState.DONE,
        version=version,
        reused=reused,
        pages=version.analysis.pages,
        seconds=time.monotonic() - started,
    )


def _finish(item_id: int, **fields: Any) -> None:
    """Record a line's outcome."""
    SweepItem.objects.filter(pk=item_id).update(finished_at=timezone.now(), **fields)


def _analysed_version(
    item: SweepItem, embedder: Embedder | None, model: LearnedJudge | Engine
) -> tuple[PolicyVersion, bool]:
    """The agency's version of this file, analysed now or before; and whether it was before.

    A stored analysis that read scanned pages is reused only by a sweep reading
    with the same OCR settings; one that read none, by any.
    """
    ocr = ocr_engine(item.sweep.ocr)
    agency = _agency(item)
    rules = load_ruleset(DEFAULT_RULESET)
    path = Path(item.path)
    key = analysis_key(file_digest(path), rules, model)
    same = PolicyVersion.objects.filter(
        policy__agency=agency,
        analysis__content_hash=key.content,
        analysis__ruleset_version=f"{key.ruleset} {key.ruleset_version}",
        analysis__engine_version=key.engine,
        analysis__judge_version=key.judge,
    ).filter(read_alike(ocr))
    if (found := same.first()) is not None:
        return found, True
    scorecard, kept = analyze_or_reuse(
        path,
        ruleset=rules,
        jurisdiction=agency.jurisdiction.place_name,
        embedder=embedder,
        model=model,
        share=SharedOCR(default_ocr_cache()),
        ocr=ocr,
    )
    with transaction.atomic():
        policy, _created = Policy.objects.get_or_create(agency=agency, title=DEFAULT_POLICY_TITLE)
        version = PolicyVersion(
            policy=policy,
            original_name=path.name[:255],
            obtained=Obtained.WEBSITE,
            policy_date=item.policy_date or _file_date(path),
            uploaded_by=None,
            uploaded_at=timezone.now(),
        )
        with path.open("rb") as file:
            version.file.save(path.name, File(file), save=False)
        version.save()
        store_analysis(version, scorecard, ocr=item.sweep.ocr)
    return PolicyVersion.objects.select_related("analysis").get(pk=version.pk), kept


def help_read(item_id: int) -> None:
    """Read the runs of a line's scanned pages that no worker has taken, into the OCR cache.

    Queued beside a file with many scans, so a second worker reads some of them
    while the first reads the rest (:mod:`freedomcities.ocrshare`). Does nothing
    once the line is done, or when every run of its scans is read or held by a
    live reader (the file is then not opened at all); a file that cannot be read
    is left for its own job to report.
    """
    item = SweepItem.objects.filter(pk=item_id).select_related("sweep").first()
    if item is None or item.state in (JobState.DONE, JobState.FAILED):
        return
    cache = default_ocr_cache()
    try:
        ocr = ocr_engine(item.sweep.ocr)
        if not has_free_runs(cache, file_digest(Path(item.path)), ocr):
            return
        read_isolated(item.path, ocr=ocr, share=SharedOCR(cache, helping=True))
    except FreedomCitiesError:
        return
    except Exception:  # a helper never stops a worker; the line's own job will say what failed
        log.exception("helping to read sweep line %s (%s) failed", item_id, item.path)


def _file_date(path: Path) -> datetime.date:
    """The day a file was last changed: the best guess at a policy's date when none is given."""
    return datetime.date.fromtimestamp(path.stat().st_mtime)


def _agency(item: SweepItem) -> Agency:
    """The manifest line's agency, made on first sight in its jurisdiction."""
    jurisdiction = Jurisdiction.objects.filter(ocd_id=item.ocd_id).first()
    if jurisdiction is None:
        raise DocumentError(
            f"No jurisdiction has the OCD id {item.ocd_id}. Load its state first "
            "(freedomcities seed --states XX) or correct the manifest line."
        )
    agency, _created = Agency.objects.get_or_create(
        jurisdiction=jurisdiction, name=item.agency_name, defaults={"kind": _kind(item.agency_name)}
    )
    return agency


def _kind(name: str) -> str:
    """An agency's kind, guessed from its name."""
    lowered = name.lower()
    if "sheriff" in lowered:
        return AgencyKind.SHERIFF
    if any(word in lowered for word in ("jail", "detention", "correction")):
        return AgencyKind.JAIL
    return AgencyKind.POLICE


def release_stalled(lease: datetime.timedelta = LEASE) -> list[int]:
    """Mark as waiting again the lines whose worker is gone; return them, to queue again.

    A claim by a process of this host that no longer runs is lost at once;
    a claim from another host is taken as lost once older than ``lease``.
    """
    expired, released = timezone.now() - lease, []
    for item in SweepItem.objects.filter(state=JobState.RUNNING).only("claimed_by", "claimed_at"):
        if not is_lost(item.claimed_by, item.claimed_at, expired):
            continue
        moved = SweepItem.objects.filter(
            pk=item.pk, state=JobState.RUNNING, claimed_by=item.claimed_by
        ).update(state=JobState.QUEUED, claimed_by="", claimed_at=None)
        if moved:
            log.warning("requeued sweep line %s: worker %s is gone", item.pk, item.claimed_by)
            released.append(item.pk)
    return released


# ---- the researchers' file ------------------------------------------------------------------


def finished_records(sweep: Sweep, since: datetime.datetime | None = None) -> list[dict[str, Any]]:
    """One JSON-ready record per analysed line (finished at or after ``since``, if given)."""
    items = sweep.items.filter(state=JobState.DONE, version__isnull=False).select_related(
        "version__analysis"
    )
    if since is not None:
        items = items.filter(finished_at__gte=since)
    return [_record(item) for item in items.order_by("line")]


def _record(item: SweepItem) -> dict[str, Any]:
    """One line's result: who, which file, which judge, and the scorecard."""
    assert item.version is not None
    analysis = item.version.analysis
    return {
        "agency": item.agency_name,
        "ocd_id": item.ocd_id,
        "path": item.path,
        "sha256": analysis.content_hash,
        "ruleset": analysis.ruleset_version,
        "engine": analysis.engine_version,
        "judge": analysis.judge_version,
        "pages": analysis.pages,
        "ocr_pages": analysis.ocr_pages,
        "ocr_engine": analysis.ocr_engine,
        "seconds": round(item.seconds, 2),
        "reused": item.reused,
        "version": item.version.pk,
        "scorecard": public_view(analysis.scorecard),
    }
