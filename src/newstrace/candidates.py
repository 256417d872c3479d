"""Candidate pairs: which articles are worth aligning, without trying every pair.

Three cheap signals, united: MinHash LSH over word 3-grams (same-language copies, rensa),
nearest neighbours of the document vectors (translations and rewrites; faiss, exact inner
product), and shared rare anchors (names, numbers; cross-lingual copies the encoder ranks
low). Each signal is recall-oriented; the aligner decides.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import faiss
import numpy as np
from rensa import RMinHash, RMinHashLSH

from .prepare import Prepared

NUM_PERM = 128
LSH_THRESHOLD = 0.3  # Jaccard of 3-gram sets; light edits of a copy stay above this
NEIGHBOURS = 20
LEAD_NEIGHBOURS = 10
MIN_DOC_COS = 0.80  # raw e5 cosine; unrelated news sits near 0.75, kin above 0.85
ANCHOR_MIN_SHARED = 4
ANCHOR_MAX_DF = 50  # anchors in more articles than this say nothing about a pair


def minhash(shingles: frozenset[str]) -> RMinHash:
    m = RMinHash(num_perm=NUM_PERM, seed=42)
    m.update(sorted(shingles))
    return m


def lexical_pairs(prepared: Sequence[Prepared]) -> set[tuple[int, int]]:
    lsh = RMinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM, num_bands=32)
    hashes = [minhash(p.shingles) for p in prepared]
    for i, m in enumerate(hashes):
        lsh.insert(i, m)
    out = set()
    for i, m in enumerate(hashes):
        for j in lsh.query(m):
            if j != i:
                out.add((min(i, j), max(i, j)))
    return out


def vector_pairs(prepared: Sequence[Prepared], k: int = NEIGHBOURS,
                 field: str = "raw_vector") -> set[tuple[int, int]]:
    """Nearest neighbours by one of the document vectors (exact inner product)."""
    if len(prepared) < 2:
        return set()
    x = np.stack([getattr(p, field) for p in prepared]).astype(np.float32)
    index = faiss.IndexFlatIP(x.shape[1])
    index.add(x)
    sims, ids = index.search(x, min(k + 1, len(prepared)))
    out = set()
    for i in range(len(prepared)):
        for s, j in zip(sims[i], ids[i]):
            if j >= 0 and j != i and s >= MIN_DOC_COS:
                out.add((min(i, int(j)), max(i, int(j))))
    return out


def anchor_pairs(prepared: Sequence[Prepared]) -> set[tuple[int, int]]:
    postings: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(prepared):
        for a in p.doc_anchors:
            postings[a].append(i)
    shared: dict[tuple[int, int], int] = defaultdict(int)
    for ids in postings.values():
        if 2 <= len(ids) <= ANCHOR_MAX_DF:
            for x in range(len(ids)):
                for y in range(x + 1, len(ids)):
                    shared[(ids[x], ids[y])] += 1
    return {pair for pair, c in shared.items() if c >= ANCHOR_MIN_SHARED}


def candidate_pairs(prepared: Sequence[Prepared]) -> list[tuple[int, int]]:
    # Sentence-mean vectors find translations; lead vectors find same-story coverage.
    pairs = (lexical_pairs(prepared) | vector_pairs(prepared)
             | vector_pairs(prepared, LEAD_NEIGHBOURS, "lead_vector") | anchor_pairs(prepared))
    return sorted(pairs)
