"""A ``freedomcities worker`` that notes each job's CPU seconds, for bench/sweep.py.

Two workers cost more CPU than one for the same sweep; to see where, each job's
CPU is taken as its worker's whole process tree's (the worker, its fork server
and the reading children and Tesseract under it) just before and just after the
job. A worker runs one job at a time, so the difference is that job's, with the
worker's background threads (the heartbeat, huey's scheduler) in it too; what
the worker spends between jobs (Django's set-up, waiting on the queue) is left
out and shows as the gap between the jobs' sum and the worker's CPU.

Usage (bench/sweep.py starts it in place of ``freedomcities worker``)::

    FREEDOMCITIES_BENCH_JOB_LOG=/tmp/jobs.jsonl .venv/bin/python bench/jobcpu.py

Each line: ``{"pid", "task", "item", "cpu_seconds"}``; ``item`` is the sweep
line's id (the job's first argument).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from sweep import cpu_seconds  # bench/ is this script's folder, so on its path

from freedomcities.web.launch import web_app

LOG_ENV = "FREEDOMCITIES_BENCH_JOB_LOG"


def main() -> None:
    """Run one worker until stopped, appending a line per job to the log."""
    log = Path(os.environ[LOG_ENV])
    with web_app():
        from django.conf import settings
        from huey.signals import SIGNAL_COMPLETE, SIGNAL_ERROR, SIGNAL_EXECUTING

        from freedomcities.web.server import run_worker

        started: dict[str, float] = {}

        @settings.HUEY.signal(SIGNAL_EXECUTING)  # type: ignore[untyped-decorator]
        def job_starts(signal: str, task: Any, *args: Any) -> None:
            started[task.id] = cpu_seconds(os.getpid())

        @settings.HUEY.signal(SIGNAL_COMPLETE, SIGNAL_ERROR)  # type: ignore[untyped-decorator]
        def job_ends(signal: str, task: Any, *args: Any) -> None:
            spent = cpu_seconds(os.getpid()) - started.pop(task.id, cpu_seconds(os.getpid()))
            line = {
                "pid": os.getpid(),
                "task": task.name,
                "item": task.args[0] if task.args else None,
                "cpu_seconds": round(spent, 3),
            }
            with log.open("a", encoding="utf-8") as file:
                file.write(json.dumps(line) + "\n")

        run_worker(1)


if __name__ == "__main__":
    main()
