"""Nearest-neighbour search partitioned by publication time (`scan --search-window`),
the partition the Ray executor searches per worker: pairs close in time always share a
partition, copies far apart are still found by their shared text."""

import copy
import random

import numpy as np

from conftest import SEEDS
from newstrace.matching.candidates import (
    UNDATED,
    candidate_pairs,
    search_partitions,
    window_keys,
)
from newstrace.pipeline import Pipeline
from newstrace.text.article import Article
from newstrace.text.readers import read_paths


def shared(parts: dict[int, np.ndarray], i: int, j: int) -> bool:
    return any(i in set(ids.tolist()) and j in set(ids.tolist()) for ids in parts.values())


def test_articles_within_the_window_always_share_a_partition() -> None:
    rng = random.Random(3)
    days = [rng.uniform(0, 400) for _ in range(300)] + [float("nan")] * 5
    window = 7.0
    parts = search_partitions(days, window)
    for i in range(len(days)):
        assert 1 <= sum(i in set(ids.tolist()) for ids in parts.values()) <= 2
    for _ in range(3000):
        i, j = rng.randrange(300), rng.randrange(300)
        gap = abs(days[i] - days[j])
        if gap <= window:
            assert shared(parts, i, j), (days[i], days[j])
        elif gap >= 2 * window:
            assert not shared(parts, i, j), (days[i], days[j])
    # undated articles are searched among themselves
    assert parts[UNDATED].tolist() == list(range(300, 305))
    assert window_keys(float("nan"), None) == [0] == window_keys(12.0, float("inf"))


def dated_seeds() -> list[Article]:
    """The seeds on one day, and a verbatim copy of the Guardian report (003) published
    120 days later."""
    arts = [a for a in read_paths([SEEDS]) if isinstance(a, Article)]
    assert len(arts) == 5
    for a in arts:
        a.published = "2023-07-14T08:00:00Z"
    late = copy.deepcopy(next(a for a in arts if a.id.startswith("003")))
    late.id, late.published = "003_copy_120_days_later", "2023-11-11T08:00:00Z"
    return arts + [late]


def test_search_window_keeps_close_pairs_and_far_copies(pipeline: Pipeline) -> None:
    arts = dated_seeds()
    prepared = pipeline.prepare_all(arts)
    whole = candidate_pairs(prepared)
    windowed = candidate_pairs(prepared, search_window_days=7)
    late = len(arts) - 1
    # the five seeds share one day: every candidate among them is kept
    assert {p for p in whole if late not in p} == {p for p in windowed if late not in p}
    # the copy 120 days later is outside every partition of the others, yet its shared
    # text (MinHash bands, passage 5-grams) still proposes it
    original = next(i for i, a in enumerate(arts) if a.id.startswith("003"))
    assert (original, late) in windowed
    assert candidate_pairs(prepared, float("inf")) == whole

    scan = Pipeline(encoder=pipeline.encoder, search_window_days=7).scan(arts)
    rel = {(p.a, p.b): p.relation for p in scan.pairs}
    assert rel[(arts[original].id, arts[late].id)] == "duplicate"
