"""The scan: articles in, relations, families and stories out.

Steps run in one direction: analyse (language, sentences) -> encode (cached) ->
candidates -> align and relate each candidate -> group. Progress is reported through a
callback so the library never knows whether a terminal, a server or nothing is watching.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from newstrace.embedding.encoder import Encoder
from newstrace.embedding.prepare import Prepared
from newstrace.grouping import (
    STORY_WINDOW_DAYS,
    Family,
    Story,
    assign_stories,
    derivations,
    families,
    stories,
    timelines,
)
from newstrace.grouping.outlets import Licence, sources
from newstrace.matching.relation import PairResult, Params, default_params, relate
from newstrace.pipeline import steps
from newstrace.text.article import Article, ReadProblem

# progress(stage, done, total): stage is "analyse", "encode", "compare".
Progress = Callable[[str, int, int], None]


def _quiet(stage: str, done: int, total: int) -> None:
    pass


def article_dict(a: Article, with_sentences: bool = False) -> dict:
    """One article as the output lists it (the Ray executor's tables too)."""
    d = a.summary()
    d["url"] = a.url
    d["outlet"] = a.outlet
    d["attributed_source"] = a.attributed_source
    if with_sentences:
        d["sentence_list"] = a.sentences
        d["sentence_langs"] = a.sentence_langs
    return d


@dataclass
class ScanResult:
    articles: list[Article]
    scored: list[PairResult]  # every candidate pair, unrelated ones included
    families: list[Family]
    stories: list[Story]
    problems: list[ReadProblem] = field(default_factory=list)
    # Candidate pairs the search proposed and the engine compared (what the Ray executor's
    # candidate_pairs counts); `scored` also holds relations inferred through a pivot.
    compared: int | None = None

    @property
    def pairs(self) -> list[PairResult]:
        """The pairs the output lists: every relation but `unrelated`."""
        return [p for p in self.scored if p.relation != "unrelated"]

    @property
    def candidates(self) -> int:
        return len(self.scored) if self.compared is None else self.compared

    def to_dict(self, with_sentences: bool = False, licence: Licence | None = None) -> dict:
        arts = [article_dict(a, with_sentences) for a in self.articles]
        # Who derives from whom, once: the stories' timelines and the outlets' ranking.
        roles = derivations(self.articles, self.scored, self.families)
        family_of = {m: f.id for f in self.families for m in f.articles}
        return {
            "articles": arts,
            "stories": [s.to_dict() | line for s, line in zip(self.stories, timelines(
                self.stories, self.articles, self.scored, roles, family_of))],
            "families": [f.to_dict() for f in self.families],
            "pairs": [p.to_dict() for p in self.pairs if p.relation != "unrelated"],
            "sources": sources(self.articles, self.scored, self.families, licence, roles=roles),
            "problems": [{"where": p.where, "id": p.article_id, "message": p.message}
                         for p in self.problems],
        }


class Pipeline:
    def __init__(self, params: Params | None = None, encoder: Encoder | None = None,
                 window_days: float | None = STORY_WINDOW_DAYS,
                 search_window_days: float | None = None):
        self.params = params or default_params()
        self.encoder = encoder or Encoder()
        self.window_days = window_days  # stories: see grouping.STORY_WINDOW_DAYS
        # nearest-neighbour search partitions (candidates.search_partitions); None: exact
        # search over the whole scan
        self.search_window_days = search_window_days

    def prepare_all(
        self, articles: Sequence[Article], progress: Progress = _quiet
    ) -> list[Prepared]:
        return steps.prepare(self, articles, progress)

    def compare(self, a: Article, b: Article) -> PairResult:
        pa, pb = self.prepare_all([a, b])
        return relate(pa, pb, self.params)

    def scan(self, articles: Sequence[Article], progress: Progress = _quiet) -> ScanResult:
        """The local executor: every step (pipeline/steps.py) in this process, over the
        whole scan. The Ray executor (executors/ray_executor.py) runs the same steps."""
        articles = _unique(articles)
        prepared = self.prepare_all(articles, progress)
        cands = steps.candidates(prepared, self.search_window_days)
        pairs = steps.relate_all(self, prepared, cands, progress)
        pairs = steps.infer(self, pairs, {p.id: p.side.lengths for p in prepared},
                            {a.id: a.lang for a in articles})
        return replace(self.group(articles, pairs), compared=len(cands))

    def group(self, articles: Sequence[Article], pairs: list[PairResult]) -> ScanResult:
        fams = families(articles, pairs, self.params.family_min_link)
        sts = stories(articles, pairs, fams, self.params.story_threshold, self.window_days)
        assign_stories(fams, sts)
        pairs = sorted(pairs, key=lambda p: (p.a, p.b))
        return ScanResult(list(articles), pairs, fams, sts)


def _unique(articles: Sequence[Article]) -> list[Article]:
    seen: set[str] = set()
    out = []
    for a in articles:
        if a.id in seen:
            a.warnings.append("duplicate id: skipped")
            continue
        seen.add(a.id)
        out.append(a)
    return out
