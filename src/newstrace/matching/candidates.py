"""Candidate pairs: which articles are worth aligning, without trying every pair.

Five cheap signals, united. Three see whole documents: MinHash LSH over word 3-grams
(same-language copies, rensa), nearest neighbours of the document vectors (translations
and rewrites; faiss, exact inner product), and shared rare anchors (names, numbers;
cross-lingual copies the encoder ranks low). Two see passages, so that a few paragraphs
pasted into an otherwise different article are proposed too (whole-document signals are
dominated by the rest of the text):
- passage shingles: pairs sharing >= PASSAGE_MIN_SHARED hashed word 5-grams that are in
  at most PASSAGE_MAX_DF articles (same-language copies, verbatim or lightly edited);
- sentence links: each distinctive sentence's nearest sentences in other articles
  (faiss, exact inner product over centred sentence vectors); a pair with links from two
  sentences, or from one long one, is a candidate (translated passages).
Each signal is recall-oriented; the aligner decides.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache

import faiss
import numpy as np
from rensa import RMinHash, RMinHashLSH

from newstrace.embedding.prepare import Prepared, words

NUM_PERM = 128
LSH_THRESHOLD = 0.3  # Jaccard of 3-gram sets; light edits of a copy stay above this
NEIGHBOURS = 20
LEAD_NEIGHBOURS = 10
MIN_DOC_COS = 0.80  # raw e5 cosine; unrelated news sits near 0.75, kin above 0.85
ANCHOR_MIN_SHARED = 4
ANCHOR_MAX_DF = 50  # anchors in more articles than this say nothing about a pair

# Passage shingles. 8 shared 5-grams = a copied run of 12 words: one pasted sentence of
# ~15 words (11 5-grams), or two short ones, reach it; a word changed every ~8 words
# leaves ~3 5-grams per 8 words, so 3 lightly edited sentences (~45 words) keep ~15.
PASSAGE_N = 5
PASSAGE_MIN_SHARED = 8
PASSAGE_MAX_DF = 50  # 5-grams in more articles than this are stock phrases (or wire copies,
# which MinHash already proposes)

# Sentence links. k and the cosine floor from `bench/bench_candidates.py threshold` (fit
# year newstest2011, 2,686 en-de line pairs with >= 5 content tokens, pool of both
# languages): the translation is in the top 10 with centred cosine >= 0.35 for 99.63 % of
# lines (>= 0.40: 99.24 %, >= 0.45: 98.4 %; the parallel cosine's 1st percentile is 0.42,
# its median 0.72). On the planted bench (report years) this keeps 0.985 of translated
# 3-line passages alone, 0.995 with the other signals.
SENTENCE_MIN_WORDS = 5  # content tokens (prepare.sentence_sets): datelines and stock
# phrases are not distinctive
SENTENCE_LONG_WORDS = 20  # one link suffices when both sentences have this many
SENTENCE_NEIGHBOURS = 10  # neighbours in other articles kept per sentence
SENTENCE_MIN_COS = 0.35  # centred cosine of a link
SENTENCE_MIN_LINKS = 2  # distinct sentences on each side
SENTENCE_SELF_EXTRA = 10  # asked for on top of k: hits in the sentence's own article
QUERY_BATCH = 2048  # sentences searched at once: bounds the result arrays


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
    return knn_pairs(np.stack([getattr(p, field) for p in prepared]), k)


def knn_pairs(vectors: np.ndarray, k: int = NEIGHBOURS) -> set[tuple[int, int]]:
    """vector_pairs over a matrix of document vectors, row i = article i (the Ray
    executor gathers only these rows, not the prepared articles)."""
    if len(vectors) < 2:
        return set()
    x = np.ascontiguousarray(vectors, dtype=np.float32)
    index = faiss.IndexFlatIP(x.shape[1])
    index.add(x)
    sims, ids = index.search(x, min(k + 1, len(x)))
    out = set()
    for i in range(len(x)):
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


# --- passage shingles ----------------------------------------------------------------------


def mixers(n: int, seed: int = 0) -> np.ndarray:
    """n odd 64-bit multipliers (splitmix64): fixed, so hashes and band keys are the same
    every run (passage shingles here, LSH band keys in bands.py)."""
    out, x, mask = [], seed, 2**64 - 1
    for _ in range(n):
        x = (x + 0x9E3779B97F4A7C15) & mask
        z = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        out.append((z ^ (z >> 31)) | 1)
    return np.array(out, dtype=np.uint64)


_GRAM_MIX = mixers(PASSAGE_N + 1, seed=0x5851F42D4C957F2D)


@lru_cache(maxsize=1 << 18)
def _token_hash(token: str) -> int:
    return int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(),
                          "little")


def passage_hashes(sentences: Sequence[str], n: int = PASSAGE_N) -> np.ndarray:
    """The distinct hashed word n-grams of an article (uint64, sorted), over the words()
    of its sentences in order (n-grams run across sentence ends); CJK and Thai text gives
    character bigrams, so an n-gram there spans n + 1 characters."""
    toks = np.fromiter((_token_hash(w) for s in sentences for w in words(s)), np.uint64)
    m = len(toks) - n + 1
    if m <= 0:
        return np.zeros(0, np.uint64)
    h = np.zeros(m, np.uint64)
    with np.errstate(over="ignore"):  # arithmetic mod 2**64 is the point
        for j in range(n):
            h += toks[j : j + m] * _GRAM_MIX[j]
        h ^= h >> np.uint64(31)
        h *= _GRAM_MIX[n]
        h ^= h >> np.uint64(29)
    return np.unique(h)


def shared_key_pairs(keysets: Sequence[np.ndarray], min_shared: int, max_df: int
                     ) -> set[tuple[int, int]]:
    """Pairs (i < j) of sets that share >= min_shared keys, counting only keys held by at
    most max_df sets. Keys of each set must be distinct. Vectorised: one sort of all keys,
    then the pairs of each key's holders (at most max_df * (max_df - 1) / 2 per key)."""
    sizes = np.array([len(k) for k in keysets], dtype=np.int64)
    if sizes.sum() == 0:
        return set()
    n = len(keysets)
    keys = np.concatenate(keysets)
    owner = np.repeat(np.arange(n, dtype=np.int64), sizes)
    order = np.argsort(keys, kind="stable")  # stable: holders of a key stay ascending
    keys, owner = keys[order], owner[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    df = np.diff(np.r_[starts, len(keys)])
    codes = []
    for size in np.unique(df[(df >= 2) & (df <= max_df)]).tolist():
        first = starts[df == size]
        holders = owner[first[:, None] + np.arange(size)]  # (keys, size), ascending rows
        iu, ju = np.triu_indices(size, 1)
        codes.append((holders[:, iu] * n + holders[:, ju]).ravel())
    if not codes:
        return set()
    uniq, count = np.unique(np.concatenate(codes), return_counts=True)
    hits = uniq[count >= min_shared]
    return {(int(c // n), int(c % n)) for c in hits}


def passage_pairs(prepared: Sequence[Prepared], min_shared: int = PASSAGE_MIN_SHARED,
                  max_df: int = PASSAGE_MAX_DF) -> set[tuple[int, int]]:
    """Pairs that share a passage in one language: >= min_shared word 5-grams."""
    hashes = [passage_hashes(p.article.sentences) for p in prepared]
    return shared_key_pairs(hashes, min_shared, max_df)


# --- sentence links ------------------------------------------------------------------------


def distinctive(p: Prepared, min_words: int = SENTENCE_MIN_WORDS) -> np.ndarray:
    """Positions of the sentences with >= min_words content tokens."""
    return np.array([i for i, w in enumerate(p.side.words) if len(w) >= min_words],
                    dtype=np.int64)


def link_pairs(qa: np.ndarray, qs: np.ndarray, qw: np.ndarray, ha: np.ndarray,
               hs: np.ndarray, hw: np.ndarray, min_links: int = SENTENCE_MIN_LINKS,
               long_words: int = SENTENCE_LONG_WORDS) -> set[tuple[int, int]]:
    """Article pairs from sentence links: link t joins sentence qs[t] (of article qa[t],
    with qw[t] content tokens) to sentence hs[t] of article ha[t]. A pair is kept when
    its links involve >= min_links distinct sentences on each side, or when one link
    joins two sentences of >= long_words content tokens each."""
    if not len(qa):
        return set()
    swap = qa > ha
    a, b = np.where(swap, ha, qa), np.where(swap, qa, ha)
    sa, sb = np.where(swap, hs, qs), np.where(swap, qs, hs)
    short = np.minimum(qw, hw)
    span = int(max(a.max(), b.max())) + 1
    pair = a * span + b
    out: set[int] = set(np.unique(pair[short >= long_words]).tolist())
    # distinct sentences per pair on each side (sentence ids are global, so a pair's
    # sentences on one side are told apart by their ids)
    pos_span = int(max(sa.max(), sb.max())) + 1
    ua = np.unique(pair * pos_span + sa) // pos_span
    ub = np.unique(pair * pos_span + sb) // pos_span
    pa, ca = np.unique(ua, return_counts=True)
    pb, cb = np.unique(ub, return_counts=True)
    enough = set(pa[ca >= min_links].tolist()) & set(pb[cb >= min_links].tolist())
    out |= enough
    return {(c // span, c % span) for c in out}


def sentence_pairs(prepared: Sequence[Prepared], k: int = SENTENCE_NEIGHBOURS,
                   min_cos: float = SENTENCE_MIN_COS, batch: int = QUERY_BATCH
                   ) -> set[tuple[int, int]]:
    """Pairs linked by >= 2 distinctive sentences (or 1 long one) whose centred cosine is
    >= min_cos and which are among each other's k nearest sentences in other articles.

    Exact inner product over every distinctive sentence of the scan, searched in batches
    of queries: memory is the vectors (1.5 KB a sentence) plus one batch of results; time
    grows with the square of the sentence count (0.9 s for 14,700 sentences on the
    shared 2-core machine; 100k sentences would take ~40 s)."""
    rows = [(i, *distinctive_rows(p)) for i, p in enumerate(prepared)]
    return sentence_link_pairs(rows, k, min_cos, batch)


def distinctive_rows(p: Prepared) -> tuple[np.ndarray, np.ndarray]:
    """The centred vectors and content-token counts of an article's distinctive sentences:
    all that sentence links read of it."""
    pos = distinctive(p)
    return (p.side.vectors[pos],
            np.array([len(p.side.words[j]) for j in pos], np.int64))


def sentence_link_pairs(rows: Sequence[tuple[int, np.ndarray, np.ndarray]],
                        k: int = SENTENCE_NEIGHBOURS, min_cos: float = SENTENCE_MIN_COS,
                        batch: int = QUERY_BATCH) -> set[tuple[int, int]]:
    """sentence_pairs over (article index, distinctive vectors, their token counts) rows,
    in article order (the Ray executor gathers only these)."""
    rows = [(i, v, w) for i, v, w in rows if len(w)]
    if len(rows) < 2:
        return set()
    vecs = np.concatenate([v for _, v, _ in rows])
    owner = np.concatenate([np.full(len(w), i, np.int64) for i, _, w in rows])
    sid = np.arange(len(owner), dtype=np.int64)  # global sentence ids
    nwords = np.concatenate([np.asarray(w, np.int64) for _, _, w in rows])
    index = faiss.IndexFlatIP(vecs.shape[1])
    index.add(np.ascontiguousarray(vecs, dtype=np.float32))
    want = min(k + SENTENCE_SELF_EXTRA, len(owner))
    links: list[tuple[np.ndarray, ...]] = []
    for start in range(0, len(owner), batch):
        q = slice(start, start + batch)
        sims, ids = index.search(vecs[q], want)
        own = owner[q][:, None]
        other = (ids >= 0) & (owner[np.maximum(ids, 0)] != own)
        rank = np.cumsum(other, axis=1) - 1
        keep = other & (rank < k) & (sims >= min_cos)
        qi, col = np.nonzero(keep)
        hit = ids[qi, col]
        qg = sid[q][qi]
        links.append((owner[qg], qg, nwords[qg], owner[hit], hit, nwords[hit]))
    if not links:
        return set()
    qa, qs, qw, ha, hs, hw = (np.concatenate(c) for c in zip(*links))
    return link_pairs(qa, qs, qw, ha, hs, hw)


def old_pairs(prepared: Sequence[Prepared]) -> set[tuple[int, int]]:
    """The whole-document signals."""
    # Sentence-mean vectors find translations; lead vectors find same-story coverage.
    return (lexical_pairs(prepared) | vector_pairs(prepared)
            | vector_pairs(prepared, LEAD_NEIGHBOURS, "lead_vector") | anchor_pairs(prepared))


UNDATED = -(1 << 62)  # the search partition of articles without a publication date


def day_number(p: Prepared) -> float:
    """Days since 1970 of the article's publication, NaN when unknown."""
    when = p.article.published_at
    return (when - EPOCH).total_seconds() / 86400 if when is not None else float("nan")


EPOCH = datetime(1970, 1, 1)


def window_keys(day: float, window_days: float | None) -> list[int]:
    """The search partitions an article joins. Time is cut into buckets of `window_days`;
    partition w holds buckets w and w + 1, so two articles at most `window_days` apart
    always share one, and an article joins two. Undated articles are searched among
    themselves. No window (None or inf): one partition, the exact search of the scan."""
    if window_days is None or not math.isfinite(window_days):
        return [0]
    if math.isnan(day):
        return [UNDATED]
    bucket = math.floor(day / window_days)
    return [bucket - 1, bucket]


def search_partitions(days: Sequence[float], window_days: float | None
                      ) -> dict[int, np.ndarray]:
    """window_keys for a whole scan: partition key -> article indices, ascending."""
    members: dict[int, list[int]] = defaultdict(list)
    for i, day in enumerate(days):
        for key in window_keys(day, window_days):
            members[key].append(i)
    return {k: np.array(v, np.int64) for k, v in sorted(members.items())}


def neighbour_pairs(ids: np.ndarray, raw: np.ndarray, lead: np.ndarray,
                    rows: Sequence[tuple[int, np.ndarray, np.ndarray]]
                    ) -> set[tuple[int, int]]:
    """The three nearest-neighbour signals (document vectors, leads, sentence links) over
    one search partition: `ids` ascending (global article indices), `raw` and `lead`
    their vectors, `rows` their distinctive sentences as (global index, vectors, token
    counts). The local run and the Ray executor both search through here."""
    local = knn_pairs(raw, NEIGHBOURS) | knn_pairs(lead, LEAD_NEIGHBOURS)
    out = {(int(ids[i]), int(ids[j])) for i, j in local}
    return out | sentence_link_pairs(rows)


def candidate_pairs(prepared: Sequence[Prepared], search_window_days: float | None = None
                    ) -> list[tuple[int, int]]:
    """Every signal. The key signals (LSH, anchors, passage 5-grams) see the whole scan;
    the nearest-neighbour searches run per publication-time partition when
    `search_window_days` is set (search_partitions), else over the whole scan."""
    pairs = lexical_pairs(prepared) | anchor_pairs(prepared) | passage_pairs(prepared)
    days = [day_number(p) for p in prepared]
    for ids in search_partitions(days, search_window_days).values():
        part = [prepared[i] for i in ids]
        raw = np.stack([p.raw_vector for p in part]) if part else np.zeros((0, 1))
        lead = np.stack([p.lead_vector for p in part]) if part else np.zeros((0, 1))
        rows = [(int(i), *distinctive_rows(p)) for i, p in zip(ids, part)]
        pairs |= neighbour_pairs(ids, raw, lead, rows)
    return sorted(pairs)


# --- the persistent index's passage postings -------------------------------------------------

PASSAGE_MERGE_AT = 1 << 16  # postings held in the dict before they join the sorted arrays


class PassageIndex:
    """Passage-shingle postings for the persistent index, in memory: one sorted array of
    32-bit keys (the low half of passage_hashes) with the article rowid of each, 8 bytes
    per distinct 5-gram of an article, plus a dict of recent additions merged now and then.

    32-bit keys: at 20k full-length articles (~12M postings) a query key hits a foreign
    posting with probability ~0.3 %, i.e. about 2 stray hits per query spread over random
    articles, far below PASSAGE_MIN_SHARED on any one of them.
    """

    def __init__(self) -> None:
        self.keys = np.zeros(0, np.uint32)
        self.ids = np.zeros(0, np.int32)  # rowids
        self.recent: dict[int, list[int]] = {}
        self._recent_postings = 0
        self.seen = 0  # highest rowid loaded

    @staticmethod
    def _short(hashes: np.ndarray) -> np.ndarray:
        return np.unique((hashes & np.uint64(0xFFFFFFFF)).astype(np.uint32))

    def add(self, rowid: int, hashes: np.ndarray) -> None:
        short = self._short(hashes).tolist()
        for k in short:
            self.recent.setdefault(k, []).append(rowid)
        self._recent_postings += len(short)
        self.seen = max(self.seen, rowid)
        if self._recent_postings >= PASSAGE_MERGE_AT:
            self._merge()

    def add_many(self, rowids: Sequence[int], hashsets: Sequence[np.ndarray]) -> None:
        """Many articles at once (opening an index): straight into the sorted arrays."""
        short = [self._short(h) for h in hashsets]
        sizes = [len(s) for s in short]
        if not rowids:
            return
        self.seen = max(self.seen, max(rowids))
        if sum(sizes):
            self._merge(np.concatenate(short),
                        np.repeat(np.asarray(rowids, np.int32), sizes))

    def _merge(self, keys: np.ndarray | None = None, ids: np.ndarray | None = None) -> None:
        """Merge new postings (and the dict's) into the sorted arrays: the new ones are
        sorted, then inserted in one pass (linear in the arrays, not a full re-sort)."""
        parts_k = [keys] if keys is not None else []
        parts_i = [ids] if ids is not None else []
        if self.recent:
            parts_k.append(np.fromiter((k for k, v in self.recent.items() for _ in v),
                                       np.uint32))
            parts_i.append(np.fromiter((i for v in self.recent.values() for i in v),
                                       np.int32))
            self.recent, self._recent_postings = {}, 0
        if not parts_k:
            return
        new_k, new_i = np.concatenate(parts_k), np.concatenate(parts_i)
        order = np.argsort(new_k, kind="stable")
        new_k, new_i = new_k[order], new_i[order]
        at = np.searchsorted(self.keys, new_k, "right")
        self.keys, self.ids = np.insert(self.keys, at, new_k), np.insert(self.ids, at, new_i)

    def query(self, hashes: np.ndarray, min_shared: int = PASSAGE_MIN_SHARED,
              max_df: int = PASSAGE_MAX_DF) -> set[int]:
        """Rowids sharing >= min_shared keys whose document frequency, counting the asking
        article, stays <= max_df."""
        q = self._short(hashes)
        if not len(q):
            return set()
        lo = np.searchsorted(self.keys, q, "left")
        hi = np.searchsorted(self.keys, q, "right")
        extra = [self.recent.get(k, ()) for k in q.tolist()]
        df = (hi - lo) + np.fromiter((len(e) for e in extra), np.int64, len(q))
        keep = (df >= 1) & (df + 1 <= max_df)
        lo, hi = lo[keep], hi[keep]
        n = hi - lo
        starts = np.repeat(lo - np.r_[0, np.cumsum(n)[:-1]], n)
        found = [self.ids[starts + np.arange(int(n.sum()))]]
        found.append(np.fromiter((i for e, k in zip(extra, keep.tolist()) if k for i in e),
                                 np.int32))
        ids, count = np.unique(np.concatenate(found), return_counts=True)
        return set(ids[count >= min_shared].tolist())

    def info(self) -> dict:
        return {"postings": int(len(self.keys)) + self._recent_postings,
                "recent_postings": self._recent_postings,  # in the dict, ~100 bytes each
                "bytes_in_arrays": int(self.keys.nbytes + self.ids.nbytes)}
