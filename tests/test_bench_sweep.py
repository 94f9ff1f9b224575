"""Smoke tests for bench/sweep.py and bench/ocr.py (they are not timed here)."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from freedomcities.sweep import read_manifest

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _module(name: str, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(BENCH))
    return importlib.import_module(name)


def test_the_bench_manifest_is_one_the_sweep_reads(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, shared_dir: Path
) -> None:
    sweep = _module("sweep", monkeypatch)
    monkeypatch.setattr(sweep, "SHARED", shared_dir)
    rows = read_manifest(sweep.write_manifest(tmp_path))
    assert len(rows) == 12 and all(row.path.is_file() for row in rows)
    assert {row.name for row in rows} >= {"Lisle Police Department", "Lee County Sheriff's Office"}


def test_the_national_estimate_divides_by_machines(monkeypatch: pytest.MonkeyPatch) -> None:
    sweep = _module("sweep", monkeypatch)
    hours = sweep.national(text_rate=100.0, scan_rate_machine=1.0)
    one = 12_600_000 * (0.98 / 100 + 0.02 / 1) / 3600
    assert hours["1 machines"] == pytest.approx(one, rel=1e-3)
    assert hours["10 machines"] == pytest.approx(one / 10, rel=1e-2)


def test_ocr_accuracy_counts_matching_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    ocr = _module("ocr", monkeypatch)
    assert ocr._similarity("Officers  shall\nnot", "Officers shall not") == 1.0
    assert ocr._similarity("abcd", "abXd") == pytest.approx(0.75)
    assert ocr._similarity("", "") == 1.0


def test_ocr_otsu_splits_ink_from_paper(monkeypatch: pytest.MonkeyPatch) -> None:
    ocr = _module("ocr", monkeypatch)
    gray = np.full((10, 10), 230, dtype=np.uint8)
    gray[2:5, 2:8] = 40  # ink
    gray[7, 1:9] = 120  # a grey rule, closer to the ink
    threshold = ocr._otsu(gray)
    assert 40 <= threshold < 230
    assert int((gray <= threshold).sum()) == 18 + (8 if threshold >= 120 else 0)


def test_ocr_settings_take_turns_in_a_rotating_order(monkeypatch: pytest.MonkeyPatch) -> None:
    ocr = _module("ocr", monkeypatch)
    assert ocr._rotated(3, 0) == [0, 1, 2]
    assert ocr._rotated(3, 4) == [1, 2, 0]


def test_a_workers_cpu_counts_the_processes_it_started(monkeypatch: pytest.MonkeyPatch) -> None:
    sweep = _module("sweep", monkeypatch)
    burn = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.3: pass\n"
    child = subprocess.Popen(
        [sys.executable, "-c", burn + "print(1, flush=True)\ntime.sleep(30)"],
        stdout=subprocess.PIPE,
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == b"1"
        assert child.pid in sweep.children(os.getpid())
        own = time.process_time()
        # The live child is not reaped, so only walking the tree counts its 0.3 s.
        assert sweep.cpu_seconds(os.getpid()) - own >= 0.25
    finally:
        child.kill()
        child.wait()
        assert child.stdout is not None
        child.stdout.close()
