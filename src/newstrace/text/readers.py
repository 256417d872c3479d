"""Turning files into `Article` objects.

Every input either becomes an Article or a ReadProblem; nothing here raises on bad data,
because one broken file must never stop a scan of thousands.
"""

from __future__ import annotations

import codecs
import json
import logging
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import charset_normalizer
import lxml.etree
import lxml.html
import trafilatura

from newstrace.text import feeds
from newstrace.text.article import Article, ReadProblem
from newstrace.text.normalize import clean_text, find_attribution

SUPPORTED = (".txt", ".html", ".htm", ".json", ".jsonl", ".parquet",
             ".warc", ".warc.gz", ".rss", ".atom", ".xml")
MAX_CHARS = 200_000  # longer articles are truncated: alignment cost grows with length
MAX_FILE_BYTES = 50 * 1024 * 1024
MIN_LETTERS = 20  # below this there is nothing to align

_SUPPORTED_TEXT = ", ".join(SUPPORTED)
_BINARY_MAGIC = (
    b"%PDF",
    b"PK\x03\x04",
    b"\x89PNG",
    b"\x1f\x8b",
    b"GIF8",
    b"\xff\xd8\xff",
    b"\xd0\xcf\x11\xe0",
    b"7z\xbc\xaf",
    b"Rar!",
    b"BZh",
)
_UTF_BOMS = (  # UTF-32 before UTF-16: its little-endian BOM starts with UTF-16's
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_SNIFF_BYTES = 8192
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_-]+)", re.IGNORECASE)
_CONTROL_BYTES = frozenset(range(32)) - {9, 10, 12, 13}
_HTML_START = re.compile(r"\s*<(?:!doctype\s+html|html[\s>])", re.IGNORECASE)
_HTML_MARKUP = re.compile(
    r"<(?:p|div|br|span|a|h[1-6]|ul|ol|li|article|section|body|html|strong|em|b|i)\b[^>]*>",
    re.IGNORECASE,
)
_SENTENCE_END = (".", "!", "?", "…", "。", "！", "？")
_CLOSERS = "\"'”’»)]」』"
# Characters cp1252 text in Western European languages is made of, beyond ASCII.
_WESTERN = set(
    "àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿßÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝœŒšŠžŽ“”‘’„‚–—…«»°€£§©®·¿¡\u00a0"
)

# trafilatura logs every page it cannot parse; our ReadProblem already says so.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)


def read_paths(paths: Iterable[str | Path]) -> Iterator[Article | ReadProblem]:
    """Read files and folders (recursively) into articles, reporting what cannot be read.

    Ids must be unique within one read: the first article with an id wins.
    """
    seen: dict[str, str] = {}
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = _folder_files(path)
            if not files:
                msg = f"no supported files ({_SUPPORTED_TEXT}) in folder"
                yield ReadProblem(str(path), msg)
            items = (item for f in files for item in read_file(f))
        elif path.is_file():
            if not supported(path.name):
                msg = f"unsupported file type '{path.suffix}' (supported: {_SUPPORTED_TEXT})"
                yield ReadProblem(str(path), msg)
                continue
            items = read_file(path)
        elif path.exists():
            yield ReadProblem(str(path), "not a regular file or folder")
            continue
        else:
            yield ReadProblem(str(path), "no such file or folder")
            continue
        for item in items:
            if isinstance(item, Article):
                where = item.path or item.id
                if item.id in seen:
                    yield ReadProblem(where, f"duplicate id (first in {seen[item.id]})", item.id)
                    continue
                seen[item.id] = where
            yield item


def _folder_files(folder: Path) -> list[Path]:
    found: list[Path] = []
    for root, dirs, names in os.walk(folder):  # does not follow symlinked folders
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(
            Path(root, n)
            for n in sorted(names)
            if not n.startswith(".") and supported(n)
        )
    return found


def supported(name: str) -> bool:
    """By extension; `.warc.gz` is the one double extension."""
    return name.lower().endswith(SUPPORTED)


def read_file(path: Path) -> Iterator[Article | ReadProblem]:
    """Read one supported file (any extension in SUPPORTED)."""
    where = str(path)
    if path.suffix.lower() == ".parquet":  # read in row groups: no size limit
        yield from _read_parquet(path, where)
        return
    if _warc_file(path):  # streamed record by record: no file size limit
        yield from feeds.read_warc(path, _html_article, _decode, MAX_FILE_BYTES)
        return
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            mb = MAX_FILE_BYTES // (1024 * 1024)
            yield ReadProblem(where, f"file too large ({size / 1e6:.1f} MB; limit {mb} MB)")
            return
        data = path.read_bytes()
    except OSError as exc:
        yield ReadProblem(where, f"cannot read: {exc.strerror or exc}")
        return
    decoded = _decode(data)
    if decoded is None:
        yield ReadProblem(where, "binary file, not text")
        return
    text, enc_warnings = decoded
    if not text.strip():
        yield ReadProblem(where, "empty")
        return
    suffix = path.suffix.lower()
    if suffix in (".rss", ".atom", ".xml") or feeds.is_feed(text):
        if not feeds.is_feed(text):
            yield ReadProblem(where, "XML file that is not an RSS or Atom feed")
            return
        # feedparser decodes by the XML declaration itself: give it the bytes.
        yield from feeds.read_feed(data, where, path.stem, article_from_dict)
    elif suffix == ".jsonl":
        yield from _read_jsonl(text, where, enc_warnings)
    elif suffix == ".json":
        yield from _read_json(text, where, enc_warnings)
    elif suffix in (".html", ".htm") or _HTML_START.match(text):
        yield _html_article(text, where, path.stem, enc_warnings)
    else:
        yield read_text_article(text, path.stem, path=where, warnings=enc_warnings)


# --- decoding --------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[str, list[str]] | None:
    """Bytes to text plus warnings; None when the bytes are not text at all."""
    for bom, encoding in _UTF_BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace"), []
    sniff = data[:_SNIFF_BYTES]
    controls = sum(1 for b in sniff if b in _CONTROL_BYTES)
    if data.startswith(_BINARY_MAGIC) or b"\x00" in sniff or controls > len(sniff) / 10:
        return None
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    # Mostly valid UTF-8 with a few bad bytes (a damaged or concatenated file): keep
    # UTF-8 rather than let a guess garble every correct non-ASCII character.
    lenient = data.decode("utf-8", errors="replace")
    bad = lenient.count("\ufffd")
    good = sum(1 for ch in lenient if ord(ch) > 127) - bad
    if good > 10 * bad:
        return lenient.removeprefix("\ufeff"), [f"invalid UTF-8: {bad} bytes replaced"]
    declared = _META_CHARSET.search(sniff)
    if declared and _codec(declared.group(1).decode("ascii")):
        # An HTML page that names its charset knows better than any guess.
        encoding = _codec(declared.group(1).decode("ascii")) or ""
    else:
        encoding = _guess_encoding(data)
    return data.decode(encoding, errors="replace"), [f"not UTF-8: decoded as {encoding}"]


def _codec(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _guess_encoding(data: bytes) -> str:
    """charset_normalizer's guess, corrected towards cp1252 for Western text.

    On short Latin-1/cp1252 text it often prefers cp1250 (Swedish å becomes ĺ) or even
    big5, so cp1252 wins ties and wins whenever the guess is shaky and cp1252 reads as
    plausible Western text (few non-ASCII letters, all of them common accents).
    """
    try:
        western = data.decode("cp1252")
        fallback = "cp1252"
    except UnicodeDecodeError:
        western, fallback = data.decode("latin-1"), "latin-1"
    results = charset_normalizer.from_bytes(data)
    best = results.best()
    if best is None:
        return fallback
    for match in results:
        if match.encoding in ("cp1252", "latin_1", "iso8859_15") and match.chaos <= best.chaos:
            return fallback
    if best.chaos > 0.05 and _plausibly_western(western):
        return fallback
    return best.encoding


def _plausibly_western(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    high = [ch for ch in text if ord(ch) > 127]
    high_letters = sum(1 for ch in high if ch.isalpha())
    # Cyrillic cp1251 read as cp1252 is almost all accented letters; Western text is not.
    return bool(letters) and all(ch in _WESTERN for ch in high) and high_letters < len(letters) / 4


# --- formats ---------------------------------------------------------------------------


def read_text_article(
    text: str,
    id: str,
    *,
    path: str | None = None,
    warnings: list[str] | None = None,
) -> Article | ReadProblem:
    """A plain-text article; a short first line without final punctuation is the title."""
    article = Article(id=id, text=text, path=path, warnings=list(warnings or []))
    result = _finish(article, path or id)
    if isinstance(result, Article):
        result.title = _title_line(result.text)
    return result


def _title_line(text: str) -> str | None:
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if len(lines) < 2:
        return None  # a single line is the body, not a headline
    first = lines[0].strip()
    if len(first) > 200 or first.rstrip(_CLOSERS).endswith(_SENTENCE_END):
        return None
    return first


def _warc_file(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError:
        return False  # read_file's own read reports it
    return feeds.is_warc(path.name, head)


def _html_article(
    html: str, where: str, article_id: str, warnings: list[str], *,
    url: str | None = None, fallback_date: str | None = None,
) -> Article | ReadProblem:
    """An HTML page; `url` (where it was fetched from, as a WARC says) wins over the page's
    own canonical link, and `fallback_date` applies when the page states no date."""
    doc = _extract_html(html, url=url)
    if doc is None or not _has_prose(doc.text or ""):
        return ReadProblem(where, "no article text found in HTML", article_id)
    article = Article(
        id=article_id,
        text=doc.text,
        title=doc.title or None,
        url=url or doc.url or None,
        source=doc.sitename or None,
        published=doc.date or fallback_date or None,
        path=where,
        warnings=list(warnings),
    )
    return _finish(article, where)


def _extract_html(html: str, url: str | None = None) -> Any:
    try:
        return trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            # No guessing dates from copyright lines: a wrong date is worse than none.
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    # trafilatura and lxml raise many kinds of errors on hostile markup; one bad page must
    # become a ReadProblem, never end the scan.
    except Exception:  # noqa: BLE001
        return None


def _has_prose(text: str) -> bool:
    """A page with only menus and teaser links extracts to short unpunctuated lines."""
    for line in text.split("\n"):
        line = line.strip()
        letters = sum(1 for ch in line if ch.isalpha())
        if letters >= MIN_LETTERS and line.rstrip(_CLOSERS).endswith(_SENTENCE_END):
            return True
    return False


def _fragment_text(html: str) -> str:
    """Plain text of an HTML fragment, one line per block, when trafilatura finds none."""
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (ValueError, lxml.etree.LxmlError):
        return re.sub(r"<[^>]+>", " ", html)
    for bad in root.xpath(".//script|.//style"):
        bad.drop_tree()
    for block in root.xpath(".//p|.//div|.//br|.//li|.//h1|.//h2|.//h3|.//h4|.//tr"):
        block.tail = "\n" + (block.tail or "")
    return root.text_content()


def _read_json(text: str, where: str, warnings: list[str]) -> Iterator[Article | ReadProblem]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        yield ReadProblem(where, f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})")
        return
    if isinstance(data, dict):
        yield _with_warnings(article_from_dict(data, where), warnings)
    elif isinstance(data, list):
        for i, obj in enumerate(data):
            yield _with_warnings(article_from_dict(obj, f"{where}[{i}]"), warnings)
    else:
        yield ReadProblem(where, f"expected a JSON object or list, got {_json_type(data)}")


def _read_jsonl(text: str, where: str, warnings: list[str]) -> Iterator[Article | ReadProblem]:
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        line_where = f"{where}:{lineno}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield ReadProblem(line_where, f"invalid JSON: {exc.msg} (column {exc.colno})")
            continue
        yield _with_warnings(article_from_dict(obj, line_where), warnings)


def _read_parquet(path: Path, where: str) -> Iterator[Article | ReadProblem]:
    """Rows of a Parquet file, with the JSON input's columns (`id`, `text`; optional
    `title`, `lang`, `url`, `source`, `published`); pyarrow comes with the `ray` extra."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        yield ReadProblem(where, "reading Parquet needs pyarrow: pip install newstrace[ray]")
        return
    try:
        pf = pq.ParquetFile(path)
        wanted = [c for c in ("id", "text", "title", "lang", "url", "source", "published")
                  if c in pf.schema_arrow.names]
        row = 0
        for batch in pf.iter_batches(batch_size=1024, columns=wanted):
            for obj in batch.to_pylist():
                yield article_from_dict(obj, f"{where}[{row}]")
                row += 1
    except (OSError, ValueError) as exc:  # pyarrow's errors derive from these
        yield ReadProblem(where, f"cannot read Parquet: {exc}")


def _with_warnings(item: Article | ReadProblem, warnings: list[str]) -> Article | ReadProblem:
    if isinstance(item, Article):
        item.warnings[:0] = warnings  # file-level decoding warnings apply to every article
    return item


def _json_type(value: Any) -> str:
    names = {dict: "object", list: "list", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")


def article_from_dict(obj: Any, where: str) -> Article | ReadProblem:
    """One article from a JSON object with `id` and `text` (plain or HTML).

    Optional string fields: title, lang, url, source, published. Used for JSON/JSONL
    files and for `compare --pairs` lines; `where` names the place for messages.
    """
    if not isinstance(obj, dict):
        return ReadProblem(where, f"expected a JSON object, got {_json_type(obj)}")
    raw_id = obj.get("id")
    if raw_id is None or raw_id == "":
        return ReadProblem(where, "missing id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int)):
        return ReadProblem(where, f"id must be a string or integer, got {_json_type(raw_id)}")
    article_id = str(raw_id).strip()
    text = obj.get("text")
    if text is None:
        return ReadProblem(where, "missing text", article_id)
    if not isinstance(text, str):
        return ReadProblem(where, f"text must be a string, got {_json_type(text)}", article_id)
    if not text.strip():
        return ReadProblem(where, "empty text", article_id)

    fields: dict[str, str | None] = {}
    warnings: list[str] = []
    for name in ("title", "lang", "url", "source", "published"):
        value = obj.get(name)
        if isinstance(value, str) and value.strip():
            fields[name] = value.strip()
        elif value not in (None, ""):
            warnings.append(f"ignored non-string field '{name}'")
    if fields.get("lang"):
        fields["lang"] = fields["lang"].lower()

    if _HTML_MARKUP.search(text):
        doc = _extract_html(text, url=fields.get("url"))
        if doc is not None and (doc.text or "").strip():
            text = doc.text
            # What the input says wins over what the page says about itself.
            for name, value in (
                ("title", doc.title),
                ("url", doc.url),
                ("published", doc.date),
                ("source", doc.sitename),
            ):
                if not fields.get(name) and value:
                    fields[name] = value
        else:
            text = _fragment_text(text)

    article = Article(id=article_id, text=text, path=where, warnings=warnings, **fields)
    return _finish(article, where)


# --- shared finishing ------------------------------------------------------------------


def _finish(article: Article, where: str) -> Article | ReadProblem:
    """Clean, bound the size, reject what is too short, and note who is credited."""
    original = len(article.text)
    # ftfy is the slow part: trim far-too-long input before cleaning, cut exactly after.
    text, clean_warnings = clean_text(article.text[: MAX_CHARS * 2])
    article.warnings.extend(clean_warnings)
    truncated = original > MAX_CHARS * 2
    if len(text) > MAX_CHARS:
        text = _truncate(text, MAX_CHARS)
        truncated = True
    if truncated:
        article.warnings.append(
            f"text truncated to {len(text):,} of {original:,} characters (limit {MAX_CHARS:,})"
        )
    letters = sum(1 for ch in text if ch.isalpha())
    if letters < MIN_LETTERS:
        return ReadProblem(where, f"too short to analyse ({len(text)} characters)", article.id)
    article.text = text
    article.attributed_source = find_attribution(text)
    return article


def _truncate(text: str, limit: int) -> str:
    """Cut at the last paragraph end, else sentence end, else space, before `limit`."""
    window = text[:limit]
    floor = int(limit * 0.8)  # never throw away more than a fifth looking for a boundary
    cut = window.rfind("\n")
    if cut < floor:
        # Latin punctuation ends a sentence only before a space; CJK needs no space.
        cut = max(
            window.rfind(p + " ") + 1 if p in ".!?…" else window.rfind(p) + 1 for p in _SENTENCE_END
        )
    if cut < floor:
        cut = window.rfind(" ")
    if cut < floor:
        cut = limit
    return window[:cut].rstrip()
