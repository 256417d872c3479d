"""SQLite storage of the persistent index: one small class, no grouping logic.

One file holds everything a later run needs without re-reading or re-encoding: articles
and their sentences, sentence embeddings by text key, MinHash signatures (their LSH bands
are rebuilt in memory on open: bands.py), anchor postings, document vectors, every scored
pair, families and stories. The tables, and opening, creating or migrating a file, are in
schema.py; the encoder's cache over the embeddings table in embeddings.py.

WAL mode lets readers query while one writer adds; each article is written in one
transaction, so a crash (even SIGKILL) leaves whole articles or none. `synchronous=NORMAL`
is durable against process crashes (the case that matters for `index add`); a power cut
can lose the last transactions but never corrupts the file.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from newstrace.index.schema import StoreError, check_magic, setup
from newstrace.matching.relation import REUSE

__all__ = ["ARTICLE_FIELDS", "VECTOR_COLUMNS", "Store", "StoreError"]

ARTICLE_FIELDS = (
    "id", "ext_id", "text_hash", "title", "lang", "url", "source", "published", "path",
    "attributed_source", "warnings", "n_sentences", "text_chars", "family", "story",
)


VECTOR_COLUMNS = ("doc", "lead", "lead_c")
_REUSE_SQL = "(" + ", ".join(f"'{r}'" for r in sorted(REUSE)) + ")"


def _ids(values: Iterable[int]) -> str:
    return json.dumps(sorted({int(v) for v in values}))


class Store:
    """Thin SQL layer; the Index owns the logic. Not thread-safe: one per thread."""

    def __init__(self, path: str | Path, create: bool = True, timeout: float = 30.0):
        self.path = Path(path)
        if self.path.is_dir():
            raise StoreError(f"{self.path}: is a folder, not an index file")
        exists = self.path.exists() and self.path.stat().st_size > 0
        if not exists and not create:
            raise StoreError(f"{self.path}: no index here (create one with `newstrace index add`)")
        if exists:
            check_magic(self.path)
        try:
            self.conn = sqlite3.connect(
                str(self.path), timeout=timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot open: {exc}") from exc
        self.conn.row_factory = sqlite3.Row
        try:
            setup(self)
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            raise StoreError(f"{self.path}: not a usable newstrace index: {exc}") from exc
        except StoreError:
            self.conn.close()
            raise

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE: the write lock is taken up front, so reads inside see a state
        no other writer can change before COMMIT."""
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        try:
            yield c
        except BaseException:
            c.execute("ROLLBACK")
            raise
        c.execute("COMMIT")

    # --- meta ---------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO meta VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def delete_meta(self, key: str) -> None:
        self.conn.execute("DELETE FROM meta WHERE key = ?", (key,))

    def schema_version(self) -> int:
        return int(self.conn.execute("SELECT version FROM schema_version").fetchone()[0])

    # --- articles -----------------------------------------------------------------------

    def article_row(self, ext_id: str) -> sqlite3.Row | None:
        return self.conn.execute("SELECT * FROM articles WHERE ext_id = ?", (ext_id,)).fetchone()

    def article_rows(self, ids: Iterable[int]) -> list[sqlite3.Row]:
        return self.conn.execute(
            "SELECT * FROM articles WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
            (_ids(ids),),
        ).fetchall()

    def existing(self, ids: Iterable[int]) -> set[int]:
        rows = self.conn.execute(
            "SELECT id FROM articles WHERE id IN (SELECT value FROM json_each(?))", (_ids(ids),)
        )
        return {r[0] for r in rows}

    def insert_article(self, fields: dict) -> int:
        cols = [k for k in ARTICLE_FIELDS if k in fields and k != "id"]
        sql = f"INSERT INTO articles ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        cur = self.conn.execute(sql, [fields[k] for k in cols])
        return int(cur.lastrowid or 0)

    def delete_article(self, rowid: int) -> None:
        c = self.conn
        c.execute(
            "UPDATE anchor_df SET df = df - 1 WHERE anchor IN "
            "(SELECT anchor FROM postings WHERE article = ?)", (rowid,)
        )
        c.execute("DELETE FROM anchor_df WHERE df <= 0")
        c.execute("DELETE FROM articles WHERE id = ?", (rowid,))  # the rest cascades

    def insert_sentences(self, rowid: int, rows: Sequence[tuple[bytes, str, str, str]]
                         ) -> None:
        """rows: (key, lang, text, packed sets) in order."""
        self.conn.executemany(
            "INSERT INTO sentences (article, pos, key, lang, text, sets) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(rowid, i, *row) for i, row in enumerate(rows)],
        )

    def sentences_without_sets(self, limit: int) -> list[sqlite3.Row]:
        return self.conn.execute(
            "SELECT article, pos, text FROM sentences WHERE sets IS NULL LIMIT ?", (limit,)
        ).fetchall()

    def put_sentence_sets(self, rows: Sequence[tuple[str, int, int]]) -> None:
        """rows: (packed sets, article, pos)."""
        self.conn.executemany(
            "UPDATE sentences SET sets = ? WHERE article = ? AND pos = ?", rows)

    def sentences(self, rowid: int) -> list[sqlite3.Row]:
        return self.conn.execute(
            "SELECT pos, key, lang, text FROM sentences WHERE article = ? ORDER BY pos", (rowid,)
        ).fetchall()

    def max_article_id(self) -> int:
        """The highest rowid ever given (AUTOINCREMENT), deleted articles included."""
        row = self.conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'articles'")
        found = row.fetchone()
        return int(found[0]) if found else 0

    def iter_articles(self, order: str = "id") -> Iterator[sqlite3.Row]:
        yield from self.conn.execute(f"SELECT * FROM articles ORDER BY {order}")

    # --- embeddings ---------------------------------------------------------------------

    def get_vector(self, key: bytes) -> np.ndarray | None:
        row = self.conn.execute("SELECT vec FROM embeddings WHERE key = ?", (key,)).fetchone()
        return None if row is None else np.frombuffer(row[0], dtype=np.float32).copy()

    def put_vectors(self, items: Iterable[tuple[bytes, np.ndarray]]) -> None:
        self.conn.executemany(
            "INSERT OR IGNORE INTO embeddings (key, vec) VALUES (?, ?)",
            [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items],
        )

    # --- lexical: signatures, LSH bands, anchors ----------------------------------------

    def put_signature(self, rowid: int, sig: np.ndarray) -> None:
        self.conn.execute("INSERT INTO signatures (article, sig) VALUES (?, ?)",
                          (rowid, sig.tobytes()))

    def signatures_after(self, rowid: int) -> list[tuple[int, bytes]]:
        return self.conn.execute(
            "SELECT article, sig FROM signatures WHERE article > ? ORDER BY article", (rowid,)
        ).fetchall()

    def put_anchors(self, rowid: int, anchors: Iterable[str]) -> None:
        items = sorted(set(anchors))
        c = self.conn
        c.executemany("INSERT INTO postings (anchor, article) VALUES (?, ?)",
                      [(a, rowid) for a in items])
        c.executemany(
            "INSERT INTO anchor_df (anchor, df) VALUES (?, 1) "
            "ON CONFLICT(anchor) DO UPDATE SET df = df + 1", [(a,) for a in items]
        )

    def anchor_matches(self, anchors: Iterable[str], max_df: int, min_shared: int) -> set[int]:
        """Articles sharing >= min_shared anchors whose document frequency, counting the
        asking article, stays <= max_df. Frequent anchors are never scanned: anchor_df
        filters them first, so the cost is bounded by max_df per anchor."""
        rows = self.conn.execute(
            "SELECT p.article FROM json_each(?) AS q "
            "JOIN anchor_df AS d ON d.anchor = q.value AND d.df + 1 <= ? "
            "JOIN postings AS p ON p.anchor = q.value "
            "GROUP BY p.article HAVING COUNT(*) >= ?",
            (json.dumps(sorted(set(anchors))), max_df, min_shared),
        )
        return {r[0] for r in rows}

    # --- document vectors ---------------------------------------------------------------

    def put_doc_vectors(self, rowid: int, doc: np.ndarray, lead: np.ndarray,
                        lead_c: np.ndarray) -> None:
        self.conn.execute(
            "INSERT INTO doc_vectors (article, doc, lead, lead_c) VALUES (?, ?, ?, ?)",
            (rowid, *(np.asarray(v, dtype=np.float32).tobytes() for v in (doc, lead, lead_c))),
        )

    def sentences_of(self, ids: Iterable[int]) -> dict[int, list[sqlite3.Row]]:
        """Sentences (pos, lang, text, sets, vec) of several articles in one read; vec is
        None where the embedding was never written."""
        out: dict[int, list[sqlite3.Row]] = {}
        for r in self.conn.execute(
            "SELECT s.article, s.pos, s.lang, s.text, s.sets, e.vec FROM sentences s "
            "LEFT JOIN embeddings e ON e.key = s.key "
            "WHERE s.article IN (SELECT value FROM json_each(?)) ORDER BY s.article, s.pos",
            (_ids(ids),),
        ):
            out.setdefault(r["article"], []).append(r)
        return out

    def doc_vectors_of(self, ids: Iterable[int], column: str = "doc") -> dict[int, np.ndarray]:
        assert column in VECTOR_COLUMNS
        rows = self.conn.execute(
            f"SELECT article, {column} FROM doc_vectors "
            "WHERE article IN (SELECT value FROM json_each(?))", (_ids(ids),))
        return {r[0]: np.frombuffer(r[1], dtype=np.float32) for r in rows}

    def doc_vector(self, rowid: int, column: str = "doc") -> np.ndarray | None:
        assert column in VECTOR_COLUMNS
        row = self.conn.execute(f"SELECT {column} FROM doc_vectors WHERE article = ?",
                                (rowid,)).fetchone()
        return None if row is None else np.frombuffer(row[0], dtype=np.float32)

    def iter_doc_vectors(self, column: str = "doc", after: int = 0, chunk: int = 4096
                         ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(ids, vectors) in chunks, ids ascending, for ids > after: bounded memory."""
        assert column in VECTOR_COLUMNS
        last = after
        while True:
            rows = self.conn.execute(
                f"SELECT article, {column} FROM doc_vectors WHERE article > ? "
                "ORDER BY article LIMIT ?", (last, chunk)
            ).fetchall()
            if not rows:
                return
            ids = np.array([r[0] for r in rows], dtype=np.int64)
            vecs = np.stack([np.frombuffer(r[1], dtype=np.float32) for r in rows])
            last = int(ids[-1])
            yield ids, vecs

    # --- pairs --------------------------------------------------------------------------

    def put_pairs(self, rows: Sequence[tuple]) -> None:
        """rows: (a, b, relation, reuse, story, direction, data JSON or None)."""
        self.conn.executemany(
            "INSERT OR REPLACE INTO pairs (a, b, relation, reuse, story, direction, data) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)", rows
        )

    def pairs_of(self, rowid: int) -> list[sqlite3.Row]:
        return self.conn.execute(
            "SELECT * FROM pairs WHERE a = ? UNION ALL SELECT * FROM pairs WHERE b = ?",
            (rowid, rowid),
        ).fetchall()

    def reuse_partners(self, rowid: int) -> set[int]:
        """Articles with a direct (aligned, not inferred) reuse pair with rowid."""
        rows = self.conn.execute(
            "SELECT b FROM pairs WHERE a = ? AND relation IN " + _REUSE_SQL +
            " UNION SELECT a FROM pairs WHERE b = ? AND relation IN " + _REUSE_SQL,
            (rowid, rowid),
        )
        return {r[0] for r in rows}

    def direct_pair(self, x: int, y: int) -> sqlite3.Row | None:
        return self.conn.execute(
            "SELECT * FROM pairs WHERE a = ? AND b = ?", (min(x, y), max(x, y))
        ).fetchone()

    def put_inferred(self, a: int, b: int, via: int, relation: str, reuse: float,
                     data: str) -> None:
        """Keep the best composition of each pair, as transitive.infer does."""
        self.conn.execute(
            "INSERT INTO inferred (a, b, via, relation, reuse, data) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(a, b) DO UPDATE SET via = excluded.via, relation = excluded.relation, "
            "reuse = excluded.reuse, data = excluded.data WHERE excluded.reuse > inferred.reuse",
            (min(a, b), max(a, b), via, relation, reuse, data),
        )

    def inferred_via(self, via: int) -> list[tuple[int, int]]:
        rows = self.conn.execute("SELECT a, b FROM inferred WHERE via = ?", (via,))
        return [(r[0], r[1]) for r in rows]

    def inferred_of(self, rowid: int) -> list[sqlite3.Row]:
        return self.conn.execute(
            "SELECT * FROM inferred WHERE a = ? UNION ALL SELECT * FROM inferred WHERE b = ?",
            (rowid, rowid),
        ).fetchall()

    def inferred_among(self, ids: Iterable[int]) -> list[sqlite3.Row]:
        members = _ids(ids)
        return self.conn.execute(
            "SELECT * FROM inferred WHERE a IN (SELECT value FROM json_each(?)) "
            "AND b IN (SELECT value FROM json_each(?))", (members, members),
        ).fetchall()

    def pairs_among(self, ids: Iterable[int], reuse_only: bool = False) -> list[sqlite3.Row]:
        members = _ids(ids)
        extra = " AND relation IN " + _REUSE_SQL if reuse_only else ""
        return self.conn.execute(
            "SELECT a, b, relation, reuse, story, direction, "
            "CASE WHEN relation = 'partial' THEN data END AS data, "
            "json_extract(data, '$.story_link') AS story_link, "
            "json_extract(data, '$.direction_reason') AS direction_reason FROM pairs "
            "WHERE a IN (SELECT value FROM json_each(?)) "
            "AND b IN (SELECT value FROM json_each(?))" + extra,
            (members, members),
        ).fetchall()

    def all_pair_data(self, reuse_only: bool = False) -> tuple[list[sqlite3.Row],
                                                               list[sqlite3.Row]]:
        """Every stored pair dict (not unrelated; reuse only if asked) and every inferred
        one, in two scans: for whole-index tables, not one query per article."""
        extra = " AND relation IN " + _REUSE_SQL if reuse_only else ""
        direct = self.conn.execute(
            "SELECT a, b, data FROM pairs WHERE data IS NOT NULL" + extra).fetchall()
        return direct, self.conn.execute("SELECT a, b, data FROM inferred").fetchall()

    def pair_data(self, ids: Iterable[int]) -> list[sqlite3.Row]:
        """Stored dicts of the non-unrelated pairs among ids."""
        members = _ids(ids)
        return self.conn.execute(
            "SELECT a, b, data FROM pairs WHERE a IN (SELECT value FROM json_each(?)) "
            "AND b IN (SELECT value FROM json_each(?)) AND data IS NOT NULL ORDER BY a, b",
            (members, members),
        ).fetchall()

    # --- families and stories -----------------------------------------------------------

    def members(self, column: str, group_ids: Iterable[int]) -> set[int]:
        assert column in ("family", "story")
        rows = self.conn.execute(
            f"SELECT id FROM articles WHERE {column} IN (SELECT value FROM json_each(?))",
            (_ids(group_ids),),
        )
        return {r[0] for r in rows}

    def groups_of(self, column: str, ids: Iterable[int]) -> set[int]:
        assert column in ("family", "story")
        rows = self.conn.execute(
            f"SELECT DISTINCT {column} FROM articles WHERE id IN "
            f"(SELECT value FROM json_each(?)) AND {column} IS NOT NULL", (_ids(ids),)
        )
        return {r[0] for r in rows}

    def new_group(self, table: str) -> int:
        assert table in ("families", "stories")
        return int(self.conn.execute(f"INSERT INTO {table} DEFAULT VALUES").lastrowid or 0)

    def assign(self, column: str, group: int | None, ids: Iterable[int]) -> None:
        assert column in ("family", "story")
        self.conn.execute(
            f"UPDATE articles SET {column} = ? WHERE id IN (SELECT value FROM json_each(?))",
            (group, _ids(ids)),
        )

    def drop_unused(self, table: str, column: str, candidates: Iterable[int]) -> None:
        assert (table, column) in (("families", "family"), ("stories", "story"))
        self.conn.execute(
            f"DELETE FROM {table} WHERE id IN (SELECT value FROM json_each(?)) "
            f"AND NOT EXISTS (SELECT 1 FROM articles WHERE {column} = {table}.id)",
            (_ids(candidates),),
        )

    def set_family_info(self, fid: int, origin: str | None, conf: float, reason: str,
                        attributed: str | None) -> None:
        self.conn.execute(
            "UPDATE families SET origin = ?, origin_confidence = ?, origin_reason = ?, "
            "attributed_source = ? WHERE id = ?", (origin, conf, reason, attributed, fid)
        )

    def family_row(self, fid: int) -> sqlite3.Row | None:
        return self.conn.execute("SELECT * FROM families WHERE id = ?", (fid,)).fetchone()

    # --- sizes --------------------------------------------------------------------------

    def count(self, table: str, where: str = "") -> int:
        return int(self.conn.execute(f"SELECT COUNT(*) FROM {table} {where}").fetchone()[0])

    def integrity_check(self) -> str:
        return str(self.conn.execute("PRAGMA integrity_check").fetchone()[0])
