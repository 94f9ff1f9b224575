"""The whole pipeline in one call: read, split, judge, score.

This is what the CLI and the web app call. Each stage is a plain function
over plain values, and every engine inside (OCR, embedder) is a parameter.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from freedomcities.cache import (
    AnalysisCache,
    AnalysisKey,
    analysis_key,
    default_cache,
    file_digest,
    for_file,
    keep_analysis,
    kept_analysis,
)
from freedomcities.embed import Embedder, default_embedder
from freedomcities.errors import DocumentError, FreedomCitiesError
from freedomcities.isolate import clean_context, main_left_alone, read_isolated
from freedomcities.judge import Engine, judge, judge_version
from freedomcities.learned import LearnedJudge
from freedomcities.limits import Limits
from freedomcities.models import Document, Scorecard
from freedomcities.ocr import DEFAULT_OCR, OCREngine
from freedomcities.ocrshare import SharedOCR
from freedomcities.rules import DEFAULT_RULESET, Ruleset, load_ruleset
from freedomcities.score import score
from freedomcities.split import split

Progress = Callable[[int, int], None]

log = logging.getLogger(__name__)


def analyze(
    source: str | Path | Document,
    *,
    ruleset: str | Path | Ruleset = DEFAULT_RULESET,
    jurisdiction: str | None = None,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
    model: LearnedJudge | Engine = "learned",
    limits: Limits | None = None,
    share: SharedOCR | None = None,
    ocr: OCREngine = DEFAULT_OCR,
) -> Scorecard:
    """Score one policy document against a ruleset.

    Args:
        source: a path to a PDF, Word, HTML or text file, or a Document
            already read.
        ruleset: a shipped ruleset name, a path to a ruleset file, or a
            loaded Ruleset.
        jurisdiction: e.g. ``"Mesa, AZ"``; fills the model text's
            ``[County/City/State]`` and picks the state's variant.
        embedder: the sentence-embedding engine; the default is the
            offline MiniLM model when installed.
        progress: called with (pages done, pages in all) while reading.
        model: the judge: "learned" (the one trained for the ruleset, or the
            cues where it has none), "cues", or a LearnedJudge.
        limits: what reading the file may cost; by default the ones set in the
            environment. The file is read in a child process with the memory
            and time limits, so no file can take the caller down.
        share: read scanned pages through this shared OCR cache, so other
            workers can read some of them (:mod:`freedomcities.ocrshare`); the
            scorecard is the same as without.
        ocr: the OCR engine for scanned pages (:data:`~freedomcities.ocr.OCR_ENGINES`).

    Raises:
        DocumentError: the file cannot be read; the message says why.
        RulesetError: the ruleset has a mistake; the message says where.
    """
    rules = ruleset if isinstance(ruleset, Ruleset) else load_ruleset(ruleset)
    if isinstance(source, Document):
        document = source
    else:
        document = read_isolated(source, ocr=ocr, progress=progress, limits=limits, share=share)
    sections = split(document)
    findings, flags = judge(document, sections, rules, embedder=embedder, model=model)
    return score(
        document,
        findings,
        rules,
        sections=sections,
        flags=flags,
        jurisdiction=jurisdiction,
        judge_version=judge_version(rules, model),
    )


def analyze_many(
    paths: Iterable[str | Path],
    *,
    ruleset: str | Path = DEFAULT_RULESET,
    jurisdiction: str | None = None,
    workers: int | None = None,
    cache: AnalysisCache | bool = True,
    ocr: OCREngine = DEFAULT_OCR,
) -> Iterator[tuple[Path, Scorecard | FreedomCitiesError]]:
    """Analyse several documents in parallel, one process per core.

    Yields each path with its scorecard, or with the error that stopped it,
    in the order given, so one bad file never loses the others' results.

    Each content is analysed once (:mod:`freedomcities.cache`): files already
    analysed by this ruleset and judge are taken from the cache without
    starting a worker, and new analyses are kept. ``cache`` is the data
    folder's cache (True), another one, or none (False). ``ocr`` reads scanned pages.
    """
    files = [Path(p) for p in paths]
    store = _cache_of(cache)
    looked = [_look_up_file(p, ruleset, jurisdiction, store, ocr) for p in files]
    fresh = _analyze_all(
        [(p, key) for p, (key, kept) in zip(files, looked, strict=True) if kept is None],
        ruleset,
        jurisdiction,
        workers,
        (store, ocr),
    )
    for path, (_key, kept) in zip(files, looked, strict=True):
        yield (path, kept) if kept is not None else next(fresh)


def _analyze_all(
    files: list[tuple[Path, AnalysisKey | None]],
    ruleset: str | Path,
    jurisdiction: str | None,
    workers: int | None,
    keeping: tuple[AnalysisCache | None, OCREngine],
) -> Iterator[tuple[Path, Scorecard | FreedomCitiesError]]:
    """Analyse files in a pool of workers (or here, for one), in the order given, keeping each
    analysis in ``keeping``'s store under the key its file was looked up by."""
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(files) < 2:
        yield from (
            (p, _analyze_or_error(p, ruleset, jurisdiction, keeping, key)) for p, key in files
        )
        return
    with worker_pool(min(workers, len(files))) as pool:
        with main_left_alone():
            futures = [
                pool.submit(_analyze_or_error, p, ruleset, jurisdiction, keeping, key)
                for p, key in files
            ]
        for (path, _key), future in zip(files, futures, strict=True):
            try:
                yield path, future.result()
            except Exception as exc:  # a worker process that died: this file fails, not the rest
                yield path, _unexpected(path, exc)


def _cache_of(cache: AnalysisCache | bool) -> AnalysisCache | None:
    """The cache that ``cache`` names: the data folder's for True, none for False."""
    if isinstance(cache, AnalysisCache):
        return cache
    return default_cache() if cache else None


def _look_up_file(
    path: Path,
    ruleset: str | Path,
    jurisdiction: str | None,
    store: AnalysisCache | None,
    ocr: OCREngine,
) -> tuple[AnalysisKey | None, Scorecard | None]:
    """A file's key in ``store`` and its kept analysis, if any (see :func:`_look_up`).

    A file that cannot be read is not looked up here (no key): its worker says why.
    """
    if store is None:
        return None, None
    try:
        return _look_up(path, load_ruleset(ruleset), jurisdiction, store, ("learned", ocr))
    except FreedomCitiesError:
        return None, None


def _look_up(
    path: str | Path,
    rules: Ruleset,
    jurisdiction: str | None,
    store: AnalysisCache,
    judged: tuple[LearnedJudge | Engine, OCREngine],
) -> tuple[AnalysisKey, Scorecard | None]:
    """A file's key in the cache, and its kept analysis made for its name and jurisdiction
    by this judge and OCR engine."""
    model, ocr = judged
    key = analysis_key(file_digest(path), rules, model)
    kept = kept_analysis(store, key, ocr)
    return key, for_file(kept, path, rules, jurisdiction) if kept is not None else None


def analyze_cached(
    path: str | Path,
    *,
    ruleset: str | Path | Ruleset = DEFAULT_RULESET,
    jurisdiction: str | None = None,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
    model: LearnedJudge | Engine = "learned",
    cache: AnalysisCache | None = None,
    ocr: OCREngine = DEFAULT_OCR,
) -> Scorecard:
    """Like :func:`~freedomcities.analyze.analyze` on a file, but each content analysed once.

    Args:
        path: the policy file.
        ruleset, jurisdiction, embedder, progress, model, ocr: as for ``analyze``.
        cache: where analyses are kept; the data folder's by default.

    Raises:
        DocumentError: the file cannot be read; the message says why.
        RulesetError: the ruleset has a mistake; the message says where.
    """
    scorecard, _kept = analyze_or_reuse(
        path,
        ruleset=ruleset,
        jurisdiction=jurisdiction,
        embedder=embedder,
        progress=progress,
        model=model,
        cache=cache,
        ocr=ocr,
    )
    return scorecard


def analyze_or_reuse(
    path: str | Path,
    *,
    ruleset: str | Path | Ruleset = DEFAULT_RULESET,
    jurisdiction: str | None = None,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
    model: LearnedJudge | Engine = "learned",
    cache: AnalysisCache | None = None,
    share: SharedOCR | None = None,
    ocr: OCREngine = DEFAULT_OCR,
) -> tuple[Scorecard, bool]:
    """:func:`analyze_cached`, also saying whether the analysis was kept from before.

    ``share`` and ``ocr`` are as for :func:`analyze`.
    """
    rules = ruleset if isinstance(ruleset, Ruleset) else load_ruleset(ruleset)
    cache = cache or default_cache()
    key, kept = _look_up(path, rules, jurisdiction, cache, (model, ocr))
    if kept is not None:
        return kept, True
    scorecard = analyze(
        path,
        ruleset=rules,
        jurisdiction=jurisdiction,
        embedder=embedder,
        progress=progress,
        model=model,
        share=share,
        ocr=ocr,
    )
    keep_analysis(cache, key, scorecard, ocr)
    return scorecard, False


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool whose workers start clean from the fork server, not as forks of this one.

    A worker forked from a process that has run the embedding model inherits
    the model's session without the threads it runs on, and waits in it
    forever. Submit inside :func:`~freedomcities.isolate.main_left_alone`, so a
    worker does not run the caller's script again either.
    """
    return ProcessPoolExecutor(max_workers=workers, mp_context=clean_context())


def _analyze_or_error(
    path: Path,
    ruleset: str | Path,
    jurisdiction: str | None,
    keeping: tuple[AnalysisCache | None, OCREngine] = (None, DEFAULT_OCR),
    key: AnalysisKey | None = None,
) -> Scorecard | FreedomCitiesError:
    """Analyse one file in a worker with ``keeping``'s OCR engine and keep it under ``key`` in
    its store; an expected error is returned, not raised."""
    store, ocr = keeping
    try:
        embedder = default_embedder(threads=1)
        scorecard = analyze(
            path, ruleset=ruleset, jurisdiction=jurisdiction, embedder=embedder, ocr=ocr
        )
        if store is not None and key is not None:
            keep_analysis(store, key, scorecard, ocr)
        return scorecard
    except FreedomCitiesError as exc:
        return exc
    except Exception as exc:  # a bug must not lose the other files' results either
        return _unexpected(path, exc)


def _unexpected(path: Path, exc: Exception) -> DocumentError:
    """A plain error for a file whose analysis failed in a way nobody planned for."""
    log.error("analysis of %s failed", path, exc_info=exc)
    return DocumentError(
        f"{path.name} could not be analysed: the analysis stopped unexpectedly "
        f"({type(exc).__name__}). The other files are not affected; try this one again "
        "on its own, and report the problem if it happens again."
    )
