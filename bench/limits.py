"""Benchmark what the limits cost on ordinary files, and what they save on hostile ones.

For a generated manual (and the real manuals in shared/ when present), times in
the same run: ``read`` in this process (the baseline), the stream pre-check
alone, and ``read_isolated`` (the child with its memory and time limits, as
``analyze`` reads). Then reads a few hostile files in the child and prints
their seconds and peak memory.

Usage::

    .venv/bin/python bench/limits.py              # a generated 300-page manual
    .venv/bin/python bench/limits.py --pages 100
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import generate

from freedomcities.isolate import read_isolated, read_measured
from freedomcities.limits import Limits, check_pdf_streams
from freedomcities.read import read

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "manuals"
REPEAT = 3


def _median_seconds(work: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def ordinary(paths: list[Path]) -> None:
    """Print the cost of the limits on ordinary manuals, against read() in this process."""
    print(f"{'file':44} {'read s':>8} {'check s':>8} {'child s':>8} {'check x':>8} {'child x':>8}")
    read_isolated(paths[0], ocr=None)  # start the fork server outside the timings
    for path in paths:
        base = _median_seconds(lambda p=path: read(p, ocr=None))
        check = _median_seconds(lambda p=path: check_pdf_streams(p, Limits()))
        child = _median_seconds(lambda p=path: read_isolated(p, ocr=None))
        print(
            f"{path.name[:44]:44} {base:8.2f} {check:8.3f} {child:8.2f} "
            f"{check / base:8.3f} {child / base:8.2f}"
        )


def hostile_files(folder: Path) -> None:
    """Print seconds and peak memory of hostile files read in the child."""
    sys.path.insert(0, str(ROOT))
    from tests import hostile

    cases = {
        "PDF stream bomb (300 MB inflated)": hostile.pdf_stream_bomb(folder / "bomb.pdf"),
        "PDF picture bomb (300 MB inflated)": hostile.pdf_picture_bomb(folder / "picture.pdf"),
        "Word XML bomb (100 MB of XML)": hostile.docx_xml_bomb(folder / "bomb.docx"),
        "Word XML nested 100,000 deep": hostile.docx_deep_xml(folder / "deep.docx"),
        "PDF page of 300,000 characters": hostile.pdf_crowded_page(folder / "page.pdf", 3000),
    }
    print(f"\n{'hostile file':40} {'MB on disk':>10} {'seconds':>8} {'peak MB':>8}  limit hit")
    for name, path in cases.items():
        outcome = read_measured(path, ocr=None)
        hit = str(outcome.error).split("setting ")[-1].split(" ")[0] if outcome.error else "-"
        print(
            f"{name:40} {path.stat().st_size / 1e6:10.2f} {outcome.seconds:8.2f} "
            f"{outcome.peak_bytes / 1e6:8.0f}  {hit}"
        )


def main() -> None:
    """Run the benchmark and print two tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300, help="pages in the manual (300)")
    args = parser.parse_args()
    paths = [generate.cached_manual(args.pages, 1), *sorted(SHARED.glob("*.pdf"))]
    ordinary(paths)
    with tempfile.TemporaryDirectory() as folder:
        hostile_files(Path(folder))


if __name__ == "__main__":
    main()
