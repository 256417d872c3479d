"""Large-star / small-star (executors/components.py), the components the Ray executor
finds when the edges are too many for the driver, against scipy's union-find."""

import numpy as np
import pytest

from newstrace.executors.components import large_star, small_star, star_components
from newstrace.pipeline.steps import components


def same_partition(x: np.ndarray, y: np.ndarray) -> bool:
    if not np.array_equal(x >= 0, y >= 0):
        return False
    pairs = set(zip(x[x >= 0].tolist(), y[y >= 0].tolist()))
    return len(pairs) == len({p[0] for p in pairs}) == len({p[1] for p in pairs})


@pytest.mark.parametrize("seed", range(40))
def test_random_graphs_same_components_as_union_find(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 400))
    e = int(rng.integers(0, 2 * n))
    a, b = rng.integers(0, n, e), rng.integers(0, n, e)
    keep = a != b
    a, b = a[keep], b[keep]
    stars = star_components(n, a, b)
    assert same_partition(stars, components(n, a, b))
    # each component is labelled by its smallest article
    for lab in np.unique(stars[stars >= 0]):
        assert lab == np.flatnonzero(stars == lab).min()


def test_a_long_shuffled_chain_is_one_component() -> None:
    """A path is the slow case for label propagation; star rounds still converge."""
    n = 3000
    order = np.random.default_rng(1).permutation(n)
    labels = star_components(n, order[:-1], order[1:])
    assert set(labels.tolist()) == {0}


def test_one_round_by_hand() -> None:
    # path 3-1-2 and a lone edge 5-4: large-star links 1's larger neighbours to 1
    u = np.array([1, 3, 1, 2, 4, 5])
    v = np.array([3, 1, 2, 1, 5, 4])
    x, m, changed = large_star(u, v)
    assert sorted(zip(x.tolist(), m.tolist())) == [(2, 1), (3, 1), (5, 4)]
    assert changed == 0  # every node that has larger neighbours is its own minimum
    # small-star: node 3 with smaller neighbours {1, 2} moves 2 under 1
    x, m, changed = small_star(np.array([3, 3]), np.array([1, 2]))
    assert sorted(zip(x.tolist(), m.tolist())) == [(2, 1), (3, 1)]
    assert changed == 1
