"""Stories from scores (grouping.stories): the time window and the support rule, on real
seed articles with planted dates, and on pair scores laid out by hand."""

from __future__ import annotations

import itertools
from dataclasses import replace

from newstrace.grouping import STORY_WINDOW_DAYS, stories
from newstrace.matching.alignment import Alignment
from newstrace.matching.relation import PairResult, story_link
from newstrace.text.article import Article


def _story_pair(a: str, b: str, score: float) -> PairResult:
    return PairResult(a, b, "same_story", 0.0, score, None, Alignment(), {})


def _sets(sts) -> list[list[str]]:
    return sorted(s.articles for s in sts)


def test_a_report_published_a_month_later_is_another_story(seed_scan) -> None:
    arts = [replace(a) for a in seed_scan.articles]
    threshold = seed_scan_threshold(seed_scan)
    for a in arts:
        a.published = "2020-03-01T10:00:00Z"
    assert len(stories(arts, seed_scan.pairs, seed_scan.families, threshold)) == 1
    late = next(a for a in arts if a.id.startswith("003"))
    late.published = "2020-04-02T09:00:00Z"
    sts = stories(arts, seed_scan.pairs, seed_scan.families, threshold)
    assert [late.id] in _sets(sts) and len(sts) == 2
    # The same a few days later stays in; no window, or an unknown date, has no effect.
    late.published = f"2020-03-0{1 + int(STORY_WINDOW_DAYS) - 2}T09:00:00Z"
    assert len(stories(arts, seed_scan.pairs, seed_scan.families, threshold)) == 1
    late.published = "2020-04-02T09:00:00Z"
    assert len(stories(arts, seed_scan.pairs, seed_scan.families, threshold,
                       window_days=float("inf"))) == 1
    late.published = None
    assert len(stories(arts, seed_scan.pairs, seed_scan.families, threshold)) == 1


def seed_scan_threshold(scan) -> float:
    """A threshold every seed pair passes, so only the window can split the story."""
    return min(p.story_score for p in scan.pairs) - 0.01


def test_one_loose_pair_does_not_chain_two_events() -> None:
    quake_a = ["a1", "a2", "a3"]
    quake_b = ["b1", "b2", "b3"]
    arts = [Article(id=i, text=i) for i in quake_a + quake_b]
    pairs = [_story_pair(x, y, 0.9) for x, y in itertools.combinations(quake_a, 2)]
    pairs += [_story_pair(x, y, 0.9) for x, y in itertools.combinations(quake_b, 2)]
    pairs.append(_story_pair("a1", "b1", 0.7))  # the look-alike pair, above the threshold
    assert _sets(stories(arts, pairs, [], 0.6)) == [quake_a, quake_b]
    # Two scored pairs above the threshold between them are support enough to merge.
    pairs.append(_story_pair("a2", "b2", 0.7))
    assert _sets(stories(arts, pairs, [], 0.6)) == [sorted(quake_a + quake_b)]


def test_a_lone_article_joins_a_story_on_one_pair() -> None:
    arts = [Article(id=i, text=i) for i in ("a1", "a2", "x")]
    pairs = [_story_pair("a1", "a2", 0.9), _story_pair("a1", "x", 0.7)]
    assert _sets(stories(arts, pairs, [], 0.6)) == [["a1", "a2", "x"]]


def test_a_pair_counts_with_the_score_its_label_was_decided_on() -> None:
    """A pair across languages that agree on where is judged on its shifted score
    (PairResult.link: relation.story_link); grouping averages that score."""
    arts = [Article(id=i, text="x") for i in ("a", "b", "c")]
    lifted = replace(_story_pair("a", "b", 0.5), story_link=0.7)
    assert _sets(stories(arts, [lifted], [], 0.6)) == [["a", "b"], ["c"]]
    assert len(stories(arts, [_story_pair("a", "b", 0.5)], [], 0.6)) == 3


def test_the_cross_language_lift_needs_a_shared_country() -> None:
    f = {"same_language": 0.0, "where_country": 0.5}
    assert story_link(0.5, f, 1.0) > 0.7
    assert story_link(0.5, {**f, "where_country": 0.0}, 1.0) == 0.5  # two recipes
    assert story_link(0.5, {**f, "same_language": 1.0}, 1.0) == 0.5
