"""Export tables: the scan's (or the index's) articles, pairs, families, stories and
sources as CSV or JSONL files, for spreadsheets and other tools.

JSONL keeps every record as the JSON output has it (evidence spans, timelines). CSV is
flat: one row per record, lists joined with ";", nested parts summarised (a pair's
evidence as its span count and mean span score, a story's timeline as role counts, an
outlet's counts as `name n` lists: grouping.outlets.flat_rows). UTF-8, a header row
even when a table is empty. The CLI (cli/exports.py) and the service's downloads
(/api/export/...) both write through here.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

from newstrace.grouping.outlets import flat_rows

TABLES = ("articles", "pairs", "families", "stories", "sources")
FORMATS = ("csv", "jsonl")

FIELDS = {
    "articles": ["id", "lang", "title", "url", "outlet", "source", "published", "sentences",
                 "family", "story", "keep", "attributed_source", "warnings"],
    "pairs": ["a", "b", "relation", "reuse_score", "story_score", "story_link", "direction",
              "coverage_a", "coverage_b", "evidence_spans", "evidence_mean_score", "via"],
    "families": ["id", "story", "size", "articles", "origin", "origin_status",
                 "origin_confidence", "origin_reason", "attributed_source"],
    "stories": ["id", "size", "articles", "title", "first", "last", "roles"],
    "sources": ["rank", "outlet", "articles", "languages", "derived", "derived_share",
                "reuses", "reused", "reused_by", "median_lag_hours", "licence_role",
                "licensed_from", "licensed_to"],
}


def _joined(values: Iterable[object] | None) -> str:
    return ";".join(str(v) for v in values or ())


def flat_article(a: dict) -> dict:
    return {**a, "warnings": _joined(a.get("warnings"))}


def flat_pair(p: dict) -> dict:
    spans = p.get("evidence") or []
    mean = round(sum(s["score"] for s in spans) / len(spans), 4) if spans else None
    return {**p, "coverage_a": p["coverage"]["a"], "coverage_b": p["coverage"]["b"],
            "evidence_spans": len(spans), "evidence_mean_score": mean}


def flat_family(f: dict) -> dict:
    return {**f, "size": len(f["articles"]), "articles": _joined(f["articles"])}


def flat_story(s: dict) -> dict:
    roles = Counter(r["role"] for r in s.get("timeline") or [])
    return {**s, "size": len(s["articles"]), "articles": _joined(s["articles"]),
            "roles": _joined(f"{k}:{n}" for k, n in sorted(roles.items()))}


def source_records(section: dict) -> list[dict]:
    """The ranked outlets, then those with too few articles to rank (rank null)."""
    return list(section["outlets"]) + list(section["unranked"])


FLATTEN: dict[str, Callable[[dict], dict]] = {
    "articles": flat_article, "pairs": flat_pair, "families": flat_family,
    "stories": flat_story,
}


def write_table(dest: IO[str], table: str, records: list[dict], fmt: str,
                fields: list[str] | None = None) -> int:
    """Write one table's records as CSV or JSONL; returns the number of rows. `fields`:
    the CSV columns, when a table has fewer than the scan's (the index's articles)."""
    if fmt == "jsonl":
        for r in records:
            dest.write(json.dumps(r, ensure_ascii=False) + "\n")
        return len(records)
    if table == "sources":
        rows = list(flat_rows({"outlets": records, "unranked": []}))
    else:
        rows = [FLATTEN[table](r) for r in records]
    writer = csv.DictWriter(dest, fieldnames=fields or FIELDS[table], extrasaction="ignore",
                            lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: _cell(v) for k, v in row.items()} for row in rows)
    return len(rows)


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def scan_tables(result: dict) -> dict[str, list[dict]]:
    """The tables of a scan's JSON output (ScanResult.to_dict)."""
    family = {m: f["id"] for f in result["families"] for m in f["articles"]}
    story = {m: s["id"] for s in result["stories"] for m in s["articles"]}
    keep = _keep(result)
    articles = [{**a, "family": family.get(a["id"]), "story": story.get(a["id"]),
                 "keep": keep.get(a["id"], True)} for a in result["articles"]]
    return {"articles": articles, "pairs": result["pairs"], "families": result["families"],
            "stories": result["stories"], "sources": source_records(result["sources"])}


def _keep(result: dict) -> dict[str, bool]:
    """Dedup's keep column, as the index export has it: each family keeps its origin
    (when in the collection), else its earliest published member, else its first id."""
    published = {a["id"]: a.get("published") for a in result["articles"]}
    keep: dict[str, bool] = {}
    for f in result["families"]:
        members = sorted(f["articles"])
        dated = sorted((published[m], m) for m in members if published.get(m))
        if f.get("origin") in members:
            kept = f["origin"]
        else:
            kept = dated[0][1] if dated else members[0]
        keep.update({m: m == kept for m in members})
    return keep


def write_all(folder: Path, tables: dict[str, list[dict]], fmt: str) -> dict[str, int]:
    """One file per table in `folder` (made if missing): pairs.csv, ... or pairs.jsonl."""
    folder.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name, records in tables.items():
        with (folder / f"{name}.{fmt}").open("w", encoding="utf-8", newline="") as fh:
            counts[name] = write_table(fh, name, records, fmt)
    return counts
