"""Adding articles (background jobs) and comparing two articles."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Response

from newstrace.service import views
from newstrace.service.engine import Engine, Jobs, engine_of, jobs_of, to_article
from newstrace.service.schemas import AddRequest, CompareRequest, JobOut
from newstrace.text.article import Article, ReadProblem

router = APIRouter(tags=["articles"])
EngineDep = Annotated[Engine, Depends(engine_of)]
JobsDep = Annotated[Jobs, Depends(jobs_of)]


@router.get("/api/jobs/{job_id}", response_model=JobOut,
            responses={404: {"description": "no such job"}})
async def get_job(job_id: str, jobs: JobsDep) -> JobOut:
    job = jobs.get(job_id)
    if job is None:
        raise HTTPException(404, f"no job {job_id!r} (jobs are kept in memory only)")
    return job.out()


@router.post("/api/articles", response_model=JobOut, status_code=202,
             responses={200: {"model": JobOut, "description": "finished (wait=true)"}})
async def add_articles(req: AddRequest, response: Response, jobs: JobsDep,
                       wait: bool = Query(False, description="block until the batch is "
                                          "indexed and return the finished job")) -> JobOut:
    """Add or replace a batch of articles (by id). Returns a job: poll /api/jobs/{id}."""
    job = jobs.start(req.articles)
    if wait:
        await asyncio.to_thread(job.finished.wait)
        response.status_code = 200
    return job.out()


@router.post("/api/compare", responses={422: {"description": "invalid article"}})
async def compare(req: CompareRequest, engine: EngineDep) -> dict[str, Any]:
    """Relate two articles (not indexed): relation, scores and aligned evidence."""
    # Reading runs HTML extraction and text repair: off the event loop.
    a, b = await asyncio.to_thread(lambda: (to_article(req.a, "a"), to_article(req.b, "b")))
    bad = [str(x) for x in (a, b) if isinstance(x, ReadProblem)]
    if bad:
        raise HTTPException(422, "; ".join(bad))
    assert isinstance(a, Article) and isinstance(b, Article)
    if a.id == b.id:
        raise HTTPException(422, "the two articles need different ids")

    def work(_: Any) -> dict[str, Any]:
        pair = engine.pipeline.compare(a, b).to_dict()
        pair["articles"] = {"a": views.article_dict(a), "b": views.article_dict(b)}
        return pair

    return await engine.run(work)
