"""Nearest-neighbour search over one column of document vectors (faiss HNSW).

The doc_vectors table is the truth; the faiss file next to the database
(`<db>.faiss`, `<db>.lead.faiss`) is a cache of it. The graph is held in memory and grows
with each add; the file is rewritten now and then, so the next process starts from it and
only adds what was committed since (by any process: ids are article rowids, never reused).

HNSW, not an exact flat scan: at 20,000 articles the flat scan of two indexes cost 5 ms
per added article and grew linearly; the graph costs ~0.4 ms per search and ~0.35 ms per
insert and grows with log N. Its neighbour lists agree with the exact top 30 on 99.6 % of
entries at 20k (M 32, efSearch 128; docs/PERFORMANCE.md), and the candidate recall of
true reuse pairs is measured by `bench/bench_index.py quality`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from newstrace.embedding.encoder import DIM
from newstrace.index.store import Store

HNSW_M = 32  # graph degree: recall 0.990 → 0.996 over M 16 at efSearch 128, 2x the insert
HNSW_EF_CONSTRUCTION = 64
HNSW_EF_SEARCH = 128
SAVE_MIN = 256  # rewrite the file once this many vectors were added since the last write
STALE_SHARE = 0.25  # rebuild from the table once replaced vectors are this share of all
# Per vector: the float32 vector, ~2 x M neighbour ids at level 0 (plus upper levels), the id.
BYTES_PER_VECTOR = DIM * 4 + int(2.2 * HNSW_M * 4) + 8


def _searchable(idx: Any) -> Any:
    faiss.downcast_index(idx.index).hnsw.efSearch = HNSW_EF_SEARCH
    return idx


def _empty() -> Any:
    graph = faiss.IndexHNSWFlat(DIM, HNSW_M, faiss.METRIC_INNER_PRODUCT)
    graph.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    return _searchable(faiss.IndexIDMap(graph))


class _OneThread:
    """One query or one insert is too small to share: OpenMP's thread wake-up costs ~8 ms
    on a busy 2-core machine, more than the work itself."""

    def __enter__(self) -> None:
        self.threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1)

    def __exit__(self, *exc: object) -> None:
        faiss.omp_set_num_threads(self.threads)


class VectorIndex:
    def __init__(self, store: Store, path: Path, column: str):
        self.store = store
        self.path = path
        self.column = column
        self.index: Any = None
        self.seen = 0  # highest rowid in the graph
        self.unsaved = 0  # vectors added since the file was written
        self.loaded = False
        self.from_file = 0  # vectors in the file when read or last written
        self.writer = False  # only a process that adds writes the file

    def _load(self) -> None:
        self.loaded = True
        self.index, self.seen, self.unsaved, self.from_file = _empty(), 0, 0, 0
        if self.path.exists():
            try:
                idx = faiss.read_index(str(self.path))
            except RuntimeError:
                idx = None
            if idx is not None and self._trusted(idx):
                self.index = _searchable(idx)
                self.seen = int(faiss.vector_to_array(idx.id_map).max())
                self.from_file = int(idx.ntotal)
        self.sync()

    def _trusted(self, idx: Any) -> bool:
        """The file must be ours: an HNSW graph of the right dimension whose sampled
        vectors equal the table's (a file left from another database, written before a
        crash, or the flat index of an older version is not used)."""
        if idx.d != DIM or idx.ntotal == 0 or not hasattr(idx, "id_map"):
            return False
        graph = faiss.downcast_index(idx.index)
        if not isinstance(graph, faiss.IndexHNSWFlat):
            return False
        ids = faiss.vector_to_array(idx.id_map)
        if int(ids.max()) > self.store.max_article_id():
            return False
        checked = 0
        for pos in sorted({0, len(ids) // 2, len(ids) - 1}):
            stored = self.store.doc_vector(int(ids[pos]), self.column)
            if stored is None:
                continue
            if not np.allclose(graph.reconstruct(pos), stored, atol=1e-6):
                return False
            checked += 1
        return checked > 0

    def sync(self) -> None:
        """Add vectors committed (by any process) since we last looked."""
        for ids, vecs in self.store.iter_doc_vectors(self.column, after=self.seen):
            self.index.add_with_ids(vecs, ids)  # a chunk: the threads pay off here
            self.seen = int(ids[-1])
            self.unsaved += len(ids)

    def add(self, rowid: int, vec: np.ndarray) -> None:
        if not self.loaded:
            self._load()
        self.writer = True
        if rowid > self.seen:
            with _OneThread():
                self.index.add_with_ids(vec.reshape(1, -1).astype(np.float32),
                                        np.array([rowid], dtype=np.int64))
            self.seen = rowid
            self.unsaved += 1

    def search(self, vec: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The k nearest (cosine, best first); ids of replaced articles may be among them."""
        if not self.loaded:
            self._load()
        self.sync()
        if self.index.ntotal == 0:
            return []
        with _OneThread():
            sims, ids = self.index.search(vec.reshape(1, -1).astype(np.float32),
                                          min(k, int(self.index.ntotal)))
        return [(int(i), float(s)) for s, i in zip(sims[0], ids[0], strict=True) if i >= 0]

    def maybe_save(self, force: bool = False) -> None:
        """Write the graph when enough was added since the last write (atomically: readers
        see the old file or the new). Rebuilt from the table first when too many of its
        vectors belong to replaced or removed articles."""
        if not self.loaded or not self.writer or self.unsaved == 0:
            return
        if not force and self.unsaved < max(SAVE_MIN, self.from_file // 10):
            return
        live = self.store.count("doc_vectors")
        if self.index.ntotal - live > STALE_SHARE * max(live, 1):
            self.index, self.seen = _empty(), 0
            self.sync()
        if self.index.ntotal == 0:
            return
        tmp = self.path.with_name(self.path.name + f".tmp{os.getpid()}")
        faiss.write_index(self.index, str(tmp))
        os.replace(tmp, self.path)
        self.unsaved, self.from_file = 0, int(self.index.ntotal)

    def info(self) -> dict:
        if not self.loaded:
            self._load()
        return {
            "file": str(self.path) if self.path.exists() else None,
            "kind": f"HNSW (M {HNSW_M}, efSearch {HNSW_EF_SEARCH})",
            "vectors": int(self.index.ntotal),
            "file_vectors": self.from_file,  # read from the file (the rest from the table)
            "unsaved_vectors": self.unsaved,
            "bytes_per_article": BYTES_PER_VECTOR,
        }


# --- sentence window: the index's sentence-link signal ---------------------------------------

WINDOW_ARTICLES = 500  # the most recent stored articles whose sentences are searched
_POS_BITS, _WORD_BITS = 24, 8


def sentence_id(rowid: int | np.ndarray, pos: int | np.ndarray,
                words: int | np.ndarray) -> np.ndarray:
    """One int64 per stored sentence: article rowid, position, content tokens (capped at
    255): what a hit must tell without a lookup."""
    return ((np.asarray(rowid, np.int64) << (_POS_BITS + _WORD_BITS))
            | (np.asarray(pos, np.int64) << _WORD_BITS)
            | np.minimum(np.asarray(words, np.int64), 255))


def split_id(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (ids >> (_POS_BITS + _WORD_BITS), (ids >> _WORD_BITS) & ((1 << _POS_BITS) - 1),
            ids & 255)


class SentenceWindow:
    """Exact inner-product search over the distinctive sentences (centred vectors) of the
    most recently stored articles: the last `size` rowids. In memory only (1.5 KB per
    sentence, ~25 distinctive sentences per full-length article: ~75 MB at 2,000
    articles); filled from the sentences and embeddings tables when first used, then fed
    as articles are committed. Older articles slide out, a quarter window at a time.
    """

    def __init__(self, size: int = WINDOW_ARTICLES):
        self.size = size
        self.index: Any = faiss.IndexIDMap(faiss.IndexFlatIP(DIM))
        self.seen = 0  # highest rowid loaded
        self.oldest = 0  # rowids <= this were removed (or never loaded)

    def add(self, rowid: int, vectors: np.ndarray, positions: np.ndarray,
            words: np.ndarray) -> None:
        """One article's distinctive sentences (centred vectors)."""
        self.seen = max(self.seen, rowid)
        if len(vectors) and rowid > self.oldest:
            self.index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32),
                                    sentence_id(rowid, positions, words))
        self._slide()

    def skip_to(self, rowid: int) -> None:
        """Rowids <= rowid are out of the window: removed if held, never loaded if not."""
        if rowid > self.oldest:
            if self.index.ntotal:
                self.index.remove_ids(faiss.IDSelectorRange(0, int(rowid + 1) << (
                    _POS_BITS + _WORD_BITS)))
            self.oldest = rowid
            self.seen = max(self.seen, rowid)

    def _slide(self) -> None:
        cutoff = self.seen - self.size
        if cutoff - self.oldest >= max(1, self.size // 4):
            self.skip_to(cutoff)

    def search(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(similarities, sentence ids), k per query row; ids -1 where fewer exist."""
        n = int(self.index.ntotal)
        if n == 0 or not len(vectors):
            return (np.zeros((len(vectors), 0), np.float32),
                    np.zeros((len(vectors), 0), np.int64))
        return self.index.search(np.ascontiguousarray(vectors, dtype=np.float32), min(k, n))

    def info(self) -> dict:
        return {"articles": self.size, "sentences": int(self.index.ntotal),
                "bytes_in_memory": int(self.index.ntotal) * (DIM * 4 + 8)}
