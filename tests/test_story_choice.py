"""How `calibrate` chooses the story model: the one-standard-error rule."""

from __future__ import annotations

import numpy as np

from newstrace.evaluation import metrics
from newstrace.evaluation.metrics import bcubed_items
from newstrace.evaluation.story_calibration import bootstrap_sums, one_se_choice


def test_bcubed_items_average_to_bcubed() -> None:
    gold = {"1_a": "e1", "1_b": "e1", "1_c": "e2", "2_a": "e3", "2_b": "e3", "2_c": "e4"}
    pred = {"1_a": "s1", "1_b": "s1", "1_c": "s1", "2_a": "s2", "2_b": "s3"}  # 2_c missing
    items = bcubed_items(pred, gold)
    expect = metrics.bcubed(pred, gold)
    assert items.shape == (6, 2)
    assert np.allclose(items.mean(axis=0), [expect["precision"], expect["recall"]])


def test_the_simplest_candidate_within_one_standard_error_is_chosen() -> None:
    # Candidate 2 has the best sum, but candidate 0 (simplest) is only 0.01 below it with a
    # standard error of the difference of 0.02: noise, so the simplest wins.
    rng = np.random.default_rng(1)
    base = rng.normal(0.0, 0.02, 400)
    boot = np.stack([base, base + rng.normal(0, 0.001, 400),
                     base + 0.01 + rng.normal(0, 0.02, 400)], axis=1)
    simplicity = [(9, -1.0), (13, -1.0), (15, -1.0)]
    assert one_se_choice([1.66, 1.665, 1.67], boot, simplicity) == 0
    # A gain far beyond its standard error is not noise: the best is chosen.
    assert one_se_choice([1.50, 1.51, 1.67], boot, simplicity) == 2
    # Among equal feature counts, the stronger ridge is the simpler.
    assert one_se_choice([1.67, 1.67, 1.0], boot, [(9, -1.0), (9, -10.0), (15, -1.0)]) == 1


def test_bootstrap_sums_are_paired_and_centred_on_the_full_data() -> None:
    rng = np.random.default_rng(0)
    y = rng.normal(size=200)
    good, poor = y + rng.normal(0, 0.5, 200), y + rng.normal(0, 2.0, 200)
    topics = [f"{t}" for t in range(10) for _ in range(5)]
    perfect = np.ones((50, 2))
    half = np.tile([1.0, 0.5], (50, 1))
    boot = bootstrap_sums([good, poor], y, [perfect, half], topics, rounds=300)
    assert boot.shape == (300, 2)
    full = [metrics.pearson(good, y) + 1.0, metrics.pearson(poor, y) + 2 / 3]
    assert abs(boot[:, 0].mean() - full[0]) < 0.02 and abs(boot[:, 1].mean() - full[1]) < 0.05
    # Same resamples for both candidates: the better one is better in every round.
    assert (boot[:, 0] > boot[:, 1]).all()
