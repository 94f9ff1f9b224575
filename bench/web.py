"""Benchmark the web app's pages under concurrent load against a trivial Django view.

Every figure is measured in this run, against a baseline measured in this run:
the baseline is ``/healthz``, a view that returns "ok" through the same server,
middleware and URL routing; the pages are a state's dashboard and jurisdiction
pages over a database seeded at campaign scale (every U.S. state, county and
place; a sheriff's office in every county and a police department in every
place of 20,000 people or more, each with a published, reviewed scorecard).

Three processes: this one (the load generator, which never imports Django), a
seeding child (migrate, load jurisdictions, analyse the demo policies once and
reuse their results for every agency), and the server (``freedomcities serve
--no-worker``, waitress). All data lives in a fresh temporary folder.

Usage::

    .venv/bin/python bench/web.py                  # all states, 400 requests per page
    .venv/bin/python bench/web.py --quick          # California only, 100 requests per page
    .venv/bin/python bench/web.py --states DE --requests 20 --concurrency 2
    .venv/bin/python bench/web.py --quick --postgres postgres://postgres@127.0.0.1:5432/test

Results are printed as a table and written to ``bench/results/web-latest.json``.
See ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import json
import math
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
DEMO_DIR = BENCH.parent / "freedomcities" / "samples" / "demo"
HOST = "127.0.0.1"
DASHBOARDS = ("CA", "AZ")  # the largest dashboard, and the demo's state
POLICE_MIN_POPULATION = 20_000
SERVER_START_SECONDS = 120
REQUEST_TIMEOUT = 600  # seconds; a busy machine queues a slow page for minutes, not forever
DJANGO_SETTINGS = "freedomcities.web.settings"
FRESH = "{n}"  # in a path: a number no request has used, so no cache can answer it
_SERIALS = itertools.count()


@dataclass(frozen=True)
class Settings:
    """What the command line asked for."""

    states: tuple[str, ...] | None  # None: every state and DC
    concurrency: int
    requests: int
    warmup: int
    threads: int
    quick: bool
    postgres: str | None = None  # a PostgreSQL server URL: seed and serve a throwaway database


# ---------------------------------------------------------------------------
# The seeding child: runs with Django set up, in the fresh data folder.


@contextlib.contextmanager
def _timed(timings: dict[str, float], name: str) -> Iterator[None]:
    """Record the seconds the block took under ``name``."""
    started = time.perf_counter()
    yield
    timings[name] = round(time.perf_counter() - started, 2)


def _seed_child(spec: dict[str, Any]) -> dict[str, Any]:
    """Migrate, seed, and describe the pages to load; returns what the parent reports."""
    import django

    django.setup()
    from django.core.management import call_command

    from freedomcities.web.seed import load_jurisdictions

    timings: dict[str, float] = {}
    with _timed(timings, "migrate"):
        call_command("migrate", interactive=False, verbosity=0)
    with _timed(timings, "jurisdictions"):
        jurisdictions = load_jurisdictions(spec["states"])
    with _timed(timings, "analyze"):
        samples = _demo_samples()
    with _timed(timings, "agencies"):
        agencies = _seed_agencies(samples)
    endpoints = _endpoints(spec["dashboards"])
    return {
        "seconds": timings,
        "jurisdictions": jurisdictions,
        "agencies": agencies,
        "samples": [sample["name"] for sample in samples],
        "endpoints": endpoints,
        "pages": {label: _inspect(path) for label, path in endpoints.items()},
    }


def _demo_samples() -> list[dict[str, Any]]:
    """Analyse each demo policy once; keep its whole scorecard JSON and a copy of the file."""
    from django.conf import settings

    from freedomcities import analyze

    stored = Path(settings.MEDIA_ROOT) / "policies" / "bench"
    stored.mkdir(parents=True, exist_ok=True)
    samples = []
    for path in sorted(DEMO_DIR.glob("*.txt")):
        scorecard = analyze(path)
        shutil.copyfile(path, stored / path.name)
        samples.append(
            {
                "name": path.stem,
                "file": f"policies/bench/{path.name}",
                "year": int(path.stem.rsplit("-", 1)[1]),
                "pages": scorecard.document.pages,
                "scorecard": scorecard.to_dict(),  # the whole form the web app stores
            }
        )
    return samples


def _targets() -> Sequence[tuple[Any, str, str]]:
    """(jurisdiction, agency kind, agency name): a sheriff per county, police in big places."""
    from freedomcities.web.jurisdictions.models import AgencyKind, Jurisdiction, Kind

    counties = Jurisdiction.objects.filter(kind=Kind.COUNTY).order_by("pk")
    places = Jurisdiction.objects.filter(
        kind=Kind.PLACE, population__gte=POLICE_MIN_POPULATION
    ).order_by("pk")
    return [(j, AgencyKind.SHERIFF, f"{j.name} Sheriff's Office") for j in counties] + [
        (j, AgencyKind.POLICE, f"{j.name} Police Department") for j in places
    ]


def _seed_agencies(samples: list[dict[str, Any]]) -> int:
    """Agencies, each with one published version whose results come from a demo analysis.

    The samples rotate across agencies, so neighbours (and states) differ; every
    rule is confirmed by a review, as publishing requires.
    """
    from django.contrib.auth.models import User
    from django.db import transaction

    from freedomcities.web.jurisdictions.models import Agency
    from freedomcities.web.scorecards.models import Policy, PolicyVersion

    targets = _targets()
    with transaction.atomic():
        staff = User.objects.create(username="bench-staff")
        agencies = Agency.objects.bulk_create(
            [Agency(jurisdiction=j, kind=kind, name=name) for j, kind, name in targets],
            batch_size=1000,
        )
        policies = Policy.objects.bulk_create(
            [Policy(agency=agency, title="Immigration enforcement policy") for agency in agencies],
            batch_size=1000,
        )
        picks = [samples[index % len(samples)] for index in range(len(policies))]
        versions = PolicyVersion.objects.bulk_create(
            [
                _version(policy, sample, index, staff)
                for index, (policy, sample) in enumerate(zip(policies, picks, strict=True))
            ],
            batch_size=1000,
        )
        _seed_results(list(zip(versions, picks, strict=True)), staff)
    return len(agencies)


def _version(policy: Any, sample: dict[str, Any], index: int, staff: Any) -> Any:
    """A published version of the sample's year, on one of the year's days."""
    import datetime

    from django.utils import timezone

    from freedomcities.web.scorecards.models import JobState, Obtained, PolicyVersion

    policy_date = datetime.date(sample["year"], 1 + index % 12, 1 + index % 28)
    uploaded = timezone.make_aware(
        datetime.datetime.combine(policy_date + datetime.timedelta(days=14), datetime.time(12))
    )
    return PolicyVersion(
        policy=policy,
        file=sample["file"],
        original_name=f"{sample['name']}.txt",
        obtained=Obtained.RECORDS_REQUEST,
        policy_date=policy_date,
        uploaded_by=staff,
        uploaded_at=uploaded,
        job_state=JobState.DONE,
        progress=100,
        published_at=uploaded + datetime.timedelta(days=7),
        published_by=staff,
        revision=1,
    )


def _seed_results(pairs: list[tuple[Any, dict[str, Any]]], staff: Any) -> None:
    """Each version's analysis, rule results and confirming reviews, in bulk."""
    from django.utils import timezone

    from freedomcities import __version__
    from freedomcities.web.scorecards.analysis import rule_results
    from freedomcities.web.scorecards.models import Analysis, Review, RuleResult

    now = timezone.now()
    Analysis.objects.bulk_create(
        (
            Analysis(
                version=version,
                scorecard=sample["scorecard"],
                pages=sample["pages"],
                engine_version=__version__,
                analysed_at=now,
            )
            for version, sample in pairs
        ),
        batch_size=500,
    )
    RuleResult.objects.bulk_create(
        (
            row
            for version, sample in pairs
            for row in rule_results(version, sample["scorecard"]["rules"])
        ),
        batch_size=1000,
    )
    Review.objects.bulk_create(
        (
            Review(version=v, rule_id=r["id"], status=r["status"], reviewer=staff, created_at=now)
            for v, sample in pairs
            for r in sample["scorecard"]["rules"]
        ),
        batch_size=1000,
    )


def _endpoints(dashboards: list[str]) -> dict[str, str]:
    """Label -> path: the baseline, the dashboards, the biggest place and its county.

    The first dashboard is loaded twice: as everyone sees it, and with a query
    string no request has used, so the view draws it afresh every time (what the
    first visit after each change to the state's data costs).
    """
    from freedomcities.web.jurisdictions.models import Jurisdiction, Kind

    endpoints = {"healthz (baseline)": "/healthz"}
    state = dashboards[0]
    for postal in dashboards:
        endpoints[f"dashboard {postal}"] = f"/states/{postal.lower()}/"
        if postal == state:
            endpoints[f"dashboard {postal}, uncached"] = f"/states/{postal.lower()}/?fresh={FRESH}"
    place = (
        Jurisdiction.objects.filter(kind=Kind.PLACE, state=state, population__isnull=False)
        .order_by("-population")
        .first()
    )
    if place is not None:
        endpoints[f"place {place.name}, {state}"] = place.get_absolute_url()
    counties = list(Jurisdiction.objects.filter(kind=Kind.COUNTY, state=state).order_by("name"))
    if counties:
        county = min(counties, key=lambda c: _distance(c, place)) if place else counties[0]
        endpoints[f"county {county.name}, {state}"] = county.get_absolute_url()
    endpoints.update(_agency_and_events(state, place))
    return endpoints


EVENT_ZIPS = {"AZ": "85201", "CA": "90012", "DE": "19901", "NM": "87102", "TX": "78701"}
"""A ZIP code in a big city of the state, for the events-by-ZIP search."""


def _agency_and_events(state: str, place: Any) -> dict[str, str]:
    """Label -> path: the place's agency page (else the state's first), and events near a ZIP."""
    from freedomcities.web.jurisdictions.models import Agency

    agencies = Agency.objects.filter(jurisdiction__state=state).order_by("pk")
    agency = (agencies.filter(jurisdiction=place).first() if place else None) or agencies.first()
    endpoints = {}
    if agency is not None:
        endpoints[f"agency {agency.name}"] = agency.get_absolute_url()
    zip_code = EVENT_ZIPS.get(state, "85201")
    endpoints[f"events by ZIP {zip_code}"] = f"/events/?zip={zip_code}&miles=25"
    return endpoints


def _distance(county: Any, place: Any) -> float:
    """Squared degrees between a county's centre and a place (infinite without a point)."""
    if county.latitude is None or place.latitude is None:
        return math.inf
    return float(
        (county.latitude - place.latitude) ** 2 + (county.longitude - place.longitude) ** 2
    )


def _inspect(path: str) -> dict[str, Any]:
    """One in-process render (after a warm one): status, bytes, SQL queries and their time."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(SERVER_NAME=HOST)
    client.get(path.replace(FRESH, "warm"))
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(path.replace(FRESH, "inspect"))
        seconds = time.perf_counter() - started
    sql = sum(float(query["time"]) for query in captured.captured_queries)
    return {
        "status": response.status_code,
        "bytes": len(response.content),
        "queries": len(captured),
        "sql_ms": round(sql * 1000, 1),
        "ms": round(seconds * 1000, 1),
    }


# ---------------------------------------------------------------------------
# The server and the load generator (this process; Django is never imported here).


def _free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _server_command(port: int, threads: int) -> list[str]:
    """``freedomcities serve --no-worker`` when the CLI has it, else waitress directly."""
    serve = [sys.executable, "-m", "freedomcities", "serve", "--no-worker"]
    if subprocess.run([*serve, "--help"], capture_output=True, check=False).returncode == 0:
        return [*serve, "--host", HOST, "--port", str(port), "--threads", str(threads)]
    code = (
        "from waitress import serve; from freedomcities.web.wsgi import application; "
        f"serve(application, host={HOST!r}, port={port}, threads={threads})"
    )
    return [sys.executable, "-c", code]


@contextlib.contextmanager
def serving(env: dict[str, str], threads: int, log: Path) -> Iterator[tuple[int, int]]:
    """Start the server, wait until ``/healthz`` answers, yield (pid, port); stop it after."""
    port = _free_port()
    with log.open("wb") as out:
        server = subprocess.Popen(
            _server_command(port, threads), env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        _wait_until_up(server, port, log)
        yield server.pid, port
    finally:
        server.send_signal(signal.SIGTERM)  # serve stops on SIGTERM as on Ctrl-C
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_up(server: subprocess.Popen[bytes], port: int, log: Path) -> None:
    """Poll ``/healthz`` until it answers 200; raise with the server's output if it never does."""
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited ({server.returncode}):\n{_tail(log)}")
        connection = http.client.HTTPConnection(HOST, port, timeout=5)
        with (
            contextlib.suppress(OSError, http.client.HTTPException),
            contextlib.closing(connection),
        ):
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer in {SERVER_START_SECONDS} s:\n{_tail(log)}")


def _tail(log: Path) -> str:
    """The end of a log file."""
    return log.read_text(errors="replace")[-4000:] if log.exists() else "(no output)"


@dataclass
class Load:
    """What one burst of requests gave: each 200 response's latency, and every failure."""

    latencies: list[float] = field(default_factory=list)
    sizes: set[int] = field(default_factory=set)
    errors: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0


def load(port: int, path: str, *, requests: int, clients: int) -> Load:
    """GET ``path`` ``requests`` times from ``clients`` threads, each on a keep-alive connection."""
    tickets = itertools.count()  # next() on it is atomic under the GIL: one ticket per request

    def client() -> Load:
        mine = Load()
        connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        while next(tickets) < requests:
            started = time.perf_counter()
            try:
                connection.request("GET", path.replace(FRESH, str(next(_SERIALS))))
                response = connection.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as exc:
                mine.errors[type(exc).__name__] += 1
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
                continue
            if response.status != 200:
                mine.errors[f"HTTP {response.status}"] += 1
                continue
            mine.latencies.append(time.perf_counter() - started)
            mine.sizes.add(len(body))
        connection.close()
        return mine

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        parts = [future.result() for future in [pool.submit(client) for _ in range(clients)]]
    total = Load(seconds=time.perf_counter() - started)
    for part in parts:
        total.latencies += part.latencies
        total.sizes |= part.sizes
        total.errors += part.errors
    return total


def _server_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) the server has used so far; None off Linux."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------
# Figures and output.


@dataclass
class Row:
    """One endpoint's figures under load, and its in-process render (queries, bytes)."""

    label: str
    path: str
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    max_ms: float
    per_second: float
    server_cpu_ms: float | None
    errors: dict[str, int]
    page: dict[str, Any]
    p50_x: float | None = None
    p95_x: float | None = None


def _percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of the values (0 when there are none)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def measure(label: str, path: str, pid: int, port: int, settings: Settings) -> Row:
    """Warm up, then load ``path`` and summarise; errors of the warm-up count too."""
    warm = load(port, path, requests=settings.warmup, clients=settings.concurrency)
    cpu = _server_cpu(pid)
    burst = load(port, path, requests=settings.requests, clients=settings.concurrency)
    cpu_after = _server_cpu(pid)
    times = burst.latencies
    return Row(
        label=label,
        path=path,
        requests=settings.requests,
        seconds=round(burst.seconds, 3),
        p50_ms=_percentile(times, 0.50) * 1000,
        p95_ms=_percentile(times, 0.95) * 1000,
        max_ms=max(times, default=0.0) * 1000,
        per_second=len(times) / burst.seconds if burst.seconds else 0.0,
        server_cpu_ms=(cpu_after - cpu) * 1000 / settings.requests
        if cpu is not None and cpu_after is not None
        else None,
        errors=dict(warm.errors + burst.errors),
        page={},
    )


COLUMNS = (
    ("endpoint", 30, "<"),
    ("KB", 6, ">"),
    ("SQL", 5, ">"),
    ("p50 ms", 8, ">"),
    ("p95 ms", 8, ">"),
    ("max ms", 8, ">"),
    ("req/s", 7, ">"),
    ("p50 x", 7, ">"),
    ("p95 x", 7, ">"),
    ("cpu ms", 7, ">"),
    ("errors", 6, ">"),
)


def header() -> str:
    """The table's heading line."""
    return "  ".join(f"{name:{align}{width}}" for name, width, align in COLUMNS)


def format_row(row: Row) -> str:
    """One table line."""
    cells = (
        row.label,
        f"{row.page.get('bytes', 0) / 1024:.0f}",
        str(row.page.get("queries", "-")),
        f"{row.p50_ms:.1f}",
        f"{row.p95_ms:.1f}",
        f"{row.max_ms:.1f}",
        f"{row.per_second:.1f}",
        f"{row.p50_x:.1f}x" if row.p50_x is not None else "-",
        f"{row.p95_x:.1f}x" if row.p95_x is not None else "-",
        f"{row.server_cpu_ms:.1f}" if row.server_cpu_ms is not None else "-",
        str(sum(row.errors.values())),
    )
    return "  ".join(f"{c[:w]:{a}{w}}" for c, (_, w, a) in zip(cells, COLUMNS, strict=True))


def _with_ratios(row: Row, baseline: Row) -> Row:
    """The row with its p50 and p95 over the baseline's."""
    row.p50_x = row.p50_ms / baseline.p50_ms if baseline.p50_ms else None
    row.p95_x = row.p95_ms / baseline.p95_ms if baseline.p95_ms else None
    return row


def to_json(
    rows: list[Row], settings: Settings, seed: dict[str, Any], seconds: float, load_avg: list[float]
) -> dict[str, Any]:
    """Everything measured, with the machine, the settings and the seed it was measured on."""
    from run import code_digest

    return {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "code_digest": code_digest(),
        "load_average_at_start": load_avg,
        "settings": asdict(settings),
        "seed": {key: value for key, value in seed.items() if key != "pages"},
        "total_seconds": round(seconds, 1),
        "rows": [asdict(row) for row in rows],
    }


# ---------------------------------------------------------------------------
# The run.


def _environment(data: Path) -> dict[str, str]:
    """This environment, pointed at a fresh data folder and its SQLite database and queue."""
    shared = {"DATABASE_URL", "FREEDOMCITIES_QUEUE_URL"}  # never someone's real database
    env = {key: value for key, value in os.environ.items() if key not in shared}
    env.update(FREEDOMCITIES_DATA=str(data), DJANGO_SETTINGS_MODULE=DJANGO_SETTINGS)
    return env


@contextlib.contextmanager
def throwaway_database(server: str | None) -> Iterator[dict[str, str]]:
    """``{"DATABASE_URL": ...}`` of a new database on a PostgreSQL server, dropped after.

    Nothing (an empty dict: SQLite in the data folder) without a server URL. The
    database is made and dropped through the server URL's own database, so a
    run never touches the data in it.
    """
    if not server:
        yield {}
        return
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    name = f"fc_bench_web_{os.getpid()}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {"DATABASE_URL": urlunsplit(urlsplit(server)._replace(path=f"/{name}"))}
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed(settings: Settings, env: dict[str, str]) -> dict[str, Any]:
    """Run the seeding child; returns its report (timings, counts, endpoints, page figures)."""
    wanted = settings.states or DASHBOARDS
    dashboards = [code for code in DASHBOARDS if code in wanted] or [wanted[0]]
    spec = {"states": settings.states, "dashboards": dashboards}
    out = Path(env["FREEDOMCITIES_DATA"]) / "seed.json"
    command = [sys.executable, str(Path(__file__).resolve()), "--seed-child", json.dumps(spec)]
    done = subprocess.run(
        [*command, "--child-out", str(out)], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0 or not out.exists():
        raise RuntimeError(f"seeding failed in its child process:\n{done.stderr[-4000:]}")
    report: dict[str, Any] = json.loads(out.read_text())
    return report


def run(settings: Settings, output: Path, keep: bool = False) -> list[Row]:
    """Seed a fresh data folder, serve it, load every endpoint; print and write the figures."""
    load_avg = [round(x, 2) for x in os.getloadavg()]
    if load_avg[0] > (os.cpu_count() or 1) / 2:
        print(f"warning: load average {load_avg[0]:.1f} at start; latencies will be noisy\n")
    started = time.perf_counter()
    data = Path(tempfile.mkdtemp(prefix="fc-web-bench-"))
    env = _environment(data)
    rows: list[Row] = []
    try:
        with throwaway_database(settings.postgres) as database:
            env.update(database)
            print(f"database: {'PostgreSQL' if database else 'SQLite'}\n")
            _run_in(settings, env, data, output, rows, (started, load_avg))
    finally:
        if keep:
            print(f"kept the data folder {data}")
        else:
            shutil.rmtree(data, ignore_errors=True)
    elapsed = time.perf_counter() - started
    print(f"\n{len(rows)} endpoints in {elapsed:.0f} s (seed included) on {os.cpu_count()} cores")
    print(f"wrote {output}")
    return rows


def _run_in(
    settings: Settings,
    env: dict[str, str],
    data: Path,
    output: Path,
    rows: list[Row],
    clock: tuple[float, list[float]],
) -> None:
    """Seed, serve and load in the prepared environment, appending each row as it is measured."""
    started, load_avg = clock
    seeded = seed(settings, env)
    _print_seed(seeded)
    output.parent.mkdir(parents=True, exist_ok=True)
    print(header())
    with serving(env, settings.threads, data / "server.log") as (pid, port):
        for label, path in seeded["endpoints"].items():
            row = measure(label, path, pid, port, settings)
            row.page = seeded["pages"][label]
            rows.append(_with_ratios(row, rows[0]) if rows else _with_ratios(row, row))
            print(format_row(row), flush=True)
            elapsed = time.perf_counter() - started
            output.write_text(
                json.dumps(to_json(rows, settings, seeded, elapsed, load_avg), indent=1)
            )


def _print_seed(seeded: dict[str, Any]) -> None:
    """One paragraph on what was seeded and how long each step took."""
    took = seeded["seconds"]
    print(
        f"seeded {seeded['jurisdictions']:,} jurisdictions and {seeded['agencies']:,} agencies "
        f"with published scorecards from {len(seeded['samples'])} demo analyses in "
        f"{sum(took.values()):.1f} s ("
        + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in took.items())
        + ")\n"
    )


def main(argv: list[str] | None = None) -> int:
    """Command line: seed, serve, load, print the table; 1 if any request failed."""
    args = _parser().parse_args(argv)
    if args.seed_child:
        report = _seed_child(json.loads(args.seed_child))
        Path(args.child_out).write_text(json.dumps(report))
        return 0
    states = tuple(s.strip().upper() for s in args.states.split(",")) if args.states else None
    settings = Settings(
        states=("CA",) if args.quick and not states else states,
        concurrency=args.concurrency,
        requests=args.requests or (100 if args.quick else 400),
        warmup=args.warmup if args.warmup is not None else (10 if args.quick else 20),
        threads=args.threads,
        quick=args.quick,
        postgres=args.postgres,
    )
    rows = run(settings, args.output, keep=args.keep)
    failed = [row for row in rows if row.errors or row.page.get("status") != 200]
    for row in failed:
        print(f"FAILED {row.label} {row.path}: {row.errors or row.page}", file=sys.stderr)
    return 1 if failed or not rows else 0


def _parser() -> argparse.ArgumentParser:
    """The command-line options."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="California only, 100 requests per page, 10 warm-up"
    )
    parser.add_argument(
        "--states", help="load only these states, e.g. CA,AZ (default: every state and DC)"
    )
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent clients (16)")
    parser.add_argument("--requests", type=int, help="timed requests per page (400; 100 quick)")
    parser.add_argument("--warmup", type=int, help="untimed requests first (20; 10 quick)")
    parser.add_argument("--threads", type=int, default=8, help="the server's threads (8)")
    parser.add_argument(
        "--output",
        type=Path,
        default=RESULTS / "web-latest.json",
        help="where to write the JSON results (default bench/results/web-latest.json)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the seeded data folder, to profile it later"
    )
    parser.add_argument(
        "--postgres",
        help="a PostgreSQL server URL (e.g. postgres://postgres@127.0.0.1:5432/test): seed "
        "and serve a throwaway database made on it, instead of SQLite",
    )
    parser.add_argument("--seed-child", help=argparse.SUPPRESS)
    parser.add_argument("--child-out", help=argparse.SUPPRESS)
    return parser


if __name__ == "__main__":
    sys.exit(main())
