"""`freedomcities sweep` with real `freedomcities worker` processes on a real Redis queue.

The sweep is killed where it hurts most: a worker dies (SIGKILL) with a file
half analysed. Starting a worker again must finish the sweep without losing
that file and without analysing any finished file a second time.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_server import ROOT, Running, _env, _run

from freedomcities.analyze import analyze
from freedomcities.cli import cli
from tests.documents import scanned_agreement

REDIS = os.environ.get("FREEDOMCITIES_TEST_REDIS_URL", "redis://127.0.0.1:6379/12")
SAMPLE = ROOT / "freedomcities" / "samples" / "sample-city-pd-immigration-policy.txt"
PLACES = ("mesa", "tempe", "tucson", "flagstaff", "yuma", "chandler")
SWEEP_SECONDS = 600  # six policies on a busy 2-core machine, model loaded twice


@pytest.fixture
def processes() -> Iterator[Callable[..., Running]]:
    """Start commands in the background; whatever still runs at the end is killed."""
    started: list[Running] = []

    def run(*args: str, env: dict[str, str]) -> Running:
        started.append(Running(list(args), env))
        return started[-1]

    yield run
    for running in started:
        running.stop(signal.SIGKILL if running.process.poll() is None else signal.SIGTERM)


@pytest.fixture
def redis_queue() -> Iterator[str]:
    """An empty Redis queue for this test; skipped if no Redis answers."""
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS, socket_connect_timeout=5)
    try:
        client.flushdb()
    except redis.exceptions.ConnectionError as exc:
        pytest.skip(f"Redis ({REDIS}) is not reachable: {exc}")
    yield REDIS
    client.flushdb()


def _manifest(folder: Path) -> Path:
    """Six agencies of Arizona, each with its own (different) policy file."""
    folder.mkdir()
    lines = ["name,ocd_id,path"]
    for number, place in enumerate(PLACES):
        policy = folder / f"{place}.txt"
        policy.write_text(
            SAMPLE.read_text(encoding="utf-8")
            + f"\n\nSection {900 + number}. Adopted in {place}.\n",
            encoding="utf-8",
        )
        ocd = f"ocd-division/country:us/state:az/place:{place}"
        lines.append(f"{place.title()} Police Department,{ocd},{policy.name}")
    manifest = folder / "arizona.csv"
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return manifest


def _lines(database: Path) -> list[tuple[int, str, str]]:
    """Each sweep line's number, state and claiming worker."""
    with sqlite3.connect(database, timeout=30) as connection:
        return connection.execute(
            "select line, state, claimed_by from scorecards_sweepitem order by line"
        ).fetchall()


def _wait(condition: Callable[[], bool], timeout: float, what: str, *running: Running) -> None:
    """Wait for a condition while the commands run; fail with their output if they stop."""
    deadline = time.monotonic() + timeout
    while not condition():
        ended = [r for r in running if r.process.poll() is not None]
        if ended or time.monotonic() > deadline:
            outputs = "\n---\n".join(r.output for r in running)
            pytest.fail(f"no {what} within {timeout} s:\n{outputs}")
        time.sleep(0.2)


@pytest.mark.slow
def test_a_worker_killed_mid_sweep_loses_nothing_and_repeats_nothing(
    tmp_path: Path, processes: Callable[..., Running], redis_queue: str
) -> None:
    env = _env(tmp_path / "data", FREEDOMCITIES_QUEUE_URL=redis_queue)
    _run(env, "seed", "--states", "AZ", "--no-demo")
    manifest = _manifest(tmp_path / "files")
    database = tmp_path / "data" / "freedomcities.sqlite3"

    first = processes("worker", env=env)
    sweep = processes("sweep", str(manifest), env=env)
    _wait(
        lambda: (
            any(s == "done" for _, s, _ in _lines(database))
            and any(s == "running" for _, s, _ in _lines(database))
        ),
        SWEEP_SECONDS,
        "file done while another is being analysed",
        first,
        sweep,
    )
    first.stop(signal.SIGKILL)
    at_kill = _lines(database)
    done_then = {line: claim for line, state, claim in at_kill if state == "done"}
    half_done = [line for line, state, _ in at_kill if state == "running"]

    second = processes("worker", env=env)
    assert sweep.process.wait(SWEEP_SECONDS) == 0
    assert "Analysed 6 of 6 files" in sweep.wait_for("Analysed", 5), sweep.output
    second.stop()

    after = _lines(database)
    assert [state for _, state, _ in after] == ["done"] * len(PLACES)
    for line, _, claim in after:  # finished files were not analysed again by the second worker
        if line in done_then:
            assert claim == done_then[line]
    claims = {line: claim for line, _, claim in after}
    assert all(claims[line] != at_kill[line - 2][2] for line in half_done)  # taken up again
    with sqlite3.connect(database) as connection:
        versions = connection.execute(
            "select a.name, count(*) from scorecards_policyversion v"
            " join scorecards_policy p on v.policy_id = p.id"
            " join jurisdictions_agency a on p.agency_id = a.id group by a.name"
        ).fetchall()
    assert sorted(count for _, count in versions) == [1] * len(PLACES)
    results = [json.loads(line) for line in manifest.with_suffix(".jsonl").read_text().splitlines()]
    assert sorted(r["agency"] for r in results) == sorted(
        f"{p.title()} Police Department" for p in PLACES
    )
    assert all(r["scorecard"]["rules"] and len(r["sha256"]) == 64 for r in results)


@pytest.mark.slow
def test_running_the_sweep_again_skips_what_is_done_and_lists_bad_lines(
    tmp_path: Path, processes: Callable[..., Running], redis_queue: str
) -> None:
    env = _env(tmp_path / "data", FREEDOMCITIES_QUEUE_URL=redis_queue)
    _run(env, "seed", "--states", "AZ", "--no-demo")
    manifest = _manifest(tmp_path / "files")
    with manifest.open("a", encoding="utf-8") as file:
        file.write(
            "Nowhere Police Department,ocd-division/country:us/state:az/place:mesa,gone.pdf\n"
        )
    worker = processes("worker", env=env)
    first = processes("sweep", str(manifest), env=env)
    assert first.process.wait(SWEEP_SECONDS) == 1  # one line failed; the others went on
    first.wait_for("Analysed 6 of 7 files", 5)
    assert "Error: line 8 (Nowhere Police Department" in first.output
    assert "There is no file at" in first.output and "Traceback" not in first.output

    again = processes("sweep", str(manifest), env=env)
    assert again.process.wait(SWEEP_SECONDS) == 1
    again.wait_for("Analysed 6 of 7 files", 5)
    worker.stop()
    assert "7 files: 6 already analysed, 1 to analyse" in again.output
    assert len(manifest.with_suffix(".jsonl").read_text().splitlines()) == 6


@pytest.mark.slow
def test_two_workers_share_a_scanned_agreement_reading_each_page_once(
    tmp_path: Path, processes: Callable[..., Running], redis_queue: str, shared_dir: Path
) -> None:
    scan = scanned_agreement(shared_dir)
    log = tmp_path / "tesseract-runs.txt"
    env = _env(tmp_path / "data", FREEDOMCITIES_QUEUE_URL=redis_queue)
    env["PATH"] = f"{_counting_tesseract(tmp_path / 'bin', log)}:{env['PATH']}"
    _run(env, "seed", "--states", "AZ", "--no-demo")
    manifest = _manifest(tmp_path / "files")
    with manifest.open("a", encoding="utf-8") as file:
        file.write(f"Mesa Police Department,ocd-division/country:us/state:az/place:mesa,{scan}\n")

    workers = [processes("worker", env=env) for _ in range(2)]
    sweep = processes("sweep", str(manifest), env=env)
    assert sweep.process.wait(SWEEP_SECONDS) == 0, sweep.output
    for worker in workers:
        worker.stop()

    database = tmp_path / "data" / "freedomcities.sqlite3"
    with sqlite3.connect(database) as connection:
        stored, ocr_pages = connection.execute(
            "select a.scorecard, a.ocr_pages from scorecards_sweepitem i"
            " join scorecards_analysis a on a.version_id = i.version_id where i.path = ?",
            (str(scan.resolve()),),
        ).fetchone()
    kept_pages = list((tmp_path / "data" / "ocr").rglob("*.txt"))
    assert ocr_pages > 1 and len(kept_pages) == ocr_pages
    assert sum(int(line) for line in log.read_text().split()) == ocr_pages  # each page once
    assert not list((tmp_path / "data" / "ocr").rglob("*.claim*"))
    swept = json.loads(stored)
    one_piece = analyze(scan, jurisdiction=swept["jurisdiction"]).to_dict()
    one_piece["document"]["source"] = swept["document"]["source"]
    assert json.dumps(swept, sort_keys=True) == json.dumps(one_piece, sort_keys=True)


def _counting_tesseract(folder: Path, log: Path) -> Path:
    """A ``tesseract`` that notes how many pages each OCR run reads, then runs the real one."""
    real = shutil.which("tesseract")
    if real is None:
        pytest.skip("Tesseract is not installed")
    folder.mkdir()
    script = folder / "tesseract"
    script.write_text(
        "#!/bin/sh\n"
        'if [ "$2" = stdout ]; then\n'
        f'  if [ "$1" = stdin ]; then echo 1 >> {log}; else wc -l < "$1" >> {log}; fi\n'
        "fi\n"
        f'exec {real} "$@"\n',
        encoding="utf-8",
    )
    script.chmod(0o755)
    return folder


def test_a_manifest_with_a_missing_column_is_refused_before_anything_is_queued(
    tmp_path: Path,
) -> None:
    manifest = tmp_path / "agencies.csv"
    manifest.write_text("name,path\nMesa Police Department,mesa.pdf\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["sweep", str(manifest)])
    assert result.exit_code == 1
    assert "without the column(s) ocd_id" in result.output
    assert "Traceback" not in result.output
