"""How much work a file will be, estimated before it is read, to queue a sweep longest first.

Two workers sweeping a dozen files ended when the longest file did: a scanned
agreement taken last kept one worker busy while the other had nothing left.
Queued longest first (the classic LPT rule), the long files start at once and
the short ones fill in around them. The work is dominated by OCR (about 1.5
CPU seconds a scanned page, against 0.004 for a page with a text layer), so a
file's estimate counts its scanned pages, found as the reader finds them, on a
sample of at most :data:`SAMPLE_PAGES` pages spread through the file so a
700-page manual costs a few tens of milliseconds to estimate.

The files are untrusted, and the sweep command estimates them all before the
first is read, so :func:`longest_first` estimates PDFs in children bounded
like the reading itself (:func:`freedomcities.isolate.map_isolated`): a
hundred files per child, at most the memory limit, :data:`ESTIMATE_SECONDS`
each. A file whose estimate fails counts as one page and goes last; its real
error shows when its own job reads it.

This module is plain Python: no Django, no queue.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from freedomcities.errors import FreedomCitiesError
from freedomcities.isolate import map_isolated
from freedomcities.limits import Limits
from freedomcities.ocr import PAGES_PER_RUN
from freedomcities.read import needs_ocr, open_pdf

log = logging.getLogger(__name__)

TEXT_PAGE_SECONDS: Final = 1 / 279
"""CPU seconds to analyse a page with a text layer (bench/sweep.py, the real manuals)."""

SCANNED_PAGE_SECONDS: Final = 1 / 0.65
"""CPU seconds to analyse a scanned page, OCR included (bench/sweep.py, the scanned agreements)."""

FILE_SECONDS: Final = 0.4
"""CPU seconds a file costs besides its pages: judging a 287(g) agreement in a warm worker."""

SAMPLE_PAGES: Final = 32
"""Pages looked at to estimate a file's scanned share; a shorter file is looked at whole."""

ESTIMATE_SECONDS: Final = 10.0
"""Longest one file's estimate may take (a 630-page manual takes about 0.04 s)."""

MAX_HELPERS: Final = 3
"""Most helper jobs queued beside one file to read its scans (see :func:`helpers`)."""


@dataclass(frozen=True)
class Workload:
    """A file's expected work: its pages, and about how many of them are scans."""

    pages: int
    scanned: int

    @property
    def seconds(self) -> float:
        """Expected CPU seconds to analyse the file."""
        text = self.pages - self.scanned
        return FILE_SECONDS + text * TEXT_PAGE_SECONDS + self.scanned * SCANNED_PAGE_SECONDS

    @property
    def helpers(self) -> int:
        """Jobs to queue beside the file that read runs of its scans on other workers.

        One per run of scanned pages beyond the first, at most :data:`MAX_HELPERS`:
        a helper that comes when every run is read or held stops without opening the file.
        """
        runs = math.ceil(self.scanned / PAGES_PER_RUN)
        return max(0, min(runs - 1, MAX_HELPERS))


UNKNOWN: Final = Workload(pages=1, scanned=0)
"""The work counted for a file that could not be estimated: it goes last."""


def estimate(path: str | Path, limits: Limits | None = None) -> Workload:
    """The expected work of one file; a file that is not a readable PDF counts by its size.

    Runs in this process, unbounded: for a trusted file. Untrusted files go
    through :func:`longest_first` (or :func:`estimate_many`), which bounds each.
    Never raises: a file that cannot be read is the worker's to report.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if path.suffix.lower() != ".pdf":
            return Workload(pages=max(1, size // 3000), scanned=0)
        limits = limits or Limits.from_env()
        if size > limits.max_bytes:
            return UNKNOWN  # reading will refuse it
        return _pdf_workload(path, limits)
    except (OSError, FreedomCitiesError):
        return UNKNOWN
    except Exception:  # a parser's own surprise on a damaged file: its job will say what it is
        log.warning("could not estimate the work of %s", path, exc_info=True)
        return UNKNOWN


def estimate_many(paths: dict[int, Path], limits: Limits | None = None) -> dict[int, Workload]:
    """Each key's file's expected work, PDFs estimated in bounded children (see the module).

    Never raises, and never costs this process more than a look at each file's size.
    """
    limits = limits or Limits.from_env()
    pdfs = [key for key, path in paths.items() if path.suffix.lower() == ".pdf"]
    loads = {key: estimate(path) for key, path in paths.items() if path.suffix.lower() != ".pdf"}
    found = map_isolated(
        _estimate_pdf,
        [(paths[key], limits) for key in pdfs],
        limits=limits,
        seconds_each=min(ESTIMATE_SECONDS, limits.max_seconds),
    )
    for key, load in zip(pdfs, found, strict=True):
        if load is None:
            log.warning("could not estimate the work of %s: counted as one page", paths[key])
        loads[key] = load or UNKNOWN
    return loads


def _estimate_pdf(job: tuple[Path, Limits]) -> Workload:
    """:func:`estimate` of one PDF, as a child of :func:`estimate_many` calls it."""
    return estimate(*job)


def _pdf_workload(path: Path, limits: Limits) -> Workload:
    """A PDF's pages, and its scans counted on an evenly spread sample of pages."""
    pdf = open_pdf(path)
    try:
        pages = len(pdf)
        if pages > limits.max_pages:
            return UNKNOWN  # reading will refuse it
        sample = sorted({index * pages // SAMPLE_PAGES for index in range(SAMPLE_PAGES)})
        sample = [index for index in sample if index < pages] or list(range(pages))
        scans = sum(needs_ocr(pdf, index, path, limits) for index in sample)
    finally:
        pdf.close()
    return Workload(pages=pages, scanned=round(scans * pages / max(len(sample), 1)))


def longest_first(
    paths: dict[int, Path], limits: Limits | None = None
) -> list[tuple[int, Workload]]:
    """Each key with its file's workload, the most work first (ties in key order).

    Each PDF is estimated in a bounded child (:func:`estimate_many`).
    """
    loads = estimate_many(paths, limits)
    return sorted(loads.items(), key=lambda pair: (-pair[1].seconds, pair[0]))
