"""Reading the text of scanned pages with an OCR engine.

Many policies and most published 287(g) agreements are scans: pages that are
pictures with no text layer. ``read`` renders those pages to images and hands
them to an :class:`OCREngine`. The engine is a parameter, not a global, so a
caller can swap in another engine (or ``None`` to skip OCR) without touching
the reader. :class:`TesseractOCR`, which runs Debian's ``tesseract`` command,
is the default.
"""

from __future__ import annotations

import functools
import io
import math
import os
import subprocess
import tempfile
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Protocol

from freedomcities.errors import DocumentError, OCRUnavailable

OCR_DPI: Final = 200
"""Resolution scanned pages are rendered at.

Chosen by ``bench/ocr.py`` on the 287(g) agreements: at 200 dpi Tesseract reads
pages with a text layer as accurately as at 300 dpi (99.8% of characters) in
about 0.78 of the CPU time, and its text of the scans agrees with 300 dpi's to
99.7%. Lower resolutions and page mode 6 were a little faster still but agreed
less with 300 dpi on the scans, whose print is poorer than a rendered page's.
Measured again with the settings taking turns run by run (so a shared
machine's load falls on all alike): 150 dpi 1.12x the pages per
CPU second (1.21x on all 60 scanned pages) but 99.73% of characters and a
scanned page read 82% alike; colour,
no anti-aliasing, Otsu black and white and cropped margins no faster beyond
the 4% the same setting moves between runs. Tesseract's LSTM, which is most of
the time, scales each line to 36 pixels high at any resolution.
"""

PAGES_PER_RUN: Final = 4
"""Pages one Tesseract run reads, paying its start-up (loading its model) once for them.

The text of each page is the same as page by page (checked on all 60 scanned
pages of the 287(g) agreements, and so their scorecards); on them one run for
four pages took about 0.2 s less CPU per page than a run per page (1.6 s, not 1.8).
Keeping the model loaded for every run as well (Tesseract's library in one
process, :class:`TesserocrOCR`, against loading it per run) gained 0-3% more.
"""

MAX_PIXELS: Final = 40_000_000
"""Largest page image rendered (a letter page at 300 dpi is 8.4 million pixels).

A damaged or hostile PDF can declare a page a hundred metres wide; this cap
keeps such a page from exhausting memory.
"""

_INSTALL_ADVICE = (
    "Install Tesseract (on Debian or Ubuntu: sudo apt-get install tesseract-ocr "
    "tesseract-ocr-eng; on macOS: brew install tesseract) and try again."
)


class OCREngine(Protocol):
    """Anything that turns a picture of a page into its text."""

    def read_image(self, png: bytes) -> str:
        """Return the text in one page image, given as PNG bytes."""
        ...


@dataclass(frozen=True)
class TesseractOCR:
    """OCR with the ``tesseract`` command-line program.

    Each call runs one ``tesseract`` process limited to one thread
    (``OMP_THREAD_LIMIT=1``): :func:`ocr_images` runs one process per core,
    which is faster than one process using every core.

    No options by default: ``bench/ocr.py`` measured ``--oem 1``, page modes 4
    and 6, ``tessedit_do_invert=0``, no table or pitch detection, no
    dictionaries and Sauvola thresholding, and none read faster beyond noise
    with the same text (page mode 6: 1.08-1.17x, but a scanned page read 90% alike).

    Attributes:
        command: The program to run, found on ``PATH`` unless a full path.
        language: Tesseract language code(s), e.g. ``"eng"`` or ``"eng+spa"``.
        page_mode: Tesseract page segmentation mode; 3 is fully automatic.
        timeout: Seconds to allow for one page before giving up.
        options: More command-line arguments, e.g. ``("-c", "tessedit_do_invert=0")``.
    """

    command: str = "tesseract"
    language: str = "eng"
    page_mode: int = 3
    timeout: float = 300.0
    options: tuple[str, ...] = ()

    def version(self) -> str:
        """The first line of ``tesseract --version``: a new Tesseract may read pages differently."""
        return _tesseract_version(self.command)

    def read_image(self, png: bytes) -> str:
        """Return the text Tesseract reads in one PNG page image.

        Raises:
            OCRUnavailable: Tesseract is not installed or cannot run.
            DocumentError: Tesseract took longer than ``timeout``.
        """
        return self._run("stdin", png, self.timeout)

    def read_images(self, pngs: Sequence[bytes]) -> list[str]:
        """The texts of several PNG page images, read by one Tesseract run.

        Each page's text is the one :meth:`read_image` returns for it: Tesseract
        reads the pages of a list one by one and puts a form feed between them.
        One run pays Tesseract's start-up (loading its model) once for them all.

        Raises:
            OCRUnavailable: Tesseract is not installed or cannot run.
            DocumentError: Tesseract took longer than ``timeout`` per page.
        """
        if len(pngs) == 1:
            return [self.read_image(pngs[0])]
        with tempfile.TemporaryDirectory(prefix="freedomcities-ocr-") as folder:
            names = []
            for number, png in enumerate(pngs):
                page = Path(folder) / f"{number}.png"
                page.write_bytes(png)
                names.append(str(page))
            listing = Path(folder) / "pages.txt"
            listing.write_text("\n".join(names) + "\n", encoding="utf-8")
            texts = self._run(str(listing), None, self.timeout * len(pngs)).split("\f")
        if len(texts) != len(pngs):  # not what Tesseract writes; read them one by one
            return [self.read_image(png) for png in pngs]
        return texts

    def _run(self, source: str, png: bytes | None, timeout: float) -> str:
        """Run Tesseract on ``source``: ``stdin`` (reading ``png``) or a file listing images."""
        args = [
            *(self.command, source, "stdout", "-l", self.language, "--psm", str(self.page_mode)),
            *self.options,
        ]
        try:
            done = subprocess.run(
                args,
                input=png,
                capture_output=True,
                env={**os.environ, "OMP_THREAD_LIMIT": "1"},
                timeout=timeout,
                check=False,
            )
        except OSError as exc:
            raise OCRUnavailable(
                f"This document has scanned pages, which need an OCR program to read, "
                f"but the OCR program {self.command!r} could not be started ({exc.strerror}). "
                f"{_INSTALL_ADVICE}"
            ) from exc
        except subprocess.TimeoutExpired as exc:
            raise DocumentError(_timeout_message(self.timeout)) from exc
        if done.returncode != 0:
            raise OCRUnavailable(_failure_message(self.command, done.stderr))
        return done.stdout.decode("utf-8", errors="replace")


TESSDATA_FOLDERS: Final = (
    "/usr/share/tesseract-ocr/5/tessdata",  # Debian 12, Ubuntu 22.04 and later
    "/usr/share/tesseract-ocr/4.00/tessdata",  # older Debian and Ubuntu
    "/usr/share/tessdata",  # Fedora, Arch
    "/usr/local/share/tessdata",  # built from source, Homebrew on Intel Macs
    "/opt/homebrew/share/tessdata",  # Homebrew on Apple silicon
)
"""Where the ``tesseract`` command's language data is, when ``TESSDATA_PREFIX`` does not say.

:class:`TesserocrOCR` loads the same files the command does: the wheel of
``tesserocr`` ships Tesseract's library but no language data.
"""

_THREAD = threading.local()


def tessdata_folder(language: str = "eng") -> str | None:
    """The folder holding ``<language>.traineddata`` for every language of ``language``, if any."""
    prefix = os.environ.get("TESSDATA_PREFIX")
    candidates = [prefix, os.path.join(prefix, "tessdata")] if prefix else []
    names = [f"{code}.traineddata" for code in language.split("+")]
    for folder in (*candidates, *TESSDATA_FOLDERS):
        if all(os.path.isfile(os.path.join(folder, name)) for name in names):
            return folder
    return None


@dataclass(frozen=True)
class TesserocrOCR:
    """OCR with Tesseract's library in this process, through ``tesserocr``.

    The same recognition as :class:`TesseractOCR` (the same language data, page
    mode and LSTM engine) without a process per run: each thread loads the model
    once and reads every page it is given with it. ``bench/ocr.py`` measured it
    at about 1.25 times the scanned pages per CPU second of the ``tesseract``
    command (0.85 against 0.66-0.69), with the same character accuracy (99.78%).
    All of that is the newer Tesseract its wheel bundles (5.5, against Debian
    12's 5.3): loading the model once instead of once per run measured 0-3%. It is not the default
    (:data:`DEFAULT_OCR`): its text of the scanned agreements differs a little
    from the command's, and one of their scorecards changes a status.
    Install it with ``pip install 'freedomcities[fast-ocr]'`` (Linux x86-64).

    Attributes:
        language: Tesseract language code(s), e.g. ``"eng"`` or ``"eng+spa"``.
        page_mode: Tesseract page segmentation mode; 3 is fully automatic.
        timeout: Seconds to allow for one page before giving up.
    """

    language: str = "eng"
    page_mode: int = 3
    timeout: float = 300.0

    def version(self) -> str:
        """The Tesseract the installed ``tesserocr`` bundles (e.g. ``tesseract 5.5.4``)."""
        try:
            import tesserocr
        except ImportError:
            return "unknown"  # OCR itself will say why it cannot run
        return str(tesserocr.tesseract_version()).splitlines()[0].strip()

    def installed(self) -> bool:
        """Whether ``tesserocr`` imports and the language data is found."""
        try:
            import tesserocr  # noqa: F401
        except ImportError:
            return False
        return tessdata_folder(self.language) is not None

    def read_image(self, png: bytes) -> str:
        """Return the text Tesseract reads in one PNG page image.

        Raises:
            OCRUnavailable: ``tesserocr`` or the language data is missing.
            DocumentError: Tesseract took longer than ``timeout``.
        """
        return self.read_images([png])[0]

    def read_images(self, pngs: Sequence[bytes]) -> list[str]:
        """The texts of several PNG page images, read one by one with this thread's model."""
        from PIL import Image

        api = self._api()
        texts = []
        for png in pngs:
            with Image.open(io.BytesIO(png)) as image:
                api.SetImage(image)
                if not api.Recognize(timeout=int(self.timeout * 1000)):
                    raise DocumentError(_timeout_message(self.timeout))
                texts.append(api.GetUTF8Text())
        return texts

    def _api(self) -> Any:
        """This thread's loaded Tesseract for these settings: one each, as it is not shared."""
        apis: dict[tuple[str, int], Any] = _THREAD.__dict__.setdefault("apis", {})
        key = (self.language, self.page_mode)
        if key not in apis:
            folder = tessdata_folder(self.language)
            try:
                import tesserocr

                if folder is None:
                    raise RuntimeError(f"no {self.language}.traineddata found")
                apis[key] = tesserocr.PyTessBaseAPI(
                    path=folder, lang=self.language, psm=self.page_mode, oem=tesserocr.OEM.LSTM_ONLY
                )
            except (ImportError, RuntimeError) as exc:
                raise OCRUnavailable(_failure_message("tesserocr", str(exc).encode())) from exc
        return apis[key]


DEFAULT_OCR: Final[OCREngine] = TesseractOCR()
"""The OCR engine ``read`` uses unless told otherwise.

The ``tesseract`` command, not :class:`TesserocrOCR`, though the library is
faster: its newer Tesseract reads the scanned 287(g) agreements a little
differently, and one of their scorecards changes a status (``bench/README.md``).
"""

OCR_ENGINES: Final[dict[str, OCREngine]] = {
    "tesseract": DEFAULT_OCR,
    "tesserocr": TesserocrOCR(),
}
"""The OCR engines a command can choose by name, the default first."""

DEFAULT_OCR_NAME: Final = next(iter(OCR_ENGINES))
"""The name of :data:`DEFAULT_OCR` in :data:`OCR_ENGINES`: Tesseract's command."""


def ocr_engine(name: str) -> OCREngine:
    """The engine of :data:`OCR_ENGINES` with this name, once it is known to run here.

    Raises:
        OCRUnavailable: no engine has this name, or ``tesserocr`` (the ``fast-ocr``
            extra) or its language data is not installed; the message says what to do.
    """
    engine = OCR_ENGINES.get(name)
    if engine is None:
        raise OCRUnavailable(
            f"There is no OCR engine called {name!r}. Choose one of: {', '.join(OCR_ENGINES)}."
        )
    if isinstance(engine, TesserocrOCR) and not engine.installed():
        raise OCRUnavailable(
            "The OCR engine tesserocr is not installed here, or Tesseract's English language "
            "data is missing. Install it with pip install 'freedomcities[fast-ocr]' (Linux "
            "x86-64) and sudo apt-get install tesseract-ocr-eng, or choose the default, "
            "tesseract."
        )
    return engine


def current_ocr_settings() -> set[str]:
    """The :func:`ocr_settings` of every engine a command can choose, as this machine runs them.

    Kept texts read with any other settings (another Tesseract, resolution or
    language) are never used again: ``freedomcities ocr-cache --prune`` removes them.
    """
    return {ocr_settings(engine) for engine in OCR_ENGINES.values()}


def _timeout_message(timeout: float) -> str:
    """Explain a page that took OCR too long."""
    return (
        f"Reading a scanned page with OCR took more than {timeout:g} seconds, "
        "so it was stopped. The page may be very large or damaged; try a cleaner "
        "scan of the document."
    )


def _failure_message(command: str, stderr: bytes) -> str:
    """Explain a Tesseract run that exited with an error."""
    lines = stderr.decode("utf-8", errors="replace").strip().splitlines()
    detail = lines[-1] if lines else "no explanation given"
    return (
        f"The OCR program {command!r} failed while reading a scanned page ({detail}). "
        f"Its English language data may be missing. {_INSTALL_ADVICE}"
    )


def worker_count() -> int:
    """The number of cores this process may use: one OCR process per core."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def render_page(pdf: Any, index: int, dpi: int = OCR_DPI) -> bytes:
    """Render one page of an open pypdfium2 ``PdfDocument`` to grayscale PNG bytes.

    Grayscale is a third the size of colour and reads as well. The pixel count
    is capped at :data:`MAX_PIXELS`. Must run on the thread that owns ``pdf``:
    pdfium is not thread-safe.
    """
    page = pdf[index]
    try:
        width, height = page.get_size()
        scale = min(dpi / 72, math.sqrt(MAX_PIXELS / max(width * height, 1.0)))
        bitmap = page.render(scale=scale, grayscale=True)
        try:
            buffer = io.BytesIO()
            bitmap.to_pil().save(buffer, format="PNG", compress_level=1, dpi=(dpi, dpi))
        finally:
            bitmap.close()
    finally:
        page.close()
    return buffer.getvalue()


def ocr_images(
    engine: OCREngine,
    images: Iterable[tuple[int, bytes]],
    workers: int | None = None,
    pages: int | None = None,
) -> Iterator[tuple[int, str]]:
    """Read page images on worker threads and yield ``(index, text)`` in input order.

    ``images`` is consumed lazily on the calling thread, so a generator that
    renders pages from a pdfium document stays on pdfium's thread; at most two
    runs' images per worker wait in memory at once. Threads suffice because
    each engine call runs its own Tesseract process. An engine that reads
    several images in one call (:meth:`TesseractOCR.read_images`) gets up to
    :data:`PAGES_PER_RUN` at a time, fewer when ``pages`` says there are too
    few to keep every worker busy.

    Args:
        engine: The OCR engine to call for each image.
        images: ``(index, png_bytes)`` pairs, typically page numbers and renders.
        workers: Parallel engine calls; defaults to the number of usable cores.
        pages: How many images there are, if known.
    """
    workers = workers or worker_count()
    several = getattr(engine, "read_images", None)
    size = min(PAGES_PER_RUN, math.ceil(pages / workers)) if several and pages else 1
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ocr")
    pending: deque[tuple[list[int], Future[list[str]]]] = deque()

    def submit(run: list[tuple[int, bytes]]) -> None:
        pngs = [png for _index, png in run]
        pending.append(([index for index, _png in run], pool.submit(read_run, engine, pngs)))

    try:
        run: list[tuple[int, bytes]] = []
        for item in images:
            run.append(item)
            if len(run) < size:
                continue
            submit(run)
            run = []
            if len(pending) >= 2 * workers:
                yield from _results(pending.popleft())
        if run:
            submit(run)
        while pending:
            yield from _results(pending.popleft())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def read_run(engine: OCREngine, pngs: Sequence[bytes]) -> list[str]:
    """The texts of page images read together: in one call to an engine that reads several
    (one Tesseract run), else one call each."""
    several = getattr(engine, "read_images", None)
    if several is not None and len(pngs) > 1:
        return list(several(pngs))
    return [engine.read_image(png) for png in pngs]


def ocr_settings(engine: OCREngine, dpi: int = OCR_DPI) -> str:
    """Everything besides the page that decides an OCR text: the engine, its settings and
    version, and the resolution pages are rendered at.

    Kept OCR texts (:mod:`freedomcities.ocrcache`) are filed under it, so a new
    Tesseract, another language or another resolution never reuses old texts. An
    engine whose ``repr`` names its object's address is never matched in another
    process: its texts are not shared, which is slow but never wrong.
    """
    version = engine.version() if hasattr(engine, "version") else ""
    return f"{engine!r} {version} dpi={dpi}"


@functools.lru_cache(maxsize=4)
def _tesseract_version(command: str) -> str:
    """The first line of ``tesseract --version`` (e.g. ``tesseract 5.3.0``), asked once."""
    try:
        done = subprocess.run([command, "--version"], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"  # OCR itself will say why it cannot run
    lines = (done.stdout or done.stderr).decode("utf-8", errors="replace").splitlines()
    return lines[0].strip() if lines else "unknown"


def _results(done: tuple[list[int], Future[list[str]]]) -> Iterator[tuple[int, str]]:
    """Each page index of one engine call with its text, once the call has finished."""
    indexes, future = done
    yield from zip(indexes, future.result(), strict=True)
