"""`newstrace eval` and `newstrace calibrate` commands."""

from __future__ import annotations

import json
import subprocess
from datetime import date
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from newstrace.cli.output import err_console, error, out_console, print_table, progress_bar
from newstrace.embedding.encoder import DiskCache, Encoder
from newstrace.pipeline import Pipeline

if TYPE_CHECKING:
    from types import ModuleType

    from newstrace.evaluation.tasks import TaskResult

DATA_HELP = "Dev corpora folder (default ../shared/data)"
NO_DEV_DATA = {"seeds", "unrelated"}  # tasks that read no dev corpus
err = err_console()
out = out_console()


class EvalFormat(str, Enum):
    table = "table"
    json = "json"


def _pipeline(cache: Path | None) -> tuple[Pipeline, DiskCache]:
    store = DiskCache(str(cache) if cache else None)
    return Pipeline(encoder=Encoder(store=store)), store


def _tasks() -> ModuleType:
    """The evaluation tasks, imported when an eval runs: they pull in scipy.stats and the
    corpora readers, which every other command would otherwise load at start (~0.6 s)."""
    from newstrace.evaluation import tasks

    return tasks


def _status(key: str, value: float) -> str:
    t = _tasks()
    if key not in t.TARGETS:
        return ""
    bound = t.TARGETS[key][0]
    return "met" if (value <= bound if key in t.AT_MOST else value >= bound) else "GAP"


def _target(key: str) -> str:
    t = _tasks()
    if key not in t.TARGETS:
        return ""
    return f"{'≤' if key in t.AT_MOST else '≥'} {t.TARGETS[key][0]}"


def _print(result: TaskResult) -> None:
    t = Table(title=f"eval {result.task}")
    for col in ("metric", "value", "target", "status"):
        t.add_column(col)
    for k, v in result.metrics.items():
        key = f"{result.task}.{k}"
        t.add_row(k, str(v), _target(key), _status(key, v))
    if result.metrics:
        print_table(out, t)
    for name, rows in result.tables.items():
        if not rows:
            continue
        tt = Table(title=name)
        for col in rows[0]:
            tt.add_column(col)
        for r in rows:
            tt.add_row(*(str(r.get(c, "")) for c in rows[0]))
        print_table(out, tt)
    for note in result.notes:
        out.print(f"note: {note}", markup=False, highlight=False)


NOTES_MARKER = "## Reading these figures"


def markdown(results: list[TaskResult]) -> str:
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, check=False).stdout.strip() or "unknown"
    except OSError:
        commit = "unknown"
    lines = ["# Quality", "", f"Measured by `newstrace eval all` on {date.today().isoformat()}, "
             f"commit `{commit}`, on the *report* halves of the dev corpora "
             "(calibration uses the *fit* halves; see docs/CALIBRATION.md).", "",
             "| task | metric | value | target | anchor | status |", "|---|---|---|---|---|---|"]
    for r in results:
        for k, v in r.metrics.items():
            key = f"{r.task}.{k}"
            anchor = _tasks().TARGETS.get(key, (None, ""))[1]
            lines.append(f"| {r.task} | {k} | {v} | {_target(key)} | "
                         f"{anchor} | {_status(key, v)} |")
    for r in results:
        for name, rows in r.tables.items():
            if not rows:
                continue
            lines += ["", f"### {r.task}: {name}", "", "| " + " | ".join(rows[0]) + " |",
                      "|" + "---|" * len(rows[0])]
            lines += ["| " + " | ".join(str(x.get(c, "")) for c in rows[0]) + " |" for x in rows]
    gaps = [f"{r.task}.{k} = {v}" for r in results for k, v in r.metrics.items()
            if _status(f"{r.task}.{k}", v) == "GAP"]
    lines += ["", "## Gaps", ""] + ([f"- {g}" for g in gaps] or ["- none"])
    return "\n".join(lines) + "\n"


def register(app: typer.Typer) -> None:
    @app.command(name="eval")
    def eval_cmd(
        task: str = typer.Argument(..., help="similarity, translation, reuse, stories, passages, "
                                   "alignment, unrelated, seeds or all"),
        data: Path = typer.Option(None, "--data", help=DATA_HELP),
        seeds_path: Path = typer.Option(Path("examples/seeds"), "--seeds"),
        pages: Path | None = typer.Option(
            None, "--pages", help="Pages for `unrelated` (default: the source checkout's "
            "tests/fixtures/unrelated_pages.jsonl; skipped when there is none)"),
        split: str = typer.Option("report", "--split", help="report (held out), fit or all"),
        fmt: EvalFormat = typer.Option(EvalFormat.table, "--format", "-f"),
        md: Path | None = typer.Option(None, "--markdown", help="Write QUALITY.md-style markdown"),
        cache: Path | None = typer.Option(Path(".cache/embeddings.npz"), "--cache",
                                          help="Sentence-embedding cache file"),
    ) -> None:
        """Measure quality on a labelled corpus with the real pipeline."""
        from newstrace.evaluation.corpora import default_data_dir
        from newstrace.evaluation.tasks import TASKS, seeds

        names = list(TASKS) + ["seeds"] if task == "all" else [task]
        unknown = [n for n in names if n not in TASKS and n != "seeds"]
        if unknown:
            error(err, f"unknown task {unknown[0]!r}")
            raise typer.Exit(2)
        data = data or default_data_dir()
        if any(n not in NO_DEV_DATA for n in names) and not data.is_dir():
            error(err, f"dev data folder {data} not found (use --data)")
            raise typer.Exit(2)
        if cache:
            cache.parent.mkdir(parents=True, exist_ok=True)
        pipeline, store = _pipeline(cache)
        results = []
        for name in names:
            err.print(f"[bold]eval {name}[/]")
            with progress_bar(err) as cb:
                if name == "seeds":
                    r = seeds(pipeline, seeds_path, cb)
                elif name == "unrelated":
                    r = TASKS[name](pipeline, data, split=split, progress=cb, pages=pages)
                else:
                    r = TASKS[name](pipeline, data, split=split, progress=cb)
            store.save()
            results.append(r)
            if fmt is EvalFormat.table:
                _print(r)
        if fmt is EvalFormat.json:
            print(json.dumps([r.to_dict() for r in results], ensure_ascii=False, indent=2))
        if md:
            # Hand-written reading notes below NOTES_MARKER survive a re-run.
            old = md.read_text(encoding="utf-8") if md.exists() else ""
            notes = old[old.index(NOTES_MARKER):] if NOTES_MARKER in old else ""
            md.write_text(markdown(results) + ("\n" + notes if notes else ""),
                          encoding="utf-8")
            err.print(f"wrote {md}", markup=False, highlight=False)

    @app.command()
    def calibrate(
        data: Path = typer.Option(None, "--data", help=DATA_HELP),
        cache: Path | None = typer.Option(Path(".cache/embeddings.npz"), "--cache"),
        dry_run: bool = typer.Option(False, "--dry-run", help="Fit and print; do not write"),
    ) -> None:
        """Fit the relation model on the fit halves of the dev corpora (writes params.json)."""
        from newstrace.evaluation.calibration import calibrate as run
        from newstrace.evaluation.corpora import default_data_dir

        data = data or default_data_dir()
        if not data.is_dir():
            error(err, f"dev data folder {data} not found (use --data)")
            raise typer.Exit(2)
        if cache:
            cache.parent.mkdir(parents=True, exist_ok=True)
        pipeline, store = _pipeline(cache)
        with progress_bar(err) as cb:
            params, report = run(pipeline, data, cb, write=not dry_run)
        store.save()
        print(json.dumps({"report": report, "params": params.to_dict()}, indent=2))
