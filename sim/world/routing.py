"""Breadth-first fields over the road graph: supply lines and routes to objectives."""

from __future__ import annotations

from collections import deque

import numpy as np


def bfs_field(
    neighbours: list[list[int]], sources: np.ndarray, passable: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Hops from the nearest source through passable nodes, and the next hop toward it.

    Sources count as reached whatever `passable` says; unreachable nodes get
    distance -1 and next hop -1.
    """
    n = len(neighbours)
    d = [-1] * n
    nexthop = [-1] * n
    queue = deque(np.flatnonzero(sources).tolist())
    for s in queue:
        d[s] = 0
        nexthop[s] = s
    ok = passable.tolist()
    while queue:
        u = queue.popleft()
        du = d[u] + 1
        for v in neighbours[u]:
            if d[v] < 0 and ok[v]:
                d[v] = du
                nexthop[v] = u
                queue.append(v)
    return np.asarray(d, dtype=np.int64), np.asarray(nexthop, dtype=np.int64)
