"""The index's in-memory MinHash LSH (bands.py) against rensa's RMinHashLSH on real text."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from rensa import RMinHashLSH

from newstrace.embedding.prepare import shingles, words
from newstrace.matching import bands as bands_module
from newstrace.matching.bands import BANDS, BandIndex, signature
from newstrace.matching.candidates import LSH_THRESHOLD, NUM_PERM, minhash

FIXTURE = Path(__file__).parent / "fixtures" / "devsample.jsonl"


class Signatures:
    """A signature table in a list, as Store.signatures_after reads it."""

    def __init__(self) -> None:
        self.rows: list[tuple[int, bytes]] = []

    def signatures_after(self, rowid: int) -> list[tuple[int, bytes]]:
        return [r for r in self.rows if r[0] > rowid]


def _texts() -> list[str]:
    rows = [json.loads(x) for x in FIXTURE.read_text(encoding="utf-8").splitlines()]
    texts = [r["text"] for r in rows]
    # Same-language copies to find: a light edit of each text and a half of each.
    edited = [t.replace(".", ";", 2) + " Read more on our site." for t in texts]
    halves = [t[: len(t) // 2] for t in texts]
    return texts + edited + halves


@pytest.mark.parametrize("merge_at", [4, 1024])
def test_same_candidates_as_rensa_whether_loaded_merged_or_recent(
        merge_at: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bands_module, "MERGE_AT", merge_at)
    texts = _texts()
    sh = [shingles(words(t)) for t in texts]
    ref = RMinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM, num_bands=BANDS)
    for i, s in enumerate(sh):
        ref.insert(i + 1, minhash(s))
    source = Signatures()
    first = len(texts) // 3
    for i, s in enumerate(sh[:first]):  # written before the index was opened
        source.rows.append((i + 1, signature(s).tobytes()))
    bands = BandIndex(source)
    assert bands.info()["band_keys"] == first * BANDS
    for i, s in enumerate(sh[first:], start=first):  # committed while open
        source.rows.append((i + 1, signature(s).tobytes()))
        if i % 7 == 0:
            bands.sync()  # as a query would: some go to the dict one by one
    found_copies = 0
    for i, s in enumerate(sh):
        ours = bands.query(signature(s))
        assert ours == set(ref.query(minhash(s)))
        assert i + 1 in ours
        found_copies += (i + 1 + len(sh) // 3) in ours if i < len(sh) // 3 else 0
    assert found_copies >= len(sh) // 3 - 1  # the light edits are found


def test_keys_are_the_same_every_run_and_spread_over_bands() -> None:
    sig = signature(frozenset({"the quick brown", "quick brown fox"}))
    keys = np.asarray(signature(frozenset({"the quick brown", "quick brown fox"})))
    assert np.array_equal(sig, keys)
    from newstrace.matching.bands import band_keys

    k = band_keys(sig[None])[0]
    assert k.dtype == np.uint64 and len(set(k.tolist())) == BANDS
