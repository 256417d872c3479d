"""`newstrace index rebuild`: re-encode and re-verify every article of an index.

Needed when the encoder changes (Index.stale): old vectors are not comparable with new
ones, so every pair must be aligned and verified again. Also what brings verdicts of an
older relation model (stats: verdicts_current false) up to the current one. The articles
are re-added, in their original order, into a fresh index beside the old one
(`<file>.rebuild`); when all are in, the fresh file replaces the old one. An interrupted
rebuild resumes where it stopped: the articles already in `<file>.rebuild` are skipped.
The old index stays readable throughout.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from newstrace.index import Index
from newstrace.index.store import Store
from newstrace.pipeline import Pipeline
from newstrace.text.article import Article

SIDE_FILES = (".faiss", ".lead.faiss")
BATCH = 64

Progress = Callable[[str, int, int], None]


def _articles(store: Store, skip: set[str]) -> list[Article]:
    rows = [r for r in store.iter_articles() if r["ext_id"] not in skip]
    sents = store.sentences_of([r["id"] for r in rows]) if rows else {}
    out = []
    for r in rows:
        ss = sents.get(r["id"], [])
        texts = [s["text"] for s in ss]
        out.append(Article(
            id=r["ext_id"], text="\n".join(texts), title=r["title"], lang=r["lang"],
            url=r["url"], source=r["source"], published=r["published"], path=r["path"],
            attributed_source=r["attributed_source"], warnings=json.loads(r["warnings"]),
            sentences=texts, sentence_langs=[s["lang"] for s in ss]))
    return out


def rebuild(path: Path, pipeline: Pipeline | None = None,
            progress: Progress | None = None) -> int:
    """Rebuild the index at `path`; returns the number of articles re-added now."""
    tick = progress or (lambda stage, done, total: None)
    fresh = path.with_name(path.name + ".rebuild")
    old = Store(path, create=False)
    try:
        window = old.get_meta("window_days")
        hashes = {r["ext_id"]: r["text_hash"] for r in old.iter_articles()}
        with Index(fresh, pipeline=pipeline, create=True,
                   window_days=float(window) if window else None) as new:
            done = {r["ext_id"] for r in new.store.iter_articles()}
            todo = _articles(old, done)
            for start in range(0, len(todo), BATCH):
                batch = todo[start : start + BATCH]
                new.add(batch)
                # Keep the hash of the text as it was added, so re-adding the same file
                # later is still "unchanged" (the rebuild joins the stored sentences).
                with new.store.transaction():
                    new.store.conn.executemany(
                        "UPDATE articles SET text_hash = ? WHERE ext_id = ?",
                        [(hashes[a.id], a.id) for a in batch])
                tick("index", len(done) + start + len(batch), len(done) + len(todo))
    finally:
        old.close()
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    os.replace(fresh, path)
    for suffix in SIDE_FILES:
        side = Path(str(fresh) + suffix)
        if side.exists():
            os.replace(side, Path(str(path) + suffix))
        else:
            Path(str(path) + suffix).unlink(missing_ok=True)
    return len(todo)
