"""Passages, PAN style: seed -> extend -> filter over verified spans.

- seed:    a verified span (verify.py: probability at least the span threshold) with at
           least `min_seed_words` content words on both sides: stock phrases ("police
           said") and datelines never seed;
- extend:  spans at least the (looser) extension threshold join a passage while the gap
           between neighbours is at most `max_gap` sentences on both sides (a rewrite drops
           or inserts a sentence, and words some sentences further from the source); a
           copied passage (within one language, every verified span sharing `copy_lex` of
           its content words) keeps the bridged gaps inside its verified part, and keeps
           extension spans beyond it only in an unbroken row: a copy is contiguous, and
           the leads of two reports of one event are on the same facts;
- filter:  a passage is evidence of reuse when it holds two seeds, or one seed of at least
           `long_words` content words on both sides (one long verbatim or translated
           sentence; within one language its content words the same, `long_lex`), or a
           run of `verified_run` verified spans too short to seed that together hold
           `run_words` content words (a translated dialogue of short lines), or a
           verified span whose chain aligns *every* sentence of both texts in order,
           with at least `long_words` content words in all (a two-sentence brief and its
           translation, whose second sentence only reaches the extension level), or three
           spans in a row without a skip on either side, each with `min_seed_words`, the
           middle one a seed and its neighbours at the extension level (three sentences
           rewritten in order: a heavy revision verifies one); across languages the seed
           may be any of the three, since there an extension-level span is seldom another
           sentence on the same fact (fit pairs: 0.20 of non-parallel neighbours reach it,
           against 0.39 of ECB+ same-event pairs and 0.76 of MSRP negatives in one language).
- picked:  seeds next to each other in one text are a passage wherever they sit in the
           other, when each is near-verbatim (within one language) or a translation
           (across languages, where a seed is one): a condensed copy, translated or not,
           takes its sentences from all over the source. Such a passage covers its
           spans, not the region between them. A span that does not count (too short, a
           quotation, across languages one at the extension level) links two seeds when
           it keeps the one side unbroken.

That is the minimum of verified evidence a pair needs before it can be reuse: two verified
sentences in one passage (at most `max_gap` sentences apart, bridged by extension spans, or
next to each other in one text when both are near-verbatim or translated), one verified
sentence of 20 content words (within one language, nearly the same words), or one verified
sentence with two adjacent aligned ones (three in a row).
Quoted speech shared by both texts (a quotation: see PassageParams.quote_share) is the
speaker's text: it joins a passage and counts in its coverage, but counts toward the minimum
only in an unbroken row with a seed of the passage's own, unless it is the same sentence
whole (two reports of one press conference quote the same words in their own frames).
One seed with one looser neighbour is not enough: between closely related languages
(Swedish and Norwegian reports of one event) single sentences on the same fact pass the
span threshold more often than the fit pairs show.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from newstrace.matching.alignment import Alignment, Span, coverage


@dataclass(frozen=True)
class PassageParams:
    max_gap: int = 3  # a condensed rewrite drops up to every other sentence of a paragraph
    min_seed_words: int = 3
    long_words: int = 20
    # Within one language the lone long sentence must be the same sentence nearly whole
    # (content-word Dice at least this): independent reports paraphrase one statement in
    # long sentences that verify ("Palin apologized if the fire was connected to ..."),
    # while a copied sentence keeps its words (CALIBRATION.md 20).
    long_lex: float = 0.85
    # A run of this many verified spans is a passage even when its sentences are too
    # short to seed (a translated dialogue, short quotes), if together they hold at least
    # run_words content words (smaller side): two recipes' ingredient lines do not.
    verified_run: int = 4
    run_words: int = 10
    # Three spans in a row (no sentence skipped on either side), min_seed_words each, the
    # middle one a seed (across languages: any one), the others at the extension level.
    flanked: bool = True
    # A copied passage (every verified span a near-copy: content-word Dice at least this,
    # within one language) keeps extension spans beyond its outermost verified spans only
    # in an unbroken row from them; gaps inside the verified part stay bridged, by any span.
    copy_lex: float = 0.4
    # Near-verbatim sentences (content-word Dice at least this, within one language, each
    # a seed) next to each other on one side are a passage wherever they sit on the other:
    # a condensed copy picks sentences from all over its source (CALIBRATION.md 17).
    picked_lex: float = 0.6
    # A span this much inside quotation marks on both sides, within one language, and not
    # the same sentence whole (content-word Dice at least quote_lex, and of the words
    # outside the marks more than quote_frame) is a quotation: two reports quoting one
    # statement share the speaker's words, not each other's text. It verifies and counts
    # inside a passage, but counts toward the minimum only in an unbroken row with a seed
    # of the passage's own (CALIBRATION.md 19).
    quote_share: float = 0.5
    quote_lex: float = 0.9
    quote_frame: float = 0.5


def minimum(params: PassageParams) -> str:
    """The filter's routes to a passage, in words (the reason a pair with verified
    sentences but no passage gives)."""
    return (f"two verified sentences within {params.max_gap} sentences of each other (or "
            "two near-verbatim or translated ones next to each other in one text), one "
            f"of {params.long_words}+ content words (in one language: the same words, "
            f"Dice {params.long_lex:g}+), one between two aligned neighbours, "
            f"{params.verified_run}+ short verified lines in a row with "
            f"{params.run_words}+ content words, or a chain that aligns both texts whole; "
            "quoted speech counts only in a row with a sentence of the passage's own")


@dataclass
class Passage:
    spans: list[Span]  # verified spans, score = probability of shared text
    # Sentences picked from scattered places of one text (a condensed copy): the passage
    # covers its spans, not the region between its first and last.
    picked: bool = False

    def ranges(self, side: str) -> list[tuple[int, int]]:
        """The sentence ranges of side "a" or "b" that the passage covers."""
        if self.picked:
            return [getattr(s, side) for s in self.spans]
        return [getattr(self, side)]

    @property
    def a(self) -> tuple[int, int]:
        return self.spans[0].a[0], self.spans[-1].a[1]

    @property
    def b(self) -> tuple[int, int]:
        return self.spans[0].b[0], self.spans[-1].b[1]

    def sentences(self) -> int:
        """Sentences of the smaller side inside the passage's spans."""
        na = sum(s.a[1] - s.a[0] + 1 for s in self.spans)
        nb = sum(s.b[1] - s.b[0] + 1 for s in self.spans)
        return min(na, nb)


NEAR_MISSES = 3  # aligned spans outside every passage that a pair's result lists


@dataclass
class Evidence:
    passages: list[Passage] = field(default_factory=list)
    alignment: Alignment = field(default_factory=Alignment)  # the passages' spans only
    verified: int = 0  # verified spans, in passages or not
    # The most probable aligned spans that are in no passage (score = probability of
    # shared text): what a reader checks when a verdict says "not shared text".
    near: list[Span] = field(default_factory=list)
    quotations: int = 0  # verified spans that are quotations (see _quotation)

    @property
    def spans(self) -> list[Span]:
        return self.alignment.spans

    @property
    def found(self) -> bool:
        return bool(self.passages)


def runs(spans: Sequence[Span], max_gap: int) -> list[list[int]]:
    """Indices of monotone spans grouped into runs whose neighbours are at most `max_gap`
    sentences apart on both sides."""
    out: list[list[int]] = []
    for k, s in enumerate(spans):
        last = spans[out[-1][-1]] if out else None
        if (last is not None and s.a[0] - last.a[1] - 1 <= max_gap
                and s.b[0] - last.b[1] - 1 <= max_gap):
            out[-1].append(k)
        else:
            out.append([k])
    return out


def regions(spans: Sequence[Span], max_gap: int
            ) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """The (A range, B range) each run of spans covers: what a passage covers."""
    return [((spans[r[0]].a[0], spans[r[-1]].a[1]), (spans[r[0]].b[0], spans[r[-1]].b[1]))
            for r in runs(spans, max_gap)]


def _words(f: dict[str, float]) -> float:
    return math.expm1(f["words"])  # verify.features stores log1p(min content words)


def _quotation(f: dict[str, float], params: PassageParams) -> bool:
    """Mostly quoted speech on both sides, and not the same sentence whole: near-verbatim
    (`quote_lex`) in a frame of the same words (`quote_frame`: a long statement quoted
    by two reports differs only in its short frames, "…," a spokesman said / In a
    statement, officials said: "…"). Within one language; across languages a
    translation cannot tell."""
    return (f.get("quoted", 0.0) >= params.quote_share
            and (f.get("lex", 0.0) < params.quote_lex
                 or f.get("frame", 1.0) <= params.quote_frame))


def _seed(s: Span, f: dict[str, float], threshold: float, params: PassageParams) -> bool:
    """A verified span that is not a quotation: a passage's own evidence."""
    return s.score >= threshold and not _quotation(f, params)


def _adjacent(x: Span, y: Span) -> bool:
    """y starts right after x on both sides: no sentence skipped between them."""
    return y.a[0] == x.a[1] + 1 and y.b[0] == x.b[1] + 1


def _whole(chain: Sequence[tuple[Span, dict[str, float]]], n_a: int, n_b: int,
           params: PassageParams) -> bool:
    """The chain aligns every sentence of both texts, without a gap, and holds at least
    `long_words` content words (smaller side): the texts are each other's whole."""
    spans = [s for s, _ in chain]
    if spans[0].a[0] != 0 or spans[0].b[0] != 0:
        return False
    if spans[-1].a[1] != n_a - 1 or spans[-1].b[1] != n_b - 1:
        return False
    if not all(_adjacent(x, y) for x, y in zip(spans, spans[1:])):
        return False
    return sum(_words(f) for _, f in chain) >= params.long_words - 1e-9


def _flanked(chain: Sequence[tuple[Span, dict[str, float]]], threshold: float,
             params: PassageParams, anywhere: bool = False) -> bool:
    """Three spans in a row, each starting right after the one before on both sides and
    holding `min_seed_words` content words, the middle one a seed (`anywhere`: any of the
    three): three sentences rewritten or translated in order, of which one verifies."""
    words = params.min_seed_words - 1e-9
    for k in range(len(chain) - 2):
        trio = chain[k : k + 3]
        seeds = [_seed(s, f, threshold, params) for s, f in trio]
        if min(_words(f) for _, f in trio) < words or not (any(seeds) if anywhere else seeds[1]):
            continue
        if all(_adjacent(x, y) for (x, _), (y, _) in zip(trio, trio[1:])):
            return True
    return False


def _counted(chain: Sequence[tuple[Span, dict[str, float]]], threshold: float,
             params: PassageParams) -> int:
    """Seeds toward the minimum: the passage's own (not quotations) anywhere, quotations
    at the seed level only in an unbroken row (no sentence skipped on either side) with one
    of its own: a copied paragraph takes its quotes with the sentences around them, while
    two reports quoting one statement frame it in sentences of their own."""
    words = params.min_seed_words - 1e-9
    count = 0
    row_own = row_quotes = 0
    for k, (s, f) in enumerate(chain):
        if k and not _adjacent(chain[k - 1][0], s):
            count += row_own + (row_quotes if row_own else 0)
            row_own = row_quotes = 0
        if s.score >= threshold and _words(f) >= words:
            if _quotation(f, params):
                row_quotes += 1
            else:
                row_own += 1
    return count + row_own + (row_quotes if row_own else 0)


def _trim_stock(chain: list[tuple[Span, dict[str, float]]], params: PassageParams
                ) -> list[tuple[Span, dict[str, float]]]:
    """The chain without stock lines at its edges that a skipped sentence separates from
    the rest: a wire credit ("Kaynak: AA"), an end-of-story mark ("-Fin de nota-") or a
    "related news" box is the same in two articles of one outlet or one agency, and bridged
    across the gap it stretched a pasted passage's region over the article's tail. A line
    with fewer than `min_seed_words` content words never seeds a passage; across a gap it
    does not extend one either (next to a passage, with no sentence between, it still may:
    a short quote inside a copied paragraph)."""
    words = params.min_seed_words - 1e-9
    while len(chain) > 1 and _words(chain[-1][1]) < words \
            and not _adjacent(chain[-2][0], chain[-1][0]):
        chain = chain[:-1]
    while len(chain) > 1 and _words(chain[0][1]) < words \
            and not _adjacent(chain[0][0], chain[1][0]):
        chain = chain[1:]
    return chain


def _picked(kept_spans: Sequence[tuple[Span, dict[str, float]]], kept: Sequence[Passage],
            threshold: float, params: PassageParams, same_language: bool = True
            ) -> list[Passage]:
    """Passages of seeds that follow each other without a gap on at least one side, however
    far apart they are on the other, each near-verbatim within one language (content-word
    Dice at least `picked_lex`; a paraphrase of the same fact in an independent report
    verifies too) or, across languages, a seed as it is (a translation): a condensed copy
    or a content farm's summary takes its sentences from all over the source, in order,
    so its own sentences are consecutive while the source's are not. Two such sentences
    are the issue's minimum ("two consecutive verified sentences"). Other spans link the
    seeds of a group without counting (see below). A group may hold spans already in a
    passage (a long verbatim sentence is one on its own); the passage it adds holds the
    others."""
    inside = {(s.a, s.b) for p in kept for s in p.spans}
    words = params.min_seed_words - 1e-9

    def counts(s: Span, f: dict[str, float]) -> bool:
        return (s.score >= threshold and _words(f) >= words and not _quotation(f, params)
                and (not same_language or f.get("lex", 0.0) >= params.picked_lex))

    # The other spans join a group as links between its seeds (a quotation, a short line
    # such as "Autumn 2009.", and across languages a translation that only reaches the
    # extension level): they are part of what was picked, but do not count toward the
    # two. Within one language a link must verify: there the extension level is reached by
    # the two reports' own lines on the same facts (their datelines, "Mar 4, 2009").
    links = [(x, counts(x, f)) for x, f in kept_spans
             if not same_language or x.score >= threshold]
    out: list[Passage] = []
    group: list[tuple[Span, bool]] = []
    for s, own in links + [(None, False)]:
        if s is not None and group and (s.a[0] == group[-1][0].a[1] + 1
                                        or s.b[0] == group[-1][0].b[1] + 1):
            group.append((s, own))
            continue
        # Within one language a link at a group's edge links nothing, and goes; across
        # languages it stays, as a regular passage keeps extension spans at its edges (a
        # translated line next to those picked with it, reaching the extension level).
        while same_language and group and not group[-1][1]:
            group.pop()
        while same_language and group and not group[0][1]:
            group.pop(0)
        new = [x for x, _ in group if (x.a, x.b) not in inside]
        if sum(own for _, own in group) >= 2 and new:
            out.append(Passage(new, picked=True))
        group = [(s, own)] if s is not None else []
    return out


def _tight(chain: Sequence[tuple[Span, dict[str, float]]], threshold: float
           ) -> list[tuple[Span, dict[str, float]]]:
    """The chain without the extension spans at its edges that a skipped sentence
    separates from the verified part: two reports of one event have their headlines and
    leads on the same facts, and a gap bridged at the edge joins those to a pasted
    passage. Between verified spans the gaps stay bridged (a rewrite drops sentences)."""
    ver = [k for k, (s, _) in enumerate(chain) if s.score >= threshold]
    if not ver:
        return list(chain)
    first, last = ver[0], ver[-1]
    while first > 0 and _adjacent(chain[first - 1][0], chain[first][0]):
        first -= 1
    while last < len(chain) - 1 and _adjacent(chain[last][0], chain[last + 1][0]):
        last += 1
    return list(chain[first : last + 1])


def passages(scored: Sequence[tuple[Span, float, dict[str, float]]], threshold: float,
             lengths_a: np.ndarray, lengths_b: np.ndarray,
             params: PassageParams = PassageParams(),
             extend_threshold: float | None = None, same_language: bool = True) -> Evidence:
    """Group verified spans (monotone, as the aligner returns them) into passages."""
    loose = threshold if extend_threshold is None else min(extend_threshold, threshold)
    kept_spans = [(Span(s.a, s.b, p), f) for s, p, f in scored if p >= loose]
    chains = [_trim_stock([kept_spans[k] for k in run], params)
              for run in runs([s for s, _ in kept_spans], params.max_gap)]
    kept: list[Passage] = []
    for chain in chains:
        seeds = [(s, f) for s, f in chain if _seed(s, f, threshold, params)
                 and _words(f) >= params.min_seed_words - 1e-9]
        # "One sentence": a span of one sentence on at least one side, not a grown run.
        long_seed = any(_words(f) >= params.long_words - 1e-9
                        and (s.a[0] == s.a[1] or s.b[0] == s.b[1])
                        and (not same_language or f.get("lex", 0.0) >= params.long_lex)
                        for s, f in seeds)
        verified = [(s, f) for s, f in chain if s.score >= threshold]
        own = [(s, f) for s, f in verified if not _quotation(f, params)]
        short_run = (0 < params.verified_run <= len(own)
                     and sum(_words(f) for _, f in own) >= params.run_words - 1e-9)
        flanked = params.flanked and _flanked(chain, threshold, params, not same_language)
        if not (long_seed or _counted(chain, threshold, params) >= 2 or short_run or flanked
                or (seeds and _whole(chain, len(lengths_a), len(lengths_b), params))):
            continue
        if same_language and all(f.get("lex", 0.0) >= params.copy_lex
                                 for _, f in verified):
            chain = _tight(chain, threshold)
        kept.append(Passage([s for s, _ in chain]))
    kept += _picked(kept_spans, kept, threshold, params, same_language)
    al = evidence_alignment(kept, lengths_a, lengths_b)
    verified = sum(1 for _, p, _ in scored if p >= threshold)
    quotations = sum(1 for _, p, f in scored if p >= threshold and _quotation(f, params))
    inside = {(s.a, s.b) for s in al.spans}
    near = sorted((Span(s.a, s.b, p) for s, p, _ in scored if (s.a, s.b) not in inside),
                  key=lambda s: -s.score)[:NEAR_MISSES]
    return Evidence(kept, al, verified, near, quotations)


def evidence_alignment(kept: Sequence[Passage], lengths_a: np.ndarray, lengths_b: np.ndarray
                       ) -> Alignment:
    """The evidence of some passages: their spans, sorted by A (B may go back where a block
    was moved, relation._out_of_order), and the coverage of each text. A passage is a
    region, as in PAN: coverage counts everything from its first to its last span (a
    rewrite's unverified sentences between verified ones are still part of the reused
    passage), but a picked passage only its spans."""
    spans = sorted((s for p in kept for s in p.spans), key=lambda s: (s.a, s.b))
    al = Alignment(spans=spans, sentences_a=len(lengths_a), sentences_b=len(lengths_b))
    al.coverage_a = coverage(lengths_a, [r for p in kept for r in p.ranges("a")])
    al.coverage_b = coverage(lengths_b, [r for p in kept for r in p.ranges("b")])
    al.total = float(sum(s.score for s in spans))
    return al
