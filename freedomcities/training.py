"""Teach the learned judge from labelled policies, and measure it on policies it never saw.

Every labelled corpus document becomes passages (the same candidates the
judge reads at run time), each labelled per rule from the expert's passage
evidence: the stance of an evidence passage it overlaps, else ``none``.
Example sentences (the ruleset's ``.tsv``, a campaign's exported reviews)
add labelled passages for one rule each.

:func:`train` fine-tunes the reader (:mod:`freedomcities.tuning`) and
packs it with the recipe's thresholds into a judge. :func:`cross_validate`
trains once per fold with whole places held out (every version of one law,
every policy of one city in the same fold) and scores each fold with the
same comparison as ``eval``, reading with the exported int8 model as a
user's machine will.
"""

from __future__ import annotations

import csv
import json
import math
import re
import tempfile
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from freedomcities.embed import minilm_tokenizer
from freedomcities.errors import CorpusError
from freedomcities.evaluate import (
    DocumentOutcome,
    Evaluation,
    LabelledDocument,
    compare,
    load_corpus,
    read_labelled_text,
)
from freedomcities.judge import (
    combine_findings,
    cue_findings,
    cue_stance,
    learned_findings,
    wanted_readings,
)
from freedomcities.learned import (
    LABELS,
    Judgement,
    LearnedJudge,
    Settings,
    cue_features,
    gate_keywords,
    model_text,
)
from freedomcities.models import Document, Finding
from freedomcities.numeric import Matrix
from freedomcities.passages import Passage, Sentences, candidate_passages
from freedomcities.read import read
from freedomcities.rules import DEFAULT_RULESET, EXAMPLE_LABELS, RULES_DIR, Ruleset
from freedomcities.score import score
from freedomcities.sentences import normalize_space
from freedomcities.split import split
from freedomcities.tuning import Examples, Recipe, export, fine_tune

Progress = Callable[[str], None]
STANCE_WEIGHT = 5.0
# A corpus without passage labels names only the decisive quote: other passages may bear on it.
UNLISTED_WEIGHT = 0.5
EXAMPLE_WEIGHT = 1.0
# A reviewer's call on one of the campaign's own policies counts more than a written example.
REVIEW_WEIGHT = 3.0


def _undo_weight(threshold: float) -> float:
    """A threshold on the probability a passage bears on a rule, from the model's own
    (stance odds inflated STANCE_WEIGHT times in training) to the calibrated one."""
    return threshold / (threshold + STANCE_WEIGHT * (1.0 - threshold))


# Thresholds of 0.3 to find and 0.15 to ask for review on the model's own probabilities,
# written here as the same decisions on the calibrated probabilities (0.079 and 0.034).
# Chosen by nested cross-validation by place: for each fold, of 0.3, 0.4 and 0.5 (and
# with or without a floor of 0.5 on every finding), the one that scored best on the other
# four folds, counting status agreement twice; every fold chose 0.3 without the floor.
# So low a bar finds what experts find; the scorecard marks such a rule for review.
# A passage read for some rule is also read for the rule it most likely bears on, without
# that rule's topic words, from a calibrated 0.3: nested cross-validation over off, 0.9,
# 0.7, 0.5, 0.4, 0.3 and 0.2 chose 0.3 in four folds of five (0.2 under another seed).
READER_SETTINGS = Settings(
    temperature=1.0,
    find={stance: _undo_weight(0.3) for stance in ("meets", "partial", "conflicts")},
    review=_undo_weight(0.15),
    offset=math.log(STANCE_WEIGHT),
    best_rule=0.3,
)
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


def prepare(documents: Sequence[TrainingDocument], ruleset: Ruleset) -> None:
    """Read every document's passages with the hand-written cues, once."""
    rule_ids = [r.id for r in ruleset.rules]
    for doc in documents:
        if doc.cues is None:
            doc.cues = cue_features(doc.passages, ruleset, rule_ids, cue_stance)


def train(
    documents: Sequence[TrainingDocument],
    ruleset: Ruleset,
    recipe: Recipe | None = None,
    *,
    about: dict[str, object] | None = None,
    progress: Progress | None = None,
) -> LearnedJudge:
    """Fine-tune a reader on these documents and pack it, int8, into a judge.

    Raises:
        TrainingUnavailable: the ``train`` extra (torch and the float weights) is missing.
    """
    prepare(documents, ruleset)
    net = fine_tune(_examples(documents), _tokenize, recipe or Recipe(), progress)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "reader.onnx")
        export(net, path)
        model = path.read_bytes()
    rule_ids = tuple(r.id for r in ruleset.rules)
    return LearnedJudge(model, rule_ids, READER_SETTINGS, dict(about or {}))


def cross_validate(
    documents: Sequence[TrainingDocument],
    ruleset: Ruleset,
    recipe: Recipe | None = None,
    *,
    folds: int = 5,
    progress: Progress | None = None,
) -> CrossValidation:
    """Train once per fold on the other folds, and score the fold's documents.

    Only corpus documents are held out; example passages always train.
    """
    started = time.monotonic()
    prepare(documents, ruleset)
    results = []
    labelled = [d for d in documents if d.entry is not None]
    for number, part in enumerate(_folds(labelled, folds), start=1):
        if progress:
            progress(f"fold {number} of {folds}: {len(part)} documents held out")
        judge = train([d for d in documents if d not in part], ruleset, recipe, progress=progress)
        outcomes = tuple(_score_document(judge, d, ruleset) for d in part)
        results.append(FoldResult(number, tuple(d.slug for d in part), Evaluation(outcomes)))
    return CrossValidation(tuple(results), time.monotonic() - started)


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


def _score_document(
    judge: LearnedJudge, doc: TrainingDocument, ruleset: Ruleset
) -> DocumentOutcome:
    """A held-out document judged and compared with the expert's labels.

    As at run time, only passages on some rule's topic are read; the rest say ``none``.
    """
    wanted = wanted_readings(doc.passages, judge.rule_ids, doc.cue_findings)
    cues = np.where(wanted[..., None], _need(doc.cues), 0.0).astype(np.float32)
    probabilities = judge.read_topical(doc.passages, cues)
    return _outcome(doc, probabilities, ruleset, judge.settings, cues)


def _outcome(
    doc: TrainingDocument,
    probabilities: Matrix,
    ruleset: Ruleset,
    settings: Settings,
    cues: Matrix,
) -> DocumentOutcome:
    """The document's scorecard from passage probabilities and the cue readings the judge
    was given, compared with its labels."""
    entry, document = doc.entry, doc.document
    if entry is None or document is None:
        raise CorpusError(f"{doc.slug} has no expert labels to compare with.")
    topical = cues[..., 0] > 0
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


def _examples(documents: Sequence[TrainingDocument]) -> Examples:
    """Every passage of the documents with its labels, weights and cue readings, rule by rule."""
    return Examples(
        texts=[model_text(p) for d in documents for p in d.passages],
        labels=np.concatenate([d.labels.T for d in documents]),
        weights=np.concatenate([d.weights.T for d in documents]),
        cues=np.concatenate([_need(d.cues).transpose(1, 0, 2) for d in documents]),
    )


def _tokenize(texts: Sequence[str]) -> list[list[int]]:
    """Token ids of texts, by the tokenizer the shipped reader runs with."""
    return [e.ids for e in minilm_tokenizer().encode_batch(list(texts))]


def _need(array: Matrix | None) -> Matrix:
    """An array that :func:`prepare` must have filled in."""
    if array is None:
        raise ValueError("call prepare() on the documents first")
    return array
