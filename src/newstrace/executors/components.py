"""Connected components of a graph too large for the driver: large-star / small-star.

Kiveris et al., "Connected Components in MapReduce and Beyond" (SoCC 2014), as
text-dedup runs it on Spark. Each round is one shuffle of the edge list grouped by node;
no node's neighbourhood is ever gathered outside its partition, and the driver holds only
the change counts. At convergence every edge joins a node to the smallest node of its
component, which becomes the component's label.

- large-star: a node u links each larger neighbour v to m(u) = min(N(u) ∪ {u});
- small-star: a node u links itself and each smaller neighbour to the smallest of them.

The star functions work on whole partitions with numpy (many nodes a call, grouped by
`node % parts`), so Ray Data calls them once per partition, not once per node.
"""

from __future__ import annotations

import numpy as np


def _by_node(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows sorted by node, without repeated (u, v); plus each row's node-group start."""
    if not len(u):
        return u, v, np.zeros(0, np.int64)
    uv = np.unique(np.stack([u, v], axis=1), axis=0)
    u, v = uv[:, 0], uv[:, 1]
    starts = np.flatnonzero(np.r_[True, u[1:] != u[:-1]])
    return u, v, starts


def large_star(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """One large-star step over rows (u, v) = every edge in both directions, for the
    nodes u of one partition. Returns edges (v, m(u)) for each neighbour v > u, and how
    many edges changed (a node u rewires its larger neighbours when m(u) < u)."""
    u, v, starts = _by_node(np.asarray(u, np.int64), np.asarray(v, np.int64))
    if not len(u):
        return u, v, 0
    m = np.minimum(np.minimum.reduceat(v, starts), u[starts])
    group = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(u)]))
    mu = m[group]
    keep = v > u
    changed = int(np.count_nonzero(keep & (mu < u)))
    return v[keep], mu[keep], changed


def small_star(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """One small-star step over rows (u, v) with v < u (each edge once, from its larger
    end), for the nodes u of one partition. Returns edges (x, m) for x in N(u) ∪ {u},
    x ≠ m, m = min N(u), and how many changed (all but the one edge (u, m))."""
    u, v, starts = _by_node(np.asarray(u, np.int64), np.asarray(v, np.int64))
    if not len(u):
        return u, v, 0
    m = np.minimum.reduceat(v, starts)
    group = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(u)]))
    mu = m[group]
    rest = v != mu  # smaller neighbours other than the minimum move to it
    xs = np.concatenate([u[starts], v[rest]])
    ms = np.concatenate([m, mu[rest]])
    return xs, ms, int(np.count_nonzero(rest))


def labels_from_stars(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Component labels from converged star edges (leaf, centre): -1 for untouched nodes."""
    labels = np.full(n, -1, np.int64)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    labels[lo] = lo
    labels[hi] = lo
    return labels


def star_components(n: int, a: np.ndarray, b: np.ndarray, max_rounds: int = 200
                    ) -> np.ndarray:
    """In-process run of the same rounds (one partition): for tests and small graphs."""
    a, b = np.asarray(a, np.int64), np.asarray(b, np.int64)
    for _ in range(max_rounds):
        x, m, c1 = large_star(np.r_[a, b], np.r_[b, a])
        a, b, c2 = small_star(np.maximum(x, m), np.minimum(x, m))
        if c1 == 0 and c2 == 0:
            return labels_from_stars(n, a, b)
    raise RuntimeError(f"connected components did not converge in {max_rounds} rounds")


# Ray Data over partitions of the edge list: the same functions, one call a partition.

def _changed_column(c: int, rows: int) -> np.ndarray:
    col = np.zeros(rows, np.int64)
    if rows:
        col[0] = c
    return col


def _large_partition(batch: dict) -> dict:
    x, m, c = large_star(batch["u"], batch["v"])
    return {"a": x, "b": m, "changed": _changed_column(c, len(x))}


def _small_partition(batch: dict) -> dict:
    x, m, c = small_star(batch["u"], batch["v"])
    return {"a": x, "b": m, "changed": _changed_column(c, len(x))}


def _both_directions(batch: dict, parts: int) -> dict:
    u = np.r_[batch["a"], batch["b"]].astype(np.int64)
    v = np.r_[batch["b"], batch["a"]].astype(np.int64)
    return {"part": u % parts, "u": u, "v": v}


def _from_larger_end(batch: dict, parts: int) -> dict:
    u = np.maximum(batch["a"], batch["b"]).astype(np.int64)
    return {"part": u % parts, "u": u,
            "v": np.minimum(batch["a"], batch["b"]).astype(np.int64)}


def ray_components(edges, n: int, parts: int, max_rounds: int = 200
                   ) -> tuple[np.ndarray, int]:
    """Component labels of a Ray dataset of edges (columns a, b): large-star and small-star
    rounds, each one shuffle (`groupby(node % parts)`), until neither changes an edge.
    Gathered on the driver: two change counts a round, then one label per article
    (8 bytes each). Returns (labels, rounds)."""
    for rounds in range(1, max_rounds + 1):
        large = (edges.map_batches(_both_directions, batch_format="numpy",
                                   fn_kwargs={"parts": parts})
                 .groupby("part", num_partitions=parts)
                 .map_groups(_large_partition, batch_format="numpy")).materialize()
        small = (large.map_batches(_from_larger_end, batch_format="numpy",
                                   fn_kwargs={"parts": parts})
                 .groupby("part", num_partitions=parts)
                 .map_groups(_small_partition, batch_format="numpy")).materialize()
        changed = (large.sum("changed") or 0) + (small.sum("changed") or 0)
        edges = small.select_columns(["a", "b"])
        if not changed:
            labels = np.full(n, -1, np.int64)
            for batch in edges.iter_batches(batch_format="numpy"):
                part = labels_from_stars(n, batch["a"], batch["b"])
                labels = np.where(part >= 0, part, labels)
            return labels, rounds
    raise RuntimeError(f"connected components did not converge in {max_rounds} rounds")
