"""Choose the OCR settings by measurement: speed on real scans, accuracy against real text layers.

Every setting is measured in this run against the baseline measured in this run
(Tesseract at 300 dpi, page mode 3: what ``read`` used before this benchmark;
``read`` now renders at 200 dpi, ``freedomcities.ocr.OCR_DPI``).

- **scanned pages/s per core**: the scanned 287(g) agreements in ``../shared/moa/``
  (``index.json`` says which), each page rendered and read one at a time on one
  core (``OMP_THREAD_LIMIT=1``), rendering included, per CPU second (this
  process's and Tesseract's), which a busy shared machine disturbs far less than
  wall-clock time.
- **char accuracy**: pages that have a text layer are rendered to an image and
  read by OCR; the OCR text is compared with the page's own text layer
  (``difflib`` matching characters / characters of the text layer, whitespace
  collapsed). Scans have no truth to compare with, so their OCR text is
  compared with the baseline's (**agrees with baseline**).

Usage::

    .venv/bin/python bench/ocr.py                 # 2 pages of each agreement
    .venv/bin/python bench/ocr.py --pages 1       # quicker
    .venv/bin/python bench/ocr.py --rapidocr      # also RapidOCR, if installed

Results are printed and written to ``bench/results/ocr.json``.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import resource
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium

from freedomcities.ocr import OCREngine, TesseractOCR, render_page

BENCH = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("FREEDOMCITIES_SHARED", BENCH.parent.parent / "shared"))
AGREEMENTS = SHARED / "moa"
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Setting:
    """One way of reading a scan: the resolution pages are rendered at, and the engine."""

    name: str
    dpi: int
    engine: OCREngine


@dataclass(frozen=True)
class Row:
    """What one setting measured."""

    name: str
    scanned_pages: int
    scanned_seconds: float
    pages_per_second_per_core: float
    speed_vs_baseline: float
    char_accuracy: float
    agrees_with_baseline: float


class RapidOCREngine:
    """RapidOCR (PP-OCR models shipped in its wheel, on onnxruntime), one thread."""

    def __init__(self) -> None:
        from rapidocr_onnxruntime import RapidOCR  # type: ignore[import-not-found]

        self._ocr = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1)

    def read_image(self, png: bytes) -> str:
        found, _ = self._ocr(png)
        boxes = sorted(found or [], key=lambda item: (round(item[0][0][1] / 12), item[0][0][0]))
        return "\n".join(str(item[1]) for item in boxes)


def _pages(text_layer: bool, per_file: int) -> list[tuple[Path, int]]:
    """(file, page index) of the agreements with or without a text layer."""
    index = json.loads((AGREEMENTS / "index.json").read_text(encoding="utf-8"))
    return [
        (AGREEMENTS / f"{entry['slug']}.pdf", page)
        for entry in index
        if entry["text_layer"] == text_layer
        for page in range(min(per_file, entry["pages"]))
    ]


def _text_layer(path: Path, page: int) -> str:
    pdf = pdfium.PdfDocument(path)
    try:
        textpage = pdf[page].get_textpage()
        text: str = textpage.get_text_range()
        textpage.close()
        return text
    finally:
        pdf.close()


def _read(setting: Setting, path: Path, page: int) -> str:
    """Render one page at the setting's resolution and read it."""
    pdf = pdfium.PdfDocument(path)
    try:
        png = render_page(pdf, page, dpi=setting.dpi)
    finally:
        pdf.close()
    return setting.engine.read_image(png)


def _similarity(truth: str, text: str) -> float:
    """Matching characters over the truth's characters, whitespace collapsed."""
    a, b = _SPACE.sub(" ", truth).strip(), _SPACE.sub(" ", text).strip()
    if not a:
        return 1.0 if not b else 0.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(a)


def _cpu() -> float:
    """CPU seconds of this process and its finished children (Tesseract runs as a child)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _timed(fn: Callable[[], str]) -> tuple[str, float]:
    """The result and the CPU seconds it took: steadier than wall time on a shared machine."""
    started = _cpu()
    return fn(), _cpu() - started


def measure(settings: list[Setting], per_file: int) -> list[Row]:
    """Run every setting over the same pages; the first setting is the baseline."""
    scans, texts = _pages(False, per_file), _pages(True, per_file)
    truths = [_text_layer(path, page) for path, page in texts]
    rows: list[Row] = []
    baseline_text: list[str] = []
    baseline_seconds = 0.0
    for setting in settings:
        read = [_timed(lambda s=setting, p=path, i=page: _read(s, p, i)) for path, page in scans]
        seconds = sum(s for _, s in read)
        ocr_texts = [text for text, _ in read]
        if not baseline_text:
            baseline_text, baseline_seconds = ocr_texts, seconds
        accuracy = [
            _similarity(truth, _read(setting, path, page))
            for truth, (path, page) in zip(truths, texts, strict=True)
        ]
        agree = [_similarity(b, t) for b, t in zip(baseline_text, ocr_texts, strict=True)]
        rows.append(
            Row(
                name=setting.name,
                scanned_pages=len(scans),
                scanned_seconds=round(seconds, 2),
                pages_per_second_per_core=round(len(scans) / seconds, 3),
                speed_vs_baseline=round(baseline_seconds / seconds, 2),
                char_accuracy=round(sum(accuracy) / len(accuracy), 4),
                agrees_with_baseline=round(sum(agree) / len(agree), 4),
            )
        )
        _print_row(rows[-1])
    return rows


def _print_row(row: Row) -> None:
    print(
        f"{row.name:<34} {row.pages_per_second_per_core:>8.3f} {row.speed_vs_baseline:>6.2f}x"
        f" {row.char_accuracy:>9.4f} {row.agrees_with_baseline:>9.4f}",
        flush=True,
    )


def settings(rapidocr: bool) -> list[Setting]:
    """The baseline first, then the candidates."""
    no_invert = ("-c", "tessedit_do_invert=0")
    chosen: list[Setting] = [
        Setting("tesseract 300 dpi psm 3 (baseline)", 300, TesseractOCR(options=())),
        Setting("tesseract 300 dpi psm 3 no-invert", 300, TesseractOCR(options=no_invert)),
        Setting("tesseract 200 dpi psm 3", 200, TesseractOCR(options=())),
        Setting("tesseract 200 dpi psm 3 no-invert", 200, TesseractOCR(options=no_invert)),
        Setting("tesseract 150 dpi psm 3 no-invert", 150, TesseractOCR(options=no_invert)),
        Setting(
            "tesseract 200 dpi psm 6 no-invert", 200, TesseractOCR(page_mode=6, options=no_invert)
        ),
    ]
    if rapidocr:
        chosen.append(Setting("rapidocr 200 dpi", 200, RapidOCREngine()))
    return chosen


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=2, help="pages of each agreement")
    parser.add_argument("--rapidocr", action="store_true", help="also measure RapidOCR")
    parser.add_argument("--output", type=Path, default=BENCH / "results" / "ocr.json")
    args = parser.parse_args(argv)
    os.environ["OMP_THREAD_LIMIT"] = "1"
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'setting':<34} {'pages/s':>8} {'speed':>7} {'char acc':>9} {'agree':>9}")
    rows = measure(settings(args.rapidocr), args.pages)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    data: dict[str, Any] = {"pages_per_file": args.pages, "rows": [asdict(r) for r in rows]}
    args.output.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(f"Wrote {args.output}")


if __name__ == "__main__":
    main()
