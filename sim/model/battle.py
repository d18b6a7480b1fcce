"""The day's fighting as the model carries it out: the strengths, the engagements and their
toll on every unit and on the towns' outposts, in one compiled call.

The engagements are `engagement._engage`'s, on the strengths `strength._tally` reckons;
this module only runs the two in one pass and then writes what the fighting did into the
model's unit table (each unit's losses, the morale of the living) and into the outposts
standing, which no rule reads again before the model applies the rest (`ConflictModel.fight`:
the dead, the ammunition and arms, broken units, captures, flight). One call instead of two
and the numpy between them.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.jit import generator_ref, njit
from sim.model.combat import Fight
from sim.model.engagement import _engage, engage_inputs, fight_of
from sim.model.outcomes import OutpostLosses
from sim.model.records import Strengths, named_engagement
from sim.model.situation import Situation, plain
from sim.model.strength import Powers, _tally, named_tally, powers_of, tally_inputs


class Battle(NamedTuple):
    """What the day's fighting leaves for the model to apply."""

    powers: Powers  # the strengths it was fought with
    fight: Fight
    broken: np.ndarray  # live junta units in an assault whose morale broke (indices)
    killed: np.ndarray  # fighters killed today: junta, resistance
    ammo: np.ndarray  # ammunition (fighter-days) each faction spent today
    outposts: OutpostLosses


def battle(
    s: Situation, strength: np.ndarray, morale: np.ndarray, outposts: np.ndarray, rng: np.random.Generator
) -> Battle:
    """Fight today's engagements and write their toll into the unit table's live `strength`
    and `morale` columns and the towns' `outposts` (which `s` views)."""
    tally, by_faction, units, junta_power, town, flags, broken, counts, hit, lost = _battle(
        generator_ref(rng), strength, morale, outposts, plain(tally_inputs(s)), plain(engage_inputs(s))
    )
    return Battle(
        powers_of(tally, by_faction, units, junta_power, s.supplied),
        fight_of(town, flags),
        broken,
        counts[:2],
        counts[2:],
        OutpostLosses(hit[0], lost, hit[1]),
    )


@njit
def _battle(draws, strength, morale, outposts, tally, engagement):
    """`battle`: the engagements first, on the day's view; then their toll, written."""
    tally = named_tally(tally)
    t, by_faction, units, junta_power = _tally(*tally)
    strengths = Strengths(t[0], t[1], by_faction[0], t[2], units[0], units[1], t[4], t[5], t[3], t[8], t[9])
    town, flags, per_unit, broken, counts, hit, lost = _engage(
        draws, strengths, *named_engagement(engagement)
    )
    alive = tally[0].alive
    for i in range(len(strength)):
        strength[i] -= per_unit[0, i]
        if alive[i]:
            morale[i] = per_unit[1, i]
    for k in range(len(lost)):
        outposts[hit[0, k]] -= lost[k]
    return t, by_faction, units, junta_power, town, flags, broken, counts, hit, lost
