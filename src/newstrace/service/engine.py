"""The index worker and the background batch adds.

One writer thread owns the index and the encoder: adds, deletes and kin of a new text
run there, and a batch add runs on it as a job in chunks. Reads of stored data
(kin of an indexed article, articles, stories, families, stats) run on reader threads, each
with its own SQLite connection: in WAL mode they read the last committed state while the
writer works, so they never queue behind an add. GET /api/jobs/{id} reports progress
without touching the index.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request

from newstrace.pipeline import Pipeline
from newstrace.service.schemas import AddResult, ArticleIn, JobOut, Problem
from newstrace.text.article import Article, ReadProblem
from newstrace.text.readers import article_from_dict

CHUNK = 16  # articles per index call in a batch add (progress and cancellation steps)
READERS = 4  # reader threads, each with its own SQLite connection
MAX_JOBS = 200  # finished jobs kept for GET /api/jobs/{id}

T = TypeVar("T")
log = logging.getLogger("newstrace.service")


class NotFound(Exception):
    """Raised on the index thread when an id is unknown; routes turn it into a 404."""


class Engine:
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
        self._read_pool: ThreadPoolExecutor | None = None
        self._readers: list[Any] = []  # one IndexReader per reader thread
        self._local = threading.local()
        self.search_stats: dict | None = None  # the writer's vector/LSH sizes, last write
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
            return self._pool.submit(self._call, fn)

    def _call(self, fn: Callable[[Any], T]) -> T:
        ix = self._open()
        try:
            return fn(ix)
        finally:
            if self._index is not None:  # a snapshot for stats read beside a running add
                self.search_stats = self._index.search_stats()

    async def run(self, fn: Callable[[Any], T]) -> T:
        return await asyncio.wrap_future(self.submit(fn))

    def _reader(self) -> Any:
        reader = getattr(self._local, "reader", None)
        if reader is None:
            from newstrace.index import IndexReader

            reader = IndexReader(self.db_path)
            self._local.reader = reader
            with self._lock:
                self._readers.append(reader)
        return reader

    async def read(self, fn: Callable[[Any], T]) -> T:
        """Run a read of stored data on a reader thread with its own connection (WAL):
        it never waits for an add. `fn` gets an IndexReader (stored kin, articles,
        stories, families; not stats or kin of a new text: those go through run)."""
        if not self.db_path.exists():  # nothing stored yet: the writer creates the index
            return await self.run(fn)
        with self._lock:
            if self._read_pool is None:
                self._read_pool = ThreadPoolExecutor(max_workers=READERS,
                                                     thread_name_prefix="newstrace-read")
            future = self._read_pool.submit(lambda: fn(self._reader()))
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
            read_pool, self._read_pool = self._read_pool, None
            readers, self._readers = self._readers, []
            self._local = threading.local()
        if read_pool is not None:
            read_pool.shutdown(wait=True)
        for reader in readers:
            reader.close()
        if pool is None:
            return

        def shut() -> None:
            if self._index is not None:
                self._index.close()
                self._index = None

        pool.submit(shut).result()
        pool.shutdown(wait=True)


@dataclass
class Job:
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


# What a job reads: API articles, or a callable that reads uploaded files into articles
# (on the job's thread, so the event loop never runs HTML extraction).
Items = list[ArticleIn] | Callable[[], list[Article | ReadProblem]]


class Jobs:
    def __init__(self, engine: Engine):
        self.engine = engine
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def start(self, items: Items, total: int | None = None) -> Job:
        job = _new_job(len(items) if total is None else total)  # type: ignore[arg-type]
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

    def _run(self, job: Job, items: Items) -> None:
        try:
            job.state = "running"
            if callable(items):
                got_all = items()
                job.total = len(got_all)
            else:
                got_all = [to_article(item, f"articles[{i}]") for i, item in enumerate(items)]
            articles: list[Article] = []
            first: dict[str, str] = {}
            for i, got in enumerate(got_all):
                if isinstance(got, Article) and got.id in first:
                    got = ReadProblem(_where(got, i), f"duplicate id (first in "
                                      f"{first[got.id]}): skipped", got.id)
                if isinstance(got, ReadProblem):
                    job.result.problems.append(problem(got))
                    job.done += 1
                else:
                    first[got.id] = _where(got, i)
                    articles.append(got)

            def progress(stage: str, done: int, total: int) -> None:
                job.stage, job.stage_done, job.stage_total = stage, done, total

            for start in range(0, len(articles), CHUNK):
                chunk = articles[start:start + CHUNK]
                job.chunk_start, job.chunk_len = job.done, len(chunk)
                report = self.engine.submit(_adder(chunk, progress)).result()
                merge_report(job.result, report)
                job.done += len(chunk)
            job.state = "done"
        # A failed batch must end as a failed job the client can see, whatever raised.
        except Exception as exc:  # noqa: BLE001
            log.exception("batch add %s failed", job.id)
            job.state, job.error = "failed", f"{type(exc).__name__}: {exc}"
        finally:
            job.finished.set()


def _new_job(total: int) -> Job:
    return Job(id=uuid.uuid4().hex, total=total)


def _where(art: Article, i: int) -> str:
    """Where an article came from, for messages: its file (uploads) or its batch slot."""
    return art.path or f"articles[{i}]"


def _adder(chunk: list[Article], progress: Callable[[str, int, int], None]
           ) -> Callable[[Any], Any]:
    def add(ix: Any) -> Any:
        return ix.add(chunk, progress=progress)

    return add


def engine_of(request: Request) -> Engine:
    """FastAPI dependency: the app's engine."""
    return request.app.state.engine  # type: ignore[no-any-return]


def jobs_of(request: Request) -> Jobs:
    return request.app.state.jobs  # type: ignore[no-any-return]


EngineDep = Annotated[Engine, Depends(engine_of)]
JobsDep = Annotated[Jobs, Depends(jobs_of)]


# --- conversions between the engine's objects and the API ---------------------------------


def to_article(item: ArticleIn, where: str) -> Article | ReadProblem:
    return article_from_dict(item.model_dump(exclude_none=True), where)


def problem(p: Any) -> Problem:
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


def merge_report(into: AddResult, report: Any) -> None:
    into.added += _ids(getattr(report, "added", []))
    into.replaced += _ids(getattr(report, "replaced", []))
    into.unchanged += _ids(getattr(report, "unchanged", []))
    into.problems += [problem(p) for p in getattr(report, "problems", []) or []]
