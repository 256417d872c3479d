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

from rich import box
from rich.console import Console, ConsoleOptions, RenderResult
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

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


WIDE = 100  # narrower terminals get compact tables


def compact_table(title: str) -> Table:
    """A table for a narrow terminal: no rules, no edges, two blanks between columns (the
    box's blank divider and a right pad), so 8 columns spend 14 of 80 columns on gaps
    where a boxed table spends 25."""
    return Table(title=title, box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0), pad_edge=False,
                 show_edge=False)


def print_scan(result: dict, console: Console) -> None:
    langs = {a["id"]: a["lang"] or "?" for a in result["articles"]}
    title = f"{len(result['articles'])} articles"
    narrow = console.width < WIDE
    t = compact_table(title) if narrow else Table(title=title)
    for col in ("id", "lang", "sents" if narrow else "sentences", "title", "warnings"):
        t.add_column(col, overflow="fold", justify="right" if col.startswith("sent") else "left")
    for a in result["articles"]:
        t.add_row(escape(a["id"]), a["lang"] or "?", str(a["sentences"]),
                  escape(a["title"] or ""), escape("; ".join(a["warnings"])))
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
    """story_score, and the score the threshold saw when it differs (relation.story_link):
    lifted for a pair across languages, "0.47→0.68", or 0 when a text names no event or
    holds no article text."""
    link = p.get("story_link")
    return f"{p['story_score']:.2f}" + (f"→{link:.2f}" if link is not None else "")


# Compact headers for narrow terminals, and what they stand for (the legend).
_PAIR_COLUMNS = (  # (wide header, compact header, numeric)
    ("a", "a", False), ("b", "b", False), ("relation", "relation", False),
    ("reuse", "reuse", True), ("story", "story", True), ("coverage a/b", "cov a/b", True),
    ("direction", "dir", False), ("evidence", "ev", True),
)
_RELATION_WIDTH = max(len(r) for r in _COLOURS)  # relation names are never cut
LEGEND_COMPACT = (
    "reuse: shared-text score · story: same-story score (x→y: what the threshold saw, "
    "lifted across languages, or 0 when a text names no event or holds no article text) · "
    "cov a/b: share of a / of b in shared passages · dir a>b: b derives from a · "
    "ev: evidence spans")
LEGEND_WIDE = ("story x→y: same-story score, and what the threshold saw (lifted across "
               "languages, 0 when a text names no event or holds no article text) · "
               "direction a>b: b derives from a")


class PairsTable:
    """The relations table, laid out when it is printed, for the console's width: on a
    narrow terminal (80 columns) short headers, no column rules, ids wrapped (never cut)
    and a legend for the abbreviations; a wide one gets full headers and ids on one line.
    """

    def __init__(self, pairs: list[dict], langs: dict[str, str] | None = None):
        self.pairs = pairs
        self.langs = langs or {}

    def _side(self, ident: str) -> str:
        lang = self.langs.get(ident)
        return escape(ident) + (f" ({lang})" if lang else "")

    def wide_width(self) -> int:
        """Columns the wide layout needs: ids and every cell on one line."""
        ids = max((len(self._side(p[k])) for p in self.pairs for k in "ab"), default=1)
        cells = [_RELATION_WIDTH, 5, 9, len("coverage a/b"), len("direction"), len("evidence")]
        return 2 * max(ids, 1) + sum(cells) + 3 * len(_PAIR_COLUMNS) + 1  # + rules, padding

    def _cells(self, p: dict, wide: bool) -> list[str]:
        spans = len(p["evidence"])
        return [self._side(p["a"]), self._side(p["b"]), relation_text(p["relation"]),
                f"{p['reuse_score']:.2f}", story_text(p),
                f"{p['coverage']['a']:.2f}/{p['coverage']['b']:.2f}", p["direction"] or "",
                f"{spans} spans" if wide else str(spans)]

    def table(self, width: int) -> tuple[Table, bool]:
        wide = width >= self.wide_width()
        rows = [self._cells(p, wide) for p in self.pairs]
        if wide:
            t = Table(title="Relations")
            widths: list[int | None] = [None] * len(_PAIR_COLUMNS)
        else:
            # Every column but the ids gets its content's width; the ids share the rest
            # and wrap inside it, never cut.
            t = compact_table("Relations")
            widths = [max([len(short), _RELATION_WIDTH if name == "relation" else 0]
                          + [Text.from_markup(r[i]).cell_len for r in rows])
                      for i, (name, short, _) in enumerate(_PAIR_COLUMNS)]
            ids = (width - sum(widths[2:]) - 2 * (len(_PAIR_COLUMNS) - 1)) // 2
            longest = max((len(r[i]) for r in rows for i in (0, 1)), default=1)
            widths[0] = widths[1] = max(min(ids, longest), 6)
        for (name, short, numeric), w in zip(_PAIR_COLUMNS, widths):
            if name in ("a", "b"):
                t.add_column(name, overflow="fold", width=w)
            else:
                t.add_column(name if wide else short, no_wrap=True, width=w,
                             justify="right" if numeric else "left")
        for r in rows:
            t.add_row(*r)
        return t, wide

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        t, wide = self.table(options.max_width)
        yield t
        yield Text(LEGEND_WIDE if wide else LEGEND_COMPACT, style="dim")


def pairs_table(pairs: list[dict], langs: dict[str, str] | None = None) -> PairsTable:
    return PairsTable(pairs, langs)


def _print_spans(pair: dict, spans: list[dict], sents_a: list[str], sents_b: list[str],
                 console: Console, style: str) -> None:
    for e in spans:
        a0, a1 = e["a"]
        b0, b1 = e["b"]
        # [0-3] is not markup (a tag starts with a letter): no escape needed there.
        console.print(f"[{style}]{escape(pair['a'])}[{a0}-{a1}] ~ {escape(pair['b'])}"
                      f"[{b0}-{b1}][/] {e['score']:.2f}", highlight=False)
        console.print("  A: " + escape(" ".join(sents_a[a0 : a1 + 1])), highlight=False)
        console.print("  B: " + escape(" ".join(sents_b[b0 : b1 + 1])), highlight=False)


def print_reason(pair: dict, console: Console) -> None:
    if pair.get("reason"):
        console.print(f"[bold]why {escape(pair['relation'])}:[/] {escape(pair['reason'])}",
                      highlight=False)


def print_evidence(pair: dict, sents_a: list[str], sents_b: list[str], console: Console) -> None:
    """The evidence spans (probability of shared text), then the most probable aligned
    spans outside every passage, marked as not evidence."""
    _print_spans(pair, pair["evidence"], sents_a, sents_b, console, "bold")
    near = pair.get("not_evidence") or []
    if near:
        console.print("[dim]Not evidence: aligned, but in no verified passage "
                      "(probability of shared text)[/]", highlight=False)
        _print_spans(pair, near, sents_a, sents_b, console, "dim")
