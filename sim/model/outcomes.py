"""What a day's fighting decides: outposts that fall, junta units whose morale broke
surrendering or withdrawing [AP-2023: surrenders, defections, abandoned posts], towns that
change hands, and people who flee.

Every function here reads a `Situation` and the day's `combat.Fight` and returns what
happened; the model applies it (`ConflictModel.fight`). The outposts are reckoned in the
engagements' own compiled pass (`engagement.engage`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.jit import njit
from sim.model.combat import Fight
from sim.model.situation import Situation, Units, plain
from sim.model.strength import Powers, Sides, tally_raw
from sim.model.sums import total
from sim.model.units import GARRISON
from sim.world.factions import SIDE


class OutpostLosses(NamedTuple):
    towns: np.ndarray  # towns whose outposts were hit
    lost: np.ndarray  # outposts lost there
    taken_by: np.ndarray  # faction index that took them (and their arms)


@njit
def outposts_hit(assault, holder, outposts, pr, pj, Rf_raw, fall_rate):
    """Outposts around a besieged junta town fall one by one [AP-2023: >180 in five weeks]; at
    even odds each falls with `fall_rate` a day. Returns the besieged junta towns with outposts
    standing, their outposts, the chance each falls today (the draw is `engagement.engage`'s),
    and the faction that takes them (the strongest there)."""
    towns = np.flatnonzero(assault & (holder == 0) & (outposts > 0))
    standing = np.empty(len(towns), dtype=np.int64)
    p = np.empty(len(towns))
    for k in range(len(towns)):
        t = towns[k]
        standing[k] = np.int64(outposts[t])
        p[k] = min(1.0, 2 * fall_rate * pr[t] / max(pr[t] + pj[t], 1e-9))
    return towns, standing, p, _strongest(Rf_raw, towns)


@njit
def _strongest(Rf_raw, towns):
    """The faction with the most fighters in each of `towns` (the first of equals)."""
    out = np.zeros(len(towns), dtype=np.int64)
    for k in range(len(towns)):
        for f in range(1, Rf_raw.shape[0]):
            if Rf_raw[f, towns[k]] > Rf_raw[out[k], towns[k]]:
                out[k] = f
    return out


class Breaks(NamedTuple):
    """Junta units whose morale broke: what surrendered, to whom, and where the rest go."""

    units: list[int]
    surrendered: list[float]
    captor: list[int]  # faction index
    withdraw: list[int]
    withdraw_to: list[int]


def breaks(s: Situation, P: Powers, broken: np.ndarray) -> Breaks:
    """Junta units whose morale broke in combat (`Toll.broken`) give up: part surrenders (arms
    to the captor, some men defect), the rest withdraws along a road the junta holds;
    encircled, all surrender [AP-2023: surrenders, defections, abandoned positions]."""
    u = s.units
    mp, lp = s.p.model, s.p.model.leadership
    out = Breaks([], [], [], [], [])
    captors = _strongest(P.Rf_raw, u.node[broken]).tolist()
    for i, captor in zip(broken.tolist(), captors, strict=True):
        town = int(u.node[i])
        back = [v for v in s.geo.neighbours[town] if s.holder[v] == 0]
        if not back:  # encircled: nowhere to go
            share = 1.0
        elif s.holder[town] != 0:  # a failed assault: most fall back, stragglers are taken
            share = mp.failed_assault_surrender * mp.surrender_share
        else:  # a garrison: worse when cut off from supply and badly led
            cut = mp.cut_off_surrender if not P.supplied[town] else 1.0
            share = min(
                1.0, mp.surrender_share * cut * (lp.surrender_base - lp.surrender_gain * s.p.junta.leadership)
            )
        given = float(u.strength[i]) * share
        out.units.append(i)
        out.surrendered.append(given)
        out.captor.append(captor)
        if back and u.strength[i] - given >= 1.0:
            supplied = [v for v in back if P.supplied[v]]
            out.withdraw.append(i)
            out.withdraw_to.append((supplied or back)[0])
    return out


class Captures(NamedTuple):
    """Towns that change hands today."""

    by_resistance: list[tuple[int, int]]  # (town, faction that takes it)
    by_junta: list[int]
    taken: np.ndarray  # bool per town: either


def captures(s: Situation) -> Captures:
    """A town changes hands when its holder has no fighters left there and the enemy has."""
    towns_j, captor, towns_r, taken = _lost(plain((s.units, Sides(SIDE, s.cease, s.supply))), s.holder)
    return Captures(list(zip(towns_j.tolist(), captor.tolist(), strict=True)), towns_r.tolist(), taken)


@njit
def _lost(records, holder):
    """Towns the junta lost and the faction that takes each (the strongest there), towns the
    resistance lost, and both as a mask. `records`: the plain `situation.Units` and
    `strength.Sides`."""
    units, sides = Units(*records[0]), Sides(*records[1])
    holder_side = sides.side[holder]
    J_raw, J_attack, Rf_raw, R_raw, _, _, _ = tally_raw(units, sides, holder_side)
    lost_j = (holder == 0) & (J_raw < 1) & (R_raw >= 1)
    lost_r = (holder_side == 1) & (R_raw < 1) & (J_attack >= 1)
    towns_j = np.flatnonzero(lost_j)
    return towns_j, _strongest(Rf_raw, towns_j), np.flatnonzero(lost_r), lost_j | lost_r


def needs_garrison(s: Situation, town: int) -> bool:
    """A retaken town has junta units but none of them a garrison."""
    u = s.units
    here = np.flatnonzero(u.alive & (u.node == town) & (u.faction == 0))
    return bool(len(here)) and not (u.kind[here] == GARRISON).any()


def displacement(s: Situation, P: Powers, f: Fight) -> np.ndarray:
    """Share of residents fleeing each town today: an assault drives out more people than
    a sweep of the countryside, air strikes and a change of hands more still."""
    return _displacement(*_displacement_args(s, P, f))


def flight(s: Situation, P: Powers, f: Fight, residents: np.ndarray) -> tuple[np.ndarray, float]:
    """Residents fleeing each town today (`displacement`), and how many in all."""
    return _flight(residents, *_displacement_args(s, P, f))


def _displacement_args(s: Situation, P: Powers, f: Fight) -> tuple:
    mp = s.p.model
    return (
        f.engaged, f.assault, f.air, s.holder, P.R_attack, s.captured_day, s.day, mp.displacement_clearance,
        mp.displacement_assault, mp.displacement_harassment, mp.displacement_air, mp.displacement_capture,
    )  # fmt: skip


@njit
def _flight(residents, *args):
    fled = residents * _displacement(*args)
    return fled, total(fled)


@njit
def _displacement(engaged, assault, air, holder, R_attack, captured_day, day, clearance, assaulted, harassed,
                  per_strike, capture):  # fmt: skip
    out = np.empty(len(holder))
    for t in range(len(holder)):
        if assault[t] and holder[t] == 0 and R_attack[t] == 0:
            rate = clearance
        elif assault[t]:
            rate = assaulted
        elif engaged[t]:
            rate = harassed
        else:
            rate = 0.0
        out[t] = min(1.0, rate + per_strike * air[t] + (capture if captured_day[t] == day else 0.0))
    return out
