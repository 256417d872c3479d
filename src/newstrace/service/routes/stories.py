"""Stories: articles on the same event, newest first."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from newstrace.index import browse
from newstrace.service import views
from newstrace.service.engine import EngineDep, NotFound
from newstrace.service.routes.params import FiltersDep, PageDep

router = APIRouter(tags=["stories"])


@router.get("/api/stories")
async def list_stories(engine: EngineDep, filters: FiltersDep, page: PageDep) -> dict[str, Any]:
    """Stories with a member matching the filters, newest first (latest publication date of
    a member, then size); `total` counts every match."""
    return await engine.read(lambda ix: browse.stories(ix, filters, page.offset, page.limit))


@router.get("/api/stories/{story_id:path}", responses={404: {"description": "unknown story"}})
async def get_story(story_id: str, engine: EngineDep) -> dict[str, Any]:
    """A story by its id (S12) or by the id of one of its articles, with its families,
    pairs and `timeline` (who published when, in which language, in which role; in time
    order, undated last) under the scan's `title`, `first` and `last`."""
    def work(ix: Any) -> dict[str, Any]:
        st = views.story(ix, story_id)
        members = [str(m) for m in st.get("articles") or []]
        arts = {m: views.brief(views.get(ix, m)) or {"id": m} for m in members}
        return {**st, **views.story_row(st, arts), **views.story_timeline(st, arts),
                "articles": list(arts.values())}
    try:
        return await engine.read(work)
    except NotFound:
        raise HTTPException(404, f"no story {story_id!r}") from None
