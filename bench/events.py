"""Benchmark the events map's nearby search at 100,000 events against plain indexed queries.

The nearby search (:func:`freedomcities.web.events.search.find_events` with a ZIP code and a
radius) reads the ``(public_latitude, public_longitude)`` index for the circle's bounding box,
measures the candidates' exact distance in Python, sorts them and loads the rows shown. It is
timed over many random ZIP code + radius queries, against baselines measured in the same run
on the same database:

- **bbox count**: the same bounding box on the indexed columns, ``COUNT(*)`` only: the SQL
  floor of the search, with no distance work and no rows loaded;
- **date range**: an indexed ``starts_at`` range (a random week), the first 200 ids: a plain
  indexed list query of the same size as a page of results;
- **full scan** (context, a few queries only): every event's distance measured in Python,
  which is what the search would cost without the bounding-box prefilter.

Events are spread over the U.S. ZIP code centroids shipped in the ``zipcodes`` wheel (one ZIP
code drawn at random per event, so dense places get more), over the next six months; 5% are
group-only and 10% are cancelled. Everything lives in a fresh temporary folder (SQLite), or in
a throwaway PostgreSQL database with ``--postgres URL`` (created and dropped by the run).

Usage::

    .venv/bin/python bench/events.py                 # 100,000 events, 500 queries
    .venv/bin/python bench/events.py --quick         # 100,000 events, 100 queries
    .venv/bin/python bench/events.py --postgres postgres://postgres@127.0.0.1:5432/postgres

It prints a table and writes every figure to ``bench/results/events-latest.json``.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
RADII = (5, 10, 10, 25, 25, 25, 50, 100)
"""Miles; drawn at random, 25 (the map's default) most often."""
FULL_SCAN_QUERIES = 10
CHECKED_QUERIES = 20


@dataclass(frozen=True)
class Row:
    """One measured query kind."""

    name: str
    queries: int
    p50_ms: float
    p95_ms: float
    mean_ms: float
    rows: float
    """Mean rows the query returned (for the nearby search: events within the radius)."""
    p50_x: float | None = None
    p95_x: float | None = None


def _percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))]


def _row(name: str, times: list[float], rows: list[int]) -> Row:
    return Row(
        name=name,
        queries=len(times),
        p50_ms=round(_percentile(times, 0.50) * 1000, 3),
        p95_ms=round(_percentile(times, 0.95) * 1000, 3),
        mean_ms=round(statistics.fmean(times) * 1000, 3),
        rows=round(statistics.fmean(rows), 1),
    )


def _timed(run: Callable[[], int]) -> tuple[float, int]:
    """Seconds one call took, and the rows it returned."""
    started = time.perf_counter()
    rows = run()
    return time.perf_counter() - started, rows


# ---------------------------------------------------------------------------
# Setting up Django on a throwaway database


@contextmanager
def _database(postgres: str | None) -> Iterator[str]:
    """A fresh data folder, and DATABASE_URL for a throwaway PostgreSQL database if asked."""
    with tempfile.TemporaryDirectory(prefix="fc-bench-events-") as folder:
        os.environ["FREEDOMCITIES_DATA"] = folder
        os.environ.pop("DATABASE_URL", None)
        if not postgres:
            yield "sqlite"
            return
        import psycopg

        name = f"fc_bench_events_{os.getpid()}"
        with psycopg.connect(postgres, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = urlunsplit(urlsplit(postgres)._replace(path=f"/{name}"))
        try:
            yield "postgresql"
        finally:
            from django.db import connections

            connections.close_all()
            with psycopg.connect(postgres, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _setup_django() -> None:
    """Django on the throwaway database, migrated."""
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "freedomcities.web.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


# ---------------------------------------------------------------------------
# Seeding


def seed(count: int, rng: random.Random) -> dict[str, float]:
    """Bulk-create ``count`` events spread over U.S. ZIP code centroids; returns timings."""
    from django.db import connection, transaction

    from freedomcities.web.campaign.models import Group
    from freedomcities.web.geography import places
    from freedomcities.web.jurisdictions.models import Jurisdiction, Kind

    started = time.perf_counter()
    zips = places.all_zips()
    loaded = time.perf_counter() - started
    nation = Jurisdiction.objects.create(
        ocd_id="ocd-division/country:us", kind=Kind.STATE, name="United States", state="US"
    )
    group = Group.objects.create(name="Benchmark group", state="US", home=nation)
    started = time.perf_counter()
    with transaction.atomic():
        _create(group, nation, count, zips, rng)
    seeded = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"zip_database_s": round(loaded, 2), "seed_s": round(seeded, 2)}


def _create(group: Any, nation: Any, count: int, zips: Any, rng: random.Random) -> None:
    """The events themselves, in batches of 5,000."""
    from freedomcities.web.events.models import Event, EventStatus, Tactic

    now = datetime.datetime.now(datetime.UTC)
    tactics = list(Tactic.values)
    batch: list[Event] = []
    for _ in range(count):
        place = rng.choice(zips)
        starts = now + datetime.timedelta(minutes=rng.randrange(60, 180 * 24 * 60))
        event = Event(
            uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
            group=group,
            tactic=rng.choice(tactics),
            jurisdiction=nation,
            title=f"Event near {place.city}",
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=2),
            timezone=place.timezone or "UTC",
            locality=place.city,
            region=place.state,
            postal_code=place.code,
            latitude=place.latitude,
            longitude=place.longitude,
            address_public=rng.random() < 0.5,
            public=rng.random() >= 0.05,
            status=EventStatus.CANCELLED if rng.random() < 0.10 else EventStatus.SCHEDULED,
        )
        event.public_latitude, event.public_longitude = event.public_point()
        batch.append(event)
        if len(batch) == 5000:
            Event.objects.bulk_create(batch)
            batch = []
    Event.objects.bulk_create(batch)


# ---------------------------------------------------------------------------
# Measuring


@dataclass(frozen=True)
class Query:
    """One random search: a ZIP code, a radius, and a week for the date baseline."""

    zip_code: str
    latitude: float
    longitude: float
    miles: float
    week: datetime.datetime


def _queries(count: int, rng: random.Random) -> list[Query]:
    from freedomcities.web.geography import places

    zips = places.all_zips()
    now = datetime.datetime.now(datetime.UTC)
    chosen = []
    for _ in range(count):
        place = rng.choice(zips)
        week = now + datetime.timedelta(days=rng.randrange(0, 170))
        chosen.append(Query(place.code, place.latitude, place.longitude, rng.choice(RADII), week))
    return chosen


def _kinds() -> dict[str, Callable[[Query], int]]:
    """Each measured query kind, as a function of one random query returning its row count."""
    from freedomcities.web.events.search import EventQuery, find_events, nearby, public_events
    from freedomcities.web.geography import places

    def search(q: Query) -> int:
        return find_events(EventQuery(postal_code=q.zip_code, miles=q.miles)).total

    def ids(q: Query) -> int:
        return len(nearby(public_events(), q.latitude, q.longitude, q.miles))

    def bbox_count(q: Query) -> int:
        box = places.bounding_box(q.latitude, q.longitude, q.miles)
        return (
            public_events()
            .filter(
                public_latitude__range=(box.south, box.north),
                public_longitude__range=(box.west, box.east),
            )
            .count()
        )

    def date_range(q: Query) -> int:
        week = (q.week, q.week + datetime.timedelta(days=7))
        return len(
            list(public_events().filter(starts_at__range=week).values_list("pk", flat=True)[:200])
        )

    return {
        "nearby search (page)": search,
        "nearby ids + distance": ids,
        "baseline: bbox count": bbox_count,
        "baseline: date range": date_range,
    }


def _full_scan(q: Query) -> int:
    """Every public event's distance measured in Python: the search without its prefilter."""
    from freedomcities.web.events.search import public_events
    from freedomcities.web.geography import places

    rows = public_events().values_list("pk", "public_latitude", "public_longitude")
    return sum(
        1
        for _pk, lat, lon in rows.iterator(chunk_size=10_000)
        if places.distance_miles(q.latitude, q.longitude, lat, lon) <= q.miles
    )


def measure(queries: list[Query], warmup: int) -> list[Row]:
    """Time every kind over the same queries, interleaved so drift hits all alike."""
    kinds = _kinds()
    for q in queries[:warmup]:
        for run in kinds.values():
            run(q)
    times: dict[str, list[float]] = {name: [] for name in kinds}
    rows: dict[str, list[int]] = {name: [] for name in kinds}
    for q in queries:
        for name, run in kinds.items():
            seconds, count = _timed(functools.partial(run, q))
            times[name].append(seconds)
            rows[name].append(count)
    scans = [_timed(functools.partial(_full_scan, q)) for q in queries[:FULL_SCAN_QUERIES]]
    measured = [_row(name, times[name], rows[name]) for name in kinds]
    measured.append(_row("context: full scan", [s for s, _ in scans], [n for _, n in scans]))
    return _with_ratios(measured)


def _with_ratios(rows: list[Row]) -> list[Row]:
    """Each row's p50 and p95 over the bbox-count baseline's."""
    base = next(row for row in rows if row.name == "baseline: bbox count")
    return [
        Row(
            **{
                **asdict(row),
                "p50_x": round(row.p50_ms / base.p50_ms, 2),
                "p95_x": round(row.p95_ms / base.p95_ms, 2),
            }
        )
        for row in rows
    ]


def check(queries: list[Query]) -> int:
    """How many of the first queries' results equal a full scan's (they all should)."""
    from freedomcities.web.events.search import nearby, public_events

    agree = 0
    for q in queries[:CHECKED_QUERIES]:
        found = len(nearby(public_events(), q.latitude, q.longitude, q.miles))
        agree += found == _full_scan(q)
    return agree


def plan() -> str:
    """The database's plan for the bounding-box query: it should use the event_near index."""
    from django.db import connection

    from freedomcities.web.events.search import public_events

    query = public_events().filter(
        public_latitude__range=(33.0, 34.0), public_longitude__range=(-112.5, -111.5)
    )
    sql, params = query.order_by().values_list("pk").query.sql_with_params()
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        return " | ".join(" ".join(str(c) for c in row) for row in cursor.fetchall())


# ---------------------------------------------------------------------------
# Reporting


def print_table(rows: list[Row]) -> None:
    columns = [
        ("query", 24, "<"),
        ("n", 5, ">"),
        ("p50 ms", 9, ">"),
        ("p95 ms", 9, ">"),
        ("mean ms", 9, ">"),
        ("rows", 8, ">"),
        ("p50 x", 8, ">"),
        ("p95 x", 8, ">"),
    ]
    print("  ".join(f"{name:{align}{width}}" for name, width, align in columns))
    for row in rows:
        values = [
            row.name,
            row.queries,
            f"{row.p50_ms:.2f}",
            f"{row.p95_ms:.2f}",
            f"{row.mean_ms:.2f}",
            f"{row.rows:.0f}",
            f"{row.p50_x:.2f}",
            f"{row.p95_x:.2f}",
        ]
        print(
            "  ".join(
                f"{v:{align}{width}}" for v, (_n, width, align) in zip(values, columns, strict=True)
            )
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100 queries instead of 500")
    parser.add_argument("--events", type=int, default=100_000, help="events to seed")
    parser.add_argument("--queries", type=int, help="random ZIP code + radius queries")
    parser.add_argument("--seed", type=int, default=1, help="random seed")
    parser.add_argument("--postgres", help="a PostgreSQL server URL to make a throwaway DB on")
    parser.add_argument("--output", type=Path, default=RESULTS / "events-latest.json")
    args = parser.parse_args(argv)
    count = args.queries or (100 if args.quick else 500)
    rng = random.Random(args.seed)
    with _database(args.postgres) as vendor:
        _setup_django()
        print(f"Seeding {args.events:,} events on {vendor}...", flush=True)
        timings = seed(args.events, rng)
        print(
            f"  ZIP database loaded in {timings['zip_database_s']} s; "
            f"seeded in {timings['seed_s']} s"
        )
        queries = _queries(count, rng)
        query_plan = plan()
        print(f"  plan of the bounding-box query: {query_plan}")
        rows = measure(queries, warmup=min(20, count))
        agree = check(queries)
    print()
    print_table(rows)
    print()
    print(
        f"Nearby results equal a full scan's for {agree} of {min(CHECKED_QUERIES, count)} "
        "queries checked. Ratios: over the bbox-count baseline."
    )
    report = {
        "events": args.events,
        "queries": count,
        "database": vendor,
        "timings": timings,
        "plan": query_plan,
        "agree": agree,
        "rows": [asdict(row) for row in rows],
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load": os.getloadavg()[0],
        },
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=1) + "\n")
    print(f"Written to {args.output}")
    return 0 if agree == min(CHECKED_QUERIES, count) else 1


if __name__ == "__main__":
    sys.exit(main())
