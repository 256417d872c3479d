"""The article record that flows through the pipeline.

Readers create it, normalisation and language detection fill it in, and every later
stage (sentences, embeddings, alignment, relations, grouping) only reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime


@dataclass
class Article:
    id: str
    text: str
    title: str | None = None
    lang: str | None = None
    url: str | None = None
    source: str | None = None
    published: str | None = None  # ISO 8601 date or datetime, when known
    path: str | None = None  # where it was read from, for messages
    sentences: list[str] = field(default_factory=list)
    sentence_langs: list[str] = field(default_factory=list)
    attributed_source: str | None = None  # "BBC" from "See original article on BBC"
    warnings: list[str] = field(default_factory=list)

    @property
    def published_at(self) -> datetime | None:
        """`published` as a naive UTC datetime; None when absent or not ISO 8601."""
        return parse_date(self.published)

    def summary(self) -> dict:
        """The article as it appears in the output contract."""
        return {
            "id": self.id,
            "lang": self.lang,
            "title": self.title,
            "sentences": len(self.sentences),
            "source": self.source,
            "published": self.published,
            "warnings": list(self.warnings),
        }


def parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        d = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return d.astimezone(UTC).replace(tzinfo=None) if d.tzinfo else d


def days_apart(a: Article, b: Article) -> float | None:
    """Days between two articles' publication; None when either date is unknown."""
    da, db = a.published_at, b.published_at
    if da is None or db is None:
        return None
    return abs((da - db).total_seconds()) / 86400


@dataclass
class ReadProblem:
    """An input that could not become an article; reported, never fatal to a scan."""

    where: str  # file path, or "path:line" for JSONL
    message: str
    article_id: str | None = None

    def __str__(self) -> str:
        who = f"{self.where} (article {self.article_id})" if self.article_id else self.where
        return f"{who}: {self.message}"
