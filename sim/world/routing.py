"""Breadth-first fields over the road graph: supply lines and routes to objectives."""

from __future__ import annotations

import numpy as np

from sim.jit import njit


@njit
def bfs_field(
    indptr: np.ndarray, nbr: np.ndarray, sources: np.ndarray, passable: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Hops from the nearest source through passable nodes, and the next hop toward it,
    on a graph in CSR form (`Geography.csr`: town i's roads lead to nbr[indptr[i]:indptr[i+1]]).

    Sources count as reached whatever `passable` says; unreachable nodes get
    distance -1 and next hop -1.
    """
    n = len(indptr) - 1
    d = np.full(n, -1, dtype=np.int64)
    nexthop = np.full(n, -1, dtype=np.int64)
    queue = np.empty(n, dtype=np.int64)  # each node enters at most once
    tail = 0
    for s in range(n):
        if sources[s]:
            d[s], nexthop[s] = 0, s
            queue[tail] = s
            tail += 1
    head = 0
    while head < tail:
        u = queue[head]
        head += 1
        for e in range(indptr[u], indptr[u + 1]):
            v = nbr[e]
            if d[v] < 0 and passable[v]:
                d[v], nexthop[v] = d[u] + 1, u
                queue[tail] = v
                tail += 1
    return d, nexthop
