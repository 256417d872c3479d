"""Command-line interface: a thin layer over the library (Typer + rich).

Exit codes: 0 success, 1 no article could be read (or nothing found), 2 bad usage.
Results go to stdout (or --out); progress and warnings go to stderr.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path

import typer
from rich.markup import escape

from newstrace.cli.eval import register
from newstrace.cli.index import index_app
from newstrace.cli.output import (
    err_console,
    error,
    out_console,
    pairs_table,
    print_evidence,
    print_reason,
    print_scan,
    print_table,
    progress_bar,
    warning,
)
from newstrace.cli.serve import serve
from newstrace.cli.sources import sources as sources_command
from newstrace.grouping import STORY_WINDOW_DAYS
from newstrace.pipeline import Pipeline
from newstrace.text.article import Article, ReadProblem
from newstrace.text.readers import article_from_dict, read_paths

app = typer.Typer(
    help="Trace news text across languages: copies, translations, rewrites, same story.",
    no_args_is_help=True,
    add_completion=False,
)
err = err_console()
out = out_console()


class Format(str, Enum):
    table = "table"
    json = "json"
    html = "html"


class ScanFormat(str, Enum):
    table = "table"
    json = "json"
    html = "html"
    parquet = "parquet"  # --executor ray --out DIR only


class ExportFormat(str, Enum):
    csv = "csv"
    jsonl = "jsonl"


class ExecutorName(str, Enum):
    local = "local"
    ray = "ray"


def _read(paths: list[Path]) -> tuple[list[Article], list[ReadProblem]]:
    arts: list[Article] = []
    problems: list[ReadProblem] = []
    for item in read_paths(paths):
        if isinstance(item, ReadProblem):
            problems.append(item)
            warning(err, item)
        else:
            arts.append(item)
    return arts, problems


def _emit(text: str, dest: Path | None) -> None:
    if dest is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        dest.write_text(text, encoding="utf-8")
        err.print(f"wrote {dest}", markup=False, highlight=False)


@app.command()
def scan(
    paths: list[Path] = typer.Argument(
        ..., help="Files or folders: .txt .html .htm .json .jsonl .parquet .warc(.gz) "
        ".rss .atom .xml"),
    fmt: ScanFormat = typer.Option(
        ScanFormat.table, "--format", "-f",
        help="table, json or html; with --executor ray --out DIR: json (JSONL files) or parquet"),
    out_file: Path | None = typer.Option(
        None, "--out", "-o", help="Write the result here (with --executor ray: a folder)"),
    with_sentences: bool = typer.Option(False, "--with-sentences", help="Include sentence lists"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars"),
    executor: ExecutorName = typer.Option(
        ExecutorName.local, "--executor", help="local (this process) or ray (a Ray cluster)"),
    address: str | None = typer.Option(
        None, "--address", help="Ray cluster to join: auto or HOST:PORT (default: start one here)"),
    workers: int | None = typer.Option(
        None, "--workers", min=1, help="Ray: encoder workers, one CPU each (default: all CPUs)"),
    wheel: Path | None = typer.Option(
        None, "--wheel", help="Ray: ship this built newstrace wheel to the workers (pip "
        "installs it on every node) instead of this process's own package"),
    window: float = typer.Option(
        STORY_WINDOW_DAYS, "--window", min=0,
        help="Stories join articles published within DAYS of each other (inf: no window)"),
    search_window: float | None = typer.Option(
        None, "--search-window", min=0, metavar="DAYS",
        help="Search nearest neighbours only among articles published within about DAYS "
             "of each other (partitions by publication time, for very large scans; "
             "undated articles are searched among themselves). Default: the whole scan. "
             "Copies are still found across any distance by their shared text."),
    export: Path | None = typer.Option(
        None, "--export", metavar="DIR", help="Also write the articles, pairs, families, "
        "stories and sources tables to DIR (articles.csv, pairs.csv, ...)"),
    export_format: ExportFormat = typer.Option(
        ExportFormat.csv, "--export-format", help="csv (flat) or jsonl (as the JSON output)"),
) -> None:
    """Relate every article to the others: pairs, families and stories."""
    ray = executor is ExecutorName.ray
    if not ray and (address or workers or wheel):
        error(err, "--address, --workers and --wheel need --executor ray")
        raise typer.Exit(2)
    if fmt is ScanFormat.parquet and not (ray and out_file):
        error(err, "--format parquet needs --executor ray --out DIR")
        raise typer.Exit(2)
    if ray and out_file and fmt is ScanFormat.html:
        error(err, "--executor ray --out DIR writes json (JSONL) or parquet tables, not html")
        raise typer.Exit(2)
    if ray and out_file and export:
        error(err, "--export needs a scan result: --executor ray --out DIR writes tables")
        raise typer.Exit(2)
    arts, problems = _read(paths)
    if not arts:
        error(err, "no article could be read")
        raise typer.Exit(1)
    if ray:
        from newstrace.executors.ray_executor import RayExecutor, RayUnavailable

        try:
            runner = RayExecutor(Pipeline(window_days=window, search_window_days=search_window),
                                 address=address, workers=workers, wheel=wheel)
        except (RayUnavailable, ValueError) as exc:
            error(err, str(exc))
            raise typer.Exit(2) from None
        with progress_bar(err, not quiet) as cb:
            run = runner.run(arts, progress=cb)
        run.problems = problems
        if out_file is not None:
            table_fmt = "parquet" if fmt is ScanFormat.parquet else "jsonl"
            manifest = run.write(out_file, table_fmt, with_sentences)
            rows = ", ".join(f"{v} {k}" for k, v in manifest["rows"].items())
            err.print(f"wrote {out_file} ({rows})", markup=False, highlight=False)
            return
        result = run.result()
    else:
        with progress_bar(err, not quiet) as cb:
            result = Pipeline(window_days=window, search_window_days=search_window).scan(
                arts, progress=cb)
    result.problems = problems
    if export is not None:
        from newstrace.cli.exports import scan_tables, write_all

        counts = write_all(export, scan_tables(result.to_dict()), export_format.value)
        rows = ", ".join(f"{n} {name}" for name, n in counts.items())
        err.print(f"wrote {export} ({rows})", markup=False, highlight=False)
    if fmt is ScanFormat.json:
        _emit(json.dumps(result.to_dict(with_sentences), ensure_ascii=False, indent=2), out_file)
    elif fmt is ScanFormat.html:
        from newstrace.service.report import render_html

        _emit(render_html(result.to_dict(with_sentences=True)), out_file or Path("report.html"))
    else:
        if out_file is None:
            print_scan(result.to_dict(), out)
        else:
            with out_file.open("w", encoding="utf-8") as fh:
                print_scan(result.to_dict(), out_console(fh))


@app.command()
def compare(
    a: Path | None = typer.Argument(None, help="First article file"),
    b: Path | None = typer.Argument(None, help="Second article file"),
    pairs: Path | None = typer.Option(
        None, "--pairs", help='JSONL, one {"id", "a": {article}, "b": {article}} per line'
    ),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table or json"),
    evidence: bool = typer.Option(False, "--evidence", "-e", help="Print aligned sentences"),
) -> None:
    """Relate two articles, or many pairs from a JSONL file (one result line per line)."""
    pipeline = Pipeline()
    if pairs is not None:
        if a is not None or b is not None:
            error(err, "give either two files or --pairs, not both")
            raise typer.Exit(2)
        raise typer.Exit(_compare_pairs(pipeline, pairs))
    if a is None or b is None:
        error(err, "compare needs two article files (or --pairs FILE.jsonl)")
        raise typer.Exit(2)
    arts_a, _ = _read([a])
    arts_b, _ = _read([b])
    if len(arts_a) != 1 or len(arts_b) != 1:
        error(err, "each side must be exactly one readable article")
        raise typer.Exit(1)
    result = pipeline.compare(arts_a[0], arts_b[0]).to_dict()
    for art in (arts_a[0], arts_b[0]):
        for w in art.warnings:  # reading and analysis: a bot check, no sentences left, ...
            warning(err, f"{art.id}: {w}")
    if fmt is Format.json:
        _emit(json.dumps(result, ensure_ascii=False, indent=2), None)
        return
    print_table(out, pairs_table([result], {arts_a[0].id: arts_a[0].lang or "?",
                                            arts_b[0].id: arts_b[0].lang or "?"}))
    print_reason(result, out)
    if evidence:
        print_evidence(result, arts_a[0].sentences, arts_b[0].sentences, out)


def _compare_pairs(pipeline: Pipeline, path: Path) -> int:
    if not path.is_file():
        error(err, f"{path}: no such file")
        return 2
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    ok = 0
    with progress_bar(err) as cb:
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            where = f"{path}:{n}"
            record: dict = {"id": None}
            try:
                obj = json.loads(line)
                record["id"] = obj.get("id") if isinstance(obj, dict) else None
                if not isinstance(obj, dict):
                    raise ValueError("line is not a JSON object")
                sides = [article_from_dict(obj.get(k), f"{where} [{k}]") for k in ("a", "b")]
                bad = [s for s in sides if isinstance(s, ReadProblem)]
                if bad:
                    raise ValueError("; ".join(str(p) for p in bad))
                arts = [s for s in sides if isinstance(s, Article)]
                record.update(pipeline.compare(arts[0], arts[1]).to_dict())
                notes = {k: art.warnings for k, art in zip("ab", arts) if art.warnings}
                if notes:  # a bot check, no sentences left, ...: which side, and why
                    record["warnings"] = notes
                    for k, ws in notes.items():
                        for w in ws:
                            warning(err, f"{where} [{k}]: {w}")
                ok += 1
            except (ValueError, json.JSONDecodeError) as exc:
                record["error"] = str(exc)
                warning(err, f"{where}: {exc}")
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
            cb("compare", n, len(lines))
    return 0 if ok else 1


@app.command()
def sentences(
    path: Path = typer.Argument(..., help="An article file"),
    fmt: Format = typer.Option(Format.table, "--format", "-f"),
) -> None:
    """Print an article's sentence list (the indices evidence spans refer to)."""
    from newstrace.embedding.prepare import analyse

    arts, _ = _read([path])
    if not arts:
        raise typer.Exit(1)
    for art in arts:
        analyse(art)
        if fmt is Format.json:
            rows = [{"i": i, "lang": lg, "text": s}
                    for i, (s, lg) in enumerate(zip(art.sentences, art.sentence_langs))]
            _emit(json.dumps({"id": art.id, "lang": art.lang, "sentences": rows},
                             ensure_ascii=False, indent=2), None)
        else:
            out.print(f"[bold]{escape(art.id)}[/] ({art.lang})", highlight=False)
            for i, (s, lg) in enumerate(zip(art.sentences, art.sentence_langs)):
                out.print(f"{i:4d} [dim]{lg}[/] {escape(s)}", highlight=False)


app.add_typer(index_app, name="index", help="Persistent on-disk index")
app.command(help="Run the HTTP API and web UI over an index")(serve)
register(app)
app.command(name="sources")(sources_command)


def main() -> None:
    if sys.stderr.isatty():
        app()
        return
    # Off a terminal Typer would draw usage errors and tracebacks as panels 80 columns
    # wide, breaking messages and paths in a log: click's plain lines and Python's own
    # traceback instead. Help, on stdout, keeps its layout.
    app.pretty_exceptions_enable = False
    try:
        code = app(standalone_mode=False)
    except typer.TyperException as exc:  # a usage error (click's, vendored by Typer)
        if type(exc).__name__ != "NoArgsIsHelpError":  # else Typer has printed the help
            show = getattr(exc, "show", None)
            if show is not None:
                show()
            else:
                typer.echo(f"Error: {exc.format_message()}", err=True)
        code = exc.exit_code
    except typer.Abort:
        typer.echo("Aborted!", err=True)
        code = 1
    sys.exit(code if isinstance(code, int) else 0)
