"""The family merge rule (grouping.families): strongest edges first, an article joins on one
edge, two multi-member families merge only when enough of the pairs between them are reuse."""

from __future__ import annotations

import itertools

from newstrace.grouping import families
from newstrace.matching.alignment import Alignment
from newstrace.matching.relation import PairResult
from newstrace.text.article import Article


def _pair(a: str, b: str, score: float, relation: str = "translation",
          via: str | None = None, coverage: tuple[float, float] = (0.9, 0.9)) -> PairResult:
    al = Alignment(coverage_a=coverage[0], coverage_b=coverage[1])
    return PairResult(a, b, relation, score, score, None, al, {}, via=via)


def _arts(*ids: str) -> list[Article]:
    return [Article(id=i, text=f"text of {i}") for i in ids]


def _clique(ids: list[str], score: float = 0.95) -> list[PairResult]:
    return [_pair(a, b, score) for a, b in itertools.combinations(ids, 2)]


def _groups(arts: list[Article], pairs: list[PairResult], link: float) -> list[list[str]]:
    return sorted(f.articles for f in families(arts, pairs, link))


A = ["a1", "a2", "a3", "a4"]
B = ["b1", "b2", "b3", "b4"]


def test_one_look_alike_pair_does_not_merge_two_translation_families() -> None:
    pairs = _clique(A) + _clique(B) + [_pair("a1", "b1", 0.62, "rewrite")]
    arts = _arts(*A, *B)
    assert _groups(arts, pairs, 0.2) == [A, B]
    # Without the rule, the single weak edge merges all eight articles.
    assert _groups(arts, pairs, 0.0) == [sorted(A + B)]


def test_enough_bridging_pairs_merge_two_families() -> None:
    bridge = [_pair(a, b, 0.7, "rewrite") for a in A[:2] for b in B[:2]]  # 4 of 16 pairs
    assert _groups(_arts(*A, *B), _clique(A) + _clique(B) + bridge, 0.2) == [sorted(A + B)]


def test_a_source_with_many_excerpts_is_one_family() -> None:
    # Excerpts of different parts (no copy-copy edge), each mostly made of the source's text.
    copies = [f"copy{i}" for i in range(8)]
    pairs = [_pair("source", c, 0.6 + 0.03 * i, "partial", coverage=(0.2, 0.8))
             for i, c in enumerate(copies)]
    assert _groups(_arts("source", *copies), pairs, 0.2) == [sorted(["source", *copies])]


def test_a_paragraph_quoted_by_many_outlets_is_no_family() -> None:
    # Fifty outlets quote one paragraph of a source inside their own reports: fifty
    # `partial` relations, but the shared text is a small part of every article.
    quoters = [f"outlet{i}" for i in range(50)]
    pairs = [_pair("source", q, 0.9, "partial", coverage=(0.15, 0.2)) for q in quoters]
    assert _groups(_arts("source", *quoters), pairs, 0.2) == []


def test_an_article_joins_a_family_on_one_edge_and_pivot_pairs_do_not_count() -> None:
    pairs = _clique(A) + _clique(B) + [_pair("x", "a1", 0.9)]
    # Inferred pairs restate direct ones: even many of them do not bridge two families.
    pairs += [_pair(a, b, 0.9, via="x") for a in A for b in B]
    assert _groups(_arts(*A, *B, "x"), pairs, 0.2) == [sorted(A + ["x"]), B]
