"""The junta's air war: where the day's sorties go, by doctrine, and what they add to its
strength in an engagement (bounded: air support saturates) [DW-2025: the air force now used
at the start of an engagement; AP-2023]."""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np

from sim.jit import njit
from sim.model.draws import multinomial, poisson
from sim.model.situation import Situation, frozen, ground
from sim.model.strength import Powers
from sim.model.sums import total


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


def air_war(s: Situation) -> AirWar:
    mp = s.p.model
    preemptive, opening_days, attack_weight, opening_weight, delay_days, reprisal_days = doctrine(s)
    return AirWar(
        bool(preemptive), int(opening_days), float(attack_weight), float(opening_weight), int(delay_days),
        int(reprisal_days), float(sorties_per_day(s)), support_table(mp.air_effect, mp.air_saturation),
        float(mp.air_effect), float(mp.air_saturation),
    )  # fmt: skip


def air_strikes(s: Situation, P: Powers, assault: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Air strikes of the day by town, by doctrine (`air_weights`)."""
    a = air_war(s)
    return sorties(rng, air_weights(assault, ground(s), a, P.R_raw), a.sorties_per_day)


def doctrine(s: Situation) -> tuple[bool, int, float, float, int, int]:
    """The air doctrine's settings, in the order `air_weights` takes them."""
    mp, air = s.p.model, s.p.model.air
    return (
        s.p.junta.air_doctrine == "preemptive", air.opening_days, air.attack_weight, air.opening_weight,
        mp.air_delay_days, air.reprisal_days,
    )  # fmt: skip


def sorties_per_day(s: Situation) -> float:
    """The mean of today's sorties: fewer in the rains."""
    return s.p.junta.air_strikes_per_day * (s.p.model.season.air if s.monsoon else 1.0)


@njit
def sorties(rng, weight, per_day):
    """A Poisson number of sorties (mean `per_day`), spread over the towns by `weight`."""
    k = poisson(rng, per_day)
    whole = total(weight) if k else 0.0
    if whole <= 0:
        return np.zeros(len(weight))
    return multinomial(rng, k, weight / whole)


@njit
def air_weights(assault, ground, air_war, R_raw):
    """Each town's weight as an air target, by doctrine, more where more fighters stand.

    Pre-emptive: at every assault from its first day, and where the junta attacks.
    Reactive: only after `air_delay_days` of a siege, and as reprisal on towns
    recently lost [DW-2025: air force now used at the start of an engagement].
    """
    g, a = ground, air_war
    holder, side = g.holder, g.side
    weight = np.empty(len(holder))
    for t in range(len(holder)):
        if a.preemptive:
            junta_attacks = assault[t] and side[holder[t]] == 1
            opening = assault[t] and g.engaged_days[t] < a.opening_days
            w = (1.0 * assault[t] + a.attack_weight * junta_attacks) + a.opening_weight * opening
        else:
            sieged = assault[t] and holder[t] == 0 and g.engaged_days[t] >= a.delay_days
            reprisal = side[holder[t]] == 1 and g.day - g.captured_day[t] <= a.reprisal_days
            w = 1.0 * sieged + 1.0 * reprisal
        weight[t] = w * (1 + R_raw[t])
    return weight


def air_support(s: Situation, air: np.ndarray) -> np.ndarray:
    """The junta's strength multiplier from today's air strikes, per town (1 where none)."""
    mp = s.p.model
    table = support_table(mp.air_effect, mp.air_saturation)
    return air_support_of(table, mp.air_effect, mp.air_saturation, air)


@njit
def air_support_of(table, effect, saturation, air):
    """`air_support` of the strikes `air` per town, from `support_table`."""
    out = np.empty(len(air))
    for t in range(len(air)):
        out[t] = support_of(table, effect, saturation, air[t])
    return out


_TABLE = 1024  # more sorties on one town in a day than any scenario's mean of at most 100 a day


@functools.lru_cache(maxsize=4)  # parameters may be drawn anew for each replicate
def support_table(effect: float, saturation: float) -> np.ndarray:
    """Air support for 0, 1, 2 ... strikes on one engagement: 1 + effect x (1 - exp(-strikes /
    saturation)), bounded by `effect`. Worked out by numpy once, so the kernels use numpy's
    exp to the last bit, whichever exp the compiled code would call."""
    return frozen(1 + effect * (1 - np.exp(-np.arange(_TABLE, dtype=float) / saturation)))


@njit
def support_of(table, effect, saturation, strikes):
    """The air support of `strikes` on one engagement: `support_table`'s value for a whole
    number of sorties, as a day's are; else worked out here."""
    k = int(strikes)
    if k == strikes and k < len(table):
        return table[k]
    return 1 + effect * (1 - np.exp(-strikes / saturation))
