"""`newstrace index ...`: the persistent index from the command line (mounted by cli.py).

Exit codes as everywhere: 0 ok, 1 nothing could be read or not found, 2 bad usage (a file
that is not a newstrace index included). Results go to stdout, progress and warnings to
stderr.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from newstrace.cli.output import (
    err_console,
    error,
    out_console,
    pairs_table,
    print_evidence,
    print_family,
    print_table,
    progress_bar,
    warning,
)
from newstrace.index import Index, NotIndexed
from newstrace.index.store import StoreError
from newstrace.text.article import Article, ReadProblem
from newstrace.text.readers import read_paths

index_app = typer.Typer(
    help="Persistent on-disk index: add articles over time, ask for kin and stories.",
    no_args_is_help=True,
    add_completion=False,
)
err = err_console()
out = out_console()

DEFAULT_DB = Path("newstrace.db")
DB_HELP = "Index file (SQLite)"


class Format(StrEnum):
    table = "table"
    json = "json"


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


class ExportTable(StrEnum):
    articles = "articles"
    pairs = "pairs"
    families = "families"
    stories = "stories"
    sources = "sources"


@contextmanager
def _open(db: Path, create: bool = False, window: float | None = None) -> Iterator[Index]:
    """Open the index, turning a missing or unusable file into a message and exit code."""
    if not create and not db.exists():
        error(err, f"{db}: no index here (create one with `newstrace index add`)")
        raise typer.Exit(1)
    try:
        index = Index(db, window_days=window, create=create)
    except StoreError as exc:
        error(err, exc)
        raise typer.Exit(2) from exc
    try:
        yield index
    except StoreError as exc:
        error(err, exc)
        raise typer.Exit(2) from exc
    except NotIndexed as exc:
        error(err, exc.args[0])
        raise typer.Exit(1) from exc
    finally:
        index.close()


def _json(obj: object) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


@index_app.command()
def add(
    paths: list[Path] = typer.Argument(
        ..., help="Files or folders: .txt .html .htm .json .jsonl .parquet .warc(.gz) .rss "
        ".atom .xml"),
    db: Path = typer.Option(DEFAULT_DB, "--db", help=DB_HELP),
    window: float | None = typer.Option(
        None, "--window", min=0,
        help="Stories join articles published within DAYS of each other (default 7; inf: none)"
    ),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table or json"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar"),
    executor: str = typer.Option(
        "local", "--executor", help="Where articles are encoded: local (this process) or "
        "ray (a Ray cluster encodes, this process adds: nothing is encoded twice)"),
    address: str | None = typer.Option(
        None, "--address", help="Ray cluster to join: auto or HOST:PORT (default: start one here)"),
    workers: int | None = typer.Option(
        None, "--workers", min=1, help="Ray: encoder workers, one CPU each (default: all CPUs)"),
) -> None:
    """Add articles (new ids are added, changed texts replace, the same text is skipped)."""
    if executor not in ("local", "ray"):
        error(err, f"unknown executor {executor!r} (choose from local, ray)")
        raise typer.Exit(2)
    if executor == "local" and (address or workers):
        error(err, "--address and --workers need --executor ray")
        raise typer.Exit(2)
    runner = None
    if executor == "ray":
        from newstrace.executors.ray_executor import RayExecutor, RayUnavailable

        try:
            runner = RayExecutor(address=address, workers=workers)
        except RayUnavailable as exc:
            error(err, str(exc))
            raise typer.Exit(2) from None
    with _open(db, create=True, window=window) as index, progress_bar(err, not quiet) as cb:
        if runner is None:
            report = index.add(read_paths(paths), progress=cb)
        else:
            items = list(read_paths(paths))
            arts = [a for a in items if isinstance(a, Article)]
            report = index.add_encoded(runner.encode_stream(arts, progress=cb), progress=cb)
            report.problems[:0] = [p for p in items if isinstance(p, ReadProblem)]
        stats = index.stats()
    for p in report.problems:
        warning(err, p)
    _warn_old_verdicts(stats)
    if fmt is Format.json:
        _json({**report.to_dict(), "index": _totals(stats)})
    else:
        t = Table(title=escape(f"index {db}"), show_header=False)
        t.add_column("what")
        t.add_column("n", justify="right")
        rate = report.processed / report.seconds if report.seconds else 0.0
        for name, value in (
            ("added", len(report.added)), ("replaced", len(report.replaced)),
            ("unchanged", len(report.unchanged)), ("could not be read", len(report.problems)),
            ("pairs aligned", report.candidates), ("related pairs found", report.related),
            ("sentences encoded", f"{report.encoded} of {report.sentences}"),
            ("time", f"{report.seconds:.1f} s ({rate:.1f} articles/s)"),
            ("index: articles", stats["articles"]), ("index: families", stats["families"]),
            ("index: stories (2+ articles)", stats["stories"]),
        ):
            t.add_row(name, str(value))
        print_table(out, t)
    if not report.processed - len(report.problems):
        error(err, "no article could be read")
        raise typer.Exit(1)


def _totals(stats: dict) -> dict:
    return {k: stats[k] for k in ("articles", "families", "stories", "pairs_scored")}


@index_app.command()
def kin(
    target: str = typer.Argument(..., help="An indexed article id, or an article file"),
    db: Path = typer.Option(DEFAULT_DB, "--db", help=DB_HELP),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table or json"),
    evidence: bool = typer.Option(False, "--evidence", "-e", help="Print aligned sentences"),
) -> None:
    """The kin of one article: relations, scores and evidence (compare's JSON contract)."""
    with _open(db) as index:
        path = Path(target)
        query: Article | str = target
        if path.is_file():
            items = list(read_paths([path]))
            arts = [a for a in items if isinstance(a, Article)]
            for p in items:
                if isinstance(p, ReadProblem):
                    warning(err, p)
            if len(arts) != 1:
                error(err, f"{path}: expected one readable article, found {len(arts)}")
                raise typer.Exit(1)
            query = arts[0]
        pairs = index.kin(query)
        if fmt is Format.json:
            _json(pairs)
            return
        qid = query.id if isinstance(query, Article) else query
        if not pairs:
            out.print(f"no kin found for {escape(qid)}", highlight=False)
            return
        ids = {qid} | {p["a"] for p in pairs} | {p["b"] for p in pairs}
        sents = {i: _sentences(index, i, query) for i in ids}
        langs = {i: v[0] for i, v in sents.items()}
        print_table(out, pairs_table(pairs, langs))
        if evidence:
            for p in pairs:
                if p["evidence"]:
                    print_evidence(p, sents[p["a"]][1], sents[p["b"]][1], out)


def _sentences(index: Index, ident: str, query: Article | str) -> tuple[str, list[str]]:
    if isinstance(query, Article) and query.id == ident:
        return query.lang or "?", query.sentences
    art = index.article(ident)
    return art["lang"] or "?", art["sentence_list"]


@index_app.command()
def story(
    ident: str = typer.Argument(..., help="An article id (or a story id such as S12)"),
    db: Path = typer.Option(DEFAULT_DB, "--db", help=DB_HELP),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table or json"),
) -> None:
    """The story an article belongs to: its articles, families and related pairs."""
    with _open(db) as index:
        st = index.story(ident)
        if fmt is Format.json:
            _json(st)
            return
        out.print(f"[bold]Story {st['id']}[/] ({len(st['articles'])} articles)",
                  highlight=False)
        in_family = set()
        for f in st["families"]:
            in_family.update(f["articles"])
            print_family(out, f, "not in the index")
        indep = [a for a in st["articles"] if a not in in_family]
        if indep:
            out.print(f"  Independent coverage: {escape(', '.join(indep))}", highlight=False)
        if st["pairs"]:
            print_table(out, pairs_table(st["pairs"]))


@index_app.command()
def stats(
    db: Path = typer.Option(DEFAULT_DB, "--db", help=DB_HELP),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table or json"),
) -> None:
    """Counts and sizes."""
    with _open(db) as index:
        s = index.stats()
    if fmt is Format.json:
        _json(s)
        return
    t = Table(title=escape(f"index {s['path']}"), show_header=False)
    t.add_column("what")
    t.add_column("value", overflow="fold")
    for key in ("articles", "sentences", "embeddings", "pairs_scored", "families", "stories",
                "single_article_stories", "window_days", "schema_version", "encoder_version",
                "needs_rebuild", "relation_model", "verdicts_current"):
        t.add_row(key.replace("_", " "), str(s[key]))
    t.add_row("relations", ", ".join(f"{k} {v}" for k, v in s["relations"].items()))
    t.add_row("languages", ", ".join(f"{k} {v}" for k, v in s["languages"].items()))
    t.add_row("bytes", ", ".join(f"{k} {v:,}" for k, v in s["bytes"].items()))
    for name, vi in s["vector_index"].items():
        t.add_row(f"vector index ({name})", f"{vi['vectors']} vectors ({vi['kind']}; "
                  f"{vi['unsaved_vectors']} not yet in the file), "
                  f"{vi['bytes_per_article']} B/article in memory")
    print_table(out, t)
    _warn_old_verdicts(s)


def _warn_old_verdicts(stats: dict) -> None:
    if stats["articles"] and not stats["verdicts_current"]:
        warning(err, "some stored verdicts come from another relation model than this "
                     f"newstrace's ({stats['relation_model']}); they stand as they were "
                     "made. `newstrace index rebuild` re-verifies every pair.")


@index_app.command()
def rebuild(
    db: Path = typer.Option(DEFAULT_DB, "--db", help=DB_HELP),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar"),
) -> None:
    """Re-encode and re-verify every article (after an encoder change, or to bring verdicts
    of an older relation model up to this one; resumable)."""
    from newstrace.index.rebuild import rebuild as run_rebuild

    if not db.exists():
        error(err, f"{db}: no index here")
        raise typer.Exit(1)
    try:
        with progress_bar(err, not quiet) as cb:
            n = run_rebuild(db, progress=cb)
    except StoreError as exc:
        error(err, exc)
        raise typer.Exit(2) from exc
    err.print(f"rebuilt {db}: {n} article(s) re-encoded and re-verified",
              markup=False, highlight=False)


@index_app.command()
def export(
    db: Path = typer.Option(DEFAULT_DB, "--db", help=DB_HELP),
    table: ExportTable = typer.Option(
        ExportTable.articles, "--table", "-t",
        help="articles (id, family, story, keep: the dedup column), pairs, families, "
             "stories or sources"),
    fmt: ExportFormat = typer.Option(ExportFormat.jsonl, "--format", "-f",
                                     help="jsonl (one JSON object a line) or csv"),
    out_file: Path | None = typer.Option(None, "--out", "-o", help="Write here, not stdout"),
    search: str | None = typer.Option(
        None, "--search", help="Only what matches this text in an id, title or body "
        "(articles; families, stories with such a member; pairs with such a side)"),
    lang: str | None = typer.Option(None, "--lang", help="... in this language ('?': unknown)"),
    outlet: str | None = typer.Option(None, "--outlet", help="... from this outlet"),
    date_from: str | None = typer.Option(None, "--from", help="... published on or after "
                                         "(ISO prefix: 2024, 2024-05, 2024-05-31)"),
    date_to: str | None = typer.Option(None, "--to", help="... published on or before"),
) -> None:
    """One table of the index as JSONL or CSV (default: one JSON line per article with its
    family, story and keep, the dedup keep/drop column). The filters narrow it as the web
    UI's lists are narrowed; sources are always whole."""
    import re

    from newstrace.cli.exports import index_records, source_records, write_table
    from newstrace.cli.sources import _from_index
    from newstrace.grouping.outlets import MIN_ARTICLES
    from newstrace.index.browse import DATE_PREFIX, Filters, matching_ids

    for name, value in (("--from", date_from), ("--to", date_to)):
        if value and not re.match(DATE_PREFIX, value):
            error(err, f"{name} {value!r}: not a date (use an ISO prefix: 2024, 2024-05 or "
                       "2024-05-31)")
            raise typer.Exit(2)
    filters = Filters(q=search or None, lang=lang or None, outlet=outlet or None,
                      date_from=date_from or None, date_to=date_to or None)
    if table is ExportTable.sources:
        if not db.exists():
            error(err, f"{db}: no index here (create one with `newstrace index add`)")
            raise typer.Exit(1)
        records = source_records(_from_index(db, None, MIN_ARTICLES))
    else:
        with _open(db) as index:
            records = index_records(index, table.value, matching_ids(index, filters))
    fields = ["id", "family", "story", "keep"] if table is ExportTable.articles else None
    dest = out_file.open("w", encoding="utf-8", newline="") if out_file else sys.stdout
    try:
        write_table(dest, table.value, records, fmt.value, fields)
    finally:
        if out_file:
            dest.close()
            err.print(f"wrote {out_file}", markup=False, highlight=False)


if __name__ == "__main__":
    index_app()
