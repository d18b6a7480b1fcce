"""The junta command's plan: its objectives and a route field toward them.

Every few days (`agents.JuntaCommand.plan_every`: better command plans more often) the
command defends the towns under assault and, in the area of each regional command on the
offensive, picks the most valuable weakly held resistance towns next to its own, with less
noise in the choice the better it is led [DW-2025]; its mobile formations then follow the
field (`tactics.junta_orders`), reserves crossing into a neighbouring command's area where
its targets are nearer.
A pure function of a `Situation`, like the orders' kernels.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.jit import njit
from sim.model.situation import JuntaPlan, Situation, Units, plain
from sim.model.strength import powers
from sim.model.units import MOBILE
from sim.world.factions import SIDE
from sim.world.routing import bfs_field


def junta_plan(s: Situation, rng: np.random.Generator) -> JuntaPlan:
    """The command's plan: defend towns under assault; in each attacking command's area,
    pick the most valuable weakly held resistance towns; then a route field from every
    junta town."""
    P = powers(s)
    jp, mp = s.p.junta, s.p.model
    indptr, nbr, _ = s.geo.csr
    chosen = np.empty(0, dtype=np.int64)
    if s.junta_attacking.any():
        of = s.geo.commands.of
        fronts = Fronts(
            indptr, nbr, s.holder, SIDE, s.cease, s.value_junta, P.R * P.d_rebel, of, s.junta_attacking,
            float(mp.tactics.target_defence_offset), float(mp.tactics.formations_per_target),
        )  # fmt: skip
        cand, worth, k = _candidates(plain((fronts, s.units)))
        if len(cand):
            noise = np.exp(rng.normal(0.0, mp.leadership.target_noise * (1.0 - jp.leadership), len(cand)))
            ranked = cand[np.argsort(-(worth * noise), kind="stable")]
            rank = _rank_within(of[ranked], len(k))
            chosen = ranked[rank < k[of[ranked]]]
    return JuntaPlan(*_route_field(indptr, nbr, s.holder, P.R_attack, chosen))


class Fronts(NamedTuple):
    """What the command reads to pick its objectives: the roads, who holds what, what each
    township is worth to it and how well it is defended, and which commands attack."""

    indptr: np.ndarray
    nbr: np.ndarray
    holder: np.ndarray
    side: np.ndarray  # side of each faction index
    cease: np.ndarray
    value: np.ndarray  # worth of each township to the junta
    defence: np.ndarray  # the resistance's strength there times its defence multiplier
    of: np.ndarray  # regional command of each township
    attacking: np.ndarray  # per township: its command is on the offensive
    offset: float  # tactics.target_defence_offset
    per_target: float  # tactics.formations_per_target


@njit
def _candidates(records):
    """Resistance towns in an attacking command's area next to a junta town, their holder
    not in a ceasefire; what each is worth (its value over the square root of its defence,
    plus `offset`); and how many each command picks: one per `per_target` of the mobile
    formations in its area, at least one. Reads the records `Fronts` and `situation.Units`."""
    f, units = Fronts(*records[0]), Units(*records[1])
    indptr, nbr, holder, side, cease, of, attacking = (
        f.indptr,
        f.nbr,
        f.holder,
        f.side,
        f.cease,
        f.of,
        f.attacking,
    )
    n = len(holder)
    near = np.zeros(n, dtype=np.bool_)
    for t in range(n):
        if attacking[t] and side[holder[t]] == 1 and not cease[holder[t]]:
            for e in range(indptr[t], indptr[t + 1]):
                if holder[nbr[e]] == 0:
                    near[t] = True
                    break
    cand = np.flatnonzero(near)
    worth = np.empty(len(cand))
    for k in range(len(cand)):
        t = cand[k]
        worth[k] = f.value[t] / np.sqrt(f.defence[t] + f.offset)
    mobile = np.zeros(of.max() + 1)
    for i in range(len(units.kind)):
        if units.alive[i] and units.kind[i] == MOBILE:
            mobile[of[units.node[i]]] += 1
    return cand, worth, np.maximum(1, mobile // f.per_target).astype(np.int64)


@njit
def _rank_within(group, n_groups):
    """Each item's rank among the items of its group, in the given order."""
    seen = np.zeros(n_groups, dtype=np.int64)
    rank = np.empty(len(group), dtype=np.int64)
    for i in range(len(group)):
        rank[i] = seen[group[i]]
        seen[group[i]] += 1
    return rank


@njit
def _route_field(indptr, nbr, holder, R_attack, chosen):
    """The targets as a mask, and the route field (hops, next hop) from every junta town
    toward the nearest junta town under assault or next to a target."""
    n = len(holder)
    targets = np.zeros(n, dtype=np.bool_)
    targets[chosen] = True
    held = holder == 0
    sources = np.zeros(n, dtype=np.bool_)
    for t in range(n):
        if held[t]:
            sources[t] = R_attack[t] > 0
            for e in range(indptr[t], indptr[t + 1]):
                sources[t] = sources[t] or targets[nbr[e]]
    dist, nexthop = bfs_field(indptr, nbr, sources, held)
    return targets, dist, nexthop
