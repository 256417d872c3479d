"""`newstrace sources`: outlets ranked by the share of their articles that derive from
another outlet's, from a scan of files or from an index (grouping/outlets.py)."""

from __future__ import annotations

import csv
import io
import json
from enum import Enum
from pathlib import Path

import typer

from newstrace.cli.output import err_console, error, out_console, print_table, sources_table
from newstrace.grouping import STORY_WINDOW_DAYS
from newstrace.grouping.outlets import MIN_ARTICLES, Licence, LicenceError, flat_rows
from newstrace.grouping.outlets import sources as rank_sources


class SourcesFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


def sources(
    paths: list[Path] = typer.Argument(
        None, help="Files or folders to scan (or give --db)"),
    db: Path | None = typer.Option(None, "--db", help="Read an index instead of scanning"),
    fmt: SourcesFormat = typer.Option(SourcesFormat.table, "--format", "-f",
                                      help="table, json or csv"),
    licensed: Path | None = typer.Option(
        None, "--licensed",
        help='TOML: own = ["outlet", ...], partners = [...]; their reuse is listed as licensed'),
    min_articles: int = typer.Option(MIN_ARTICLES, "--min-articles", min=1,
                                     help="Rank outlets with at least this many articles"),
    out_file: Path | None = typer.Option(None, "--out", "-o", help="Write the result here"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars"),
) -> None:
    """Rank outlets by how much of their output derives from another outlet's text."""
    err = err_console()
    if bool(paths) == (db is not None):
        error(err, "give files or folders to scan, or --db INDEX (one of the two)")
        raise typer.Exit(2)
    licence = None
    if licensed is not None:
        try:
            licence = Licence.from_toml(licensed)
        except LicenceError as exc:
            error(err, exc)
            raise typer.Exit(2) from None
    if db is not None:
        section = _from_index(db, licence, min_articles)
    else:
        section = _from_scan(paths, licence, min_articles, quiet)
    if fmt is SourcesFormat.json:
        text = json.dumps(section, ensure_ascii=False, indent=2) + "\n"
    elif fmt is SourcesFormat.csv:
        buf = io.StringIO()
        rows = list(flat_rows(section))
        fields = list(rows[0]) if rows else ["rank", "outlet"]
        writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        text = buf.getvalue()
    else:
        dest = out_file.open("w", encoding="utf-8") if out_file else None
        try:
            console = out_console(dest)
            print_table(console, sources_table(section))
            small = len(section["unranked"])
            if small or section["unknown_outlet_articles"]:
                console.print(f"[dim]{small} outlet(s) with fewer than {min_articles} articles"
                              f", {section['unknown_outlet_articles']} article(s) with no "
                              "known outlet (no source or url)[/]", highlight=False)
        finally:
            if dest:
                dest.close()
        return
    if out_file is None:
        typer.echo(text, nl=False)
    else:
        out_file.write_text(text, encoding="utf-8")
        err.print(f"wrote {out_file}", markup=False, highlight=False)


def _from_scan(paths: list[Path], licence: Licence | None, min_articles: int,
               quiet: bool) -> dict:
    from newstrace.cli.main import _read  # main registers this command: import at call
    from newstrace.cli.output import progress_bar
    from newstrace.pipeline import Pipeline

    err = err_console()
    arts, _ = _read(paths)
    if not arts:
        error(err, "no article could be read")
        raise typer.Exit(1)
    with progress_bar(err, not quiet) as cb:
        res = Pipeline(window_days=STORY_WINDOW_DAYS).scan(arts, progress=cb)
    return rank_sources(res.articles, res.scored, res.families, licence, min_articles)


def _from_index(db: Path, licence: Licence | None, min_articles: int) -> dict:
    """The index's articles, reuse pairs and families (index/provenance.sources)."""
    from newstrace.cli.index import _open
    from newstrace.index import provenance

    with _open(db) as index:
        return provenance.sources(index, licence, min_articles)
