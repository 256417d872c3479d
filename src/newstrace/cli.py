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
from rich.console import Console

from .article import Article, ReadProblem
from .cli_eval import register
from .cli_index import index_app
from .cli_serve import serve
from .output import pairs_table, print_evidence, print_scan, progress_bar
from .pipeline import Pipeline
from .readers import article_from_dict, read_paths

app = typer.Typer(
    help="Trace news text across languages: copies, translations, rewrites, same story.",
    no_args_is_help=True,
    add_completion=False,
)
err = Console(stderr=True, soft_wrap=True)  # warnings stay one line each, for grep
out = Console()

class Format(str, Enum):
    table = "table"
    json = "json"
    html = "html"


def _read(paths: list[Path]) -> tuple[list[Article], list[ReadProblem]]:
    arts: list[Article] = []
    problems: list[ReadProblem] = []
    for item in read_paths(paths):
        if isinstance(item, ReadProblem):
            problems.append(item)
            err.print(f"[yellow]warning:[/] {item}", highlight=False)
        else:
            arts.append(item)
    return arts, problems


def _emit(text: str, dest: Path | None) -> None:
    if dest is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        dest.write_text(text, encoding="utf-8")
        err.print(f"wrote {dest}")


@app.command()
def scan(
    paths: list[Path] = typer.Argument(..., help="Files or folders: .txt .html .htm .json .jsonl"),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, json or html"),
    out_file: Path | None = typer.Option(None, "--out", "-o", help="Write the result here"),
    with_sentences: bool = typer.Option(False, "--with-sentences", help="Include sentence lists"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars"),
) -> None:
    """Relate every article to the others: pairs, families and stories."""
    arts, problems = _read(paths)
    if not arts:
        err.print("[red]error:[/] no article could be read")
        raise typer.Exit(1)
    with progress_bar(err, not quiet) as cb:
        result = Pipeline().scan(arts, progress=cb)
    result.problems = problems
    if fmt is Format.json:
        _emit(json.dumps(result.to_dict(with_sentences), ensure_ascii=False, indent=2), out_file)
    elif fmt is Format.html:
        from .report import render_html

        _emit(render_html(result.to_dict(with_sentences=True)), out_file or Path("report.html"))
    else:
        console = Console(file=out_file.open("w", encoding="utf-8")) if out_file else out
        print_scan(result.to_dict(), console)


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
            err.print("[red]error:[/] give either two files or --pairs, not both")
            raise typer.Exit(2)
        raise typer.Exit(_compare_pairs(pipeline, pairs))
    if a is None or b is None:
        err.print("[red]error:[/] compare needs two article files (or --pairs FILE.jsonl)")
        raise typer.Exit(2)
    arts_a, _ = _read([a])
    arts_b, _ = _read([b])
    if len(arts_a) != 1 or len(arts_b) != 1:
        err.print("[red]error:[/] each side must be exactly one readable article")
        raise typer.Exit(1)
    result = pipeline.compare(arts_a[0], arts_b[0]).to_dict()
    if fmt is Format.json:
        _emit(json.dumps(result, ensure_ascii=False, indent=2), None)
        return
    out.print(pairs_table([result], {arts_a[0].id: arts_a[0].lang or "?",
                                     arts_b[0].id: arts_b[0].lang or "?"}))
    if evidence:
        print_evidence(result, arts_a[0].sentences, arts_b[0].sentences, out)


def _compare_pairs(pipeline: Pipeline, path: Path) -> int:
    if not path.is_file():
        err.print(f"[red]error:[/] {path}: no such file")
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
                record.update(pipeline.compare(sides[0], sides[1]).to_dict())  # type: ignore[arg-type]
                ok += 1
            except (ValueError, json.JSONDecodeError) as exc:
                record["error"] = str(exc)
                err.print(f"[yellow]warning:[/] {where}: {exc}", highlight=False)
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
            cb("compare", n, len(lines))
    return 0 if ok else 1


@app.command()
def sentences(
    path: Path = typer.Argument(..., help="An article file"),
    fmt: Format = typer.Option(Format.table, "--format", "-f"),
) -> None:
    """Print an article's sentence list (the indices evidence spans refer to)."""
    from .prepare import analyse

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
            out.print(f"[bold]{art.id}[/] ({art.lang})")
            for i, (s, lg) in enumerate(zip(art.sentences, art.sentence_langs)):
                out.print(f"{i:4d} [dim]{lg}[/] {s}", highlight=False)


app.add_typer(index_app, name="index", help="Persistent on-disk index")
app.command(help="Run the HTTP API and web UI over an index")(serve)
register(app)


def main() -> None:
    app()
