"""Uploaded files read exactly as the CLI reads files on disk.

Each upload is written to a private temporary folder under its own base name and read with
`readers.read_file`, the CLI's path: the same encoding detection, HTML extraction (title,
date, url, site name) and plain-text title line. Messages name the uploaded file, never
the temporary path.
"""

from __future__ import annotations

import base64
import binascii
import re
import tempfile
from pathlib import Path, PurePosixPath

from newstrace.service.schemas import FileIn
from newstrace.text.article import Article, ReadProblem
from newstrace.text.readers import SUPPORTED, read_file

NAME_BYTES = 200  # file systems take 255 bytes a name


def _base_name(name: str) -> str:
    """The file's own name, safe as a file name here: no folders, no control characters."""
    base = re.sub(r"[\x00-\x1f\x7f]", "_", PurePosixPath(name.replace("\\", "/")).name)
    return base if base.strip(".") else "upload"


def read_uploads(files: list[FileIn]) -> list[Article | ReadProblem]:
    """Every article of every file, in order; a file that cannot be read is a problem."""
    out: list[Article | ReadProblem] = []
    with tempfile.TemporaryDirectory(prefix="newstrace-upload-") as tmp:
        for i, f in enumerate(files):
            base = _base_name(f.name)
            if len(base.encode()) > NAME_BYTES:
                out.append(ReadProblem(f.name[:80] + "…", f"file name too long "
                                       f"({len(base.encode())} bytes; limit {NAME_BYTES})"))
                continue
            if PurePosixPath(base).suffix.lower() not in SUPPORTED:
                out.append(ReadProblem(f.name, "unsupported file type (supported: "
                                       + ", ".join(SUPPORTED) + ")"))
                continue
            try:
                data = base64.b64decode(f.data, validate=True)
            except (binascii.Error, ValueError):
                out.append(ReadProblem(f.name, "data is not valid base64"))
                continue
            folder = Path(tmp, str(i))
            folder.mkdir()
            path = folder / base
            path.write_bytes(data)
            out.extend(_renamed(item, str(path), f.name) for item in read_file(path))
            path.unlink()
    return out


def _renamed(item: Article | ReadProblem, tmp_path: str, name: str) -> Article | ReadProblem:
    if isinstance(item, Article):
        item.path = name + (item.path or "")[len(tmp_path):]
        item.warnings = [w.replace(tmp_path, name) for w in item.warnings]
    else:
        item.where = name + item.where[len(tmp_path):] if item.where.startswith(tmp_path) \
            else item.where.replace(tmp_path, name)
        item.message = item.message.replace(tmp_path, name)
    return item
