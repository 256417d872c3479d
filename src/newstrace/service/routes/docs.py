"""/docs: Swagger UI from the assets the `fastapi-offline` package ships (Swagger UI 5,
which reads the OpenAPI 3.1 FastAPI writes; swagger-ui-bundle's 4.x cannot), so the API
explorer works with no network; it holds no data, so it needs no token, and it sends the
token the web UI keeps (or one typed under Authorize) with each call it makes."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

from newstrace.service.routes.web import WEB_DIR

# Only the files; the package's FastAPIOffline app class is not used: /docs here is a
# page without inline script, so the UI's Content-Security-Policy applies to it too.
ASSETS = Path(fastapi_offline.__file__).parent / "static"
SERVED = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css",
          "favicon.png": "image/png"}

router = APIRouter(include_in_schema=False)


@router.get("/docs")
async def docs_page() -> FileResponse:
    return FileResponse(WEB_DIR / "docs.html", media_type="text/html")


@router.get("/docs/assets/{name}")
async def docs_asset(name: str) -> FileResponse:
    if name not in SERVED:
        raise HTTPException(404, "not found")
    return FileResponse(ASSETS / name, media_type=SERVED[name])
