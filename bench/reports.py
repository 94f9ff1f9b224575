"""Benchmark the reports: every kind in every format for a 300-page manual.

Analyses a generated 300-page manual once (the baseline, measured in this run),
then times building each report kind (annotated, redline, packet) in each
format (HTML, PDF, and Word when its writer is installed), printing seconds and
the ratio against the analysis time. The issue's target: all three formats of a
report for a 300-page manual "in a few seconds".

Usage::

    .venv/bin/python bench/reports.py             # the generated 300-page manual
    .venv/bin/python bench/reports.py --pages 100
"""

from __future__ import annotations

import argparse
import importlib.util
import tempfile
import time
from pathlib import Path

import generate

from freedomcities import Document, analyze
from freedomcities.render.annotate import PolicyMarkup, build_report
from freedomcities.render.reports import FORMATS, KINDS, Kind, write_report

JURISDICTION = "Riverbend, IL"
WARM_TEXT = "415.4 DETENTIONS\nOfficers shall not ask about immigration status."


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300, help="pages in the manual (300)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (1)")
    args = parser.parse_args()
    manual = generate.cached_manual(args.pages, args.seed)
    analyze(Document("warm-up.txt", WARM_TEXT))  # load the model, outside the timings
    started = time.perf_counter()
    scorecard = analyze(manual, jurisdiction=JURISDICTION)
    analysis = time.perf_counter() - started
    started = time.perf_counter()
    report = build_report(scorecard)
    built = time.perf_counter() - started
    shown = len({h.section for h in report.highlights})
    print(
        f"manual: {manual.name}, {scorecard.document.pages} pages, "
        f"{len(scorecard.sections)} sections, {shown} with highlights, "
        f"{len(report.changes)} changes"
    )
    print(f"analysis (baseline): {analysis:.2f} s; build_report: {built:.3f} s\n")
    formats = [f for f in FORMATS if f != "docx" or _has_docx()]
    print(
        f"{'kind':<10} "
        + " ".join(f"{f + ' s':>8} {'ratio':>6}" for f in formats)
        + f" {'all s':>7}"
    )
    with tempfile.TemporaryDirectory() as folder:
        _time_one(report, Path(folder), "redline", "pdf")  # warm up WeasyPrint and its fonts
        for kind in KINDS:
            times = [_time_one(report, Path(folder), kind, fmt) for fmt in formats]
            cells = " ".join(f"{t:>8.2f} {t / analysis:>6.2f}" for t in times)
            print(f"{kind:<10} {cells} {sum(times):>7.2f}")
    if "docx" not in formats:
        print("\n(docx: freedomcities.render.docx is not installed yet; not measured)")


def _time_one(report: PolicyMarkup, folder: Path, kind: Kind, fmt: str) -> float:
    """Seconds to write one report file."""
    started = time.perf_counter()
    write_report(report, folder / f"report-{kind}.{fmt}", format=fmt, kind=kind)
    return time.perf_counter() - started


def _has_docx() -> bool:
    """Whether the Word writer is there (it is written alongside this benchmark)."""
    return importlib.util.find_spec("freedomcities.render.docx") is not None


if __name__ == "__main__":
    main()
