"""The junta's regional military commands: the township each has its headquarters in, and
the command each township belongs to (sim/data/commands.csv, with its sources).

A township belongs to the command that names it, else to the command that covers its state
(Shan: its part); where two commands share a part (southern Shan: the Eastern and the
Eastern Central Command), to the one whose headquarters is nearer by road.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra

from sim.jit import njit


@dataclass(frozen=True, eq=False)
class Commands:
    """The regional commands, by index: their codes, names and headquarters' townships, and
    `of`, the command of each township."""

    codes: tuple[str, ...]
    names: tuple[str, ...]
    hq: np.ndarray  # township index of each command's headquarters
    of: np.ndarray  # command index of each township

    @property
    def n(self) -> int:
        return len(self.codes)

    def sums(self, values: np.ndarray) -> np.ndarray:
        """Per command, the sum of a row of `values` (one per township) over its townships,
        added in township order as `np.bincount` adds (so both give the same numbers); rows
        of a 2-D array are summed each."""
        rows = np.atleast_2d(values)
        out = _sums(np.ascontiguousarray(rows, dtype=np.float64), self.of, self.n)
        return out if values.ndim == 2 else out[0]


@njit
def _sums(rows, of, n):
    out = np.zeros((rows.shape[0], n))
    for r in range(rows.shape[0]):
        for t in range(rows.shape[1]):
            out[r, of[t]] += rows[r, t]
    return out


def assign_commands(
    rows: list[dict[str, str]], parts: list[str], lookup: dict[str, int], edges: tuple[np.ndarray, ...]
) -> Commands:
    """Commands from the rows of commands.csv (`covers`: states, Shan's parts, or townships
    by name), the part of each township, the townships' names and the road links (a, b, km)."""
    a, b, km = edges
    n = len(parts)
    hq = np.array([_township(lookup, r["hq"], r["code"]) for r in rows], dtype=np.int64)
    roads = coo_matrix((np.concatenate([km, km]), (np.concatenate([a, b]), np.concatenate([b, a]))), (n, n))
    distance = dijkstra(roads.tocsr(), indices=hq)  # km by road from each headquarters
    covers = [{c.strip() for c in r["covers"].split(";")} for r in rows]
    named = {  # the entries that are no state or part name townships
        lookup.get(c.casefold()): k for k, cover in enumerate(covers) for c in cover if c not in set(parts)
    }
    if None in named:
        code = rows[named[None]]["code"]
        raise ValueError(f"commands.csv: {code}: covers a name that is no state or township")
    of = np.empty(n, dtype=np.int64)
    for t, part in enumerate(parts):
        if t in named:
            of[t] = named[t]
            continue
        mine = [c for c, cover in enumerate(covers) if part in cover]
        if not mine:
            raise ValueError(f"commands.csv: no command covers {part!r}")
        of[t] = min(mine, key=lambda c: (distance[c, t], c))
    return Commands(tuple(r["code"] for r in rows), tuple(r["name"] for r in rows), hq, of)


def _township(lookup: dict[str, int], name: str, code: str) -> int:
    k = lookup.get(name.strip().casefold())
    if k is None:
        raise ValueError(f"commands.csv: {code}: headquarters {name!r} is no township")
    return k
