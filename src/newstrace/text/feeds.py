"""Web archives (WARC) and RSS/Atom feeds as articles, through the readers' HTML path.

A WARC's response records with HTML payloads become articles (url = WARC-Target-URI;
date = the page's own date when the extraction finds one, else WARC-Date); other
responses are skipped with one counted note. A feed's entries become articles: the full
content (content:encoded, Atom content) when the entry has it, else its summary, with a
warning when that summary is too short to judge reuse on. A damaged file gives a
ReadProblem naming it, after whatever could be read from it.
"""

from __future__ import annotations

import io
import re
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from newstrace.text.article import Article, ReadProblem

# An entry whose only text is a summary shorter than this is a teaser, not the article:
# reuse found (or missed) on it says little about the article itself.
SHORT_SUMMARY = 500
# Root elements of RSS 0.9x/2.0, RSS 1.0 (RDF) and Atom, after any XML declaration,
# comments or doctype: how a .xml (or mislabelled) file is recognised as a feed.
_FEED_ROOT = re.compile(
    r"^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*|<\?[^>]*\?>\s*)*"
    r"<(?:rss|feed|rdf:RDF)\b", re.DOTALL)

HtmlReader = Callable[..., "Article | ReadProblem"]
DictReader = Callable[[Any, str], "Article | ReadProblem"]


def is_feed(text: str) -> bool:
    return bool(_FEED_ROOT.match(text[:4096]))


def is_warc(name: str, head: bytes) -> bool:
    """By extension (.warc, .warc.gz) or by the first bytes of an uncompressed record."""
    lower = name.lower()
    return lower.endswith((".warc", ".warc.gz")) or head.startswith(b"WARC/")


# --- WARC ------------------------------------------------------------------------------


def read_warc(
    path: Path, html_article: HtmlReader, decode: Callable[[bytes], Any], max_bytes: int
) -> Iterator[Article | ReadProblem]:
    """Stream the archive record by record (archives are often gigabytes: no file size
    limit, only a per-record one). `html_article` and `decode` are the readers' own."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    where = str(path)
    skipped: Counter[str] = Counter()
    n_read = 0
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            if not fh.read(5).startswith((b"WARC/", b"\x1f\x8b")):
                yield ReadProblem(where, "not a WARC file (no WARC/ header, not gzip)")
                return
            fh.seek(0)
            records = ArchiveIterator(fh)
            for record in records:
                if record.rec_type != "response" or record.http_headers is None:
                    continue  # requests, metadata, warcinfo, revisits: not content
                n_read += 1
                ctype = (record.http_headers.get_header("Content-Type") or "").lower()
                mime = ctype.split(";")[0].strip() or "no content type"
                status = record.http_headers.get_statuscode() or ""
                if "html" not in mime:
                    skipped[mime] += 1
                    continue
                if not status.startswith("2"):
                    skipped[f"HTTP {status}"] += 1
                    continue
                yield _warc_page(record, where, ctype, html_article, decode, max_bytes)
            if records.offset < size:  # the tail is no whole record: cut off mid-record
                raise EOFError(f"{size - records.offset} bytes at the end are no whole record")
    except (ArchiveLoadFailed, OSError, EOFError, ValueError, zlib.error) as exc:
        # What was read before the damage stands; the rest of the file is lost.
        yield _damaged(where, n_read, exc)
    if skipped:
        kinds = ", ".join(f"{k} {n}" for k, n in skipped.most_common())
        yield ReadProblem(where, f"{sum(skipped.values())} response record(s) not read, not "
                                 f"an HTML page (2xx): {kinds}")


def _damaged(where: str, n_read: int, exc: BaseException) -> ReadProblem:
    return ReadProblem(where, f"damaged or truncated WARC after {n_read} response record(s): "
                              f"{type(exc).__name__}: {exc}")


def _warc_page(record: Any, where: str, ctype: str, html_article: HtmlReader,
               decode: Callable[[bytes], Any], max_bytes: int) -> Article | ReadProblem:
    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
    rec_id = (record.rec_headers.get_header("WARC-Record-ID") or "?").strip("<>")
    offset = f"{where}@{rec_id}"
    stream = record.content_stream()
    data = b""
    while len(data) <= max_bytes and (chunk := stream.read(1 << 16)):
        data += chunk
    if len(data) > max_bytes:
        return ReadProblem(offset, f"page larger than {max_bytes // (1024 * 1024)} MB", uri)
    if getattr(record.raw_stream, "limit", 0):  # bytes promised by Content-Length are missing
        return ReadProblem(offset, "record cut off before its end (truncated WARC)", uri)
    charset = re.search(r"charset=([\w-]+)", ctype)
    text: str | None = None
    warnings: list[str] = []
    if charset:
        try:
            text = data.decode(charset.group(1))
        except (LookupError, UnicodeDecodeError):
            text = None
    if text is None:
        decoded = decode(data)
        if decoded is None:
            return ReadProblem(offset, "binary payload, not HTML", uri)
        text, warnings = decoded
    return html_article(text, offset, uri or offset, warnings, url=uri or None,
                        fallback_date=record.rec_headers.get_header("WARC-Date"))


# --- RSS / Atom ------------------------------------------------------------------------


def read_feed(data: bytes, where: str, stem: str,
              from_dict: DictReader) -> Iterator[Article | ReadProblem]:
    """Each entry through `from_dict` (the readers' article_from_dict: HTML content is
    extracted there, the same as a JSON article's)."""
    import feedparser

    # A stream, never a str or bytes: feedparser would fetch a string that looks like a
    # URL, or open one that names a file.
    parsed = feedparser.parse(io.BytesIO(data))
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    entries = parsed.entries
    if not entries:
        why = f": {problem}" if problem else " (no RSS or Atom entries in it)"
        yield ReadProblem(where, f"not a readable feed{why}")
        return
    outlet = (parsed.feed.get("title") or "").strip() or None
    for i, entry in enumerate(entries):
        item = _entry(entry, f"{where}[{i}]", f"{stem}#{i + 1}", outlet, from_dict)
        if isinstance(item, Article) and problem is not None:
            item.warnings.append(f"feed is not well-formed XML ({problem}); "
                                 "read by the lenient parser")
        yield item


def _entry(entry: Any, where: str, fallback_id: str, outlet: str | None,
           from_dict: DictReader) -> Article | ReadProblem:
    link = (entry.get("link") or "").strip() or None
    ident = link or (entry.get("id") or "").strip() or fallback_id
    contents = [c for c in entry.get("content", []) if (c.get("value") or "").strip()]
    summary = (entry.get("summary") or "").strip()
    body = max((c["value"] for c in contents), key=len) if contents else summary
    if not body:
        return ReadProblem(where, "feed entry has no content or summary", ident)
    when = entry.get("published_parsed") or entry.get("updated_parsed")
    published = (time.strftime("%Y-%m-%dT%H:%M:%SZ", when) if when
                 else entry.get("published") or entry.get("updated"))
    obj = {"id": ident, "text": body, "title": entry.get("title"), "url": link,
           "published": published,
           # Without a link the outlet would be unknown: the feed's title names it.
           "source": None if link else outlet}
    item = from_dict(obj, where)
    if isinstance(item, Article) and not contents and len(item.text) < SHORT_SUMMARY:
        item.warnings.append(
            f"feed entry {ident} has only a short summary ({len(item.text)} characters), "
            "not the article: its reuse is judged on the summary")
    return item
