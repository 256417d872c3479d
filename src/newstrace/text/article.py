"""The article record that flows through the pipeline.

Readers create it, normalisation and language detection fill it in, and every later
stage (sentences, embeddings, alignment, relations, grouping) only reads it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from tld import get_fld


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

    def __post_init__(self) -> None:
        # Wherever an article is made (readers, the service, the library), a `published`
        # that is not a date never travels on as one.
        self.check_published()

    @property
    def published_at(self) -> datetime | None:
        """`published` as a naive UTC datetime; None when absent or not ISO 8601."""
        return parse_date(self.published)

    @property
    def outlet(self) -> str | None:
        """Who published it: the `source` field, else the registered domain of `url`
        (bbc.co.uk for www.bbc.co.uk/news), else None (unknown)."""
        return outlet_of(self.source, self.url)

    def check_published(self) -> None:
        """Keep `published` only when it is a date: ISO 8601, or an RFC 2822 date (feeds,
        mail headers), which becomes ISO 8601. Anything else ("yesterday-ish") would sort
        as a string among real dates, so it is dropped with a warning naming the article."""
        if not (self.published or "").strip():
            self.published = None
            return
        if parse_date(self.published) is not None:
            return
        value = self.published
        try:
            rfc = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            rfc = None
        if rfc is not None:
            self.published = rfc.isoformat()
            return
        self.published = None
        self.warnings.append(
            f"article {self.id}: published value {value[:80]!r} is not a date "
            "(expected ISO 8601, e.g. 2024-05-01T14:30:00Z); stored without a date")

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


_WORDS = re.compile(r"[^\w]+")
_NON_WORD = re.compile(r"[\W_]+")


def outlet_of(source: str | None, url: str | None) -> str | None:
    """An outlet name: `source` (whitespace tidied), else the registered domain of `url`
    from the public suffix list bundled with `tld` (it is never fetched at run time)."""
    if source and source.strip():
        return " ".join(source.split())
    if not url or not url.strip():
        return None
    fld = get_fld(url.strip(), fix_protocol=True, fail_silently=True)
    return fld.lower() if isinstance(fld, str) else None


def same_outlet(credit: str, outlet: str | None) -> bool:
    """Does a credit ("BBC", "The Guardian", "Reuters") name this outlet ("BBC News",
    "theguardian.com", "reuters.com")? Word for word within a source name, or the credit
    written as one word equal to the domain's name ("theguardian" of theguardian.com)."""
    if not outlet:
        return False
    c_words = [w for w in _WORDS.split(credit.casefold()) if w]
    if not c_words:
        return False
    o = outlet.casefold()
    if "." in o and " " not in o:  # a domain: its name before the public suffix
        label = _NON_WORD.sub("", o.split(".")[0]).removeprefix("the")  # news-wire: newswire
        name = "".join(c_words).removeprefix("the")
        return name in (label, label.removesuffix("news"))  # AP: apnews.com
    o_words = [w for w in _WORDS.split(o) if w]
    n = len(c_words)
    return any(o_words[i : i + n] == c_words for i in range(len(o_words) - n + 1))


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
