"""Who stands where, and how strong: raw and effective fighting strength per town.

Effective strength scales raw numbers by quality, morale, supply, drones and
(for the junta) command and Chinese materiel; defence multiplies the holder's
strength by terrain, fortification and naval guns [Lanchester 1916; AP-2023].
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.jit import njit
from sim.model.situation import Situation, Units, numbers
from sim.model.units import ATTACK, HOLD
from sim.world.factions import SIDE


class Powers(NamedTuple):
    """Raw strengths per town (who is left standing where), then effective ones."""

    J_raw: np.ndarray  # junta fighters per town
    J_attack: np.ndarray  # junta fighters assaulting or clearing, per town
    Rf_raw: np.ndarray  # factions x towns
    R_raw: np.ndarray
    junta: np.ndarray  # mask of units: junta fighting where they stand
    rebel: np.ndarray  # mask of units: resistance fighting where they stand
    J: np.ndarray
    Rf: np.ndarray  # factions x towns
    R: np.ndarray
    R_attack: np.ndarray  # raw resistance fighters assaulting, per town
    supplied: np.ndarray
    d_junta: np.ndarray  # defence multiplier of the town if the junta holds it (`defence`)
    d_rebel: np.ndarray  # ... if the resistance does
    J_def: np.ndarray  # J with the defence of the town where the junta holds it
    R_def: np.ndarray  # R with the defence of the town where the resistance holds it
    junta_power: np.ndarray  # per unit: effective strength of a junta unit fighting, else 0


class Sides(NamedTuple):
    """Per faction index: its side, a ceasefire today, its ammunition-limited supply."""

    side: np.ndarray
    cease: np.ndarray
    supply: np.ndarray


class Holdings(NamedTuple):
    """Per township, what strength and defence read: the holder's side, junta supply lines,
    outposts standing and at the start, terrain's defence multiplier, the coast."""

    holder_side: np.ndarray
    supplied: np.ndarray
    outposts: np.ndarray
    outposts_base: np.ndarray
    terrain: np.ndarray
    coast: np.ndarray


class StrengthRules(NamedTuple):
    """The rule numbers of strength and defence (`[model]`), and the day's multipliers."""

    naval_support: float
    fortification: float
    field_fortification: float
    morale_floor: float
    unsupplied_effect: float
    junta_multiplier: float  # `junta_multiplier`: command, drones, Chinese materiel
    rebel_multiplier: float  # `rebel_multiplier`: drones


@njit
def tally_raw(units, sides, holder_side):
    """One pass over the units: who fights where, in numbers.

    Junta units fight where they stand unless on the march; resistance units unless on
    the march, in a ceasefire, or lying low (HOLD) in a town the junta holds. Sums run in
    unit order, as numpy's do. Returns (J_raw, J_attack, Rf_raw, R_raw, R_attack, junta
    units fighting, resistance units fighting).
    """
    n_nodes, n_units = len(holder_side), len(units.node)
    J_raw, J_attack = np.zeros(n_nodes), np.zeros(n_nodes)
    R_raw, R_attack = np.zeros(n_nodes), np.zeros(n_nodes)
    Rf_raw = np.zeros((len(sides.cease), n_nodes))
    junta, rebel = np.zeros(n_units, dtype=np.bool_), np.zeros(n_units, dtype=np.bool_)
    out = (J_raw, J_attack, Rf_raw, R_raw, R_attack, junta, rebel)
    _tally_raw_into(units, sides, holder_side, out)
    return out


@njit
def _tally_raw_into(units, sides, holder_side, out):
    """`tally_raw`, into the arrays of zeros `out` the caller gives (a kernel's packed result):
    J_raw, J_attack, Rf_raw, R_raw, R_attack and the units fighting for each side."""
    J_raw, J_attack, Rf_raw, R_raw, R_attack, junta, rebel = out
    faction, node, strength, mode = units.faction, units.node, units.strength, units.mode
    alive, busy, side, cease = units.alive, units.busy, sides.side, sides.cease
    for i in range(len(node)):
        if not alive[i] or busy[i] != 0:
            continue
        f, v, men = faction[i], node[i], strength[i]
        if side[f] == 0:
            junta[i] = True
            J_raw[v] += men
            if mode[i] == ATTACK:
                J_attack[v] += men
        elif not cease[f] and (mode[i] != HOLD or holder_side[v] == 1):
            rebel[i] = True
            Rf_raw[f, v] += men
            if mode[i] == ATTACK:
                R_attack[v] += men
    _sum_rows(Rf_raw, R_raw)


@njit
def _sum_rows(rows, out):
    """out = rows[0] + rows[1] + ..., in that order (numpy's sum over the first axis)."""
    out[:] = rows[0]
    for f in range(1, len(rows)):
        out += rows[f]


@njit
def _tally(units, sides, holdings, rules):
    """`tally_raw`, the towns' `_defence`, and effective strength per town: numbers x quality x
    morale, then the junta's multiplier (and its cut from supply) or the faction's supply and
    drones. Returned packed, a few arrays rather than many (each array a kernel returns costs
    about a microsecond), and written in place rather than copied there: per town (rows in the
    order `powers` unpacks them), per faction and town (raw, effective), per unit (fighting for
    the junta, for the resistance) and the junta's power per unit. Reads the records
    `situation.Units`, `Sides`, `Holdings` and `StrengthRules`."""
    u, f_, h, r = units, sides, holdings, rules
    node, holder_side = u.node, h.holder_side
    n_fac, n_nodes = len(f_.cease), len(holder_side)
    town, by_faction = np.zeros((10, n_nodes)), np.zeros((2, n_fac, n_nodes))
    units, junta_power = np.zeros((2, len(node)), dtype=np.bool_), np.zeros(len(node))
    J_raw, J_attack, R_raw, R_attack, J, R = town[0], town[1], town[2], town[3], town[4], town[5]
    Rf, junta, rebel = by_faction[1], units[0], units[1]
    _tally_raw_into(u, f_, holder_side, (J_raw, J_attack, by_faction[0], R_raw, R_attack, junta, rebel))
    town[8], town[9] = _defence(
        h.outposts, h.outposts_base, h.terrain, h.coast, r.naval_support, r.fortification,
        r.field_fortification,
    )  # fmt: skip
    faction, strength, quality, morale, supplied, supply = (
        u.faction,
        u.strength,
        u.quality,
        u.morale,
        h.supplied,
        f_.supply,
    )
    floor, junta_mult, unsupplied, rebel_mult = (
        r.morale_floor,
        r.junta_multiplier,
        r.unsupplied_effect,
        r.rebel_multiplier,
    )
    for i in range(len(node)):
        if not (junta[i] or rebel[i]):
            continue
        f, v = faction[i], node[i]
        eff = unit_strength(strength[i], quality[i], morale[i], floor)
        if junta[i]:
            junta_power[i] = junta_strength(eff, junta_mult, supplied[v], unsupplied)
            J[v] += junta_power[i]
        else:
            Rf[f, v] += rebel_strength(eff, supply[f], rebel_mult)
    _sum_rows(Rf, R)
    for t in range(n_nodes):
        town[6, t] = J[t] * (town[8, t] if holder_side[t] == 0 else 1.0)
        town[7, t] = R[t] * (town[9, t] if holder_side[t] == 1 else 1.0)
    return town, by_faction, units, junta_power


@njit
def named_tally(t):
    """`tally_inputs`' records named again, from the plain tuples a compiled caller was handed
    (`records.plain`)."""
    return Units(*t[0]), Sides(*t[1]), Holdings(*t[2]), StrengthRules(*t[3])


def junta_multiplier(s: Situation) -> float:
    """Command, drones and Chinese materiel: what multiplies every junta unit's strength."""
    jp, mp = s.p.junta, s.p.model
    lp = mp.leadership
    command = lp.strength_base + lp.strength_gain * jp.leadership
    return command * (1 + mp.drone_effect * jp.drones) * (1 + s.china_support)


def rebel_multiplier(s: Situation) -> float:
    """Drones: what multiplies every resistance unit's strength (with its faction's supply)."""
    return 1 + s.p.model.drone_effect * s.p.resistance.drones


@njit
def unit_strength(men, quality, morale, morale_floor):
    """A unit's effective strength before its side's multipliers: numbers x quality x morale
    (morale counts above a floor)."""
    return men * quality * (morale_floor + (1 - morale_floor) * morale)


@njit
def junta_strength(effective, junta_mult, supplied, unsupplied):
    """A junta unit's: times command, drones and Chinese materiel, less where cut from supply."""
    return effective * junta_mult * (1.0 if supplied else unsupplied)


@njit
def rebel_strength(effective, supply, rebel_mult):
    """A resistance unit's: times its faction's ammunition supply and its drones."""
    return effective * supply * rebel_mult


def junta_effective(s: Situation, idx: np.ndarray | slice = slice(None)) -> np.ndarray:
    """Effective strength of junta units (all, or `idx`): `unit_strength`, then
    `junta_strength`, as the kernels reckon it."""
    u, mp = s.units, s.p.model
    return _junta_effective(
        u.strength[idx], u.quality[idx], u.morale[idx], s.supplied[u.node[idx]], mp.morale_floor,
        junta_multiplier(s), mp.unsupplied_effect,
    )  # fmt: skip


@njit
def _junta_effective(strength, quality, morale, supplied, morale_floor, junta_mult, unsupplied):
    out = np.empty(len(strength))
    for i in range(len(strength)):
        eff = unit_strength(strength[i], quality[i], morale[i], morale_floor)
        out[i] = junta_strength(eff, junta_mult, supplied[i], unsupplied)
    return out


def powers(s: Situation) -> Powers:
    """Effective and raw fighting strength per town: junta, and each resistance faction."""
    return powers_of(*_tally(*tally_inputs(s)), s.supplied)


def powers_of(
    town: np.ndarray, by_faction: np.ndarray, units: np.ndarray, junta_power: np.ndarray, supplied: np.ndarray
) -> Powers:
    """The `Powers` of `_tally`'s packed result."""
    J_raw, J_attack, R_raw, R_attack, J, R, J_def, R_def, d_junta, d_rebel = town
    return Powers(
        J_raw, J_attack, by_faction[0], R_raw, units[0], units[1], J, by_faction[1], R, R_attack, supplied,
        d_junta, d_rebel, J_def, R_def, junta_power,
    )  # fmt: skip


def tally_inputs(s: Situation) -> tuple[Units, Sides, Holdings, StrengthRules]:
    """What `_tally` reads of the day, as its records (also for a kernel that calls it)."""
    mp = s.p.model
    return (
        s.units,
        Sides(SIDE, s.cease, s.supply),
        Holdings(SIDE[s.holder], s.supplied, s.outposts, s.outposts_base, s.terrain, s.coast),
        numbers(
            StrengthRules, mp.naval_support, mp.fortification, mp.field_fortification, mp.morale_floor,
            mp.unsupplied_effect, junta_multiplier(s), rebel_multiplier(s),
        ),
    )  # fmt: skip


def defence(s: Situation) -> tuple[np.ndarray, np.ndarray]:
    """Defence multipliers of the holder of each town: (if junta holds it, if resistance does).

    Terrain everywhere; for the junta also its outposts around the town (fortification,
    by the square root of the share still standing) and naval guns on the Rakhine coast
    [AP-2023]; for the resistance, field fortification.
    """
    mp = s.p.model
    return _defence(
        s.outposts, s.outposts_base, s.terrain, s.coast, mp.naval_support, mp.fortification,
        mp.field_fortification,
    )  # fmt: skip


@njit
def _defence(outposts, outposts_base, terrain, coast, naval_support, fortification, field_fortification):
    d_junta, d_rebel = np.empty(len(terrain)), np.empty(len(terrain))
    for t in range(len(terrain)):
        naval = naval_support if coast[t] else 1.0
        fort = np.sqrt(outposts[t] / outposts_base[t])
        d_junta[t] = terrain[t] * naval * (1 + (fortification - 1) * fort)
        d_rebel[t] = terrain[t] * field_fortification
    return d_junta, d_rebel
