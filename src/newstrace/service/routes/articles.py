"""Articles: adding (background jobs, JSON or uploaded files), browsing, one article's
page, deleting, and comparing two articles."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Response

from newstrace.index import browse
from newstrace.service import views
from newstrace.service.engine import EngineDep, Job, JobsDep, NotFound, to_article
from newstrace.service.routes.params import FiltersDep, PageDep
from newstrace.service.schemas import AddRequest, CompareRequest, JobOut, UploadRequest
from newstrace.service.uploads import read_uploads
from newstrace.text.article import Article, ReadProblem, outlet_of

router = APIRouter(tags=["articles"])
WAIT = Query(False, description="block until the batch is indexed and return the finished job")
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "unknown id"}}


@router.get("/api/jobs/{job_id}", response_model=JobOut,
            responses={404: {"description": "no such job"}})
async def get_job(job_id: str, jobs: JobsDep) -> JobOut:
    job = jobs.get(job_id)
    if job is None:
        raise HTTPException(404, f"no job {job_id!r} (jobs are kept in memory only)")
    return job.out()


async def _started(job: Job, response: Response, wait: bool) -> JobOut:
    if wait:
        await asyncio.to_thread(job.finished.wait)
        response.status_code = 200
    return job.out()


@router.post("/api/articles", response_model=JobOut, status_code=202,
             responses={200: {"model": JobOut, "description": "finished (wait=true)"}})
async def add_articles(req: AddRequest, response: Response, jobs: JobsDep,
                       wait: bool = WAIT) -> JobOut:
    """Add or replace a batch of articles (by id). Returns a job: poll /api/jobs/{id}."""
    return await _started(jobs.start(req.articles), response, wait)


@router.post("/api/upload", response_model=JobOut, status_code=202,
             responses={200: {"model": JobOut, "description": "finished (wait=true)"}})
async def upload_files(req: UploadRequest, response: Response, jobs: JobsDep,
                       wait: bool = WAIT) -> JobOut:
    """Add files as `newstrace index add` reads them: .txt (a short first line is the
    title), .html (title, date, url and site from the page), .json/.jsonl. The job's
    `total` counts files until they are read, then articles."""
    return await _started(jobs.start(partial(read_uploads, req.files), total=len(req.files)),
                          response, wait)


@router.get("/api/articles")
async def list_articles(engine: EngineDep, filters: FiltersDep, page: PageDep
                        ) -> dict[str, Any]:
    """Articles matching the filters, newest first; `total` counts every match."""
    return await engine.read(lambda ix: browse.articles(ix, filters, page.offset, page.limit))


@router.get("/api/articles/{article_id:path}", responses=NOT_FOUND)
async def get_article(article_id: str, engine: EngineDep) -> dict[str, Any]:
    """One indexed article: its text, fields, outlet, kin, family and story."""
    def work(ix: Any) -> dict[str, Any]:
        art = views.must_get(ix, article_id)
        story = browse.story_summary(ix, art["story"]) if art.get("story") else None
        return {**art, "outlet": outlet_of(art.get("source"), art.get("url")),
                "text": " ".join(art.get("sentence_list") or []),
                "kin": views.kin_list(ix, article_id, ix.kin(article_id)),
                "story_summary": story}
    try:
        return await engine.read(work)
    except NotFound:
        raise HTTPException(404, f"no article {article_id!r} in the index") from None


@router.delete("/api/articles/{article_id:path}", responses=NOT_FOUND)
async def delete_article(article_id: str, engine: EngineDep) -> dict[str, Any]:
    """Remove an article and its relations; its family and story are regrouped."""
    removed = await engine.run(lambda ix: ix.remove([article_id]))
    if not removed:
        raise HTTPException(404, f"no article {article_id!r} in the index")
    return {"removed": removed}


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
