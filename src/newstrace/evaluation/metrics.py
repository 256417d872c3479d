"""Quality metrics reported by ``newstrace eval`` (and the small model fits used by calibration).

Everything here is a pure function: no I/O, no global state, deterministic output.

Conventions, chosen once and used throughout:

* Correlations (:func:`pearson`, :func:`spearman`) and :func:`roc_auc` return ``nan`` when the
  figure is undefined (too few points, a constant input, a class with no examples, or a ``nan``
  in the input) instead of raising or warning. ``nan`` inputs are *not* silently dropped: a
  missing value makes the whole figure ``nan`` so that it cannot go unnoticed; filter first if
  dropping is what you want.
* Precision, recall and F1 are ``0.0`` when their denominator is zero (:func:`prf`). So a system
  that predicts nothing scores precision 0, and an empty gold standard gives recall 0.
* Clusterings are mappings ``item -> cluster label``. The gold mapping defines the items that are
  scored; a gold item absent from the prediction is a singleton cluster of its own, and an item
  present only in the prediction is ignored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from itertools import combinations
from typing import Any, overload

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import expit
from scipy.stats import rankdata

__all__ = [
    "adjusted_rand_index",
    "bcubed",
    "best_threshold_f1",
    "confusion",
    "fit_linear",
    "fit_logistic",
    "logistic",
    "pairs_from_clusters",
    "pairwise_prf",
    "pearson",
    "prf",
    "roc_auc",
    "spearman",
]

_NAN = float("nan")


def _paired(x: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(x, dtype=float).ravel()
    b = np.asarray(y, dtype=float).ravel()
    if a.shape != b.shape:
        raise ValueError(f"length mismatch: {a.size} != {b.size}")
    return a, b


# --------------------------------------------------------------------------- correlations


def _pearson_arrays(a: np.ndarray, b: np.ndarray) -> float:
    if a.size < 2 or np.isnan(a).any() or np.isnan(b).any():
        return _NAN
    # Exact comparison, not a variance threshold: a constant column such as [0.1, 0.1, 0.1]
    # can have a tiny non-zero floating-point variance.
    if np.all(a == a[0]) or np.all(b == b[0]):
        return _NAN
    da = a - a.mean()
    db = b - b.mean()
    denom = float(np.sqrt(np.dot(da, da) * np.dot(db, db)))
    if denom == 0.0 or not np.isfinite(denom):
        return _NAN
    r = float(np.dot(da, db)) / denom
    return max(-1.0, min(1.0, r))


def pearson(x: ArrayLike, y: ArrayLike) -> float:
    """Pearson correlation coefficient of two equal-length sequences.

    Returns ``nan`` for fewer than 2 points, a constant input, or any ``nan`` in the input.
    Raises ``ValueError`` if the lengths differ.
    """
    a, b = _paired(x, y)
    return _pearson_arrays(a, b)


def spearman(x: ArrayLike, y: ArrayLike) -> float:
    """Spearman rank correlation: Pearson correlation of the ranks, tied values averaged.

    Same ``nan`` rules as :func:`pearson`.
    """
    a, b = _paired(x, y)
    if a.size < 2 or np.isnan(a).any() or np.isnan(b).any():
        return _NAN
    return _pearson_arrays(rankdata(a, method="average"), rankdata(b, method="average"))


# --------------------------------------------------------------------------- ranking


def roc_auc(scores: ArrayLike, labels: ArrayLike) -> float:
    """Area under the ROC curve, via the Mann-Whitney U statistic.

    The probability that a random positive scores higher than a random negative, ties counting
    one half. ``labels`` are booleans (truthy = positive). Returns ``nan`` when there is no
    positive or no negative, or when a score is ``nan``.
    """
    s = np.asarray(scores, dtype=float).ravel()
    lab = np.asarray(labels, dtype=bool).ravel()
    if s.shape != lab.shape:
        raise ValueError(f"length mismatch: {s.size} != {lab.size}")
    n_pos = int(lab.sum())
    n_neg = int(lab.size - n_pos)
    if n_pos == 0 or n_neg == 0 or np.isnan(s).any():
        return _NAN
    ranks = rankdata(s, method="average")
    u = float(ranks[lab].sum()) - n_pos * (n_pos + 1) / 2.0
    return u / (n_pos * n_neg)


# --------------------------------------------------------------------------- precision / recall


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1 from counts.

    A ratio whose denominator is zero is reported as ``0.0`` (not ``nan``): precision is 0 when
    nothing was predicted (``tp + fp == 0``), recall is 0 when there is nothing to find
    (``tp + fn == 0``), and F1 is 0 when precision + recall is 0.
    """
    if min(tp, fp, fn) < 0:
        raise ValueError("counts must be non-negative")
    precision = tp / (tp + fp) if tp + fp > 0 else 0.0
    recall = tp / (tp + fn) if tp + fn > 0 else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return float(precision), float(recall), float(f1)


def pairs_from_clusters(clusters: Iterable[Iterable[Hashable]]) -> set[frozenset]:
    """All unordered pairs of distinct items that share a cluster.

    Duplicated items within one cluster are counted once; singletons contribute no pair.
    """
    pairs: set[frozenset] = set()
    for cluster in clusters:
        members = list(dict.fromkeys(cluster))  # de-duplicate, keep order
        pairs.update(frozenset(p) for p in combinations(members, 2))
    return pairs


def pairwise_prf(pred_pairs: set[frozenset], gold_pairs: set[frozenset]) -> dict[str, Any]:
    """Precision/recall/F1 of predicted pairs against gold pairs (set overlap).

    Returns ``{"precision", "recall", "f1", "tp", "fp", "fn"}``; the ratios follow :func:`prf`.
    """
    tp = len(pred_pairs & gold_pairs)
    fp = len(pred_pairs - gold_pairs)
    fn = len(gold_pairs - pred_pairs)
    precision, recall, f1 = prf(tp, fp, fn)
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


# --------------------------------------------------------------------------- clusterings


class _Singleton:
    """A cluster label equal only to itself (for gold items missing from the prediction)."""

    __slots__ = ()


def _aligned_labels(
    pred: Mapping[Hashable, Hashable], gold: Mapping[Hashable, Hashable]
) -> list[tuple[Hashable, Hashable]]:
    """``(gold_label, pred_label)`` for every gold item; missing items get a fresh label."""
    out: list[tuple[Hashable, Hashable]] = []
    for item, g in gold.items():
        p = pred[item] if item in pred else _Singleton()
        # Tag the labels so that a real pred label can never equal a singleton marker.
        out.append((g, ("s", p) if isinstance(p, _Singleton) else ("c", p)))
    return out


def bcubed_items(
    pred: Mapping[Hashable, Hashable], gold: Mapping[Hashable, Hashable]
) -> np.ndarray:
    """Each gold item's B-cubed precision and recall (one row per item, in ``gold``'s order):
    the column means are :func:`bcubed`'s precision and recall. For resampling items."""
    labels = _aligned_labels(pred, gold)
    joint, gold_size, pred_size = _contingency(labels)
    return np.array([[joint[(g, p)] / pred_size[p], joint[(g, p)] / gold_size[g]]
                     for g, p in labels]).reshape(-1, 2)


def bcubed(
    pred: Mapping[Hashable, Hashable], gold: Mapping[Hashable, Hashable]
) -> dict[str, float]:
    """B-cubed precision, recall and F1 (Bagga & Baldwin, 1998), averaged over gold items.

    For each gold item ``i`` with predicted cluster ``P(i)`` and gold cluster ``G(i)`` (both
    restricted to gold items): precision ``|P(i) & G(i)| / |P(i)|``, recall
    ``|P(i) & G(i)| / |G(i)|``; F1 is the harmonic mean of the two averages. Gold items missing
    from ``pred`` are singletons; items only in ``pred`` are ignored. An empty ``gold`` gives
    all zeros (the :func:`prf` convention).
    """
    labels = _aligned_labels(pred, gold)
    if not labels:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    joint, gold_size, pred_size = _contingency(labels)
    # Every item in cell (g, p) has overlap n_gp, so the cell contributes n_gp * n_gp / size.
    precision = sum(n * n / pred_size[p] for (_, p), n in joint.items()) / len(labels)
    recall = sum(n * n / gold_size[g] for (g, _), n in joint.items()) / len(labels)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return {"precision": float(precision), "recall": float(recall), "f1": float(f1)}


def _contingency(labels: Sequence[tuple[Hashable, Hashable]]
                 ) -> tuple[dict[tuple[Hashable, Hashable], int], dict[Hashable, int],
                            dict[Hashable, int]]:
    """Counts of (gold, pred) cells and of each gold and each predicted cluster."""
    joint: dict[tuple[Hashable, Hashable], int] = defaultdict(int)
    gold_size: dict[Hashable, int] = defaultdict(int)
    pred_size: dict[Hashable, int] = defaultdict(int)
    for g, p in labels:
        joint[(g, p)] += 1
        gold_size[g] += 1
        pred_size[p] += 1
    return joint, gold_size, pred_size


def _comb2(n: int) -> int:
    return n * (n - 1) // 2


def adjusted_rand_index(
    pred: Mapping[Hashable, Hashable], gold: Mapping[Hashable, Hashable]
) -> float:
    """Adjusted Rand index (Hubert & Arabie, 1985) over the gold items.

    Gold items missing from ``pred`` are singletons; items only in ``pred`` are ignored.
    1.0 for identical partitions, about 0 for chance agreement, negative below chance. When the
    index is undefined (fewer than 2 items, or both partitions are all-singletons or both one
    cluster) the partitions are identical and 1.0 is returned, as scikit-learn does.
    Counts are exact integers, so there is no overflow or rounding before the final division.
    """
    labels = _aligned_labels(pred, gold)
    n = len(labels)
    joint, gold_size, pred_size = _contingency(labels)
    index = sum(_comb2(v) for v in joint.values())
    sum_gold = sum(_comb2(v) for v in gold_size.values())
    sum_pred = sum(_comb2(v) for v in pred_size.values())
    total = _comb2(n)
    # ARI = (index - a*b/T) / ((a+b)/2 - a*b/T); multiply through by 2T to stay in integers.
    numerator = 2 * (total * index - sum_gold * sum_pred)
    denominator = total * (sum_gold + sum_pred) - 2 * sum_gold * sum_pred
    if denominator == 0:
        return 1.0
    return numerator / denominator


def confusion(pairs: Iterable[tuple[str, str]]) -> dict[str, dict[str, int]]:
    """Confusion counts from ``(gold, predicted)`` pairs: ``result[gold][predicted] -> count``.

    Only observed combinations appear; keys keep first-seen order.
    """
    table: dict[str, dict[str, int]] = {}
    for gold_label, pred_label in pairs:
        row = table.setdefault(gold_label, {})
        row[pred_label] = row.get(pred_label, 0) + 1
    return table


# --------------------------------------------------------------------------- thresholds


def best_threshold_f1(scores: ArrayLike, labels: ArrayLike) -> tuple[float, float]:
    """The threshold ``t`` maximising F1 of the rule ``score >= t``, and that F1.

    Candidates are the distinct observed scores. Among equally good thresholds the highest is
    returned (fewest positive predictions). With no positive label every F1 is 0 and the
    highest score is returned. Empty input gives ``(nan, 0.0)``; a ``nan`` score raises
    ``ValueError``.
    """
    s = np.asarray(scores, dtype=float).ravel()
    lab = np.asarray(labels, dtype=bool).ravel()
    if s.shape != lab.shape:
        raise ValueError(f"length mismatch: {s.size} != {lab.size}")
    if s.size == 0:
        return _NAN, 0.0
    if np.isnan(s).any():
        raise ValueError("scores contain nan")
    order = np.argsort(-s, kind="stable")
    s_sorted = s[order]
    tp_cum = np.cumsum(lab[order])
    # Last position of each run of equal scores: predicting ">= that score" takes the whole run.
    ends = np.flatnonzero(np.append(s_sorted[1:] != s_sorted[:-1], True))
    tp = tp_cum[ends].astype(float)
    predicted = (ends + 1).astype(float)
    n_pos = float(lab.sum())
    # F1 = 2tp / (2tp + fp + fn) = 2tp / (predicted + n_pos); predicted >= 1 so never 0 / 0.
    f1 = 2.0 * tp / (predicted + n_pos)
    best = int(np.argmax(f1))  # first maximum = highest threshold
    return float(s_sorted[ends[best]]), float(f1[best])


# --------------------------------------------------------------------------- model fits


@overload
def logistic(z: float) -> float: ...
@overload
def logistic(z: np.ndarray) -> np.ndarray: ...
@overload
def logistic(z: ArrayLike) -> float | np.ndarray: ...
def logistic(z: float | ArrayLike) -> float | np.ndarray:
    """The logistic sigmoid ``1 / (1 + exp(-z))``, overflow-free; scalar in, scalar out."""
    arr = np.asarray(z, dtype=float)
    out = expit(arr)
    return float(out) if arr.ndim == 0 else out


def _design(
    features: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None
) -> tuple[np.ndarray, ...]:
    x = np.asarray(features, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2:
        raise ValueError("X must be 2-D (n_samples, n_features)")
    t = np.asarray(y, dtype=float).ravel()
    if t.size != x.shape[0]:
        raise ValueError(f"X has {x.shape[0]} rows but y has {t.size} values")
    if sample_weight is None:
        w = np.ones_like(t)
    else:
        w = np.asarray(sample_weight, dtype=float).ravel()
        if w.size != t.size:
            raise ValueError("sample_weight must have one value per row")
        if (w < 0).any():
            raise ValueError("sample_weight must be non-negative")
    if not (np.isfinite(x).all() and np.isfinite(t).all() and np.isfinite(w).all()):
        raise ValueError("inputs must be finite")
    if t.size == 0 or w.sum() <= 0:
        raise ValueError("need at least one row with positive weight")
    return x, t, w


# A tiny ridge on the (otherwise unpenalised) bias keeps the optimum finite when every label is
# the same; its effect on any ordinary fit is far below the convergence tolerance.
_BIAS_RIDGE = 1e-8


def fit_logistic(
    X: ArrayLike,
    y: ArrayLike,
    l2: float = 1.0,
    sample_weight: ArrayLike | None = None,
    *,
    max_iter: int = 100,
    tol: float = 1e-10,
) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method (IRLS) with backtracking.

    Minimises ``sum_i s_i * [log(1 + exp(z_i)) - y_i * z_i] + l2/2 * ||w||^2`` with
    ``z = X @ w + b`` and ``s`` the sample weights (default 1). The bias is not penalised
    (beyond a negligible 1e-8 ridge that keeps it finite for single-class data). ``y`` holds
    0/1 labels (values in [0, 1] act as soft labels). ``X`` may be 1-D (one feature).
    Features are used as given: scale them first if their ranges differ a lot. With ``l2 == 0``
    and separable data the weights grow until ``max_iter``. Returns ``(weights, bias)``.
    Deterministic: no random initialisation (starts from zero).
    """
    if l2 < 0:
        raise ValueError("l2 must be non-negative")
    x, t, s = _design(X, y, sample_weight)
    if ((t < 0) | (t > 1)).any():
        raise ValueError("y must lie in [0, 1]")
    n, d = x.shape
    xb = np.hstack([x, np.ones((n, 1))])
    ridge = np.full(d + 1, float(l2))
    ridge[-1] = _BIAS_RIDGE

    def objective(theta: np.ndarray) -> float:
        z = xb @ theta
        return float(np.dot(s, np.logaddexp(0.0, z) - t * z) + 0.5 * np.dot(ridge * theta, theta))

    theta = np.zeros(d + 1)
    value = objective(theta)
    for _ in range(max_iter):
        p = expit(xb @ theta)
        grad = xb.T @ (s * (p - t)) + ridge * theta
        if np.max(np.abs(grad)) <= tol * max(1.0, float(s.sum())):
            break
        hess = (xb * (s * p * (1.0 - p))[:, None]).T @ xb + np.diag(ridge)
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(hess, grad, rcond=None)[0]
        # Backtracking (Armijo) line search: full Newton steps almost always pass.
        slope = float(np.dot(grad, step))
        size = 1.0
        while size > 1e-12:
            candidate = theta - size * step
            new_value = objective(candidate)
            if new_value <= value - 1e-4 * size * slope:
                break
            size *= 0.5
        else:
            break  # no decrease possible: at the optimum to machine precision
        theta, value = candidate, new_value
    return theta[:-1].copy(), float(theta[-1])


def fit_nonneg_logistic(
    X: ArrayLike, y: ArrayLike, l2: float = 1.0, sample_weight: ArrayLike | None = None,
    free: Sequence[int] = (),
) -> tuple[np.ndarray, float]:
    """fit_logistic with every weight >= 0 but those of the `free` columns, for features
    that are each evidence for the positive class by construction (more shared text never
    argues against reuse). Active set: fit, set the most negative constrained weight's
    feature aside, refit on the rest, until none is negative; those set aside get 0."""
    x = np.asarray(X, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    active = list(range(x.shape[1]))
    while True:
        w, b = fit_logistic(x[:, active], y, l2, sample_weight)
        negative = [(float(w[k]), k) for k, col in enumerate(active)
                    if col not in free and w[k] < 0]
        if not negative:
            break
        del active[min(negative)[1]]
    full = np.zeros(x.shape[1])
    full[active] = w
    return full, b


def fit_linear(
    X: ArrayLike,
    y: ArrayLike,
    l2: float = 1.0,
    sample_weight: ArrayLike | None = None,
) -> tuple[np.ndarray, float]:
    """Ridge regression in closed form: ``(weights, bias)``.

    Minimises ``sum_i s_i * (y_i - x_i @ w - b)^2 + l2 * ||w||^2``; the bias is not penalised
    (the data are centred on their weighted means, ``w`` is solved, then ``b`` recovered).
    With ``l2 == 0`` this is ordinary least squares (minimum-norm ``w`` if ``X`` is
    rank-deficient). ``X`` may be 1-D (one feature).
    """
    if l2 < 0:
        raise ValueError("l2 must be non-negative")
    x, t, s = _design(X, y, sample_weight)
    total = float(s.sum())
    x_mean = (s @ x) / total
    y_mean = float(s @ t) / total
    xc = x - x_mean
    yc = t - y_mean
    if l2 > 0:
        gram = (xc * s[:, None]).T @ xc + l2 * np.eye(x.shape[1])
        weights = np.linalg.solve(gram, (xc * s[:, None]).T @ yc)
    else:
        root = np.sqrt(s)
        weights = np.linalg.lstsq(xc * root[:, None], yc * root, rcond=None)[0]
    bias = y_mean - float(x_mean @ weights)
    return weights, bias
