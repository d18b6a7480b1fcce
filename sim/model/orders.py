"""Orders a deciding agent returns, and the compiled helpers its decision kernel uses.

A kernel works on its own copy of where units stand and what they do, so later
choices in the same kernel see earlier ones; the model then carries out the
moves in the order given and the mode changes.
"""

from __future__ import annotations

import numpy as np

from sim.jit import njit
from sim.model.situation import Situation
from sim.model.units import HOLD


class Orders:
    """Moves (units, destinations), in order, and each unit's mode after them."""

    def __init__(self, s: Situation) -> None:
        self.node = s.units.node.copy()
        self.mode = s.units.mode.copy()
        self.moves: list[tuple[np.ndarray, np.ndarray]] = []


@njit
def fall_back_moves(indptr, nbr, node, mode, idx, safe):
    """Units `idx` fall back to the first neighbouring town (roads in map order) that is
    `safe` (a mask of towns), in the kernel's own node and mode arrays; returns (moved,
    destinations, stuck)."""
    dest = np.full(len(idx), -1, dtype=np.int64)
    for k in range(len(idx)):
        town = node[idx[k]]
        for e in range(indptr[town], indptr[town + 1]):  # roads in map order
            if safe[nbr[e]]:
                dest[k] = nbr[e]
                break
    moved = dest >= 0
    go, to = idx[moved], dest[moved]
    for k in range(len(go)):
        node[go[k]] = to[k]
        mode[go[k]] = HOLD
    return go, to, idx[~moved]


@njit
def groups(keys, size):
    """Like np.unique(keys, return_index, return_inverse, return_counts) for small
    non-negative keys below `size`, in key order: (groups, first, group_of, count)."""
    count_all = np.zeros(size, dtype=np.int64)
    for k in keys:
        count_all[k] += 1
    found = np.flatnonzero(count_all)
    lut = np.full(size, -1, dtype=np.int64)
    first = np.full(len(found), -1, dtype=np.int64)
    for g in range(len(found)):
        lut[found[g]] = g
    group_of = np.empty(len(keys), dtype=np.int64)
    for p in range(len(keys)):
        g = lut[keys[p]]
        group_of[p] = g
        if first[g] < 0:
            first[g] = p
    return found, first, group_of, count_all[found]


@njit
def edges(indptr, nbr, nodes):
    """For each entry of `nodes`, its roads in map order: (owner position, neighbour)."""
    total = 0
    for g in range(len(nodes)):
        total += indptr[nodes[g] + 1] - indptr[nodes[g]]
    owner = np.empty(total, dtype=np.int64)
    v = np.empty(total, dtype=np.int64)
    k = 0
    for g in range(len(nodes)):
        for e in range(indptr[nodes[g]], indptr[nodes[g] + 1]):
            owner[k] = g
            v[k] = nbr[e]
            k += 1
    return owner, v
