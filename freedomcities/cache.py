"""One analysis per file content, ruleset version and engine version, kept in the data folder.

Reading a 700-page manual (and OCR on its scans) and judging it costs seconds to
minutes; a report, a comparison or a national sweep that needs the same file's
scorecard again should pay that once. :func:`~freedomcities.analyze.analyze_cached`
looks the file up by an :class:`AnalysisKey` (the SHA-256 of its bytes, the ruleset's id,
version and content, this package's version and the judge's fingerprint) before reading it.
A new judge, ruleset or release changes the key, so nothing stale is reused.

The OCR engine changes a scorecard only where it read scanned pages, so an
analysis that read none is kept under the key alone, reusable whatever engine is
chosen, and one that read some is kept under the key with the engine's
:func:`~freedomcities.ocr.ocr_settings` (its name, options, Tesseract's version
and the resolution): another engine or a new Tesseract reads the file again
(:func:`kept_analysis`, :func:`keep_analysis`).

The place an analysis was made for only changes the suggested wording, so a hit
is re-filled for the caller's jurisdiction (:func:`~freedomcities.score.place_results`).

Entries are the scorecard's whole JSON (:meth:`~freedomcities.models.Scorecard.to_dict`),
gzipped: the same form the web app stores. An entry that cannot be read back (damaged,
or from another schema) is a miss, and the file is analysed again.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from freedomcities.errors import ContractError, DocumentError
from freedomcities.judge import Engine, judge_version
from freedomcities.learned import LearnedJudge
from freedomcities.models import Scorecard
from freedomcities.ocr import DEFAULT_OCR, OCREngine, ocr_settings
from freedomcities.rules import Ruleset
from freedomcities.score import place_results
from freedomcities.version import __version__

_CHUNK = 1 << 20


@dataclass(frozen=True)
class AnalysisKey:
    """What makes two analyses the same: the file's bytes and everything that judged them."""

    content: str
    ruleset: str
    ruleset_version: str
    engine: str
    judge: str
    ruleset_digest: str
    ocr: str = ""
    """The OCR settings, for an analysis that read scanned pages; empty for one that read none."""

    @property
    def name(self) -> str:
        """A file-name-safe digest of the whole key (without OCR settings, as before they were)."""
        joined = "\0".join(part for part in dataclasses.astuple(self) if part)
        return hashlib.sha256(joined.encode("utf-8")).hexdigest()

    def with_ocr(self, engine: OCREngine) -> AnalysisKey:
        """The key of the same analysis where the engine read scanned pages."""
        return dataclasses.replace(self, ocr=ocr_settings(engine))


def file_digest(path: str | Path) -> str:
    """The SHA-256 of a file's bytes, read in chunks so a large manual never sits in memory.

    Raises:
        DocumentError: the file is missing or cannot be read.
    """
    digest = hashlib.sha256()
    try:
        with Path(path).open("rb") as file:
            while chunk := file.read(_CHUNK):
                digest.update(chunk)
    except FileNotFoundError:
        raise DocumentError(
            f"There is no file at {path}. Check the spelling and the folder, then try again."
        ) from None
    except IsADirectoryError:
        raise DocumentError(f"{path} is a folder, not a file.") from None
    except OSError as exc:
        raise DocumentError(f"Could not read {path}: {exc.strerror}.") from exc
    return digest.hexdigest()


def analysis_key(
    content: str, rules: Ruleset, model: LearnedJudge | Engine = "learned"
) -> AnalysisKey:
    """The key of an analysis of content with this digest, by this ruleset and judge."""
    return AnalysisKey(
        content,
        rules.id,
        rules.version,
        __version__,
        judge_version(rules, model),
        ruleset_digest(rules),
    )


def ruleset_digest(rules: Ruleset) -> str:
    """A digest of everything in a ruleset, its cues included.

    A cue edited without a new version number (as a campaign tuning its own
    ruleset will) changes what the judge finds; an analysis made with the old
    cue must not come back.
    """
    return hashlib.sha256(repr(rules).encode("utf-8")).hexdigest()[:16]


def kept_analysis(
    store: AnalysisCache, key: AnalysisKey, ocr: OCREngine = DEFAULT_OCR
) -> Scorecard | None:
    """The kept analysis of ``key``'s file made with this OCR engine, or one that read no scans."""
    kept = store.get(key)
    if kept is not None and kept.document.ocr_pages == 0:
        return kept  # no page was read by OCR: any engine gives this scorecard
    return store.get(key.with_ocr(ocr))


def keep_analysis(
    store: AnalysisCache, key: AnalysisKey, scorecard: Scorecard, ocr: OCREngine = DEFAULT_OCR
) -> None:
    """Keep an analysis, under the OCR engine's settings if it read scanned pages."""
    store.put(key if scorecard.document.ocr_pages == 0 else key.with_ocr(ocr), scorecard)


class AnalysisCache:
    """Scorecards kept as files under one folder, one per :class:`AnalysisKey`."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def path(self, key: AnalysisKey) -> Path:
        """Where the analysis with this key is kept."""
        return self.folder / key.content[:2] / f"{key.name}.json.gz"

    def get(self, key: AnalysisKey) -> Scorecard | None:
        """The kept scorecard, or None if there is none (or it is damaged or of another schema)."""
        try:
            data = json.loads(gzip.decompress(self.path(key).read_bytes()))
            return Scorecard.from_dict(data)
        except (OSError, EOFError, ValueError, ContractError):
            return None

    def put(self, key: AnalysisKey, scorecard: Scorecard) -> None:
        """Keep a scorecard; written to a temporary name first so readers never see half."""
        text = json.dumps(scorecard.to_dict(), ensure_ascii=False, separators=(",", ":"))
        write_whole(self.path(key), gzip.compress(text.encode("utf-8"), 3))


def write_whole(target: Path, data: bytes) -> None:
    """Write a cache entry under a temporary name first, so readers never see half of it.

    A read-only or full data folder costs the work again later, nothing more: the
    error is swallowed.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as file:
            file.write(data)
        os.replace(file.name, target)
    except OSError:
        return


def default_cache() -> AnalysisCache:
    """The cache in the data folder (``FREEDOMCITIES_DATA``, shared with the web app)."""
    from freedomcities.web.config import data_dir  # plain settings; no Django is imported

    return AnalysisCache(data_dir() / "analyses")


def for_file(
    scorecard: Scorecard, path: str | Path, rules: Ruleset, jurisdiction: str | None
) -> Scorecard:
    """A kept scorecard as if made for this file name and jurisdiction."""
    document = dataclasses.replace(scorecard.document, source=str(path))
    if jurisdiction == scorecard.jurisdiction:
        return dataclasses.replace(scorecard, document=document)
    results = place_results(scorecard.results, rules, jurisdiction)
    return dataclasses.replace(
        scorecard, document=document, jurisdiction=jurisdiction, results=results
    )
