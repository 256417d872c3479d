"""Query parameters shared by the list endpoints: search, filters and the page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query

from newstrace.index.browse import DATE_PREFIX, Filters


def _filters(
    q: str | None = Query(None, max_length=200,
                          description="substring of the id, title or text (any case)"),
    lang: str | None = Query(None, max_length=35, description="language code; '?' for unknown"),
    outlet: str | None = Query(None, max_length=500,
                               description="source, else registered domain of the url"),
    date_from: str | None = Query(None, pattern=DATE_PREFIX, description="published on or after "
                                  "(ISO prefix: 2024, 2024-05 or 2024-05-31)"),
    date_to: str | None = Query(None, pattern=DATE_PREFIX, description="published on or before "
                                "(ISO prefix, inclusive)"),
) -> Filters:
    return Filters(q=q or None, lang=lang or None, outlet=outlet or None,
                   date_from=date_from or None, date_to=date_to or None)


@dataclass(frozen=True)
class Page:
    offset: int
    limit: int


def _page(limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0)) -> Page:
    return Page(offset=offset, limit=limit)


FiltersDep = Annotated[Filters, Depends(_filters)]
PageDep = Annotated[Page, Depends(_page)]
