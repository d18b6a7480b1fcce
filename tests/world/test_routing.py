"""bfs_field on a hand-made graph, distances and next hops worked out by hand.

0 - 1 - 2 - 3
    |       |
    4 ----- 5        6 (no road)
"""

import numpy as np

from sim.world.routing import bfs_field

EDGES = [(0, 1), (1, 2), (2, 3), (1, 4), (4, 5), (3, 5)]
N = 7


def _neighbours() -> list[list[int]]:
    nbrs: list[list[int]] = [[] for _ in range(N)]
    for a, b in EDGES:
        nbrs[a].append(b)
        nbrs[b].append(a)
    return nbrs


def _csr() -> tuple[np.ndarray, np.ndarray]:
    """The graph as bfs_field takes it, each node's roads in the order listed."""
    nbrs = _neighbours()
    indptr = np.cumsum([0] + [len(x) for x in nbrs])
    return indptr, np.array([v for x in nbrs for v in x], dtype=np.int64)


def _mask(*nodes: int) -> np.ndarray:
    out = np.zeros(N, dtype=bool)
    out[list(nodes)] = True
    return out


ALL = np.ones(N, dtype=bool)


def _steps_toward_a_source(nbrs, sources, d, nexthop) -> bool:
    """Every reached node that is not a source hops to a neighbour one step closer."""
    return all(
        nexthop[v] in nbrs[v] and d[nexthop[v]] == d[v] - 1 for v in range(N) if d[v] > 0 and not sources[v]
    )


def test_hops_and_next_hop_toward_one_source():
    """Each node's next hop is one step closer to the source; a node with no road is unreachable."""
    d, nexthop = bfs_field(*_csr(), _mask(0), ALL)
    assert d.tolist() == [0, 1, 2, 3, 2, 3, -1]
    assert nexthop.tolist() == [0, 0, 1, 2, 1, 4, -1]
    assert _steps_toward_a_source(_neighbours(), _mask(0), d, nexthop)
    assert d.dtype == np.int64 and nexthop.dtype == np.int64


def test_nearest_of_several_sources():
    """Distance is to the nearest source; a source is its own next hop."""
    sources = _mask(0, 3)
    d, nexthop = bfs_field(*_csr(), sources, ALL)
    assert d.tolist() == [0, 1, 1, 0, 2, 1, -1]
    hops = nexthop.tolist()
    assert hops[:4] + hops[5:] == [0, 0, 3, 3, 3, -1]
    assert hops[4] in (1, 5)  # two hops from either source: a tie
    assert _steps_toward_a_source(_neighbours(), sources, d, nexthop)


def test_impassable_nodes_are_routed_around():
    """With 2 closed, 3 is reached the long way (0-1-4-5-3); 2 itself is never entered."""
    passable = ALL.copy()
    passable[2] = False
    d, nexthop = bfs_field(*_csr(), _mask(0), passable)
    assert d.tolist() == [0, 1, -1, 4, 2, 3, -1]
    assert nexthop.tolist() == [0, 0, -1, 5, 1, 4, -1]


def test_an_impassable_source_still_counts_and_spreads():
    """A besieged source (not passable) is still reached at 0 and feeds its neighbours."""
    passable = ALL.copy()
    passable[0] = False
    d, nexthop = bfs_field(*_csr(), _mask(0), passable)
    assert d.tolist() == [0, 1, 2, 3, 2, 3, -1]
    assert nexthop.tolist() == [0, 0, 1, 2, 1, 4, -1]


def test_a_source_cut_off_by_impassable_neighbours_reaches_nothing_else():
    d, nexthop = bfs_field(*_csr(), _mask(0), _mask(2, 3, 4, 5, 6))
    assert d.tolist() == [0, -1, -1, -1, -1, -1, -1]
    assert nexthop.tolist() == [0, -1, -1, -1, -1, -1, -1]


def test_no_source_reaches_nothing():
    d, nexthop = bfs_field(*_csr(), np.zeros(N, dtype=bool), ALL)
    assert (d == -1).all() and (nexthop == -1).all()
