"""A scan written as a folder of tables, for results too large for stdout.

`scan --executor ray --out DIR` writes one sub-folder per table of the output contract
(README, "Output contract"): `articles/`, `pairs/`, `families/`, `stories/`, plus
`dedup/` (id, family, story, keep: the keep/drop column `index export` gives) and
`problems/`. Each holds part files, `part-NNNNN.jsonl` (one object per line, exactly the
objects of `scan --format json`) or `part-NNNNN.parquet` (the same fields as columns).
Parts are written by the workers that hold the rows, so rows are in no particular order
across parts: sort by `id` (pairs: `a`, `b`) where order matters. `manifest.json` says
what was written. `read_table` reads a table back as a list of dicts.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path

from newstrace.grouping import Family, Story
from newstrace.matching.relation import PairResult

TABLES = ("articles", "pairs", "families", "stories", "dedup", "problems")
FORMATS = ("jsonl", "parquet")
PYARROW_MISSING = "Parquet needs pyarrow: pip install newstrace[ray]"


def pair_row(p: PairResult) -> dict:
    return p.to_dict()


def problem_row(p) -> dict:
    return {"where": p.where, "id": p.article_id, "message": p.message}


def dedup_rows(families: Sequence[Family], stories: Sequence[Story],
               articles: dict[str, str | None]) -> list[dict]:
    """The keep/drop column, as `index export` gives it: each family keeps its origin,
    else its earliest published member, else its first id; every other article is kept.
    `articles`: id -> published (ISO 8601 or None)."""
    from newstrace.text.article import parse_date as parse  # as index.py reads `published`

    story_of = {m: s.id for s in stories for m in s.articles}
    family_of: dict[str, str] = {}
    keep: set[str] = set(articles)
    for f in families:
        members = set(f.articles)
        keeper = f.origin if f.origin in members else None
        if keeper is None:
            dated = [(d, m) for m in f.articles if (d := parse(articles.get(m)))]
            keeper = min(dated)[1] if dated else min(members)
        for m in f.articles:
            family_of[m] = f.id
            if m != keeper:
                keep.discard(m)
    return [{"id": a, "family": family_of.get(a), "story": story_of.get(a), "keep": a in keep}
            for a in sorted(articles)]


# --- Arrow schemas of the contract (Parquet) -------------------------------------------------


def schema(table: str, with_sentences: bool = False):
    import pyarrow as pa

    s, f, i, b = pa.string(), pa.float64(), pa.int64(), pa.bool_()
    if table == "articles":
        fields = [("id", s), ("lang", s), ("title", s), ("sentences", i), ("source", s),
                  ("published", s), ("warnings", pa.list_(s)), ("url", s), ("outlet", s),
                  ("attributed_source", s)]
        if with_sentences:
            fields += [("sentence_list", pa.list_(s)), ("sentence_langs", pa.list_(s))]
    elif table == "pairs":
        span = pa.struct([("a", pa.list_(i)), ("b", pa.list_(i)), ("score", f)])
        fields = [("a", s), ("b", s), ("relation", s), ("reuse_score", f), ("story_score", f),
                  ("direction", s), ("coverage", pa.struct([("a", f), ("b", f)])),
                  ("evidence", pa.list_(span)), ("via", s), ("story_link", f),
                  ("not_evidence", pa.list_(span)), ("reason", s), ("direction_reason", s)]
    elif table == "families":
        fields = [("id", s), ("story", s), ("articles", pa.list_(s)), ("origin", s),
                  ("origin_status", s), ("origin_confidence", f), ("origin_reason", s),
                  ("attributed_source", s)]
    elif table == "stories":
        entry = pa.struct([("id", s), ("published", s), ("outlet", s), ("lang", s),
                           ("title", s), ("role", s), ("from", s), ("family", s)])
        fields = [("id", s), ("articles", pa.list_(s)), ("title", s), ("first", s),
                  ("last", s), ("timeline", pa.list_(entry))]
    elif table == "dedup":
        fields = [("id", s), ("family", s), ("story", s), ("keep", b)]
    elif table == "problems":
        fields = [("where", s), ("id", s), ("message", s)]
    else:
        raise ValueError(table)
    return pa.schema(fields)


# --- writing and reading ---------------------------------------------------------------------


def prepare_folder(out: Path) -> None:
    """Create `out` and empty the table folders a previous run left there (a part file
    of an older run must not be read as part of this one)."""
    out.mkdir(parents=True, exist_ok=True)
    for t in TABLES:
        if (out / t).is_dir():
            shutil.rmtree(out / t)
        (out / t).mkdir()


def write_part(out: Path, table: str, part: int, rows: Iterable[dict], fmt: str,
               with_sentences: bool = False) -> int:
    """Write rows as part `part` of `table` (the same part number overwrites: a retried
    writer leaves one copy). Returns the number of rows."""
    rows = list(rows)
    folder = out / table
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"part-{part:05d}.{fmt}"
    tmp = path.with_name(path.name + ".tmp")
    if fmt == "jsonl":
        with tmp.open("w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    elif fmt == "parquet":
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError as exc:
            raise RuntimeError(PYARROW_MISSING) from exc
        pq.write_table(pa.Table.from_pylist(rows, schema=schema(table, with_sentences)),
                       tmp)
    else:
        raise ValueError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    tmp.replace(path)
    return len(rows)


# Keys a pair's JSON leaves out when they do not apply (PairResult.to_dict).
_OPTIONAL_PAIR_KEYS = ("via", "story_link", "not_evidence", "reason", "direction_reason")


def read_table(out: Path, table: str) -> list[dict]:
    """Every row of a table written by write_part, part by part. Parquet rows come back
    with every column; a pair's optional keys are dropped when null, as in JSON."""
    rows: list[dict] = []
    folder = Path(out) / table
    for path in sorted(folder.glob("part-*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            rows.extend(json.loads(line) for line in fh if line.strip())
    parquet = sorted(folder.glob("part-*.parquet"))
    if parquet:
        import pyarrow.parquet as pq

        for path in parquet:
            for r in pq.read_table(path).to_pylist():
                if table == "pairs":
                    for key in _OPTIONAL_PAIR_KEYS:
                        if r.get(key) is None:
                            r.pop(key, None)
                rows.append(r)
    return rows
