"""The junta's air war: where the day's sorties go, by doctrine, and what they add to its
strength in an engagement (bounded: air support saturates) [DW-2025: the air force now used
at the start of an engagement; AP-2023]."""

from __future__ import annotations

import numpy as np

from sim.jit import njit
from sim.model.situation import Situation
from sim.model.strength import Powers
from sim.world.factions import SIDE


def air_strikes(s: Situation, P: Powers, assault: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Air strikes of the day by town, by doctrine (`air_weights`)."""
    weight = air_weights(
        assault, s.holder, SIDE, s.engaged_days, s.captured_day, s.day, P.R_raw, *doctrine(s)
    )
    return strikes(s, weight, rng)


def doctrine(s: Situation) -> tuple[bool, int, float, float, int, int]:
    """The air doctrine's settings, in the order `air_weights` takes them."""
    mp, air = s.p.model, s.p.model.air
    return (
        s.p.junta.air_doctrine == "preemptive", air.opening_days, air.attack_weight, air.opening_weight,
        mp.air_delay_days, air.reprisal_days,
    )  # fmt: skip


def strikes(s: Situation, weight: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Today's sorties (Poisson, fewer in the rains), spread over the towns by `weight`."""
    jp = s.p.junta
    k = rng.poisson(jp.air_strikes_per_day * (s.p.model.season.air if s.monsoon else 1.0))
    if k == 0:
        return np.zeros(s.geo.n)
    total = weight.sum()
    if total <= 0:
        return np.zeros(s.geo.n)
    return rng.multinomial(k, weight / total).astype(float)


@njit
def air_weights(
    assault, holder, side, engaged_days, captured_day, day, R_raw, preemptive, opening_days, attack_weight,
    opening_weight, delay_days, reprisal_days,
):  # fmt: skip
    """Each town's weight as an air target, by doctrine, more where more fighters stand.

    Pre-emptive: at every assault from its first day, and where the junta attacks.
    Reactive: only after `air_delay_days` of a siege, and as reprisal on towns
    recently lost [DW-2025: air force now used at the start of an engagement].
    """
    weight = np.empty(len(holder))
    for t in range(len(holder)):
        if preemptive:
            junta_attacks = assault[t] and side[holder[t]] == 1
            opening = assault[t] and engaged_days[t] < opening_days
            w = (1.0 * assault[t] + attack_weight * junta_attacks) + opening_weight * opening
        else:
            sieged = assault[t] and holder[t] == 0 and engaged_days[t] >= delay_days
            reprisal = side[holder[t]] == 1 and day - captured_day[t] <= reprisal_days
            w = 1.0 * sieged + 1.0 * reprisal
        weight[t] = w * (1 + R_raw[t])
    return weight


def air_support(s: Situation, air: np.ndarray) -> np.ndarray:
    """The junta's strength multiplier from today's air strikes, per town (1 where none)."""
    if not air.any():
        return np.ones(len(air))
    mp = s.p.model
    return 1 + mp.air_effect * (1 - np.exp(-air / mp.air_saturation))
