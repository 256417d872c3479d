"""Kin: every indexed article related to one article, indexed or not."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, HTTPException, Query

from newstrace.service import views
from newstrace.service.engine import EngineDep, NotFound, to_article
from newstrace.service.report import pair_view
from newstrace.service.schemas import KinRequest
from newstrace.text.article import Article, ReadProblem

router = APIRouter(tags=["kin"])


# `:path` so ids with '/' (URLs as ids) reach the route whole.
@router.get("/api/kin/{article_id:path}", responses={404: {"description": "unknown id"}})
async def kin_of(article_id: str, engine: EngineDep) -> dict[str, Any]:
    """Every indexed article related to an indexed one, with evidence."""
    def work(ix: Any) -> dict[str, Any]:
        art = views.must_get(ix, article_id)
        return {"article": views.brief(art),
                "kin": views.kin_list(ix, article_id, ix.kin(article_id))}
    try:
        return await engine.read(work)
    except NotFound:
        raise HTTPException(404, f"no article {article_id!r} in the index") from None


@router.post("/api/kin", responses={422: {"description": "invalid article"}})
async def kin_new(req: KinRequest, engine: EngineDep,
                  render: bool = Query(False, description="add an HTML evidence view "
                                       "(`view_html`) to each reuse pair")) -> dict[str, Any]:
    """Kin of an article that is not in the index (it is not added).

    In each pair `mine` names the side ('a' or 'b') that is the posted article.
    """
    got = await asyncio.to_thread(to_article, req.article, "article")
    if isinstance(got, ReadProblem):
        raise HTTPException(422, str(got))
    art: Article = got

    def work(ix: Any) -> dict[str, Any]:
        pairs = ix.kin(art)
        mine = views.article_dict(art)
        kin = views.kin_list(ix, art.id, pairs)
        for p in kin:
            p["mine"] = "a" if str(p["a"]) == art.id else "b"
            if render and p.get("evidence"):
                other = views.get(ix, p["other"])
                sides = (mine, other) if p["mine"] == "a" else (other, mine)
                p["view_html"] = pair_view(p, *sides)
        return {"article": views.brief(mine), "kin": kin}

    return await engine.run(work)
