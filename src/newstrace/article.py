"""The article record that flows through the pipeline.

Readers create it, normalisation and language detection fill it in, and every later
stage (sentences, embeddings, alignment, relations, grouping) only reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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


@dataclass
class ReadProblem:
    """An input that could not become an article; reported, never fatal to a scan."""

    where: str  # file path, or "path:line" for JSONL
    message: str
    article_id: str | None = None

    def __str__(self) -> str:
        who = f"{self.where} (article {self.article_id})" if self.article_id else self.where
        return f"{who}: {self.message}"
