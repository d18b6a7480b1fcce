"""Combat kernels, vectorised over towns: Lanchester-type attrition with stochastic losses.

Each town where junta and resistance fighters meet is one engagement a day.
Losses follow Lanchester's aimed-fire (square) law, dB/dt = -a R, drawn as
Poisson counts [Lanchester 1916; Epstein 1985 on adaptive defence], with the
effective strengths scaled by quality, morale, supply, drones, air strikes,
fortification and terrain. What the day's fighting decides (outposts, broken
garrisons, towns changing hands, people fleeing) is in `outcomes.py`.

The day's fighting runs these rules in one compiled call (`engagement.engage`); the
model applies what they return (`ConflictModel.fight`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.jit import njit
from sim.model.air import air_support
from sim.model.records import combat_rules, strengths
from sim.model.situation import Situation, ground
from sim.model.strength import Powers
from sim.model.sums import total


class Fight(NamedTuple):
    """Today's engagements, by town."""

    engaged: np.ndarray  # both sides present
    assault: np.ndarray  # an assault on the town, or a junta clearance of its countryside
    intensity: np.ndarray  # 1 in an assault, `harassment` in guerrilla contact
    air: np.ndarray  # air strikes
    pj: np.ndarray  # junta effective strength with defence and air support
    pr: np.ndarray  # resistance effective strength with defence and coordination
    cas_j: np.ndarray  # junta casualties
    cas_r: np.ndarray  # resistance casualties


@njit
def contact(J_raw, R_raw, J_attack, R_attack, holder, harassment):
    """Where both sides meet; where that is an assault on the town or a junta clearance of
    its countryside (full intensity), not guerrilla contact (`harassment`)."""
    n = len(holder)
    engaged, assault, intensity = np.zeros(n, np.bool_), np.zeros(n, np.bool_), np.zeros(n)
    for t in range(n):
        engaged[t] = J_raw[t] > 0 and R_raw[t] > 0
        assault[t] = engaged[t] and ((R_attack[t] > 0 and holder[t] == 0) or J_attack[t] > 0)
        intensity[t] = 1.0 if assault[t] else (harassment if engaged[t] else 0.0)
    return engaged, assault, intensity


def fighting_power(s: Situation, P: Powers, air: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Effective strength in today's engagements: the holder's defence, air support for the
    junta (bounded: it saturates), a bonus where allied factions fight together."""
    return _fighting_power(strengths(P), ground(s), air_support(s, air), combat_rules(s).coordination)


@njit
def _fighting_power(S, g, support, coordination):
    holder, side = g.holder, g.side
    n = len(holder)
    pj, pr = np.empty(n), np.empty(n)
    for t in range(n):
        pj[t] = S.J[t] * (S.d_junta[t] if holder[t] == 0 else 1.0) * support[t]
        allies = 0
        for f in range(S.Rf_raw.shape[0]):
            allies += S.Rf_raw[f, t] > 0
        bonus = 1 + (coordination if allies >= 2 else 0.0)
        pr[t] = S.R[t] * (S.d_rebel[t] if side[holder[t]] == 1 else 1.0) * bonus
    return pj, pr


def loss_rates(
    s: Situation, P: Powers, intensity: np.ndarray, pj: np.ndarray, pr: np.ndarray, air: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Expected casualties per town (junta, resistance). An assault on a town is aimed fire
    both ways (Lanchester square law); elsewhere the junta sweeps for guerrillas hidden in the
    countryside: area fire, which finds fewer the thinner they are spread [Deitchman 1962]."""
    return _loss_rates(strengths(P), ground(s), combat_rules(s), intensity, pj, pr, air)


@njit
def _loss_rates(S, g, r, intensity, pj, pr, air):
    holder, side = g.holder, g.side
    n = len(holder)
    rate_j, rate_r = np.empty(n), np.empty(n)
    for t in range(n):
        town_assault = (S.R_attack[t] > 0 and holder[t] == 0) or (S.J_attack[t] > 0 and side[holder[t]] == 1)
        found = 1.0 if town_assault else min(1.0, S.R_raw[t] / (g.area[t] * r.guerrilla_density))
        rate_j[t] = r.lethality * intensity[t] * pr[t]
        rate_r[t] = r.lethality * intensity[t] * pj[t] * found + r.air_kill * air[t]
    return rate_j, rate_r


@njit
def exchange(S, g, r, support, intensity, air):
    """`_fighting_power`, then `_loss_rates`, in one call, packed: rows pj, pr, rate_j, rate_r."""
    out = np.empty((4, len(g.holder)))
    out[0], out[1] = _fighting_power(S, g, support, r.coordination)
    out[2], out[3] = _loss_rates(S, g, r, intensity, out[0], out[1], air)
    return out


def unit_losses(s: Situation, mask: np.ndarray, node_loss: np.ndarray, node_raw: np.ndarray) -> np.ndarray:
    """Each unit in `mask` loses the share of its town's strength that the town lost."""
    return _unit_losses(mask, s.units.node, s.units.strength, node_loss, node_raw)


@njit
def _unit_losses(mask, node, strength, node_loss, node_raw):
    loss = np.zeros(len(strength))
    for i in range(len(strength)):
        raw = node_raw[node[i]]
        if mask[i]:
            loss[i] = strength[i] * min(node_loss[node[i]] / raw if raw > 0 else 0.0, 1.0)
    return loss


@njit
def _morale_after(S, u, g, r, assault, air, pj, pr, cas_j, cas_r):
    """Morale of both sides falls with losses and adverse odds under assault (air strikes
    shake the resistance, isolation the junta) and recovers toward its baseline out of
    combat; broken units give up the fight [Epstein 2002: action when a threshold is
    crossed]."""
    J_raw, R_raw = S.J_raw, S.R_raw
    n = len(J_raw)
    loss_j, loss_r = np.empty(n), np.empty(n)
    for t in range(n):
        odds_j = max(0.0, (pr[t] / pj[t] if pj[t] > 0 else 0.0) - 1) if assault[t] else 0.0
        odds_r = max(0.0, (pj[t] / pr[t] if pr[t] > 0 else 0.0) - 1) if assault[t] else 0.0
        hit_j = cas_j[t] / J_raw[t] if J_raw[t] > 0 else 0.0
        hit_r = cas_r[t] / R_raw[t] if R_raw[t] > 0 else 0.0
        isolated = 0.0 if g.supplied[t] else r.isolation_morale
        loss_j[t] = (r.morale_shock * hit_j + r.morale_pressure * odds_j) * r.command + isolated
        loss_r[t] = r.morale_shock * hit_r + r.morale_pressure * odds_r + r.air_morale * air[t]
    morale = u.morale
    out = np.empty(len(morale))
    for i in range(len(morale)):
        t = u.node[i]
        junta = g.side[u.faction[i]] == 0
        loss = loss_j[t] if junta else loss_r[t]
        base = r.junta_morale if junta else r.rebel_morale
        recover = 0.0 if assault[t] else max(r.morale_recovery * (base - morale[i]), 0.0)
        out[i] = min(max(morale[i] - loss + recover, 0.0), 1.0)
    return out


class Toll(NamedTuple):
    """What today's fighting did to each unit."""

    loss: np.ndarray  # fighters lost (`unit_losses`)
    morale: np.ndarray  # morale after the day (`_morale_after`)
    broken: np.ndarray  # live junta units in an assault whose morale broke (indices)
    killed: np.ndarray  # fighters killed today: junta, resistance
    ammo: np.ndarray  # ammunition (fighter-days) each faction spent today


@njit
def toll(S, u, g, r, assault, intensity, air, pj, pr, cas_j, cas_r):
    """Losses and morale of every unit, the junta units that break, the dead and the ammunition
    spent (`Toll`), packed: per unit (loss, morale), the broken units, and (junta killed,
    resistance killed, ammunition per faction)."""
    # the two masks are disjoint, so each unit's loss is one of the two terms exactly
    loss = _unit_losses(S.junta, u.node, u.strength, cas_j, S.J_raw)
    loss += _unit_losses(S.rebel, u.node, u.strength, cas_r, S.R_raw)
    after = _morale_after(S, u, g, r, assault, air, pj, pr, cas_j, cas_r)
    broke = np.zeros(len(u.node), dtype=np.bool_)
    for i in range(len(u.node)):
        ready = u.alive[i] and u.faction[i] == 0 and u.busy[i] == 0
        broke[i] = ready and after[i] < r.morale_break and assault[u.node[i]]
    per_unit = np.empty((2, len(u.node)))
    per_unit[0], per_unit[1] = loss, after
    counts = np.empty(2 + S.Rf_raw.shape[0])  # killed (junta, resistance), ammunition per faction
    counts[0], counts[1], counts[2:] = (
        total(cas_j),
        total(cas_r),
        r.ammo_use * _engaged_fighters(S.Rf_raw, intensity),
    )
    return per_unit, np.flatnonzero(broke), counts


@njit
def _engaged_fighters(Rf_raw, intensity):
    """Fighters per faction weighted by the intensity of the fight they are in (sums in numpy's
    order): what ammunition goes with."""
    out = np.empty(Rf_raw.shape[0])
    weighted = np.empty(Rf_raw.shape[1])
    for f in range(Rf_raw.shape[0]):
        for t in range(Rf_raw.shape[1]):
            weighted[t] = Rf_raw[f, t] * intensity[t]
        out[f] = total(weighted)
    return out
