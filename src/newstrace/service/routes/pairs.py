"""The relation of two indexed articles and its side-by-side evidence view.

Two ids in one path are ambiguous when an id holds '/', so the query form
(/api/pair?a=…&b=…) takes any ids; the path form stays for ids without '/'.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import HTMLResponse

from newstrace.service import views
from newstrace.service.engine import Engine, EngineDep, NotFound
from newstrace.service.report import pair_view

router = APIRouter(tags=["pairs"])
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "unknown id"}}


async def _pair_or_404(engine: Engine, a: str, b: str) -> dict[str, Any]:
    try:
        return await engine.read(lambda ix: views.pair(ix, a, b))
    except NotFound:
        raise HTTPException(404, f"{a!r} or {b!r} is not in the index") from None


def _view(p: dict[str, Any]) -> HTMLResponse:
    return HTMLResponse(pair_view(p, p["articles"]["a"], p["articles"]["b"]))


@router.get("/api/pair", responses=NOT_FOUND)
async def get_pair_q(engine: EngineDep, a: str = Query(min_length=1),
                     b: str = Query(min_length=1)) -> dict[str, Any]:
    """The relation of two indexed articles with evidence spans and both sentence lists.

    Pairs the index holds no relation for come back as `unrelated` with no evidence.
    """
    return await _pair_or_404(engine, a, b)


@router.get("/api/pair/view", response_class=HTMLResponse, responses=NOT_FOUND)
async def pair_html_q(engine: EngineDep, a: str = Query(min_length=1),
                      b: str = Query(min_length=1)) -> HTMLResponse:
    """The side-by-side evidence view as an HTML fragment (style: /report.css)."""
    return _view(await _pair_or_404(engine, a, b))


@router.get("/api/pairs/{a}/{b}", responses=NOT_FOUND)
async def get_pair(a: str, b: str, engine: EngineDep) -> dict[str, Any]:
    """As /api/pair, for ids without '/'."""
    return await _pair_or_404(engine, a, b)


@router.get("/api/pairs/{a}/{b}/view", response_class=HTMLResponse, responses=NOT_FOUND)
async def pair_html(a: str, b: str, engine: EngineDep) -> HTMLResponse:
    """As /api/pair/view, for ids without '/'."""
    return _view(await _pair_or_404(engine, a, b))
