"""A real sweep of ../shared/moa and ../shared/manuals, with one and with two workers on Redis.

Measured in one run, against raw pypdfium2 text extraction of the same files:

- **raw**: open each PDF, extract every page's text layer, close (the floor),
  in wall and CPU seconds, file by file.
- **warm**: one fresh process loads the model and the judge, then analyses
  each file once as a warm worker does (the reading child, OCR, the judge),
  without the queue and the database. Each file's CPU seconds (this process
  and every process under it: the reading children, Tesseract) give the
  rates a busy shared machine disturbs least: text pages per CPU second (x
  cores = a machine running one worker per core), scanned pages per CPU
  second (one core), and an agreement with a text layer in a warm process.
- **sweep, N workers**: ``freedomcities sweep MANIFEST`` with N ``freedomcities
  worker`` processes on a Redis queue, from queueing to the last result, in a
  fresh data folder (a copy of one seeded database, so no analysis is cached).
  Model loading happens in the first job of each worker and is counted.
- **resume**: the same command again on the finished sweep (every file skipped).

Per-file worker seconds come from the sweep's own records: text pages per
second on the manuals, scanned pages per second on the agreements without a
text layer, and the seconds of a 287(g) agreement with a text layer once the
worker is warm. Peak memory is each worker's ``VmHWM``. Each worker's CPU
seconds include its fork server's children (the files are read there). Two
workers against one are compared in wall seconds and in CPU seconds (one
worker's CPU over the busier of two's: the speed-up with a core each).

Usage::

    FREEDOMCITIES_SHARED=/work/shared .venv/bin/python bench/sweep.py
    .venv/bin/python bench/sweep.py --workers 1 --redis redis://127.0.0.1:6379/12
    .venv/bin/python bench/sweep.py --workers        # the warm process only, no Redis

Writes ``bench/results/sweep.json``; the printed note ends with the national
estimate (hours for 12.6 million pages on N machines) from the warm process's
CPU rates, and from the sweep's wall-clock rates.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SHARED = Path(os.environ.get("FREEDOMCITIES_SHARED", ROOT.parent / "shared"))
NATIONAL_PAGES = 12_600_000  # about 18,000 agencies, about 700 pages each
SCANNED_SHARE = 0.02  # of a national sweep's pages: the real manuals have 0.3-1.7 %, MOAs 14 %
STATES = "FL,NY,KY,MD,TX,ND,IL"
# Loads the model and the judge in the warm process before anything is timed.
WARM_UP = ROOT / "freedomcities" / "samples" / "sample-city-pd-immigration-policy.pdf"
# slug -> (agency name, OCD id of its jurisdiction)
AGENCIES = {
    "florida-hamilton-county-sheriffs-office-287g-wso": (
        "Hamilton County Sheriff's Office",
        "ocd-division/country:us/state:fl/county:hamilton",
    ),
    "new-york-nassau-county-police-department-287g-tfm": (
        "Nassau County Police Department",
        "ocd-division/country:us/state:ny/county:nassau",
    ),
    "kentucky-grayson-county-detention-center-287g-jem": (
        "Grayson County Detention Center",
        "ocd-division/country:us/state:ky/county:grayson",
    ),
    "florida-union-county-sheriffs-office-287g-wso": (
        "Union County Sheriff's Office",
        "ocd-division/country:us/state:fl/county:union",
    ),
    "maryland-st-marys-county-sheriffs-office-287g-wso": (
        "St. Mary's County Sheriff's Office",
        "ocd-division/country:us/state:md/county:st_mary~s",
    ),
    "texas-walker-county-sheriffs-office-287g-wso": (
        "Walker County Sheriff's Office",
        "ocd-division/country:us/state:tx/county:walker",
    ),
    "florida-orlando-police-department-287g-tfm": (
        "Orlando Police Department",
        "ocd-division/country:us/state:fl/place:orlando",
    ),
    "florida-key-west-police-department-287g-tfm": (
        "Key West Police Department",
        "ocd-division/country:us/state:fl/place:key_west",
    ),
    "florida-lee-county-sheriffs-office-287g-jem": (
        "Lee County Sheriff's Office",
        "ocd-division/country:us/state:fl/county:lee",
    ),
    "north-dakota-dickinson-police-department-287g-tfm": (
        "Dickinson Police Department",
        "ocd-division/country:us/state:nd/place:dickinson",
    ),
    "lisle-il-pd-policy-manual-2020": (
        "Lisle Police Department",
        "ocd-division/country:us/state:il/place:lisle",
    ),
    "north-riverside-il-pd-policy-manual-2020": (
        "North Riverside Police Department",
        "ocd-division/country:us/state:il/place:north_riverside",
    ),
}


def files() -> list[Path]:
    """The agreements, then the manuals."""
    found = [SHARED / "moa" / f"{slug}.pdf" for slug in AGENCIES if "287g" in slug]
    return found + [SHARED / "manuals" / f"{slug}.pdf" for slug in AGENCIES if "287g" not in slug]


def write_manifest(folder: Path) -> Path:
    manifest = folder / "shared.csv"
    lines = ["name,ocd_id,path"]
    for path in files():
        name, ocd = AGENCIES[path.stem]
        lines.append(f'"{name}",{ocd},{path}')
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return manifest


def peak_mb(pid: int | str = "self") -> float:
    """A process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int | str = "self") -> float:
    """CPU seconds of a process and of every process it started, from /proc.

    A process's own figure counts only the children it has reaped; the files a
    worker reads are read by children of its fork server, and Tesseract runs in
    those, so the live descendants are added, each with the children it reaped.
    """
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0  # gone between listing and reading: its time is in its parent's now
    ticks = sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK") + sum(cpu_seconds(kid) for kid in children(pid))


def children(pid: int | str) -> list[int]:
    """The live child processes of a process (any of its threads may have started them)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.extend(int(kid) for kid in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def raw_child() -> None:
    """In a fresh process: extract every page's text layer; print pages, seconds, peak MB."""
    import pypdfium2 as pdfium

    started, cpu_started, pages = time.perf_counter(), time.process_time(), 0
    per_file = {}
    for path in files():
        file_cpu = time.process_time()
        pdf = pdfium.PdfDocument(path)
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            textpage.get_text_range()
            textpage.close()
            page.close()
            pages += 1
        pdf.close()
        per_file[str(path)] = time.process_time() - file_cpu
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    print(
        json.dumps(
            {
                "pages": pages,
                "seconds": seconds,
                "cpu_seconds": cpu,
                "peak_mb": peak_mb(),
                "file_cpu_seconds": per_file,
            }
        )
    )


def raw() -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--raw-child"], capture_output=True, text=True, check=True
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def warm_child() -> None:
    """In a fresh process, as a warm worker does: analyse each file once, timing each.

    The model and judge load on a first, untimed file (an agreement not in the
    list); then each file is read (in the reading child, with OCR) and judged
    like a sweep's job, without the queue and the database. Each file's CPU
    seconds are this process's and all its descendants' (the reading children
    and Tesseract), which other work on a shared machine disturbs far less
    than the wall-clock seconds, also given.
    """
    from freedomcities.analyze import analyze
    from freedomcities.embed import default_embedder

    embedder = default_embedder(threads=1)
    started = time.perf_counter()
    analyze(WARM_UP, embedder=embedder)
    load = time.perf_counter() - started
    rows = []
    for path in files():
        cpu, wall = cpu_seconds(), time.perf_counter()
        scorecard = analyze(path, embedder=embedder)
        rows.append(
            {
                "path": str(path),
                "pages": scorecard.document.pages,
                "ocr_pages": scorecard.document.ocr_pages,
                "seconds": time.perf_counter() - wall,
                "cpu_seconds": cpu_seconds() - cpu,
            }
        )
    print(json.dumps({"load_seconds": load, "peak_mb": peak_mb(), "files": rows}))


def warm() -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--warm-child"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def warm_rates(measured: dict[str, Any], baseline: dict[str, Any]) -> dict[str, Any]:
    """Per-file rates of one warm process, in CPU seconds, and against raw extraction."""
    files_ = measured["files"]
    manuals = [f for f in files_ if "manuals" in f["path"]]
    scanned = [f for f in files_ if f["ocr_pages"] and f["ocr_pages"] >= f["pages"] - 1]
    text_moas = [f for f in files_ if "moa" in f["path"] and not f["ocr_pages"]]
    cores = os.cpu_count() or 1
    manual_pages = sum(f["pages"] for f in manuals)
    manual_cpu = sum(f["cpu_seconds"] for f in manuals)
    raw_manual_cpu = sum(baseline["file_cpu_seconds"][f["path"]] for f in manuals)
    text_rate = manual_pages / max(manual_cpu, 1e-9)
    scan_rate = sum(f["ocr_pages"] for f in scanned) / max(
        sum(f["cpu_seconds"] for f in scanned), 1e-9
    )
    return {
        "text_pages_per_cpu_second": round(text_rate, 1),
        "text_pages_per_s_machine": round(text_rate * cores, 1),
        "text_cpu_x_raw": round(manual_cpu / max(raw_manual_cpu, 1e-9), 1),
        "text_wall_pages_per_s": round(
            manual_pages / max(sum(f["seconds"] for f in manuals), 1e-9), 1
        ),
        "scanned_pages_per_cpu_second": round(scan_rate, 3),
        "warm_287g_text_cpu_median": round(
            statistics.median(f["cpu_seconds"] for f in text_moas), 2
        ),
        "warm_287g_text_cpu_max": round(max(f["cpu_seconds"] for f in text_moas), 2),
        "warm_287g_text_wall_median": round(statistics.median(f["seconds"] for f in text_moas), 2),
    }


def env_for(data: Path, redis: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FREEDOMCITIES_")}
    return {
        **env,
        "FREEDOMCITIES_DATA": str(data),
        "FREEDOMCITIES_QUEUE_URL": redis,
        "OMP_THREAD_LIMIT": "1",
    }


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "freedomcities", *args]


def seeded(folder: Path, redis: str) -> Path:
    """A data folder with the agencies' states loaded, copied for each run."""
    data = folder / "seeded"
    subprocess.run(
        command("seed", "--states", STATES, "--no-demo"),
        env=env_for(data, redis),
        check=True,
        capture_output=True,
    )
    return data


def flush(redis: str) -> None:
    import redis as redis_client

    redis_client.Redis.from_url(redis).flushdb()


def sweep_run(
    workers: int, template: Path, manifest: Path, redis: str, pin: bool = False
) -> dict[str, Any]:
    """One sweep from a fresh copy of the seeded data folder, with ``workers`` processes.

    With ``pin``, worker N may run only on core N (its reading children and
    Tesseract too), so one worker is one core, as on a machine running one per core.
    """
    data = template.parent / f"data-{workers}"
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(template, data)
    flush(redis)
    env = env_for(data, redis)
    output = data / "results.jsonl"
    job_log = data / "jobs.jsonl"
    procs = [
        subprocess.Popen(
            [sys.executable, str(BENCH / "jobcpu.py")],  # `freedomcities worker`, timing each job
            env={**env, "FREEDOMCITIES_BENCH_JOB_LOG": str(job_log)},
            stderr=subprocess.DEVNULL,
            preexec_fn=_on_core(number) if pin else None,
        )
        for number in range(workers)
    ]
    try:
        startup = wait_until_idle(procs)
        started = time.perf_counter()
        done = subprocess.run(
            command("sweep", str(manifest), "-o", str(output)),
            env=env,
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - started
        peaks = [peak_mb(p.pid) for p in procs]
        cpus = [cpu_seconds(p.pid) for p in procs]
        resumed = time.perf_counter()
        again = subprocess.run(
            command("sweep", str(manifest), "-o", str(output)),
            env=env,
            capture_output=True,
            text=True,
        )
        resume = time.perf_counter() - resumed
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(120)
    items = lines(data / "freedomcities.sqlite3")
    jobs = job_cpu(job_log, data / "freedomcities.sqlite3")
    return {
        "workers": workers,
        "exit": done.returncode,
        "summary": done.stdout.strip().splitlines()[-1:],
        "errors": [line for line in done.stdout.splitlines() if line.startswith("Error")],
        "resume_summary": again.stdout.strip().splitlines()[:1],
        "wall_seconds": round(wall, 1),
        "worker_startup_seconds": round(startup, 1),
        "resume_seconds": round(resume, 1),
        "pages": sum(item["pages"] for item in items),
        "peak_mb_per_worker": [round(p) for p in peaks],
        "worker_cpu_seconds": round(sum(cpus), 1),
        "cpu_per_worker": [round(c, 1) for c in cpus],
        "jobs_cpu_seconds": round(sum(f["cpu_seconds"] for f in jobs.values()), 2),
        "file_cpu": jobs,
        "items": items,
    }


def job_cpu(log: Path, database: Path) -> dict[str, dict[str, Any]]:
    """Each file's CPU seconds in the workers' jobs (bench/jobcpu.py): its own job's and its
    helpers', by file name. A file read by one worker and by two should cost the same."""
    with sqlite3.connect(database) as connection:
        paths = dict(connection.execute("select id, path from scorecards_sweepitem"))
    found: dict[str, dict[str, Any]] = {}
    for line in log.read_text(encoding="utf-8").splitlines() if log.exists() else []:
        job = json.loads(line)
        task = job["task"].rpartition(".")[2]
        name = Path(paths[job["item"]]).stem if job["item"] in paths else f"({task})"
        entry = found.setdefault(name, {"cpu_seconds": 0.0, "helpers": 0.0, "helper_jobs": 0})
        entry["cpu_seconds"] = round(entry["cpu_seconds"] + job["cpu_seconds"], 3)
        if task == "help_read_sweep_item":
            entry["helpers"] = round(entry["helpers"] + job["cpu_seconds"], 3)
            entry["helper_jobs"] += 1
    return found


def wait_until_idle(procs: list[subprocess.Popen[bytes]], timeout: float = 120.0) -> float:
    """Wait until every worker has started (imports, model, fork server) and sits idle; the
    seconds it took.

    A sweep's workers start once and stay warm for hours, so the clock starts on warm
    workers rather than counting each worker's start-up (about 2 s, while the sweep
    command starts on the same cores) in a 70-second bench. Idle means no CPU used in
    two half-second looks in a row.
    """
    launched = time.perf_counter()
    last, quiet = [-1.0] * len(procs), 0
    while quiet < 2 and time.perf_counter() - launched < timeout:
        time.sleep(0.5)
        now = [cpu_seconds(proc.pid) for proc in procs]
        quiet = quiet + 1 if all(b - a < 0.02 for a, b in zip(last, now, strict=True)) else 0
        last = now
    return time.perf_counter() - launched


def _on_core(number: int) -> Any:
    """A function that keeps the process it runs in on one core (the Nth, wrapping around)."""
    core = sorted(os.sched_getaffinity(0))[number % len(os.sched_getaffinity(0))]
    return lambda: os.sched_setaffinity(0, {core})


def lines(database: Path) -> list[dict[str, Any]]:
    """Each file's pages, OCR pages, worker seconds and order of finishing."""
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "select i.path, a.pages, a.ocr_pages, i.seconds, i.claimed_at, i.finished_at,"
            " i.claimed_by"
            " from scorecards_sweepitem i join scorecards_analysis a on a.version_id = i.version_id"
            " order by i.finished_at"
        ).fetchall()
    keys = ("path", "pages", "ocr_pages", "seconds", "started_at", "finished_at", "worker")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def timeline(run: dict[str, Any]) -> list[str]:
    """Each file's start and end, in seconds from the first start, by worker: who waited on what."""
    items = _timed(run)
    if not items:
        return []
    origin = min(_when(i["started_at"]) for i in items)
    workers = sorted({i["worker"] for i in items})
    rows = []
    for item in sorted(items, key=lambda i: (_when(i["started_at"]), i["worker"])):
        start, end = _when(item["started_at"]) - origin, _when(item["finished_at"]) - origin
        rows.append(
            f"  worker {workers.index(item['worker']) + 1}: {start:6.1f} -> {end:6.1f} s "
            f"{Path(item['path']).stem[:44]:44} {item['pages']:4} pages, {item['ocr_pages']} OCR"
        )
    ends = {
        w: max(_when(i["finished_at"]) - origin for i in items if i["worker"] == w) for w in workers
    }
    last = max(ends.values())
    rows += [
        f"  worker {n}: last file ends at {ends[w]:.1f} s, idle {last - ends[w]:.1f} s at the end"
        for n, w in enumerate(workers, start=1)
    ]
    return rows


def working_span(run: dict[str, Any]) -> float:
    """Seconds from the first file claimed to the last finished: the workers' own time.

    End to end, a sweep also counts the command's start (about 1.2 s, as its resume
    shows) and its once-a-second look at progress, the same for one worker or two;
    on a 70-second bench that fixed cost alone takes two workers from 1.82x to 1.77x,
    where a national sweep's hours make it nothing.
    """
    items = _timed(run)
    if not items:
        return 0.0
    return max(_when(i["finished_at"]) for i in items) - min(_when(i["started_at"]) for i in items)


def _timed(run: dict[str, Any]) -> list[dict[str, Any]]:
    """The run's files with both a start and an end recorded."""
    return [i for i in run["items"] if i["started_at"] and i["finished_at"]]


def _when(stamp: str) -> float:
    """Seconds since the epoch of a timestamp as SQLite keeps Django's datetimes."""
    return datetime.datetime.fromisoformat(stamp).timestamp()


def rates(run: dict[str, Any]) -> dict[str, float]:
    """Per-file figures from the workers' own timings."""
    items, workers = run["items"], run["workers"]
    manuals = [i for i in items if "manuals" in i["path"]]
    scanned = [i for i in items if i["ocr_pages"] and i["ocr_pages"] >= i["pages"] - 1]
    first_jobs = {
        min((i for i in items if i["worker"] == w), key=lambda i: i["finished_at"])["path"]
        for w in {i["worker"] for i in items}
    }
    warm_text = [
        i["seconds"]
        for i in items
        if "moa" in i["path"] and not i["ocr_pages"] and i["path"] not in first_jobs
    ]
    cores = os.cpu_count() or 1
    text_rate = sum(i["pages"] for i in manuals) / max(sum(i["seconds"] for i in manuals), 1e-9)
    scan_rate = sum(i["ocr_pages"] for i in scanned) / max(sum(i["seconds"] for i in scanned), 1e-9)
    return {
        "text_pages_per_s_per_worker": round(text_rate, 1),
        "text_pages_per_s_machine": round(text_rate * workers, 1),
        "scanned_pages_per_s_per_worker": round(scan_rate, 3),
        "scanned_pages_per_s_per_core": round(scan_rate * workers / cores, 3),
        "warm_287g_text_seconds_median": round(statistics.median(warm_text), 2)
        if warm_text
        else -1,
        "warm_287g_text_seconds_min": round(min(warm_text), 2) if warm_text else -1,
        "wall_pages_per_s": round(run["pages"] / run["wall_seconds"], 2),
        "pages_per_cpu_second": round(run["pages"] / max(run["worker_cpu_seconds"], 1e-9), 2),
    }


def national(text_rate: float, scan_rate_machine: float) -> dict[str, float]:
    """Hours for 12.6 million pages on 1, 10, 50 and 100 machines like this one."""
    seconds_per_page = (1 - SCANNED_SHARE) / text_rate + SCANNED_SHARE / scan_rate_machine
    hours = NATIONAL_PAGES * seconds_per_page / 3600
    return {f"{n} machines": round(hours / n, 1) for n in (1, 10, 50, 100)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--raw-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--warm-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--workers", type=int, nargs="*", default=[1, 2], help="sweeps to run; none: warm only"
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    parser.add_argument(
        "--pin", action="store_true", help="run each worker on a core of its own (one core each)"
    )
    parser.add_argument("--output", type=Path, default=BENCH / "results" / "sweep.json")
    args = parser.parse_args()
    if args.raw_child:
        raw_child()
        return
    if args.warm_child:
        warm_child()
        return
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    baseline = raw()
    print(
        f"raw pypdfium2: {baseline['pages']} pages in {baseline['seconds']:.2f} s, "
        f"{baseline['cpu_seconds']:.2f} CPU s "
        f"({baseline['pages'] / baseline['cpu_seconds']:.0f} pages per CPU second), "
        f"peak {baseline['peak_mb']:.0f} MB",
        flush=True,
    )
    results: dict[str, Any] = {"raw": baseline, "runs": []}
    results["warm"] = warm()
    results["warm"]["rates"] = warm_rates(results["warm"], baseline)
    report_warm(results["warm"], baseline)
    if args.workers:
        with tempfile.TemporaryDirectory(prefix="sweep-bench-") as folder:
            template = seeded(Path(folder), args.redis)
            manifest = write_manifest(Path(folder))
            for workers in args.workers:
                run = sweep_run(workers, template, manifest, args.redis, args.pin)
                run["pinned"] = args.pin
                run["rates"] = rates(run)
                results["runs"].append(run)
                report(run, baseline)
    finish(results, args.output)


def report_warm(measured: dict[str, Any], baseline: dict[str, Any]) -> None:
    r, cores = measured["rates"], os.cpu_count() or 1
    print(
        f"\none warm process, file by file (model loaded in {measured['load_seconds']:.1f} s "
        f"first; peak {measured['peak_mb']:.0f} MB):\n"
        f"  text pages (manuals): {r['text_pages_per_cpu_second']} per CPU second = "
        f"{r['text_pages_per_s_machine']} per {cores}-core machine (target 300); "
        f"{r['text_cpu_x_raw']}x raw extraction's CPU; {r['text_wall_pages_per_s']} per "
        f"wall second here\n"
        f"  scanned pages: {r['scanned_pages_per_cpu_second']} per CPU second, per core "
        f"(target 2)\n"
        f"  287(g) agreement with a text layer: median {r['warm_287g_text_cpu_median']} CPU s, "
        f"worst {r['warm_287g_text_cpu_max']} (target under 1 s); median "
        f"{r['warm_287g_text_wall_median']} s wall here",
        flush=True,
    )


def report(run: dict[str, Any], baseline: dict[str, Any]) -> None:
    raw_rate = baseline["pages"] / baseline["seconds"]
    r = run["rates"]
    print(
        f"\n{run['workers']} worker(s): {run['pages']} pages in {run['wall_seconds']} s = "
        f"{r['wall_pages_per_s']} pages/s ({raw_rate / r['wall_pages_per_s']:.0f}x raw time); "
        f"peak MB per worker {run['peak_mb_per_worker']}; resume {run['resume_seconds']} s; "
        f"workers warm before the clock (started in {run['worker_startup_seconds']} s)\n"
        f"  workers' CPU: {run['worker_cpu_seconds']} s = {r['pages_per_cpu_second']} pages per "
        f"CPU second (x{os.cpu_count()} cores = the rate of this machine if nothing else ran)\n"
        f"  text pages/s (manuals): {r['text_pages_per_s_per_worker']} per worker, "
        f"{r['text_pages_per_s_machine']} per machine\n"
        f"  scanned pages/s: {r['scanned_pages_per_s_per_worker']} per worker, "
        f"{r['scanned_pages_per_s_per_core']} per core\n"
        f"  287(g) agreement with a text layer, warm worker: median "
        f"{r['warm_287g_text_seconds_median']} s, best {r['warm_287g_text_seconds_min']} s\n"
        f"  {run['summary']} {run['errors']} resume: {run['resume_summary']}",
        flush=True,
    )
    run["timeline"] = timeline(run)
    print("\n".join(["  timeline (claimed -> finished, from the first claim):", *run["timeline"]]))


def extra_cpu(one: dict[str, Any], two: dict[str, Any]) -> list[str]:
    """Where two workers spend more CPU than one: file by file (its job and its helpers'),
    and outside the jobs (each worker's start-up, waiting on the queue)."""
    rows = ["two workers' CPU over one's (own job + helper jobs, CPU seconds):"]
    for name, mine in sorted(two["file_cpu"].items(), key=lambda pair: -pair[1]["cpu_seconds"]):
        alone = one["file_cpu"].get(name, {}).get("cpu_seconds", 0.0)
        rows.append(
            f"  {name[:44]:44} {alone:6.2f} -> {mine['cpu_seconds']:6.2f} "
            f"({mine['cpu_seconds'] - alone:+.2f}; helpers {mine['helpers']:.2f} "
            f"in {mine['helper_jobs']} jobs)"
        )
    outside = [run["worker_cpu_seconds"] - run["jobs_cpu_seconds"] for run in (one, two)]
    rows.append(
        f"  in jobs {one['jobs_cpu_seconds']:.1f} -> {two['jobs_cpu_seconds']:.1f}; outside jobs "
        f"(start-up, waiting) {outside[0]:.1f} -> {outside[1]:.1f}; all "
        f"{one['worker_cpu_seconds']:.1f} -> {two['worker_cpu_seconds']:.1f} "
        f"({two['worker_cpu_seconds'] / max(one['worker_cpu_seconds'], 1e-9) - 1:+.1%})"
    )
    return rows


def finish(results: dict[str, Any], output: Path) -> None:
    runs = {run["workers"]: run for run in results["runs"]}
    if 1 in runs and 2 in runs:
        speedup = runs[1]["wall_seconds"] / runs[2]["wall_seconds"]
        # With a core each, two workers take as long as the busier one's CPU seconds.
        cpu_speedup = runs[1]["worker_cpu_seconds"] / max(runs[2]["cpu_per_worker"])
        span_speedup = working_span(runs[1]) / max(working_span(runs[2]), 1e-9)
        results["two_workers_speedup"] = round(speedup, 2)
        results["two_workers_span_speedup"] = round(span_speedup, 2)
        results["two_workers_cpu_speedup"] = round(cpu_speedup, 2)
        print(
            f"\ntwo workers vs one: {speedup:.2f}x in wall seconds here, end to end; "
            f"{span_speedup:.2f}x from the first file claimed to the last finished; "
            f"{cpu_speedup:.2f}x in CPU seconds (one's CPU / the busier of two's; target 1.8x)"
        )
        print("\n".join(extra_cpu(runs[1], runs[2])))
    cores = os.cpu_count() or 1
    warm = results["warm"]["rates"]
    results["national_hours"] = national(
        warm["text_pages_per_s_machine"], warm["scanned_pages_per_cpu_second"] * cores
    )
    print(
        f"national estimate, {NATIONAL_PAGES:,} pages ({SCANNED_SHARE:.0%} scanned) at the "
        f"warm process's CPU rates, one worker per core: {results['national_hours']} hours"
    )
    if runs:
        best = runs[max(runs)]["rates"]
        scan_machine = best["scanned_pages_per_s_per_core"] * cores
        if best["text_pages_per_s_machine"] and scan_machine:
            wall = national(best["text_pages_per_s_machine"], scan_machine)
            results["national_hours_wall"] = wall
            print(f"  at this run's wall-clock sweep rates: {results['national_hours_wall']} hours")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"Wrote {output}")


if __name__ == "__main__":
    main()
