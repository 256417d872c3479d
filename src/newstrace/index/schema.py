"""The index file's schema: its tables, and opening a file (telling ours from any other,
creating, migrating an older schema, the connection's pragmas)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newstrace.index.store import Store

# 2: LSH bands no longer stored (bands.py keeps them in memory);
# 3: sentences.sets (anchors and content words: rebuilding them was half the candidate cost)
SCHEMA_VERSION = 3
SETS_PENDING = "sets_pending"  # meta key: sentences from before schema 3 lack their sets
PAGE_SIZE = 8192  # vectors are 1.5 KB: five to a page
WAL_CHECKPOINT_PAGES = 8192
CACHE_KIB = 32 * 1024
APPLICATION_ID = 0x4E575452  # "NWTR": tells our files from any other SQLite database
_SQLITE_MAGIC = b"SQLite format 3\x00"

_SCHEMA = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE families (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    origin TEXT,
    origin_confidence REAL NOT NULL DEFAULT 0,
    origin_reason TEXT NOT NULL DEFAULT '',
    attributed_source TEXT
);
CREATE TABLE stories (id INTEGER PRIMARY KEY AUTOINCREMENT);
CREATE TABLE articles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: also the faiss id
    ext_id TEXT NOT NULL UNIQUE,
    text_hash BLOB NOT NULL,
    title TEXT, lang TEXT, url TEXT, source TEXT, published TEXT, path TEXT,
    attributed_source TEXT,
    warnings TEXT NOT NULL DEFAULT '[]',
    n_sentences INTEGER NOT NULL,
    text_chars INTEGER NOT NULL,
    family INTEGER REFERENCES families(id) ON DELETE SET NULL,
    story INTEGER REFERENCES stories(id) ON DELETE SET NULL,
    added_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX articles_family ON articles(family);
CREATE INDEX articles_story ON articles(story);
CREATE TABLE sentences (
    article INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    pos INTEGER NOT NULL,
    key BLOB NOT NULL,
    lang TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL,
    sets TEXT,  -- prepare.pack_sets; NULL in indexes made before schema 3
    PRIMARY KEY (article, pos)
) WITHOUT ROWID;
-- A rowid table, not WITHOUT ROWID: 1.5 KB rows overflow a WITHOUT ROWID b-tree's pages
-- (measured: 4.3 KB per vector, against 1.7 KB here with 8 KiB pages).
CREATE TABLE embeddings (key BLOB PRIMARY KEY, vec BLOB NOT NULL);
CREATE TABLE signatures (
    article INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    sig BLOB NOT NULL
);
CREATE TABLE postings (
    anchor TEXT NOT NULL,
    article INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    PRIMARY KEY (anchor, article)
) WITHOUT ROWID;
CREATE INDEX postings_article ON postings(article);
CREATE TABLE anchor_df (anchor TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;
-- doc: centred sentence mean (Prepared.doc_vector); lead: the raw lead-passage vector;
-- lead_c: the lead centred by language. doc and lead_c feed the two faiss indexes.
CREATE TABLE doc_vectors (
    article INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    doc BLOB NOT NULL,
    lead BLOB NOT NULL,
    lead_c BLOB NOT NULL
);
CREATE TABLE pairs (
    a INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,  -- the earlier article
    b INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    relation TEXT NOT NULL,
    reuse REAL NOT NULL,
    story REAL NOT NULL,
    direction TEXT,
    data TEXT,  -- PairResult.to_dict(with_features=True), NULL for unrelated pairs
    PRIMARY KEY (a, b)
) WITHOUT ROWID;
CREATE INDEX pairs_b ON pairs(b);
CREATE TABLE inferred (  -- reuse composed through a pivot (transitive.compose): the best one
    a INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    b INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    via INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    relation TEXT NOT NULL,
    reuse REAL NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (a, b)
) WITHOUT ROWID;
CREATE INDEX inferred_b ON inferred(b);
CREATE INDEX inferred_via ON inferred(via);
"""


class StoreError(Exception):
    """The index file cannot be used: not ours, newer, or damaged. The message says why."""


def check_magic(path: Path) -> None:
    try:
        with path.open("rb") as fh:
            head = fh.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise StoreError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if head != _SQLITE_MAGIC:
        raise StoreError(
            f"{path}: not a newstrace index (not an SQLite database); give another --db file"
        )


def setup(store: Store) -> None:
    """Check a file is ours and current; create the schema in an empty one, migrate an
    older one, and set the connection's pragmas."""
    c = store.conn
    c.execute(f"PRAGMA busy_timeout = {30000}")
    app_id = c.execute("PRAGMA application_id").fetchone()[0]
    tables = [r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    if app_id != APPLICATION_ID:
        if tables:
            shown = ", ".join(sorted(tables)[:5])
            raise StoreError(
                f"{store.path}: an SQLite database, but not a newstrace index "
                f"(tables: {shown}); give another --db file"
            )
        _create(c)
    version = c.execute("SELECT version FROM schema_version").fetchone()
    if version is None:
        raise StoreError(f"{store.path}: newstrace index without a schema version")
    if version[0] > SCHEMA_VERSION:
        raise StoreError(
            f"{store.path}: made by a newer newstrace (schema {version[0]}; this version "
            f"reads {SCHEMA_VERSION})"
        )
    c.execute("PRAGMA journal_mode = WAL")
    c.execute("PRAGMA synchronous = NORMAL")
    c.execute("PRAGMA foreign_keys = ON")
    if version[0] < SCHEMA_VERSION:
        _migrate(store, version[0])
    # Candidates are read from all over the file: a 32 MiB page cache, not SQLite's
    # 2 MiB default. (mmap_size was tried: RSS then grows with the file, up to the map.)
    c.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    # Checkpoint the WAL every 64 MiB, not every 8: an article's insert touches pages
    # all over a large file, and fewer, larger checkpoints write each hot page once
    # (commit cost at 20k articles: 5 ms per article with the default).
    c.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")


def _create(c: sqlite3.Connection) -> None:
    c.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # only takes effect before WAL is on
    c.execute("PRAGMA journal_mode = WAL")
    c.execute("BEGIN IMMEDIATE")
    try:
        # Another process may have created it while we waited for the lock.
        if c.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID:
            c.execute("COMMIT")
            return
        # Statement by statement: executescript() would commit the open transaction.
        for statement in _SCHEMA.split(";\n"):
            if statement.strip():
                c.execute(statement)
        c.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))
        c.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        c.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        c.execute("COMMIT")
    except BaseException:
        if c.in_transaction:
            c.execute("ROLLBACK")
        raise


def _migrate(store: Store, version: int) -> None:
    with store.transaction() as c:
        if c.execute("SELECT version FROM schema_version").fetchone()[0] >= SCHEMA_VERSION:
            return  # another process migrated it while we waited for the lock
        if version < 2:
            c.execute("DROP TABLE IF EXISTS lsh")  # bands are derived from signatures
        if version < 3:
            # Filled in by the next writer (Index.add), a chunk per transaction.
            c.execute("ALTER TABLE sentences ADD COLUMN sets TEXT")
            store.set_meta(SETS_PENDING, "1")
        c.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION,))
        c.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
