"""Request and response models of the HTTP API, and the limits they enforce."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_BATCH = 500
MAX_TEXT_CHARS = 400_000  # the reader truncates at 200,000; twice that leaves room for HTML
ID_MAX = 256


class ArticleIn(BaseModel):
    """One article. `text` is plain text or HTML; optional fields are strings."""

    model_config = ConfigDict(extra="ignore", json_schema_extra={
        "examples": [{"id": "bbc-123", "text": "Vladimir Putin and Kim Jong-un met on ...",
                      "title": "Putin and Kim", "lang": "en", "source": "BBC",
                      "published": "2023-09-12"}]})

    id: str = Field(min_length=1, max_length=ID_MAX)
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    title: str | None = Field(default=None, max_length=2000)
    lang: str | None = Field(default=None, max_length=35)
    url: str | None = Field(default=None, max_length=4000)
    source: str | None = Field(default=None, max_length=500)
    published: str | None = Field(default=None, max_length=64)

    @field_validator("id")
    @classmethod
    def _id_not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("id must not be blank")
        return v


class AddRequest(BaseModel):
    """A batch; a repeated id is reported as a problem and only its first article is kept."""

    articles: list[ArticleIn] = Field(min_length=1, max_length=MAX_BATCH)


class CompareRequest(BaseModel):
    a: ArticleIn
    b: ArticleIn


class KinRequest(BaseModel):
    article: ArticleIn


class Problem(BaseModel):
    where: str
    message: str
    id: str | None = None


class AddResult(BaseModel):
    added: list[str] = []
    replaced: list[str] = []
    unchanged: list[str] = []
    problems: list[Problem] = []


class JobOut(BaseModel):
    id: str
    state: Literal["queued", "running", "done", "failed"]
    total: int = Field(description="articles in the batch")
    done: int = Field(description="articles finished")
    progress: float = Field(description="0..1, including the stage within the current chunk")
    stage: str | None = None
    stage_done: int = 0
    stage_total: int = 0
    result: AddResult | None = None
    error: str | None = None


class ErrorOut(BaseModel):
    detail: str


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    auth: bool


def common_responses(max_body_bytes: int) -> dict[int | str, dict[str, Any]]:
    return {
        400: {"model": ErrorOut, "description": "malformed request (body not parseable)"},
        401: {"model": ErrorOut, "description": "missing or wrong bearer token (when required)"},
        413: {"model": ErrorOut, "description": f"body larger than {max_body_bytes >> 20} MiB"},
    }


class FileIn(BaseModel):
    """One uploaded file, read as the CLI reads files (title, date and url included)."""

    name: str = Field(min_length=1, max_length=500,
                      description="file name: its extension picks the reader, its stem is "
                                  "the id of a .txt or .html article")
    data: str = Field(description="the file's bytes, base64-encoded")


class UploadRequest(BaseModel):
    files: list[FileIn] = Field(min_length=1, max_length=MAX_BATCH)
