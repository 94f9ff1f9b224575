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
from collections.abc import Sequence
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


class OCRCache:
    """Page texts kept as files under one folder, and the claims on runs of pages."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def place(self, digest: str, settings: str) -> Path:
        """The folder of one file's texts read with these OCR settings."""
        tag = hashlib.sha256(settings.encode("utf-8")).hexdigest()[:16]
        return self.folder / digest[:2] / digest / tag

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
        path.parent.mkdir(parents=True, exist_ok=True)
        return _create(path) or (_lost(path, lease) and _take_over(path, lease))

    def release(self, digest: str, settings: str, run: str) -> None:
        """Give a run back (its texts are kept, or it failed and may be tried again)."""
        (self.place(digest, settings) / f"{run}.claim").unlink(missing_ok=True)


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
