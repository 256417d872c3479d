"""The index's candidate search: which stored articles a new one is aligned with.

Candidates come from the index only: MinHash LSH (same-language copies; signatures in
SQL, bands in memory: bands.py), the faiss indexes over document vectors (translations,
rewrites, same story) and the anchor postings (shared names and numbers); and, for partial
copies, passage 5-gram postings over every stored article (in memory, rebuilt from the
sentences table on first use) and sentence links into a window of the most recently stored
articles (vectors.SentenceWindow).

Stored articles come back as Prepared from a bounded cache, else rebuilt from their stored
sentences and vectors.
"""

from __future__ import annotations

import json
import sqlite3
from collections import OrderedDict
from collections.abc import Iterator, Sequence

import numpy as np

from newstrace.embedding.encoder import DIM, Encoder, center
from newstrace.embedding.prepare import Prepared, build, lead, sentence_sets, unpack_sets
from newstrace.index.embeddings import EmbeddingCache
from newstrace.index.store import Store
from newstrace.index.vectors import SentenceWindow, VectorIndex, split_id
from newstrace.matching.bands import BandIndex, signature
from newstrace.matching.candidates import (
    ANCHOR_MAX_DF,
    ANCHOR_MIN_SHARED,
    LEAD_NEIGHBOURS,
    NEIGHBOURS,
    SENTENCE_MIN_COS,
    SENTENCE_MIN_WORDS,
    SENTENCE_NEIGHBOURS,
    SENTENCE_SELF_EXTRA,
    PassageIndex,
    distinctive,
    link_pairs,
    passage_hashes,
)
from newstrace.matching.relation import PairResult, Params, relate
from newstrace.text.article import Article

PREPARED_CACHE = 512  # rebuilt candidate articles kept in memory (bounded, ~40 KB each)


class Neighbours:
    """Candidate search and relating over the index's store, vectors and bands."""

    def __init__(self, store: Store, vectors: dict[str, VectorIndex], bands: BandIndex,
                 encoder: Encoder, cache: EmbeddingCache, params: Params):
        self.store = store
        self.vectors = vectors
        self.bands = bands
        self.encoder = encoder
        self.cache = cache
        self.params = params
        self.prepared: OrderedDict[int, Prepared] = OrderedDict()
        # The passage postings and the sentence window, built on first use (a test or a
        # bench may set its own, e.g. a smaller window).
        self.partial_state: tuple[PassageIndex, SentenceWindow] | None = None

    def candidates(self, p: Prepared, exclude: set[int], partial: bool = True) -> set[int]:
        found: set[int] = set()
        if p.shingles:
            found |= self.store.existing(self.bands.query(signature(p.shingles)))
        searches = [("lead", p.lead_centred, LEAD_NEIGHBOURS)]
        if len(p.side.vectors):
            searches.append(("doc", p.doc_vector, NEIGHBOURS))
        for name, vec, k in searches:
            # The k nearest, no cosine floor (the centred scale has none calibrated yet);
            # stale ids (replaced articles) are dropped, so a few extra are asked for.
            hits = self.vectors[name].search(vec, k + 8)
            live = self.store.existing(i for i, _ in hits)
            found.update([i for i, _ in hits if i in live and i not in exclude][:k])
        if p.doc_anchors:
            found |= self.store.anchor_matches(p.doc_anchors, ANCHOR_MAX_DF, ANCHOR_MIN_SHARED)
        if partial and p.article.sentences:
            # Partial copies: a shared passage (same language) or linked sentences.
            passages, window = self.sync_partial(exclude)
            linked = passages.query(passage_hashes(p.article.sentences))
            linked |= self.sentence_links(p, window, exclude)
            found |= self.store.existing(linked - found - exclude)
        return found - exclude

    def _partial(self) -> tuple[PassageIndex, SentenceWindow]:
        """The passage postings (every stored article) and the sentence window (the last
        WINDOW_ARTICLES rowids): in memory, built from the tables on first use."""
        if self.partial_state is None:
            self.partial_state = (PassageIndex(), SentenceWindow())
        return self.partial_state

    def sync_partial(self, exclude: set[int]) -> tuple[PassageIndex, SentenceWindow]:
        """Load the articles committed (by any process) since the last call. The article
        being added (the newest rowid, in `exclude`) is not loaded: its transaction may
        still roll back and its rowid be given again; the next call loads it."""
        passages, window = self._partial()
        bound = self.store.max_article_id()
        if exclude and max(exclude) >= bound:
            bound = max(exclude) - 1
        if bound > passages.seen:
            ids, hashes = [], []
            for rowid, texts in self._sentence_texts(passages.seen, bound):
                ids.append(rowid)
                hashes.append(passage_hashes(texts))
            if len(ids) > 64:
                passages.add_many(ids, hashes)
            else:
                for rowid, h in zip(ids, hashes, strict=True):
                    passages.add(rowid, h)
            passages.seen = bound
        if bound > window.seen:
            start = max(window.seen, bound - window.size)
            if start > window.seen:  # more than a window since the last call
                window.skip_to(start)
            for chunk in range(start + 1, bound + 1, 256):
                rows = self.store.article_rows(range(chunk, min(chunk + 256, bound + 1)))
                sents = self.store.sentences_of(r["id"] for r in rows)
                for row in rows:
                    self._window_add(window, row["id"], row["lang"], sents.get(row["id"], []))
            window.seen = bound
        return passages, window

    def _sentence_texts(self, after: int, upto: int, chunk: int = 512
                        ) -> Iterator[tuple[int, list[str]]]:
        """(rowid, sentence texts) of the articles with after < rowid <= upto, in order."""
        for lo in range(after, upto, chunk):
            texts: dict[int, list[str]] = {}
            for art, text in self.store.conn.execute(
                "SELECT article, text FROM sentences WHERE article > ? AND article <= ? "
                "ORDER BY article, pos", (lo, min(lo + chunk, upto))
            ):
                texts.setdefault(art, []).append(text)
            yield from texts.items()

    @staticmethod
    def _window_add(window: SentenceWindow, rowid: int, lang: str | None,
                    rows: Sequence[sqlite3.Row]) -> None:
        keep = []
        for s in rows:
            if s["vec"] is None:
                continue
            words = unpack_sets(s["sets"])[1] if s["sets"] is not None \
                else sentence_sets(s["text"])[1]
            if len(words) >= SENTENCE_MIN_WORDS:
                keep.append((s["pos"], len(words), s["vec"]))
        if not keep:
            window.add(rowid, np.zeros((0, DIM), np.float32), np.zeros(0, np.int64),
                       np.zeros(0, np.int64))
            return
        raw = np.frombuffer(b"".join(v for _, _, v in keep), np.float32).reshape(-1, DIM)
        window.add(rowid, center(raw, lang), np.array([p for p, _, _ in keep]),
                   np.array([w for _, w, _ in keep]))

    @staticmethod
    def sentence_links(p: Prepared, window: SentenceWindow, exclude: set[int]) -> set[int]:
        """Stored articles in the window linked to `p` by its distinctive sentences, as in
        candidates.sentence_pairs (from p's sentences only: a stored sentence whose top k
        holds p's sentence but not the other way round does not count here)."""
        pos = distinctive(p)
        if not len(pos):
            return set()
        sims, ids = window.search(p.side.vectors[pos], SENTENCE_NEIGHBOURS + SENTENCE_SELF_EXTRA)
        if not ids.size:
            return set()
        rowid, _, words = split_id(np.maximum(ids, 0))
        valid = (ids >= 0) & ~np.isin(rowid, list(exclude))
        rank = np.cumsum(valid, axis=1) - 1
        qi, col = np.nonzero(valid & (rank < SENTENCE_NEIGHBOURS) & (sims >= SENTENCE_MIN_COS))
        if not len(qi):
            return set()
        _, hit = np.unique(ids[qi, col], return_inverse=True)  # compact sentence ids
        qwords = np.array([len(p.side.words[i]) for i in pos], np.int64)
        pairs = link_pairs(np.zeros(len(qi), np.int64), pos[qi], qwords[qi],
                           rowid[qi, col], hit + len(p.side.words), words[qi, col])
        return {b for _, b in pairs}

    def relate_to_candidates(self, p: Prepared, exclude: set[int]) -> list[
        tuple[int, PairResult]
    ]:
        cands = sorted(self.candidates(p, exclude))
        prepared = self.prepared_many(cands)
        # The earlier article is `a`, as in a scan of the same articles in order.
        return [(other, relate(prepared[other], p, self.params))
                for other in cands if other in prepared]

    # --- stored articles as Prepared ----------------------------------------------------

    def remember(self, rowid: int, p: Prepared) -> None:
        self.prepared[rowid] = p
        self.prepared.move_to_end(rowid)
        while len(self.prepared) > PREPARED_CACHE:
            self.prepared.popitem(last=False)

    def forget(self, rowid: int) -> None:
        self.prepared.pop(rowid, None)

    def prepared_for(self, rowid: int) -> Prepared | None:
        return self.prepared_many([rowid]).get(rowid)

    def prepared_many(self, rowids: Sequence[int]) -> dict[int, Prepared]:
        """Indexed articles as Prepared: from the cache, else rebuilt from stored sentences
        and vectors (three reads for all of them, not three per article)."""
        out: dict[int, Prepared] = {}
        for r in rowids:
            if r in self.prepared:
                self.prepared.move_to_end(r)
                out[r] = self.prepared[r]
        missing = [r for r in rowids if r not in out]
        if not missing:
            return out
        sents = self.store.sentences_of(missing)
        leads = self.store.doc_vectors_of(missing, "lead")
        for row in self.store.article_rows(missing):
            rowid = row["id"]
            art = article_from_row(row)
            rows = sents.get(rowid, [])
            art.sentences = [s["text"] for s in rows]
            art.sentence_langs = [s["lang"] for s in rows]
            lead_vec = leads.get(rowid)
            if lead_vec is None or any(s["vec"] is None for s in rows):  # never written
                vecs = self.encoder.encode(art.sentences)
                lead_vec = self.encoder.encode([lead(art)])[0]
                self.cache.flush()
            elif rows:
                vecs = np.frombuffer(b"".join(s["vec"] for s in rows),
                                     dtype=np.float32).reshape(len(rows), DIM)
            else:
                vecs = np.zeros((0, DIM), np.float32)
            sets = [unpack_sets(s["sets"]) if s["sets"] is not None
                    else sentence_sets(s["text"]) for s in rows]
            out[rowid] = build(art, vecs, lead_vec, sets)
            self.remember(rowid, out[rowid])
        return out


def article_from_row(row: sqlite3.Row) -> Article:
    """An articles-table row as an Article without its text (metadata only)."""
    return Article(
        id=row["ext_id"], text="", title=row["title"], lang=row["lang"], url=row["url"],
        source=row["source"], published=row["published"], path=row["path"],
        attributed_source=row["attributed_source"], warnings=json.loads(row["warnings"]),
    )
