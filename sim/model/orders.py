"""Orders a deciding agent returns, and small array helpers its decision kernel uses.

A kernel works on its own copy of where units stand and what they do, so later
choices in the same kernel see earlier ones; the model then carries out the
moves in the order given and the mode changes.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.model.situation import Situation
from sim.model.units import HOLD


class Orders:
    """Moves (units, destinations), in order, and each unit's mode after them."""

    def __init__(self, s: Situation) -> None:
        self.node = s.units.node.copy()
        self.mode = s.units.mode.copy()
        self.moves: list[tuple[np.ndarray, np.ndarray]] = []

    def move(self, idx: np.ndarray, dest: np.ndarray) -> None:
        if len(idx):
            self.moves.append((idx, dest))
            self.node[idx] = dest


def edges(s: Situation, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each entry of `nodes`, its neighbours: (owner position, neighbour)."""
    indptr, nbr, _ = s.geo.csr
    counts = indptr[nodes + 1] - indptr[nodes]
    owner = np.repeat(np.arange(len(nodes)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return owner, nbr[np.repeat(indptr[nodes], counts) + offsets]


def groups(keys: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Like np.unique(keys, return_index, return_inverse, return_counts) for small
    non-negative keys below `size`, without sorting: (groups, first, group_of, count)."""
    count_all = np.bincount(keys, minlength=size)
    found = np.flatnonzero(count_all)
    lut = np.empty(size, dtype=np.int64)
    lut[found] = np.arange(len(found))
    group_of = lut[keys]
    first = np.full(len(found), len(keys), dtype=np.int64)
    np.minimum.at(first, group_of, np.arange(len(keys)))
    return found, first, group_of, count_all[found]


def best(owner: np.ndarray, score: np.ndarray, ok: np.ndarray, n_owner: int) -> np.ndarray:
    """Per owner, the index of the highest-scoring ok entry, or -1."""
    out = np.full(n_owner, -1)
    idx = np.flatnonzero(ok)
    if len(idx) == 0:
        return out
    order = idx[np.lexsort((-score[idx], owner[idx]))]
    first = np.unique(owner[order], return_index=True)
    out[first[0]] = order[first[1]]
    return out


def fall_back(s: Situation, orders: Orders, idx: np.ndarray, safe: Callable[[int], bool]) -> np.ndarray:
    """Order units to the first neighbouring town where `safe(town)`; returns those with none."""
    dest = []
    for i in idx.tolist():
        back = [v for v in s.geo.neighbours[orders.node[i]] if safe(v)]
        dest.append(back[0] if back else -1)
    dest = np.array(dest, dtype=np.int64)
    go = idx[dest >= 0]
    orders.move(go, dest[dest >= 0])
    orders.mode[go] = HOLD
    return idx[dest < 0]
