"""Benchmark: the Ray executor's nearest-neighbour stage with one search partition (no
--search-window), searched in one task over the blocks (now) against the groupby shuffle
it used before (`groupby(window).map_groups`, as with several partitions). Not a test.

Synthetic prepared blocks with the real columns and sizes of a scan (random unit vectors,
10 distinctive sentences an article with their content-token counts), so only the stage
is timed: both ways
run search_partition on the same rows and must find the same pairs.

    python bench/bench_ray_search.py --articles 2000 --blocks 40 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from newstrace.embedding.encoder import DIM  # noqa: E402
from newstrace.executors.ray_stages import (  # noqa: E402
    SEARCH_COLUMNS,
    explode_windows,
    search_partition,
    search_whole,
)


def _unit(rng: np.random.Generator, n: int) -> np.ndarray:
    v = rng.normal(size=(n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def blocks(n: int, k: int, seed: int = 0) -> list:
    """k blocks of n articles; every 10th article is a noisy copy of the one before, so
    the search has pairs to find."""
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    raw, lead = _unit(rng, n), _unit(rng, n)
    svecs = _unit(rng, n * 10).reshape(n, 10, DIM)
    for i in range(1, n, 10):
        raw[i], lead[i], svecs[i] = raw[i - 1], lead[i - 1], svecs[i - 1]
    noise = rng.normal(scale=0.01, size=svecs.shape).astype(np.float32)
    svecs = svecs + noise
    svecs /= np.linalg.norm(svecs, axis=2, keepdims=True)
    out = []
    for ids in np.array_split(np.arange(n), k):
        out.append(pa.table({
            "idx": pa.array(ids, pa.int64()),
            "day": pa.array([None] * len(ids), pa.float64()),
            "raw": [raw[i].tobytes() for i in ids],
            "lead": [lead[i].tobytes() for i in ids],
            "svecs": [svecs[i].tobytes() for i in ids],
            "swords": [rng.integers(3, 30, 10, dtype=np.int64).tobytes() for _ in ids],
        }))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--blocks", type=int, default=40)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    import ray
    import ray.data as rd

    ray.init(num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False)
    refs = [ray.put(b) for b in blocks(args.articles, args.blocks)]
    parts = max(2, 2 * (os.cpu_count() or 1))

    def shuffle() -> set:
        searched = (rd.from_arrow_refs(refs).select_columns(SEARCH_COLUMNS)
                    .map_batches(explode_windows, batch_format="pyarrow",
                                 fn_kwargs={"window_days": None})
                    .groupby("window", num_partitions=parts)
                    .map_groups(search_partition, batch_format="pyarrow"))
        found = set()
        for batch in searched.iter_batches(batch_format="numpy"):
            found.update(zip(batch["a"].tolist(), batch["b"].tolist()))
        return found

    def one_task() -> set:
        t = ray.get(ray.remote(search_whole).remote(*refs))
        return set(zip(t.column("a").to_pylist(), t.column("b").to_pylist()))

    times: dict[str, list[float]] = {"groupby shuffle (before)": [], "one task (now)": []}
    results = {}
    for _ in range(args.repeat):  # alternate, so drift hits both alike
        for name, fn in (("groupby shuffle (before)", shuffle), ("one task (now)", one_task)):
            t0 = time.perf_counter()
            results[name] = fn()
            times[name].append(time.perf_counter() - t0)
    ray.shutdown()
    before, now = (statistics.median(v) for v in times.values())
    print(json.dumps({
        "articles": args.articles, "blocks": args.blocks, "cpus": os.cpu_count(),
        "median_s": {k: round(statistics.median(v), 2) for k, v in times.items()},
        "runs_s": {k: [round(x, 2) for x in v] for k, v in times.items()},
        "now_over_before": round(now / before, 3),
        "same_pairs": len(set(map(frozenset, results.values()))) == 1,
        "pairs": len(results["one task (now)"]),
        "load_avg": list(os.getloadavg()),
    }))


if __name__ == "__main__":
    main()
