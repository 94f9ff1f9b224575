"""A file's expected work, estimated before reading it, to queue a sweep longest first."""

from __future__ import annotations

import json
import resource
import time
from pathlib import Path

from freedomcities.isolate import map_isolated
from freedomcities.limits import MB, Limits
from freedomcities.read import needs_ocr, open_pdf
from freedomcities.workload import ESTIMATE_SECONDS, UNKNOWN, Workload, estimate, longest_first
from tests import hostile
from tests.documents import make_encrypted_pdf, scanned_agreement


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


def _hostile_files(folder: Path) -> dict[int, Path]:
    """A decompression bomb, pages that need gigabytes or seconds, a locked, a broken PDF,
    an endless page tree and too many pages."""
    broken = folder / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\n")
    return {
        1: hostile.pdf_stream_bomb(folder / "bomb.pdf"),
        2: hostile.pdf_crowded_page(folder / "memory.pdf", lines=400_000),
        3: hostile.pdf_crowded_page(folder / "slow.pdf", lines=150_000),
        4: make_encrypted_pdf("Officers shall not ask about immigration status.", folder / "l.pdf"),
        5: broken,
        6: hostile.pdf_page_tree_loop(folder / "loop.pdf"),
        7: hostile.pdf_many_pages(folder / "many.pdf", 200_000),  # past FREEDOMCITIES_MAX_PAGES
    }


def test_hostile_files_are_estimated_as_one_page_within_bounds_and_good_ones_keep_their_order(
    shared_dir: Path, tmp_path: Path
) -> None:
    scan, text = scanned_agreement(shared_dir), _text_agreement(shared_dir)
    files = _hostile_files(tmp_path) | {8: text, 9: scan}
    limits = Limits(max_memory_bytes=300 * MB)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    started = time.monotonic()
    order = longest_first(files, limits)

    assert time.monotonic() - started < 2 * 3 * ESTIMATE_SECONDS
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
    assert grown < 100 * MB  # read in place, the bomb alone costs this process over 600 MB
    assert [key for key, _work in order] == [9, 8, 1, 2, 3, 4, 5, 6, 7]
    assert dict(order)[9] == estimate(scan) and dict(order)[8] == estimate(text)
    assert all(work == UNKNOWN for key, work in order if key <= 7)


def test_a_child_goes_on_after_an_item_that_raises_runs_out_of_memory_or_of_time() -> None:
    limits = Limits(max_memory_bytes=300 * MB)

    sums = map_isolated(sum, [range(3), range(10**12), range(5)], limits=limits, seconds_each=1)
    assert sums == [3, None, 10]
    made = map_isolated(bytes, [2, 2 * 10**9, -1, 1], limits=limits, seconds_each=10)
    assert made == [b"\0\0", None, None, b"\0"]


def test_files_past_the_page_or_size_limit_are_not_estimated(shared_dir: Path) -> None:
    text = _text_agreement(shared_dir)
    assert estimate(text, Limits(max_pages=1)) == UNKNOWN
    assert estimate(text, Limits(max_bytes=1000)) == UNKNOWN
