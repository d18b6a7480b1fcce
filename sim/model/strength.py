"""Who stands where, and how strong: raw and effective fighting strength per town.

Effective strength scales raw numbers by quality, morale, supply, drones and
(for the junta) command and Chinese materiel; defence multiplies the holder's
strength by terrain, fortification and naval guns [Lanchester 1916; AP-2023].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.situation import Situation
from sim.model.units import ATTACK, HOLD
from sim.world.factions import FACTIONS, SIDE


@dataclass(frozen=True)
class Presence:
    """Raw strengths per town (no multipliers): who is left standing where."""

    J_raw: np.ndarray  # junta fighters per town
    J_attack: np.ndarray  # junta fighters assaulting or clearing, per town
    Rf_raw: np.ndarray  # factions x towns
    R_raw: np.ndarray
    junta: np.ndarray  # mask of units: junta fighting where they stand
    rebel: np.ndarray  # mask of units: resistance fighting where they stand


@dataclass(frozen=True)
class Powers(Presence):
    """Presence plus effective strengths per town."""

    J: np.ndarray
    Rf: np.ndarray  # factions x towns
    R: np.ndarray
    R_attack: np.ndarray  # raw resistance fighters assaulting, per town
    supplied: np.ndarray


def fighters(s: Situation) -> tuple[np.ndarray, np.ndarray]:
    """Masks of junta and resistance units fighting where they stand today."""
    u = s.units
    alive = u.alive & (u.busy == 0)
    side = SIDE[u.faction]
    junta = alive & (side == 0)
    rebel = alive & (side == 1) & ~s.cease[u.faction] & ((u.mode != HOLD) | (SIDE[s.holder[u.node]] == 1))
    return junta, rebel


def presence(s: Situation) -> Presence:
    u = s.units
    junta, rebel = fighters(s)
    n_nodes, n_fac = s.geo.n, len(FACTIONS)
    attacking = junta & (u.mode == ATTACK)
    rf_raw = np.bincount(u.faction[rebel] * n_nodes + u.node[rebel], u.strength[rebel], n_fac * n_nodes)
    rf_raw = rf_raw.reshape(n_fac, n_nodes)
    return Presence(
        J_raw=np.bincount(u.node[junta], u.strength[junta], n_nodes),
        J_attack=np.bincount(u.node[attacking], u.strength[attacking], n_nodes),
        Rf_raw=rf_raw,
        R_raw=rf_raw.sum(0),
        junta=junta,
        rebel=rebel,
    )


def junta_multiplier(s: Situation) -> float:
    """Command, drones and Chinese materiel: what multiplies every junta unit's strength."""
    jp, mp = s.p.junta, s.p.model
    lp = mp.leadership
    command = lp.strength_base + lp.strength_gain * jp.leadership
    return command * (1 + mp.drone_effect * jp.drones) * (1 + s.china_support)


def morale_factor(s: Situation, morale: np.ndarray) -> np.ndarray:
    floor = s.p.model.morale_floor
    return floor + (1 - floor) * morale


def junta_effective(s: Situation, idx: np.ndarray | slice = slice(None)) -> np.ndarray:
    """Effective strength of junta units (all, or `idx`): numbers x quality x morale, times
    command, drones and China, less where cut from supply."""
    u = s.units
    eff = u.strength[idx] * u.quality[idx] * morale_factor(s, u.morale[idx])
    cut = np.where(s.supplied[u.node[idx]], 1.0, s.p.model.unsupplied_effect)
    return eff * junta_multiplier(s) * cut


def powers(s: Situation) -> Powers:
    """Effective and raw fighting strength per town: junta, and each resistance faction."""
    P = presence(s)
    u = s.units
    n_nodes, n_fac = s.geo.n, len(FACTIONS)
    junta, rebel = P.junta, P.rebel
    fac, node = u.faction, u.node
    eff = u.strength * u.quality * morale_factor(s, u.morale)
    eff_j = junta_effective(s)
    eff_r = eff * s.supply[fac] * (1 + s.p.model.drone_effect * s.p.resistance.drones)
    rf = np.bincount(fac[rebel] * n_nodes + node[rebel], eff_r[rebel], n_fac * n_nodes)
    rf = rf.reshape(n_fac, n_nodes)
    assaulting = rebel & (u.mode == ATTACK)
    return Powers(
        **vars(P),
        J=np.bincount(node[junta], eff_j[junta], n_nodes),
        Rf=rf,
        R=rf.sum(0),
        R_attack=np.bincount(node[assaulting], u.strength[assaulting], n_nodes),
        supplied=s.supplied,
    )


def defence(s: Situation) -> tuple[np.ndarray, np.ndarray]:
    """Defence multipliers of the holder of each town: (if junta holds it, if resistance does)."""
    mp = s.p.model
    fort = np.sqrt(s.outposts / s.outposts_base)
    naval = np.where(s.coast, mp.naval_support, 1.0)  # naval guns on the Rakhine coast [AP-2023]
    return s.terrain * naval * (1 + (mp.fortification - 1) * fort), s.terrain * mp.field_fortification
