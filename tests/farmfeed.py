"""The committed planted farm feed (tests/fixtures/farm_feed.jsonl, evaluation/farm.py),
scanned once per test session for the outlet, origin and timeline tests."""

from __future__ import annotations

from functools import cache

from conftest import FIXTURES
from newstrace.evaluation import farm
from newstrace.pipeline import Pipeline, ScanResult

FEED = FIXTURES / "farm_feed.jsonl"


@cache
def pipeline() -> Pipeline:
    return Pipeline()  # one encoder: later scans of the same texts reuse its vectors


@cache
def feed() -> farm.Feed:
    return farm.from_jsonl(FEED)


@cache
def scan() -> ScanResult:
    return pipeline().scan(feed().articles)
