"""Metrics on small inputs whose values can be checked by hand (working shown in comments)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import expit

from newstrace.evaluation.metrics import (
    adjusted_rand_index,
    bcubed,
    best_threshold_f1,
    confusion,
    fit_linear,
    fit_logistic,
    logistic,
    pairs_from_clusters,
    pairwise_prf,
    pearson,
    prf,
    roc_auc,
    spearman,
)

approx = pytest.approx


# ----------------------------------------------------------------------------- correlations


def test_pearson_hand_computed() -> None:
    # dx = (-1, 0, 1), dy = (-4/3, -1/3, 5/3): cov = 3, sxx = 2, syy = 14/3
    # r = 3 / sqrt(2 * 14/3) = sqrt(27/28)
    assert pearson([1, 2, 3], [1, 2, 4]) == approx(math.sqrt(27 / 28))
    assert pearson([1, 2, 3], [3, 2, 1]) == approx(-1.0)


def test_pearson_undefined_cases_are_nan() -> None:
    assert math.isnan(pearson([1.0], [2.0]))
    assert math.isnan(pearson([], []))
    assert math.isnan(pearson([0.1, 0.1, 0.1], [1, 2, 3]))  # constant, float noise ignored
    assert math.isnan(pearson([1, 2, 3], [5, 5, 5]))
    assert math.isnan(pearson([1, 2, float("nan")], [1, 2, 3]))


def test_pearson_length_mismatch_raises() -> None:
    with pytest.raises(ValueError):
        pearson([1, 2, 3], [1, 2])


def test_spearman_with_ties() -> None:
    # ranks x = (1, 2.5, 2.5, 4), ranks y = (1, 2, 3, 4); both mean 2.5
    # dx = (-1.5, 0, 0, 1.5), dy = (-1.5, -0.5, 0.5, 1.5): cov = 4.5, sxx = 4.5, syy = 5
    # rho = 4.5 / sqrt(4.5 * 5) = sqrt(0.9)
    assert spearman([1, 2, 2, 3], [1, 2, 3, 4]) == approx(math.sqrt(0.9))
    assert spearman([10, 20, 20, 30], [1, 2, 3, 4]) == approx(math.sqrt(0.9))  # rank-only


def test_spearman_monotone_and_nan() -> None:
    assert spearman([1, 2, 3, 4], [1, 8, 27, 1000]) == approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == approx(-1.0)
    assert math.isnan(spearman([1], [1]))
    assert math.isnan(spearman([2, 2, 2], [1, 2, 3]))


# ----------------------------------------------------------------------------- AUC


def test_roc_auc_hand_computed() -> None:
    # positives 0.35, 0.8; negatives 0.1, 0.4. Pairs won: 0.35>0.1, 0.8>0.1, 0.8>0.4 -> 3/4
    assert roc_auc([0.1, 0.4, 0.35, 0.8], [False, False, True, True]) == approx(0.75)


def test_roc_auc_ties_count_half() -> None:
    assert roc_auc([0.5, 0.5, 0.5, 0.5], [True, False, True, False]) == approx(0.5)
    # positive 1 ties negative 1 (1/2), positive 2 beats it (1): (0.5 + 1) / 2
    assert roc_auc([1, 1, 2], [False, True, True]) == approx(0.75)
    assert roc_auc([3, 2, 1], [True, True, False]) == approx(1.0)
    assert roc_auc([3, 2, 1], [False, False, True]) == approx(0.0)


def test_roc_auc_single_class_is_nan() -> None:
    assert math.isnan(roc_auc([1, 2, 3], [True, True, True]))
    assert math.isnan(roc_auc([1, 2, 3], [False, False, False]))
    assert math.isnan(roc_auc([1, float("nan")], [True, False]))


# ----------------------------------------------------------------------------- PRF


def test_prf_hand_computed() -> None:
    # P = 2/3, R = 2/4, F1 = 2 * (2/3) * (1/2) / (2/3 + 1/2) = 4/7
    p, r, f = prf(2, 1, 2)
    assert (p, r, f) == approx((2 / 3, 0.5, 4 / 7))


def test_prf_zero_denominators_give_zero() -> None:
    assert prf(0, 0, 0) == (0.0, 0.0, 0.0)
    assert prf(0, 0, 3) == (0.0, 0.0, 0.0)  # nothing predicted
    assert prf(0, 3, 0) == (0.0, 0.0, 0.0)  # nothing to find
    assert prf(5, 0, 0) == (1.0, 1.0, 1.0)
    with pytest.raises(ValueError):
        prf(-1, 0, 0)


def test_pairs_from_clusters() -> None:
    pairs = pairs_from_clusters([["a", "b", "c"], ["d"], ["e", "f"], ["g", "g"]])
    assert pairs == {
        frozenset({"a", "b"}),
        frozenset({"a", "c"}),
        frozenset({"b", "c"}),
        frozenset({"e", "f"}),
    }
    assert pairs_from_clusters([]) == set()


def test_pairwise_prf_tiny_clustering() -> None:
    # gold pairs ab ac bc de; predicted pairs ab cd ce de -> tp {ab, de}, fp {cd, ce}, fn {ac, bc}
    gold = pairs_from_clusters([["a", "b", "c"], ["d", "e"]])
    pred = pairs_from_clusters([["a", "b"], ["c", "d", "e"]])
    assert pairwise_prf(pred, gold) == {
        "precision": 0.5,
        "recall": 0.5,
        "f1": 0.5,
        "tp": 2,
        "fp": 2,
        "fn": 2,
    }


def test_pairwise_prf_unequal() -> None:
    # gold ab ac bc; predicted ab only: P = 1, R = 1/3, F1 = 2 * 1/3 / (4/3) = 0.5
    gold = pairs_from_clusters([["a", "b", "c"]])
    pred = pairs_from_clusters([["a", "b"], ["c"]])
    result = pairwise_prf(pred, gold)
    assert (result["tp"], result["fp"], result["fn"]) == (1, 0, 2)
    assert (result["precision"], result["recall"], result["f1"]) == approx((1.0, 1 / 3, 0.5))
    assert pairwise_prf(set(), set())["f1"] == 0.0


# ----------------------------------------------------------------------------- B-cubed

# Bagga & Baldwin (1998): truth {1..5}, {6, 7}, {8..12}.
_BB_GOLD = {i: "A" for i in range(1, 6)} | {6: "B", 7: "B"} | {i: "C" for i in range(8, 13)}


def test_bcubed_bagga_baldwin_response_1() -> None:
    # Response {1..5}, {6..12}: precision = (5*1 + 2*(2/7) + 5*(5/7)) / 12 = 64/84 = 0.76
    pred = {i: 0 for i in range(1, 6)} | {i: 1 for i in range(6, 13)}
    result = bcubed(pred, _BB_GOLD)
    assert result["precision"] == approx(16 / 21)
    assert result["recall"] == approx(1.0)
    assert result["f1"] == approx(2 * (16 / 21) / (16 / 21 + 1))  # 32/37


def test_bcubed_bagga_baldwin_response_2() -> None:
    # Response {1..5, 8..12}, {6, 7}: precision = (10 * 5/10 + 2 * 1) / 12 = 7/12 = 0.58
    pred = {i: 0 for i in [1, 2, 3, 4, 5, 8, 9, 10, 11, 12]} | {6: 1, 7: 1}
    result = bcubed(pred, _BB_GOLD)
    assert result["precision"] == approx(7 / 12)
    assert result["recall"] == approx(1.0)
    assert result["f1"] == approx(14 / 19)  # 2 * (7/12) / (19/12)


def test_bcubed_all_singletons_recall() -> None:
    # Every item alone: precision 1; recall = (5 * 1/5 + 2 * 1/2 + 5 * 1/5) / 12 = 3/12
    pred = {i: i for i in range(1, 13)}
    result = bcubed(pred, _BB_GOLD)
    assert result["precision"] == approx(1.0)
    assert result["recall"] == approx(0.25)
    assert result["f1"] == approx(0.4)


def test_bcubed_missing_and_extra_items() -> None:
    # y and z missing from pred -> singletons; q only in pred -> ignored, so x is alone too.
    # precision 1 for all; recall x: 1/2, y: 1/2, z: 1 -> 2/3; F1 = 2 * (2/3) / (5/3) = 0.8
    gold = {"x": 1, "y": 1, "z": 2}
    pred = {"x": "p", "q": "p"}
    result = bcubed(pred, gold)
    assert result == approx({"precision": 1.0, "recall": 2 / 3, "f1": 0.8})
    assert bcubed({}, {}) == {"precision": 0.0, "recall": 0.0, "f1": 0.0}


def test_bcubed_missing_items_do_not_merge_with_each_other() -> None:
    # a and b are both missing from pred; they must become two singletons, not one cluster.
    gold = {"a": 0, "b": 0}
    result = bcubed({}, gold)
    assert result == approx({"precision": 1.0, "recall": 0.5, "f1": 2 / 3})


# ----------------------------------------------------------------------------- ARI


def _as_map(labels: list[int]) -> dict[int, int]:
    return dict(enumerate(labels))


def test_ari_identical_and_relabelled() -> None:
    assert adjusted_rand_index(_as_map([0, 0, 1, 1, 2]), _as_map([0, 0, 1, 1, 2])) == 1.0
    assert adjusted_rand_index(_as_map([5, 5, 9, 9, 7]), _as_map([0, 0, 1, 1, 2])) == 1.0


def test_ari_hand_computed() -> None:
    # gold [0,0,1,1], pred [0,0,1,2]: n = 4, T = C(4,2) = 6
    # index = sum C(n_ij, 2) = 1, a = 1 + 1 = 2, b = 1; expected = a*b/T = 1/3, max = 3/2
    # ARI = (1 - 1/3) / (3/2 - 1/3) = 4/7
    assert adjusted_rand_index(_as_map([0, 0, 1, 2]), _as_map([0, 0, 1, 1])) == approx(4 / 7)
    # gold [0,0,1,1], pred [0,1,0,1]: index 0, a = b = 2, expected 2/3, max 2 -> -0.5
    assert adjusted_rand_index(_as_map([0, 1, 0, 1]), _as_map([0, 0, 1, 1])) == approx(-0.5)
    # one cluster against all singletons: index 0, b = 0 -> expected 0 -> ARI 0
    assert adjusted_rand_index(_as_map([0, 1, 2, 3]), _as_map([0, 0, 0, 0])) == approx(0.0)


def test_ari_missing_items_are_singletons_and_extras_ignored() -> None:
    gold = {"a": 0, "b": 0, "c": 1, "d": 1}
    pred = {"a": 0, "b": 0, "c": 1, "zz": 1}  # d missing -> singleton; zz ignored
    assert adjusted_rand_index(pred, gold) == approx(4 / 7)  # same as [0,0,1,2] above


def test_ari_degenerate_cases() -> None:
    assert adjusted_rand_index(_as_map([0, 1, 2]), _as_map([3, 4, 5])) == 1.0  # all singletons
    assert adjusted_rand_index(_as_map([0, 0, 0]), _as_map([1, 1, 1])) == 1.0  # one cluster
    assert adjusted_rand_index({}, {"a": 0}) == 1.0
    assert adjusted_rand_index({}, {}) == 1.0


# ----------------------------------------------------------------------------- confusion


def test_confusion() -> None:
    table = confusion([("a", "a"), ("a", "b"), ("a", "a"), ("b", "b"), ("c", "a")])
    assert table == {"a": {"a": 2, "b": 1}, "b": {"b": 1}, "c": {"a": 1}}
    assert confusion([]) == {}


# ----------------------------------------------------------------------------- threshold


def test_best_threshold_f1_hand_computed() -> None:
    # labels by descending score: T T F T F (3 positives); F1 = 2tp / (predicted + 3)
    # t=0.9: 2/4 = 0.5; t=0.8: 4/5 = 0.8; t=0.7: 4/6; t=0.6: 6/7; t=0.2: 6/8
    scores = [0.9, 0.8, 0.7, 0.6, 0.2]
    labels = [True, True, False, True, False]
    t, f1 = best_threshold_f1(scores, labels)
    assert t == 0.6
    assert f1 == approx(6 / 7)


def test_best_threshold_f1_tied_scores_move_together() -> None:
    # Score 0.5 holds a positive and a negative: t=0.9 -> 2/3; t=0.5 -> 2*2/(3+2) = 0.8
    t, f1 = best_threshold_f1([0.9, 0.5, 0.5], [True, True, False])
    assert t == 0.5
    assert f1 == approx(0.8)


def test_best_threshold_f1_tie_prefers_highest_threshold() -> None:
    # 2 positives; F1 = 2tp / (predicted + 2)
    # t=4: 2/3; t=3: 2/4; t=2: 2/5; t=1: 4/6 = 2/3 -> tie between 4 and 1, highest wins
    t, f1 = best_threshold_f1([4, 3, 2, 1], [True, False, False, True])
    assert t == 4.0
    assert f1 == approx(2 / 3)


def test_best_threshold_f1_edge_cases() -> None:
    t, f1 = best_threshold_f1([], [])
    assert math.isnan(t) and f1 == 0.0
    assert best_threshold_f1([0.2, 0.7], [False, False]) == (0.7, 0.0)
    with pytest.raises(ValueError):
        best_threshold_f1([0.1, float("nan")], [True, False])


# ----------------------------------------------------------------------------- fits


def test_logistic_function() -> None:
    assert logistic(0.0) == 0.5
    assert logistic(math.log(3)) == approx(0.75)
    assert logistic(-1000.0) == 0.0  # no overflow warning
    assert logistic(1000.0) == 1.0
    out = logistic(np.array([0.0, math.log(3)]))
    assert isinstance(out, np.ndarray)
    assert out == approx([0.5, 0.75])


def test_fit_logistic_symmetric_1d() -> None:
    # X = -2, -1, 1, 2 with labels 0, 0, 1, 1 and l2 = 1. By symmetry b = 0 and the stationarity
    # condition is w = 2 * (1 - s(w)) + 4 * (1 - s(2w)), whose root is w = 1.0065943...
    x = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    y = np.array([0, 0, 1, 1])
    w, b = fit_logistic(x, y, l2=1.0)
    assert w.shape == (1,)
    assert w[0] == approx(1.006594314873564, abs=1e-9)
    assert b == approx(0.0, abs=1e-9)
    residual = w[0] - 2 * (1 - expit(w[0])) - 4 * (1 - expit(2 * w[0]))
    assert residual == approx(0.0, abs=1e-9)
    probs = logistic(x[:, 0] * w[0] + b)
    assert list(np.argsort(probs)) == [0, 1, 2, 3]
    assert ((probs >= 0.5) == (y == 1)).all()


def test_fit_logistic_recovers_sign_and_is_deterministic() -> None:
    # Higher x means label 0 here, so the weight must come out negative; offset data -> bias.
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    y = np.array([1, 1, 1, 0, 1, 0])
    w1, b1 = fit_logistic(x, y, l2=0.1)
    w2, b2 = fit_logistic(x, y, l2=0.1)
    assert w1[0] < 0 < b1
    assert w1[0] == w2[0] and b1 == b2
    # First-order optimality: gradient of the penalised loss is ~0.
    p = expit(x * w1[0] + b1)
    assert float(np.sum((p - y) * x) + 0.1 * w1[0]) == approx(0.0, abs=1e-8)
    assert float(np.sum(p - y)) == approx(0.0, abs=1e-6)


def test_fit_nonneg_logistic_sets_negative_evidence_aside_but_keeps_free_columns() -> None:
    """Column 0 predicts the label, column 1 is anti-correlated with it and column 2 is a
    prior that may be negative: the constrained fit zeroes column 1, keeps column 2's
    negative weight, and equals a plain fit on the columns it keeps."""
    from newstrace.evaluation.metrics import fit_nonneg_logistic

    rng = np.random.default_rng(3)
    n = 400
    y = (rng.random(n) < 0.5).astype(float)
    good = y + rng.normal(0, 0.8, n)
    against = -y + rng.normal(0, 0.8, n)
    prior = (1 - y) + rng.normal(0, 0.8, n)
    X = np.column_stack([good, against, prior])
    plain, _ = fit_logistic(X, y, l2=1.0)
    assert plain[1] < 0 and plain[2] < 0
    w, b = fit_nonneg_logistic(X, y, l2=1.0, free=(2,))
    assert w[0] > 0 and w[1] == 0.0 and w[2] < 0
    kept, kept_b = fit_logistic(X[:, [0, 2]], y, l2=1.0)
    assert w[[0, 2]] == approx(kept) and b == approx(kept_b)
    w_all, _ = fit_nonneg_logistic(X, y, l2=1.0)
    assert (w_all >= 0).all() and w_all[0] > 0


def test_fit_logistic_sample_weight_equals_duplication() -> None:
    x = np.array([[0.0], [1.0], [2.0], [3.0]])
    y = np.array([0, 1, 0, 1])
    w_weighted, b_weighted = fit_logistic(x, y, l2=0.5, sample_weight=[1, 2, 1, 3])
    x_dup = np.array([[0.0], [1.0], [1.0], [2.0], [3.0], [3.0], [3.0]])
    y_dup = np.array([0, 1, 1, 0, 1, 1, 1])
    w_dup, b_dup = fit_logistic(x_dup, y_dup, l2=0.5)
    assert w_weighted == approx(w_dup, abs=1e-9)
    assert b_weighted == approx(b_dup, abs=1e-9)


def test_fit_logistic_single_class_stays_finite() -> None:
    w, b = fit_logistic([[0.0], [1.0]], [1, 1])
    assert np.isfinite(w).all() and math.isfinite(b)
    assert logistic(b) > 0.999


def test_fit_linear_closed_form() -> None:
    # y = 2x + 1 exactly: OLS recovers it.
    w, b = fit_linear([[0.0], [1.0], [2.0]], [1.0, 3.0, 5.0], l2=0.0)
    assert w == approx([2.0])
    assert b == approx(1.0)
    # Ridge, l2 = 1: centred x = (-1, 0, 1), Sxx = 2, Sxy = 4 -> w = 4 / (2 + 1) = 4/3;
    # intercept unpenalised: b = mean(y) - mean(x) * w = 3 - 4/3 = 5/3
    w, b = fit_linear([[0.0], [1.0], [2.0]], [1.0, 3.0, 5.0], l2=1.0)
    assert w == approx([4 / 3])
    assert b == approx(5 / 3)


def test_fit_linear_two_features() -> None:
    # y = 1*x1 - 2*x2 + 0.5 exactly, full-rank design
    x = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0]])
    y = x @ np.array([1.0, -2.0]) + 0.5
    w, b = fit_linear(x, y, l2=0.0)
    assert w == approx([1.0, -2.0])
    assert b == approx(0.5)


def test_fit_linear_sample_weight() -> None:
    # Weight 0 on the outlier removes it: the remaining points lie on y = x.
    w, b = fit_linear(
        [0.0, 1.0, 2.0, 3.0], [0.0, 1.0, 2.0, 100.0], l2=0.0, sample_weight=[1, 1, 1, 0]
    )
    assert w == approx([1.0])
    assert b == approx(0.0, abs=1e-12)
