"""Shared fixtures: one pipeline per session (the encoder caches sentences across tests)."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from newstrace import Article, Pipeline
from newstrace.text.readers import read_paths

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "examples" / "seeds"
FIXTURES = Path(__file__).parent / "fixtures"
SHARED_DATA = ROOT.parent / "shared" / "data"

# The suite must pass under a long TMPDIR (CI sets one over 100 characters). Tools that put
# Unix sockets under TMPDIR fail there (a socket path is at most 107 bytes): Ray would, so it
# keeps its usual short /tmp/ray, and Chromium gets a short TMPDIR of its own (below).
os.environ.setdefault("RAY_TMPDIR", "/tmp/ray")
# Derived tables (the folded gazetteer) go to a folder of this test session, not the
# user's cache.
if not os.environ.get("NEWSTRACE_CACHE_DIR"):
    os.environ["NEWSTRACE_CACHE_DIR"] = tempfile.mkdtemp(prefix="newstrace-cache-")
    atexit.register(shutil.rmtree, os.environ["NEWSTRACE_CACHE_DIR"], True)


@contextmanager
def short_tmpdir() -> Iterator[Path]:
    """A fresh folder with a short path, for a tool's sockets, removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix="nt-", dir="/tmp"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(autouse=True)
def _browser_short_tmpdir(request: pytest.FixtureRequest) -> Iterator[None]:
    """In browser tests the processes started (playwright's driver, then Chromium, whose
    singleton socket goes under $TMPDIR) see a short TMPDIR. Python's own temp folder, and
    so tmp_path, stays the suite's: it is fixed before the variable changes. (A browser
    launched by a module-scoped fixture, before this runs, passes env= itself.)"""
    if request.node.get_closest_marker("browser") is None:
        yield
        return
    tempfile.gettempdir()
    with short_tmpdir() as short, pytest.MonkeyPatch.context() as mp:
        mp.setenv("TMPDIR", str(short))
        yield


@pytest.fixture(scope="session")
def pipeline() -> Pipeline:
    return Pipeline()


@pytest.fixture(scope="session")
def seed_scan(pipeline):
    arts = [a for a in read_paths([SEEDS]) if isinstance(a, Article)]
    return pipeline.scan(arts)


@pytest.fixture(scope="session")
def devsample() -> list[dict]:
    path = FIXTURES / "devsample.jsonl"
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def article(row: dict) -> Article:
    return Article(id=row["id"], text=row["text"], lang=row.get("lang"))


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present (dev corpora live outside the repo)")
    return SHARED_DATA
