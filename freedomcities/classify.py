"""A classifier trained on the ruleset's own example sentences.

Patterns catch the wording a ruleset's author foresaw; the classifier catches
the rest by meaning. Each candidate sentence is embedded and compared with
the labelled examples of its rule (k nearest neighbours, weighted by cosine
similarity). Examples labelled ``none`` teach it which sentences merely share
a rule's vocabulary. Training is embedding the examples once per process,
so a campaign's own ruleset gets its own classifier with no extra step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from freedomcities.embed import Embedder, cached_vectors, default_embedder
from freedomcities.rules import EXAMPLE_LABELS, Ruleset

NEIGHBOURS = 5
SHARPNESS = 12.0


@dataclass(frozen=True)
class Opinion:
    """Probability of each example label, and how close the nearest example was."""

    probabilities: dict[str, float]
    similarity: float

    @property
    def best(self) -> str:
        """The most probable label."""
        return max(self.probabilities, key=lambda label: self.probabilities[label])


class Classifier(Protocol):
    """Anything that gives, per sentence and rule, a probability for each example label."""

    def predict(self, texts: Sequence[str], rule_ids: Sequence[str]) -> list[Opinion]:
        """One opinion (label -> probability) per sentence."""
        ...


class NearestExamples:
    """k-nearest-neighbour classifier over embedded example sentences, one pool per rule."""

    def __init__(self, ruleset: Ruleset, embedder: Embedder) -> None:
        self._embedder = embedder
        self._pools: dict[str, tuple[npt.NDArray[np.float32], list[str]]] = {}
        by_rule: dict[str, list[tuple[str, str]]] = {}
        for example in ruleset.examples:
            by_rule.setdefault(example.rule_id, []).append((example.text, example.label))
        texts = [text for rows in by_rule.values() for text, _ in rows]
        vectors = cached_vectors(embedder, texts)
        offset = 0
        for rule_id, rows in by_rule.items():
            self._pools[rule_id] = (vectors[offset : offset + len(rows)], [lbl for _, lbl in rows])
            offset += len(rows)

    def predict(self, texts: Sequence[str], rule_ids: Sequence[str]) -> list[Opinion]:
        """Vote among each sentence's nearest examples of the same rule."""
        if not texts:
            return []
        distinct = list(dict.fromkeys(texts))
        vectors = self._embedder.embed(distinct)
        row = {text: i for i, text in enumerate(distinct)}
        return [self._vote(vectors[row[t]], r) for t, r in zip(texts, rule_ids, strict=True)]

    def _vote(self, vector: npt.NDArray[np.float32], rule_id: str) -> Opinion:
        """Similarity-weighted vote of the k nearest examples."""
        if rule_id not in self._pools:
            return Opinion({"none": 1.0}, 0.0)
        pool, labels = self._pools[rule_id]
        similarity = pool @ vector
        nearest = np.argsort(-similarity)[:NEIGHBOURS]
        weights = np.exp(SHARPNESS * (similarity[nearest] - similarity[nearest[0]]))
        votes = dict.fromkeys(EXAMPLE_LABELS, 0.0)
        for index, weight in zip(nearest, weights, strict=True):
            votes[labels[index]] += float(weight)
        total = sum(votes.values())
        probabilities = {label: votes[label] / total for label in EXAMPLE_LABELS}
        return Opinion(probabilities, float(similarity[nearest[0]]))


_CACHE: dict[tuple[str, str, int, str], Classifier] = {}


def classifier_for(ruleset: Ruleset, embedder: Embedder | None = None) -> Classifier:
    """The classifier for a ruleset, trained once per process and embedder."""
    engine = embedder or default_embedder()
    key = (ruleset.id, ruleset.version, len(ruleset.examples), repr(engine))
    if key not in _CACHE:
        _CACHE[key] = NearestExamples(ruleset, engine)
    return _CACHE[key]
