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
from sim.model.air import air_support_of, air_weights, doctrine, sorties, sorties_per_day, support_table
from sim.model.combat import Fight, Toll, contact, exchange, toll
from sim.model.draws import poisson
from sim.model.outcomes import OutpostLosses, outposts_hit
from sim.model.situation import Situation
from sim.model.strength import Powers
from sim.world.factions import SIDE


class Engagements(NamedTuple):
    fight: Fight
    toll: Toll
    outposts: OutpostLosses


def engage(s: Situation, P: Powers, rng: np.random.Generator) -> Engagements:
    """Today's fighting everywhere, given who stands where and how strong (`strength.powers`):
    where the sides meet and where the sorties go (`combat`, `air`), the casualties (Poisson),
    what they do to each unit (`combat.toll`) and the outposts that fall (`outcomes`)."""
    town, flags, per_unit, broken, counts, hit, lost = _engage(
        generator_ref(rng), P.J_raw, P.J_attack, P.Rf_raw, P.R_raw, P.junta, P.rebel, P.J, P.R, P.R_attack,
        P.d_junta, P.d_rebel, *engage_inputs(s),
    )  # fmt: skip
    return Engagements(
        fight_of(town, flags),
        Toll(per_unit[0], per_unit[1], broken, counts[:2], counts[2:]),
        OutpostLosses(hit[0], lost, hit[1]),
    )


def engage_inputs(s: Situation) -> tuple:
    """What `_engage` reads of the day besides the strengths, in its order (also for a kernel
    that calls it)."""
    u, mp, jp = s.units, s.p.model, s.p.junta
    r = s.p.resistance
    return (
        u.faction, u.node, u.strength, u.morale, u.busy, u.alive, SIDE, s.holder, s.supplied, s.outposts,
        s.engaged_days, s.captured_day, s.geo.area, s.day, mp.harassment, *doctrine(s), sorties_per_day(s),
        support_table(mp.air_effect, mp.air_saturation), mp.air_effect, mp.air_saturation,
        mp.coordination_bonus * r.coordination, mp.guerrilla_density, mp.lethality, mp.air_kill,
        mp.morale_shock, mp.morale_pressure, mp.leadership.morale_loss_base - jp.leadership,
        mp.isolation_morale, mp.air_morale, mp.morale_recovery, jp.morale, r.morale, mp.morale_break,
        mp.ammo_use, mp.outpost_fall_rate,
    )  # fmt: skip


def fight_of(town: np.ndarray, flags: np.ndarray) -> Fight:
    """The `Fight` of `_engage`'s packed rows per town and contact flags."""
    intensity, air, pj, pr, cas_j, cas_r = town
    return Fight(flags[0], flags[1], intensity, air, pj, pr, cas_j, cas_r)


@njit
def _engage(
    draws, J_raw, J_attack, Rf_raw, R_raw, junta, rebel, J, R, R_attack, d_junta, d_rebel, faction, node,
    strength, morale, busy, alive, side, holder, supplied, outposts, engaged_days, captured_day, area, day,
    harassment, preemptive, opening_days, attack_weight, opening_weight, delay_days, reprisal_days,
    sorties_per_day, air_table, air_effect, air_saturation, coord, density, lethality, air_kill, shock,
    pressure, command, isolation, air_morale, recovery, junta_base, rebel_base, morale_break, ammo_use,
    fall_rate,
):  # fmt: skip
    """The pass `engage` describes. Returned packed: per town intensity, air strikes, fighting
    power and casualties (junta, resistance); per town the contact flags; per unit the losses and
    morale; the broken units; the dead and the ammunition; the outposts hit (towns, captor) and
    lost."""
    rng = draws.rng
    n = len(holder)
    town = np.empty((6, n))
    engaged, assault, intensity = contact(J_raw, R_raw, J_attack, R_attack, holder, harassment)
    weight = air_weights(
        assault, holder, side, engaged_days, captured_day, day, R_raw, preemptive, opening_days,
        attack_weight, opening_weight, delay_days, reprisal_days,
    )  # fmt: skip
    air = sorties(rng, weight, sorties_per_day)
    for t in range(n):
        if R_raw[t] <= 0:  # no fighters left to strike
            air[t] = 0.0
    support = air_support_of(air_table, air_effect, air_saturation, air)
    town[0], town[1] = intensity, air
    town[2:] = exchange(
        J, R, Rf_raw, holder, side, d_junta, d_rebel, support, coord, R_raw, J_attack, R_attack, area,
        intensity, air, density, lethality, air_kill,
    )  # fmt: skip
    rate_j, rate_r = town[4].copy(), town[5].copy()
    for t in range(n):  # all the junta's casualties, then the resistance's, as numpy draws them
        town[4, t] = min(float(poisson(rng, rate_j[t])), J_raw[t])
    for t in range(n):
        town[5, t] = min(float(poisson(rng, rate_r[t])), R_raw[t])
    pj, pr, cas_j, cas_r = town[2], town[3], town[4], town[5]

    per_unit, broken, counts = toll(
        junta, rebel, faction, node, strength, morale, busy, alive, side, J_raw, R_raw, supplied,
        assault, air, pj, pr, cas_j, cas_r, shock, pressure, command, isolation, air_morale, recovery,
        junta_base, rebel_base, morale_break, Rf_raw, intensity, ammo_use,
    )  # fmt: skip
    towns, standing, p, taken_by = outposts_hit(assault, holder, outposts, pr, pj, Rf_raw, fall_rate)
    lost = np.empty(len(towns))
    for k in range(len(towns)):
        lost[k] = rng.binomial(standing[k], p[k])
    hit = np.empty((2, len(towns)), dtype=np.int64)
    hit[0], hit[1] = towns, taken_by
    flags = np.empty((2, n), dtype=np.bool_)
    flags[0], flags[1] = engaged, assault
    return town, flags, per_unit, broken, counts, hit, lost
