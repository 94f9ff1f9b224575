"""The learned judge: a stance for every (passage, rule) pair, learned from labelled policies.

Hand-written cues read the wording their authors foresaw; real policies say
the same things in words nobody listed ("hold", "city resources",
"administrative warrant"). This judge learns from the experts' passage
labels instead (``freedomcities train``), and reads each passage through
three kinds of feature:

- what it means: the offline MiniLM sentence embedding of the passage with
  its list's lead-in;
- how it is worded: hashed words and word pairs, with the words after a
  negation ("shall not", "no ... may") marked, and the section heading's words;
- what the hand-written cues say of it for each rule: topic found, and the
  stance the cues read (frozen rules, one input among others, weighed by what
  they were worth on the labelled text).

A multinomial logistic model per rule (shared weights plus each rule's own,
so rare rules borrow what common ones teach about negation and force) gives
``none``/``meets``/``partial``/``conflicts`` probabilities, calibrated by a
temperature fitted on documents held out during training. :func:`decide`
turns a rule's passage probabilities into findings and says when the judge
is unsure enough that a person should look first.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from freedomcities.embed import Embedder, default_embedder
from freedomcities.errors import RulesetError
from freedomcities.models import Stance
from freedomcities.numeric import Matrix, softmax
from freedomcities.passages import Passage
from freedomcities.rules import RULES_DIR, Rule, Ruleset
from freedomcities.stance import any_match

LABELS = ("none", "meets", "partial", "conflicts")
STANCE_LABELS: tuple[Stance, ...] = ("meets", "partial", "conflicts")
HASH_BUCKETS = 4096
CUE_FEATURES = 4  # topic found; cues read meets, partial, conflicts
NEIGHBOUR_FEATURES = len(LABELS)  # likeness to the nearest trained passage of each label
RULE_FEATURES = CUE_FEATURES + NEIGHBOUR_FEATURES
LEAD_IN_CHARS = 240
NEGATION_REACH = 6
_WORD = re.compile(r"[a-z0-9]+")
_NEGATORS = frozenset(
    {"not", "no", "never", "nor", "neither", "cannot", "without", "unless", "except"}
    | {"prohibited", "prohibit", "prohibits", "barred", "forbidden", "refrain", "decline"}
)


@dataclass(frozen=True)
class Settings:
    """How a fitted judge turns probabilities into a scorecard.

    Attributes:
        temperature: divides the logits; fitted so a 0.8 means right 8 times in 10.
        find: the least probability of a stance that makes a finding, per stance.
        review: the least probability that, without a finding, still asks a person to look.
    """

    temperature: float = 1.0
    find: dict[str, float] = field(
        default_factory=lambda: {"meets": 0.5, "partial": 0.5, "conflicts": 0.5}
    )
    review: float = 0.25


@dataclass(frozen=True)
class Weights:
    """A fitted model's parameters; ``rule_ids`` gives the order of the per-rule arrays."""

    rule_ids: tuple[str, ...]
    shared: Matrix  # (features, labels)
    own: Matrix  # (rules, features, labels)
    cues: Matrix  # (rules, RULE_FEATURES, labels)
    bias: Matrix  # (rules, labels)


@dataclass(frozen=True)
class Pool:
    """The labelled passages a judge learned from, by meaning.

    How like a passage is to the nearest trained passage of each label, for
    each rule, is a feature: laws copy each other's wording, and a new
    state's detainer mandate reads much like the last one.
    """

    vectors: Matrix  # (passages, embedding dim), unit rows
    labels: npt.NDArray[np.int8]  # (rules, passages): label index, -1 where unknown
    groups: npt.NDArray[np.int64]  # (passages,): the place each came from


@dataclass(frozen=True)
class Judgement:
    """Probabilities of each label for every passage and rule: ``probabilities[rule][i]``.

    ``topical[rule][i]`` says whether the passage speaks of the rule's subject
    in the ruleset's own topic words; only those can be findings. A manual's
    thousands of sentences on arrests and complaints stay out of the
    immigration rules, however the model leans on them.
    """

    rule_ids: tuple[str, ...]
    probabilities: Matrix  # (rules, passages, labels)
    topical: npt.NDArray[np.bool_]  # (rules, passages)

    def of(self, rule_id: str) -> Matrix:
        """The (passages, labels) probabilities for one rule; off-topic passages say ``none``."""
        r = self.rule_ids.index(rule_id)
        none = np.eye(len(LABELS), dtype=np.float32)[0]
        mixed = np.where(self.topical[r][:, None], self.probabilities[r], none)
        return np.asarray(mixed, dtype=np.float32)


@dataclass(frozen=True)
class LearnedJudge:
    """A fitted judge for one ruleset, with how it was made.

    Attributes:
        weights: the model's parameters.
        settings: calibration and thresholds.
        embedder_name: the embedding space the weights were fitted in.
        about: what it was trained on, for the record (documents, passages, figures).
    """

    weights: Weights
    pool: Pool
    settings: Settings
    embedder_name: str
    about: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        """A short fingerprint of the weights and settings; stored with every analysis."""
        digest = hashlib.sha256()
        for array in (self.weights.shared, self.weights.own, self.weights.cues, self.weights.bias):
            digest.update(np.ascontiguousarray(array, dtype=np.float32).tobytes())
        digest.update(json.dumps(_settings_dict(self.settings), sort_keys=True).encode())
        return f"learned-{digest.hexdigest()[:12]}"

    def judge(
        self,
        passages: Sequence[Passage],
        ruleset: Ruleset,
        embedder: Embedder,
        reader: CueReader,
        wanted: npt.NDArray[np.bool_] | None = None,
    ) -> Judgement:
        """Label probabilities for every passage and rule of the ruleset this judge knows.

        Only passages on some rule's subject are embedded: in a long manual
        that is a few hundred of many thousands. ``wanted`` (rules, passages)
        narrows that further to the readings the caller will use.
        """
        cues = cue_features(passages, ruleset, self.weights.rule_ids, reader, wanted)
        topical = cues[..., 0] > 0
        keep = np.flatnonzero(topical.any(axis=0))
        probabilities = np.zeros((*cues.shape[:2], len(LABELS)), dtype=np.float32)
        probabilities[..., 0] = 1.0
        if len(keep):
            features = passage_features([passages[int(i)] for i in keep], embedder)
            probabilities[:, keep] = self.probabilities(features, cues[:, keep])
        return Judgement(self.weights.rule_ids, probabilities, topical)

    def probabilities(self, features: Matrix, cues: Matrix) -> Matrix:
        """Calibrated label probabilities from features already computed: (rules, n, labels)."""
        near = neighbour_features(features[:, : self.pool.vectors.shape[1]], self.pool)
        logits = rule_logits(self.weights, features, np.concatenate([cues, near], axis=-1))
        return softmax(logits / self.settings.temperature)

    def save(self, path: Path) -> None:
        """Write the judge as one compressed ``.npz`` (weights, and settings as JSON)."""
        meta = {
            "rule_ids": list(self.weights.rule_ids),
            "settings": _settings_dict(self.settings),
            "embedder": self.embedder_name,
            "hash_buckets": HASH_BUCKETS,
            "about": self.about,
        }
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            shared=self.weights.shared,
            own=self.weights.own,
            cues=self.weights.cues,
            bias=self.weights.bias,
            pool_vectors=self.pool.vectors.astype(np.float16),
            pool_labels=self.pool.labels,
            pool_groups=self.pool.groups,
            meta=np.frombuffer(json.dumps(meta, sort_keys=True).encode(), dtype=np.uint8),
        )
        path.write_bytes(buffer.getvalue())


def load_judge(path: Path) -> LearnedJudge:
    """Read a judge written by :meth:`LearnedJudge.save`.

    Raises:
        RulesetError: the file is not a judge this version can read.
    """
    try:
        with np.load(path) as data:
            meta = json.loads(bytes(data["meta"]).decode())
            arrays = {key: np.asarray(data[key], dtype=np.float32) for key in LOADED}
            pool = Pool(
                np.asarray(data["pool_vectors"], dtype=np.float32),
                np.asarray(data["pool_labels"], dtype=np.int8),
                np.asarray(data["pool_groups"], dtype=np.int64),
            )
    except (OSError, ValueError, KeyError) as exc:
        raise RulesetError(
            f"{path.name} is not a judge model this version can read ({exc}); "
            "rebuild it with: freedomcities train"
        ) from None
    if meta.get("hash_buckets") != HASH_BUCKETS:
        raise RulesetError(f"{path.name} was trained with other features; rebuild it with train.")
    settings = meta["settings"]
    return LearnedJudge(
        Weights(tuple(meta["rule_ids"]), **arrays),
        pool,
        Settings(settings["temperature"], dict(settings["find"]), settings["review"]),
        meta["embedder"],
        meta.get("about", {}),
    )


LOADED = ("shared", "own", "cues", "bias")


def gate_keywords(ruleset: Ruleset) -> tuple[str, ...]:
    """Word beginnings that open a passage to the learned judge.

    Every rule's keywords, and the plain words of enforcement that real
    policies use where the cues expect terms of art ("hold", "release",
    "inquire", "complaint").
    """
    words = {k for rule in ruleset.rules for k in rule.cues.keywords}
    return tuple(sorted(words | set(GATE_WORDS)))


GATE_WORDS = tuple(
    f" {w}"
    for w in (
        "hold",
        "deport",
        "undocumented",
        "sanctuary",
        "287",
        "removal",
        "alien",
        "warrant",
        "detain",
        "release",
        "notif",
        "inquir",
        "status",
        "complain",
        "stop",
        "arrest",
        "question",
        "identif",
        "badge",
        "uniform",
        "courthouse",
        "civil arrest",
        "federal",
        "cooperat",
        "assist",
        "enforce",
        "legally",
        "nationality",
        "profil",
        "transfer",
    )
)


def judge_path(ruleset_id: str) -> Path:
    """Where the shipped judge of a ruleset lives: beside it, ``<id>.judge.npz``."""
    return RULES_DIR / f"{ruleset_id}.judge.npz"


@lru_cache(maxsize=8)
def shipped_judge(ruleset_id: str) -> LearnedJudge | None:
    """The judge trained for a shipped ruleset, loaded once per process; None if there is none."""
    path = judge_path(ruleset_id)
    return load_judge(path) if path.is_file() else None


def decide(probabilities: Matrix, settings: Settings) -> list[tuple[int, Stance, float, bool]]:
    """One rule's findings from its passages' (passages, labels) probabilities.

    Whether a passage bears on the rule at all (one minus the chance of
    ``none``) and which stance it takes are told apart: a passage the judge
    is sure is about holds for ICE, but unsure whether it meets the rule or
    only part of it, is still a finding, of its likeliest stance. Returns
    (passage index, stance, probability that it bears on the rule, tentative)
    for each passage that passes its stance's threshold, or comes near it
    (tentative: it decides nothing, but asks a person to look).
    """
    found = []
    bearings = 1.0 - probabilities[:, 0]
    for i in np.flatnonzero(bearings >= settings.review):
        stance, bearing = STANCE_LABELS[int(np.argmax(probabilities[i, 1:]))], float(bearings[i])
        found.append((int(i), stance, bearing, bearing < settings.find[stance]))
    return found


def passage_features(passages: Sequence[Passage], embedder: Embedder | None = None) -> Matrix:
    """Meaning and wording features of each passage: (passages, 384 + HASH_BUCKETS)."""
    engine = embedder or default_embedder()
    texts = [model_text(p) for p in passages]
    if not texts:
        return np.zeros((0, engine.dim + HASH_BUCKETS), dtype=np.float32)
    meaning = engine.embed(texts)
    wording = np.stack(
        [hashed_words(t, heading_of(p)) for t, p in zip(texts, passages, strict=True)]
    )
    return np.concatenate([meaning, wording], axis=1).astype(np.float32)


def model_text(passage: Passage) -> str:
    """The passage as the model reads it: the end of its lead-in, then the sentence."""
    sentence = " ".join(passage.text.split())
    if passage.lead_in:
        return f"{passage.lead_in[-LEAD_IN_CHARS:]} {sentence}"
    return sentence


def hashed_words(text: str, heading: str = "") -> npt.NDArray[np.float32]:
    """Words, word pairs, negated words and heading words, hashed into a unit vector."""
    words = _WORD.findall(text.lower())
    tokens = list(words)
    tokens += [f"{a}_{b}" for a, b in itertools.pairwise(words)]
    reach = 0
    for word in words:
        if word in _NEGATORS:
            reach = NEGATION_REACH
            continue
        if reach:
            tokens.append(f"~{word}")
            reach -= 1
    tokens += [f"h:{w}" for w in _WORD.findall(heading.lower())]
    vector = np.zeros(HASH_BUCKETS, dtype=np.float32)
    for token in tokens:
        vector[zlib.crc32(token.encode()) % HASH_BUCKETS] += 1.0
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


CueReader = Callable[[Rule, Passage], str | None]


def cue_features(
    passages: Sequence[Passage],
    ruleset: Ruleset,
    rule_ids: Sequence[str],
    reader: CueReader,
    wanted: npt.NDArray[np.bool_] | None = None,
) -> Matrix:
    """What the hand-written cues (``reader``) say of each passage: (rules, passages, 4).

    Readings outside ``wanted`` (rules, passages) are left at zero, as off the
    rule's subject: the cues' stance reading is the slow part on a long manual.
    """
    out = np.zeros((len(rule_ids), len(passages), CUE_FEATURES), dtype=np.float32)
    known = {rule.id: rule for rule in ruleset.rules}
    for r, rule_id in enumerate(rule_ids):
        rule = known.get(rule_id)
        if rule is None:
            continue
        for i, passage in enumerate(passages):
            if wanted is None or wanted[r, i]:
                out[r, i] = _cue_row(rule, passage, reader)
    return out


def _cue_row(rule: Rule, passage: Passage, reader: CueReader) -> list[float]:
    """The four cue features of one passage for one rule."""
    cues = rule.cues
    if not any_match(cues.topic, passage.reading) or (
        cues.context and not any_match(cues.context, passage.reading)
    ):
        return [0.0, 0.0, 0.0, 0.0]
    stance = reader(rule, passage)
    return [1.0, *(float(stance == s) for s in STANCE_LABELS)]


def neighbour_features(
    vectors: Matrix, pool: Pool, groups: npt.NDArray[np.int64] | None = None
) -> Matrix:
    """Likeness of each passage to the nearest pooled passage of each label: (rules, n, labels).

    ``groups`` leaves out pooled passages from a passage's own place, so a
    judge in training sees them as it will see a new policy.
    """
    rules = pool.labels.shape[0]
    out = np.zeros((rules, len(vectors), NEIGHBOUR_FEATURES), dtype=np.float32)
    if not len(vectors) or not len(pool.vectors):
        return out
    likeness = vectors @ pool.vectors.T
    if groups is not None:
        likeness[groups[:, None] == pool.groups[None, :]] = -1.0
    for r in range(rules):
        for k in range(NEIGHBOUR_FEATURES):
            mask = pool.labels[r] == k
            if mask.any():
                out[r, :, k] = likeness[:, mask].max(axis=1)
    return out


def rule_logits(weights: Weights, features: Matrix, cues: Matrix) -> Matrix:
    """Unnormalised label scores of every rule: (rules, passages, labels)."""
    rules, dim, k = weights.own.shape
    stacked = (weights.shared[None] + weights.own).transpose(1, 0, 2).reshape(dim, rules * k)
    logits = (features @ stacked).reshape(-1, rules, k).transpose(1, 0, 2)
    logits = logits + np.einsum("rnc,rck->rnk", cues, weights.cues)
    return np.asarray(logits + weights.bias[:, None, :], dtype=np.float32)


def heading_of(passage: Passage) -> str:
    """The heading of the passage's section, if it has one."""
    return (passage.section.heading or "") if passage.section else ""


def _settings_dict(settings: Settings) -> dict[str, Any]:
    """Settings as plain JSON values."""
    return {"temperature": settings.temperature, "find": settings.find, "review": settings.review}
