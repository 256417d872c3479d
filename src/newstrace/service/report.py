"""Self-contained HTML for people: the scan report, the pair evidence view, family graphs.

Everything taken from articles (ids, titles, sentences, sources, languages) is untrusted and
goes through `_e` (html.escape); the page carries no script at all and a Content-Security-
Policy that forbids scripts, so an escaping slip still cannot execute. The scan data rides
along as an inert JSON block for machines. The web UI serves the same CSS and inserts the
same fragments (`pair_view`, `family_graph`), so the evidence looks the same in both places.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from newstrace.embedding.prepare import text_length, token_runs
from newstrace.grouping import origin_status, origin_text
from newstrace.matching.relation import REUSE, default_params
from newstrace.text.quotes import quoted_shares, span_share

RELATION_COLOURS = {
    "duplicate": "#c62828",
    "translation": "#8e24aa",
    "rewrite": "#ef6c00",
    "partial": "#f9a825",
    "same_story": "#00838f",
    "unrelated": "#9e9e9e",
}
# Span highlight colours; neighbouring spans always differ, the cycle repeats after ten.
SPAN_COLOURS = (
    "#ffe082", "#b3e5fc", "#c8e6c9", "#f8bbd0", "#d1c4e9",
    "#ffccbc", "#b2dfdb", "#f0f4c3", "#cfd8dc", "#ffe0b2",
)
MAX_PAIR_VIEWS = 300  # a report of a big crawl stays openable; the rest are listed only
MAX_GRAPH_NODES = 40

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
        "form-action 'none'")

CSS = """
:root { --fg:#1d2430; --muted:#5f6b7a; --line:#d9dee5; --bg:#f6f7f9; --card:#fff; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
  background: var(--bg); margin: 0; }
.nt-wrap { max-width: 1280px; margin: 0 auto; padding: 16px 24px 48px; }
h1 { font-size: 24px; margin: 8px 0 4px; } h2 { font-size: 19px; margin: 28px 0 10px; }
h3 { font-size: 16px; margin: 16px 0 8px; }
.nt-muted { color: var(--muted); } .nt-small { font-size: 13px; }
.nt-card { background: var(--card); border: 1px solid var(--line); border-radius: 8px;
  padding: 12px 16px; margin: 12px 0; }
.nt-family { border-left: 4px solid #8e24aa; }
.nt-lang { display: inline-block; font: 600 11px/1.6 ui-monospace, monospace; padding: 0 5px;
  border-radius: 4px; background: #263238; color: #fff; text-transform: uppercase;
  vertical-align: 1px; }
.nt-rel { display: inline-block; font-size: 12px; font-weight: 600; padding: 1px 8px;
  border-radius: 10px; color: #fff; }
.nt-rel-duplicate { background: #c62828; } .nt-rel-translation { background: #8e24aa; }
.nt-rel-rewrite { background: #ef6c00; } .nt-rel-partial { background: #f9a825; color: #222; }
.nt-rel-same_story { background: #00838f; } .nt-rel-unrelated { background: #9e9e9e; }
.nt-id { font-family: ui-monospace, monospace; font-size: 13px; }
table.nt-table { border-collapse: collapse; width: 100%; font-size: 14px; }
table.nt-table th, table.nt-table td { border-bottom: 1px solid var(--line); padding: 4px 8px;
  text-align: left; vertical-align: top; }
table.nt-table th { font-weight: 600; color: var(--muted); }
.nt-origin { font-weight: 600; }
.nt-origin-outside { color: #1565c0; } .nt-origin-unclear { color: #8d6e63; }
.nt-story-title { font-weight: 600; margin: 4px 0; }
.nt-kv { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 6px 0; }
.nt-kv dt { color: var(--muted); } .nt-kv dd { margin: 0; }
.nt-bar { display: inline-block; width: 90px; height: 8px; background: #e6e9ee;
  border-radius: 4px; vertical-align: middle; overflow: hidden; }
.nt-bar > i { display: block; height: 100%; background: #546e7a; }
.nt-pair-head { display: flex; flex-wrap: wrap; gap: 6px 18px; align-items: baseline; }
table.nt-evidence { border-collapse: separate; border-spacing: 0 3px; width: 100%;
  table-layout: fixed; }
table.nt-evidence th { text-align: left; padding: 6px 8px; font-size: 14px;
  border-bottom: 2px solid var(--line); }
table.nt-evidence th.nt-score-col { width: 64px; text-align: center; }
table.nt-evidence td { vertical-align: top; padding: 4px 8px; font-size: 14px; }
td.nt-score { text-align: center; font: 12px ui-monospace, monospace; color: var(--muted); }
/* Quoted speech on both sides: the speaker's words (matching/passages.py: a quotation). */
tr.nt-quoted td.nt-score::after { content: "quote"; display: block; font-size: 10px;
  letter-spacing: .04em; text-transform: uppercase; color: #8a94a3; }
tr.nt-gap td { color: #7b8594; }
.nt-s { display: inline; }
.nt-n { font: 10px ui-monospace, monospace; color: #8a94a3; margin-right: 3px;
  vertical-align: 1px; }
.nt-hl { border-radius: 3px; padding: 1px 2px; box-decoration-break: clone;
  -webkit-box-decoration-break: clone; }
/* Words both sides of a same-language span use: a darker wash over the span colour. */
mark.nt-shared { background: rgba(29, 36, 48, .14); color: inherit; border-radius: 2px;
  padding: 0 1px; }
""" + "".join(
    f".nt-c{i} {{ background: {c}; }}\n" for i, c in enumerate(SPAN_COLOURS)
) + """
/* Not evidence: the closest aligned sentences of a pair without shared text, drawn
   without the evidence colours so they cannot be read as shared text. */
table.nt-near td.nt-hl { background: none; border: 1px dashed var(--line); color: #4a5462; }
table.nt-near mark.nt-shared { background: none; text-decoration: underline dotted; }
.nt-graph { max-width: 100%; height: auto; background: #fbfcfd; border: 1px solid var(--line);
  border-radius: 6px; }
.nt-graph text { font: 11px system-ui, sans-serif; fill: #1d2430; }
.nt-graph .nt-legend text { font-size: 11px; }
details > summary { cursor: pointer; }
nav.nt-toc a { margin-right: 14px; }
a { color: #1565c0; }
"""


def _e(value: Any) -> str:
    """Escaped text for HTML content and quoted attributes; None becomes ''."""
    if value is None:
        return ""
    return html.escape(_CONTROL.sub("", str(value)), quote=True)


def _lang(code: Any) -> str:
    return f'<span class="nt-lang">{_e(code or "?")}</span>'


def _rel(relation: str) -> str:
    cls = relation if relation in RELATION_COLOURS else "unrelated"
    return f'<span class="nt-rel nt-rel-{cls}">{_e(relation.replace("_", " "))}</span>'


def _bar(share: float) -> str:
    pct = max(0.0, min(1.0, float(share or 0.0))) * 100
    return (f'<span class="nt-bar" title="{pct:.0f}%"><i style="width:{pct:.0f}%"></i></span> '
            f"{pct:.0f}%")


def _lang_attr(code: Any) -> str:
    """A lang attribute only for a plausible BCP 47 tag (it is untrusted input too)."""
    if isinstance(code, str) and re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", code):
        return f' lang="{code}"'
    return ""


def article_label(art: Mapping[str, Any] | None, art_id: str) -> str:
    """`id (lang) title` as HTML."""
    if art is None:
        return f'<span class="nt-id">{_e(art_id)}</span>'
    title = art.get("title")
    t = f' <span class="nt-muted">{_e(_clip(title, 90))}</span>' if title else ""
    return f'<span class="nt-id">{_e(art_id)}</span> {_lang(art.get("lang"))}{t}'


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _clip(text: Any, n: int) -> str:
    s = str(text or "")
    return s if len(s) <= n else s[: n - 1] + "…"


def json_for_script(data: Any) -> str:
    """JSON that cannot end a <script> element or break a JS string literal."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for ch, rep in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, rep)
    return text


# --- the pair evidence view --------------------------------------------------------------


def _sentences(art: Mapping[str, Any] | None) -> list[str] | None:
    if art is None:
        return None
    sents = art.get("sentence_list")
    return list(sents) if isinstance(sents, list) else None


def _pieces(text: str) -> Iterator[tuple[int, int, set[str]]]:
    """The markable pieces of a text (start, end) with the keys that make each shared:
    words as embedding.prepare tokenises them (letters with their combining marks); in a
    script written without spaces each character, shared when a character pair it is in
    is (single characters match by chance everywhere)."""
    for m in token_runs(text):
        run, at = m.group(), m.start()
        if m.group(1) is None:
            yield at, m.end(), {run.casefold()}
        elif len(run) == 1:
            yield at, m.end(), {run}
        else:
            for i in range(len(run)):
                yield at + i, at + i + 1, {run[j:j + 2] for j in (i - 1, i)
                                           if 0 <= j < len(run) - 1}


def _words(sents: list[str], lo: int, hi: int) -> set[str]:
    return {k for i in range(max(0, lo), min(hi + 1, len(sents)))
            for _, _, keys in _pieces(sents[i]) for k in keys}


def _span_langs(langs: list[Any], doc_lang: Any, lo: int, hi: int) -> set[Any]:
    return {(langs[i] if i < len(langs) and langs[i] else doc_lang) for i in range(lo, hi + 1)}


def _shared_words(sa: list[str], la: list[Any], da: Any, a: tuple[int, int],
                  sb: list[str], lb: list[Any], db: Any, b: tuple[int, int]) -> set[str]:
    """Words both sides of a span use, when both are in one (known) language: in another
    language a shared word is a name or a number at best, so nothing is marked."""
    langs = _span_langs(la, da, *a) | _span_langs(lb, db, *b)
    if len(langs) != 1 or None in langs:
        return set()
    return _words(sa, *a) & _words(sb, *b)


def _marked(text: str, shared: set[str] | None) -> str:
    """Escaped text with runs of shared words in <mark class="nt-shared">: a run spans the
    spaces and punctuation between its words, so a copied stretch reads as one mark and
    the words that differ stand out as the gaps."""
    if not shared:
        return _e(text)
    runs: list[list[int]] = []
    for lo, hi, keys in _pieces(text):
        if not keys & shared:
            runs.append([])  # an unshared word ends the run
        elif runs and runs[-1]:
            runs[-1][1] = hi
        else:
            runs.append([lo, hi])
    out, at = [], 0
    for lo, hi in (r for r in runs if r):
        out.append(f'{_e(text[at:lo])}<mark class="nt-shared">{_e(text[lo:hi])}</mark>')
        at = hi
    return "".join(out) + _e(text[at:])


def _sentence_html(sents: list[str], langs: list[Any], doc_lang: Any, i: int,
                   shared: set[str] | None = None) -> str:
    lg = langs[i] if i < len(langs) else None
    tag = ""
    if lg and doc_lang and lg != doc_lang:
        tag = f" {_lang(lg)}"  # a sentence in another language than its article is worth a mark
    return (f'<span class="nt-s"{_lang_attr(lg)} data-i="{i}"><span class="nt-n">{i}</span>'
            f"{_marked(sents[i], shared)}{tag}</span> ")


def _side(sents: list[str], langs: list[Any], doc_lang: Any, lo: int, hi: int,
          shared: set[str] | None = None) -> str:
    return "".join(_sentence_html(sents, langs, doc_lang, i, shared)
                   for i in range(max(0, lo), hi + 1) if i < len(sents))


def _quote_shares(sents: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Each sentence's quoted share and its length, the engine's weight (prepare.build)."""
    return quoted_shares(sents), np.array([text_length(x) for x in sents], np.float64)


def _quoted(qa: tuple[np.ndarray, np.ndarray], la: list[Any], da: Any, a: tuple[int, int],
            qb: tuple[np.ndarray, np.ndarray], lb: list[Any], db: Any, b: tuple[int, int]
            ) -> bool:
    """Is the span mostly quoted speech on both sides, within one language (the first
    condition of passages' quotation; the engine also asks that it is not copied whole)?"""
    if not (0 <= a[0] <= a[1] < len(qa[0]) and 0 <= b[0] <= b[1] < len(qb[0])):
        return False
    if _span_langs(la, da, *a) != _span_langs(lb, db, *b):
        return False
    # The shipped calibration's share (a report renders stored results, not a run's
    # params).
    return min(span_share(*qa, *a), span_share(*qb, *b)) >= default_params().passage.quote_share


def _span_rows(spans: list[Mapping[str, Any]], art_a: Mapping[str, Any],
               art_b: Mapping[str, Any], show_gaps: bool) -> str:
    sa, sb = _sentences(art_a) or [], _sentences(art_b) or []
    la, lb = list(art_a.get("sentence_langs") or []), list(art_b.get("sentence_langs") or [])
    da, db = art_a.get("lang"), art_b.get("lang")
    spans = sorted(spans, key=lambda s: (s["a"][0], s["b"][0]))
    qa, qb = _quote_shares(sa), _quote_shares(sb)
    rows: list[str] = []
    # Sentences shown so far, in a span or a gap row. Evidence is sorted by A, and B goes
    # back where a block was moved, so B's context is what B holds before the span and
    # has not been shown, not everything after the last span.
    shown_a = {i for s in spans for i in range(s["a"][0], s["a"][1] + 1)}
    shown_b = {j for s in spans for j in range(s["b"][0], s["b"][1] + 1)}

    def unshown(hi: int, n: int, shown: set[int]) -> list[int]:
        out = [i for i in range(min(hi, n - 1) + 1) if i not in shown]
        shown.update(out)
        return out

    def gap(a_hi: int, b_hi: int) -> None:
        if not show_gaps:
            return
        ga, gb = unshown(a_hi, len(sa), shown_a), unshown(b_hi, len(sb), shown_b)
        if ga or gb:
            cell_a = "".join(_sentence_html(sa, la, da, i, None) for i in ga)
            cell_b = "".join(_sentence_html(sb, lb, db, j, None) for j in gb)
            rows.append(f'<tr class="nt-gap"><td>{cell_a}</td>'
                        f'<td class="nt-score"></td><td>{cell_b}</td></tr>')

    for k, span in enumerate(spans):
        (a0, a1), (b0, b1) = span["a"], span["b"]
        gap(a0 - 1, b0 - 1)
        colour = f"nt-c{k % len(SPAN_COLOURS)}"
        shared = _shared_words(sa, la, da, (a0, a1), sb, lb, db, (b0, b1))
        cell_a = _side(sa, la, da, a0, a1, shared)
        cell_b = _side(sb, lb, db, b0, b1, shared)
        quoted = _quoted(qa, la, da, (a0, a1), qb, lb, db, (b0, b1))
        title = "probability of shared text" + (
            "; quoted speech on both sides: the speaker's words, evidence of copying only "
            "next to a sentence of the passage's own" if quoted else "")
        rows.append(
            f'<tr class="nt-span{" nt-quoted" if quoted else ""}" data-span="{k}">'
            f'<td class="nt-hl {colour}" data-span="{k}">{cell_a}</td>'
            f'<td class="nt-score" title="{_e(title)}">'
            f'{float(span.get("score", 0)):.2f}</td>'
            f'<td class="nt-hl {colour}" data-span="{k}">{cell_b}</td></tr>'
        )
    gap(len(sa) - 1, len(sb) - 1)
    return "".join(rows)


def _direction_text(pair: Mapping[str, Any]) -> str:
    d = pair.get("direction")
    if d == "a>b":
        return "B derives from A"
    if d == "b>a":
        return "A derives from B"
    return "direction unknown"


def _column_head(side: str, art_id: str, art: Mapping[str, Any]) -> str:
    lang = art.get("lang")
    return f"<th{_lang_attr(lang)}>{side} · {_e(_clip(art_id, 40))} {_lang(lang)}</th>"


def _span_table(pair: Mapping[str, Any], spans: list[Mapping[str, Any]],
                art_a: Mapping[str, Any], art_b: Mapping[str, Any], show_gaps: bool,
                cls: str = "nt-evidence") -> str:
    """Side-by-side rows of the spans, under A / score / B column heads."""
    return (
        f'<table class="{cls}"><thead><tr>'
        f"{_column_head('A', str(pair.get('a')), art_a)}"
        '<th class="nt-score-col">score</th>'
        f"{_column_head('B', str(pair.get('b')), art_b)}"
        f"</tr></thead><tbody>{_span_rows(spans, art_a, art_b, show_gaps)}</tbody></table>"
    )


def pair_view(pair: Mapping[str, Any], art_a: Mapping[str, Any] | None,
              art_b: Mapping[str, Any] | None, show_gaps: bool = True) -> str:
    """Side-by-side evidence for one pair: aligned spans share a row and a colour.

    `pair` is a pair dict of the output contract; the articles are contract article dicts
    with `sentence_list` (without it, only the scores are shown).
    """
    a_id, b_id = str(pair.get("a")), str(pair.get("b"))
    cov = pair.get("coverage") or {}
    evidence = pair.get("evidence") or []
    head = (
        f'<div class="nt-pair-head">{_rel(str(pair.get("relation", "")))}'
        f'<span>A: {article_label(art_a, a_id)}</span><span>B: {article_label(art_b, b_id)}</span>'
        "</div>"
        '<dl class="nt-kv nt-small">'
        f'<dt>reuse score</dt><dd>{float(pair.get("reuse_score") or 0):.2f}</dd>'
        f'<dt>story score</dt><dd>{float(pair.get("story_score") or 0):.2f}</dd>'
        f'<dt>coverage A</dt><dd>{_bar(cov.get("a", 0))}</dd>'
        f'<dt>coverage B</dt><dd>{_bar(cov.get("b", 0))}</dd>'
        f"<dt>direction</dt><dd>{_e(_direction_text(pair))}</dd>"
        f"<dt>evidence spans</dt><dd>{len(evidence)}</dd>"
        + (f"<dt>why</dt><dd>{_e(pair['reason'])}</dd>" if pair.get("reason") else "")
        + "</dl>"
    )
    near = pair.get("not_evidence") or []
    if not evidence and near and _sentences(art_a) is not None \
            and _sentences(art_b) is not None:
        assert art_a is not None and art_b is not None
        # The closest aligned sentences, so a reader can check the "not shared text".
        body = ('<p class="nt-muted">No shared text. The closest aligned sentences, which '
                "form no passage: too few, too far apart or too weak, or quoted speech that "
                "both quote (score: probability of shared text; see why above):</p>"
                + _span_table(pair, near, art_a, art_b, False, "nt-evidence nt-near"))
    elif not evidence:
        body = ('<p class="nt-muted">No shared text: these articles are related by their '
                "content only, so there are no aligned spans to show.</p>")
    elif _sentences(art_a) is None or _sentences(art_b) is None:
        body = '<p class="nt-muted">Sentence lists are not included, so spans cannot be shown.</p>'
    else:
        assert art_a is not None and art_b is not None
        body = _span_table(pair, evidence, art_a, art_b, show_gaps)
    return f'<div class="nt-pair">{head}{body}</div>'


# --- family graph ------------------------------------------------------------------------


GRAPH_FONT = 11  # px, label text (report CSS: .nt-graph text)
NODE_R = 18
LABEL_CHARS = 16  # a node's label: its id cut to this, the full id in its <title>
ROTATE_ABOVE = 10  # ring members beyond this get labels along their ray, not level
RELATION_ORDER = ("duplicate", "translation", "rewrite", "partial", "same_story")


def text_width(text: str, size: float = GRAPH_FONT) -> float:
    """A generous width estimate for a label (no font metrics here): wide (CJK) letters
    an em, others 0.62 em."""
    return sum(size if ord(ch) >= 0x1100 else 0.62 * size for ch in text)


def short_id(ident: str, n: int = LABEL_CHARS) -> str:
    """A node label: the id without a url's scheme and www., cut in the middle so that
    ids sharing a long prefix (urls of one site) still read apart."""
    s = re.sub(r"^[a-z][a-z0-9+.-]*://(www\.)?", "", ident, flags=re.I)
    return s if len(s) <= n else s[: n // 2 - 1] + "…" + s[-(n - n // 2):]


Box = list[tuple[float, float]]  # a label's corners, clockwise


def _rotated(box: tuple[float, float, float, float], deg: float, cx: float, cy: float) -> Box:
    x0, y0, x1, y1 = box
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return [(cx + (x - cx) * c - (y - cy) * s, cy + (x - cx) * s + (y - cy) * c)
            for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))]


def boxes_overlap(p: Box, q: Box) -> bool:
    """Two convex quadrilaterals overlap (separating axis test; touching is not overlap)."""
    for poly in (p, q):
        for i in range(len(poly)):
            (x1, y1), (x2, y2) = poly[i], poly[(i + 1) % len(poly)]
            nx, ny = y2 - y1, x1 - x2
            pa = [nx * x + ny * y for x, y in p]
            qa = [nx * x + ny * y for x, y in q]
            if max(pa) <= min(qa) + 1e-6 or max(qa) <= min(pa) + 1e-6:
                return False
    return True


def _ring_order(ring: list[str], articles: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Around the circle by language, then date, then id: translations sit together and
    each language's copies run in time order."""
    def key(m: str) -> tuple[str, str, str]:
        a = articles.get(m) or {}
        return (str(a.get("lang") or "~"), str(a.get("published") or "~"), m)
    return sorted(ring, key=key)


def _graph_layout(members: list[str], centre: str | None,
                  articles: Mapping[str, Mapping[str, Any]], origin: str | None
                  ) -> tuple[dict[str, tuple[float, float]], dict[str, dict[str, Any]]]:
    """Node positions and label placements. The origin (when in the family) sits in the
    centre, the rest on a circle; the circle grows until no label box overlaps another
    label or a node, so a label never hides another at 6 members or at 40."""
    ring = _ring_order([m for m in members if m != centre], articles)
    k = len(ring)
    rotate = k > ROTATE_ABOVE
    texts = {m: short_id(m) + (" ★ origin" if m == origin else "") for m in members}
    # Nodes never touch: room for k circles on the ring and for the centre's label.
    r = 0.0 if not k else max(90.0, k * (2 * NODE_R + 10) / (2 * math.pi))
    if centre is not None and k:
        r = max(r, text_width(texts[centre]) / 2 + NODE_R + 12)
    for _ in range(40):
        pos: dict[str, tuple[float, float]] = {}
        if centre is not None:
            pos[centre] = (0.0, 0.0)
        for i, m in enumerate(ring):
            t = -math.pi / 2 + 2 * math.pi * i / k
            pos[m] = (r * math.cos(t), r * math.sin(t)) if k > 1 or centre else (0.0, 0.0)
        labels = {m: _label_place(m, texts[m], pos[m], m == centre or k <= 1 and not centre,
                                  rotate) for m in members}
        if not _crowded(labels, pos):
            break
        r = max(r, 60.0) * 1.12
    return pos, labels


def _label_place(m: str, text: str, at: tuple[float, float], in_centre: bool,
                 rotate: bool) -> dict[str, Any]:
    x, y = at
    w, half = text_width(text), GRAPH_FONT * 0.6
    if in_centre:
        cy = y + NODE_R + 12
        return {"text": text, "x": x, "y": cy, "anchor": "middle", "deg": 0.0,
                "box": _rotated((x - w / 2, cy - half, x + w / 2, cy + half), 0, x, cy)}
    theta = math.atan2(y, x)
    c, s = math.cos(theta), math.sin(theta)
    gap = NODE_R + 6
    lx, ly = x + c * gap, y + s * gap
    if rotate:  # along the ray, read left to right on both halves
        deg = math.degrees(theta) + (180.0 if c < -1e-9 else 0.0)
        anchor = "end" if c < -1e-9 else "start"
        x0 = lx - w if anchor == "end" else lx
        return {"text": text, "x": lx, "y": ly, "anchor": anchor, "deg": deg,
                "box": _rotated((x0, ly - half, x0 + w, ly + half), deg, lx, ly)}
    if c > 0.35:
        anchor, x0, cy = "start", lx, ly
    elif c < -0.35:
        anchor, x0, cy = "end", lx - w, ly
    else:  # top and bottom of the circle: centred above or below the node
        anchor, x0 = "middle", x - w / 2
        cy = y + (NODE_R + 12) * (1 if s > 0 else -1)
        lx = x
    return {"text": text, "x": lx, "y": cy, "anchor": anchor, "deg": 0.0,
            "box": _rotated((x0, cy - half, x0 + w, cy + half), 0, lx, cy)}


def _crowded(labels: Mapping[str, Mapping[str, Any]],
             pos: Mapping[str, tuple[float, float]]) -> bool:
    items = list(labels.items())
    nodes = {m: _rotated((x - NODE_R, y - NODE_R, x + NODE_R, y + NODE_R), 0, x, y)
             for m, (x, y) in pos.items()}
    for i, (m, a) in enumerate(items):
        if any(boxes_overlap(a["box"], b["box"]) for _, b in items[i + 1:]):
            return True
        if any(boxes_overlap(a["box"], box) for n, box in nodes.items() if n != m):
            return True
    return False


def _legend(relations: list[str], directed: bool, origin_shown: bool, x0: float,
            y0: float) -> tuple[str, float, float]:
    """Edge colours by relation, the arrow and the origin ring, in rows under the graph;
    returns the SVG, its width and its height."""
    items: list[tuple[str, str]] = []
    for rel in relations:
        colour = RELATION_COLOURS.get(rel, "#9e9e9e")
        dash = ' stroke-dasharray="5 4"' if rel == "same_story" else ""
        items.append((f'<line x1="0" y1="0" x2="22" y2="0" stroke="{colour}" stroke-width="2.5"'
                      f"{dash}/>", rel.replace("_", " ")))
    if directed:
        items.append(('<line x1="0" y1="0" x2="22" y2="0" stroke="#455a64" stroke-width="2"/>'
                      '<path d="M16,-4L22,0L16,4z" fill="#455a64"/>', "points to the copy"))
    if origin_shown:
        items.append(('<circle cx="11" cy="0" r="7" fill="#eceff1" stroke="#2e7d32" '
                      'stroke-width="3"/>', "origin guess"))
    parts, x, width = [], 0.0, 0.0
    for sample, label in items:
        parts.append(f'<g class="nt-legend-item" transform="translate({x0 + x:.1f} '
                     f'{y0 + 8:.1f})">{sample}<text x="28" y="4">{_e(label)}</text></g>')
        x += 28 + text_width(label) + 16
        width = x
    return (f'<g class="nt-legend" aria-label="legend">{"".join(parts)}</g>', width,
            20.0 if items else 0.0)


def family_graph(family: Mapping[str, Any], pairs: Iterable[Mapping[str, Any]],
                 articles: Mapping[str, Mapping[str, Any]]) -> str:
    """Inline SVG: the origin guess in the centre, the other members on a circle by
    language and date, edges coloured by relation (arrows point to the copy), labels that
    never overlap (cut ids; the full id and title on hover) and a legend."""
    members = [str(m) for m in family.get("articles") or []][:MAX_GRAPH_NODES]
    origin = family.get("origin")
    origin = str(origin) if origin is not None and str(origin) in members else None
    centre = origin if len(members) > 1 else None
    pos, labels = _graph_layout(members, centre, articles, origin)
    edges = [p for p in pairs if str(p.get("a")) in pos and str(p.get("b")) in pos]
    relations = [r for r in RELATION_ORDER if any(p.get("relation") == r for p in edges)]
    relations += sorted({str(p.get("relation")) for p in edges} - set(relations))
    directed = any(p.get("direction") in ("a>b", "b>a") for p in edges)
    xs = [x for _, _, x, _ in _corners(pos, labels)] or [0.0]
    ys = [y for _, _, _, y in _corners(pos, labels)] or [0.0]
    pad = 10.0
    x0, y0 = min(xs) - pad, min(ys) - pad
    legend, legend_w, legend_h = _legend(relations, directed, origin is not None, x0 + pad,
                                         max(ys) + 8)
    w = max(max(xs) - min(xs), legend_w) + 2 * pad
    h = max(ys) - min(ys) + 2 * pad + legend_h + 8
    marker = "nt-arrow-" + hashlib.blake2b(str(family.get("id")).encode(),
                                           digest_size=4).hexdigest()
    parts = [
        f'<svg class="nt-graph" xmlns="http://www.w3.org/2000/svg" width="{w:.0f}" '
        f'height="{h:.0f}" viewBox="{x0:.1f} {y0:.1f} {w:.1f} {h:.1f}" role="img" '
        f'aria-label="family {_e(family.get("id"))}">',
        f'<defs><marker id="{marker}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#455a64"/>'
        "</marker></defs>",
    ]
    for p in edges:
        a, b = str(p.get("a")), str(p.get("b"))
        rel = str(p.get("relation", ""))
        (x1, y1), (x2, y2) = pos[a], pos[b]
        if p.get("direction") == "b>a":
            (x1, y1), (x2, y2) = (x2, y2), (x1, y1)
        dx, dy = x2 - x1, y2 - y1
        dist = math.hypot(dx, dy) or 1.0
        # Stop the line at the node circles so the arrow head stays visible.
        sx, sy, ex, ey = (x1 + dx / dist * 20, y1 + dy / dist * 20,
                          x2 - dx / dist * 22, y2 - dy / dist * 22)
        colour = RELATION_COLOURS.get(rel, "#9e9e9e")
        arrow = f' marker-end="url(#{marker})"' if p.get("direction") in ("a>b", "b>a") else ""
        dash = ' stroke-dasharray="5 4"' if rel == "same_story" else ""
        # Spokes from the origin carry the story; chords between copies stay lighter.
        opacity = "" if origin in (a, b) or origin is None else ' stroke-opacity="0.55"'
        parts.append(
            f'<line class="nt-edge" data-relation="{_e(rel)}" x1="{sx:.1f}" y1="{sy:.1f}" '
            f'x2="{ex:.1f}" y2="{ey:.1f}" stroke="{colour}" stroke-width="2.5"{dash}{arrow}'
            f"{opacity}><title>{_e(a)} – {_e(b)}: {_e(rel.replace('_', ' '))} "
            f"{float(p.get('reuse_score') or 0):.2f}</title></line>"
        )
    for m in members:
        x, y = pos[m]
        art = articles.get(m) or {}
        is_origin = m == origin
        ring = (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="24" fill="none" stroke="#2e7d32" '
                'stroke-width="3"/>') if is_origin else ""
        lab = labels[m]
        turn = (f' transform="rotate({lab["deg"]:.1f} {lab["x"]:.1f} {lab["y"]:.1f})"'
                if lab["deg"] else "")
        parts.append(
            f'<g class="nt-node{" nt-node-origin" if is_origin else ""}" data-id="{_e(m)}">'
            f"<title>{_e(m)} {_e(art.get('title') or '')}</title>{ring}"
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{NODE_R}" fill="#eceff1" stroke="#455a64" '
            f'stroke-width="1.5"/>'
            f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" '
            f'style="font-weight:700">{_e(str(art.get("lang") or "?").upper())}</text>'
            f'<text class="nt-graph-label" x="{lab["x"]:.1f}" y="{lab["y"]:.1f}" dy="0.35em" '
            f'text-anchor="{lab["anchor"]}" font-size="{GRAPH_FONT}" paint-order="stroke" '
            f'stroke="#fbfcfd" stroke-width="3"{turn}>{_e(lab["text"])}'
            "</text></g>"
        )
    parts.append(legend)
    parts.append("</svg>")
    return "".join(parts)


def _corners(pos: Mapping[str, tuple[float, float]],
             labels: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, str, float, float]]:
    out = [(m, "node", x + dx, y + dy) for m, (x, y) in pos.items()
           for dx, dy in ((-26, -26), (26, 26))]
    out += [(m, "label", x, y) for m, lab in labels.items() for x, y in lab["box"]]
    return out


# --- the whole report --------------------------------------------------------------------


def _family_card(fam: Mapping[str, Any], arts: Mapping[str, Mapping[str, Any]],
                 fam_pairs: list[Mapping[str, Any]], anchors: Mapping[tuple[str, str], str]) -> str:
    origin = fam.get("origin")
    status = origin_status(fam)
    # "Not in the collection" (a credit names an outside outlet) and "unclear" (no member
    # is clearly the source) are different statements: they read differently here.
    origin_html = (article_label(arts.get(str(origin)), str(origin)) if status == "found"
                   else f'<span class="nt-origin-{status}">{_e(origin_text(fam))}</span>')
    src = fam.get("attributed_source")
    members = "".join(f"<li>{article_label(arts.get(str(m)), str(m))}</li>"
                      for m in fam.get("articles") or [])
    table = _reuse_table(fam_pairs, anchors)
    return (
        f'<div class="nt-card nt-family" data-family="{_e(fam.get("id"))}">'
        f'<h3>Family {_e(fam.get("id"))} <span class="nt-muted nt-small">'
        f'{len(fam.get("articles") or [])} articles sharing text</span></h3>'
        '<div style="display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start">'
        f"<div>{family_graph(fam, fam_pairs, arts)}</div><div style=\"flex:1;min-width:300px\">"
        '<dl class="nt-kv">'
        f'<dt>origin guess</dt><dd class="nt-origin">{origin_html} <span class="nt-muted '
        f'nt-small">(confidence {float(fam.get("origin_confidence") or 0):.2f}: '
        f'{_e(fam.get("origin_reason"))})</span></dd>'
        f'<dt>attributed source</dt><dd>{_e(src) if src else "none credited"}</dd></dl>'
        f"<ul>{members}</ul>{table}</div></div></div>"
    )


def _reuse_table(pairs: list[Mapping[str, Any]], anchors: Mapping[tuple[str, str], str]
                 ) -> str:
    """Reuse pairs, a row each, with a link to their evidence further down the page."""
    rows = []
    for p in pairs:
        key = (str(p["a"]), str(p["b"]))
        link = (f'<a href="#{anchors[key]}">evidence</a>' if key in anchors else "")
        rows.append(
            f'<tr><td class="nt-id">{_e(p["a"])}</td><td class="nt-id">{_e(p["b"])}</td>'
            f'<td>{_rel(str(p["relation"]))}</td><td>{float(p.get("reuse_score") or 0):.2f}</td>'
            f"<td>{_e(_direction_text(p))}</td><td>{link}</td></tr>"
        )
    return ('<table class="nt-table"><thead><tr><th>A</th><th>B</th><th>relation</th>'
            "<th>reuse</th><th>direction</th><th></th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>") if rows else ""


def _story_card(story: Mapping[str, Any], arts: Mapping[str, Mapping[str, Any]],
                fams: list[Mapping[str, Any]], pairs: list[Mapping[str, Any]],
                anchors: Mapping[tuple[str, str], str]) -> str:
    members = [str(m) for m in story.get("articles") or []]
    in_family = {str(m) for f in fams for m in f.get("articles") or []}
    langs = sorted({str(arts.get(m, {}).get("lang") or "?") for m in members})
    cards = []
    for f in fams:
        ids = {str(m) for m in f.get("articles") or []}
        fp = [p for p in pairs if str(p["a"]) in ids and str(p["b"]) in ids and p.get("evidence")]
        cards.append(_family_card(f, arts, fp, anchors))
    mset = set(members)
    # A partial link merges families only when the shared text is most of the smaller
    # article (grouping/families.py): the others are listed here, and their articles are
    # not "no shared text".
    family_of = {str(m): str(f.get("id")) for f in fams for m in f.get("articles") or []}
    outside = [p for p in pairs if str(p["a"]) in mset and str(p["b"]) in mset
               and p.get("relation") in REUSE
               and (str(p["a"]) not in family_of
                    or family_of.get(str(p["a"])) != family_of.get(str(p["b"])))]
    linked = {str(x) for p in outside for x in (p["a"], p["b"])}
    outside_html = ""
    if outside:
        outside_html = ('<div class="nt-card nt-outside"><h3>Shared passages outside '
                        'families</h3><p class="nt-muted nt-small">Text shared that is not '
                        "most of the smaller article: listed, not merged into a family.</p>"
                        f"{_reuse_table(outside, anchors)}</div>")
    indep = [m for m in members if m not in in_family and m not in linked]
    indep_html = ""
    if indep:
        items = "".join(f"<li>{article_label(arts.get(m), m)}</li>" for m in indep)
        indep_html = ('<div class="nt-card nt-independent"><h3>Independent coverage</h3>'
                      '<p class="nt-muted nt-small">Same event, no shared text.</p>'
                      f"<ul>{items}</ul></div>")
    story_pairs = [p for p in pairs if str(p["a"]) in mset and str(p["b"]) in mset
                   and not p.get("evidence")]
    sp_html = ""
    if story_pairs:
        rows = "".join(
            f'<tr><td class="nt-id">{_e(p["a"])}</td><td class="nt-id">{_e(p["b"])}</td>'
            f'<td>{_rel(str(p["relation"]))}</td>'
            f'<td>{float(p.get("story_score") or 0):.2f}</td></tr>'
            for p in story_pairs)
        sp_html = ('<details><summary>Same-story links without shared text '
                   f"({len(story_pairs)})</summary><table class=\"nt-table\"><thead><tr><th>A</th>"
                   "<th>B</th><th>relation</th><th>story score</th></tr></thead>"
                   f"<tbody>{rows}</tbody></table></details>")
    first_title = story.get("title") or next(
        (arts[m].get("title") for m in members if m in arts and arts[m].get("title")), None)
    dates = (f'<p class="nt-muted nt-small nt-story-dates">{_e(story.get("first"))} – '
             f'{_e(story.get("last"))}</p>') if story.get("first") else ""
    return (
        f'<section class="nt-card nt-story" data-story="{_e(story.get("id"))}">'
        f'<h2>Story {_e(story.get("id"))} <span class="nt-muted nt-small">'
        f'{_count(len(members), "article")} · {_count(len(fams), "family", "families")} · '
        f'{" ".join(_lang(x) for x in langs)}</span></h2>'
        + (f'<p class="nt-story-title">{_e(_clip(first_title, 160))}</p>' if first_title else "")
        + dates + _timeline(story.get("timeline") or [])
        + "".join(cards) + outside_html + indep_html + sp_html + "</section>"
    )


def _timeline(rows: list[Mapping[str, Any]]) -> str:
    """Who published when, in which language, and each article's role."""
    if not rows:
        return ""
    body = "".join(
        f'<tr class="nt-role-{_e(r.get("role"))}"><td class="nt-small">'
        f'{_e(r.get("published") or "undated")}</td><td>{_e(r.get("outlet") or "unknown")}</td>'
        f'<td>{_lang(r.get("lang"))}</td><td><span class="nt-id">{_e(r["id"])}</span> '
        f'<span class="nt-muted">{_e(_clip(r.get("title") or "", 90))}</span></td>'
        f'<td><b>{_e(r.get("role"))}</b></td><td class="nt-small">{_e(r.get("from"))}</td></tr>'
        for r in rows)
    return ('<details class="nt-timeline" open><summary>Timeline</summary>'
            '<table class="nt-table"><thead><tr><th>published</th><th>outlet</th><th>lang</th>'
            "<th>article</th><th>role</th><th>from</th></tr></thead>"
            f"<tbody>{body}</tbody></table></details>")


def render_html(result: Mapping[str, Any], title: str = "newstrace report") -> str:
    """One self-contained HTML page (no external assets, no script) from a scan dict.

    `result` is `ScanResult.to_dict(with_sentences=True)`; without sentence lists the
    report still renders, with scores but no span text.
    """
    articles = list(result.get("articles") or [])
    arts = {str(a["id"]): a for a in articles}
    pairs = list(result.get("pairs") or [])
    fams = list(result.get("families") or [])
    stories = list(result.get("stories") or [])
    reuse = [p for p in pairs if p.get("evidence")]
    anchors = {(str(p["a"]), str(p["b"])): f"pair-{i}"
               for i, p in enumerate(reuse[:MAX_PAIR_VIEWS])}

    multi = [s for s in stories if len(s.get("articles") or []) > 1]
    singles = [s for s in stories if len(s.get("articles") or []) <= 1]
    story_html = "".join(
        _story_card(s, arts, [f for f in fams if f.get("story") == s.get("id")], pairs, anchors)
        for s in multi)
    if singles:
        items = "".join(
            f"<li>{article_label(arts.get(str(m)), str(m))}</li>"
            for s in singles for m in s.get("articles") or [])
        story_html += (f'<div class="nt-card"><h3>Articles with no related article '
                       f"({len(singles)})</h3><ul>{items}</ul></div>")

    pair_sections = "".join(
        f'<section id="{anchors[(str(p["a"]), str(p["b"]))]}" class="nt-card nt-pair-section">'
        f'<details{" open" if i < 3 else ""}><summary><b>{_e(p["a"])}</b> ↔ <b>{_e(p["b"])}</b> '
        f"{_rel(str(p['relation']))}</summary>"
        f"{pair_view(p, arts.get(str(p['a'])), arts.get(str(p['b'])))}"
        "</details></section>"
        for i, p in enumerate(reuse[:MAX_PAIR_VIEWS]))
    if len(reuse) > MAX_PAIR_VIEWS:
        pair_sections += (f'<p class="nt-muted">{len(reuse) - MAX_PAIR_VIEWS} more reuse pairs '
                          "are in the JSON output.</p>")

    art_rows = "".join(
        f'<tr><td class="nt-id">{_e(a["id"])}</td><td>{_lang(a.get("lang"))}</td>'
        f'<td{_lang_attr(a.get("lang"))}>{_e(a.get("title"))}</td><td>{_e(a.get("source"))}</td>'
        f'<td>{_e(a.get("published"))}</td><td>{_e(a.get("sentences"))}</td>'
        f'<td>{_e(a.get("attributed_source"))}</td>'
        f'<td class="nt-small">{_e("; ".join(map(str, a.get("warnings") or [])))}</td></tr>'
        for a in articles)
    problems = "".join(f"<li>{_e(p.get('where'))}: {_e(p.get('message'))}</li>"
                       for p in result.get("problems") or [])

    n_reuse = len(reuse)
    summary = " · ".join((
        _count(len(articles), "article"), _count(len(multi), "story", "stories"),
        _count(len(fams), "family", "families"), _count(n_reuse, "reuse pair"),
        _count(len(pairs) - n_reuse, "same-story pair")))
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body><div class=\"nt-wrap\">"
        f"<h1>{_e(title)}</h1><p class=\"nt-muted\">{summary}</p>"
        '<nav class="nt-toc"><a href="#stories">Stories</a><a href="#pairs">Evidence</a>'
        '<a href="#articles">Articles</a></nav>'
        f'<div id="stories">{story_html or "<p>No stories.</p>"}</div>'
        f'<h2 id="pairs">Evidence for reuse pairs</h2>{pair_sections or "<p>No reuse found.</p>"}'
        '<h2 id="articles">Articles</h2><div class="nt-card"><table class="nt-table"><thead><tr>'
        "<th>id</th><th>lang</th><th>title</th><th>source</th><th>published</th>"
        "<th>sentences</th><th>credits</th><th>warnings</th></tr></thead>"
        f"<tbody>{art_rows}</tbody></table></div>"
        + (f"<h2>Skipped inputs</h2><ul>{problems}</ul>" if problems else "")
        + '<script type="application/json" id="newstrace-data">'
        f"{json_for_script(dict(result))}</script>"
        "</div></body></html>\n"
    )
