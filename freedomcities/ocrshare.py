"""One file's scanned pages read by OCR on several workers, each page once.

In a sweep, a 14-page scanned agreement costs about 20 CPU seconds of OCR,
and the worker that took it used to read it alone while the others, their
files done, waited for it. With :class:`SharedOCR` the reader cuts the scans
into runs of :data:`~freedomcities.ocr.PAGES_PER_RUN` pages (one Tesseract
run each); a run is read by whichever process claims it first in the OCR
cache (:mod:`freedomcities.ocrcache`), which keeps its texts. Helpers that the
sweep queues beside the file claim runs too; the file's own reader takes
every text from the cache, reads the runs no one has claimed, and waits for
the runs others hold (or takes one over if its holder died).

Whoever reads the file first keeps the list of its scanned pages in the cache,
so a helper that comes when every run is read or held sees that in the worker
(:func:`has_free_runs`) and stops, without reading the file's text layer again.

Each page's text is what reading the file in one piece gives: Tesseract reads
each page of a run on its own (see :data:`~freedomcities.ocr.PAGES_PER_RUN`).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Generator, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from freedomcities.ocr import (
    PAGES_PER_RUN,
    OCREngine,
    ocr_settings,
    read_run,
    render_page,
    worker_count,
)
from freedomcities.ocrcache import OCRCache


@dataclass(frozen=True)
class SharedOCR:
    """Read scanned pages through a shared OCR cache, each run of pages by one process.

    Attributes:
        cache: Where texts are kept and runs claimed (the data folder's, shared by the workers).
        helping: A helper reads the runs no one has claimed and returns; the file's
            own reader (False) also waits for the runs others hold.
        poll: Seconds between looks at the runs others hold.
    """

    cache: OCRCache
    helping: bool = False
    poll: float = 0.25


def runs_of(scanned: Sequence[int], size: int = PAGES_PER_RUN) -> list[tuple[int, ...]]:
    """The scanned pages (0-based) cut into runs of ``size``, the same in every process."""
    return [tuple(scanned[start : start + size]) for start in range(0, len(scanned), size)]


def read_shared(
    pdf: Any,
    digest: str,
    scanned: Sequence[int],
    engine: OCREngine,
    share: SharedOCR,
    workers: int | None = None,
) -> Iterator[tuple[int, str]]:
    """Yield ``(page index, text)`` for the scanned pages of an open pypdfium2 document.

    Kept texts come from the cache; runs no one holds are claimed and read here,
    ``workers`` at a time (Tesseract runs on threads; pages render on this one,
    pdfium's); runs others hold are waited for, unless ``share.helping``, in
    which case they are not yielded. ``digest`` is the SHA-256 of the file's bytes.
    """
    reader = _Reader(pdf, digest, engine, share, workers or worker_count())
    if share.cache.scans(digest, reader.settings) is None:
        share.cache.put_scans(digest, reader.settings, scanned)  # for the helpers to come
    left = runs_of(scanned)
    with ThreadPoolExecutor(max_workers=reader.workers, thread_name_prefix="ocr") as pool:
        try:
            while left:
                left = yield from reader.pass_over(left, pool)
                if share.helping:
                    return
                if left:
                    time.sleep(share.poll)  # others hold these runs
        finally:
            reader.give_back()


def has_free_runs(cache: OCRCache, digest: str, engine: OCREngine) -> bool:
    """Whether a helper could read some of a file's scans: a run neither read nor held.

    True also when no reader has kept the file's list of scanned pages yet: the
    helper must then read the file's text layer to find them.
    """
    settings = ocr_settings(engine)
    scanned = cache.scans(digest, settings)
    if scanned is None:
        return True
    return any(
        not cache.held(digest, settings, _name(run))
        and any(cache.get(digest, settings, page) is None for page in run)
        for run in runs_of(scanned)
    )


class _Reader:
    """One process's pass over a file's runs: what it reads, and the claims it holds."""

    def __init__(self, pdf: Any, digest: str, engine: OCREngine, share: SharedOCR, workers: int):
        self.pdf, self.digest, self.engine, self.workers = pdf, digest, engine, workers
        self.cache = share.cache
        self.settings = ocr_settings(engine)
        self.reading: deque[tuple[tuple[int, ...], Future[list[str]]]] = deque()

    def pass_over(
        self, runs: list[tuple[int, ...]], pool: ThreadPoolExecutor
    ) -> Generator[tuple[int, str], None, list[tuple[int, ...]]]:
        """Yield the texts of the runs kept or read now; return the runs others hold."""
        held = []
        for run in runs:
            kept = self._kept(run)
            if kept is None and self.cache.claim(self.digest, self.settings, _name(run)):
                kept = self._kept(run)  # finished by its holder just before it gave it back
                if kept is None:
                    yield from self._read(run, pool)
                    continue
                self.cache.release(self.digest, self.settings, _name(run))
            if kept is None:
                held.append(run)
            else:
                yield from zip(run, kept, strict=True)
        while self.reading:
            yield from self._finish()
        return held

    def _kept(self, run: tuple[int, ...]) -> list[str] | None:
        """The run's kept texts, if every page of it has one."""
        texts = [self.cache.get(self.digest, self.settings, page) for page in run]
        return None if None in texts else [text for text in texts if text is not None]

    def _read(self, run: tuple[int, ...], pool: ThreadPoolExecutor) -> Iterator[tuple[int, str]]:
        """Start reading a claimed run; yield the oldest run's texts while the threads are busy."""
        pngs = [render_page(self.pdf, page) for page in run]
        self.reading.append((run, pool.submit(read_run, self.engine, pngs)))
        if len(self.reading) >= self.workers:
            yield from self._finish()

    def _finish(self) -> Iterator[tuple[int, str]]:
        """Keep the oldest run's texts, give its claim back, and yield them."""
        run, future = self.reading[0]
        texts = future.result()
        for page, text in zip(run, texts, strict=True):
            self.cache.put(self.digest, self.settings, page, text)
        self.reading.popleft()
        self.cache.release(self.digest, self.settings, _name(run))
        yield from zip(run, texts, strict=True)

    def give_back(self) -> None:
        """Give back the claims of runs not finished (the engine failed, or reading stopped)."""
        for run, future in self.reading:
            future.cancel()
            self.cache.release(self.digest, self.settings, _name(run))
        self.reading.clear()


def _name(run: tuple[int, ...]) -> str:
    """A run's name in the cache: its first and last page."""
    return f"{run[0]}-{run[-1]}"
