"""Outlet provenance and export tables read from a stored index, through its public read
API (Index or IndexReader): the CLI (`sources --db`, `index export`) and the service
(`/api/sources`, `/api/export/...`) call these, so both rank and export the same way."""

from __future__ import annotations

from typing import Any

from newstrace.grouping import Family, Story, derivations, timelines
from newstrace.grouping.outlets import MIN_ARTICLES, Licence
from newstrace.grouping.outlets import sources as rank_sources
from newstrace.matching.relation import PairResult
from newstrace.text.article import Article


def _articles(index: Any) -> list[Article]:
    return [Article(id=d["id"], text="", title=d["title"], lang=d["lang"], url=d["url"],
                    source=d["source"], published=d["published"],
                    attributed_source=d["attributed_source"])
            for d in index.article_fields()]


def sources(index: Any, licence: Licence | None = None,
            min_articles: int = MIN_ARTICLES) -> dict:
    """The scan JSON's `sources` section from the index's articles, stored reuse pairs
    and families (grouping.outlets.sources), read in a few whole-table scans."""
    pairs = [PairResult.from_dict(p) for p in index.all_pairs(reuse_only=True)]
    fams = [Family.from_dict(f) for f in index.families()]
    return rank_sources(_articles(index), pairs, fams, licence, min_articles)


def stories(index: Any) -> list[dict]:
    """Every story of the index with the scan's title, date range and timeline (the
    scan's own grouping.timelines over what the index stored)."""
    arts = _articles(index)
    pairs = [PairResult.from_dict(p) for p in index.all_pairs()]
    fams = [Family.from_dict(f) for f in index.families()]
    sts = [Story(s["id"], s["articles"]) for s in index.stories() if s["id"] is not None]
    family_of = {m: f.id for f in fams for m in f.articles}
    lines = timelines(sts, arts, pairs, derivations(arts, pairs, fams), family_of)
    return [s.to_dict() | line for s, line in zip(sts, lines)]




def records(index: Any, table: str, only: set[str] | None = None) -> list[dict]:
    """One export table of an index (pipeline.tables.TABLES); pairs: each related pair
    once, as kin states it; sources: ranked, then unranked outlets. `only`: article ids
    (a filtered list): the articles among them, the families and stories with a member
    among them, the pairs with a side among them (sources are always whole)."""
    def keep(ids: list[str]) -> bool:
        return only is None or any(i in only for i in ids)

    if table == "articles":
        return [r for r in index.export_rows() if keep([r["id"]])]
    if table == "families":
        return [f for f in index.families() if keep(f["articles"])]
    if table == "stories":
        return [s for s in stories(index) if keep(s["articles"])]
    if table == "pairs":
        return [p for p in index.all_pairs() if keep([p["a"], p["b"]])]
    if table == "sources":
        section = sources(index)
        return list(section["outlets"]) + list(section["unranked"])
    raise ValueError(f"no index table {table!r}")
