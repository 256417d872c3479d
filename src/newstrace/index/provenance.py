"""Outlet provenance and export tables read from a stored index, through its public read
API (Index or IndexReader): the CLI (`sources --db`, `index export`) and the service
(`/api/sources`, `/api/export/...`) call these, so both rank and export the same way."""

from __future__ import annotations

from typing import Any

from newstrace.grouping import Family
from newstrace.grouping.outlets import MIN_ARTICLES, Licence
from newstrace.grouping.outlets import sources as rank_sources
from newstrace.matching.alignment import Alignment
from newstrace.matching.relation import PairResult
from newstrace.text.article import Article


def sources(index: Any, licence: Licence | None = None,
            min_articles: int = MIN_ARTICLES) -> dict:
    """The scan JSON's `sources` section from the index's articles, stored reuse pairs
    and families (grouping.outlets.sources)."""
    arts = []
    pairs: dict[tuple[str, str], PairResult] = {}
    for row in index.export_rows():
        d = index.article(row["id"])
        arts.append(Article(id=d["id"], text="", title=d["title"], lang=d["lang"],
                            url=d.get("url"), source=d["source"], published=d["published"],
                            attributed_source=d.get("attributed_source")))
        for p in index.kin(d["id"]):
            if (p["a"], p["b"]) not in pairs:
                pairs[(p["a"], p["b"])] = _pair(p)
    fams = [Family.from_dict(f) for f in index.families()]
    return rank_sources(arts, list(pairs.values()), fams, licence, min_articles)


def _pair(d: dict) -> PairResult:
    al = Alignment(coverage_a=d["coverage"]["a"], coverage_b=d["coverage"]["b"])
    return PairResult(d["a"], d["b"], d["relation"], d["reuse_score"], d["story_score"],
                      d.get("direction"), al, {}, story_link=d.get("story_link"))


def records(index: Any, table: str) -> list[dict]:
    """One export table of an index (pipeline.tables.TABLES); pairs: each stored pair
    once, gathered from every article's kin; sources: ranked, then unranked outlets."""
    if table == "articles":
        return list(index.export_rows())
    if table == "families":
        return index.families()  # type: ignore[no-any-return]
    if table == "stories":
        return [s for s in index.stories() if s["id"] is not None]
    if table == "pairs":
        pairs: dict[tuple[str, str], dict] = {}
        for row in index.export_rows():
            for p in index.kin(row["id"]):
                pairs.setdefault((p["a"], p["b"]), p)
        return sorted(pairs.values(), key=lambda p: (p["a"], p["b"]))
    if table == "sources":
        section = sources(index)
        return list(section["outlets"]) + list(section["unranked"])
    raise ValueError(f"no index table {table!r}")
