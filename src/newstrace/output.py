"""Human-readable rendering of results with rich (JSON is the machine format)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

STAGES = {
    "analyse": "Reading & language",
    "encode": "Encoding sentences",
    "compare": "Aligning pairs",
    "index": "Indexing articles",
}


@contextmanager
def progress_bar(
    console: Console, enabled: bool = True
) -> Iterator[Callable[[str, int, int], None]]:
    """Yields a pipeline progress callback drawing one bar per stage on `console`."""
    if not enabled:
        yield lambda stage, done, total: None
        return
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=True,
    ) as bar:
        tasks: dict[str, int] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(STAGES.get(stage, stage), total=total or None)
            bar.update(tasks[stage], completed=done, total=total or None)

        yield update

_COLOURS = {
    "duplicate": "bold red",
    "translation": "bold magenta",
    "rewrite": "bold yellow",
    "partial": "yellow",
    "same_story": "cyan",
    "unrelated": "dim",
}


def relation_text(rel: str) -> str:
    return f"[{_COLOURS.get(rel, '')}]{rel}[/]"


def print_scan(result: dict, console: Console) -> None:
    langs = {a["id"]: a["lang"] or "?" for a in result["articles"]}
    t = Table(title=f"{len(result['articles'])} articles", show_lines=False)
    for col in ("id", "lang", "sentences", "title", "warnings"):
        t.add_column(col, overflow="fold")
    for a in result["articles"]:
        t.add_row(a["id"], a["lang"] or "?", str(a["sentences"]), (a["title"] or "")[:60],
                  "; ".join(a["warnings"]))
    console.print(t)
    fam_of = {x: f["id"] for f in result["families"] for x in f["articles"]}
    for s in result["stories"]:
        if len(s["articles"]) < 2:
            continue
        console.print(f"[bold]Story {s['id']}[/] ({len(s['articles'])} articles)")
        for f in (f for f in result["families"] if f["story"] == s["id"]):
            origin = f["origin"] or "not in the collection"
            src = f" · credits [bold]{f['attributed_source']}[/]" if f["attributed_source"] else ""
            console.print(f"  Family {f['id']}: {', '.join(f['articles'])}")
            console.print(f"    origin: {origin} ({f['origin_reason']}){src}")
        indep = [x for x in s["articles"] if x not in fam_of]
        if indep:
            console.print(f"  Independent coverage: {', '.join(indep)}")
    if result["pairs"]:
        console.print(pairs_table(result["pairs"], langs))
    singles = sum(1 for s in result["stories"] if len(s["articles"]) == 1)
    if singles:
        console.print(f"[dim]{singles} article(s) with no related article[/]")
    for p in result.get("problems", []):
        console.print(f"[yellow]skipped[/] {p['where']}: {p['message']}")


def pairs_table(pairs: list[dict], langs: dict[str, str] | None = None) -> Table:
    langs = langs or {}
    t = Table(title="Relations")
    for col in ("a", "b", "relation", "reuse", "story", "coverage a/b", "direction", "evidence"):
        t.add_column(col)
    for p in pairs:
        la, lb = langs.get(p["a"]), langs.get(p["b"])
        t.add_row(
            f"{p['a']}" + (f" ({la})" if la else ""),
            f"{p['b']}" + (f" ({lb})" if lb else ""),
            relation_text(p["relation"]),
            f"{p['reuse_score']:.2f}",
            f"{p['story_score']:.2f}",
            f"{p['coverage']['a']:.2f}/{p['coverage']['b']:.2f}",
            p["direction"] or "",
            f"{len(p['evidence'])} spans",
        )
    return t


def print_evidence(pair: dict, sents_a: list[str], sents_b: list[str], console: Console) -> None:
    for e in pair["evidence"]:
        a0, a1 = e["a"]
        b0, b1 = e["b"]
        console.print(f"[bold]{pair['a']}[{a0}-{a1}] ~ {pair['b']}[{b0}-{b1}][/] {e['score']:.2f}")
        console.print("  A: " + " ".join(sents_a[a0 : a1 + 1]), highlight=False)
        console.print("  B: " + " ".join(sents_b[b0 : b1 + 1]), highlight=False)
