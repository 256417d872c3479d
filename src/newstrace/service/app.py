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
from fastapi.responses import Response

from newstrace import __version__
from newstrace.index.store import StoreError
from newstrace.service import guard
from newstrace.service.engine import Engine, Jobs
from newstrace.service.routes import articles, families, kin, pairs, service, stories, web
from newstrace.service.schemas import common_responses

log = logging.getLogger("newstrace.service")


def create_app(db_path: str | Path, token: str | None = None,
               window_days: int | None = None) -> FastAPI:
    """The API and UI over the index at `db_path`.

    `token` enables bearer auth; the `serve` command passes NEWSTRACE_TOKEN. It is not read
    from the environment here, so a library caller always gets exactly what it asks for.
    """
    engine = Engine(Path(db_path), window_days)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> Any:
        yield
        await asyncio.to_thread(engine.close)

    app = FastAPI(
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

    @app.exception_handler(StoreError)
    async def store_error(_: Request, exc: StoreError) -> Response:
        # The message names the server's file: log it, tell the client only what happened.
        log.error("index error: %s", exc)
        return guard.json_error(500, "the index could not be read or written "
                                     "(see the server log)")

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

    for module in (service, articles, kin, stories, families, pairs, web):
        app.include_router(module.router)
    app.add_middleware(guard.Guard, token=token)
    return app
