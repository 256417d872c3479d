"""Reuse inferred through a pivot: x ~ y and y ~ z make x ~ z kin, with composed evidence.

A condensed rewrite of a translation shares too few sentence runs with the text it was
translated from to be found directly, but both are aligned to the intermediate article.
Composing the two alignments through the pivot's sentences gives the evidence for x ~ z.

Only verified spans are composed (PairResult.alignment holds nothing else), and only where
they overlap on the pivot's sentences: two articles that each share a *different* part of
the pivot (one quotes its first paragraphs, the other is the rest of it) are not related.
The composed evidence must itself meet the passage minimum (MIN_COMPOSED spans).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from newstrace.matching.alignment import Alignment, Span, coverage
from newstrace.matching.passages import regions
from newstrace.matching.relation import REUSE, PairResult, Params

MIN_COMPOSED = 2  # composed spans a pivot relation needs: the passage minimum of passages.py


def _oriented(p: PairResult, first: str) -> list[Span]:
    """Spans of p with `first` on side a."""
    if p.a == first:
        return p.alignment.spans
    return [Span(s.b, s.a, s.score) for s in p.alignment.spans]


def compose(x: str, y: str, z: str, xy: PairResult, yz: PairResult,
            lengths: dict[str, np.ndarray], params: Params,
            same_language: bool | None = None) -> PairResult | None:
    spans_xy = _oriented(xy, x)  # x on a, y on b
    spans_yz = _oriented(yz, y)  # y on a, z on b
    out: list[Span] = []
    for s1 in spans_xy:
        for s2 in spans_yz:
            if s1.b[0] <= s2.a[1] and s2.a[0] <= s1.b[1]:  # overlap on the pivot
                span = Span(s1.a, s2.b, s1.score * s2.score)
                if not out or (span.a[0] > out[-1].a[1] and span.b[0] > out[-1].b[1]):
                    out.append(span)  # keep it monotone, as every evidence list is
    if len(out) < MIN_COMPOSED:
        return None
    al = Alignment(spans=out, sentences_a=len(lengths[x]), sentences_b=len(lengths[z]))
    runs = regions(out, params.passage.max_gap)  # passages cover regions, as direct ones do
    al.coverage_a = coverage(lengths[x], [ra for ra, _ in runs])
    al.coverage_b = coverage(lengths[z], [rb for _, rb in runs])
    kinds = {xy.relation, yz.relation}
    if min(al.coverage_a, al.coverage_b) < params.partial_coverage:
        relation = "partial"
    elif same_language:  # a translation of a translation back into the first language
        relation = "duplicate" if kinds == {"duplicate"} else "rewrite"
    elif kinds == {"translation"} or (same_language is False and "translation" in kinds):
        relation = "translation"
    else:
        relation = "rewrite"
    reuse = xy.reuse_score * yz.reuse_score
    story = max(reuse, min(xy.story_score, yz.story_score))
    reason = (f"shared text through {y}: {len(out)} spans of {x}–{y} and {y}–{z} overlap on "
              f"{y}'s sentences ({xy.relation}, then {yz.relation})")
    return PairResult(x, z, relation, reuse, story, None, al, {}, via=y, reason=reason)


def replaces(direct: PairResult | None, composed: PairResult) -> bool:
    """A composed relation stands in for a direct verdict that is not reuse, or that found
    only a partial passage where the composition covers more: a condensed rewrite's weaker
    sentences may fail verification directly yet align through the text both came from."""
    if direct is None or direct.relation not in REUSE:
        return True
    return (direct.relation == "partial" and composed.relation != "partial"
            and max(composed.alignment.coverage_a, composed.alignment.coverage_b)
            > max(direct.alignment.coverage_a, direct.alignment.coverage_b))


def infer(pairs: Sequence[PairResult], lengths: dict[str, np.ndarray],
          params: Params,
          langs: dict[str, str | None] | None = None) -> list[PairResult]:
    """Replace non-reuse pairs between kin (and add missing ones) with composed relations."""
    langs = langs or {}
    reuse = {frozenset((p.a, p.b)): p for p in pairs if p.relation in REUSE}
    nbrs: dict[str, set[str]] = defaultdict(set)
    for p in reuse.values():
        nbrs[p.a].add(p.b)
        nbrs[p.b].add(p.a)
    found: dict[frozenset, PairResult] = {}
    for y, kin in nbrs.items():
        for x in kin:
            for z in kin:
                key = frozenset((x, z))
                if x >= z or (key in reuse and reuse[key].relation != "partial"):
                    continue
                same = (langs[x] == langs[z]) if langs.get(x) and langs.get(z) else None
                res = compose(x, y, z, reuse[frozenset((x, y))], reuse[frozenset((y, z))],
                              lengths, params, same)
                if res is None or not replaces(reuse.get(key), res):
                    continue
                if key not in found or res.reuse_score > found[key].reuse_score:
                    found[key] = res
    if not found:
        return list(pairs)
    kept = [p for p in pairs if frozenset((p.a, p.b)) not in found]
    # The direct comparison's story score stays the better witness of "same story".
    direct = {frozenset((p.a, p.b)): p for p in pairs}
    for key, res in found.items():
        if key in direct:
            res.story_score = max(res.story_score, direct[key].story_score)
            res.features = {**direct[key].features, "via": 1.0}
    return kept + list(found.values())
