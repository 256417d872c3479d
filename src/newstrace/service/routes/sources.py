"""Outlets ranked by how much of their output derives from another outlet's text, and
downloads of the index's tables as CSV or JSONL (the CLI's `sources --db` and
`index export`, through the same code: index/provenance.py, pipeline/tables.py)."""

from __future__ import annotations

import io
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from newstrace.grouping.outlets import MIN_ARTICLES
from newstrace.index import browse, provenance
from newstrace.pipeline.tables import write_table
from newstrace.service.engine import EngineDep
from newstrace.service.routes.params import FiltersDep

router = APIRouter(tags=["sources"])

Table = Literal["articles", "pairs", "families", "stories", "sources"]
MEDIA = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}
# The index's article rows carry the dedup columns only (as `index export`).
ARTICLE_FIELDS = ["id", "family", "story", "keep"]


@router.get("/api/sources")
async def get_sources(request: Request, engine: EngineDep, min_articles: int = Query(
        MIN_ARTICLES, ge=1, le=100_000, description="rank outlets with at least this many "
        "articles")) -> dict[str, Any]:
    """The scan JSON's `sources` section from the index: `outlets` ranked by the share of
    their articles that derive from another outlet's (ties by count), `unranked` (fewer
    than min_articles) and `unknown_outlet_articles`. Reuse between outlets of the
    server's licence file (`serve --licensed`) is listed as licensed."""
    licence = request.app.state.licence
    return await engine.read(lambda ix: provenance.sources(ix, licence, min_articles))


@router.get("/api/export/{table}", response_class=Response,
            responses={200: {"content": {"text/csv": {}, "application/x-ndjson": {}}}})
async def export(table: Table, engine: EngineDep, filters: FiltersDep,
                 format: Literal["csv", "jsonl"] = Query(  # noqa: A002 (the API's name)
                     "csv", description="csv (flat, a header row) or jsonl (full records)"),
                 ) -> Response:
    """One table of the index as a download: CSV flattened as `newstrace index export`
    writes it, or JSONL with every record whole. The list filters (q, lang, outlet,
    dates) narrow it as they narrow the lists: the matching articles, the families and
    stories with a matching member, the pairs with a matching side; sources stay whole."""
    def read(ix: Any) -> list[dict]:
        only = None if table == "sources" else browse.matching_ids(ix, filters)
        return provenance.records(ix, table, only)

    records = await engine.read(read)
    buf = io.StringIO()
    write_table(buf, table, records, format, ARTICLE_FIELDS if table == "articles" else None)
    return Response(buf.getvalue(), media_type=MEDIA[format], headers={
        "Content-Disposition": f'attachment; filename="newstrace-{table}.{format}"'})
