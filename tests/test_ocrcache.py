"""The OCR cache: texts filed under the file, the page and the OCR settings; claims on runs."""

from __future__ import annotations

import datetime
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from freedomcities.cache import file_digest
from freedomcities.cli import cli
from freedomcities.lease import holder
from freedomcities.ocr import (
    DEFAULT_OCR,
    TesseractOCR,
    TesserocrOCR,
    current_ocr_settings,
    ocr_settings,
)
from freedomcities.ocrcache import OCR_LEASE, OCRCache
from freedomcities.ocrshare import SharedOCR, has_free_runs
from freedomcities.read import read
from tests.documents import make_scanned_pdf

DIGEST = "ab" * 32
SCAN = "\n".join(f"{n}. Officers shall not ask about immigration status." for n in range(1, 31))


def test_a_page_text_is_found_only_under_the_file_page_and_settings_it_was_read_with(
    tmp_path: Path,
) -> None:
    cache = OCRCache(tmp_path)
    settings = ocr_settings(TesseractOCR(), dpi=200)
    text = "MEMORANDUM OF AGREEMENT\n\nThis Memorandum\u2019s purpose \u2014 page 1\f"
    cache.put(DIGEST, settings, 0, text)

    assert cache.get(DIGEST, settings, 0) == text  # byte for byte, form feed and all
    assert cache.get(DIGEST, settings, 1) is None
    assert cache.get("cd" * 32, settings, 0) is None
    others = [
        ocr_settings(TesseractOCR(), dpi=300),
        ocr_settings(TesseractOCR(language="spa"), dpi=200),
        ocr_settings(TesseractOCR(page_mode=6), dpi=200),
        ocr_settings(TesseractOCR(options=("-c", "tessedit_do_invert=0")), dpi=200),
    ]
    assert len({settings, *others}) == 5
    assert all(cache.get(DIGEST, other, 0) is None for other in others)


def test_the_library_engine_is_filed_under_the_tesseract_its_wheel_bundles() -> None:
    tesserocr = pytest.importorskip("tesserocr")
    bundled = tesserocr.tesseract_version().splitlines()[0].strip()
    settings = ocr_settings(TesserocrOCR(), dpi=200)
    assert bundled.startswith("tesseract ") and bundled in settings
    assert settings != ocr_settings(TesseractOCR(), dpi=200)


def test_the_settings_name_the_installed_tesseract_version() -> None:
    try:
        done = subprocess.run(["tesseract", "--version"], capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("Tesseract is not installed")
    first_line = (done.stdout or done.stderr).decode().splitlines()[0].strip()
    assert first_line in ocr_settings(TesseractOCR())
    assert "unknown" in ocr_settings(TesseractOCR(command="no-such-tesseract"))


def test_a_run_claimed_by_a_live_process_is_not_claimed_again_until_given_back(
    tmp_path: Path,
) -> None:
    cache = OCRCache(tmp_path)
    assert cache.claim(DIGEST, "s", "0-3")
    assert not cache.claim(DIGEST, "s", "0-3")  # this process still runs
    assert cache.claim(DIGEST, "s", "4-7")  # another run is free
    cache.release(DIGEST, "s", "0-3")
    assert cache.claim(DIGEST, "s", "0-3")


def test_a_run_claimed_by_a_process_that_died_is_taken_over_at_once(tmp_path: Path) -> None:
    cache = OCRCache(tmp_path)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], **_OUT)
    claim = _plant(cache, f"{socket.gethostname()}:{int(dead.stdout)}")

    assert cache.claim(DIGEST, "s", "0-3")
    assert claim.read_text() == holder()
    assert not cache.claim(DIGEST, "s", "0-3")


def test_a_run_claimed_on_another_machine_is_taken_over_only_after_the_lease(
    tmp_path: Path,
) -> None:
    cache = OCRCache(tmp_path)
    claim = _plant(cache, "another-machine:4242")
    assert not cache.claim(DIGEST, "s", "0-3")

    long_ago = time.time() - OCR_LEASE.total_seconds() - 60
    os.utime(claim, (long_ago, long_ago))
    assert cache.claim(DIGEST, "s", "0-3")
    assert claim.read_text() == holder()


def test_a_helper_knows_without_opening_the_file_when_no_run_of_its_scans_is_left(
    tmp_path: Path,
) -> None:
    cache, engine = OCRCache(tmp_path), TesseractOCR()
    settings = ocr_settings(engine)
    assert has_free_runs(cache, DIGEST, engine)  # no reader has listed the scans: read the file
    cache.put_scans(DIGEST, settings, [0, 1, 2, 3, 7, 8])
    assert cache.scans(DIGEST, settings) == [0, 1, 2, 3, 7, 8]
    assert cache.scans(DIGEST, "other settings") is None

    for page in (0, 1, 2, 3):
        cache.put(DIGEST, settings, page, f"page {page}")
    assert has_free_runs(cache, DIGEST, engine)  # run 7-8 is neither read nor held
    assert cache.claim(DIGEST, settings, "7-8")
    assert cache.held(DIGEST, settings, "7-8")
    assert not has_free_runs(cache, DIGEST, engine)  # this live process holds it

    cache.release(DIGEST, settings, "7-8")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], **_OUT)
    (cache.place(DIGEST, settings) / "7-8.claim").write_text(
        f"{socket.gethostname()}:{int(dead.stdout)}", encoding="utf-8"
    )
    assert not cache.held(DIGEST, settings, "7-8")
    assert has_free_runs(cache, DIGEST, engine)  # its holder died: a helper takes it over


def test_a_damaged_list_of_scans_is_taken_as_unknown(tmp_path: Path) -> None:
    cache = OCRCache(tmp_path)
    cache.put_scans(DIGEST, "s", [1, 2])
    (listed,) = cache.place(DIGEST, "s").glob("scans-*.json")
    for damaged in ("[1, 2", '{"pages": [1]}', '["1"]'):
        listed.write_text(damaged, encoding="utf-8")
        assert cache.scans(DIGEST, "s") is None


_OUT = {"capture_output": True, "text": True, "check": True}


def _plant(cache: OCRCache, claimed_by: str) -> Path:
    """A claim on run 0-3 left by another holder."""
    claim = cache.place(DIGEST, "s") / "0-3.claim"
    claim.parent.mkdir(parents=True)
    claim.write_text(claimed_by, encoding="utf-8")
    return claim


@pytest.fixture(scope="module")
def real_cache(tmp_path_factory: pytest.TempPathFactory) -> tuple[OCRCache, str]:
    """A cache filled by reading a two-page scan twice: with the default engine and another."""
    folder = tmp_path_factory.mktemp("data")
    scan = make_scanned_pdf(SCAN, folder / "scan.pdf", lines_per_page=20)
    cache = OCRCache(folder / "ocr")
    read(scan, ocr=DEFAULT_OCR, share=SharedOCR(cache))
    read(scan, ocr=TesseractOCR(page_mode=6), share=SharedOCR(cache))
    return cache, file_digest(scan)


def _copy(cache: OCRCache, folder: Path) -> OCRCache:
    shutil.copytree(cache.folder, folder / "ocr")
    return OCRCache(folder / "ocr")


def test_a_prune_removes_other_settings_and_old_texts_but_never_a_run_being_read(
    real_cache: tuple[OCRCache, str], tmp_path: Path
) -> None:
    cache, digest = _copy(real_cache[0], tmp_path), real_cache[1]
    current = current_ocr_settings()
    pages = cache.survey(current).current.pages
    assert pages >= 2 and cache.survey(current).other.pages == pages
    busy = ocr_settings(TesseractOCR(language="spa"))  # a sweep reading with other settings
    cache.put(digest, busy, 0, "Sección 1")
    assert cache.claim(digest, busy, "0-0")

    removed = cache.prune(current)

    assert removed.pages == pages and removed.bytes > 0
    left = cache.survey(current)
    assert (left.current.pages, left.other.pages, left.in_use) == (pages, 1, 1)
    assert cache.get(digest, busy, 0) == "Sección 1" and (cache.place(digest, busy) / "0-0.claim")
    settings = ocr_settings(DEFAULT_OCR)
    assert all(cache.get(digest, settings, page) for page in range(pages))

    week_old = time.time() - 7 * 86400
    for text in cache.place(digest, settings).glob("*.txt"):
        os.utime(text, (week_old, week_old))
    assert cache.prune(current, datetime.timedelta(days=8)).pages == 0
    assert cache.prune(current, datetime.timedelta(days=6)).pages == pages
    cache.release(digest, busy, "0-0")
    assert cache.prune(current).pages == 1  # the other settings' run, now given back
    assert list(cache.folder.iterdir()) == []  # no empty folder left behind


def test_the_command_reports_and_prunes_in_english_and_spanish(
    real_cache: tuple[OCRCache, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = _copy(real_cache[0], tmp_path)
    monkeypatch.setenv("FREEDOMCITIES_DATA", str(tmp_path))
    pages = cache.survey(current_ocr_settings()).current.pages
    runner = CliRunner()

    shown = runner.invoke(cli, ["ocr-cache"])
    assert shown.exit_code == 0, shown.output
    assert f"OCR cache of scanned pages: {cache.folder}" in shown.output
    assert f"other OCR settings, never used again: {pages} pages" in shown.output

    pruned = runner.invoke(cli, ["ocr-cache", "--prune", "--language", "es"])
    assert pruned.exit_code == 0, pruned.output
    assert f"Se quitaron {pages} textos de páginas" in pruned.output
    assert "otra configuración de OCR, que ya no se usarán: 0 páginas" in pruned.output

    wrong = runner.invoke(cli, ["ocr-cache", "--older-than", "0"])
    assert wrong.exit_code == 2 and "--older-than" in wrong.output
