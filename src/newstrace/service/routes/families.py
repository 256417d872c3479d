"""Families: articles that share text, with their origin guess and graph."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Response

from newstrace.service import views
from newstrace.service.engine import Engine, NotFound, engine_of
from newstrace.service.report import family_graph

router = APIRouter(tags=["families"])
EngineDep = Annotated[Engine, Depends(engine_of)]


@router.get("/api/families")
async def list_families(engine: EngineDep, limit: int = Query(100, ge=1, le=1000),
                        offset: int = Query(0, ge=0)) -> dict[str, Any]:
    def work(ix: Any) -> dict[str, Any]:
        fams = ix.families()
        return {"total": len(fams), "families": fams[offset:offset + limit]}

    return await engine.run(work)


async def _family_or_404(engine: Engine, family_id: str) -> tuple[dict, dict, list]:
    try:
        return await engine.run(lambda ix: views.family(ix, family_id))
    except NotFound:
        raise HTTPException(404, f"no family {family_id!r}") from None


@router.get("/api/families/{family_id}", responses={404: {"description": "unknown family"}})
async def get_family(family_id: str, engine: EngineDep) -> dict[str, Any]:
    fam, arts, pairs = await _family_or_404(engine, family_id)
    return {**fam, "members": list(arts.values()),
            "pairs": [{k: v for k, v in p.items() if k != "evidence"} for p in pairs]}


@router.get("/api/families/{family_id}/graph", response_class=Response,
            responses={200: {"content": {"image/svg+xml": {}}},
                       404: {"description": "unknown family"}})
async def family_svg(family_id: str, engine: EngineDep) -> Response:
    """The family as an SVG graph: nodes are articles, edges relations, origin ringed."""
    fam, arts, pairs = await _family_or_404(engine, family_id)
    return Response(family_graph(fam, [p for p in pairs if p.get("evidence")], arts),
                    media_type="image/svg+xml")
