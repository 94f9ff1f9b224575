"""Benchmark freedomcities end to end against raw pypdfium2 text extraction.

Every figure is measured in this run, against a baseline measured in this run:
the baseline opens the same PDF with pypdfium2 and extracts each page's text,
nothing more; the end-to-end figure is ``analyze(path)`` (read, split, judge,
score). Each measurement runs in a fresh Python process, so one case's memory
never pollutes another's; time is the median of the repetitions, memory the
process's peak resident set (``VmHWM``).

Usage::

    .venv/bin/python bench/run.py            # full run, 3 repetitions
    .venv/bin/python bench/run.py --quick    # 1 repetition, no OCR, 200-page manual
    .venv/bin/python bench/run.py --only generated

Results are printed as a table and written to ``bench/results/latest.json``.
See ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import generate

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
SHARED = Path(os.environ.get("FREEDOMCITIES_SHARED", BENCH.parent.parent / "shared"))
MANUALS = SHARED / "manuals"
AGREEMENTS = SHARED / "moa"
TARGET_RATIO = 2.0  # end-to-end time / raw extraction time on the generated manual
TARGET_MB = 1024.0  # peak memory of the end-to-end run on the generated manual
WARM_TEXT = (
    "415.4 DETENTIONS\nOfficers shall not detain any person on an immigration detainer "
    "without a judicial warrant, and shall not ask about immigration status."
)

# ---------------------------------------------------------------------------
# Workloads: what a child process runs. Each takes the paths and options and
# returns one Outcome per call (per file, or one for a whole folder).


@dataclass(frozen=True)
class Outcome:
    """What one call of a workload did: pages handled, or the error that stopped it."""

    pages: int
    error: str | None = None


def _extract(paths: list[Path], options: dict[str, Any]) -> Outcome:
    """Baseline: open with pypdfium2, extract every page's text, close."""
    import pypdfium2 as pdfium

    pages = 0
    for path in paths:
        pdf = pdfium.PdfDocument(path)
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            textpage.get_text_range()
            textpage.close()
            page.close()
        pages += len(pdf)
        pdf.close()
    return Outcome(pages)


def _analyze(paths: list[Path], options: dict[str, Any]) -> Outcome:
    """End to end: ``analyze(path)``; with ``ocr=False``, of a Document read without OCR.

    A file that fails is recorded and skipped, so one scan without text does
    not hide the others' figures.
    """
    from freedomcities import FreedomCitiesError, analyze, read

    pages, errors = 0, []
    for path in paths:
        try:
            source = path if options.get("ocr", True) else read(path, ocr=None)
            pages += analyze(source).document.pages
        except FreedomCitiesError as exc:
            errors.append(f"{path.name}: {type(exc).__name__}")
    return Outcome(pages, "; ".join(errors) or None)


def _analyze_many(paths: list[Path], options: dict[str, Any]) -> Outcome:
    """A folder: ``analyze_many(paths, workers=...)``."""
    from freedomcities import analyze_many

    pages, errors = 0, []
    for path, result in analyze_many(paths, workers=options.get("workers")):
        if isinstance(result, Exception):
            errors.append(f"{path.name}: {type(result).__name__}")
        else:
            pages += result.document.pages
    return Outcome(pages, "; ".join(errors) or None)


def _no_setup() -> str | None:
    """Nothing to warm for the baseline."""
    import pypdfium2  # noqa: F401  (import time is not part of the measurement)

    return None


def _warm_pipeline() -> str | None:
    """Load the ruleset, the embedding model and the classifier once; name the embedder."""
    from freedomcities import Document, analyze
    from freedomcities.embed import default_embedder

    analyze(Document(source="warm-up", text=WARM_TEXT))
    return default_embedder().name


WORKLOADS: dict[str, tuple[Callable[[], str | None], Callable[..., Outcome]]] = {
    "extract": (_no_setup, _extract),
    "analyze": (_warm_pipeline, _analyze),
    "analyze-many": (_warm_pipeline, _analyze_many),
}

# ---------------------------------------------------------------------------
# Measurement: one fresh process per measurement.


@dataclass
class Measurement:
    """Figures from one workload over a list of files, measured in a fresh process.

    ``seconds`` is the median of ``runs`` (one wall-clock time per repetition),
    ``cpu_seconds`` the median CPU time (user + system, this process and the
    children it waited for), which a busy machine disturbs less;
    ``setup_seconds`` is the time to import and warm up (e.g. load the
    embedding model), not included in ``seconds``. ``setup_mb`` is the peak
    resident memory after setup, ``peak_mb`` after the work; ``children_mb``
    the largest child process's peak (worker pools, OCR), if any.
    """

    workload: str
    files: list[str]
    pages: int
    seconds: float
    runs: list[float]
    cpu_seconds: float
    setup_seconds: float
    setup_mb: float
    peak_mb: float
    children_mb: float
    error: str | None = None
    embedder: str | None = None
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def pages_per_second(self) -> float:
        """Pages handled per second (0 when nothing was handled)."""
        return self.pages / self.seconds if self.seconds > 0 and not self.error else 0.0


def measure(
    workload: str,
    paths: Iterable[str | Path],
    *,
    repeat: int = 1,
    profile: Path | None = None,
    **options: Any,
) -> Measurement:
    """Run ``workload`` over ``paths`` ``repeat`` times in a fresh Python process.

    Args:
        workload: one of :data:`WORKLOADS`.
        paths: the files, handled in one call (a folder) or one after another.
        repeat: how many timed repetitions; the reported time is their median.
        profile: if given, write cProfile statistics of the first repetition there.
        **options: passed to the workload, e.g. ``ocr=False`` or ``workers=2``.

    Raises:
        ValueError: ``workload`` is not one of :data:`WORKLOADS`.
        RuntimeError: the child process crashed; its error output is included.
    """
    if workload not in WORKLOADS:
        raise ValueError(f"unknown workload {workload!r}; choose one of {', '.join(WORKLOADS)}")
    spec = {
        "workload": workload,
        "paths": [str(p) for p in paths],
        "repeat": max(1, repeat),
        "profile": str(profile) if profile else None,
        "options": options,
    }
    with tempfile.TemporaryDirectory(prefix="fc-bench-") as tmp:
        out = Path(tmp) / "result.json"
        command = [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(spec)]
        done = subprocess.run(
            [*command, "--child-out", str(out)], capture_output=True, text=True, check=False
        )
        if done.returncode != 0 or not out.exists():
            raise RuntimeError(f"{workload} failed in its child process:\n{done.stderr[-4000:]}")
        return Measurement(**json.loads(out.read_text()))


def _child(spec: dict[str, Any], out: Path) -> None:
    """In the fresh process: warm up, run the workload, write the figures as JSON."""
    setup, run = WORKLOADS[spec["workload"]]
    paths = [Path(p) for p in spec["paths"]]
    started = time.perf_counter()
    embedder = setup()
    setup_seconds = time.perf_counter() - started
    setup_mb = _peak_mb()
    runs, cpu, outcome = [], [], Outcome(0)
    for index in range(spec["repeat"]):
        profiler = _profiler() if spec["profile"] and index == 0 else None
        started, cpu_started = time.perf_counter(), _cpu_seconds()
        outcome = run(paths, spec["options"])
        runs.append(time.perf_counter() - started)
        cpu.append(_cpu_seconds() - cpu_started)
        if profiler:
            _save_profile(profiler, Path(spec["profile"]))
        if outcome.pages == 0:
            break  # nothing was read: repeating the failure measures nothing
    figures = Measurement(
        workload=spec["workload"],
        files=[p.name for p in paths],
        pages=outcome.pages,
        seconds=statistics.median(runs),
        runs=runs,
        cpu_seconds=statistics.median(cpu),
        setup_seconds=setup_seconds,
        setup_mb=setup_mb,
        peak_mb=_peak_mb(),
        children_mb=_children_mb(),
        error=outcome.error,
        embedder=embedder,
        options=spec["options"],
    )
    out.write_text(json.dumps(asdict(figures)))


def _profiler() -> Any:
    """A started cProfile profiler."""
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    return profiler


def _save_profile(profiler: Any, path: Path) -> None:
    """Stop the profiler and write its top functions by cumulative and own time."""
    import io
    import pstats

    profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(30)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.getvalue())


def _peak_mb() -> float:
    """This process's peak resident memory in MB.

    Read from ``VmHWM`` on Linux: unlike ``ru_maxrss``, it starts afresh at
    ``exec``, so it never counts the parent's memory from before the fork.
    """
    import resource

    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / (1024 if sys.platform == "darwin" else 1)


def _cpu_seconds() -> float:
    """CPU time used so far by this process and its finished children."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _children_mb() -> float:
    """The largest finished child process's peak resident memory in MB (0 if none)."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return peak / 1024 / (1024 if sys.platform == "darwin" else 1)


# ---------------------------------------------------------------------------
# Cases: each yields rows comparing end to end with its baseline, as measured.


@dataclass
class Row:
    """One line of the results table: an end-to-end figure against its baseline."""

    case: str
    label: str
    baseline: Measurement | None
    end_to_end: Measurement
    note: str = ""
    targets: dict[str, bool] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        """End-to-end time over baseline time."""
        if not self.baseline or not self.baseline.seconds or self.end_to_end.error:
            return None
        return self.end_to_end.seconds / self.baseline.seconds

    @property
    def cpu_ratio(self) -> float | None:
        """End-to-end CPU time over baseline CPU time."""
        if not self.baseline or not self.baseline.cpu_seconds or self.end_to_end.error:
            return None
        return self.end_to_end.cpu_seconds / self.baseline.cpu_seconds


@dataclass(frozen=True)
class Settings:
    """What the command line asked for."""

    repeat: int
    quick: bool
    profile: bool


def case_manuals(settings: Settings) -> Iterator[Row]:
    """The two real 630-page Lexipol manuals."""
    for path in sorted(MANUALS.glob("*.pdf")):
        yield _compare("manuals", path.stem, [path], settings.repeat)


def case_agreements(settings: Settings) -> Iterator[Row]:
    """The ten real 287(g) agreements, text-layer and scanned, with and without OCR.

    OCR of the scanned group runs once even in a full run: it is the slow part.
    """
    index = json.loads((AGREEMENTS / "index.json").read_text())
    groups = {
        "text layer": [AGREEMENTS / f"{e['slug']}.pdf" for e in index if e["text_layer"]],
        "scanned": [AGREEMENTS / f"{e['slug']}.pdf" for e in index if not e["text_layer"]],
    }
    for group, paths in groups.items():
        label = f"{len(paths)} {group}"
        baseline = measure("extract", paths, repeat=settings.repeat)
        if not settings.quick:
            repeat = 1 if group == "scanned" else settings.repeat
            with_ocr = measure("analyze", paths, repeat=repeat)
            yield Row("agreements", f"{label}, OCR", baseline, with_ocr)
        without = measure("analyze", paths, repeat=settings.repeat, ocr=False)
        empty = (without.error or "").count("EmptyDocument")
        note = f"{empty} of {len(paths)}: no text without OCR" if empty else ""
        yield Row("agreements", f"{label}, no OCR", baseline, without, note)


def case_generated(settings: Settings) -> Iterator[Row]:
    """A generated Lexipol-style manual: 1,000 pages (200 with --quick), with targets."""
    pages = 200 if settings.quick else 1000
    path = _generated(pages, seed=1)
    profile = RESULTS / f"profile-generated-{pages}p.txt" if settings.profile else None
    row = _compare("generated", f"{pages}-page manual", [path], settings.repeat, profile)
    row.targets = {
        f"end to end < {TARGET_RATIO:g}x extraction": (row.ratio or 1e9) < TARGET_RATIO,
        f"peak memory < {TARGET_MB:g} MB": row.end_to_end.peak_mb < TARGET_MB,
    }
    yield row


def case_folder(settings: Settings) -> Iterator[Row]:
    """Eight generated 100-page manuals with ``analyze_many``: all cores against one worker.

    One worker runs in the measuring process, warmed up like every e2e
    figure; with several, each call starts a pool whose workers each load the
    embedding model, so their time includes one model load (the load s column).
    """
    paths = [_generated(100, seed) for seed in range(1, 9)]
    cores = os.cpu_count() or 1
    baseline = measure("extract", paths, repeat=settings.repeat)
    one = measure("analyze-many", paths, repeat=settings.repeat, workers=1)
    yield Row("folder", "8 x 100 pages, 1 worker", baseline, one)
    many = measure("analyze-many", paths, repeat=settings.repeat, workers=cores)
    speedup = f"{one.seconds / many.seconds:.2f}x faster than 1 worker" if many.seconds else ""
    yield Row("folder", f"8 x 100 pages, {cores} workers", baseline, many, speedup)


def _generated(pages: int, seed: int) -> Path:
    """The generated manual for these parameters, built on first use and cached."""
    return generate.cached_manual(pages, seed, RESULTS)


def _compare(
    case: str, label: str, paths: list[Path], repeat: int, profile: Path | None = None
) -> Row:
    """Baseline and end to end over the same files."""
    baseline = measure("extract", paths, repeat=repeat)
    end_to_end = measure("analyze", paths, repeat=repeat, profile=profile)
    return Row(case, label, baseline, end_to_end)


CASES: dict[str, Callable[[Settings], Iterator[Row]]] = {
    "manuals": case_manuals,
    "agreements": case_agreements,
    "generated": case_generated,
    "folder": case_folder,
}

# ---------------------------------------------------------------------------
# Output.

COLUMNS = (
    ("case", 40, "<"),
    ("pages", 6, ">"),
    ("raw s", 7, ">"),
    ("e2e s", 8, ">"),
    ("ratio", 7, ">"),
    ("cpu x", 7, ">"),
    ("pages/s", 8, ">"),
    ("raw MB", 7, ">"),
    ("e2e MB", 7, ">"),
    ("kid MB", 7, ">"),
    ("load s", 7, ">"),
)


def format_row(row: Row) -> str:
    """One table line; a failed measurement shows its error in the note."""
    e2e, base = row.end_to_end, row.baseline
    cells = (
        f"{row.case}: {row.label}",
        str(e2e.pages or (base.pages if base else "")),
        f"{base.seconds:.2f}" if base else "-",
        "-" if e2e.error else f"{e2e.seconds:.2f}",
        f"{row.ratio:.1f}x" if row.ratio is not None else "-",
        f"{row.cpu_ratio:.1f}x" if row.cpu_ratio is not None else "-",
        f"{e2e.pages_per_second:.{0 if e2e.pages_per_second >= 10 else 1}f}"
        if e2e.pages_per_second
        else "-",
        f"{base.peak_mb:.0f}" if base else "-",
        f"{e2e.peak_mb:.0f}",
        f"{e2e.children_mb:.0f}" if e2e.children_mb else "-",
        f"{e2e.setup_seconds:.1f}",
    )
    line = "  ".join(f"{c[:w]:{a}{w}}" for c, (_, w, a) in zip(cells, COLUMNS, strict=True))
    notes = [row.note] if row.note else []
    if e2e.error and not row.note:
        notes.append(e2e.error[:120])
    notes += [f"{name}: {'met' if ok else 'NOT met'}" for name, ok in row.targets.items()]
    return line + ("  " + "; ".join(notes) if notes else "")


def header() -> str:
    """The table's heading line."""
    return "  ".join(f"{name:{a}{w}}" for name, w, a in COLUMNS)


def group_rates(rows: list[Row]) -> dict[str, float]:
    """Pages per second of the agreements, text-layer and scanned groups apart."""
    return {
        row.label: row.end_to_end.pages_per_second
        for row in rows
        if row.case == "agreements" and row.end_to_end.pages_per_second
    }


def code_digest() -> str:
    """A short hash of the library's source, to tell which code a result was measured on."""
    import hashlib

    digest = hashlib.sha256()
    package = BENCH.parent / "freedomcities"
    for path in sorted(package.rglob("*")):
        if path.suffix in {".py", ".toml", ".tsv"}:
            digest.update(path.relative_to(package).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def to_json(
    rows: list[Row], settings: Settings, seconds: float, load: list[float]
) -> dict[str, Any]:
    """Everything measured, with the machine and settings it was measured on."""
    return {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "code_digest": code_digest(),
        "load_average_at_start": load,
        "settings": asdict(settings),
        "total_seconds": round(seconds, 1),
        "agreements_pages_per_second": group_rates(rows),
        "rows": [
            {
                **asdict(row),
                "ratio": row.ratio,
                "cpu_ratio": row.cpu_ratio,
                "pages_per_second": row.end_to_end.pages_per_second,
            }
            for row in rows
        ],
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: run the chosen cases, print the table, write latest.json."""
    args = _parser().parse_args(argv)
    if args.child:
        _child(json.loads(args.child), Path(args.child_out))
        return 0
    names = args.only or list(CASES)
    unknown = [n for n in names if n not in CASES]
    if unknown:
        _parser().error(f"unknown case {unknown[0]!r}; choose from {', '.join(CASES)}")
    repeat = args.repeat or (1 if args.quick else 3)
    settings = Settings(repeat=repeat, quick=args.quick, profile=args.profile)
    load = [round(x, 2) for x in os.getloadavg()]
    if load[0] > (os.cpu_count() or 1) / 2:
        print(f"warning: load average {load[0]:.1f} at start; wall-clock times will be noisy\n")
    started = time.perf_counter()
    print(header())
    rows: list[Row] = []
    latest = args.output
    latest.parent.mkdir(parents=True, exist_ok=True)
    for name in names:
        for row in CASES[name](settings):
            rows.append(row)
            print(format_row(row), flush=True)
            elapsed = time.perf_counter() - started  # written as we go: a stopped run keeps rows
            latest.write_text(json.dumps(to_json(rows, settings, elapsed, load), indent=1))
    print(f"\n{len(rows)} rows in {elapsed:.0f} s on {os.cpu_count()} cores; wrote {latest}")
    return 0


def _parser() -> argparse.ArgumentParser:
    """The command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="1 repetition, no OCR, a 200-page generated manual"
    )
    parser.add_argument(
        "--only", action="append", metavar="NAME", help=f"run only this case: {', '.join(CASES)}"
    )
    parser.add_argument("--repeat", type=int, help="timed repetitions (default 3, 1 with --quick)")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="write cProfile statistics of the generated manual to bench/results/",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=RESULTS / "latest.json",
        help="where to write the JSON results (default bench/results/latest.json)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-out", help=argparse.SUPPRESS)
    return parser


if __name__ == "__main__":
    sys.exit(main())
