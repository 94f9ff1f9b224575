"""Teach the learned judge from labelled policies, and measure it on policies it never saw.

Every labelled corpus document becomes passages (the same candidates the
judge reads at run time), each labelled per rule from the expert's passage
evidence: the stance of an evidence passage it overlaps, else ``none``.
Example sentences (the ruleset's ``.tsv``, a campaign's exported reviews)
add labelled passages for one rule each.

:func:`train` fits the weights, and settles its own calibration and
thresholds on documents it holds out from itself, so nothing is fitted on
what it is scored on. :func:`cross_validate` trains once per fold with whole
places held out (every version of one law, every policy of one city in the
same fold) and scores each fold with the same comparison as ``eval``.
"""

from __future__ import annotations

import csv
import json
import re
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

from freedomcities.embed import MINILM_DIM as EMBEDDING_DIM
from freedomcities.embed import Embedder, cached_vectors, default_embedder
from freedomcities.errors import CorpusError
from freedomcities.evaluate import (
    DocumentOutcome,
    Evaluation,
    LabelledDocument,
    compare,
    load_corpus,
    read_labelled_text,
)
from freedomcities.judge import combine_findings, cue_findings, cue_stance, learned_findings
from freedomcities.learned import (
    HASH_BUCKETS,
    LABELS,
    RULE_FEATURES,
    Judgement,
    LearnedJudge,
    Pool,
    Settings,
    Weights,
    cue_features,
    gate_keywords,
    hashed_words,
    heading_of,
    model_text,
    neighbour_features,
    rule_logits,
)
from freedomcities.models import Document, Finding
from freedomcities.numeric import Adam, Matrix, softmax
from freedomcities.passages import Passage, Sentences, candidate_passages
from freedomcities.read import read
from freedomcities.rules import DEFAULT_RULESET, EXAMPLE_LABELS, RULES_DIR, Ruleset
from freedomcities.score import score
from freedomcities.sentences import normalize_space
from freedomcities.split import split

Progress = Callable[[str], None]
STEPS = 400
RATE = 0.05
L2_SHARED = 1e-5
L2_OWN = 1e-4
STANCE_WEIGHT = 5.0
# A corpus without passage labels names only the decisive quote: other passages may bear on it.
UNLISTED_WEIGHT = 0.5
EXAMPLE_WEIGHT = 1.0
# A reviewer's call on one of the campaign's own policies counts more than a written example.
REVIEW_WEIGHT = 3.0
INNER_FOLDS = 3
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
PRIORITY = {"conflicts": 3, "meets": 2, "partial": 1, "neutral": 0, "none": 0}


@dataclass
class TrainingDocument:
    """One source of labelled passages: a corpus document, or a file of example passages.

    ``labels[r][i]`` is the label index (into LABELS) of passage ``i`` for rule
    ``r``, or -1 where unknown; ``weights[r][i]`` is how much that label counts.
    """

    slug: str
    group: str
    passages: list[Passage]
    labels: npt.NDArray[np.int64]  # (rules, passages)
    weights: npt.NDArray[np.float32]  # (rules, passages)
    entry: LabelledDocument | None = None
    document: Document | None = None
    features: Matrix | None = None
    cues: Matrix | None = None  # (rules, passages, CUE_FEATURES)
    cue_findings: tuple[Finding, ...] = ()  # what the hand-written cues alone find


@dataclass(frozen=True)
class FoldResult:
    """One cross-validation fold: which documents it held out, and how the judge did on them."""

    number: int
    slugs: tuple[str, ...]
    evaluation: Evaluation


@dataclass(frozen=True)
class CrossValidation:
    """Every fold's figures, and the figures over all held-out documents together."""

    folds: tuple[FoldResult, ...]
    seconds: float = 0.0
    about: dict[str, object] = field(default_factory=dict)

    @property
    def total(self) -> Evaluation:
        """All held-out documents scored together (each document once, by the fold that held it)."""
        return Evaluation(tuple(d for f in self.folds for d in f.evaluation.documents))


def corpus_documents(
    folders: Iterable[Path], ruleset: Ruleset, progress: Progress | None = None
) -> list[TrainingDocument]:
    """Every labelled document of the corpus folders, as passages with per-rule labels."""
    out = []
    for folder in folders:
        for entry in load_corpus(folder):
            if progress:
                progress(entry.slug)
            out.append(_corpus_document(entry, ruleset))
    return out


def training_set(
    ruleset: Ruleset,
    corpora: Sequence[Path] = (),
    passages: Sequence[Path] = (),
    progress: Progress | None = None,
) -> list[TrainingDocument]:
    """Everything a judge learns from: corpus documents, the shipped example passages, and
    passage files of one's own (exported reviews count REVIEW_WEIGHT times an example).

    Raises:
        CorpusError: a corpus or passage file does not follow its format.
    """
    documents = corpus_documents(corpora, ruleset, progress)
    documents += [example_documents(p, ruleset, "examples") for p in shipped_passages(ruleset)]
    documents += [example_documents(p, ruleset, "reviews", REVIEW_WEIGHT) for p in passages]
    return documents


def shipped_passages(ruleset: Ruleset) -> list[Path]:
    """The example passage files shipped with a ruleset: its ``.tsv``, and ``passages/*.tsv``."""
    own = RULES_DIR / f"{ruleset.id}.tsv"
    extra = sorted((RULES_DIR / "passages").glob("*.tsv")) if ruleset.id == DEFAULT_RULESET else []
    return [p for p in [own, *extra] if p.is_file()]


def example_documents(
    path: Path, ruleset: Ruleset, group: str, weight: float = EXAMPLE_WEIGHT
) -> TrainingDocument:
    """Example passages from a ``rule<TAB>label<TAB>passage`` file (``#`` starts a comment).

    The ruleset's own ``.tsv`` and the reviews exported from the web app
    share this format. A label counts only for its own rule.

    Raises:
        CorpusError: a row is not three tab-separated fields with a known label.
    """
    rows = _read_example_rows(path, ruleset)
    rule_ids = [r.id for r in ruleset.rules]
    passages = [Passage(text, 0, len(text), None) for _, _, text in rows]
    labels = np.full((len(rule_ids), len(rows)), -1, dtype=np.int64)
    weights = np.zeros((len(rule_ids), len(rows)), dtype=np.float32)
    for i, (rule_id, label, _) in enumerate(rows):
        r = rule_ids.index(rule_id)
        labels[r, i] = LABELS.index(label)
        weights[r, i] = weight * (STANCE_WEIGHT if label != "none" else 1.0)
    return TrainingDocument(path.name, group, passages, labels, weights)


def prepare(
    documents: Sequence[TrainingDocument], ruleset: Ruleset, embedder: Embedder | None = None
) -> None:
    """Compute every document's features once (the embeddings are cached between runs)."""
    engine = embedder or default_embedder()
    todo = [d for d in documents if d.features is None]
    texts = [model_text(p) for d in todo for p in d.passages]
    meaning = cached_vectors(engine, texts) if texts else np.zeros((0, engine.dim), np.float32)
    rule_ids = [r.id for r in ruleset.rules]
    offset = 0
    for doc in todo:
        n = len(doc.passages)
        wording = [hashed_words(model_text(p), heading_of(p)) for p in doc.passages]
        words = np.stack(wording) if wording else np.zeros((0, HASH_BUCKETS), np.float32)
        doc.features = np.concatenate([meaning[offset : offset + n], words], axis=1)
        doc.cues = cue_features(doc.passages, ruleset, rule_ids, cue_stance)
        offset += n


def train(
    documents: Sequence[TrainingDocument],
    ruleset: Ruleset,
    embedder: Embedder | None = None,
    *,
    about: dict[str, object] | None = None,
) -> LearnedJudge:
    """Fit a judge on these documents, calibrated and thresholded on parts of them held out.

    The documents are split by place into INNER_FOLDS parts; a model fitted
    on the others judges each part, and those judgements settle the
    temperature and the thresholds. Then the weights are fitted on all.
    """
    engine = embedder or default_embedder()
    prepare(documents, ruleset, engine)
    rule_ids = tuple(r.id for r in ruleset.rules)
    held_out: list[tuple[TrainingDocument, Matrix]] = []
    for part in _folds([d for d in documents if d.entry is not None], INNER_FOLDS):
        others = [d for d in documents if d not in part]
        model = fit(others, rule_ids)
        held_out += [(d, _logits(model, d)) for d in part]
    temperature = _fit_temperature(held_out)
    settings = _fit_thresholds(held_out, ruleset, temperature)
    weights, pool = fit(documents, rule_ids)
    return LearnedJudge(weights, pool, settings, engine.name, dict(about or {}))


def cross_validate(
    documents: Sequence[TrainingDocument],
    ruleset: Ruleset,
    embedder: Embedder | None = None,
    *,
    folds: int = 5,
    progress: Progress | None = None,
) -> CrossValidation:
    """Train once per fold on the other folds, and score the fold's documents.

    Only corpus documents are held out; example passages always train.
    """
    started = time.monotonic()
    engine = embedder or default_embedder()
    prepare(documents, ruleset, engine)
    results = []
    labelled = [d for d in documents if d.entry is not None]
    for number, part in enumerate(_folds(labelled, folds), start=1):
        if progress:
            progress(f"fold {number} of {folds}: {len(part)} documents held out")
        judge = train([d for d in documents if d not in part], ruleset, engine)
        outcomes = tuple(_score_document(judge, d, ruleset) for d in part)
        results.append(FoldResult(number, tuple(d.slug for d in part), Evaluation(outcomes)))
    return CrossValidation(tuple(results), time.monotonic() - started)


def fit(
    documents: Sequence[TrainingDocument],
    rule_ids: Sequence[str],
    *,
    steps: int = STEPS,
) -> tuple[Weights, Pool]:
    """Fit shared and per-rule weights by Adam on the weighted cross-entropy, from zero.

    Deterministic: the same documents give the same weights.
    """
    pool = build_pool(documents)
    features = np.concatenate([_need(d.features) for d in documents])
    extra = np.concatenate([_rule_features(d, pool, leave_out=True) for d in documents], axis=1)
    labels = np.concatenate([d.labels for d in documents], axis=1)
    weights = np.concatenate([d.weights for d in documents], axis=1)
    weights = np.where(labels < 0, 0.0, weights).astype(np.float32)
    weights /= max(float(weights.sum()), 1e-9)
    onehot = np.zeros((*labels.shape, len(LABELS)), dtype=np.float32)
    np.put_along_axis(onehot, np.maximum(labels, 0)[..., None], 1.0, axis=-1)
    rules, dim, k = len(rule_ids), features.shape[1], len(LABELS)
    params = [
        np.zeros((dim, k), np.float32),
        np.zeros((rules, dim, k), np.float32),
        np.zeros((rules, RULE_FEATURES, k), np.float32),
        np.zeros((rules, k), np.float32),
    ]
    adam = Adam(params, RATE)
    for _ in range(steps):
        model = Weights(tuple(rule_ids), *params)
        logits = rule_logits(model, features, extra)
        error = (softmax(logits) - onehot) * weights[..., None]  # (rules, n, k)
        flat = error.transpose(1, 0, 2).reshape(len(features), rules * k)
        grad_own = (features.T @ flat).reshape(dim, rules, k).transpose(1, 0, 2)
        grads = [
            grad_own.sum(axis=0) + L2_SHARED * params[0],
            grad_own + L2_OWN * params[1],
            np.einsum("rnc,rnk->rck", extra, error) + L2_OWN * params[2],
            error.sum(axis=1),
        ]
        adam.step(grads)
    return Weights(tuple(rule_ids), *params), pool


def build_pool(documents: Sequence[TrainingDocument]) -> Pool:
    """The labelled passages of the documents, by meaning, for the neighbour features."""
    vectors = np.concatenate([_need(d.features)[:, :EMBEDDING_DIM] for d in documents])
    labels = np.concatenate([d.labels for d in documents], axis=1).astype(np.int8)
    groups = np.concatenate([_group_ids(d) for d in documents])
    return Pool(vectors, labels, groups)


def write_examples(rows: Iterable[tuple[str, str, str, str]], path: Path) -> int:
    """Write (rule, label, passage, note) rows in the example format; returns how many.

    The note goes on a ``#`` line above its row, so a person reading the file
    sees where each passage came from and why it carries its label.
    """
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        for rule_id, label, text, note in rows:
            if note:
                handle.write("# " + " ".join(note.split()) + "\n")
            writer.writerow([rule_id, label, " ".join(text.split())])
            count += 1
    return count


def describe(documents: Sequence[TrainingDocument]) -> dict[str, object]:
    """What a judge was trained on, for its record: documents, passages and labels."""
    labels = np.concatenate([d.labels for d in documents], axis=1)
    counts = {name: int((labels == i).sum()) for i, name in enumerate(LABELS)}
    return {
        "documents": sum(1 for d in documents if d.entry is not None),
        "example_files": sorted(d.slug for d in documents if d.entry is None),
        "passages": int(sum(len(d.passages) for d in documents)),
        "labels": counts,
    }


def peak_memory_mb() -> float:
    """The most memory this process has held so far, in megabytes."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _corpus_document(entry: LabelledDocument, ruleset: Ruleset) -> TrainingDocument:
    """A corpus entry's candidate passages, labelled per rule from its evidence."""
    document = read_labelled_text(entry.path) if entry.path.suffix == ".txt" else read(entry.path)
    sections = split(document)
    passages = candidate_passages(Sentences(document, sections), sections, gate_keywords(ruleset))
    rule_ids = [r.id for r in ruleset.rules]
    labels = np.zeros((len(rule_ids), len(passages)), dtype=np.int64)
    weights = np.ones((len(rule_ids), len(passages)), dtype=np.float32)
    evidence = _evidence(entry)
    for r, rule_id in enumerate(rule_ids):
        listed = evidence.get(rule_id)
        if listed is None:  # no label for this rule: it teaches nothing
            weights[r] = 0.0
            continue
        exhaustive, items = listed
        if not exhaustive:
            weights[r] = UNLISTED_WEIGHT
        for i, passage in enumerate(passages):
            stance = _stance_at(document.text, passage, items)
            if stance in ("meets", "partial", "conflicts"):
                labels[r, i] = LABELS.index(stance)
                weights[r, i] = STANCE_WEIGHT
    return TrainingDocument(
        entry.slug,
        _group(entry),
        passages,
        labels,
        weights,
        entry=entry,
        document=document,
        cue_findings=cue_findings(document, sections, ruleset),
    )


def _evidence(entry: LabelledDocument) -> dict[str, tuple[bool, list[tuple[str, str]]]]:
    """Per rule: whether every bearing passage is listed, and the (quote, stance) pairs."""
    raw = json.loads(entry.path.with_suffix(".json").read_text(encoding="utf-8"))["rules"]
    out: dict[str, tuple[bool, list[tuple[str, str]]]] = {}
    for rule_id, label in raw.items():
        listed = label.get("evidence")
        if isinstance(listed, list):
            out[rule_id] = (True, [(e["quote"], e["stance"]) for e in listed])
        elif label.get("quote"):
            out[rule_id] = (False, [(label["quote"], label["status"])])
        else:
            out[rule_id] = (label.get("status") == "silent", [])
    return out


def _stance_at(text: str, passage: Passage, items: Sequence[tuple[str, str]]) -> str:
    """The strongest stance of the evidence quotes that overlap a passage."""
    best = "none"
    for quote, stance in items:
        for start, end in _spans(text, quote):
            if start < passage.end and passage.start < end and PRIORITY[stance] > PRIORITY[best]:
                best = stance
    return best


_SPAN_CACHE: dict[tuple[int, str], list[tuple[int, int]]] = {}


def _spans(text: str, quote: str) -> list[tuple[int, int]]:
    """Where a quote stands in a text, whitespace read loosely (PDF lines break anywhere)."""
    key = (zlib.crc32(text.encode()), quote)
    if key not in _SPAN_CACHE:
        words = normalize_space(quote).split(" ")
        pattern = r"\s+".join(re.escape(w) for w in words if w)
        _SPAN_CACHE[key] = [(m.start(), m.end()) for m in re.finditer(pattern, text)]
    return _SPAN_CACHE[key]


def _group(entry: LabelledDocument) -> str:
    """Documents of one place go to one fold: versions of a law never train on each other."""
    return (entry.jurisdiction or entry.slug).lower()


def _folds(documents: Sequence[TrainingDocument], count: int) -> list[list[TrainingDocument]]:
    """Split documents into ``count`` folds by group, largest groups first, evenly by size."""
    groups: dict[str, list[TrainingDocument]] = {}
    for doc in documents:
        groups.setdefault(doc.group, []).append(doc)
    folds: list[list[TrainingDocument]] = [[] for _ in range(min(count, len(groups)))]
    order = sorted(groups, key=lambda g: (-len(groups[g]), zlib.crc32(g.encode())))
    for group in order:
        smallest = min(range(len(folds)), key=lambda i: (len(folds[i]), i))
        folds[smallest].extend(groups[group])
    return [f for f in folds if f]


def _logits(model: tuple[Weights, Pool], doc: TrainingDocument) -> Matrix:
    """A held-out document's label scores under a fitted model: (rules, passages, labels)."""
    weights, pool = model
    return rule_logits(weights, _need(doc.features), _rule_features(doc, pool, leave_out=False))


def _rule_features(doc: TrainingDocument, pool: Pool, *, leave_out: bool) -> Matrix:
    """Cue and neighbour features of a document's passages: (rules, passages, RULE_FEATURES).

    In training a passage's own place is left out of the pool, as a new
    policy's place would be.
    """
    vectors = _need(doc.features)[:, :EMBEDDING_DIM]
    groups = _group_ids(doc) if leave_out else None
    return np.concatenate([_need(doc.cues), neighbour_features(vectors, pool, groups)], axis=-1)


def _group_ids(doc: TrainingDocument) -> npt.NDArray[np.int64]:
    """A place id per passage; each example passage is a place of its own."""
    n = len(doc.passages)
    if doc.entry is None:
        base = -(zlib.crc32(doc.slug.encode()) % 1_000_000) * 100_000
        return np.arange(n, dtype=np.int64) * -1 + base - 1
    return np.full(n, zlib.crc32(doc.group.encode()), dtype=np.int64)


def _fit_temperature(held_out: Sequence[tuple[TrainingDocument, Matrix]]) -> float:
    """The temperature that makes held-out probabilities honest (least log loss)."""
    labelled = [(d, z) for d, z in held_out if d.labels.size]
    best, best_loss = 1.0, float("inf")
    for temperature in (0.5, 0.7, 0.85, 1.0, 1.2, 1.5, 2.0, 2.5, 3.0):
        loss = 0.0
        for doc, logits in labelled:
            p = softmax(logits / temperature)
            picked = np.take_along_axis(p, np.maximum(doc.labels, 0)[..., None], -1)[..., 0]
            mask = doc.labels >= 0
            loss -= float((np.log(picked + 1e-9) * mask * doc.weights).sum())
        if loss < best_loss:
            best, best_loss = temperature, loss
    return best


def _fit_thresholds(
    held_out: Sequence[tuple[TrainingDocument, Matrix]], ruleset: Ruleset, temperature: float
) -> Settings:
    """Thresholds that make held-out documents' statuses agree best with the experts'."""
    settings = Settings(temperature=temperature)
    judged = [(d, softmax(z / temperature)) for d, z in held_out]
    best = _merit(judged, ruleset, settings)
    for _ in range(2):
        for stance in ("conflicts", "meets", "partial"):
            for value in THRESHOLDS:
                trial = replace(settings, find={**settings.find, stance: value})
                merit = _merit(judged, ruleset, trial)
                if merit > best:
                    settings, best = trial, merit
    return replace(settings, review=round(min(settings.find.values()) * 0.6, 2))


def _merit(
    judged: Sequence[tuple[TrainingDocument, Matrix]], ruleset: Ruleset, settings: Settings
) -> float:
    """How well statuses agree with the experts', overall and on the rules they found addressed.

    A finding where the expert found nothing costs as much as a finding
    missed; a conflict read as meeting the rule costs most of all.
    """
    outcomes = Evaluation(tuple(_outcome(d, p, ruleset, settings) for d, p in judged))
    figures = [outcomes.accuracy, outcomes.status_match]
    worst = len(outcomes.conflicts_read_as_meets) / max(len(outcomes.documents), 1)
    return sum(f for f in figures if f is not None) - worst


def _score_document(
    judge: LearnedJudge, doc: TrainingDocument, ruleset: Ruleset
) -> DocumentOutcome:
    """A held-out document judged and compared with the expert's labels."""
    probabilities = softmax(_logits((judge.weights, judge.pool), doc) / judge.settings.temperature)
    return _outcome(doc, probabilities, ruleset, judge.settings)


def _outcome(
    doc: TrainingDocument, probabilities: Matrix, ruleset: Ruleset, settings: Settings
) -> DocumentOutcome:
    """The document's scorecard from passage probabilities, compared with its labels."""
    entry, document = doc.entry, doc.document
    if entry is None or document is None:
        raise CorpusError(f"{doc.slug} has no expert labels to compare with.")
    topical = _need(doc.cues)[..., 0] > 0
    judgement = Judgement(tuple(r.id for r in ruleset.rules), probabilities, topical)
    learned = learned_findings(document, ruleset, doc.passages, judgement, settings)
    findings = combine_findings(doc.cue_findings, learned)
    return compare(entry, score(document, findings, ruleset, jurisdiction=entry.jurisdiction))


def _read_example_rows(path: Path, ruleset: Ruleset) -> list[tuple[str, str, str]]:
    """Rows of an example file, checked against the ruleset's rule ids."""
    ids = {r.id for r in ruleset.rules}
    rows = []
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            for number, row in enumerate(csv.reader(handle, delimiter="\t"), start=1):
                if not row or row[0].startswith("#"):
                    continue
                if len(row) != 3 or row[1] not in EXAMPLE_LABELS or row[0] not in ids:
                    raise CorpusError(
                        f"{path.name}, line {number}: expected a rule id "
                        f"({', '.join(sorted(ids))}), "
                        f"a label ({'/'.join(EXAMPLE_LABELS)}) and a passage, separated by tabs."
                    )
                rows.append((row[0], row[1], row[2].strip()))
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(f"Cannot read {path.name}: {exc}.") from None
    return rows


def _need(array: Matrix | None) -> Matrix:
    """An array that :func:`prepare` must have filled in."""
    if array is None:
        raise ValueError("call prepare() on the documents first")
    return array
