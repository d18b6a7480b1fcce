"""The records the compiled kernels take their inputs in, by name: the day's strengths, the
townships' state, the air war and the fighting's rule numbers (the unit table's is
`situation.Units`). Each is built once a day from the model's `Situation` (the builders
below); a kernel reads `rules.lethality`, not its 40th argument.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.jit import njit
from sim.model.air import doctrine, sorties_per_day, support_table
from sim.model.situation import Situation, Units
from sim.model.strength import Powers
from sim.world.factions import SIDE


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


def strengths(P: Powers) -> Strengths:
    return Strengths(
        P.J_raw, P.J_attack, P.Rf_raw, P.R_raw, P.junta, P.rebel, P.J, P.R, P.R_attack, P.d_junta, P.d_rebel
    )


def ground(s: Situation) -> Ground:
    return Ground(
        SIDE, s.holder, s.supplied, s.outposts, s.engaged_days, s.captured_day, s.geo.area, int(s.day)
    )


def air_war(s: Situation) -> AirWar:
    mp = s.p.model
    preemptive, opening_days, attack_weight, opening_weight, delay_days, reprisal_days = doctrine(s)
    return AirWar(
        bool(preemptive), int(opening_days), float(attack_weight), float(opening_weight), int(delay_days),
        int(reprisal_days), float(sorties_per_day(s)), support_table(mp.air_effect, mp.air_saturation),
        float(mp.air_effect), float(mp.air_saturation),
    )  # fmt: skip


def combat_rules(s: Situation) -> CombatRules:
    mp, jp, r = s.p.model, s.p.junta, s.p.resistance
    return CombatRules(
        *(float(x) for x in (
            mp.harassment, mp.coordination_bonus * r.coordination, mp.guerrilla_density, mp.lethality,
            mp.air_kill, mp.morale_shock, mp.morale_pressure, mp.leadership.morale_loss_base - jp.leadership,
            mp.isolation_morale, mp.air_morale, mp.morale_recovery, jp.morale, r.morale, mp.morale_break,
            mp.ammo_use, mp.outpost_fall_rate,
        ))
    )  # fmt: skip


@njit
def named_engagement(e):
    """`engagement.engage_inputs`' records named again, from the plain tuples a compiled caller
    was handed (`plain`)."""
    return Units(*e[0]), Ground(*e[1]), AirWar(*e[2]), CombatRules(*e[3])


def plain(records: tuple) -> tuple:
    """Records as plain tuples, to hand to a compiled function: numba takes a plain tuple in
    about 0.5 µs, a named one in about 1.5 µs; the kernel names them again (`Ground(*g)`)."""
    return tuple(tuple(r) for r in records)
