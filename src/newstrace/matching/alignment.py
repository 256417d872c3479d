"""Monotone sentence alignment with many-to-one spans (after vecalign).

Two articles are aligned by a dynamic program over their sentence sequences: each step
either skips a sentence (free) or aligns a span of 1..3 sentences of A with a span of
1..3 sentences of B. A span pair is worth its similarity minus a threshold, so only pairs
that beat the threshold are aligned and the program finds the best order-preserving set.
Span similarity = cosine of the summed centred sentence vectors, plus a bonus for shared
anchors (numbers, ASCII-folded names) and, for same-language pairs, shared words.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from newstrace.embedding.prepare import SideData

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
        # Similarity plus anchor/word bonuses can pass 1; the contract promises [0, 1].
        score = round(min(1.0, float(self.score)), 4)
        return {"a": list(self.a), "b": list(self.b), "score": score}


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


def _binary(sets: list[frozenset[str]], vocab: dict[str, int]) -> np.ndarray:
    m = np.zeros((len(sets), max(1, len(vocab))), dtype=np.float32)
    for i, s in enumerate(sets):
        for x in s:
            m[i, vocab[x]] = 1.0
    return m


def _binaries(sa: list[frozenset[str]], sb: list[frozenset[str]]
              ) -> tuple[np.ndarray, np.ndarray]:
    """Both sides' sets as 0/1 rows over one shared vocabulary."""
    vocab: dict[str, int] = {}
    for s in (*sa, *sb):
        for x in s:
            vocab.setdefault(x, len(vocab))
    return _binary(sa, vocab), _binary(sb, vocab)


def _window(mat: np.ndarray, k: int, op: str) -> np.ndarray:
    """Rows i..i+k-1 combined for every i: 'sum' of vectors, or 'or' of binary rows."""
    n = len(mat)
    if n < k:
        return np.zeros((0, mat.shape[1]), dtype=np.float32)
    csum = np.concatenate([np.zeros((1, mat.shape[1]), np.float32), np.cumsum(mat, 0)])
    runs = csum[k:] - csum[:-k]
    if op == "or":
        return (runs > 0).astype(np.float32)
    return runs / np.maximum(np.linalg.norm(runs, axis=1, keepdims=True), 1e-8)


def _dice(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Dice overlap of every row set of x with every row set of y (binary matrices).

    Dice, not containment: a long sentence must not match every short one it contains.
    """
    # The rows are 0/1, so nothing invalid can come out; some OpenBLAS kernels set the
    # FE_INVALID flag anyway (numpy issue 24067) and numpy warned once in a CI run.
    with np.errstate(invalid="ignore"):
        inter = x @ y.T
    sizes = x.sum(1)[:, None] + y.sum(1)[None, :]
    return np.where(sizes > 0, 2 * inter / np.maximum(sizes, 1), 0.0)


def _gains(a: SideData, b: SideData, same_language: bool,
           params: AlignParams) -> dict[tuple[int, int], np.ndarray]:
    """For every span shape, the DP gain of aligning each span of A with each span of B."""
    n, m = len(a.vectors), len(b.vectors)
    bonus_sets = [(a.anchors, b.anchors, params.anchor_weight)]
    if same_language:
        bonus_sets.append((a.words, b.words, params.lexical_weight))
    binaries = [(*_binaries(sa, sb), w) for sa, sb, w in bonus_sets]
    windows: dict[tuple[int, int, int], np.ndarray] = {}

    def win(mat: np.ndarray, k: int, op: str) -> np.ndarray:
        # Each window width is used by several shapes: compute it once per matrix.
        key = (id(mat), k, op == "or")
        if key not in windows:
            windows[key] = mat if k == 1 and op == "or" else _window(mat, k, op)
        return windows[key]

    out = {}
    for ka, kb in SHAPES:
        if ka > n or kb > m:
            continue
        score = win(a.vectors, ka, "sum") @ win(b.vectors, kb, "sum").T
        for xa, xb, w in binaries:
            score = score + w * _dice(win(xa, ka, "or"), win(xb, kb, "or"))
        out[(ka, kb)] = score - params.threshold - params.span_penalty * (ka + kb - 2)
    return out


GROW_TOLERANCE = 0.08  # a neighbour joins a span when the span's cosine drops by less
GROW_MIN_COS = 0.8  # ... and only spans this close (copies, merges), before and after


def _unit_sum(v: np.ndarray) -> np.ndarray:
    total = v.sum(axis=0)
    return total / max(float(np.linalg.norm(total)), 1e-8)


def covered(spans: Iterable[Span]) -> tuple[set[int], set[int]]:
    """The sentences of A and of B that the spans hold."""
    spans = list(spans)
    return ({i for s in spans for i in range(s.a[0], s.a[1] + 1)},
            {j for s in spans for j in range(s.b[0], s.b[1] + 1)})


def grow(al: Alignment, a: SideData, b: SideData) -> Alignment:
    """Let spans take in unaligned neighbouring sentences that belong to them.

    Skips are free in the dynamic program, so when B merges sentences 2k and 2k+1 of A
    into one, a 1-1 span of the dominant half can beat the 2-1 span by a hair and leave
    the other half out of the evidence. A neighbour joins (spans of up to 3 sentences a
    side) when the span vector's cosine stays within GROW_TOLERANCE. The merged half of
    a sentence costs about 0.05 (e5 weighs a merged sentence's first clause more than a
    sum of the two does); an unrelated neighbour dilutes a span sum by about a third
    (0.89 -> 0.63). Only near-copies grow (GROW_MIN_COS before and after): at the
    moderate cosines of translations and paraphrases a neighbour on the same topic also
    stays within the tolerance. The grown span is verified like any other.
    """
    if not al.spans:
        return al
    used_a, used_b = covered(al.spans)
    grown: list[Span] = []
    for s in al.spans:
        ra, rb = list(s.a), list(s.b)
        base = float(_unit_sum(a.vectors[ra[0] : ra[1] + 1])
                     @ _unit_sum(b.vectors[rb[0] : rb[1] + 1]))
        best = base
        if base < GROW_MIN_COS:
            grown.append(s)
            continue
        for side, used, limit in ((ra, used_a, len(a.vectors)), (rb, used_b, len(b.vectors))):
            for cand in (side[0] - 1, side[1] + 1):
                if side[1] - side[0] >= 2 or not 0 <= cand < limit or cand in used:
                    continue
                trial = [min(side[0], cand), max(side[1], cand)]
                ta, tb = (trial, rb) if side is ra else (ra, trial)
                cos = float(_unit_sum(a.vectors[ta[0] : ta[1] + 1])
                            @ _unit_sum(b.vectors[tb[0] : tb[1] + 1]))
                if cos >= max(best - GROW_TOLERANCE, GROW_MIN_COS):
                    side[:] = trial
                    used.add(cand)
                    best = cos
        grown.append(Span((ra[0], ra[1]), (rb[0], rb[1]), s.score + best - base))
    al.spans = grown
    al.coverage_a = coverage(a.lengths, [s.a for s in grown])
    al.coverage_b = coverage(b.lengths, [s.b for s in grown])
    return al


def align(
    a: SideData, b: SideData, same_language: bool, params: AlignParams = AlignParams()
) -> Alignment:
    n, m = len(a.vectors), len(b.vectors)
    if n == 0 or m == 0:
        return Alignment(sentences_a=n, sentences_b=m)
    return grow(_best_path(_gains(a, b, same_language, params), a.lengths, b.lengths, params),
                a, b)


def align_rest(a: SideData, b: SideData, same_language: bool, params: AlignParams,
               used_a: set[int], used_b: set[int]) -> Alignment:
    """A second monotone alignment of the sentences the first left out (`used_*`: those in
    its passages). One monotone path follows one order; a copy whose paragraphs were
    moved (a farm that puts the last paragraph first) keeps the moved block out of it, and
    its coverage read about two thirds. Spans touching a used sentence are not allowed."""
    n, m = len(a.vectors), len(b.vectors)
    if n == 0 or m == 0 or (len(used_a) >= n or len(used_b) >= m):
        return Alignment(sentences_a=n, sentences_b=m)
    return _best_path(_unused(_gains(a, b, same_language, params), used_a, used_b, n, m),
                      a.lengths, b.lengths, params)


def align_copies(a: SideData, b: SideData, params: AlignParams, min_dice: float,
                 used_a: set[int], used_b: set[int]) -> Alignment:
    """A monotone path through near-verbatim sentence pairs only (one language: content-word
    Dice at least `min_dice`), off the sentences in `used_*`. The first alignment maximises
    its total over every pair on the same facts, and a sentence pasted into an independent
    report of the same event can lose there to three of the host's own sentences that it
    would cross; a copy path has only copies to choose from, each worth its shared words."""
    n, m = len(a.vectors), len(b.vectors)
    if n == 0 or m == 0 or (len(used_a) >= n or len(used_b) >= m):
        return Alignment(sentences_a=n, sentences_b=m)
    xa, xb = _binaries(a.words, b.words)
    dice = _dice(xa, xb)
    if not (dice >= min_dice).any():
        return Alignment(sentences_a=n, sentences_b=m)
    # Worth the words they share: a pasted sentence of 20 words outweighs two short
    # sentences on the same facts that it crosses.
    with np.errstate(invalid="ignore"):
        gains = {(1, 1): np.where(dice >= min_dice, xa @ xb.T, -1.0)}
    return _best_path(_unused(gains, used_a, used_b, n, m), a.lengths, b.lengths, params)


def _unused(gains: dict[tuple[int, int], np.ndarray], used_a: set[int], used_b: set[int],
            n: int, m: int) -> dict[tuple[int, int], np.ndarray]:
    """The gains with every span touching a used sentence blocked."""
    ua, ub = np.zeros(n + 3, bool), np.zeros(m + 3, bool)
    ua[list(used_a)], ub[list(used_b)] = True, True
    for (ka, kb), g in gains.items():
        # a span starting at row i covers rows i .. i+ka-1: blocked if any of them is used
        rows = np.array([ua[i : i + ka].any() for i in range(g.shape[0])])
        cols = np.array([ub[j : j + kb].any() for j in range(g.shape[1])])
        g[rows, :] = -1.0
        g[:, cols] = -1.0
    return gains


def align_and_reversed(
    a: SideData, b: SideData, same_language: bool, params: AlignParams = AlignParams()
) -> tuple[Alignment, float]:
    """The alignment of A with B, and the total of A aligned with B read backwards.

    Reused text keeps its order, matches between independent texts do not: the
    difference measures what order alone contributes. A span of B read backwards covers
    the same sentences, so its gains are the forward gains with columns reversed.
    """
    n, m = len(a.vectors), len(b.vectors)
    if n == 0 or m == 0:
        return Alignment(sentences_a=n, sentences_b=m), 0.0
    gains = _gains(a, b, same_language, params)
    forward = grow(_best_path(gains, a.lengths, b.lengths, params), a, b)
    if not forward.spans:
        return forward, 0.0
    flipped = {shape: g[:, ::-1] for shape, g in gains.items()}
    return forward, _best_path(flipped, a.lengths, b.lengths[::-1], params).total


def _best_path(gains: dict[tuple[int, int], np.ndarray], lengths_a: np.ndarray,
               lengths_b: np.ndarray, params: AlignParams) -> Alignment:
    n, m = len(lengths_a), len(lengths_b)
    result = Alignment(sentences_a=n, sentences_b=m)
    # Only span pairs with a positive gain can ever be chosen: collect them per end cell,
    # so the dynamic program visits a few moves instead of every shape at every cell.
    moves: dict[tuple[int, int], list[tuple[int, int, float]]] = {}
    for (ka, kb), g in gains.items():
        for i0, j0 in zip(*np.nonzero(g > 0)):
            end = (int(i0) + ka, int(j0) + kb)
            moves.setdefault(end, []).append((ka, kb, float(g[i0, j0])))
    # V[i][j]: best total aligning the first i sentences of A with the first j of B.
    V = [[0.0] * (m + 1) for _ in range(n + 1)]
    back: dict[tuple[int, int], tuple[int, int, float]] = {}
    for i in range(1, n + 1):
        row, prev = V[i], V[i - 1]
        for j in range(1, m + 1):
            best = prev[j] if prev[j] >= row[j - 1] else row[j - 1]
            cell = moves.get((i, j))
            if cell:
                for ka, kb, gain in cell:
                    total = V[i - ka][j - kb] + gain
                    if total > best:
                        best = total
                        back[(i, j)] = (ka, kb, gain)
            row[j] = best
    # Trace back.
    i, j = n, m
    spans: list[Span] = []
    while i > 0 and j > 0:
        choice = back.get((i, j))
        if choice is not None and V[i][j] > max(V[i - 1][j], V[i][j - 1]):
            ka, kb, gain = choice
            score = gain + params.threshold + params.span_penalty * (ka + kb - 2)
            spans.append(Span((i - ka, i - 1), (j - kb, j - 1), score))
            i, j = i - ka, j - kb
        elif V[i - 1][j] >= V[i][j - 1]:
            i -= 1
        else:
            j -= 1
    spans.reverse()
    result.spans = spans
    result.total = float(V[n][m])
    result.coverage_a = coverage(lengths_a, [s.a for s in spans])
    result.coverage_b = coverage(lengths_b, [s.b for s in spans])
    return result


def coverage(lengths: np.ndarray, ranges: list[tuple[int, int]]) -> float:
    """Share of the characters inside the given sentence ranges (overlaps count once)."""
    total = float(lengths.sum())
    if total <= 0:
        return 0.0
    covered = np.zeros(len(lengths), bool)
    for first, last in ranges:
        covered[first : last + 1] = True
    return float(lengths[covered].sum()) / total
