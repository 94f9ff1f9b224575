"""The OCR cache: texts filed under the file, the page and the OCR settings; claims on runs."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from freedomcities.lease import holder
from freedomcities.ocr import TesseractOCR, TesserocrOCR, ocr_settings
from freedomcities.ocrcache import OCR_LEASE, OCRCache
from freedomcities.ocrshare import has_free_runs

DIGEST = "ab" * 32


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
