"""Health and index statistics."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from newstrace import __version__
from newstrace.service.engine import Engine, engine_of
from newstrace.service.schemas import Health

router = APIRouter(tags=["service"])


@router.get("/api/health", response_model=Health)
async def health(request: Request) -> Health:
    """Liveness; never needs the token and never touches the index."""
    return Health(status="ok", version=__version__, auth=bool(request.app.state.token))


@router.get("/api/stats")
async def stats(engine: Annotated[Engine, Depends(engine_of)]) -> dict[str, Any]:
    return await engine.run(lambda ix: ix.stats())
