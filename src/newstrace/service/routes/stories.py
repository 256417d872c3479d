"""Stories: articles on the same event, newest first."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query

from newstrace.service import views
from newstrace.service.engine import Engine, NotFound, engine_of

router = APIRouter(tags=["stories"])
EngineDep = Annotated[Engine, Depends(engine_of)]


@router.get("/api/stories")
async def list_stories(engine: EngineDep, limit: int = Query(100, ge=1, le=1000),
                       offset: int = Query(0, ge=0)) -> dict[str, Any]:
    """Stories, newest first (latest publication date of a member, then size)."""
    def work(ix: Any) -> dict[str, Any]:
        meta = views.article_meta(ix)
        rows = [views.story_row(s, meta) for s in ix.stories() if s.get("id")]
        rows.sort(key=lambda r: (r.get("newest") or "", r["size"]), reverse=True)
        return {"total": len(rows), "stories": rows[offset:offset + limit]}

    return await engine.run(work)


@router.get("/api/stories/{story_id}", responses={404: {"description": "unknown story"}})
async def get_story(story_id: str, engine: EngineDep) -> dict[str, Any]:
    def work(ix: Any) -> dict[str, Any]:
        st = views.story(ix, story_id)
        members = [str(m) for m in st.get("articles") or []]
        arts = {m: views.brief(views.get(ix, m)) or {"id": m} for m in members}
        return {**st, **views.story_row(st, arts), "articles": list(arts.values())}
    try:
        return await engine.run(work)
    except NotFound:
        raise HTTPException(404, f"no story {story_id!r}") from None
