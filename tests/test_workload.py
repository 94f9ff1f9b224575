"""A file's expected work, estimated before reading it, to queue a sweep longest first."""

from __future__ import annotations

import json
from pathlib import Path

from freedomcities.limits import Limits
from freedomcities.read import needs_ocr, open_pdf
from freedomcities.workload import Workload, estimate, longest_first
from tests.documents import scanned_agreement


def _text_agreement(shared_dir: Path) -> Path:
    index = json.loads((shared_dir / "moa" / "index.json").read_text(encoding="utf-8"))
    slug = sorted(row["slug"] for row in index if row["text_layer"])[0]
    return shared_dir / "moa" / f"{slug}.pdf"


def test_a_scanned_agreement_is_estimated_as_its_scans_and_goes_before_a_text_one(
    shared_dir: Path, tmp_path: Path
) -> None:
    scan, text = scanned_agreement(shared_dir), _text_agreement(shared_dir)
    notes = tmp_path / "notes.txt"
    notes.write_text("Section 1. Purpose.\n" * 300, encoding="utf-8")

    scan_work = estimate(scan)
    pdf = open_pdf(scan)
    try:
        scans = sum(needs_ocr(pdf, page, scan, Limits.from_env()) for page in range(len(pdf)))
        assert (scan_work.pages, scan_work.scanned) == (len(pdf), scans)
    finally:
        pdf.close()
    assert scans > 0
    assert estimate(text).scanned == 0
    assert estimate(notes) == Workload(pages=len(notes.read_bytes()) // 3000, scanned=0)
    assert estimate(tmp_path / "missing.pdf") == Workload(pages=1, scanned=0)

    order = longest_first({1: notes, 2: text, 3: scan, 4: tmp_path / "missing.pdf"})
    assert order[0][0] == 3
    assert scan_work.helpers >= 1  # more than one run of four pages: another worker can help


def test_a_file_with_one_run_of_scans_or_none_gets_no_helper() -> None:
    assert Workload(pages=700, scanned=0).helpers == 0
    assert Workload(pages=700, scanned=4).helpers == 0
    assert Workload(pages=700, scanned=5).helpers == 1
    assert Workload(pages=700, scanned=400).helpers == 3
