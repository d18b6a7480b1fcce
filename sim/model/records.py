"""The records the compiled kernels of the fighting take their inputs in, by name: the day's
strengths and the fighting's rule numbers (the unit table's is `situation.Units`, the
townships' `situation.Ground`, the air war's `air.AirWar`). Each is built once a day from the
model's `Situation` (the builders below); a kernel reads `rules.lethality`, not its 40th
argument.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.jit import njit
from sim.model.air import AirWar
from sim.model.situation import Ground, Situation, Units, numbers
from sim.model.strength import Powers


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


def combat_rules(s: Situation) -> CombatRules:
    mp, jp, r = s.p.model, s.p.junta, s.p.resistance
    return numbers(
        CombatRules, mp.harassment, mp.coordination_bonus * r.coordination, mp.guerrilla_density,
        mp.lethality, mp.air_kill, mp.morale_shock, mp.morale_pressure,
        mp.leadership.morale_loss_base - jp.leadership, mp.isolation_morale, mp.air_morale,
        mp.morale_recovery, jp.morale, r.morale, mp.morale_break, mp.ammo_use, mp.outpost_fall_rate,
    )  # fmt: skip


@njit
def named_engagement(e):
    """`engagement.engage_inputs`' records named again, from the plain tuples a compiled caller
    was handed (`plain`)."""
    return Units(*e[0]), Ground(*e[1]), AirWar(*e[2]), CombatRules(*e[3])
