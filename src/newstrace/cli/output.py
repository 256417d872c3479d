"""Human-readable rendering of results with rich (JSON is the machine format), and the
consoles every command prints through.

Off a terminal rich lays text out at 80 columns (or $COLUMNS), so a long message would be
broken across lines in a log, and a path in it split in two. Both consoles here soft-wrap:
a message is one line however long, on a terminal or in a file. Only tables are laid out
to the width (`print_table`); JSON is written with sys.stdout.write, never through rich.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from newstrace.grouping import origin_text
from newstrace.grouping.outlets import counts_text


def err_console() -> Console:
    """stderr: messages, warnings, problems and progress bars; lines are never wrapped."""
    return Console(stderr=True, soft_wrap=True)


def out_console(file: IO[str] | None = None) -> Console:
    """stdout (or `file`) for human output: plain lines are never wrapped; tables, printed
    with `print_table`, are laid out for the terminal's width."""
    return Console(file=file, soft_wrap=True)


def print_table(console: Console, table: Table) -> None:
    # soft_wrap would only drop the title's centring: cells keep their own wrapping.
    console.print(table, soft_wrap=False)


def error(console: Console, message: object) -> None:
    """`error: message`, the message verbatim (brackets in a path are not rich markup)."""
    console.print(f"[red]error:[/] {escape(str(message))}", highlight=False)


def warning(console: Console, message: object) -> None:
    console.print(f"[yellow]warning:[/] {escape(str(message))}", highlight=False)


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
    """Yields a pipeline progress callback drawing one bar per stage on `console` (a
    terminal only: in a log the transient bars would leave nothing but a blank line)."""
    if not enabled or not console.is_terminal:
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
        t.add_row(escape(a["id"]), a["lang"] or "?", str(a["sentences"]),
                  escape((a["title"] or "")[:60]), escape("; ".join(a["warnings"])))
    print_table(console, t)
    fam_of = {x: f["id"] for f in result["families"] for x in f["articles"]}
    for s in result["stories"]:
        if len(s["articles"]) < 2:
            continue
        title = f": {escape(s['title'])}" if s.get("title") else ""
        dates = (f" · {escape(str(s['first']))} – {escape(str(s['last']))}"
                 if s.get("first") else "")
        console.print(f"[bold]Story {s['id']}[/] ({len(s['articles'])} articles){title}{dates}",
                      highlight=False)
        if s.get("timeline"):
            print_timeline(console, s["timeline"])
        for f in (f for f in result["families"] if f["story"] == s["id"]):
            print_family(console, f, "not in the collection")
        indep = [x for x in s["articles"] if x not in fam_of]
        if indep:
            console.print(f"  Independent coverage: {escape(', '.join(indep))}",
                          highlight=False)
    if result["pairs"]:
        print_table(console, pairs_table(result["pairs"], langs))
    singles = sum(1 for s in result["stories"] if len(s["articles"]) == 1)
    if singles:
        console.print(f"[dim]{singles} article(s) with no related article[/]")
    for p in result.get("problems", []):
        console.print(f"[yellow]skipped[/] {escape(p['where'])}: {escape(p['message'])}",
                      highlight=False)


def print_family(console: Console, f: dict, no_origin: str = "not in the collection") -> None:
    """The family's members and origin: found, not in the collection (`no_origin`: "not
    in the index" for an index), or unclear - which reads differently."""
    origin = escape(origin_text(f).replace("not in the collection", no_origin))
    src = f" · credits [bold]{escape(f['attributed_source'])}[/]" if f["attributed_source"] else ""
    console.print(f"  Family {f['id']}: {escape(', '.join(f['articles']))}", highlight=False)
    console.print(f"    origin: {origin} ({escape(str(f['origin_reason']))}){src}", highlight=False)


def print_timeline(console: Console, rows: list[dict]) -> None:
    """Who published when, in which language, and each article's role."""
    for r in rows:
        src = f" ← {escape(str(r['from']))}" if r.get("from") else ""
        console.print(
            f"  [dim]{escape(str(r.get('published') or 'undated'))}[/] "
            f"{escape(r.get('outlet') or '(unknown outlet)')} ({r.get('lang') or '?'}) "
            f"[bold]{r['role']}[/] {escape(r['id'])}{src}", highlight=False)


def sources_table(section: dict) -> Table:
    """Outlets ranked by the share of their articles derived from another outlet's; a
    licensed column only when a licence file marked some outlets."""
    t = Table(title=f"Outlets with ≥ {section['min_articles']} articles, by derived share")
    licensed = any(r["licence_role"] for r in section["outlets"])
    cols = ["#", "outlet", "n", "langs", "derived", "reuses text of", "reused", "lag h"]
    for col in cols + (["licensed"] if licensed else []):
        numeric = col in ("#", "n", "derived", "reused", "lag h")
        t.add_column(col, overflow="fold", no_wrap=numeric, justify="right" if numeric else "left")
    for r in section["outlets"]:
        row = [str(r["rank"]), escape(r["outlet"]), str(r["articles"]),
               " ".join(r["languages"]), f"{r['derived_share']:.0%}",
               escape(counts_text(r["reuses"])), str(r["reused"]),
               "" if r["median_lag_hours"] is None else f"{r['median_lag_hours']:.1f}"]
        if licensed:
            row.append(escape("; ".join(x for x in (
                r["licence_role"] or "",
                f"from {counts_text(r['licensed_from'])}" if r["licensed_from"] else "",
                f"to {counts_text(r['licensed_to'])}" if r["licensed_to"] else "") if x)))
        t.add_row(*row)
    return t


def story_text(p: dict) -> str:
    """story_score, and the lifted score the threshold saw for a pair across languages
    (relation.story_link): "0.47→0.68"."""
    link = p.get("story_link")
    return f"{p['story_score']:.2f}" + (f"→{link:.2f}" if link is not None else "")


def pairs_table(pairs: list[dict], langs: dict[str, str] | None = None) -> Table:
    langs = langs or {}
    t = Table(title="Relations")
    for col in ("a", "b", "relation", "reuse", "story", "coverage a/b", "direction", "evidence"):
        t.add_column(col)
    for p in pairs:
        la, lb = langs.get(p["a"]), langs.get(p["b"])
        t.add_row(
            escape(p["a"]) + (f" ({la})" if la else ""),
            escape(p["b"]) + (f" ({lb})" if lb else ""),
            relation_text(p["relation"]),
            f"{p['reuse_score']:.2f}",
            story_text(p),
            f"{p['coverage']['a']:.2f}/{p['coverage']['b']:.2f}",
            p["direction"] or "",
            f"{len(p['evidence'])} spans",
        )
    return t


def print_evidence(pair: dict, sents_a: list[str], sents_b: list[str], console: Console) -> None:
    for e in pair["evidence"]:
        a0, a1 = e["a"]
        b0, b1 = e["b"]
        # [0-3] is not markup (a tag starts with a letter): no escape needed there.
        console.print(f"[bold]{escape(pair['a'])}[{a0}-{a1}] ~ {escape(pair['b'])}[{b0}-{b1}][/] "
                      f"{e['score']:.2f}", highlight=False)
        console.print("  A: " + escape(" ".join(sents_a[a0 : a1 + 1])), highlight=False)
        console.print("  B: " + escape(" ".join(sents_b[b0 : b1 + 1])), highlight=False)
