"""The numeric pieces of the learned judge: probabilities and the optimiser.

Plain numpy, kept apart from the judge's features and files
(:mod:`freedomcities.learned`) and from its training (:mod:`freedomcities.training`),
so any model added later fits and predicts the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float32]


def softmax(logits: Matrix) -> Matrix:
    """Probabilities along the last axis."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return np.asarray(exp / exp.sum(axis=-1, keepdims=True), dtype=np.float32)


class Adam:
    """Adam updates in place on a list of arrays: deterministic, from whatever they hold."""

    def __init__(self, params: list[Matrix], rate: float) -> None:
        self.params = params
        self.rate = rate
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.t = 0

    def step(self, grads: Sequence[npt.NDArray[np.floating]]) -> None:
        """One update of every parameter."""
        self.t += 1
        for p, g, m, v in zip(self.params, grads, self.m, self.v, strict=True):
            m *= 0.9
            m += 0.1 * g
            v *= 0.999
            v += 0.001 * g * g
            p -= self.rate * (m / (1 - 0.9**self.t)) / (np.sqrt(v / (1 - 0.999**self.t)) + 1e-8)
