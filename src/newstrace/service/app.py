"""The FastAPI app: routers, middleware, error handlers and the OpenAPI security scheme.

The index work lives in engine.py (one thread owns the index), the routes in routes/,
the request models in schemas.py and auth and size limits in guard.py.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from newstrace import __version__
from newstrace.grouping.outlets import Licence
from newstrace.index.store import StoreError
from newstrace.service import guard
from newstrace.service.engine import Engine, Jobs
from newstrace.service.routes import (
    articles,
    docs,
    families,
    kin,
    pairs,
    service,
    sources,
    stories,
    web,
)
from newstrace.service.schemas import common_responses

log = logging.getLogger("newstrace.service")
ECHO_CHARS = 200  # a 422 shows this much of a bad value, not a 400,000-character text
ECHO_ITEMS = 10


def _trim(value: Any) -> Any:
    """A validation error's echoed input, cut so an error stays readable and small."""
    if isinstance(value, str) and len(value) > ECHO_CHARS:
        return f"{value[:ECHO_CHARS]}… ({len(value):,} characters)"
    if isinstance(value, dict):
        return {k: _trim(v) for k, v in list(value.items())[:ECHO_ITEMS * 2]}
    if isinstance(value, list | tuple):
        items = [_trim(v) for v in value[:ECHO_ITEMS]]
        return items + ([f"… ({len(value):,} items)"] if len(value) > ECHO_ITEMS else [])
    return value


def create_app(db_path: str | Path, token: str | None = None,
               window_days: int | None = None, licence: Licence | None = None) -> FastAPI:
    """The API and UI over the index at `db_path`; `licence` marks own and partner outlets
    whose reuse /api/sources lists as licensed.

    `token` enables bearer auth; the `serve` command passes NEWSTRACE_TOKEN. It is not read
    from the environment here, so a library caller always gets exactly what it asks for.
    """
    engine = Engine(Path(db_path), window_days)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> Any:
        yield
        await asyncio.to_thread(engine.close)

    app = FastAPI(
        docs_url=None,  # routes/docs.py serves /docs from bundled assets: works offline
        redoc_url=None,
        title="newstrace",
        version=__version__,
        description="Copies, translations, rewrites and same-story coverage of news articles "
                    "across languages, with aligned evidence. Bearer auth when the server has "
                    "a token (NEWSTRACE_TOKEN).",
        lifespan=lifespan,
        responses=common_responses(guard.MAX_BODY_BYTES),
    )
    app.state.engine = engine
    app.state.jobs = Jobs(engine)
    app.state.token = token
    app.state.licence = licence

    @app.exception_handler(StoreError)
    async def store_error(_: Request, exc: StoreError) -> Response:
        # The message names the server's file: log it, tell the client only what happened.
        log.error("index error: %s", exc)
        return guard.json_error(500, "the index could not be read or written "
                                     "(see the server log)")

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> Response:
        errors = [{**e, "input": _trim(e["input"])} if "input" in e else e
                  for e in exc.errors()]
        return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 405:
            # Starlette's Allow names the first route on the path only; GET and POST
            # /api/articles are two routes.
            allowed = sorted({m for r in app.router.routes
                              if r.matches(request.scope)[0] != Match.NONE
                              for m in getattr(r, "methods", None) or ()})
            return guard.json_error(405, "Method Not Allowed", {"Allow": ", ".join(allowed)})
        return await http_exception_handler(request, exc)

    def security_schema() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = FastAPI.openapi(app)
            if token:
                comps = schema.setdefault("components", {})
                comps["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
                schema["security"] = [{"bearer": []}]
                schema["paths"]["/api/health"]["get"]["security"] = []
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = security_schema  # type: ignore[method-assign]

    for module in (service, articles, kin, stories, families, pairs, sources, web, docs):
        app.include_router(module.router)
    app.add_middleware(guard.Guard, token=token)
    return app
