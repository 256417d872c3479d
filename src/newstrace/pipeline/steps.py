"""The steps of a scan, apart from where they run.

As in datatrove (pipeline steps vs `executor/local`, `executor/ray`), a step is plain code
over records: it never knows which process, machine or batch it runs in. An executor
decides that. Three kinds of step:

- per article: analyse (language, sentences) -> encode -> prepare (`prepare`), and the
  keys later stages need of one article (`article_keys`);
- per pair: candidates (`candidates`, or the shuffle-friendly pieces `holder_pairs` and
  the gathered nearest-neighbour search), relate one pair (`relate`), then pivot
  inference (`infer`);
- grouping: families and stories (`group`: the pipeline's own `group`, which calls the
  grouping rules of grouping.py).

The local executor (Pipeline.scan) runs them in one process over the whole scan. A
distributed executor runs `infer` and `group` once per connected component of the pairs
the output lists (`grouping_edge`): every rule they apply (pivots compose reuse pairs;
families join on reuse pairs; stories merge two clusters only when their average story
link reaches the threshold, so only through a pair that reaches it, i.e. a same_story or
reuse pair) stays inside such a component, and `renumber` then gives families and
stories the ids the whole-scan run gives them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from newstrace.embedding.prepare import Prepared, analyse, lead
from newstrace.embedding.prepare import prepare as prepare_one
from newstrace.grouping import Family, Story, assign_stories
from newstrace.matching import transitive
from newstrace.matching.candidates import (
    ANCHOR_MAX_DF,
    ANCHOR_MIN_SHARED,
    PASSAGE_MAX_DF,
    PASSAGE_MIN_SHARED,
    candidate_pairs,
    distinctive_rows,
    passage_hashes,
)
from newstrace.matching.relation import PairResult
from newstrace.matching.relation import relate as relate_pair
from newstrace.text.article import Article

if TYPE_CHECKING:
    from newstrace.pipeline import Pipeline, ScanResult

Progress = Callable[[str, int, int], None]


def _quiet(stage: str, done: int, total: int) -> None:
    pass


# --- per article -----------------------------------------------------------------------------


def prepare(pipeline: Pipeline, articles: Sequence[Article],
            progress: Progress = _quiet) -> list[Prepared]:
    """Analyse, encode (one stream, so batches stay full across short articles; each
    distinct sentence once) and prepare a batch of articles. The encoder gives every
    sentence the same vector whatever batch it is in, so any split of the articles into
    batches gives the same Prepared records."""
    for i, a in enumerate(articles):
        if not a.sentences:
            analyse(a)
        progress("analyse", i + 1, len(articles))
    total = sum(len(a.sentences) + 1 for a in articles)
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        progress("encode", min(done, total), total)

    sentences = [s for a in articles for s in a.sentences] + [lead(a) for a in articles]
    pipeline.encoder.encode(sentences, progress=tick)
    progress("encode", total, total)
    return [prepare_one(a, pipeline.encoder) for a in articles]


# What candidates read of one article, keyed for a shuffle: `bands` are the MinHash LSH
# band keys (candidates.lexical_pairs: two articles sharing one are candidates), `anchors`
# and `passages` the keys counted between two articles (anchor_pairs, passage_pairs).
KEY_SIGNALS = ("bands", "anchors", "passages")
# (least shared keys for a pair, most articles a counted key may be in); None: no limit
KEY_RULES = {"bands": (1, None), "anchors": (ANCHOR_MIN_SHARED, ANCHOR_MAX_DF),
             "passages": (PASSAGE_MIN_SHARED, PASSAGE_MAX_DF)}


def article_keys(p: Prepared) -> dict:
    """Everything candidate generation needs of one article, small and flat: the keys
    grouped by a shuffle, and the vectors the nearest-neighbour searches read."""
    from newstrace.matching.bands import band_keys, signature

    svecs, swords = distinctive_rows(p)
    return {
        "bands": band_keys(signature(p.shingles)[None])[0],
        "anchors": sorted(p.doc_anchors),
        "passages": passage_hashes(p.article.sentences),
        "raw": np.asarray(p.raw_vector, np.float32),
        "lead": np.asarray(p.lead_vector, np.float32),
        "svecs": np.asarray(svecs, np.float32),
        "swords": np.asarray(swords, np.int64),
    }


# --- per pair --------------------------------------------------------------------------------


def candidates(prepared: Sequence[Prepared], search_window_days: float | None = None
               ) -> list[tuple[int, int]]:
    """All candidate pairs (i < j, indices into `prepared`), every signal, in one process;
    the nearest-neighbour searches per publication-time partition when a window is set."""
    return candidate_pairs(prepared, search_window_days)


def holder_pairs(keys: np.ndarray, owners: np.ndarray, n: int, max_df: int | None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """For keys held by articles (`owners`, global indices < n): the pairs (as codes
    a * n + b, a < b) that share keys, with how many keys each shares, counting only keys
    held by 2..max_df articles. Exact for any split of the keys into partitions as long
    as each key is whole in one: the counts of one pair from several partitions add up.
    """
    if not len(keys):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    order = np.lexsort((owners, keys))
    keys, owners = keys[order], owners[order].astype(np.int64)
    fresh = np.r_[True, (keys[1:] != keys[:-1]) | (owners[1:] != owners[:-1])]
    keys, owners = keys[fresh], owners[fresh]  # a key counts once per article
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    df = np.diff(np.r_[starts, len(keys)])
    ok = df >= 2 if max_df is None else (df >= 2) & (df <= max_df)
    codes = []
    for size in np.unique(df[ok]).tolist():
        first = starts[df == size]
        holders = owners[first[:, None] + np.arange(size)]  # ascending within a row
        iu, ju = np.triu_indices(size, 1)
        codes.append((holders[:, iu] * n + holders[:, ju]).ravel())
    if not codes:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.unique(np.concatenate(codes), return_counts=True)


def relate(pipeline: Pipeline, pa: Prepared, pb: Prepared) -> PairResult:
    return relate_pair(pa, pb, pipeline.params)


def relate_all(pipeline: Pipeline, prepared: Sequence[Prepared],
               cands: Sequence[tuple[int, int]], progress: Progress = _quiet
               ) -> list[PairResult]:
    out = []
    for k, (i, j) in enumerate(cands):
        out.append(relate(pipeline, prepared[i], prepared[j]))
        progress("compare", k + 1, len(cands))
    return out


def infer(pipeline: Pipeline, pairs: list[PairResult], lengths: dict[str, np.ndarray],
          langs: dict[str, str | None]) -> list[PairResult]:
    """Reuse through a pivot (transitive.py), over the pairs in candidate order."""
    return transitive.infer(pairs, lengths, pipeline.params, langs)


# --- grouping --------------------------------------------------------------------------------


def group(pipeline: Pipeline, articles: Sequence[Article], pairs: list[PairResult]
          ) -> ScanResult:
    """Families, stories and the sorted pairs: the pipeline's grouping rules."""
    return pipeline.group(articles, pairs)


def grouping_edge(p: PairResult, apart: float | None = None,
                  window_days: float | None = None) -> bool:
    """Does this relate result join its articles' component? Reuse pairs always (pivots,
    families). A same-story pair when its story link can count: a pair is labelled
    same_story exactly when its link reaches the story threshold, and a story merge needs
    an average that reaches it, so at least one such pair between the two clusters; but a
    pair published further apart than the story window (`apart` days, both dates known)
    counts 0 in grouping.stories, so it can never be that pair and joins nothing. So no
    rule of `infer` or `group` reaches across two components, and story components stay
    within time windows. (Unless an average of scores all below the threshold rounded up
    to it: scores within a few ulps of the threshold.)"""
    if p.relation == "unrelated":
        return False
    if p.is_reuse:
        return True
    return apart is None or window_days is None or apart <= window_days


def components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Connected components over n articles joined by edges (a[k], b[k]): a label per
    article, -1 for an article without edges (a story of one, no family)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    labels = np.full(n, -1, np.int64)
    if not len(a):
        return labels
    graph = coo_matrix((np.ones(len(a), np.int8), (a, b)), shape=(n, n))
    _, comp = connected_components(graph, directed=False)
    touched = np.zeros(n, bool)
    touched[a] = True
    touched[b] = True
    labels[touched] = comp[touched]
    return labels


def group_component(pipeline: Pipeline, articles: Sequence[Article],
                    lengths: dict[str, np.ndarray], pairs: list[PairResult]
                    ) -> tuple[list[PairResult], list[Family], list[Story]]:
    """Pivot inference and grouping inside one component. `articles` in scan order,
    `pairs` (every scored pair with both articles in the component) in candidate order,
    as the whole-scan run sees them. Family and story ids are local: see `renumber`."""
    pairs = infer(pipeline, pairs, lengths, {a.id: a.lang for a in articles})
    res = group(pipeline, articles, pairs)
    return res.scored, res.families, res.stories


def renumber(families: list[Family], grouped: list[Story], singles: Sequence[str]
             ) -> tuple[list[Family], list[Story]]:
    """Whole-scan ids for families and stories grouped component by component: families
    in order of their first member (F1, F2, ...), stories largest first, then by first
    member (S1, ...), as grouping.families and grouping.stories number them. `grouped`:
    the stories of every component; `singles`: the articles outside every component,
    each a story of its own."""
    fams = sorted(families, key=lambda f: f.articles[0])
    for k, f in enumerate(fams):
        f.id = f"F{k + 1}"
    groups = [s.articles for s in grouped] + [[a] for a in singles]
    ordered = sorted(groups, key=lambda c: (-len(c), c[0]))
    stories = [Story(id=f"S{k + 1}", articles=c) for k, c in enumerate(ordered)]
    assign_stories(fams, stories)
    return fams, stories
