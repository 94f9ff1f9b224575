"""The whole pipeline in one call: read, split, judge, score.

This is what the CLI and the web app call. Each stage is a plain function
over plain values, and every engine inside (OCR, embedder) is a parameter.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from freedomcities.embed import Embedder, default_embedder
from freedomcities.errors import FreedomCitiesError
from freedomcities.judge import Engine, judge, judge_version
from freedomcities.learned import LearnedJudge
from freedomcities.models import Document, Scorecard
from freedomcities.read import read
from freedomcities.rules import DEFAULT_RULESET, Ruleset, load_ruleset
from freedomcities.score import score
from freedomcities.split import split

Progress = Callable[[int, int], None]


def analyze(
    source: str | Path | Document,
    *,
    ruleset: str | Path | Ruleset = DEFAULT_RULESET,
    jurisdiction: str | None = None,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
    model: LearnedJudge | Engine = "learned",
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

    Raises:
        DocumentError: the file cannot be read; the message says why.
        RulesetError: the ruleset has a mistake; the message says where.
    """
    rules = ruleset if isinstance(ruleset, Ruleset) else load_ruleset(ruleset)
    document = source if isinstance(source, Document) else read(source, progress=progress)
    sections = split(document)
    findings, flags = judge(document, sections, rules, embedder=embedder, model=model)
    return Scorecard(
        document=document,
        sections=sections,
        ruleset_id=rules.id,
        ruleset_version=rules.version,
        jurisdiction=jurisdiction,
        results=score(findings, rules, jurisdiction),
        flags=flags,
        judge_version=judge_version(rules, model),
    )


def analyze_many(
    paths: Iterable[str | Path],
    *,
    ruleset: str | Path = DEFAULT_RULESET,
    jurisdiction: str | None = None,
    workers: int | None = None,
) -> Iterator[tuple[Path, Scorecard | FreedomCitiesError]]:
    """Analyse several documents in parallel, one process per core.

    Yields each path with its scorecard, or with the error that stopped it,
    in the order given, so one bad file never loses the others' results.
    """
    files = [Path(p) for p in paths]
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(files) < 2:
        yield from ((p, _analyze_or_error(p, ruleset, jurisdiction)) for p in files)
        return
    with ProcessPoolExecutor(max_workers=min(workers, len(files))) as pool:
        futures = [pool.submit(_analyze_or_error, p, ruleset, jurisdiction) for p in files]
        for path, future in zip(files, futures, strict=True):
            yield path, future.result()


def _analyze_or_error(
    path: Path, ruleset: str | Path, jurisdiction: str | None
) -> Scorecard | FreedomCitiesError:
    """Analyse one file in a worker, returning an expected error instead of raising it."""
    try:
        embedder = default_embedder(threads=1)
        return analyze(path, ruleset=ruleset, jurisdiction=jurisdiction, embedder=embedder)
    except FreedomCitiesError as exc:
        return exc
