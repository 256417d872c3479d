"""Benchmark: connected components of grouping edges, three ways (issue 12).

The Ray executor finds components by union-find on the driver (scipy) up to
`driver_component_max_edges` candidate pairs, beyond that by large-star/small-star rounds
over the edge dataset (executors/components.py). This measures, on synthetic edge lists
shaped like a scan's (components of 1-20 articles: a random spanning tree each, plus 30 %
extra edges; ids shuffled):

- scipy: steps.components, the driver path;
- stars (numpy, one process): the same rounds as the Ray path, without Ray: the
  algorithm's cost apart from Ray's shuffles;
- stars on Ray: ray_components over a dataset of the edges (num_cpus = --cpus).

Reports seconds, rounds and the ratios to scipy measured in the same run, and checks that
the three labelings are the same partition. Not a test; results go to docs/SCALE.md.

    python bench/bench_components.py --edges 100000,1000000 --ray-edges 100000
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from newstrace.executors.components import (  # noqa: E402
    labels_from_stars,
    large_star,
    small_star,
)
from newstrace.pipeline.steps import components  # noqa: E402


def graph(edges: int, seed: int = 0) -> tuple[int, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a, b, n = [], [], 0
    while len(a) < edges:
        size = int(rng.integers(1, 21))
        nodes = np.arange(n, n + size)
        n += size
        for k in range(1, size):  # a random spanning tree
            a.append(nodes[k])
            b.append(nodes[rng.integers(0, k)])
        for _ in range(int(0.3 * (size - 1))):
            x, y = rng.choice(nodes, 2, replace=False)
            a.append(x)
            b.append(y)
    perm = rng.permutation(n)  # ids in no particular order, as a scan's are
    return n, perm[np.array(a[:edges])], perm[np.array(b[:edges])]


def stars(n: int, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, int]:
    for rounds in range(1, 200):
        x, m, c1 = large_star(np.r_[a, b], np.r_[b, a])
        a, b, c2 = small_star(np.maximum(x, m), np.minimum(x, m))
        if c1 == 0 and c2 == 0:
            return labels_from_stars(n, a, b), rounds
    raise RuntimeError("no convergence")


def same_partition(x: np.ndarray, y: np.ndarray) -> bool:
    pairs = set(zip(x[x >= 0].tolist(), y[y >= 0].tolist()))
    return (np.array_equal(x >= 0, y >= 0)
            and len(pairs) == len({p[0] for p in pairs}) == len({p[1] for p in pairs}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--edges", default="100000,1000000")
    ap.add_argument("--ray-edges", default="100000", help="sizes also run on Ray ('' for none)")
    ap.add_argument("--cpus", type=int, default=2)
    args = ap.parse_args()
    ray_sizes = {int(x) for x in args.ray_edges.split(",") if x}
    rows = []
    for e in (int(x) for x in args.edges.split(",")):
        n, a, b = graph(e)
        t = time.perf_counter()
        ref = components(n, a, b)
        t_scipy = time.perf_counter() - t
        t = time.perf_counter()
        lab, rounds = stars(n, a, b)
        t_stars = time.perf_counter() - t
        row = {"edges": e, "articles": n, "components": int(len(np.unique(ref[ref >= 0]))),
               "scipy_s": round(t_scipy, 3), "stars_numpy_s": round(t_stars, 3),
               "stars_numpy_rounds": rounds,
               "stars_numpy_vs_scipy": round(t_stars / t_scipy, 1),
               "same": same_partition(ref, lab)}
        if e in ray_sizes:
            import pyarrow as pa
            import ray.data as rd

            from newstrace.executors.components import ray_components
            from newstrace.executors.ray_executor import _quiet_ray_data, start_ray

            start_ray(num_cpus=args.cpus)
            _quiet_ray_data()
            ds = rd.from_arrow(pa.table({"a": a, "b": b})).materialize()
            t = time.perf_counter()
            rlab, rrounds = ray_components(ds, n, parts=2 * args.cpus)
            t_ray = time.perf_counter() - t
            row.update({"stars_ray_s": round(t_ray, 2), "stars_ray_rounds": rrounds,
                        "stars_ray_vs_scipy": round(t_ray / t_scipy, 1),
                        "same_ray": same_partition(ref, rlab)})
        row["load"] = round(os.getloadavg()[0], 1)
        rows.append(row)
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
