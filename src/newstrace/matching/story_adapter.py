"""A learned weighting of the lead vectors' dimensions for "same news event".

The encoder cannot be fine-tuned, but which of its dimensions matter for "same event" (as
opposed to "same topic", or same language) can be learned from judged pairs. The adapter
is diagonal: score = bias + sum_i w_i a_i b_i over the centred, normalised lead vectors a
and b. With every w_i equal it is a rescaled cosine, so the fit is a ridge regression that
shrinks w towards the plain cosine's (one weight for all dimensions), never towards zero.

`newstrace calibrate` fits it on the SemEval fit pairs (target: the human Overall, negated)
and the story model takes its score as one feature (`lead_adapted`). Its ridge strength is
chosen by cross-validation grouped by language pair, as the story model is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np


@dataclass
class StoryAdapter:
    weights: list[float] = field(default_factory=list)  # one per vector dimension
    bias: float = 0.0

    @property
    def fitted(self) -> bool:
        return bool(self.weights)

    @cached_property
    def _vector(self) -> np.ndarray:
        return np.asarray(self.weights, dtype=np.float64)  # once, not per scored pair

    def score(self, a: np.ndarray, b: np.ndarray) -> float:
        """The adapted similarity of two centred lead vectors; their cosine when unfitted."""
        if not self.fitted or len(a) != len(self.weights):
            return float(a @ b)
        return self.bias + float(self._vector @ (a * b))

    def scores(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """The adapted similarity of each row pair of a and b (a fitted adapter)."""
        return self.bias + (a * b) @ self._vector


def fit(a: np.ndarray, b: np.ndarray, y: np.ndarray, l2: float) -> StoryAdapter:
    """Ridge fit of y ~ bias + sum_i w_i a_i b_i, shrunk towards the cosine's fit."""
    z = a * b
    cos = z.sum(axis=1)
    slope, intercept = np.polyfit(cos, y, 1)
    w0 = np.full(z.shape[1], slope)
    rest = y - intercept - z @ w0
    dw = np.linalg.solve(z.T @ z + l2 * np.eye(z.shape[1]), z.T @ rest)
    return StoryAdapter([float(x) for x in w0 + dw], float(intercept))


def out_of_group(a: np.ndarray, b: np.ndarray, y: np.ndarray, groups: Sequence[str],
                 l2: float) -> np.ndarray:
    """Each pair scored by an adapter fitted without its group (language pair): the
    scores a model stacked on the adapter may be fitted on without seeing its own pairs."""
    g = np.asarray(groups)
    out = np.zeros(len(y))
    for held in np.unique(g):
        ad = fit(a[g != held], b[g != held], y[g != held], l2)
        out[g == held] = ad.scores(a[g == held], b[g == held])
    return out
