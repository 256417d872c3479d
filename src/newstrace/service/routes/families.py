"""Families: articles that share text, with their origin guess and graph."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Response

from newstrace.index import browse
from newstrace.service import views
from newstrace.service.engine import Engine, EngineDep, NotFound
from newstrace.service.report import family_graph
from newstrace.service.routes.params import FiltersDep, PageDep

router = APIRouter(tags=["families"])


@router.get("/api/families")
async def list_families(engine: EngineDep, filters: FiltersDep, page: PageDep
                        ) -> dict[str, Any]:
    """Families with a member matching the filters, in the order they formed."""
    return await engine.read(lambda ix: browse.families(ix, filters, page.offset, page.limit))


async def _family_or_404(engine: Engine, family_id: str) -> tuple[dict, dict, list]:
    try:
        return await engine.read(lambda ix: views.family(ix, family_id))
    except NotFound:
        raise HTTPException(404, f"no family {family_id!r}") from None


# The graph route comes first: `{family_id:path}` would otherwise swallow "/graph".
@router.get("/api/families/{family_id:path}/graph", response_class=Response,
            responses={200: {"content": {"image/svg+xml": {}}},
                       404: {"description": "unknown family"}})
async def family_svg(family_id: str, engine: EngineDep) -> Response:
    """The family as an SVG graph: nodes are articles, edges relations, origin ringed."""
    fam, arts, pairs = await _family_or_404(engine, family_id)
    return Response(family_graph(fam, [p for p in pairs if p.get("evidence")], arts),
                    media_type="image/svg+xml")


@router.get("/api/families/{family_id:path}", responses={404: {"description": "unknown family"}})
async def get_family(family_id: str, engine: EngineDep) -> dict[str, Any]:
    """A family by its id (F3) or by the id of one of its articles."""
    fam, arts, pairs = await _family_or_404(engine, family_id)
    return {**fam, "members": list(arts.values()),
            "pairs": [{k: v for k, v in p.items() if k != "evidence"} for p in pairs]}
