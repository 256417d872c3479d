"""Small pieces the index's write side (index.py) and read side (queries.py) share."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import ParamSpec, Protocol, TypeVar, cast

from newstrace.index.store import StoreError

P = ParamSpec("P")
R = TypeVar("R")


class NotIndexed(LookupError):
    """No article or story with that id in the index."""


class _OnFile(Protocol):
    path: Path


# The relation model (matching.relation.model_version) the stored verdicts come from;
# MIXED_MODELS once pairs of another (or an unrecorded) model are stored beside them.
MODEL_META = "relation_model"
MIXED_MODELS = "mixed"


def guarded(fn: Callable[P, R]) -> Callable[P, R]:
    """SQLite errors on a damaged file surface as StoreError with the file named."""

    @wraps(fn)
    def inner(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except sqlite3.DatabaseError as exc:
            index = cast(_OnFile, args[0])
            raise StoreError(f"{index.path}: {exc}") from exc

    return inner


def text_hash(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
