"""Run the web app and its background worker: ``freedomcities serve`` and ``freedomcities worker``.

:func:`serve` is the one command a newcomer needs: it prepares the database,
starts the huey worker as a child process, and serves the app with waitress,
a production-grade WSGI server (static files come through whitenoise). The
worker is a separate process so that a long analysis never slows the pages,
and jobs wait in the queue (SQLite in the data folder, or Redis) so that they
survive a restart of either.

:func:`run_worker` runs the worker on its own, for deployments that run web
servers and workers as separate services.

Supervision: ``serve`` watches its worker and starts a new one when it dies
(out of memory, a crash, ``kill -9``), after putting the dead worker's job
back in the queue (:mod:`freedomcities.web.scorecards.jobs`). Each worker
beats every few seconds, so workers on other machines recover each other's
jobs too.

Stopping: SIGTERM or Ctrl-C stops the web server, then asks the worker to
finish its current job and stop (SIGTERM, huey's graceful signal here); a
worker still busy after :data:`WORKER_STOP_SECONDS` is killed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from types import FrameType

from freedomcities.errors import QueueUnavailable as QueueUnavailable  # kept importable from here

WORKER_STOP_SECONDS = 30
"""How long a stopping ``serve`` waits for the worker's current job before killing it."""

RESTART_PAUSE_SECONDS = 5.0
"""How long ``serve`` waits before starting a new worker after one died soon after starting."""

_PARENT_ENV = "FREEDOMCITIES_WORKER_PARENT"
"""Set by ``serve`` for its worker child: the pid whose death tells the worker to stop."""

log = logging.getLogger(__name__)
Echo = Callable[[str], None]


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    threads: int = 8,
    workers: int = 1,
    *,
    worker: bool = True,
    echo: Echo = print,
) -> None:
    """Prepare the database, start the worker beside the web server, and serve until stopped.

    Args:
        host: the address to listen on; ``0.0.0.0`` answers on every network.
        port: the TCP port.
        threads: waitress's request threads.
        workers: the background worker's threads (0 or ``worker=False``: no worker, e.g.
            when workers run as their own service with ``freedomcities worker``).
        worker: start the worker child process.
        echo: where to say what is happening (the CLI passes ``click.echo``).

    Raises:
        OSError: the port cannot be listened on (for example, it is in use).
        QueueUnavailable: the worker would have no queue to take jobs from.
    """
    from django.conf import settings
    from waitress.server import create_server

    from freedomcities.web.security import body_limit
    from freedomcities.web.seed import ensure_ready
    from freedomcities.web.wsgi import application

    server = create_server(  # a taken port fails here, at once
        application,
        host=host,
        port=port,
        threads=threads,
        max_request_body_size=body_limit(),  # waitress stops a chunked body at the limit too
    )
    try:
        ensure_ready(echo=echo)
        if worker and workers > 0:
            check_queue()
    except BaseException:
        server.close()
        raise
    with _stop_on_sigterm(), _worker_child(workers if worker else 0, echo):
        echo(f"Serving on http://{_url_host(host)}:{port}/ (Ctrl-C to stop)")
        home = settings.HOME_STATE
        echo(f"{home}'s dashboard: http://{_url_host(host)}:{port}/states/{home.lower()}/")
        try:
            server.run()  # returns on Ctrl-C or SIGTERM (waitress catches KeyboardInterrupt)
        finally:
            echo("Stopping…")
            server.close()


def run_worker(workers: int = 1, worker_type: str = "thread") -> None:
    """Run the background worker (huey's consumer) in this process until stopped.

    SIGTERM lets the jobs under way finish first; SIGINT (Ctrl-C) stops at once.

    Args:
        workers: how many jobs run at the same time.
        worker_type: ``thread`` (one process, the embedding model loaded once) or
            ``process`` (one process per worker, for several cores).

    Raises:
        QueueUnavailable: the queue cannot be reached, so there is nothing to run.
    """
    from django.conf import settings
    from django.utils.module_loading import autodiscover_modules

    check_queue()
    autodiscover_modules("tasks")  # registers the apps' jobs, as huey's run_huey does
    huey_log = logging.getLogger("huey")
    if not huey_log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("[%(asctime)s] %(levelname)s %(message)s"))
        huey_log.addHandler(handler)
        huey_log.setLevel(logging.INFO)
    consumer = settings.HUEY.create_consumer(
        workers=workers, worker_type=worker_type, graceful_signal="TERM"
    )
    _stop_when_orphaned(os.environ.get(_PARENT_ENV, ""))
    from freedomcities.web.scorecards.jobs import worker_name
    from freedomcities.web.scorecards.tasks import start_heartbeat

    heartbeat = start_heartbeat(worker_name())
    try:
        consumer.run()
    finally:
        heartbeat.set()


def check_queue() -> None:
    """Make sure the job queue answers, so a worker never starts only to log errors forever.

    Raises:
        QueueUnavailable: the message names the queue and says what to check.
    """
    from django.conf import settings

    from freedomcities.web.config import data_dir, setting

    url = setting("FREEDOMCITIES_QUEUE_URL")
    try:
        settings.HUEY.pending_count()
    except Exception as exc:  # redis and sqlite3 raise their own kinds
        where = f"FREEDOMCITIES_QUEUE_URL={url}" if url else f"{data_dir() / 'queue.sqlite3'}"
        raise QueueUnavailable(
            f"The job queue cannot be reached ({where}): {str(exc).rstrip('.')}. "
            + ("Check that Redis is running there." if url else "Check the data folder.")
        ) from None


def worker_command(workers: int) -> list[str]:
    """The command line that starts a worker with this Python and these settings."""
    return [sys.executable, "-m", "freedomcities", "worker", "--workers", str(workers)]


@contextlib.contextmanager
def _worker_child(workers: int, echo: Echo) -> Iterator[WorkerSupervisor | None]:
    """Start the worker as a supervised child process, and stop it on the way out."""
    if workers < 1:
        yield None
        return
    supervisor = WorkerSupervisor(worker_command(workers), echo=echo)
    supervisor.start()
    echo(f"Started the background worker (process {supervisor.pid}, {workers} at a time).")
    try:
        yield supervisor
    finally:
        supervisor.stop()


class WorkerSupervisor:
    """Keeps one worker child running: when it dies, its job is requeued and a new one starts."""

    def __init__(self, command: list[str], *, echo: Echo = print) -> None:
        self.command = command
        self.echo = echo
        self.child: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._watcher = threading.Thread(target=self._watch, name="worker-watch", daemon=True)

    @property
    def pid(self) -> int | None:
        return self.child.pid if self.child else None

    def start(self) -> None:
        """Start the first worker and the thread that watches it."""
        self._spawn()
        self._watcher.start()

    def stop(self) -> None:
        """Stop watching, then stop the worker (letting it finish its job)."""
        self._stopping.set()
        with self._lock:
            child = self.child
        if child is not None:
            stop_child(child, echo=self.echo)
        self._watcher.join(WORKER_STOP_SECONDS)

    def _spawn(self) -> None:
        with self._lock:
            self.child = subprocess.Popen(
                self.command,
                env={**os.environ, _PARENT_ENV: str(os.getpid())},
                start_new_session=True,  # Ctrl-C reaches only us, and we stop the worker in order
            )
            self.started = time.monotonic()

    def _watch(self) -> None:
        while not self._stopping.is_set():
            assert self.child is not None
            code = self.child.wait()
            if self._stopping.is_set():
                return
            self._recover(self.child.pid, code)
            if time.monotonic() - self.started < RESTART_PAUSE_SECONDS * 2:
                self._stopping.wait(RESTART_PAUSE_SECONDS)  # dying at once: do not spin
            if self._stopping.is_set():
                return
            self._spawn()
            self.restarts += 1
            self.echo(f"Started a new background worker (process {self.pid}).")

    def _recover(self, pid: int, code: int) -> None:
        """Say what happened, and put the dead worker's job back in the queue."""
        self.echo(
            f"The background worker (process {pid}) stopped unexpectedly (exit code {code}); "
            "its analysis goes back in the queue and a new worker starts."
        )
        try:
            from django.db import close_old_connections

            from freedomcities.web.scorecards.jobs import worker_name
            from freedomcities.web.scorecards.tasks import forget_worker

            requeued = forget_worker(worker_name(pid))
            close_old_connections()
            if requeued:
                self.echo(f"Queued again: policy version(s) {', '.join(map(str, requeued))}.")
        except Exception:  # the database may be away: the other workers recover it in 30 s
            log.exception("could not requeue the jobs of worker %s", pid)


def stop_child(child: subprocess.Popen[bytes], *, echo: Echo = print) -> int:
    """Ask a worker to finish its job and stop; kill it if it is still busy after a while."""
    if child.poll() is not None:
        return child.returncode
    child.send_signal(signal.SIGTERM)
    try:
        return child.wait(WORKER_STOP_SECONDS)
    except (subprocess.TimeoutExpired, KeyboardInterrupt):
        echo("The worker did not stop in time; stopping it now (its analysis is interrupted).")
        child.kill()
        return child.wait()


def _stop_when_orphaned(parent: str) -> None:
    """In ``serve``'s worker: stop gracefully if ``serve`` dies without stopping us (kill -9)."""
    if not parent.isdigit():
        return

    def watch() -> None:
        while os.getppid() == int(parent):
            time.sleep(2)
        log.warning("freedomcities serve (process %s) is gone; the worker stops.", parent)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


@contextlib.contextmanager
def _stop_on_sigterm() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C, so the ``finally`` blocks stop the worker and the server."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _url_host(host: str) -> str:
    """The host as it appears in a URL one can click."""
    if host in ("0.0.0.0", "", "::"):
        return "127.0.0.1" if host != "::" else "[::1]"
    return f"[{host}]" if ":" in host else host


def data_folder_note() -> str:
    """Where the app keeps its data, for the startup message."""
    from freedomcities.web.config import data_dir, setting

    database = "PostgreSQL (DATABASE_URL)" if setting("DATABASE_URL") else "SQLite"
    queue = "Redis" if setting("FREEDOMCITIES_QUEUE_URL") else "SQLite"
    return f"Data folder: {data_dir()} (database: {database}, job queue: {queue})"
