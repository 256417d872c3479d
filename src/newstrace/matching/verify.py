"""Span verification: is an aligned span shared text, or another sentence about the same fact?

The aligner pairs any two sentences that are similar enough; independent reports of one
event are full of such pairs. Each aligned span therefore gets its own probability of
being shared text (a copy, a translation or a paraphrase of the other side), from the
signals bitext mining uses:

- `cos`     centred cosine of the two span vectors;
- `margin`  cos less the mean cosine of each side to its k nearest neighbours in a fixed
            background of news sentences (Artetxe & Schwenk 2019): cancels "hub" sentences
            that are close to everything;
- `lex`     Dice of the content words (within one language only);
- `pair_margin` (across languages) cos less the best cosine either span vector reaches
            with a sentence of the *other* article outside the span: the candidate pool
            of margin-based bitext mining. A translation stands out from its article's
            other sentences even where e5 encodes the language pair weakly (Icelandic,
            Chinese: translations at centred cosines of 0.2-0.5); the one sentence on the
            same fact in an independent report stands out less. With no other sentence
            to compete, the background is the pool (pair_margin = margin);
- `anchor`  Dice of shared numbers / names / quotes; `num_conflict` and `name_conflict`
            count against: two sentences with different death tolls are not one sentence;
- `len_ratio`, `words`  length disagreement and size (short sentences are weak evidence).

`extend_diagonal` is PAN's extension across the aligner's skips: the unaligned sentence
pair right next to a span is verified on its own.

Two logistic models (same language, across languages) are fitted by `newstrace calibrate`
on sentence pairs from the dev corpora (see calibration.span_pairs) and shipped in
data/params.json.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import numpy as np

from newstrace.matching.alignment import SideData, Span, covered
from newstrace.text.quotes import span_share

SAME_FEATURES = ("cos", "margin", "lex", "anchor", "num_conflict", "name_conflict",
                 "len_ratio", "words")
CROSS_FEATURES = ("cos", "margin", "pair_margin", "anchor", "num_conflict", "name_conflict",
                  "len_ratio", "words")
KNN = 4


@dataclass
class SpanModel:
    same_weights: dict[str, float] = field(default_factory=dict)
    same_bias: float = 0.0
    cross_weights: dict[str, float] = field(default_factory=dict)
    cross_bias: float = 0.0
    threshold: float = 0.5  # a span at or above this probability is verified shared text
    # PAN's extension is looser than its seeding: next to a verified span, a span at or
    # above this probability extends the passage (a rewrite's weaker sentences).
    extend_threshold: float = 0.5
    # The same two levels for the model across languages: each model's levels are where
    # its own fit pairs reach the precision asked (calibration.py), so a better model of
    # one kind of pair does not move the other's.
    cross_threshold: float = 0.5
    cross_extend_threshold: float = 0.5

    def levels(self, same_language: bool) -> tuple[float, float]:
        """(seed, extension) probability levels; extension is never above the seed."""
        seed, ext = ((self.threshold, self.extend_threshold) if same_language
                     else (self.cross_threshold, self.cross_extend_threshold))
        return seed, min(seed, ext)


@lru_cache(maxsize=1)
def background() -> np.ndarray:
    """Centred vectors of news sentences in many languages (scripts/build_background.py)."""
    ref = resources.files("newstrace").joinpath("data/background.npy")
    with ref.open("rb") as fh:
        return np.load(fh).astype(np.float32)


def knn_mean(vectors: np.ndarray, k: int = KNN) -> np.ndarray:
    """Mean cosine of each row to its k nearest background sentences."""
    if not len(vectors):
        return np.zeros(0, np.float32)
    sims = vectors @ background().T
    k = min(k, sims.shape[1])
    return np.partition(sims, -k, axis=1)[:, -k:].mean(axis=1)


@dataclass
class SpanSide:
    """One side of a batch of spans: unit vectors, anchor and word sets, characters."""

    vectors: np.ndarray
    anchors: list[frozenset[str]]
    words: list[frozenset[str]]
    chars: list[float]
    hub: np.ndarray | None = None  # knn_mean of each span vector, where already known
    quoted: np.ndarray | None = None  # share of each span inside quotation marks
    frames: list[frozenset[str]] | None = None  # content words outside them


def _unit(v: np.ndarray) -> np.ndarray:
    return v / max(float(np.linalg.norm(v)), 1e-8)


def span_side(side: SideData, ranges: Sequence[tuple[int, int]]) -> SpanSide:
    vecs, anchors, words, chars = [], [], [], []
    for first, last in ranges:
        sl = slice(first, last + 1)
        vecs.append(_unit(side.vectors[sl].sum(axis=0)))
        anchors.append(frozenset().union(*side.anchors[sl]))
        words.append(frozenset().union(*side.words[sl]))
        chars.append(float(side.lengths[sl].sum()))
    dim = side.vectors.shape[1] if side.vectors.ndim == 2 else 0
    matrix = np.array(vecs, np.float32).reshape(len(vecs), dim)
    # A one-sentence span's vector is its sentence's: its hub value is the article's own.
    hub = np.empty(len(ranges), np.float32)
    single = np.array([first == last for first, last in ranges], bool)
    if single.any():
        hub[single] = sentence_hub(side)[[r[0] for r, one in zip(ranges, single) if one]]
    if (~single).any():
        hub[~single] = knn_mean(matrix[~single])
    quoted = None if side.quoted is None else np.array(
        [span_share(side.quoted, side.lengths, a, b) for a, b in ranges], np.float32)
    frames = None if side.frames is None else [frozenset().union(*side.frames[a : b + 1])
                                                for a, b in ranges]
    return SpanSide(matrix, anchors, words, chars, hub, quoted, frames)


def sentence_hub(side: SideData) -> np.ndarray:
    """knn_mean of each sentence of an article, computed once per article."""
    if side.hub is None:
        unit = np.array([_unit(v) for v in side.vectors], np.float32).reshape(
            side.vectors.shape)
        side.hub = knn_mean(unit)
    return side.hub


def rivals(span_a: np.ndarray, span_b: np.ndarray, sents_a: np.ndarray,
           sents_b: np.ndarray, spans: Sequence[Span]) -> np.ndarray:
    """For each span, the best cosine of its A vector with a B sentence outside the span,
    or of its B vector with an A sentence outside it (NaN where no sentence is left)."""
    out = np.full(len(spans), np.nan, np.float32)
    if not len(spans):
        return out
    row = span_a @ sents_b.T  # spans x sentences of B
    col = span_b @ sents_a.T
    for k, s in enumerate(spans):
        row[k, s.b[0] : s.b[1] + 1] = -np.inf
        col[k, s.a[0] : s.a[1] + 1] = -np.inf
        best = max(row[k].max(initial=-np.inf), col[k].max(initial=-np.inf))
        if np.isfinite(best):
            out[k] = best
    return out


def _dice(x: frozenset[str], y: frozenset[str]) -> float:
    return 2 * len(x & y) / (len(x) + len(y)) if x and y else 0.0


def _conflict(x: frozenset[str], y: frozenset[str]) -> float:
    """1 when both sides state some and agree on none; 0 when either states none."""
    if not x or not y:
        return 0.0
    return 1.0 - len(x & y) / min(len(x), len(y))


def features(a: SpanSide, b: SpanSide, same_language: bool,
             rival: np.ndarray | None = None) -> list[dict[str, float]]:
    """Features of span i = (a row i, b row i). `rival[i]`: the best cosine of either span
    vector with a sentence of the other article outside the span (NaN: none to compete;
    None: no article around the spans)."""
    if not len(a.vectors):
        return []
    cos = np.einsum("ij,ij->i", a.vectors, b.vectors)
    hub_a = a.hub if a.hub is not None else knn_mean(a.vectors)
    hub_b = b.hub if b.hub is not None else knn_mean(b.vectors)
    hub = (hub_a + hub_b) / 2
    if rival is None:
        rival = np.full(len(cos), np.nan)
    rival = np.where(np.isnan(rival), hub, rival)
    out = []
    for i in range(len(cos)):
        nums_a = frozenset(x for x in a.anchors[i] if x[0] == "#")
        nums_b = frozenset(x for x in b.anchors[i] if x[0] == "#")
        names_a = frozenset(x for x in a.anchors[i] if x[0] == "@")
        names_b = frozenset(x for x in b.anchors[i] if x[0] == "@")
        ca, cb = max(a.chars[i], 1.0), max(b.chars[i], 1.0)
        out.append({
            "cos": float(cos[i]),
            "margin": float(cos[i] - hub[i]),
            "pair_margin": float(cos[i] - rival[i]),
            "lex": _dice(a.words[i], b.words[i]) if same_language else 0.0,
            "anchor": _dice(a.anchors[i], b.anchors[i]),
            "num_conflict": _conflict(nums_a, nums_b),
            "name_conflict": _conflict(names_a, names_b),
            "len_ratio": abs(math.log(ca / cb)),
            "words": math.log1p(min(len(a.words[i]), len(b.words[i]))),
            # Read by passages.py (a quotation does not seed), not by the span model; within
            # one language only, where `lex` tells a copied quote from a shared one.
            "quoted": (min(float(a.quoted[i]), float(b.quoted[i])) if same_language
                       and a.quoted is not None and b.quoted is not None else 0.0),
            # Content-word Dice of the frames (the words outside the quotation marks); 1.0
            # where neither side has one, or where frames are not known.
            "frame": (_dice(a.frames[i], b.frames[i]) if a.frames is not None
                      and b.frames is not None and (a.frames[i] or b.frames[i]) else 1.0),
        })
    return out


def probability(f: dict[str, float], same_language: bool, model: SpanModel) -> float:
    w, bias = ((model.same_weights, model.same_bias) if same_language
               else (model.cross_weights, model.cross_bias))
    z = bias + sum(v * f[k] for k, v in w.items())
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def verify(a: SideData, b: SideData, spans: Sequence[Span], same_language: bool,
           model: SpanModel) -> list[tuple[Span, float, dict[str, float]]]:
    """Each aligned span with its probability of being shared text, and its features."""
    if not spans:
        return []
    fa = span_side(a, [s.a for s in spans])
    fb = span_side(b, [s.b for s in spans])
    rival = None if same_language else rivals(fa.vectors, fb.vectors, a.vectors, b.vectors,
                                              spans)
    feats = features(fa, fb, same_language, rival)
    return [(s, probability(f, same_language, model), f) for s, f in zip(spans, feats)]


def extend_diagonal(a: SideData, b: SideData,
                    scored: Sequence[tuple[Span, float, dict[str, float]]],
                    same_language: bool, model: SpanModel, rounds: int = 2
                    ) -> list[tuple[Span, float, dict[str, float]]]:
    """PAN's extension step across the aligner's skips: next to a span at the extension
    level, the diagonal neighbour (the sentence before or after on both sides, both left
    unaligned) is verified as a span of its own and joins at the level it reaches (the
    extension level, or the seed level like any aligned span).

    The aligner skips a translated line whose cosine falls under its threshold (weakly
    encoded languages place translations at centred cosines of 0.2-0.5); next to a line it
    did align, the line's position is known, and verification decides."""
    out = list(scored)
    seed_level, extend_level = model.levels(same_language)
    # A cost cut: every passage needs a seed, and a pair without one seldom gains one by
    # extension (no eval figure moved when this was added).
    if not any(p >= seed_level for _, p, _ in out):
        return out
    n, m = len(a.vectors), len(b.vectors)
    tried: set[tuple[int, int]] = set()  # a rejected diagonal is not verified again
    for _ in range(rounds):
        used_a, used_b = covered(s for s, _, _ in out)
        cands: list[Span] = []
        for s, p, _ in out:
            if p < extend_level:
                continue
            for i, j in ((s.a[0] - 1, s.b[0] - 1), (s.a[1] + 1, s.b[1] + 1)):
                if (0 <= i < n and 0 <= j < m and i not in used_a and j not in used_b
                        and (i, j) not in tried
                        and all(c.a[0] != i and c.b[0] != j for c in cands)):
                    cands.append(Span((i, i), (j, j), 0.0))
        tried.update((c.a[0], c.b[0]) for c in cands)
        added = [t for t in verify(a, b, cands, same_language, model)
                 if t[1] >= extend_level]
        if not added:
            break
        out = sorted(out + added, key=lambda t: (t[0].a[0], t[0].b[0]))
    return out
