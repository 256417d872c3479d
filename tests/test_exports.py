"""Exports (cli/exports.py): `scan --export DIR` and `index export --table`, CSV and JSONL,
on the feed fixtures (tests/fixtures/feeds: an archived copy of a wire's feed entry)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newstrace.cli.exports import FIELDS, scan_tables, write_all, write_table
from newstrace.cli.index import index_app
from newstrace.cli.main import app

FEEDS = Path(__file__).resolve().parent / "fixtures" / "feeds"
WIRE = "https://wire.example/news/2026/11/30/bridge"
COPY = "https://www.copycat-news.example/2026/11/bridge-reopens"


def _csv(path_or_text: Path | str) -> list[dict]:
    text = path_or_text.read_text(encoding="utf-8") if isinstance(path_or_text, Path) \
        else path_or_text
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture(scope="module")
def scanned(tmp_path_factory) -> tuple[dict, Path]:
    """One scan: its JSON output, and its tables exported as CSV."""
    folder = tmp_path_factory.mktemp("export") / "tables"
    res = CliRunner().invoke(app, ["scan", str(FEEDS), "-q", "-f", "json",
                                   "--export", str(folder)])
    assert res.exit_code == 0, res.output
    assert f"wrote {folder} (5 articles, 1 pairs, 1 families, 4 stories, 4 sources)" in (
        res.stderr)
    return json.loads(res.stdout), folder


def test_scan_export_csv_is_flat_and_matches_the_json(scanned):
    result, folder = scanned
    assert sorted(p.name for p in folder.iterdir()) == [
        "articles.csv", "families.csv", "pairs.csv", "sources.csv", "stories.csv"]
    for name in FIELDS:  # a header row with the documented columns
        header = (folder / f"{name}.csv").read_text(encoding="utf-8").splitlines()[0]
        assert header.split(",") == FIELDS[name]

    (pair,) = _csv(folder / "pairs.csv")
    (want,) = result["pairs"]
    assert {pair["a"], pair["b"]} == {WIRE, COPY} and pair["relation"] == "duplicate"
    assert int(pair["evidence_spans"]) == len(want["evidence"]) > 0
    assert float(pair["coverage_a"]) == want["coverage"]["a"]
    mean = sum(s["score"] for s in want["evidence"]) / len(want["evidence"])
    assert float(pair["evidence_mean_score"]) == pytest.approx(mean, abs=1e-4)

    (fam,) = _csv(folder / "families.csv")
    assert fam["articles"].split(";") == sorted([WIRE, COPY]) and fam["size"] == "2"
    assert fam["origin"] == WIRE and fam["origin_status"] == "found"

    stories = {s["id"]: s for s in _csv(folder / "stories.csv")}
    bridge = next(s for s in stories.values() if COPY in s["articles"].split(";"))
    assert bridge["roles"] == "copy:1;original:1"
    assert bridge["first"] == "2026-11-30T07:30:00Z" and bridge["last"] == "2026-11-30T14:05:00Z"

    arts = {a["id"]: a for a in _csv(folder / "articles.csv")}
    assert arts[COPY]["keep"] == "false" and arts[WIRE]["keep"] == "true"  # dedup drops the copy
    assert arts[COPY]["family"] == fam["id"] and arts[COPY]["outlet"] == "copycat-news.example"
    assert "only a short summary" in arts["https://wire.example/news/2026/11/29/parking"][
        "warnings"]

    outlets = {r["outlet"]: r for r in _csv(folder / "sources.csv")}
    assert outlets["copycat-news.example"]["reuses"] == "wire.example: 1"
    assert outlets["copycat-news.example"]["derived_share"] == "1.0"
    assert outlets["wire.example"]["reused_by"] == "copycat-news.example: 1"


def test_jsonl_export_keeps_the_json_records(scanned, tmp_path):
    result, _ = scanned
    counts = write_all(tmp_path, scan_tables(result), "jsonl")
    assert counts == {"articles": 5, "pairs": 1, "families": 1, "stories": 4, "sources": 4}
    lines = (tmp_path / "pairs.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(x) for x in lines] == result["pairs"]  # evidence spans included
    stories = [json.loads(x) for x in (tmp_path / "stories.jsonl").read_text().splitlines()]
    assert stories == result["stories"] and any(s["timeline"] for s in stories)


def test_csv_is_utf8_with_lists_joined_and_empty_tables_keep_a_header():
    fam = {"id": "F1", "story": "S1", "articles": ["Göteborg/ø 1", "北京,2"], "origin": None,
           "origin_status": "unclear", "origin_confidence": 0.0, "origin_reason": "",
           "attributed_source": None}
    buf = io.StringIO()
    assert write_table(buf, "families", [fam], "csv") == 1
    (row,) = _csv(buf.getvalue())
    assert row["articles"] == "Göteborg/ø 1;北京,2" and row["origin"] == "" and row["size"] == "2"
    empty = io.StringIO()
    assert write_table(empty, "pairs", [], "csv") == 0
    assert empty.getvalue() == ",".join(FIELDS["pairs"]) + "\n"


def test_index_export_tables_csv_and_jsonl(scanned, tmp_path):
    """The index holds what the scan found; each table exports; the default (articles,
    JSONL) is unchanged."""
    result, _ = scanned
    db = str(tmp_path / "feeds.db")
    runner = CliRunner()
    res = runner.invoke(index_app, ["add", str(FEEDS), "--db", db, "-q", "-f", "json"])
    assert res.exit_code == 0, res.output

    res = runner.invoke(index_app, ["export", "--db", db])
    rows = [json.loads(x) for x in res.stdout.splitlines()]
    assert res.exit_code == 0 and len(rows) == 5
    assert all(set(r) == {"id", "family", "story", "keep"} for r in rows)
    assert {r["id"]: r["keep"] for r in rows}[COPY] is False

    res = runner.invoke(index_app, ["export", "--db", db, "--table", "pairs", "-f", "csv"])
    assert res.exit_code == 0, res.output
    (pair,) = _csv(res.stdout)
    assert (pair["a"], pair["b"], pair["relation"]) == (
        result["pairs"][0]["a"], result["pairs"][0]["b"], "duplicate")

    out = tmp_path / "families.jsonl"
    res = runner.invoke(index_app, ["export", "--db", db, "--table", "families",
                                    "--out", str(out)])
    assert res.exit_code == 0, res.output
    (fam,) = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(fam["articles"]) == sorted([WIRE, COPY]) and fam["origin"] == WIRE

    res = runner.invoke(index_app, ["export", "--db", db, "--table", "stories", "-f", "csv"])
    stories = _csv(res.stdout)
    assert res.exit_code == 0 and sorted(int(s["size"]) for s in stories) == [1, 1, 1, 2]
    # The index's stories carry the scan's title, dates and timeline roles.
    res = runner.invoke(index_app, ["export", "--db", db, "--table", "stories"])
    stored = {frozenset(s["articles"]): s for s in map(json.loads, res.stdout.splitlines())}
    for st in result["stories"]:
        got = stored[frozenset(st["articles"])]
        assert (got["title"], got["first"], got["last"]) == (st["title"], st["first"],
                                                             st["last"])
        assert got["timeline"] == st["timeline"]
    assert any(s["title"] for s in stored.values())

    res = runner.invoke(index_app, ["export", "--db", db, "--table", "sources", "-f", "csv"])
    assert res.exit_code == 0, res.output
    outlets = {r["outlet"]: r for r in _csv(res.stdout)}
    assert outlets["copycat-news.example"]["reuses"] == "wire.example: 1"

    # Filters narrow a table as the UI's lists are narrowed.
    res = runner.invoke(index_app, ["export", "--db", db, "--outlet", "copycat-news.example"])
    assert res.exit_code == 0, res.output
    assert [json.loads(x)["id"] for x in res.stdout.splitlines()] == [COPY]
    res = runner.invoke(index_app, ["export", "--db", db, "--table", "families",
                                    "--outlet", "copycat-news.example"])
    assert [sorted(json.loads(x)["articles"]) for x in res.stdout.splitlines()] == [
        sorted([WIRE, COPY])]
    res = runner.invoke(index_app, ["export", "--db", db, "--table", "pairs",
                                    "--search", "no such words in any article"])
    assert res.exit_code == 0 and res.stdout == ""
    res = runner.invoke(index_app, ["export", "--db", db, "--from", "yesterday"])
    assert res.exit_code == 2 and "not a date" in res.output

    res = runner.invoke(index_app, ["export", "--db", db, "--table", "nope"])
    assert res.exit_code == 2
