"""`freedomcities serve` and `worker` as real processes, on SQLite and on PostgreSQL + Redis.

Each test runs the commands in subprocesses with their own data folder, as a
newcomer or a deployment would, and looks at the database they leave behind.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from freedomcities.cli import cli

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "freedomcities" / "samples" / "sample-city-pd-immigration-policy.txt"
POSTGRES = "postgresql://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379/15"
FIRST_START_SECONDS = 240  # migrate, load Arizona, analyse the demo on a busy 2-core machine
JOB_SECONDS = 180  # load the embedding model and analyse one policy

ENQUEUE = """
import datetime, pathlib
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from freedomcities.web.jurisdictions.models import Agency, AgencyKind, Jurisdiction, Kind
from freedomcities.web.scorecards.actions import upload_version
mesa, _ = Jurisdiction.objects.get_or_create(
    ocd_id="ocd-division/country:us/state:az/place:mesa", kind=Kind.PLACE, name="Mesa", state="AZ"
)
agency, _ = Agency.objects.get_or_create(
    jurisdiction=mesa, kind=AgencyKind.POLICE, name="Sample police department (test)",
    is_sample=True,
)
upload = SimpleUploadedFile(
    pathlib.Path(FILE).name, pathlib.Path(FILE).read_bytes(), content_type="text/plain"
)
with transaction.atomic():
    version = upload_version(
        agency, upload, obtained="sample", policy_date=datetime.date(2024, 1, 1), user=None
    )
print("QUEUED", version.pk, settings.HUEY.pending_count())
"""


class Running:
    """A command running in the background, its output collected line by line."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "freedomcities", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for(self, text: str, timeout: float) -> str:
        """The first output line holding ``text``; fails if the command ends or takes too long."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if text in line:
                    return line
            if self.process.poll() is not None:
                self._reader.join(5)
                pytest.fail(f"exited ({self.process.returncode}) before {text!r}:\n{self.output}")
            time.sleep(0.1)
        pytest.fail(f"no {text!r} within {timeout} s:\n{self.output}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int:
        """Send a signal and wait for the end (killing it if it will not end)."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self._reader.join(5)
        assert self.process.stdout is not None
        self.process.stdout.close()
        return code


@pytest.fixture
def start() -> Iterator[Callable[..., Running]]:
    """Start commands in the background; whatever is still running at the end is stopped."""
    started: list[Running] = []

    def run(*args: str, env: dict[str, str]) -> Running:
        running = Running(list(args), env)
        started.append(running)
        return running

    yield run
    for running in started:
        running.stop(signal.SIGKILL if running.process.poll() is None else signal.SIGTERM)


def _env(data: Path, **settings: str) -> dict[str, str]:
    """The environment of a fresh install: this data folder, SQLite, no test settings."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("FREEDOMCITIES_")
        and name not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    return {**env, "FREEDOMCITIES_DATA": str(data), "PYTHONUNBUFFERED": "1", **settings}


def _run(env: dict[str, str], *args: str) -> str:
    """Run a command to its end and return its output; fail with the output if it fails."""
    result = subprocess.run(
        [sys.executable, "-m", "freedomcities", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {timeout} s")
        time.sleep(0.25)


def _sqlite(data: Path, sql: str, *params: Any) -> Any:
    """One value from the SQLite database in a data folder."""
    with sqlite3.connect(data / "freedomcities.sqlite3", timeout=20) as connection:
        row = connection.execute(sql, params).fetchone()
    connection.close()
    return row[0] if row else None


def _enqueue(env: dict[str, str], file: Path = SAMPLE, *, waits: bool = True) -> int:
    """Migrate, then upload a policy; its analysis waits in the queue. Its version id."""
    _run(env, "manage", "migrate", "--verbosity", "0")
    script = f"FILE = {str(file)!r}\n" + ENQUEUE
    (line,) = [
        ln for ln in _run(env, "manage", "shell", "-c", script).splitlines() if "QUEUED" in ln
    ]
    _, version, pending = line.split()
    if waits:
        assert pending == "1", "the job should wait in the queue while no worker runs"
    return int(version)


# --- serve ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_serve_runs_the_app_and_its_worker_and_sigterm_stops_both(
    tmp_path: Path, start: Callable[..., Running]
) -> None:
    port = _free_port()
    server = start("serve", "--port", str(port), env=_env(tmp_path))

    server.wait_for(f"Serving on http://127.0.0.1:{port}/", FIRST_START_SECONDS)
    assert f"Data folder: {tmp_path}" in server.output
    assert "First start: loading Arizona and the demo" in server.output
    assert "freedomcities seed --all" in server.output
    started = server.wait_for("Started the background worker", 5)
    match = re.search(r"process (\d+)", started)
    assert match, started
    worker_pid = int(match.group(1))
    assert _alive(worker_pid)

    status, headers, body = _get(f"http://127.0.0.1:{port}/")
    if status == 404:  # the home page is not routed yet
        status, headers, body = _get(f"http://127.0.0.1:{port}/admin/login/")
    assert status == 200, body[:500]
    assert headers.get("Server") == "waitress"
    status, headers, body = _get(f"http://127.0.0.1:{port}/static/admin/css/base.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css") and body

    assert server.stop(signal.SIGTERM) == 0, server.output
    assert "Stopping" in server.output
    _wait_until(lambda: not _alive(worker_pid), 10, "the worker's end")
    agencies = _sqlite(tmp_path, "select count(*) from jurisdictions_agency where is_sample")
    assert agencies >= 7


@pytest.mark.slow
def test_serve_again_starts_without_seeding_and_ctrl_c_stops_it(
    tmp_path: Path, start: Callable[..., Running]
) -> None:
    env = _env(tmp_path)
    _run(env, "seed", "--states", "DE", "--no-demo")
    port = _free_port()
    server = start("serve", "--port", str(port), "--no-worker", env=env)

    server.wait_for(f"Serving on http://127.0.0.1:{port}/", 120)
    assert "First start" not in server.output
    assert "background worker" not in server.output
    assert _get(f"http://127.0.0.1:{port}/admin/login/")[0] == 200
    assert server.stop(signal.SIGINT) == 0, server.output
    assert _sqlite(tmp_path, "select count(*) from jurisdictions_agency") == 0


def test_serve_says_so_when_the_port_is_taken(tmp_path: Path) -> None:
    env = _env(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "freedomcities", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: Cannot serve on 127.0.0.1:{port}: ")
    assert "--port" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "freedomcities.sqlite3").exists()  # it stopped before any work


# --- the worker and the queue -----------------------------------------------------------------


@pytest.mark.slow
def test_a_job_queued_while_the_worker_is_stopped_runs_when_it_starts(
    tmp_path: Path, start: Callable[..., Running]
) -> None:
    env = _env(tmp_path)
    version = _enqueue(env)
    state = "select job_state from scorecards_policyversion where id = ?"
    assert _sqlite(tmp_path, state, version) == "queued"

    worker = start("worker", env=env)
    _wait_until(lambda: _sqlite(tmp_path, state, version) == "done", JOB_SECONDS, "the analysis")

    results = "select count(*) from scorecards_ruleresult where version_id = ?"
    assert _sqlite(tmp_path, results, version) == 10
    assert worker.stop(signal.SIGTERM) == 0
    assert "Shutting down gracefully" in worker.output


@pytest.fixture
def postgres_and_redis() -> Iterator[dict[str, str]]:
    """A fresh PostgreSQL database and the Redis test queue; skipped (failed in CI) if absent."""
    psycopg = pytest.importorskip("psycopg")
    redis = pytest.importorskip("redis")
    try:
        admin = psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=5)
        client = redis.Redis.from_url(REDIS, socket_connect_timeout=5)
        client.ping()
        client.close()
    except (psycopg.OperationalError, redis.exceptions.ConnectionError) as exc:
        message = f"PostgreSQL ({POSTGRES}) or Redis ({REDIS}) is not reachable: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    name = f"freedomcities_test_{uuid.uuid4().hex[:10]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield {"DATABASE_URL": f"{POSTGRES}/{name}", "FREEDOMCITIES_QUEUE_URL": REDIS}
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.slow
def test_a_worker_takes_a_job_from_redis_and_stores_the_result_in_postgresql(
    tmp_path: Path, start: Callable[..., Running], postgres_and_redis: dict[str, str]
) -> None:
    import psycopg

    env = _env(tmp_path, **postgres_and_redis)
    version = _enqueue(env)

    def state() -> str:
        with psycopg.connect(postgres_and_redis["DATABASE_URL"]) as connection:
            row = connection.execute(
                "select job_state from scorecards_policyversion where id = %s", (version,)
            ).fetchone()
        return str(row[0]) if row else ""

    assert state() == "queued"
    worker = start("worker", "--workers", "2", env=env)
    _wait_until(lambda: state() == "done", JOB_SECONDS, "the analysis")

    with psycopg.connect(postgres_and_redis["DATABASE_URL"]) as connection:
        (count,) = connection.execute(
            "select count(*) from scorecards_ruleresult where version_id = %s", (version,)
        ).fetchone() or (0,)
    assert count == 10
    assert worker.stop(signal.SIGTERM) == 0


def test_worker_says_so_when_the_queue_cannot_be_reached(tmp_path: Path) -> None:
    env = _env(tmp_path, FREEDOMCITIES_QUEUE_URL="redis://127.0.0.1:1/0")
    result = subprocess.run(
        [sys.executable, "-m", "freedomcities", "worker"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.startswith(
        "Error: The job queue cannot be reached (FREEDOMCITIES_QUEUE_URL=redis://127.0.0.1:1/0)"
    )
    assert "Check that Redis is running there." in result.stderr
    assert "Traceback" not in result.stderr


# --- manage -----------------------------------------------------------------------------------


def test_manage_passes_arguments_through_to_django() -> None:
    result = CliRunner().invoke(cli, ["manage", "check", "--deploy", "--fail-level", "CRITICAL"])
    assert result.exit_code == 0, result.output


def test_manage_reports_an_unknown_command_without_a_traceback() -> None:
    result = CliRunner().invoke(cli, ["manage", "no-such-command"])
    assert result.exit_code == 1
    assert "Unknown command: 'no-such-command'" in result.output
    assert "Traceback" not in result.output


# --- supervision ----------------------------------------------------------------------------


@pytest.mark.slow
def test_a_worker_killed_mid_job_is_replaced_and_its_job_comes_back_within_a_minute(
    tmp_path: Path, start: Callable[..., Running]
) -> None:
    from documents import make_scanned_pdf

    scan = make_scanned_pdf(SAMPLE.read_text(encoding="utf-8") * 3, tmp_path / "scan.pdf")
    env = _env(tmp_path)
    slow = _enqueue(env, scan)  # a scan: OCR keeps its worker busy for a while
    port = _free_port()
    server = start("serve", "--port", str(port), "--threads", "2", env=env)
    first = int(re.search(r"process (\d+)", server.wait_for("background worker", 60))[1])  # type: ignore[index]
    state = "select job_state from scorecards_policyversion where id = ?"
    _wait_until(lambda: _sqlite(tmp_path, state, slow) == "running", JOB_SECONDS, "the OCR job")

    os.kill(first, signal.SIGKILL)
    killed = time.monotonic()
    _wait_until(
        lambda: (
            _sqlite(tmp_path, "select lost_runs from scorecards_policyversion where id = ?", slow)
            == 1
        ),
        60,
        "the killed worker's job going back in the queue",
    )
    assert time.monotonic() - killed < 60
    assert "stopped unexpectedly" in server.output
    line = server.wait_for("Started a new background worker", 30)
    assert int(re.search(r"process (\d+)", line)[1]) != first  # type: ignore[index]

    after = _enqueue(env, SAMPLE, waits=False)
    _wait_until(lambda: _sqlite(tmp_path, state, after) == "done", JOB_SECONDS, "the next upload")
    _wait_until(
        lambda: _sqlite(tmp_path, state, slow) in ("done", "failed"),
        JOB_SECONDS,
        "the requeued job",
    )
    page_status, _headers, _body = _get(f"http://127.0.0.1:{port}/healthz")
    assert page_status == 200
    assert server.stop(signal.SIGTERM) == 0
