"""Monotone sentence alignment with many-to-one spans (after vecalign).

Two articles are aligned by a dynamic program over their sentence sequences: each step
either skips a sentence (free) or aligns a span of 1..3 sentences of A with a span of
1..3 sentences of B. A span pair is worth its similarity minus a threshold, so only pairs
that beat the threshold are aligned and the program finds the best order-preserving set.
Span similarity = cosine of the summed centred sentence vectors, plus a bonus for shared
anchors (numbers, ASCII-folded names) and, for same-language pairs, shared words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# Span shapes (sentences of A, sentences of B); 0 means a skip.
SHAPES: tuple[tuple[int, int], ...] = ((1, 1), (1, 2), (2, 1), (1, 3), (3, 1), (2, 2))


@dataclass(frozen=True)
class AlignParams:
    threshold: float = 0.45  # centred cosine a span pair must beat to be aligned
    span_penalty: float = 0.04  # per extra sentence in a span: prefer 1-1 when equal
    anchor_weight: float = 0.15
    lexical_weight: float = 0.25


@dataclass
class Span:
    a: tuple[int, int]  # first, last sentence index (inclusive) in A
    b: tuple[int, int]
    score: float  # span similarity (before the threshold)

    def to_dict(self) -> dict:
        return {"a": list(self.a), "b": list(self.b), "score": round(float(self.score), 4)}


@dataclass
class Alignment:
    spans: list[Span] = field(default_factory=list)
    total: float = 0.0  # sum of (score - threshold) over spans: the DP objective
    coverage_a: float = 0.0  # share of A's characters inside aligned spans
    coverage_b: float = 0.0
    sentences_a: int = 0
    sentences_b: int = 0

    @property
    def mean_score(self) -> float:
        return float(np.mean([s.score for s in self.spans])) if self.spans else 0.0

    def one_to_one_share(self) -> float:
        if not self.spans:
            return 0.0
        ones = sum(1 for s in self.spans if s.a[0] == s.a[1] and s.b[0] == s.b[1])
        return ones / len(self.spans)


@dataclass
class SideData:
    """What the aligner needs of one article."""

    vectors: np.ndarray  # centred, L2-normalised, one row per sentence
    anchors: list[frozenset[str]]  # per sentence
    words: list[frozenset[str]]  # per sentence, folded content words
    lengths: np.ndarray  # characters per sentence


def _overlap(x: frozenset[str], y: frozenset[str]) -> float:
    if not x or not y:
        return 0.0
    # Dice, not containment: a long sentence must not match every short one it contains.
    return 2 * len(x & y) / (len(x) + len(y))


def _span_union(sets: list[frozenset[str]], i: int, k: int) -> frozenset[str]:
    if k == 1:
        return sets[i]
    out: frozenset[str] = frozenset()
    for s in sets[i : i + k]:
        out = out | s
    return out


def _span_vectors(vectors: np.ndarray, k: int) -> np.ndarray:
    """Normalised sum of each run of k consecutive rows (n - k + 1 rows)."""
    n = len(vectors)
    if n < k:
        return np.zeros((0, vectors.shape[1]), dtype=np.float32)
    csum = np.concatenate([np.zeros((1, vectors.shape[1]), np.float32), np.cumsum(vectors, 0)])
    runs = csum[k:] - csum[:-k]
    return runs / np.maximum(np.linalg.norm(runs, axis=1, keepdims=True), 1e-8)


def align(
    a: SideData, b: SideData, same_language: bool, params: AlignParams = AlignParams()
) -> Alignment:
    n, m = len(a.vectors), len(b.vectors)
    result = Alignment(sentences_a=n, sentences_b=m)
    if n == 0 or m == 0:
        return result
    base = a.vectors @ b.vectors.T
    # Cheap prune: span pairs can only beat the threshold where some 1-1 cell is near it.
    floor = params.threshold - params.anchor_weight - params.lexical_weight - 0.1
    hot = base > floor
    span_sims: dict[tuple[int, int], np.ndarray] = {}
    for ka, kb in SHAPES:
        if ka > n or kb > m:
            continue
        if (ka, kb) == (1, 1):
            span_sims[(1, 1)] = base
        else:
            span_sims[(ka, kb)] = _span_vectors(a.vectors, ka) @ _span_vectors(b.vectors, kb).T

    def value(i: int, j: int, ka: int, kb: int) -> float:
        """Score of A[i:i+ka] with B[j:j+kb]."""
        sim = float(span_sims[(ka, kb)][i, j])
        bonus = params.anchor_weight * _overlap(
            _span_union(a.anchors, i, ka), _span_union(b.anchors, j, kb)
        )
        if same_language:
            bonus += params.lexical_weight * _overlap(
                _span_union(a.words, i, ka), _span_union(b.words, j, kb)
            )
        return sim + bonus

    # V[i, j]: best total aligning the first i sentences of A with the first j of B.
    V = np.zeros((n + 1, m + 1), dtype=np.float64)
    back: dict[tuple[int, int], tuple[int, int, float]] = {}
    # 2-D prefix sums of `hot`, to ask in O(1) whether a span rectangle has a hot cell.
    hot_sum = np.zeros((n + 1, m + 1), dtype=np.int32)
    hot_sum[1:, 1:] = np.cumsum(np.cumsum(hot, 0), 1)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            best = V[i - 1, j] if V[i - 1, j] >= V[i, j - 1] else V[i, j - 1]
            choice = None
            for ka, kb in SHAPES:
                if ka > i or kb > j or (ka, kb) not in span_sims:
                    continue
                i0, j0 = i - ka, j - kb
                # Skip spans with no promising 1-1 cell inside.
                if hot_sum[i, j] - hot_sum[i0, j] - hot_sum[i, j0] + hot_sum[i0, j0] == 0:
                    continue
                gain = value(i0, j0, ka, kb) - params.threshold
                gain -= params.span_penalty * (ka + kb - 2)
                if gain <= 0:
                    continue
                total = V[i0, j0] + gain
                if total > best:
                    best, choice = total, (ka, kb, gain + params.threshold)
            V[i, j] = best
            if choice is not None:
                back[(i, j)] = choice
    # Trace back.
    i, j = n, m
    spans: list[Span] = []
    while i > 0 and j > 0:
        if (i, j) in back:
            ka, kb, score = back[(i, j)]
            spans.append(Span((i - ka, i - 1), (j - kb, j - 1), score))
            i, j = i - ka, j - kb
        elif V[i - 1, j] >= V[i, j - 1]:
            i -= 1
        else:
            j -= 1
    spans.reverse()
    result.spans = spans
    result.total = float(V[n, m])
    result.coverage_a = _coverage(a.lengths, [s.a for s in spans])
    result.coverage_b = _coverage(b.lengths, [s.b for s in spans])
    return result


def _coverage(lengths: np.ndarray, ranges: list[tuple[int, int]]) -> float:
    total = float(lengths.sum())
    if total <= 0:
        return 0.0
    covered = sum(float(lengths[f : l + 1].sum()) for f, l in ranges)
    return covered / total
