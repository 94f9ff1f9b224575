"""One real scanned 287(g) agreement read by two processes through the OCR cache.

Each page must be OCRed once, whoever reads it, and the document must be the
one a reading in one piece gives, so its analysis is the same.
"""

from __future__ import annotations

import multiprocessing
import socket
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from freedomcities.cache import file_digest
from freedomcities.ocr import TesseractOCR, ocr_settings
from freedomcities.ocrcache import OCRCache
from freedomcities.ocrshare import SharedOCR, has_free_runs, runs_of
from freedomcities.read import read
from tests.documents import scanned_agreement


@dataclass(frozen=True)
class CountedOCR(TesseractOCR):
    """Tesseract that notes in a file how many pages each of its runs read."""

    log: str = ""

    def read_image(self, png: bytes) -> str:
        self._note(1)
        return super().read_image(png)

    def read_images(self, pngs: Sequence[bytes]) -> list[str]:
        self._note(len(pngs))
        return super().read_images(pngs)

    def _note(self, pages: int) -> None:
        with open(self.log, "a", encoding="utf-8") as file:
            file.write(f"{pages}\n")


def _help(path: Path, engine: CountedOCR, cache: OCRCache) -> None:
    """In a second process: read the runs no one has taken, as a sweep's helper does."""
    read(path, ocr=engine, share=SharedOCR(cache, helping=True))


@pytest.mark.slow
def test_two_processes_read_each_scanned_page_once_and_the_text_is_the_one_piece_text(
    shared_dir: Path, tmp_path: Path
) -> None:
    path = scanned_agreement(shared_dir)
    engine = CountedOCR(log=str(tmp_path / "runs.txt"))
    cache = OCRCache(tmp_path / "ocr")
    one_piece = read(path)
    scanned = list(range(one_piece.pages))  # every page of these agreements is a scan
    assert one_piece.ocr_pages == len(scanned)
    runs = runs_of(scanned)
    # A worker killed mid-run left its claim on the second run: it is taken over, not waited for.
    place = cache.place(file_digest(path), ocr_settings(engine))
    place.mkdir(parents=True)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], **_OUT)
    second = runs[1]
    (place / f"{second[0]}-{second[-1]}.claim").write_text(
        f"{socket.gethostname()}:{int(dead.stdout)}"
    )

    helper = multiprocessing.get_context("fork").Process(target=_help, args=(path, engine, cache))
    helper.start()
    shared = read(path, ocr=engine, share=SharedOCR(cache))
    helper.join(120)

    assert helper.exitcode == 0
    assert shared == one_piece
    pages_per_run = [int(line) for line in Path(engine.log).read_text().split()]
    assert sum(pages_per_run) == len(scanned)  # no page read twice, none left out
    assert sorted(pages_per_run) == sorted(len(run) for run in runs)
    assert sorted(int(page.stem) for page in place.glob("*.txt")) == scanned
    assert not list(place.glob("*.claim*"))  # every claim given back
    assert cache.scans(file_digest(path), ocr_settings(engine)) == scanned
    assert not has_free_runs(cache, file_digest(path), engine)  # a later helper stops at once

    again = read(path, ocr=engine, share=SharedOCR(cache))  # all kept: no OCR at all
    assert again == one_piece
    assert sum(int(line) for line in Path(engine.log).read_text().split()) == len(scanned)


_OUT = {"capture_output": True, "text": True, "check": True}
