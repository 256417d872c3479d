"""The relation of two indexed articles and its side-by-side evidence view."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import HTMLResponse

from newstrace.service import views
from newstrace.service.engine import Engine, NotFound, engine_of
from newstrace.service.report import pair_view

router = APIRouter(tags=["pairs"])
EngineDep = Annotated[Engine, Depends(engine_of)]


async def _pair_or_404(engine: Engine, a: str, b: str) -> dict[str, Any]:
    try:
        return await engine.run(lambda ix: views.pair(ix, a, b))
    except NotFound:
        raise HTTPException(404, f"{a!r} or {b!r} is not in the index") from None


@router.get("/api/pairs/{a}/{b}", responses={404: {"description": "unknown id"}})
async def get_pair(a: str, b: str, engine: EngineDep) -> dict[str, Any]:
    """The relation of two indexed articles with evidence spans and both sentence lists.

    Pairs the index holds no relation for come back as `unrelated` with no evidence.
    """
    return await _pair_or_404(engine, a, b)


@router.get("/api/pairs/{a}/{b}/view", response_class=HTMLResponse,
            responses={404: {"description": "unknown id"}})
async def pair_html(a: str, b: str, engine: EngineDep) -> HTMLResponse:
    """The side-by-side evidence view as an HTML fragment (style: /report.css)."""
    p = await _pair_or_404(engine, a, b)
    return HTMLResponse(pair_view(p, p["articles"]["a"], p["articles"]["b"]))
