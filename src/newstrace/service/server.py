"""HTTP API and web UI over an on-disk index (FastAPI).

One worker thread owns the index and the encoder: SQLite connections and the encoder are
not shared across threads, and the CPU has no spare core for parallel encoding anyway.
A batch add runs as a job in chunks on that thread, so reads wait at most one chunk and
GET /api/jobs/{id} reports progress without touching the index.

Auth: when a token is given, every request needs `Authorization: Bearer <token>` except
GET /api/health and the static UI shell (HTML/JS/CSS that holds no data).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import sqlite3
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal, TypeVar

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.types import Message, Receive, Scope, Send

from newstrace import __version__
from newstrace.index.store import StoreError
from newstrace.pipeline import Pipeline
from newstrace.service.report import CSS, family_graph, pair_view
from newstrace.text.article import Article, ReadProblem
from newstrace.text.readers import article_from_dict

MAX_BODY_BYTES = 16 * 1024 * 1024
MAX_BATCH = 500
MAX_TEXT_CHARS = 400_000  # the reader truncates at 200,000; twice that leaves room for HTML
CHUNK = 16  # articles per index call in a batch add: bounds how long a read can wait
MAX_JOBS = 200  # finished jobs kept for GET /api/jobs/{id}
ID_MAX = 256
PUBLIC_PATHS = frozenset({"/", "/api/health", "/report.css"})
WEB_DIR = Path(str(resources.files("newstrace").joinpath("service/web")))
UI_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
          "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'")

T = TypeVar("T")
log = logging.getLogger("newstrace.service.server")


# --- request and response models ---------------------------------------------------------


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


COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "malformed request (body not parseable)"},
    401: {"model": ErrorOut, "description": "missing or wrong bearer token (when required)"},
    413: {"model": ErrorOut, "description": f"body larger than {MAX_BODY_BYTES >> 20} MiB"},
}


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    auth: bool


# --- the index worker --------------------------------------------------------------------


class _NotFound(Exception):
    pass


class _Engine:
    """Runs every index and encoder call on one thread; opens the index on first use.

    close() (at app shutdown) closes the index and the thread; a later call opens both
    again, so an app whose lifespan runs more than once (test clients) keeps working.
    """

    def __init__(self, db_path: Path, window_days: int | None = None):
        self.db_path = db_path
        self.window_days = window_days
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._index: Any = None
        self.pipeline = Pipeline()  # the encoder's sentence cache outlives index reopening

    def _open(self) -> Any:
        if self._index is None:
            from newstrace.index import Index  # heavy: imported when the service first needs it

            self._index = Index(self.db_path, pipeline=self.pipeline,
                                window_days=self.window_days)
        return self._index

    def submit(self, fn: Callable[[Any], T]) -> Future[T]:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=1,
                                                thread_name_prefix="newstrace-index")
            return self._pool.submit(lambda: fn(self._open()))

    async def run(self, fn: Callable[[Any], T]) -> T:
        return await asyncio.wrap_future(self.submit(fn))

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is None:
            return

        def shut() -> None:
            if self._index is not None:
                self._index.close()
                self._index = None

        pool.submit(shut).result()
        pool.shutdown(wait=True)


@dataclass
class _Job:
    id: str
    total: int
    state: str = "queued"
    done: int = 0
    stage: str | None = None
    stage_done: int = 0
    stage_total: int = 0
    chunk_start: int = 0
    chunk_len: int = 0
    result: AddResult = field(default_factory=AddResult)
    error: str | None = None
    finished: threading.Event = field(default_factory=threading.Event)

    # Share of a chunk's time each index stage takes, roughly: encoding dominates.
    _STAGE_SPAN = {"encode": (0.0, 0.7), "index": (0.7, 1.0)}

    def out(self) -> JobOut:
        frac = 0.0
        if self.stage in self._STAGE_SPAN and self.stage_total:
            lo, hi = self._STAGE_SPAN[self.stage]
            frac = lo + (hi - lo) * min(1.0, self.stage_done / self.stage_total)
        progress = 1.0 if self.state == "done" else (
            (self.chunk_start + frac * self.chunk_len) / self.total if self.total else 0.0)
        return JobOut(
            id=self.id, state=self.state, total=self.total, done=self.done,  # type: ignore[arg-type]
            progress=round(min(1.0, progress), 4), stage=self.stage, stage_done=self.stage_done,
            stage_total=self.stage_total,
            result=self.result if self.state in ("done", "failed") else None, error=self.error,
        )


class _Jobs:
    def __init__(self, engine: _Engine):
        self.engine = engine
        self._jobs: OrderedDict[str, _Job] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, job_id: str) -> _Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def start(self, items: list[ArticleIn]) -> _Job:
        job = _Job(id=uuid.uuid4().hex, total=len(items))
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > MAX_JOBS:
                oldest = next(iter(self._jobs))
                if not self._jobs[oldest].finished.is_set():
                    break
                self._jobs.pop(oldest)
        threading.Thread(target=self._run, args=(job, items), daemon=True,
                         name=f"newstrace-job-{job.id[:8]}").start()
        return job

    def _run(self, job: _Job, items: list[ArticleIn]) -> None:
        try:
            job.state = "running"
            articles: list[Article] = []
            first: dict[str, int] = {}
            for i, item in enumerate(items):
                got = _to_article(item, f"articles[{i}]")
                if isinstance(got, Article) and got.id in first:
                    got = ReadProblem(f"articles[{i}]", f"duplicate id (first in "
                                      f"articles[{first[got.id]}]): skipped", got.id)
                if isinstance(got, ReadProblem):
                    job.result.problems.append(_problem(got))
                    job.done += 1
                else:
                    first[got.id] = i
                    articles.append(got)

            def progress(stage: str, done: int, total: int) -> None:
                job.stage, job.stage_done, job.stage_total = stage, done, total

            for start in range(0, len(articles), CHUNK):
                chunk = articles[start:start + CHUNK]
                job.chunk_start, job.chunk_len = job.done, len(chunk)
                report = self.engine.submit(_adder(chunk, progress)).result()
                _merge_report(job.result, report)
                job.done += len(chunk)
            job.state = "done"
        # A failed batch must end as a failed job the client can see, whatever raised.
        except Exception as exc:  # noqa: BLE001
            log.exception("batch add %s failed", job.id)
            job.state, job.error = "failed", f"{type(exc).__name__}: {exc}"
        finally:
            job.finished.set()


def _adder(chunk: list[Article], progress: Callable[[str, int, int], None]
           ) -> Callable[[Any], Any]:
    def add(ix: Any) -> Any:
        return ix.add(chunk, progress=progress)

    return add


# --- conversions between the engine's dicts and the API -----------------------------------


def _to_article(item: ArticleIn, where: str) -> Article | ReadProblem:
    return article_from_dict(item.model_dump(exclude_none=True), where)


def _problem(p: Any) -> Problem:
    if isinstance(p, ReadProblem):
        return Problem(where=p.where, message=p.message, id=p.article_id)
    if isinstance(p, Mapping):
        return Problem(where=str(p.get("where", "")), message=str(p.get("message", "")),
                       id=p.get("id"))
    return Problem(where="", message=str(p))


def _ids(value: Any) -> list[str]:
    if isinstance(value, int | float):
        return []
    return [str(x.id if isinstance(x, Article) else x) for x in value or []]


def _merge_report(into: AddResult, report: Any) -> None:
    into.added += _ids(getattr(report, "added", []))
    into.replaced += _ids(getattr(report, "replaced", []))
    into.unchanged += _ids(getattr(report, "unchanged", []))
    into.problems += [_problem(p) for p in getattr(report, "problems", []) or []]


def _other(pair: Mapping[str, Any], me: str) -> str:
    return str(pair["b"] if str(pair["a"]) == me else pair["a"])


def _article_dict(art: Article) -> dict[str, Any]:
    d = art.summary()
    d["attributed_source"] = art.attributed_source
    d["sentence_list"] = list(art.sentences)
    d["sentence_langs"] = list(art.sentence_langs)
    return d


def _langs(arts: Iterable[Mapping[str, Any] | None]) -> list[str]:
    return sorted({str(a.get("lang") or "?") for a in arts if a})


def _newest(arts: Iterable[Mapping[str, Any] | None]) -> str | None:
    dates = [str(a["published"]) for a in arts if a and a.get("published")]
    return max(dates) if dates else None


def _brief(art: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """An article without its sentences, for lists."""
    if art is None:
        return None
    return {k: v for k, v in art.items() if k not in ("sentence_list", "sentence_langs", "text")}


# --- app ---------------------------------------------------------------------------------


def _json_error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"detail": message}, status_code=status, headers=headers)


class _Guard:
    """ASGI middleware: body size limit, bearer-token auth and security headers."""

    def __init__(self, app: Any, token: str | None):
        self.app = app
        self.token = token.encode() if token else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        headers = {k.decode("latin-1").lower(): v for k, v in scope.get("headers", [])}
        if self.token and not _public(path) and not self._authorised(headers):
            await _json_error(401, "missing or wrong bearer token",
                              {"WWW-Authenticate": "Bearer"})(scope, receive, send)
            return
        length = headers.get("content-length")
        if length is not None:
            try:
                too_big = int(length) > MAX_BODY_BYTES
            except ValueError:
                await _json_error(400, "invalid Content-Length")(scope, receive, send)
                return
            if too_big:
                await _too_large()(scope, receive, send)
                return
        seen = 0
        rejected = False  # the guard has answered 413 itself; the app's reply is dropped

        async def counting_receive() -> Message:
            nonlocal seen, rejected
            if rejected:
                return {"type": "http.disconnect"}
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > MAX_BODY_BYTES:  # a chunked upload has no Content-Length to check
                rejected = True
                await _too_large()(scope, receive, send)
                # The app sees a client that went away and stops reading the body.
                return {"type": "http.disconnect"}
            return message

        async def secure_send(message: Message) -> None:
            if rejected:
                return
            if message["type"] == "http.response.start":
                extra = [(b"x-content-type-options", b"nosniff"),
                         (b"referrer-policy", b"no-referrer")]
                if not path.startswith("/api/") and path not in ("/docs", "/redoc"):
                    extra.append((b"content-security-policy", UI_CSP.encode()))
                message = {**message, "headers": list(message.get("headers", [])) + extra}
            await send(message)

        await self.app(scope, counting_receive, secure_send)

    def _authorised(self, headers: Mapping[str, bytes]) -> bool:
        value = headers.get("authorization", b"")
        scheme, _, given = value.partition(b" ")
        return (self.token is not None and scheme.lower() == b"bearer"
                and hmac.compare_digest(given.strip(), self.token))


def _public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith("/static/")


def _too_large() -> Response:
    return _json_error(413, f"request body larger than {MAX_BODY_BYTES // (1024 * 1024)} MiB")


def create_app(db_path: str | Path, token: str | None = None,
               window_days: int | None = None) -> FastAPI:
    """The API and UI over the index at `db_path`.

    `token` enables bearer auth; the `serve` command passes NEWSTRACE_TOKEN. It is not read
    from the environment here, so a library caller always gets exactly what it asks for.
    """
    engine = _Engine(Path(db_path), window_days)
    jobs = _Jobs(engine)

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
        responses=COMMON_RESPONSES,
    )
    app.state.engine = engine
    app.state.jobs = jobs

    @app.exception_handler(StoreError)
    async def store_error(_: Request, exc: StoreError) -> Response:
        # The message names the server's file: log it, tell the client only what happened.
        log.error("index error: %s", exc)
        return _json_error(500, "the index could not be read or written (see the server log)")

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

    # -- health, jobs, stats --

    @app.get("/api/health", response_model=Health, tags=["service"])
    async def health() -> Health:
        """Liveness; never needs the token and never touches the index."""
        return Health(status="ok", version=__version__, auth=bool(token))

    @app.get("/api/stats", tags=["service"])
    async def stats() -> dict[str, Any]:
        return await engine.run(lambda ix: ix.stats())

    @app.get("/api/jobs/{job_id}", response_model=JobOut, tags=["articles"],
             responses={404: {"description": "no such job"}})
    async def get_job(job_id: str) -> JobOut:
        job = jobs.get(job_id)
        if job is None:
            raise HTTPException(404, f"no job {job_id!r} (jobs are kept in memory only)")
        return job.out()

    # -- adding and comparing --

    @app.post("/api/articles", response_model=JobOut, status_code=202, tags=["articles"],
              responses={200: {"model": JobOut, "description": "finished (wait=true)"}})
    async def add_articles(req: AddRequest, response: Response,
                           wait: bool = Query(False, description="block until the batch is "
                                              "indexed and return the finished job")) -> JobOut:
        """Add or replace a batch of articles (by id). Returns a job: poll /api/jobs/{id}."""
        job = jobs.start(req.articles)
        if wait:
            await asyncio.to_thread(job.finished.wait)
            response.status_code = 200
        return job.out()

    @app.post("/api/compare", tags=["articles"],
              responses={422: {"description": "invalid article"}})
    async def compare(req: CompareRequest) -> dict[str, Any]:
        """Relate two articles (not indexed): relation, scores and aligned evidence."""
        # Reading runs HTML extraction and text repair: off the event loop.
        a, b = await asyncio.to_thread(lambda: (_to_article(req.a, "a"), _to_article(req.b, "b")))
        bad = [str(x) for x in (a, b) if isinstance(x, ReadProblem)]
        if bad:
            raise HTTPException(422, "; ".join(bad))
        assert isinstance(a, Article) and isinstance(b, Article)
        if a.id == b.id:
            raise HTTPException(422, "the two articles need different ids")

        def work(_: Any) -> dict[str, Any]:
            assert engine.pipeline is not None
            pair = engine.pipeline.compare(a, b).to_dict()
            pair["articles"] = {"a": _article_dict(a), "b": _article_dict(b)}
            return pair

        return await engine.run(work)

    # -- kin --

    @app.get("/api/kin/{article_id}", tags=["kin"], responses={404: {"description": "unknown id"}})
    async def kin_of(article_id: str) -> dict[str, Any]:
        """Every indexed article related to an indexed one, with evidence."""
        def work(ix: Any) -> dict[str, Any]:
            art = _get(ix, article_id)
            if art is None:
                raise _NotFound
            return {"article": _brief(art), "kin": _kin_list(ix, article_id, ix.kin(article_id))}
        try:
            return await engine.run(work)
        except _NotFound:
            raise HTTPException(404, f"no article {article_id!r} in the index") from None

    @app.post("/api/kin", tags=["kin"], responses={422: {"description": "invalid article"}})
    async def kin_new(req: KinRequest,
                      render: bool = Query(False, description="add an HTML evidence view "
                                           "(`view_html`) to each reuse pair")) -> dict[str, Any]:
        """Kin of an article that is not in the index (it is not added)."""
        got = await asyncio.to_thread(_to_article, req.article, "article")
        if isinstance(got, ReadProblem):
            raise HTTPException(422, str(got))
        art: Article = got

        def work(ix: Any) -> dict[str, Any]:
            pairs = ix.kin(art)
            mine = _article_dict(art)
            kin = _kin_list(ix, art.id, pairs)
            if render:
                for p in kin:
                    if p.get("evidence"):
                        other = _get(ix, p["other"])
                        sides = (mine, other) if str(p["a"]) == art.id else (other, mine)
                        p["view_html"] = pair_view(p, *sides)
            return {"article": _brief(mine), "kin": kin}

        return await engine.run(work)

    # -- stories and families --

    @app.get("/api/stories", tags=["stories"])
    async def list_stories(limit: int = Query(100, ge=1, le=1000),
                           offset: int = Query(0, ge=0)) -> dict[str, Any]:
        """Stories, newest first (latest publication date of a member, then size)."""
        def work(ix: Any) -> dict[str, Any]:
            meta = _article_meta(ix)
            rows = [_story_row(s, meta) for s in ix.stories() if s.get("id")]
            rows.sort(key=lambda r: (r.get("newest") or "", r["size"]), reverse=True)
            return {"total": len(rows), "stories": rows[offset:offset + limit]}

        return await engine.run(work)

    @app.get("/api/stories/{story_id}", tags=["stories"],
             responses={404: {"description": "unknown story"}})
    async def get_story(story_id: str) -> dict[str, Any]:
        def work(ix: Any) -> dict[str, Any]:
            story = _story(ix, story_id)
            members = [str(m) for m in story.get("articles") or []]
            arts = {m: _brief(_get(ix, m)) or {"id": m} for m in members}
            return {**story, **_story_row(story, arts), "articles": list(arts.values())}
        try:
            return await engine.run(work)
        except _NotFound:
            raise HTTPException(404, f"no story {story_id!r}") from None

    @app.get("/api/families", tags=["families"])
    async def list_families(limit: int = Query(100, ge=1, le=1000),
                            offset: int = Query(0, ge=0)) -> dict[str, Any]:
        def work(ix: Any) -> dict[str, Any]:
            fams = ix.families()
            return {"total": len(fams), "families": fams[offset:offset + limit]}

        return await engine.run(work)

    def _family(ix: Any, family_id: str) -> tuple[dict, dict[str, dict], list[dict]]:
        fam = next((f for f in ix.families() if str(f.get("id")) == family_id), None)
        if fam is None:
            raise _NotFound
        members = [str(m) for m in fam.get("articles") or []]
        arts = {m: _brief(_get(ix, m)) or {"id": m} for m in members}
        inside = set(members)
        pairs = [p for p in _story(ix, members[0]).get("pairs") or []
                 if str(p["a"]) in inside and str(p["b"]) in inside]
        return fam, arts, pairs

    @app.get("/api/families/{family_id}", tags=["families"],
             responses={404: {"description": "unknown family"}})
    async def get_family(family_id: str) -> dict[str, Any]:
        try:
            fam, arts, pairs = await engine.run(lambda ix: _family(ix, family_id))
        except _NotFound:
            raise HTTPException(404, f"no family {family_id!r}") from None
        return {**fam, "members": list(arts.values()),
                "pairs": [{k: v for k, v in p.items() if k != "evidence"} for p in pairs]}

    @app.get("/api/families/{family_id}/graph", response_class=Response, tags=["families"],
             responses={200: {"content": {"image/svg+xml": {}}},
                        404: {"description": "unknown family"}})
    async def family_svg(family_id: str) -> Response:
        """The family as an SVG graph: nodes are articles, edges relations, origin ringed."""
        try:
            fam, arts, pairs = await engine.run(lambda ix: _family(ix, family_id))
        except _NotFound:
            raise HTTPException(404, f"no family {family_id!r}") from None
        return Response(family_graph(fam, [p for p in pairs if p.get("evidence")], arts),
                        media_type="image/svg+xml")

    # -- pairs --

    def _pair(ix: Any, a: str, b: str) -> dict[str, Any]:
        art_a, art_b = _get(ix, a), _get(ix, b)
        if art_a is None or art_b is None:
            raise _NotFound
        pair = next((p for p in ix.kin(a) if _other(p, a) == b), None)
        if pair is None:
            pair = {"a": a, "b": b, "relation": "unrelated", "reuse_score": 0.0,
                    "story_score": 0.0, "direction": None, "coverage": {"a": 0.0, "b": 0.0},
                    "evidence": []}
        sides = {str(pair["a"]): art_a, str(pair["b"]): art_b} if str(pair["a"]) == a else \
            {str(pair["a"]): art_b, str(pair["b"]): art_a}
        return {**pair, "articles": {"a": sides[str(pair["a"])], "b": sides[str(pair["b"])]}}

    async def _pair_or_404(a: str, b: str) -> dict[str, Any]:
        try:
            return await engine.run(lambda ix: _pair(ix, a, b))
        except _NotFound:
            raise HTTPException(404, f"{a!r} or {b!r} is not in the index") from None

    @app.get("/api/pairs/{a}/{b}", tags=["pairs"], responses={404: {"description": "unknown id"}})
    async def get_pair(a: str, b: str) -> dict[str, Any]:
        """The relation of two indexed articles with evidence spans and both sentence lists.

        Pairs the index holds no relation for come back as `unrelated` with no evidence.
        """
        return await _pair_or_404(a, b)

    @app.get("/api/pairs/{a}/{b}/view", response_class=HTMLResponse, tags=["pairs"],
             responses={404: {"description": "unknown id"}})
    async def pair_html(a: str, b: str) -> HTMLResponse:
        """The side-by-side evidence view as an HTML fragment (style: /report.css)."""
        p = await _pair_or_404(a, b)
        return HTMLResponse(pair_view(p, p["articles"]["a"], p["articles"]["b"]))

    # -- web UI --

    @app.get("/report.css", include_in_schema=False)
    async def report_css() -> Response:
        return Response(CSS, media_type="text/css")

    @app.get("/", include_in_schema=False)
    async def index_page() -> FileResponse:
        return FileResponse(WEB_DIR / "index.html", media_type="text/html")

    @app.get("/static/{name}", include_in_schema=False)
    async def static(name: str) -> FileResponse:
        types = {".js": "text/javascript", ".css": "text/css", ".html": "text/html",
                 ".svg": "image/svg+xml"}
        path = WEB_DIR / name
        if "/" in name or name.startswith(".") or path.suffix not in types or not path.is_file():
            raise HTTPException(404, "not found")
        return FileResponse(path, media_type=types[path.suffix])

    app.add_middleware(_Guard, token=token)
    return app


# --- helpers that run on the index thread ---------------------------------------------------


def _get(ix: Any, article_id: str) -> dict[str, Any] | None:
    """An indexed article for clients, or None; `path` (a server file path) is left out."""
    try:
        art = ix.article(article_id)
    except LookupError:  # index.NotIndexed
        return None
    return {k: v for k, v in art.items() if k != "path"}


def _story(ix: Any, ident: str) -> dict[str, Any]:
    try:
        return ix.story(ident)
    except LookupError:
        raise _NotFound from None


def _article_meta(ix: Any) -> dict[str, dict[str, Any]]:
    """id -> lang, published, title of every article, in one query.

    Reads the index's table directly (Index has no bulk metadata call yet); falls back to
    one article() call per id, which also loads sentences.
    """
    try:
        rows = ix.store.conn.execute("SELECT ext_id, lang, published, title FROM articles")
        return {r[0]: {"id": r[0], "lang": r[1], "published": r[2], "title": r[3]}
                for r in rows}
    except (AttributeError, sqlite3.Error):
        ids = [m for s in ix.stories() for m in s.get("articles") or []]
        return {m: _brief(_get(ix, m)) or {"id": m} for m in ids}


def _kin_list(ix: Any, me: str, pairs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for p in pairs:
        other = _other(p, me)
        out.append({**p, "other": other, "other_article": _brief(_get(ix, other))})
    out.sort(key=lambda p: (-float(p.get("reuse_score") or 0), -float(p.get("story_score") or 0)))
    return out


def _story_row(story: Mapping[str, Any], arts: Mapping[str, Any]) -> dict[str, Any]:
    members = [str(m) for m in story.get("articles") or []]
    got = [arts.get(m) for m in members]
    title = next((a.get("title") for a in got if a and a.get("title")), None)
    return {"id": str(story.get("id")), "size": len(members), "articles": members,
            "languages": _langs(got), "newest": _newest(got), "title": title}
