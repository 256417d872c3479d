"""Health, index statistics and what the list filters can take."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from newstrace import __version__
from newstrace.index import browse
from newstrace.index.queries import with_search_stats
from newstrace.service.engine import EngineDep
from newstrace.service.schemas import Health

router = APIRouter(tags=["service"])


@router.get("/api/health", response_model=Health)
async def health(request: Request) -> Health:
    """Liveness; never needs the token and never touches the index."""
    return Health(status="ok", version=__version__, auth=bool(request.app.state.token))


@router.get("/api/stats")
async def stats(engine: EngineDep) -> dict[str, Any]:
    """Stored counts read beside any running add; the vector and LSH figures are as of
    the writer's last finished call."""
    search = engine.search_stats
    if search is None:  # the writer has not opened the index yet
        return await engine.run(lambda ix: ix.stats())
    return with_search_stats(await engine.read(lambda r: r.stats()), search)


@router.get("/api/facets")
async def facets(engine: EngineDep) -> dict[str, Any]:
    """Languages and outlets (most frequent first) with article counts, and the date range:
    the values the list filters can take."""
    return await engine.read(browse.facets)
