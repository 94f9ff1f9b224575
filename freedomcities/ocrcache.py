"""OCR texts of scanned pages, kept in the data folder, and claims on runs of those pages.

OCR is nine tenths of a sweep's work wherever there are scans (about 1.5 CPU
seconds a page), and one file's scans used to be read by one worker while the
others waited for it. Kept here page by page, a file's scans can be read by
several workers (:mod:`freedomcities.ocrshare`): each claims a run of pages,
reads it and keeps its texts, and the file's analysis reads its pages from here.

A text is filed under the SHA-256 of the file's bytes, the page's number and
:func:`~freedomcities.ocr.ocr_settings` (the engine, its settings and version,
and the resolution), so a new Tesseract or another resolution never reuses an
old text. A claim is a small file naming its holder (:mod:`freedomcities.lease`),
created only if absent, so two processes never both hold one; a holder that
died has lost it (at once on its own machine, after :data:`OCR_LEASE` from
another), and whoever claims it next takes it over.

The cache is worth keeping from one sweep to the next (a new judge does not
change what a page says), but texts read with other OCR settings are never
used again. :meth:`OCRCache.survey` counts what it holds and
:meth:`OCRCache.prune` removes those texts, and texts older than a number of
days, leaving alone every folder in which a live process holds a claim
(``freedomcities ocr-cache``).

Beside the texts goes the list of the file's pages that need OCR, kept by the
first reader that read every page's text layer. A helper that comes when every
run of those pages is read or held by a live reader sees so here and stops,
without opening the file in a reading child (about 0.1 CPU second saved per
such helper, and most helpers come then).

This module is plain Python: no Django.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import os
import time
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from freedomcities.cache import write_whole
from freedomcities.lease import holder, is_lost
from freedomcities.version import __version__

OCR_LEASE: Final = datetime.timedelta(minutes=30)
"""A claim held longer than this is taken to be lost, whoever holds it.

A run of four pages takes seconds; Tesseract may take up to five minutes a page
before it is stopped, so a live holder never holds a run this long.
"""


@dataclass(frozen=True)
class Entries:
    """Some of the cache's page texts: how many, and their bytes."""

    pages: int = 0
    bytes: int = 0

    def __add__(self, other: Entries) -> Entries:
        return Entries(self.pages + other.pages, self.bytes + other.bytes)


@dataclass(frozen=True)
class Survey:
    """What the cache holds: texts read with the current OCR settings and with others.

    ``in_use`` counts the folders (one file read with one set of settings) where a
    live process holds a claim: pruning leaves them alone.
    """

    current: Entries
    other: Entries
    in_use: int


class OCRCache:
    """Page texts kept as files under one folder, and the claims on runs of pages."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def place(self, digest: str, settings: str) -> Path:
        """The folder of one file's texts read with these OCR settings."""
        return self.folder / digest[:2] / digest / settings_tag(settings)

    def survey(self, current: Collection[str]) -> Survey:
        """Count the texts kept with any of the ``current`` settings, and with others."""
        tags = {settings_tag(settings) for settings in current}
        found = {True: Entries(), False: Entries()}
        in_use = 0
        for place in self._places():
            in_use += _in_use(place)
            found[place.name in tags] += _entries(place.glob("*.txt"))
        return Survey(current=found[True], other=found[False], in_use=in_use)

    def prune(
        self, current: Collection[str] | None, older_than: datetime.timedelta | None = None
    ) -> Entries:
        """Remove the texts kept with settings not in ``current`` (unless it is None), and
        those older than ``older_than`` if given; return what was removed.

        Safe while a sweep runs: a folder where a live process holds a claim is
        left alone, and a text removed from a folder nobody holds is read again
        by whoever next needs it.
        """
        tags = {settings_tag(settings) for settings in current or ()}
        cutoff = None if older_than is None else time.time() - older_than.total_seconds()
        removed = Entries()
        for place in self._places():
            if _in_use(place):
                continue
            kept = current is None or place.name in tags
            dead = [path for path in place.iterdir() if _dead(path, kept, cutoff)]
            removed += _entries(path for path in dead if path.suffix == ".txt")
            for path in dead:
                path.unlink(missing_ok=True)
            _forget_scans_without_texts(place)
        self._remove_empty_folders()
        return removed

    def _places(self) -> Iterator[Path]:
        """Every folder of one file's texts read with one set of settings."""
        return (place for place in self.folder.glob("??/*/*") if place.is_dir())

    def _remove_empty_folders(self) -> None:
        """Remove the folders left empty, deepest first (:meth:`claim` makes them again)."""
        for pattern in ("??/*/*", "??/*", "??"):
            for folder in self.folder.glob(pattern):
                with contextlib.suppress(OSError):  # not empty, not a folder, or gone meanwhile
                    folder.rmdir()

    def get(self, digest: str, settings: str, page: int) -> str | None:
        """The kept text of a page (0-based), or None if it has not been read."""
        try:
            return (self.place(digest, settings) / f"{page}.txt").read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def put(self, digest: str, settings: str, page: int, text: str) -> None:
        """Keep a page's text; written whole, so a reader never sees half of one."""
        write_whole(self.place(digest, settings) / f"{page}.txt", text.encode("utf-8"))

    def put_scans(self, digest: str, settings: str, pages: Sequence[int]) -> None:
        """Keep which pages (0-based) of the file need OCR, as a full read of it found."""
        data = json.dumps(list(pages)).encode("utf-8")
        write_whole(self._scans_file(digest, settings), data)

    def scans(self, digest: str, settings: str) -> list[int] | None:
        """The file's pages that need OCR, or None if no reader has kept them yet."""
        try:
            pages = json.loads(self._scans_file(digest, settings).read_bytes())
        except (OSError, ValueError):
            return None
        if not isinstance(pages, list) or not all(isinstance(page, int) for page in pages):
            return None  # not written by this module: read the file instead
        return pages

    def _scans_file(self, digest: str, settings: str) -> Path:
        """Where the list of scanned pages is kept; a new release may find scans otherwise."""
        return self.place(digest, settings) / f"scans-{__version__}.json"

    def held(
        self, digest: str, settings: str, run: str, lease: datetime.timedelta = OCR_LEASE
    ) -> bool:
        """Whether a live holder has claimed a run (a lost claim is free to take over)."""
        path = self.place(digest, settings) / f"{run}.claim"
        return path.exists() and not _lost(path, lease)

    def claim(
        self, digest: str, settings: str, run: str, lease: datetime.timedelta = OCR_LEASE
    ) -> bool:
        """Claim a run of pages for this process; False while a live holder has it."""
        path = self.place(digest, settings) / f"{run}.claim"
        for _attempt in range(2):  # a prune may remove the folder between the two steps
            path.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileNotFoundError):
                return _create(path) or (_lost(path, lease) and _take_over(path, lease))
        return False

    def release(self, digest: str, settings: str, run: str) -> None:
        """Give a run back (its texts are kept, or it failed and may be tried again)."""
        (self.place(digest, settings) / f"{run}.claim").unlink(missing_ok=True)


def settings_tag(settings: str) -> str:
    """The short name of a set of OCR settings in the cache's folders."""
    return hashlib.sha256(settings.encode("utf-8")).hexdigest()[:16]


def _forget_scans_without_texts(place: Path) -> None:
    """Remove a folder's list of scanned pages once none of its texts or claims is left.

    The list only spares a helper from opening the file while texts are kept;
    alone it would keep an emptied folder alive for ever.
    """
    if any(place.glob("*.txt")) or any(place.glob("*.claim")):
        return
    for path in place.glob("scans-*.json"):
        path.unlink(missing_ok=True)


def _in_use(place: Path) -> bool:
    """Whether a live process holds a claim on a run in this folder."""
    return any(not _lost(claim, OCR_LEASE) for claim in place.glob("*.claim"))


def _dead(path: Path, kept: bool, cutoff: float | None) -> bool:
    """Whether a pruning removes this file: in a folder not ``kept``, or too old.

    A claim is removed only if its holder is gone, looked at again just now:
    a process may have claimed a run since its folder was found unused.
    """
    if not path.is_file() or (kept and not _older(path, cutoff)):
        return False
    return path.suffix != ".claim" or _lost(path, OCR_LEASE)


def _entries(paths: Iterator[Path] | list[Path]) -> Entries:
    """How many of these files exist, and their bytes."""
    sizes = []
    for path in paths:
        with contextlib.suppress(OSError):
            sizes.append(path.stat().st_size)
    return Entries(len(sizes), sum(sizes))


def _older(path: Path, cutoff: float | None) -> bool:
    """Whether a file or folder was last changed before ``cutoff`` (never, without one)."""
    try:
        return cutoff is not None and path.stat().st_mtime < cutoff
    except OSError:
        return False


def default_ocr_cache() -> OCRCache:
    """The OCR cache in the data folder (``FREEDOMCITIES_DATA``, shared by the workers)."""
    from freedomcities.web.config import data_dir  # plain settings; no Django is imported

    return OCRCache(data_dir() / "ocr")


def _create(path: Path) -> bool:
    """Make a claim file naming this process, only if there is none."""
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(holder())
    return True


def _lost(path: Path, lease: datetime.timedelta) -> bool:
    """Whether a claim's holder is gone (or it has held it longer than any live one would)."""
    try:
        claimed_by = path.read_text(encoding="utf-8")
        claimed_at = datetime.datetime.fromtimestamp(path.stat().st_mtime, datetime.UTC)
    except OSError:
        return True  # given back meanwhile
    expired = datetime.datetime.now(datetime.UTC) - lease
    return claimed_at < expired or (bool(claimed_by) and is_lost(claimed_by, claimed_at, expired))


def _take_over(path: Path, lease: datetime.timedelta) -> bool:
    """Claim a run whose holder is gone; one of several processes trying at once wins.

    The lost claim is first moved aside, which only one of them can do; if what
    was moved turns out to be a fresh claim made in between, it is put back.
    """
    aside = path.with_name(f"{path.name}.{holder().replace(':', '-')}")
    try:
        os.rename(path, aside)
    except FileNotFoundError:
        return _create(path)  # given back, or moved aside by another: try as usual
    if not _lost(aside, lease):
        with contextlib.suppress(FileExistsError):
            os.link(aside, path)
        aside.unlink(missing_ok=True)
        return False
    aside.unlink(missing_ok=True)
    return _create(path)
