"""The day's march as the model carries it out: the strengths, both sides' orders and
their moves, in one compiled call.

The orders are the decision kernels' (`tactics._resistance_orders`, `tactics._junta_orders`)
on the strengths `strength._tally` reckons, both decided before either is carried out, with
their draws in that order; this module only runs them in one pass and then writes what
they decided into the model's unit table: each move in the order given (days on the road
from where the unit stands, `Geography.march_days`), then each changed mode. One call
instead of five and the Python between them, about a tenth of a day.
"""

from __future__ import annotations

import numpy as np

from sim.jit import generator_ref, njit
from sim.model.order_records import Odds, named_orders
from sim.model.situation import Situation, plain
from sim.model.strength import _tally, named_tally, tally_inputs
from sim.model.tactics import _junta_orders, _resistance_orders, junta_inputs, resistance_inputs
from sim.world.geography import _march_days


def march(
    s: Situation, node: np.ndarray, busy: np.ndarray, mode: np.ndarray, pace: float, rng: np.random.Generator
) -> np.ndarray:
    """Decide and carry out today's moves of both sides into the unit table's live `node`,
    `busy` and `mode` columns (which `s.units` views), at `pace` km a day. Returns the moves
    in the order made: units (row 0) and destinations (row 1)."""
    indptr, nbr, km = s.geo.csr
    return _march(
        generator_ref(rng), node, busy, mode, plain(tally_inputs(s)), plain(resistance_inputs(s)),
        plain(junta_inputs(s)),
        indptr, nbr, km, pace,
    )  # fmt: skip


@njit
def _march(draws, node, busy, mode, tally, resistance, junta, indptr, nbr, km, pace):
    """`march`: the orders first, on copies (nothing written until both sides have decided)."""
    town, by_faction, _, junta_power = _tally(*named_tally(tally))
    J_attack, R_attack, J, R, J_def, R_def = town[1], town[3], town[4], town[5], town[6], town[7]
    odds = Odds(by_faction[1], R, R_attack, J, J_attack, J_def, R_def, town[8], junta_power)
    resistance, junta = named_orders(resistance, junta)
    before = mode.copy()  # each side decides on its own copy of where units stand and what they do
    node_r, mode_r = node.copy(), mode.copy()
    moves, fell_back, grouped = _resistance_orders(draws, node_r, mode_r, odds, *resistance)
    node_j, mode_j = node.copy(), mode.copy()
    withdrawn, ordered = _junta_orders(draws, node_j, mode_j, odds, *junta)
    # in turn: a unit may fall back, then flee on from where it fell back to; then the groups;
    # then the junta's withdrawals and its groups
    moved = np.empty((2, moves.shape[1] + grouped.shape[1] + withdrawn.shape[1] + ordered.shape[1]), np.int64)
    k = _carry_out(moves[:, :fell_back], 0, moved, node, busy, indptr, nbr, km, pace)
    k = _carry_out(moves[:, fell_back:], k, moved, node, busy, indptr, nbr, km, pace)
    k = _carry_out(grouped, k, moved, node, busy, indptr, nbr, km, pace)
    k = _carry_out(withdrawn, k, moved, node, busy, indptr, nbr, km, pace)
    _carry_out(ordered, k, moved, node, busy, indptr, nbr, km, pace)
    for changed in (mode_r, mode_j):
        for i in range(len(mode)):
            if changed[i] != before[i]:
                mode[i] = changed[i]
    return moved


@njit
def _carry_out(batch, k, moved, node, busy, indptr, nbr, km, pace):
    """Units batch[0] march to batch[1]: days on the road from where each stands, then there.
    Recorded in `moved` from column `k`; returns the next free column."""
    idx, dest = batch[0], batch[1]
    if len(idx) == 0:
        return k
    days = _march_days(indptr, nbr, km, node[idx], dest, pace)
    for p in range(len(idx)):
        busy[idx[p]] = days[p]
        node[idx[p]] = dest[p]
        moved[0, k + p], moved[1, k + p] = idx[p], dest[p]
    return k + len(idx)
