"""MinHash LSH for the persistent index: signatures on disk, band keys in memory.

Each article's MinHash signature (rensa, NUM_PERM 32-bit values) is one row of the index's
`signatures` table. The LSH bands are derived from it: BANDS keys of NUM_PERM // BANDS rows
each, held in memory as one sorted array of (key, article) — 16 bytes per band, 512 bytes
per article — plus a small dict of recent additions that is merged into the array now and
then. Opening rebuilds the array from the table (vectorised: about 0.1 s per 20k
articles), so there is no second file to go stale. A query is one `searchsorted` over the
array and BANDS dict lookups; two articles are candidates when any band key is equal,
which is what rensa's RMinHashLSH does with the same banding (the bench checks that both
return the same sets).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from newstrace.matching.candidates import NUM_PERM, minhash, mixers

BANDS = 32  # as candidates.lexical_pairs (rensa, num_bands=32)
MERGE_AT = 1024  # articles in the dict before it is merged into the sorted array


class SignatureSource(Protocol):
    def signatures_after(self, rowid: int) -> list[tuple[int, bytes]]: ...


_ROWS = NUM_PERM // BANDS
_MIX = mixers(_ROWS + BANDS)
_BAND_MIX, _BAND_SALT = _MIX[:_ROWS], _MIX[_ROWS:]


def signature(shingles: frozenset[str]) -> np.ndarray:
    return np.asarray(minhash(shingles).digest(), dtype=np.uint32)


def band_keys(sigs: np.ndarray) -> np.ndarray:
    """(n, BANDS) uint64 keys for n signatures; the band number is mixed into each key, so
    one array holds every band (equal keys from different bands would need a 64-bit
    collision)."""
    rows = sigs.astype(np.uint64).reshape(len(sigs), BANDS, _ROWS)
    with np.errstate(over="ignore"):  # arithmetic mod 2**64 is the point
        return (rows * _BAND_MIX).sum(axis=2, dtype=np.uint64) + _BAND_SALT


class BandIndex:
    """In-memory LSH over the signatures a store holds; ids are article rowids. Every
    query first loads what was committed since (one indexed read), so an article is
    found as soon as its transaction commits.

    Rowids are never reused: a deleted or replaced article's keys stay until the next open
    and callers drop ids that no longer exist (as for the vector index).
    """

    def __init__(self, source: SignatureSource):
        self.source = source
        self.keys = np.zeros(0, np.uint64)
        self.ids = np.zeros(0, np.int64)
        self.recent: dict[int, list[int]] = {}
        self._recent_articles = 0
        self.seen = 0  # highest rowid loaded
        self.sync()

    def sync(self) -> None:
        """Load the signatures committed since the last sync, by this process or another:
        a few go to the dict, many (opening an index) straight into the sorted array.
        Rowids are taken under SQLite's write lock, so they grow in commit order."""
        rows = self.source.signatures_after(self.seen)
        if not rows:
            return
        ids = np.array([r for r, _ in rows], dtype=np.int64)
        sigs = np.frombuffer(b"".join(s for _, s in rows), dtype=np.uint32)
        keys = band_keys(sigs.reshape(len(rows), NUM_PERM))
        self.seen = int(ids.max())
        if len(rows) >= MERGE_AT:
            self._merge(keys.ravel(), np.repeat(ids, BANDS))
            return
        for rowid, row in zip(ids.tolist(), keys.tolist()):
            for k in row:
                self.recent.setdefault(k, []).append(rowid)
        self._recent_articles += len(rows)
        if self._recent_articles >= MERGE_AT:
            self._merge(np.zeros(0, np.uint64), np.zeros(0, np.int64))

    def query(self, sig: np.ndarray) -> set[int]:
        self.sync()
        q = band_keys(sig[None])[0]
        lo = np.searchsorted(self.keys, q, "left").tolist()
        hi = np.searchsorted(self.keys, q, "right").tolist()
        out: set[int] = set()
        for a, b in zip(lo, hi):
            if b > a:
                out.update(self.ids[a:b].tolist())
        for k in q.tolist():
            out.update(self.recent.get(k, ()))
        return out

    def _merge(self, keys: np.ndarray, ids: np.ndarray) -> None:
        if self.recent:
            rk = np.fromiter((k for k, v in self.recent.items() for _ in v), np.uint64)
            ri = np.fromiter((i for v in self.recent.values() for i in v), np.int64)
            keys, ids = np.concatenate([keys, rk]), np.concatenate([ids, ri])
            self.recent, self._recent_articles = {}, 0
        if not len(keys):
            return
        all_keys = np.concatenate([self.keys, keys])
        order = np.argsort(all_keys, kind="stable")
        self.keys = all_keys[order]
        self.ids = np.concatenate([self.ids, ids])[order]

    def info(self) -> dict:
        return {"band_keys": int(len(self.keys)) + sum(map(len, self.recent.values())),
                "bytes_in_memory": int(self.keys.nbytes + self.ids.nbytes),
                "bytes_per_article": BANDS * 16}
