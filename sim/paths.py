"""Breadth-first fields over the road graph: supply lines and routes to objectives."""

from __future__ import annotations

from collections import deque

import numpy as np


def bfs_field(
    neighbours: tuple[np.ndarray, ...], sources: np.ndarray, passable: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Hops from the nearest source through passable nodes, and the next hop toward it.

    Sources count as reached whatever `passable` says; unreachable nodes get
    distance -1 and next hop -1.
    """
    n = len(neighbours)
    dist = np.full(n, -1, dtype=np.int64)
    nexthop = np.full(n, -1, dtype=np.int64)
    queue = deque()
    for s in np.flatnonzero(sources):
        dist[s] = 0
        nexthop[s] = s
        queue.append(s)
    ok = passable.tolist()
    d = dist.tolist()
    while queue:
        u = queue.popleft()
        for v in neighbours[u].tolist():
            if d[v] < 0 and ok[v]:
                d[v] = d[u] + 1
                nexthop[v] = u
                queue.append(v)
    return np.asarray(d, dtype=np.int64), nexthop
