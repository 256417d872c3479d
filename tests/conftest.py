"""Shared fixtures: one pipeline per session (the encoder caches sentences across tests)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newstrace import Article, Pipeline
from newstrace.readers import read_paths

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "examples" / "seeds"
FIXTURES = Path(__file__).parent / "fixtures"
SHARED_DATA = ROOT.parent / "shared" / "data"


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
