"""The index's read side: kin, articles, stories, families, the export rows and stats.

A mixin of Index, not a part it holds: stats reports nearly every part of the index (its
file, encoder version, window, vector indexes, bands) and kin of a new article encodes and
relates it, so a separate object would need most of Index handed to it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

from newstrace.embedding.encoder import Encoder
from newstrace.embedding.prepare import analyse, build, lead
from newstrace.grouping import origin_status
from newstrace.index.common import MODEL_META, NotIndexed, guarded, text_hash
from newstrace.index.embeddings import EmbeddingCache
from newstrace.index.neighbours import Neighbours
from newstrace.index.regroup import effective
from newstrace.index.store import Store
from newstrace.index.vectors import VectorIndex
from newstrace.matching.bands import BandIndex
from newstrace.matching.relation import REUSE, default_params, model_version
from newstrace.text.article import Article, parse_date


class Reads:
    """Read queries over the parts Index sets up (declared here, assigned there)."""

    path: Path
    store: Store
    encoder: Encoder
    cache: EmbeddingCache
    neighbours: Neighbours
    vectors: dict[str, VectorIndex]
    bands: BandIndex
    encoder_version: str | None
    window_days: float | None
    stale: bool
    require_current_encoder: Callable[[], None]

    def _row(self, ext_id: str) -> sqlite3.Row:
        row = self.store.article_row(ext_id)
        if row is None:
            raise NotIndexed(f"no article '{ext_id}' in {self.path}")
        return row

    @guarded
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
                         for _, r in self.neighbours.relate_to_candidates(p, exclude)
                         if r.relation != "unrelated"]
        if not with_features:
            for d in pairs:
                d.pop("features", None)
        return sorted(pairs, key=lambda d: (-d["reuse_score"], -d["story_score"], d["a"], d["b"]))

    def _stored_kin(self, rowid: int) -> list[dict]:
        return effective(self.store.pairs_of(rowid), self.store.inferred_of(rowid))

    def _family_dict(self, fid: int, articles: list[str], story: int | None) -> dict:
        row = self.store.family_row(fid)
        d = {
            "id": f"F{fid}",
            "story": f"S{story}" if story else None,
            "articles": sorted(articles),
            "origin": row["origin"] if row else None,
            "origin_confidence": round(row["origin_confidence"], 3) if row else 0.0,
            "origin_reason": row["origin_reason"] if row else "",
            "attributed_source": row["attributed_source"] if row else None,
        }
        # not stored: read from the origin and its reason, as the scan states it
        d["origin_status"] = origin_status(d)
        return d

    @guarded
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

    @guarded
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
        pairs = effective(self.store.pair_data(ext), self.store.inferred_among(ext))
        for d in pairs:
            d.pop("features", None)
        pairs.sort(key=lambda d: (d["a"], d["b"]))
        return {
            "id": f"S{sid}",
            "articles": sorted(ext.values()),
            "families": [self._family_dict(f, m, sid) for f, m in sorted(fams.items())],
            "pairs": pairs,
        }

    @guarded
    def stories(self) -> list[dict]:
        groups: dict[int, list[str]] = {}
        for sid, ext_id in self.store.conn.execute("SELECT story, ext_id FROM articles"):
            groups.setdefault(sid or 0, []).append(ext_id)
        out = [{"id": f"S{sid}" if sid else None, "articles": sorted(m)}
               for sid, m in groups.items()]
        return sorted(out, key=lambda d: (-len(d["articles"]), d["articles"][0]))

    @guarded
    def families(self) -> list[dict]:
        groups: dict[int, tuple[list[str], int | None]] = {}
        for fid, ext_id, story in self.store.conn.execute(
            "SELECT family, ext_id, story FROM articles WHERE family IS NOT NULL"
        ):
            groups.setdefault(fid, ([], story))[0].append(ext_id)
        return [self._family_dict(f, m, s) for f, (m, s) in sorted(groups.items())]

    @guarded
    def all_pairs(self, reuse_only: bool = False) -> list[dict]:
        """Every related pair of the index once (compare's contract, no features), as kin
        states them (an inferred relation replaces a direct non-reuse verdict), by ids."""
        pairs = effective(*self.store.all_pair_data(reuse_only))
        if reuse_only:
            pairs = [d for d in pairs if d["relation"] in REUSE]
        for d in pairs:
            d.pop("features", None)
        return sorted(pairs, key=lambda d: (d["a"], d["b"]))

    @guarded
    def article_fields(self) -> list[dict]:
        """Each article's stored fields without its text or sentences, in one scan."""
        rows = self.store.conn.execute(
            "SELECT ext_id, title, lang, url, source, published, attributed_source "
            "FROM articles ORDER BY id")
        return [{**dict(r), "id": r["ext_id"]} for r in rows]

    @guarded
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

    @guarded
    def stats(self) -> dict:
        """What is stored: counts, sizes on disk. The Index adds its in-memory vector and
        LSH indexes; a reader leaves them out, so it answers while the writer adds."""
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

        model = s.get_meta(MODEL_META)

        return {
            "path": str(self.path),
            "schema_version": s.schema_version(),
            "encoder_version": self.encoder_version,
            "needs_rebuild": self.stale,
            # Verdicts stored by another relation model than this newstrace's (an upgrade
            # recalibrated it): still readable; `index rebuild` re-verifies every pair.
            "relation_model": model or "unrecorded",
            "verdicts_current": model == model_version(
                getattr(self, "params", None) or default_params()),
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
                "db": file_size(self.path),
                "wal": file_size(self.path.with_name(self.path.name + "-wal")),
            },
            "lsh": {"signatures": s.count("signatures")},
            "anchor_postings": s.count("postings"),
        }

    @guarded
    def integrity_check(self) -> str:
        return self.store.integrity_check()


def file_size(p: Path) -> int:
    return p.stat().st_size if p.exists() else 0


def with_search_stats(stored: dict, search: dict | None) -> dict:
    """Stored stats with the writer's search-index figures merged in (None: not known)."""
    if search is None:
        return stored
    stored["bytes"]["faiss"] = search["faiss_bytes"]
    stored["vector_index"] = search["vector_index"]
    stored["lsh"] = {**stored["lsh"], **search["lsh"]}
    return stored


def _export_group(group: list[sqlite3.Row]) -> Iterator[dict]:
    members = {r["ext_id"] for r in group}
    keeper = group[0]["origin"] if group[0]["origin"] in members else None
    if keeper is None:
        dated = [(d, r["ext_id"]) for r in group if (d := parse_date(r["published"]))]
        keeper = min(dated)[1] if dated else min(members)
    for r in sorted(group, key=lambda r: r["ext_id"]):
        yield {"id": r["ext_id"], "family": f"F{r['family']}",
               "story": f"S{r['story']}" if r["story"] else None, "keep": r["ext_id"] == keeper}
