"""Score the engine against a labelled corpus, so a developer sees what to fix.

A corpus is a folder of ``<slug>.json`` label files, each beside the text it
labels: ``<slug>.txt`` (a ``SOURCE:``/``JURISDICTION:``/``NOTE:`` header, a
``---`` line, then the policy text) or ``<slug>.pdf``. The format is in
``/work/shared/corpus/README.md``. :func:`evaluate` analyses every document
(in parallel, one process per core) and compares the engine's status and
evidence with the expert's, rule by rule.

Quotes are compared with whitespace normalised (PDF text breaks lines
anywhere): an engine quote backs the expert's when their spans in the
normalised document text intersect, or one quote contains the other.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from freedomcities.analyze import analyze, worker_pool
from freedomcities.errors import CorpusError, FreedomCitiesError
from freedomcities.isolate import main_left_alone
from freedomcities.judge import Engine
from freedomcities.learned import LearnedJudge
from freedomcities.models import STATUSES, Document, Scorecard, Status
from freedomcities.rules import DEFAULT_RULESET
from freedomcities.sentences import normalize_space

HEADER_END = "---"

Progress = Callable[[int, int], None]


class Quoted(Protocol):
    """Anything the engine quotes with offsets: a Finding or a Flag."""

    @property
    def quote(self) -> str: ...

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


@dataclass(frozen=True)
class ExpertLabel:
    """The expert's call on one rule in one document."""

    rule_id: str
    status: Status
    quote: str


@dataclass(frozen=True)
class LabelledDocument:
    """One corpus entry: where its text is, and the expert's labels."""

    slug: str
    path: Path
    jurisdiction: str | None
    labels: tuple[ExpertLabel, ...]
    flags: tuple[tuple[str, str], ...] = ()  # (kind, quote)


@dataclass(frozen=True)
class RuleOutcome:
    """Expert and engine side by side for one rule of one document."""

    slug: str
    rule_id: str
    expert: Status
    engine: Status
    evidence_found: bool  # engine non-silent with a quote overlapping the expert's


@dataclass(frozen=True)
class DocumentOutcome:
    """Every rule outcome for one document, or the error that stopped its analysis."""

    slug: str
    rules: tuple[RuleOutcome, ...]
    flags_expected: int = 0
    flags_found: int = 0
    error: str | None = None


@dataclass(frozen=True)
class Evaluation:
    """The engine's record on a corpus, with the figures a developer reads first."""

    documents: tuple[DocumentOutcome, ...]

    @property
    def outcomes(self) -> list[RuleOutcome]:
        """Every rule outcome of every document that was analysed."""
        return [o for d in self.documents for o in d.rules]

    @property
    def accuracy(self) -> float | None:
        """Share of all (document, rule) pairs where the engine's status is the expert's."""
        return _share(self.outcomes, lambda o: o.expert == o.engine)

    @property
    def rule_accuracy(self) -> dict[str, float | None]:
        """Accuracy per rule id, in the order rules first appear."""
        ids = list(dict.fromkeys(o.rule_id for o in self.outcomes))
        return {
            rule_id: _share(
                [o for o in self.outcomes if o.rule_id == rule_id], lambda o: o.expert == o.engine
            )
            for rule_id in ids
        }

    @property
    def confusion(self) -> dict[tuple[Status, Status], int]:
        """Count of (expert status, engine status) pairs, every pair present (zero or more)."""
        counts = Counter((o.expert, o.engine) for o in self.outcomes)
        return {(e, g): counts[(e, g)] for e in STATUSES for g in STATUSES}

    @property
    def conflict_recall(self) -> float | None:
        """Share of the expert's ``conflicts`` the engine also calls ``conflicts``."""
        expert = [o for o in self.outcomes if o.expert == "conflicts"]
        return _share(expert, lambda o: o.engine == "conflicts")

    @property
    def status_match(self) -> float | None:
        """Share of the expert's non-silent statuses the engine matches exactly."""
        return _share(self._addressed, lambda o: o.engine == o.expert)

    @property
    def evidence_match(self) -> float | None:
        """Share of the expert's non-silent findings the engine backs with an overlapping quote."""
        return _share(self._addressed, lambda o: o.evidence_found)

    @property
    def flag_recall(self) -> float | None:
        """Share of the expert's flags the engine raises (same kind, overlapping quote)."""
        expected = sum(d.flags_expected for d in self.documents)
        found = sum(d.flags_found for d in self.documents)
        return found / expected if expected else None

    @property
    def conflicts_read_as_meets(self) -> list[RuleOutcome]:
        """The worst mistake: a rule the text works against, told to a campaign as protected."""
        return [o for o in self.outcomes if o.expert == "conflicts" and o.engine == "meets"]

    @property
    def mismatches(self) -> list[RuleOutcome]:
        """Every outcome where the engine's status differs from the expert's."""
        return [o for o in self.outcomes if o.expert != o.engine]

    @property
    def errors(self) -> list[DocumentOutcome]:
        """Documents that could not be analysed."""
        return [d for d in self.documents if d.error is not None]

    @property
    def _addressed(self) -> list[RuleOutcome]:
        """Outcomes where the expert found the rule addressed (not silent)."""
        return [o for o in self.outcomes if o.expert != "silent"]


def load_corpus(
    directory: str | Path,
    *,
    only: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> tuple[LabelledDocument, ...]:
    """Read and check every label file in a corpus folder.

    Args:
        directory: the folder holding ``<slug>.json`` beside ``<slug>.txt`` or ``.pdf``.
        only: keep just these slugs.
        exclude: leave these slugs out.

    Raises:
        CorpusError: the folder is missing or holds no label files, a label
            file is broken, its text file is missing, or a slug is unknown;
            the message names the file.
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise CorpusError(f"Corpus folder {str(folder)!r} does not exist or is not a folder.")
    label_files = sorted(folder.glob("*.json"))
    if not label_files:
        raise CorpusError(
            f"No label files (<slug>.json) in {str(folder)!r}. A corpus holds one label file "
            "beside each <slug>.txt or <slug>.pdf; see the corpus README for the format."
        )
    corpus = tuple(_load_entry(path) for path in label_files)
    return _select(corpus, only, exclude)


def evaluate(
    corpus: str | Path | Iterable[LabelledDocument],
    *,
    ruleset: str | Path = DEFAULT_RULESET,
    workers: int | None = None,
    progress: Progress | None = None,
    model: LearnedJudge | Engine = "learned",
) -> Evaluation:
    """Analyse every corpus document and compare the engine with the expert labels.

    Args:
        corpus: a corpus folder, or entries already loaded with :func:`load_corpus`.
        ruleset: the ruleset to score with (shipped name or ``.toml`` path).
        workers: processes to use; one per core by default.
        progress: called with (documents done, documents in all).
        model: the judge to measure (see :func:`freedomcities.analyze.analyze`).

    Raises:
        CorpusError: the corpus does not follow its format.
    """
    entries = load_corpus(corpus) if isinstance(corpus, str | Path) else tuple(corpus)
    results = _analyze_all(entries, ruleset, workers, progress, model)
    return Evaluation(
        tuple(compare(entry, results[entry.slug]) for entry in entries),
    )


def read_labelled_text(path: Path) -> Document:
    """A corpus ``.txt`` as a Document: only the policy text after the ``---`` line."""
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(f"Cannot read {path.name}: {exc}.") from None
    lines = raw.splitlines(keepends=True)
    for number, line in enumerate(lines):
        if line.strip() == HEADER_END:
            return Document(source=str(path), text="".join(lines[number + 1 :]))
    raise CorpusError(
        f"{path.name} has no '---' line; a corpus text starts with a SOURCE:/JURISDICTION: "
        "header, then a line '---', then the policy text."
    )


def _load_entry(path: Path) -> LabelledDocument:
    """Read one label file and find the text it labels."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise CorpusError(
            f"{path.name} is not valid JSON ({exc.msg}, line {exc.lineno}); fix or remove it."
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(f"Cannot read {path.name}: {exc}.") from None
    if not isinstance(data, dict) or not isinstance(data.get("rules"), dict) or not data["rules"]:
        raise CorpusError(f"{path.name}: needs a 'rules' object mapping rule ids to labels.")
    jurisdiction = data.get("jurisdiction")
    if jurisdiction is not None and not isinstance(jurisdiction, str):
        raise CorpusError(f"{path.name}: 'jurisdiction' must be text, e.g. \"Mesa, AZ\".")
    text_path = _text_file(path)
    if text_path.suffix == ".txt":
        read_labelled_text(text_path)  # a text without its header line fails now, not mid-run
    return LabelledDocument(
        slug=path.stem,
        path=text_path,
        jurisdiction=jurisdiction or None,
        labels=tuple(_label(path.name, key, value) for key, value in data["rules"].items()),
        flags=_flags(path.name, data.get("flags", [])),
    )


def _label(where: str, rule_id: str, raw: Any) -> ExpertLabel:
    """Check one rule's label."""
    if not isinstance(raw, dict) or raw.get("status") not in STATUSES:
        raise CorpusError(
            f"{where}, rule {rule_id!r}: 'status' must be one of {', '.join(STATUSES)}."
        )
    quote = raw.get("quote", "")
    if not isinstance(quote, str):
        raise CorpusError(f"{where}, rule {rule_id!r}: 'quote' must be text.")
    return ExpertLabel(rule_id, raw["status"], quote)


def _flags(where: str, raw: Any) -> tuple[tuple[str, str], ...]:
    """Check the list of expected flags."""
    if not isinstance(raw, list) or not all(
        isinstance(f, dict) and isinstance(f.get("kind"), str) and isinstance(f.get("quote"), str)
        for f in raw
    ):
        raise CorpusError(f'{where}: \'flags\' must be a list of {{"kind", "quote"}} objects.')
    return tuple((f["kind"], f["quote"]) for f in raw)


def _text_file(label_path: Path) -> Path:
    """The ``.txt`` or ``.pdf`` beside a label file."""
    for suffix in (".txt", ".pdf"):
        candidate = label_path.with_suffix(suffix)
        if candidate.is_file():
            return candidate
    raise CorpusError(
        f"{label_path.name} has no text beside it: expected {label_path.stem}.txt "
        f"or {label_path.stem}.pdf in the same folder."
    )


def _select(
    corpus: tuple[LabelledDocument, ...], only: Sequence[str], exclude: Sequence[str]
) -> tuple[LabelledDocument, ...]:
    """Keep the entries named by ``only`` (all when empty), minus those in ``exclude``."""
    slugs = {entry.slug for entry in corpus}
    unknown = sorted((set(only) | set(exclude)) - slugs)
    if unknown:
        raise CorpusError(
            f"No document named {', '.join(unknown)} in the corpus; "
            f"its documents are: {', '.join(sorted(slugs))}."
        )
    chosen = tuple(e for e in corpus if (not only or e.slug in only) and e.slug not in set(exclude))
    if not chosen:
        raise CorpusError("--only and --exclude leave no documents to evaluate.")
    return chosen


def _analyze_all(
    entries: Sequence[LabelledDocument],
    ruleset: str | Path,
    workers: int | None,
    progress: Progress | None,
    model: LearnedJudge | Engine,
) -> dict[str, Scorecard | FreedomCitiesError]:
    """Analyse every entry, in parallel when there are several and cores to spare."""
    workers = min(workers or os.cpu_count() or 1, len(entries))
    done: dict[str, Scorecard | FreedomCitiesError] = {}
    if workers <= 1:
        for entry in entries:
            done[entry.slug] = _analyze_entry(entry, ruleset, model)
            if progress:
                progress(len(done), len(entries))
        return done
    # Long PDFs first, so one 600-page manual does not start last and run alone.
    ordered = sorted(entries, key=lambda e: e.path.suffix != ".pdf")
    with worker_pool(workers) as pool:
        with main_left_alone():
            futures: dict[Future[Scorecard | FreedomCitiesError], str] = {
                pool.submit(_analyze_entry, entry, ruleset, model): entry.slug for entry in ordered
            }
        for future in as_completed(futures):
            done[futures[future]] = future.result()
            if progress:
                progress(len(done), len(entries))
    return done


def _analyze_entry(
    entry: LabelledDocument, ruleset: str | Path, model: LearnedJudge | Engine = "learned"
) -> Scorecard | FreedomCitiesError:
    """Analyse one corpus document in a worker, returning an expected error instead of raising."""
    try:
        source = read_labelled_text(entry.path) if entry.path.suffix == ".txt" else entry.path
        return analyze(source, ruleset=ruleset, jurisdiction=entry.jurisdiction, model=model)
    except FreedomCitiesError as exc:
        return exc


def compare(entry: LabelledDocument, result: Scorecard | FreedomCitiesError) -> DocumentOutcome:
    """Expert and engine side by side for each rule; an error stands for the whole document."""
    if not isinstance(result, Scorecard):
        return DocumentOutcome(entry.slug, (), error=str(result))
    text = NormalisedText(result.document.text)
    engine = {r.rule_id: r for r in result.results}
    outcomes = tuple(
        RuleOutcome(
            slug=entry.slug,
            rule_id=label.rule_id,
            expert=label.status,
            engine=engine[label.rule_id].status,
            evidence_found=engine[label.rule_id].status != "silent"
            and any(text.overlaps(label.quote, f) for f in engine[label.rule_id].findings),
        )
        for label in entry.labels
        if label.rule_id in engine
    )
    found = sum(
        any(kind == f.kind and text.overlaps(quote, f) for f in result.flags)
        for kind, quote in entry.flags
    )
    return DocumentOutcome(entry.slug, outcomes, len(entry.flags), found)


class NormalisedText:
    """A document's text with whitespace runs collapsed, and a map from original offsets."""

    def __init__(self, text: str) -> None:
        parts: list[str] = []
        self.offsets: list[int] = []  # original offset -> normalised offset
        length = 0
        previous_space = False
        for char in text:
            self.offsets.append(length)
            space = char.isspace()
            if space and previous_space:
                continue
            parts.append(" " if space else char)
            length += 1
            previous_space = space
        self.offsets.append(length)
        self.text = "".join(parts)

    def overlaps(self, expert_quote: str, finding: Quoted) -> bool:
        """Whether an engine quote (a Finding or Flag) overlaps the expert's quote."""
        expert = normalize_space(expert_quote)
        engine = normalize_space(finding.quote)
        if not expert or not engine:
            return False
        if expert in engine or engine in expert:
            return True
        engine_span = self._span_of(finding.start, finding.end) or self._find(engine)
        expert_spans = self._find_all(expert)
        return engine_span is not None and any(
            s < engine_span[1] and engine_span[0] < e for s, e in expert_spans
        )

    def _span_of(self, start: int, end: int) -> tuple[int, int] | None:
        """The normalised span of original offsets, when they are valid."""
        if 0 <= start < end < len(self.offsets):
            return self.offsets[start], self.offsets[end]
        return None

    def _find(self, quote: str) -> tuple[int, int] | None:
        """The first normalised span of a normalised quote."""
        at = self.text.find(quote)
        return (at, at + len(quote)) if at >= 0 else None

    def _find_all(self, quote: str) -> list[tuple[int, int]]:
        """Every normalised span of a normalised quote."""
        return [(m.start(), m.end()) for m in re.finditer(re.escape(quote), self.text)]


def _share(items: Sequence[RuleOutcome], test: Callable[[RuleOutcome], bool]) -> float | None:
    """The share of items passing a test; None when there are no items."""
    return sum(map(test, items)) / len(items) if items else None
