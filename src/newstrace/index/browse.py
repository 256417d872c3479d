"""Browsing an index: search, filters and pages of articles, stories and families.

Plain SQL over the index's tables, so a page costs one query however large the index is
(Index.stories() and families() build every group in Python). Functions take an open
`Index` and run on the thread that owns it.

Filters match articles; a story or family matches when any of its members does.
- q: a substring of the id, the title or the text (case-insensitive);
- lang: the article's language ('?' for unknown);
- outlet: the source field, else the registered domain of the url (text.article.outlet_of),
  in any case;
- date_from / date_to: inclusive bounds on `published`, compared as ISO prefixes, so
  "2024-05" matches every day of May. Articles without a date never match a date bound.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from newstrace.text.article import outlet_of

FACET_LIMIT = 200  # outlets offered for filtering, most frequent first


# A date filter: an ISO prefix (2024, 2024-05, 2024-05-31, or with a time).
DATE_PREFIX = r"^\d{4}(-\d{2}(-\d{2}(T[0-9:.+\-Z]*)?)?)?$"


@dataclass(frozen=True)
class Filters:
    q: str | None = None
    lang: str | None = None
    outlet: str | None = None
    date_from: str | None = None
    date_to: str | None = None


def _fold(value: str | None) -> str:
    return (value or "").casefold()


def _conn(ix: Any) -> sqlite3.Connection:
    conn: sqlite3.Connection = ix.store.conn
    # Registering is per connection and cheap; doing it on every call keeps it correct
    # when the index reopens its connection.
    conn.create_function("nt_outlet", 2, lambda s, u: _fold(outlet_of(s, u)),
                         deterministic=True)
    conn.create_function("nt_fold", 1, _fold, deterministic=True)
    return conn


def _like(q: str) -> str:
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _where(f: Filters) -> tuple[str, list[Any]]:
    """SQL conditions on `articles a` for the filters, and their parameters."""
    conds: list[str] = []
    params: list[Any] = []
    if f.q and f.q.strip():
        q = f.q.strip()
        if q.isascii():  # SQLite's LIKE folds ASCII case only, at C speed
            conds.append("(a.ext_id LIKE ? ESCAPE '\\' OR a.title LIKE ? ESCAPE '\\' OR EXISTS "
                         "(SELECT 1 FROM sentences s WHERE s.article = a.id "
                         "AND s.text LIKE ? ESCAPE '\\'))")
            params += [_like(q)] * 3
        else:  # Unicode case folding, in Python: slower, only for non-ASCII queries
            conds.append("(instr(nt_fold(a.ext_id), ?) OR instr(nt_fold(a.title), ?) OR EXISTS "
                         "(SELECT 1 FROM sentences s WHERE s.article = a.id "
                         "AND instr(nt_fold(s.text), ?)))")
            params += [q.casefold()] * 3
    if f.lang:
        conds.append("COALESCE(a.lang, '?') = ?")
        params.append(f.lang.lower())
    if f.outlet:
        conds.append("nt_outlet(a.source, a.url) = ?")
        params.append(_fold(" ".join(f.outlet.split())))
    if f.date_from:
        conds.append("a.published IS NOT NULL AND substr(a.published, 1, ?) >= ?")
        params += [len(f.date_from), f.date_from]
    if f.date_to:
        conds.append("a.published IS NOT NULL AND substr(a.published, 1, ?) <= ?")
        params += [len(f.date_to), f.date_to]
    return (" AND ".join(conds) or "1"), params


def matching_ids(ix: Any, f: Filters) -> set[str] | None:
    """Ids of the articles the filters match, or None when no filter is set (all)."""
    if f == Filters():
        return None
    where, params = _where(f)
    return {r[0] for r in _conn(ix).execute(
        f"SELECT a.ext_id FROM articles a WHERE {where}", params)}


def _brief(r: sqlite3.Row) -> dict[str, Any]:
    return {"id": r["ext_id"], "title": r["title"], "lang": r["lang"],
            "published": r["published"], "source": r["source"], "url": r["url"],
            "outlet": outlet_of(r["source"], r["url"]),
            "family": f"F{r['family']}" if r["family"] else None,
            "story": f"S{r['story']}" if r["story"] else None}


_BRIEF_COLUMNS = "a.ext_id, a.title, a.lang, a.published, a.source, a.url, a.family, a.story"


def articles(ix: Any, f: Filters, offset: int = 0, limit: int = 100) -> dict[str, Any]:
    """Matching articles, newest first (undated last), then by id."""
    conn = _conn(ix)
    where, params = _where(f)
    total = conn.execute(f"SELECT COUNT(*) FROM articles a WHERE {where}", params).fetchone()[0]
    rows = conn.execute(
        f"SELECT {_BRIEF_COLUMNS} FROM articles a WHERE {where} "
        "ORDER BY a.published IS NULL, a.published DESC, a.ext_id LIMIT ? OFFSET ?",
        [*params, limit, offset]).fetchall()
    return {"total": int(total), "articles": [_brief(r) for r in rows]}


def _members(conn: sqlite3.Connection, column: str, ids: list[int]
             ) -> dict[int, list[sqlite3.Row]]:
    assert column in ("family", "story")
    out: dict[int, list[sqlite3.Row]] = {i: [] for i in ids}
    for r in conn.execute(
            f"SELECT {_BRIEF_COLUMNS} FROM articles a "
            f"WHERE a.{column} IN (SELECT value FROM json_each(?)) ORDER BY a.ext_id",
            (json.dumps(ids),)):
        out[r[column]].append(r)
    return out


def _title(rows: list[sqlite3.Row]) -> str | None:
    """The headline of the earliest dated member with one, else of the first by id."""
    titled = [r for r in rows if r["title"]]
    dated = sorted((r for r in titled if r["published"]), key=lambda r: r["published"])
    first = (dated or titled)[:1]
    return str(first[0]["title"]) if first else None


def _outlets(rows: list[sqlite3.Row]) -> list[str]:
    return sorted({o for r in rows if (o := outlet_of(r["source"], r["url"]))})


def _group_page(conn: sqlite3.Connection, column: str, f: Filters, order: str,
                offset: int, limit: int) -> tuple[int, list[int]]:
    """Ids of the groups (stories or families) with a matching member, one page of them."""
    where, params = _where(f)
    hits = f"SELECT a.{column} FROM articles a WHERE a.{column} IS NOT NULL AND {where}"
    total = conn.execute(f"SELECT COUNT(DISTINCT a.{column}) FROM articles a "
                         f"WHERE a.{column} IS NOT NULL AND {where}", params).fetchone()[0]
    ids = [r[0] for r in conn.execute(
        f"SELECT a.{column} AS g, COUNT(*) AS n, MAX(a.published) AS newest FROM articles a "
        f"WHERE a.{column} IN ({hits}) GROUP BY a.{column} ORDER BY {order} LIMIT ? OFFSET ?",
        [*params, limit, offset])]
    return int(total), ids


def stories(ix: Any, f: Filters, offset: int = 0, limit: int = 100) -> dict[str, Any]:
    """Stories with a matching member, newest first (latest member date, then size)."""
    conn = _conn(ix)
    total, ids = _group_page(conn, "story", f, "COALESCE(newest, '') DESC, n DESC, g DESC",
                             offset, limit)
    return {"total": total, "stories": _story_rows(conn, ids)}


def story_summary(ix: Any, story_id: str) -> dict[str, Any] | None:
    """One story's list row (id S12), or None."""
    if not (story_id[:1] == "S" and story_id[1:].isdigit()):
        return None
    rows = _story_rows(_conn(ix), [int(story_id[1:])])
    return rows[0] if rows and rows[0]["size"] else None


def _story_rows(conn: sqlite3.Connection, ids: list[int]) -> list[dict[str, Any]]:
    members = _members(conn, "story", ids)
    out = []
    for sid in ids:
        rows = members[sid]
        dates = [r["published"] for r in rows if r["published"]]
        out.append({"id": f"S{sid}", "size": len(rows),
                    "articles": [r["ext_id"] for r in rows],
                    "languages": sorted({r["lang"] or "?" for r in rows}),
                    "outlets": _outlets(rows),
                    "newest": max(dates) if dates else None,
                    "oldest": min(dates) if dates else None,
                    "title": _title(rows)})
    return out


def families(ix: Any, f: Filters, offset: int = 0, limit: int = 100) -> dict[str, Any]:
    """Families with a matching member, in the order they were formed."""
    conn = _conn(ix)
    total, ids = _group_page(conn, "family", f, "g", offset, limit)
    members = _members(conn, "family", ids)
    heads = {r["id"]: r for r in conn.execute(
        "SELECT * FROM families WHERE id IN (SELECT value FROM json_each(?))",
        (json.dumps(ids),))}
    out = []
    for fid in ids:
        rows, head = members[fid], heads.get(fid)
        story = next((r["story"] for r in rows if r["story"]), None)
        out.append({"id": f"F{fid}", "story": f"S{story}" if story else None,
                    "articles": [r["ext_id"] for r in rows],
                    "origin": head["origin"] if head else None,
                    "origin_confidence": round(head["origin_confidence"], 3) if head else 0.0,
                    "origin_reason": head["origin_reason"] if head else "",
                    "attributed_source": head["attributed_source"] if head else None,
                    "languages": sorted({r["lang"] or "?" for r in rows}),
                    "title": _title(rows)})
    return {"total": total, "families": out}


def facets(ix: Any) -> dict[str, Any]:
    """What the filters can take: languages and outlets with their article counts."""
    conn = _conn(ix)
    langs = conn.execute("SELECT COALESCE(lang, '?') AS l, COUNT(*) AS n FROM articles "
                         "GROUP BY l ORDER BY n DESC, l").fetchall()
    outlets: dict[str, int] = {}
    for source, url in conn.execute("SELECT source, url FROM articles "
                                    "WHERE source IS NOT NULL OR url IS NOT NULL"):
        o = outlet_of(source, url)
        if o:
            outlets[o] = outlets.get(o, 0) + 1
    top = sorted(outlets.items(), key=lambda kv: (-kv[1], kv[0].casefold()))[:FACET_LIMIT]
    dates = conn.execute("SELECT MIN(published), MAX(published) FROM articles").fetchone()
    return {"languages": [{"lang": r[0], "articles": r[1]} for r in langs],
            "outlets": [{"outlet": o, "articles": n} for o, n in top],
            "dates": {"oldest": dates[0], "newest": dates[1]}}
