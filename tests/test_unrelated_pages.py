"""Unrelated real pages (issue 11): no reuse and at most one `same_story` pair.

A deterministic subset of tests/fixtures/unrelated_pages.jsonl (every SUBSET_STEP-th page
in file order: 38 pages from many sites and languages), each cut to its opening
OPENING_CHARS characters at a paragraph end, goes through the real JSONL reader and the
real scan. The cut keeps the scan near 45 s of CPU (the encoder is most of it); the whole
set, whole pages, runs in `newstrace eval unrelated`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import FIXTURES
from newstrace import Article
from newstrace.evaluation.tasks import AT_MOST, TASKS
from newstrace.text.readers import read_paths

PAGES = FIXTURES / "unrelated_pages.jsonl"
SUBSET_STEP = 5
OPENING_CHARS = 1000


def opening(text: str, limit: int = OPENING_CHARS) -> str:
    """The text up to the last paragraph end (else space) before `limit` characters."""
    if len(text) <= limit:
        return text
    cut = text.rfind("\n", 0, limit)
    if cut < limit // 2:
        cut = text.rfind(" ", 0, limit)
    return text[:cut].rstrip()


@pytest.fixture(scope="module")
def subset(tmp_path_factory) -> list[Article]:
    if not PAGES.is_file():
        pytest.skip(f"{PAGES.name} is missing (build it with scripts/build_unrelated_pages.py)")
    rows = [json.loads(x) for x in PAGES.read_text(encoding="utf-8").splitlines()]
    rows = [{**r, "text": opening(r["text"])} for r in rows[::SUBSET_STEP]]
    path = tmp_path_factory.mktemp("unrelated") / "pages.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    items = list(read_paths([path]))
    assert all(isinstance(a, Article) for a in items), [str(x) for x in items
                                                         if not isinstance(x, Article)]
    return items


def test_subset_is_varied(subset):
    rows = [json.loads(x) for x in PAGES.read_text(encoding="utf-8").splitlines()]
    assert len({r["id"] for r in rows}) == len(rows)
    assert len(subset) >= 35
    sites = {r["site"] for r in rows[::SUBSET_STEP]}
    assert len(sites) >= len(subset) - 2


def test_unrelated_pages_are_not_linked(pipeline, subset):
    res = pipeline.scan(subset)
    reuse = [(p.a, p.b, p.relation) for p in res.pairs if p.is_reuse]
    same = [(p.a, p.b, round(p.story_score, 3)) for p in res.pairs
            if p.relation == "same_story"]
    assert not reuse, f"reuse between unrelated pages: {reuse}"
    assert len(same) <= 1, f"same_story between unrelated pages: {same}"


def _eval(*args: str, cwd) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "newstrace", "eval", "unrelated", "-f", "json",
                           "--cache", str(cwd / "emb.npz"), *args], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=600)


def test_eval_unrelated_command(tmp_path):
    """`newstrace eval unrelated --pages`: metrics with their targets, flagged pairs listed;
    a missing file is a skip with a note, not an error."""
    if not PAGES.is_file():
        pytest.skip(f"{PAGES.name} is missing")
    rows = [json.loads(x) for x in PAGES.read_text(encoding="utf-8").splitlines()[:3]]
    path = tmp_path / "three.jsonl"
    path.write_text("".join(json.dumps({**r, "text": opening(r["text"], 600)}) + "\n"
                            for r in rows), encoding="utf-8")
    r = _eval("--pages", str(path), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    [res] = json.loads(r.stdout)
    m = res["metrics"]
    assert (m["pages"], m["all_pairs"]) == (3, 3)
    assert {"same_story_per_100_pages", "reuse_pairs", "pairs_compared"} <= set(m)
    assert "flagged_pairs" in res["tables"]
    assert {"unrelated.same_story_per_100_pages", "unrelated.reuse_pairs"} <= AT_MOST
    assert "unrelated" in TASKS  # so `eval all` runs it

    r = _eval("--pages", str(tmp_path / "missing.jsonl"), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    [res] = json.loads(r.stdout)
    assert res["metrics"] == {} and res["notes"][0].startswith("skipped:")
