"""/docs: Swagger UI from the assets the `swagger-ui-bundle` package ships, so the API
explorer works with no network; it holds no data, so it needs no token, and it sends the
token the web UI keeps (or one typed under Authorize) with each call it makes."""

from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle
from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

from newstrace.service.routes.web import WEB_DIR

ASSETS = Path(swagger_ui_bundle.swagger_ui_path)
SERVED = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css",
          "favicon-32x32.png": "image/png"}

router = APIRouter(include_in_schema=False)


@router.get("/docs")
async def docs_page() -> FileResponse:
    return FileResponse(WEB_DIR / "docs.html", media_type="text/html")


@router.get("/docs/assets/{name}")
async def docs_asset(name: str) -> FileResponse:
    if name not in SERVED:
        raise HTTPException(404, "not found")
    return FileResponse(ASSETS / name, media_type=SERVED[name])
