"""The encoder's sentence-vector cache kept in the index (the embeddings table)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, MutableMapping

import numpy as np

from newstrace.index.store import Store


class EmbeddingCache(MutableMapping[bytes, np.ndarray]):
    """The Encoder's cache, backed by the embeddings table: nothing is encoded twice.

    New vectors are buffered and written by `flush()` (one transaction per encoder batch),
    and a small LRU keeps recent vectors so the encoder's `in` then `[]` costs one query.
    `fallback` (any mapping) is consulted on a miss and copied in: a warm cache.
    """

    def __init__(self, store: Store, fallback: MutableMapping[bytes, np.ndarray] | None = None,
                 lru: int = 4096):
        self.store = store
        self.fallback = fallback
        self.pending: dict[bytes, np.ndarray] = {}
        self._recent: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._lru = lru

    def _remember(self, key: bytes, vec: np.ndarray) -> None:
        self._recent[key] = vec
        self._recent.move_to_end(key)
        if len(self._recent) > self._lru:
            self._recent.popitem(last=False)

    def _lookup(self, key: bytes) -> np.ndarray | None:
        vec = self.pending.get(key)
        if vec is None:
            vec = self._recent.get(key)
        if vec is None:
            vec = self.store.get_vector(key)
            if vec is None and self.fallback is not None:
                found = self.fallback.get(key)
                if found is not None:
                    vec = np.asarray(found, dtype=np.float32)
                    self.pending[key] = vec
            if vec is not None:
                self._remember(key, vec)
        return vec

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, bytes):
            return False
        return self._lookup(key) is not None

    def __getitem__(self, key: bytes) -> np.ndarray:
        vec = self._lookup(key)
        if vec is None:
            raise KeyError(key)
        return vec

    def __setitem__(self, key: bytes, vec: np.ndarray) -> None:
        vec = np.asarray(vec, dtype=np.float32)
        self.pending[key] = vec
        self._remember(key, vec)

    def __delitem__(self, key: bytes) -> None:
        raise TypeError("the embedding cache is append-only")

    def __iter__(self) -> Iterator[bytes]:
        for row in self.store.conn.execute("SELECT key FROM embeddings"):
            yield row[0]

    def __len__(self) -> int:
        return self.store.count("embeddings")

    def checkpoint(self) -> None:
        """Called by the Encoder after each batch: a crash loses at most one batch."""
        self.flush()

    def flush(self) -> None:
        """Write buffered vectors in their own transaction (content-keyed, so safe alone)."""
        if not self.pending:
            return
        items = list(self.pending.items())
        if self.store.conn.in_transaction:
            self.store.put_vectors(items)
        else:
            with self.store.transaction():
                self.store.put_vectors(items)
        self.pending.clear()
