"""A real sweep of ../shared/moa and ../shared/manuals, with one and with two workers on Redis.

Measured in one run, against raw pypdfium2 text extraction of the same files:

- **raw**: open each PDF, extract every page's text layer, close (the floor).
- **sweep, N workers**: ``freedomcities sweep MANIFEST`` with N ``freedomcities
  worker`` processes on a Redis queue, from queueing to the last result, in a
  fresh data folder (a copy of one seeded database, so no analysis is cached).
  Model loading happens in the first job of each worker and is counted.
- **resume**: the same command again on the finished sweep (every file skipped).

Per-file worker seconds come from the sweep's own records: text pages per
second on the manuals, scanned pages per second on the agreements without a
text layer, and the seconds of a 287(g) agreement with a text layer once the
worker is warm. Peak memory is each worker's ``VmHWM``.

Usage::

    FREEDOMCITIES_SHARED=/work/shared .venv/bin/python bench/sweep.py
    .venv/bin/python bench/sweep.py --workers 1 --redis redis://127.0.0.1:6379/12

Writes ``bench/results/sweep.json``; the printed note ends with the national
estimate (hours for 12.6 million pages on N machines) from the measured rates.
"""

from __future__ import annotations

import argparse
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


def cpu_seconds(pid: int) -> float:
    """CPU seconds of a process and its finished children (Tesseract), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def raw_child() -> None:
    """In a fresh process: extract every page's text layer; print pages, seconds, peak MB."""
    import pypdfium2 as pdfium

    started, pages = time.perf_counter(), 0
    for path in files():
        pdf = pdfium.PdfDocument(path)
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            textpage.get_text_range()
            textpage.close()
            page.close()
            pages += 1
        pdf.close()
    seconds = time.perf_counter() - started
    print(json.dumps({"pages": pages, "seconds": seconds, "peak_mb": peak_mb()}))


def raw() -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--raw-child"], capture_output=True, text=True, check=True
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


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


def sweep_run(workers: int, template: Path, manifest: Path, redis: str) -> dict[str, Any]:
    """One sweep from a fresh copy of the seeded data folder, with ``workers`` processes."""
    data = template.parent / f"data-{workers}"
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(template, data)
    flush(redis)
    env = env_for(data, redis)
    output = data / "results.jsonl"
    procs = [
        subprocess.Popen(command("worker"), env=env, stderr=subprocess.DEVNULL)
        for _ in range(workers)
    ]
    try:
        started = time.perf_counter()
        done = subprocess.run(
            command("sweep", str(manifest), "-o", str(output)),
            env=env,
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - started
        peaks = [peak_mb(p.pid) for p in procs]
        cpu = sum(cpu_seconds(p.pid) for p in procs)
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
    return {
        "workers": workers,
        "exit": done.returncode,
        "summary": done.stdout.strip().splitlines()[-1:],
        "errors": [line for line in done.stdout.splitlines() if line.startswith("Error")],
        "resume_summary": again.stdout.strip().splitlines()[:1],
        "wall_seconds": round(wall, 1),
        "resume_seconds": round(resume, 1),
        "pages": sum(item["pages"] for item in items),
        "peak_mb_per_worker": [round(p) for p in peaks],
        "worker_cpu_seconds": round(cpu, 1),
        "items": items,
    }


def lines(database: Path) -> list[dict[str, Any]]:
    """Each file's pages, OCR pages, worker seconds and order of finishing."""
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "select i.path, a.pages, a.ocr_pages, i.seconds, i.finished_at, i.claimed_by"
            " from scorecards_sweepitem i join scorecards_analysis a on a.version_id = i.version_id"
            " order by i.finished_at"
        ).fetchall()
    keys = ("path", "pages", "ocr_pages", "seconds", "finished_at", "worker")
    return [dict(zip(keys, row, strict=True)) for row in rows]


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
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--output", type=Path, default=BENCH / "results" / "sweep.json")
    args = parser.parse_args()
    if args.raw_child:
        raw_child()
        return
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    baseline = raw()
    print(
        f"raw pypdfium2: {baseline['pages']} pages in {baseline['seconds']:.2f} s "
        f"({baseline['pages'] / baseline['seconds']:.0f} pages/s), "
        f"peak {baseline['peak_mb']:.0f} MB",
        flush=True,
    )
    results: dict[str, Any] = {"raw": baseline, "runs": []}
    with tempfile.TemporaryDirectory(prefix="sweep-bench-") as folder:
        template = seeded(Path(folder), args.redis)
        manifest = write_manifest(Path(folder))
        for workers in args.workers:
            run = sweep_run(workers, template, manifest, args.redis)
            run["rates"] = rates(run)
            results["runs"].append(run)
            report(run, baseline)
    finish(results, args.output)


def report(run: dict[str, Any], baseline: dict[str, Any]) -> None:
    raw_rate = baseline["pages"] / baseline["seconds"]
    r = run["rates"]
    print(
        f"\n{run['workers']} worker(s): {run['pages']} pages in {run['wall_seconds']} s = "
        f"{r['wall_pages_per_s']} pages/s ({raw_rate / r['wall_pages_per_s']:.0f}x raw time); "
        f"peak MB per worker {run['peak_mb_per_worker']}; resume {run['resume_seconds']} s\n"
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


def finish(results: dict[str, Any], output: Path) -> None:
    runs = {run["workers"]: run for run in results["runs"]}
    if 1 in runs and 2 in runs:
        speedup = runs[1]["wall_seconds"] / runs[2]["wall_seconds"]
        results["two_workers_speedup"] = round(speedup, 2)
        print(f"\ntwo workers vs one: {speedup:.2f}x (target 1.8x)")
    best = runs[max(runs)]["rates"]
    scan_machine = best["scanned_pages_per_s_per_core"] * (os.cpu_count() or 1)
    results["national_hours"] = national(best["text_pages_per_s_machine"], scan_machine)
    print(
        f"national estimate, {NATIONAL_PAGES:,} pages ({SCANNED_SHARE:.0%} scanned) at these "
        f"rates: {results['national_hours']} hours"
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"Wrote {output}")


if __name__ == "__main__":
    main()
