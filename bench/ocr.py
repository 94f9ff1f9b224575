"""Choose the OCR settings by measurement: speed on real scans, accuracy against real text layers.

Every setting is measured in this run against the baseline measured in this run:
what ``read`` does (:data:`COMMAND`, the ``tesseract`` command, on pages rendered by
``render_page`` at ``OCR_DPI``, ``PAGES_PER_RUN`` pages per run). The settings take
turns run by run, and the baseline is measured once more at the end ("today again"):
how far a figure moves with nothing changed.

- **scanned pages/s per core**: the pages ``read`` OCRs in the 287(g) agreements
  in ``../shared/moa/`` (60 pages of five files), read in runs of up to
  ``PAGES_PER_RUN`` pages of one file as ``read`` does, on one core
  (``OMP_THREAD_LIMIT=1``), rendering included, per CPU second (this process's
  and Tesseract's), which a busy shared machine disturbs far less than
  wall-clock time.
- **char accuracy**: pages that have a text layer are rendered to an image and
  read by OCR; the OCR text is compared with the page's own text layer
  (``difflib`` matching characters / characters of the text layer, whitespace
  collapsed). Scans have no truth to compare with, so their OCR text is
  compared with the baseline's (**agrees with baseline**; **worst**: the page
  that agrees least).

Usage::

    .venv/bin/python bench/ocr.py                    # every setting, every scanned page
    .venv/bin/python bench/ocr.py --scan-step 3      # every third scanned page: quicker
    .venv/bin/python bench/ocr.py --only 'invert,dpi$'  # names matching these patterns
    .venv/bin/python bench/ocr.py --tesserocr        # also tesserocr (the fast-ocr extra)
    .venv/bin/python bench/ocr.py --rapidocr         # also RapidOCR, if installed

Results are printed and written to ``bench/results/ocr.json``.
"""

from __future__ import annotations

import argparse
import difflib
import io
import json
import math
import os
import re
import resource
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pypdfium2 as pdfium
from PIL import Image

from freedomcities.limits import Limits
from freedomcities.ocr import (
    MAX_PIXELS,
    OCR_DPI,
    PAGES_PER_RUN,
    OCREngine,
    TesseractOCR,
    TesserocrOCR,
    render_page,
    tessdata_folder,
)
from freedomcities.read import _Options, _pdf_text_layer

BENCH = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("FREEDOMCITIES_SHARED", BENCH.parent.parent / "shared"))
AGREEMENTS = SHARED / "moa"
_SPACE = re.compile(r"\s+")

Render = Callable[[Any, int, int], bytes]
"""(open pdfium document, page index, dpi) -> image bytes for the engine."""


@dataclass(frozen=True)
class Setting:
    """One way of reading a scan: the resolution, how the page image is made, the engine."""

    name: str
    dpi: int
    engine: OCREngine
    render: Render = field(default=render_page)


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
    worst_agreement: float


class RapidOCREngine:
    """RapidOCR (PP-OCR models shipped in its wheel, on onnxruntime), one thread."""

    def __init__(self) -> None:
        from rapidocr_onnxruntime import RapidOCR  # type: ignore[import-not-found]

        self._ocr = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1)

    def read_image(self, png: bytes) -> str:
        found, _ = self._ocr(png)
        boxes = sorted(found or [], key=lambda item: (round(item[0][0][1] / 12), item[0][0][0]))
        return "\n".join(str(item[1]) for item in boxes)


class ColdTesserocr:
    """Tesseract's library loading its model for every run, as a ``tesseract`` process does.

    Against :class:`~freedomcities.ocr.TesserocrOCR` (which keeps it loaded), this tells
    how much of the library's speed is the warm model and how much the library itself.
    """

    def read_image(self, png: bytes) -> str:
        return self.read_images([png])[0]

    def read_images(self, pngs: Sequence[bytes]) -> list[str]:
        import tesserocr

        api = tesserocr.PyTessBaseAPI(
            path=tessdata_folder("eng"), lang="eng", psm=3, oem=tesserocr.OEM.LSTM_ONLY
        )
        try:
            texts = []
            for png in pngs:
                with Image.open(io.BytesIO(png)) as image:
                    api.SetImage(image)
                    texts.append(api.GetUTF8Text())
            return texts
        finally:
            api.End()


def _bitmap(pdf: Any, index: int, dpi: int, **options: bool) -> Image.Image:
    """One page rendered at ``dpi`` (capped as ``render_page`` caps it), as a Pillow image."""
    page = pdf[index]
    try:
        width, height = page.get_size()
        scale = min(dpi / 72, math.sqrt(MAX_PIXELS / max(width * height, 1.0)))
        bitmap = page.render(scale=scale, **options)
        try:
            return bitmap.to_pil().copy()
        finally:
            bitmap.close()
    finally:
        page.close()


def _png(image: Image.Image, dpi: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1, dpi=(dpi, dpi))
    return buffer.getvalue()


def render_colour(pdf: Any, index: int, dpi: int) -> bytes:
    """The page in colour (RGB), as pdfium draws it by default."""
    return _png(_bitmap(pdf, index, dpi), dpi)


def render_crisp(pdf: Any, index: int, dpi: int) -> bytes:
    """Grayscale without pdfium's smoothing of text, pictures and paths (no anti-aliasing)."""
    image = _bitmap(
        pdf, index, dpi, grayscale=True, no_smoothtext=True, no_smoothimage=True, no_smoothpath=True
    )
    return _png(image, dpi)


def _otsu(gray: np.ndarray[Any, Any]) -> int:
    """Otsu's threshold of an 8-bit grayscale image."""
    counts = np.bincount(gray.ravel(), minlength=256).astype(np.float64)
    levels = np.arange(256, dtype=np.float64)
    weight = np.cumsum(counts)
    mean = np.cumsum(counts * levels)
    total, total_mean = weight[-1], mean[-1]
    background = total - weight
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (total_mean * weight - mean * total) ** 2 / (weight * background)
    return int(np.nanargmax(between[:-1]))


def render_binary(pdf: Any, index: int, dpi: int) -> bytes:
    """Grayscale, then black and white by Otsu's threshold (1-bit PNG)."""
    gray = np.asarray(_bitmap(pdf, index, dpi, grayscale=True).convert("L"))
    ink = gray <= _otsu(gray)
    return _png(Image.fromarray(~ink), dpi)


def render_cropped(pdf: Any, index: int, dpi: int) -> bytes:
    """Grayscale, cut to the part of the page with ink (Otsu), plus a margin of 1/10 inch."""
    image = _bitmap(pdf, index, dpi, grayscale=True).convert("L")
    gray = np.asarray(image)
    ink = gray <= _otsu(gray)
    rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if rows.size and columns.size:
        pad = dpi // 10
        box = (
            max(0, int(columns[0]) - pad),
            max(0, int(rows[0]) - pad),
            min(gray.shape[1], int(columns[-1]) + pad + 1),
            min(gray.shape[0], int(rows[-1]) + pad + 1),
        )
        image = image.crop(box)
    return _png(image, dpi)


def _scanned(path: Path) -> list[int]:
    """The pages of a PDF that ``read`` would OCR (0-based)."""
    pdf = pdfium.PdfDocument(path)
    try:
        return _pdf_text_layer(pdf, path, _Options(None, Limits(), None))[1]
    finally:
        pdf.close()


def scanned_pages(step: int = 1) -> list[tuple[Path, list[int]]]:
    """Each agreement with pages ``read`` OCRs, and those pages (every ``step``-th)."""
    index = json.loads((AGREEMENTS / "index.json").read_text(encoding="utf-8"))
    found: list[tuple[Path, list[int]]] = []
    count = 0
    for entry in index:
        path = AGREEMENTS / f"{entry['slug']}.pdf"
        scanned = _scanned(path)
        chosen = []
        for page in scanned:
            if count % step == 0:
                chosen.append(page)
            count += 1
        if chosen:
            found.append((path, chosen))
    return found


def text_pages(per_file: int) -> list[tuple[Path, int]]:
    """(file, page): the first ``per_file`` pages with a text layer of each agreement with one."""
    index = json.loads((AGREEMENTS / "index.json").read_text(encoding="utf-8"))
    found: list[tuple[Path, int]] = []
    for entry in index:
        if not entry["text_layer"]:
            continue
        path = AGREEMENTS / f"{entry['slug']}.pdf"
        scanned = _scanned(path)
        pages = [page for page in range(entry["pages"]) if page not in scanned]
        found.extend((path, page) for page in pages[:per_file])
    return found


def _text_layer(path: Path, page: int) -> str:
    pdf = pdfium.PdfDocument(path)
    try:
        textpage = pdf[page].get_textpage()
        text: str = textpage.get_text_range()
        textpage.close()
        return text
    finally:
        pdf.close()


def _runs(pages: list[int]) -> Iterator[list[int]]:
    """The pages in runs of up to ``PAGES_PER_RUN``, as ``read`` hands them to Tesseract."""
    for start in range(0, len(pages), PAGES_PER_RUN):
        yield pages[start : start + PAGES_PER_RUN]


def read_file(setting: Setting, path: Path, pages: list[int]) -> list[str]:
    """Render the pages of one file and read them, in runs as ``read`` does."""
    several = getattr(setting.engine, "read_images", None)
    texts: list[str] = []
    pdf = pdfium.PdfDocument(path)
    try:
        for run in _runs(pages):
            images = [setting.render(pdf, page, setting.dpi) for page in run]
            if several is not None and len(images) > 1:
                texts.extend(several(images))
            else:
                texts.extend(setting.engine.read_image(image) for image in images)
    finally:
        pdf.close()
    return texts


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


def measure(
    settings: list[Setting], scans: list[tuple[Path, list[int]]], texts: list[tuple[Path, int]]
) -> list[Row]:
    """Run every setting over the same pages; the first setting is the baseline.

    The settings take turns run by run (one run of up to ``PAGES_PER_RUN`` pages of one file
    each, their order rotating), so a change in the machine's load falls on all of them alike.
    """
    seconds = [0.0] * len(settings)
    ocr_texts: list[list[str]] = [[] for _ in settings]
    turn = 0
    for path, pages in scans:
        for run in _runs(pages):
            for number in _rotated(len(settings), turn):
                started = _cpu()
                ocr_texts[number].extend(read_file(settings[number], path, run))
                seconds[number] += _cpu() - started
            turn += 1
    truths = [_text_layer(path, page) for path, page in texts]
    count = sum(len(pages) for _path, pages in scans)
    rows: list[Row] = []
    for number, setting in enumerate(settings):
        accuracy = [
            _similarity(truth, read_file(setting, path, [page])[0])
            for truth, (path, page) in zip(truths, texts, strict=True)
        ]
        agree = [_similarity(b, t) for b, t in zip(ocr_texts[0], ocr_texts[number], strict=True)]
        rows.append(
            Row(
                name=setting.name,
                scanned_pages=count,
                scanned_seconds=round(seconds[number], 2),
                pages_per_second_per_core=round(count / seconds[number], 3),
                speed_vs_baseline=round(seconds[0] / seconds[number], 2),
                char_accuracy=round(sum(accuracy) / len(accuracy), 4),
                agrees_with_baseline=round(sum(agree) / len(agree), 4),
                worst_agreement=round(min(agree), 4),
            )
        )
        _print_row(rows[-1])
    return rows


def _rotated(count: int, turn: int) -> list[int]:
    """0 .. count-1 starting at ``turn`` (mod count): who goes first changes every run."""
    return [(turn + step) % count for step in range(count)]


def _print_row(row: Row) -> None:
    print(
        f"{row.name:<44} {row.pages_per_second_per_core:>8.3f} {row.speed_vs_baseline:>6.2f}x"
        f" {row.char_accuracy:>9.4f} {row.agrees_with_baseline:>9.4f} {row.worst_agreement:>7.4f}",
        flush=True,
    )


COMMAND = TesseractOCR()
"""The ``tesseract`` command as ``read`` ran it before ``tesserocr``: the baseline."""


def _tesseract(*options: str, page_mode: int = 3) -> TesseractOCR:
    return TesseractOCR(page_mode=page_mode, options=options)


def settings(rapidocr: bool, tesserocr: bool) -> list[Setting]:
    """The baseline (what ``read`` does today) first, then the candidates."""
    no_invert = ("-c", "tessedit_do_invert=0")
    no_tables = ("-c", "textord_tabfind_find_tables=0")
    no_pitch = ("-c", "textord_disable_pitch_test=1")
    chosen: list[Setting] = [
        Setting(f"today: {OCR_DPI} dpi psm 3 (baseline)", OCR_DPI, COMMAND),
        Setting("300 dpi psm 3", 300, _tesseract()),
        Setting("oem 1 (LSTM only)", OCR_DPI, _tesseract("--oem", "1")),
        Setting("no-invert", OCR_DPI, _tesseract(*no_invert)),
        Setting("no tables", OCR_DPI, _tesseract(*no_tables)),
        Setting("no pitch test", OCR_DPI, _tesseract(*no_pitch)),
        Setting("no dictionaries", OCR_DPI, _tesseract(*_dawgs_off())),
        Setting("lstm_choice_mode 0", OCR_DPI, _tesseract("-c", "lstm_choice_mode=0")),
        Setting("thresholding Sauvola", OCR_DPI, _tesseract("-c", "thresholding_method=2")),
        Setting("psm 4", OCR_DPI, _tesseract(page_mode=4)),
        Setting("psm 6", OCR_DPI, _tesseract(page_mode=6)),
        Setting("colour render", OCR_DPI, COMMAND, render_colour),
        Setting("no anti-aliasing", OCR_DPI, COMMAND, render_crisp),
        Setting("Otsu binary", OCR_DPI, COMMAND, render_binary),
        Setting("Otsu binary 150 dpi", 150, COMMAND, render_binary),
        Setting("150 dpi", 150, COMMAND),
        Setting("cropped margins", OCR_DPI, COMMAND, render_cropped),
        Setting("cropped margins psm 4", OCR_DPI, _tesseract(page_mode=4), render_cropped),
        Setting(
            "no-invert no tables no pitch test",
            OCR_DPI,
            _tesseract(*no_invert, *no_tables, *no_pitch),
        ),
    ]
    if tesserocr:
        chosen += [
            Setting("tesserocr warm", OCR_DPI, TesserocrOCR()),
            Setting("tesserocr cold (model loaded per run)", OCR_DPI, ColdTesserocr()),
            Setting("tesserocr warm psm 4", OCR_DPI, TesserocrOCR(page_mode=4)),
            Setting("tesserocr warm cropped margins", OCR_DPI, TesserocrOCR(), render_cropped),
            Setting("tesserocr warm 150 dpi", 150, TesserocrOCR()),
        ]
    if rapidocr:
        chosen.append(Setting("rapidocr", OCR_DPI, RapidOCREngine()))
    # The baseline once more, last: how far a setting can move with no change at all.
    chosen.append(Setting("today again (noise)", OCR_DPI, COMMAND))
    return chosen


def _dawgs_off() -> tuple[str, ...]:
    names = ("load_system_dawg", "load_freq_dawg", "load_number_dawg", "load_punc_dawg")
    return tuple(arg for name in names for arg in ("-c", f"{name}=0"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=2, help="text-layer pages of each agreement")
    parser.add_argument("--scan-step", type=int, default=1, help="read every Nth scanned page")
    parser.add_argument("--only", default="", help="comma-separated patterns of setting names")
    parser.add_argument("--rapidocr", action="store_true", help="also measure RapidOCR")
    parser.add_argument("--tesserocr", action="store_true", help="also measure tesserocr")
    parser.add_argument("--output", type=Path, default=BENCH / "results" / "ocr.json")
    args = parser.parse_args(argv)
    os.environ["OMP_THREAD_LIMIT"] = "1"
    chosen = settings(args.rapidocr, args.tesserocr)
    if args.only:
        parts = [part.strip() for part in args.only.split(",") if part.strip()]
        chosen = chosen[:1] + [s for s in chosen[1:] if any(re.search(p, s.name) for p in parts)]
    scans, texts = scanned_pages(args.scan_step), text_pages(args.pages)
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{len(texts)} text-layer pages, {sum(len(p) for _f, p in scans)} scanned pages")
    print(f"{'setting':<44} {'pages/s':>8} {'speed':>7} {'char acc':>9} {'agree':>9} {'worst':>7}")
    rows = measure(chosen, scans, texts)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    data: dict[str, Any] = {
        "text_pages_per_file": args.pages,
        "scan_step": args.scan_step,
        "load_average_at_start": os.getloadavg()[0],
        "rows": [asdict(r) for r in rows],
    }
    args.output.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(f"Wrote {args.output}")


if __name__ == "__main__":
    main()
