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
from sim.model.situation import Situation, Units
from sim.model.strength import Powers
from sim.world.factions import SIDE


class Engagements(NamedTuple):
    fight: Fight
    toll: Toll
    outposts: OutpostLosses


class Strengths(NamedTuple):
    """The strengths the day is fought with (`strength._tally`'s; see `Powers`)."""

    J_raw: np.ndarray
    J_attack: np.ndarray
    Rf_raw: np.ndarray
    R_raw: np.ndarray
    junta: np.ndarray
    rebel: np.ndarray
    J: np.ndarray
    R: np.ndarray
    R_attack: np.ndarray
    d_junta: np.ndarray
    d_rebel: np.ndarray


class Ground(NamedTuple):
    """What the engagements read of the townships and the day."""

    side: np.ndarray  # side of each faction index
    holder: np.ndarray
    supplied: np.ndarray
    outposts: np.ndarray
    engaged_days: np.ndarray
    captured_day: np.ndarray
    area: np.ndarray
    day: int


class AirWar(NamedTuple):
    """The day's air doctrine and sorties (`air.doctrine`, `air.sorties_per_day`)."""

    preemptive: bool
    opening_days: int
    attack_weight: float
    opening_weight: float
    delay_days: int
    reprisal_days: int
    sorties_per_day: float
    support_table: np.ndarray
    effect: float
    saturation: float


class CombatRules(NamedTuple):
    """The rule numbers of the fighting (`[model]`), and the day's values derived from them."""

    harassment: float
    coordination: float  # coordination_bonus x the resistance's coordination
    guerrilla_density: float
    lethality: float
    air_kill: float
    morale_shock: float
    morale_pressure: float
    command: float  # the junta's morale loss from command: morale_loss_base - leadership
    isolation_morale: float
    air_morale: float
    morale_recovery: float
    junta_morale: float
    rebel_morale: float
    morale_break: float
    ammo_use: float
    outpost_fall_rate: float


def engage(s: Situation, P: Powers, rng: np.random.Generator) -> Engagements:
    """Today's fighting everywhere, given who stands where and how strong (`strength.powers`):
    where the sides meet and where the sorties go (`combat`, `air`), the casualties (Poisson),
    what they do to each unit (`combat.toll`) and the outposts that fall (`outcomes`)."""
    strengths = Strengths(
        P.J_raw, P.J_attack, P.Rf_raw, P.R_raw, P.junta, P.rebel, P.J, P.R, P.R_attack, P.d_junta, P.d_rebel
    )
    town, flags, per_unit, broken, counts, hit, lost = _engage(
        generator_ref(rng), strengths, *engage_inputs(s)
    )
    return Engagements(
        fight_of(town, flags),
        Toll(per_unit[0], per_unit[1], broken, counts[:2], counts[2:]),
        OutpostLosses(hit[0], lost, hit[1]),
    )


def engage_inputs(s: Situation) -> tuple[Units, Ground, AirWar, CombatRules]:
    """What `_engage` reads of the day besides the strengths, as its records (also for a kernel
    that calls it)."""
    mp, jp, r = s.p.model, s.p.junta, s.p.resistance
    ground = Ground(
        SIDE, s.holder, s.supplied, s.outposts, s.engaged_days, s.captured_day, s.geo.area, int(s.day)
    )
    preemptive, opening_days, attack_weight, opening_weight, delay_days, reprisal_days = doctrine(s)
    air = AirWar(
        bool(preemptive), int(opening_days), float(attack_weight), float(opening_weight), int(delay_days),
        int(reprisal_days), float(sorties_per_day(s)), support_table(mp.air_effect, mp.air_saturation),
        float(mp.air_effect), float(mp.air_saturation),
    )  # fmt: skip
    rules = CombatRules(
        *(float(x) for x in (
            mp.harassment, mp.coordination_bonus * r.coordination, mp.guerrilla_density, mp.lethality,
            mp.air_kill, mp.morale_shock, mp.morale_pressure, mp.leadership.morale_loss_base - jp.leadership,
            mp.isolation_morale, mp.air_morale, mp.morale_recovery, jp.morale, r.morale, mp.morale_break,
            mp.ammo_use, mp.outpost_fall_rate,
        ))
    )  # fmt: skip
    return s.units, ground, air, rules


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
    weight = air_weights(
        assault, holder, g.side, g.engaged_days, g.captured_day, g.day, R_raw, a.preemptive, a.opening_days,
        a.attack_weight, a.opening_weight, a.delay_days, a.reprisal_days,
    )  # fmt: skip
    air = sorties(rng, weight, a.sorties_per_day)
    for t in range(n):
        if R_raw[t] <= 0:  # no fighters left to strike
            air[t] = 0.0
    support = air_support_of(a.support_table, a.effect, a.saturation, air)
    town[0], town[1] = intensity, air
    town[2:] = exchange(
        S.J, S.R, Rf_raw, holder, g.side, S.d_junta, S.d_rebel, support, r.coordination, R_raw, S.J_attack,
        S.R_attack, g.area, intensity, air, r.guerrilla_density, r.lethality, r.air_kill,
    )  # fmt: skip
    rate_j, rate_r = town[4].copy(), town[5].copy()
    for t in range(n):  # all the junta's casualties, then the resistance's, as numpy draws them
        town[4, t] = min(float(poisson(rng, rate_j[t])), J_raw[t])
    for t in range(n):
        town[5, t] = min(float(poisson(rng, rate_r[t])), R_raw[t])
    pj, pr, cas_j, cas_r = town[2], town[3], town[4], town[5]

    per_unit, broken, counts = toll(
        S.junta, S.rebel, u.faction, u.node, u.strength, u.morale, u.busy, u.alive, g.side, J_raw, R_raw,
        g.supplied, assault, air, pj, pr, cas_j, cas_r, r.morale_shock, r.morale_pressure, r.command,
        r.isolation_morale, r.air_morale, r.morale_recovery, r.junta_morale, r.rebel_morale, r.morale_break,
        Rf_raw, intensity, r.ammo_use,
    )  # fmt: skip
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
