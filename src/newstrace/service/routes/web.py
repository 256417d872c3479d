"""The web UI shell: index.html, its script and styles, and the report stylesheet."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, Response

from newstrace.service.report import CSS

WEB_DIR = Path(str(resources.files("newstrace").joinpath("service/web")))
TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html",
         ".svg": "image/svg+xml"}

router = APIRouter(include_in_schema=False)


@router.get("/report.css")
async def report_css() -> Response:
    return Response(CSS, media_type="text/css")


@router.get("/")
async def index_page() -> FileResponse:
    return FileResponse(WEB_DIR / "index.html", media_type="text/html")


@router.get("/static/{name}")
async def static(name: str) -> FileResponse:
    path = WEB_DIR / name
    if "/" in name or name.startswith(".") or path.suffix not in TYPES or not path.is_file():
        raise HTTPException(404, "not found")
    return FileResponse(path, media_type=TYPES[path.suffix])
