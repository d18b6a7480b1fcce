"""A day's engagements in one compiled call: contact, sorties, the exchange of fire, the toll
on every unit and the outposts that fall.

The rules are the ones in `combat.py`, `air.py` and `outcomes.py`; this module only runs
them in one pass, on the strengths `strength.powers` reckoned, with the day's random draws
taken inside the kernel from the model's own generator (handed over by reference,
`jit.generator_ref`), in the order and with the algorithms numpy uses (`draws.py`), so a
replicate's numbers are the same as when each rule was its own call. What the fighting
decides next (broken units, captures, flight) needs the model's agents and stays outside.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.jit import generator_ref, njit
from sim.model.air import AirWar, air_support_of, air_war, air_weights, sorties
from sim.model.combat import Fight, Toll, contact, exchange, toll
from sim.model.draws import poisson
from sim.model.outcomes import OutpostLosses, outposts_hit
from sim.model.records import CombatRules, combat_rules, strengths
from sim.model.situation import Ground, Situation, Units, ground
from sim.model.strength import Powers


class Engagements(NamedTuple):
    fight: Fight
    toll: Toll
    outposts: OutpostLosses


def engage(s: Situation, P: Powers, rng: np.random.Generator) -> Engagements:
    """Today's fighting everywhere, given who stands where and how strong (`strength.powers`):
    where the sides meet and where the sorties go (`combat`, `air`), the casualties (Poisson),
    what they do to each unit (`combat.toll`) and the outposts that fall (`outcomes`)."""
    town, flags, per_unit, broken, counts, hit, lost = _engage(
        generator_ref(rng), strengths(P), *engage_inputs(s)
    )
    return Engagements(
        fight_of(town, flags),
        Toll(per_unit[0], per_unit[1], broken, counts[:2], counts[2:]),
        OutpostLosses(hit[0], lost, hit[1]),
    )


def engage_inputs(s: Situation) -> tuple[Units, Ground, AirWar, CombatRules]:
    """What `_engage` reads of the day besides the strengths, as its records (also for a kernel
    that calls it)."""
    return s.units, ground(s), air_war(s), combat_rules(s)


def fight_of(town: np.ndarray, flags: np.ndarray) -> Fight:
    """The `Fight` of `_engage`'s packed rows per town and contact flags."""
    intensity, air, pj, pr, cas_j, cas_r = town
    return Fight(flags[0], flags[1], intensity, air, pj, pr, cas_j, cas_r)


@njit
def _engage(draws, strengths, units, ground, air_war, rules):
    """The pass `engage` describes, on its records (`Strengths`, `situation.Units`, `Ground`,
    `AirWar`, `CombatRules`). Returned packed: per town intensity, air strikes, fighting power
    and casualties (junta, resistance); per town the contact flags; per unit the losses and
    morale; the broken units; the dead and the ammunition; the outposts hit (towns, captor)
    and lost."""
    S, u, g, a, r = strengths, units, ground, air_war, rules
    J_raw, R_raw, Rf_raw, holder = S.J_raw, S.R_raw, S.Rf_raw, g.holder
    rng = draws.rng
    n = len(holder)
    town = np.empty((6, n))
    engaged, assault, intensity = contact(J_raw, R_raw, S.J_attack, S.R_attack, holder, r.harassment)
    weight = air_weights(assault, g, a, R_raw)
    air = sorties(rng, weight, a.sorties_per_day)
    for t in range(n):
        if R_raw[t] <= 0:  # no fighters left to strike
            air[t] = 0.0
    support = air_support_of(a.support_table, a.effect, a.saturation, air)
    town[0], town[1] = intensity, air
    town[2:] = exchange(S, g, r, support, intensity, air)
    rate_j, rate_r = town[4].copy(), town[5].copy()
    for t in range(n):  # all the junta's casualties, then the resistance's, as numpy draws them
        town[4, t] = min(float(poisson(rng, rate_j[t])), J_raw[t])
    for t in range(n):
        town[5, t] = min(float(poisson(rng, rate_r[t])), R_raw[t])
    pj, pr, cas_j, cas_r = town[2], town[3], town[4], town[5]

    per_unit, broken, counts = toll(S, u, g, r, assault, intensity, air, pj, pr, cas_j, cas_r)
    towns, standing, p, taken_by = outposts_hit(
        assault, holder, g.outposts, pr, pj, Rf_raw, r.outpost_fall_rate
    )
    lost = np.empty(len(towns))
    for k in range(len(towns)):
        lost[k] = rng.binomial(standing[k], p[k])
    hit = np.empty((2, len(towns)), dtype=np.int64)
    hit[0], hit[1] = towns, taken_by
    flags = np.empty((2, n), dtype=np.bool_)
    flags[0], flags[1] = engaged, assault
    return town, flags, per_unit, broken, counts, hit, lost
