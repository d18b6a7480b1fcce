"""Combat kernels, vectorised over towns: Lanchester-type attrition with stochastic losses.

Each town where junta and resistance fighters meet is one engagement a day.
Losses follow Lanchester's aimed-fire (square) law, dB/dt = -a R, drawn as
Poisson counts [Lanchester 1916; Epstein 1985 on adaptive defence], with the
effective strengths scaled by quality, morale, supply, drones, air strikes,
fortification and terrain. Junta garrisons break when their morale does and
then surrender or withdraw [AP-2023: surrenders, defections, abandoned posts].

Every function here reads a `Situation` and returns what happened; the model
applies it (`ConflictModel.fight`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.jit import njit
from sim.model.situation import Situation
from sim.model.strength import Powers, presence
from sim.model.units import GARRISON
from sim.world.factions import SIDE


@dataclass(frozen=True)
class Fight:
    """Today's engagements, by town."""

    engaged: np.ndarray  # both sides present
    assault: np.ndarray  # an assault on the town, or a junta clearance of its countryside
    intensity: np.ndarray  # 1 in an assault, `harassment` in guerrilla contact
    air: np.ndarray  # air strikes
    pj: np.ndarray  # junta effective strength with defence and air support
    pr: np.ndarray  # resistance effective strength with defence and coordination
    cas_j: np.ndarray  # junta casualties
    cas_r: np.ndarray  # resistance casualties


def fight(s: Situation, P: Powers, rng: np.random.Generator) -> Fight:
    mp = s.p.model
    engaged, assault, intensity = _contact(P.J_raw, P.R_raw, P.J_attack, P.R_attack, s.holder, mp.harassment)
    air = air_strikes(s, P, assault, rng) * (P.R_raw > 0)
    pj, pr = fighting_power(s, P, air)
    rate_j, rate_r = loss_rates(s, P, intensity, pj, pr, air)
    cas_j = np.minimum(rng.poisson(rate_j), P.J_raw)
    cas_r = np.minimum(rng.poisson(rate_r), P.R_raw)
    return Fight(engaged, assault, intensity, air, pj, pr, cas_j, cas_r)


@njit
def _contact(J_raw, R_raw, J_attack, R_attack, holder, harassment):
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
    mp = s.p.model
    support = 1 + mp.air_effect * (1 - np.exp(-air / mp.air_saturation))
    coord = mp.coordination_bonus * s.p.resistance.coordination
    return _fighting_power(P.J, P.R, P.Rf_raw, s.holder, SIDE, P.d_junta, P.d_rebel, support, coord)


@njit
def _fighting_power(J, R, Rf_raw, holder, side, d_junta, d_rebel, support, coord):
    n = len(holder)
    pj, pr = np.empty(n), np.empty(n)
    for t in range(n):
        pj[t] = J[t] * (d_junta[t] if holder[t] == 0 else 1.0) * support[t]
        allies = 0
        for f in range(Rf_raw.shape[0]):
            allies += Rf_raw[f, t] > 0
        pr[t] = R[t] * (d_rebel[t] if side[holder[t]] == 1 else 1.0) * (1 + (coord if allies >= 2 else 0.0))
    return pj, pr


def loss_rates(
    s: Situation, P: Powers, intensity: np.ndarray, pj: np.ndarray, pr: np.ndarray, air: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Expected casualties per town (junta, resistance). An assault on a town is aimed fire
    both ways (Lanchester square law); elsewhere the junta sweeps for guerrillas hidden in the
    countryside: area fire, which finds fewer the thinner they are spread [Deitchman 1962]."""
    mp = s.p.model
    return _loss_rates(
        P.R_raw, P.J_attack, P.R_attack, s.holder, SIDE, s.geo.area, intensity, pj, pr, air,
        mp.guerrilla_density, mp.lethality, mp.air_kill,
    )  # fmt: skip


@njit
def _loss_rates(
    R_raw, J_attack, R_attack, holder, side, area, intensity, pj, pr, air, density, lethality, air_kill
):
    n = len(holder)
    rate_j, rate_r = np.empty(n), np.empty(n)
    for t in range(n):
        town_assault = (R_attack[t] > 0 and holder[t] == 0) or (J_attack[t] > 0 and side[holder[t]] == 1)
        found = 1.0 if town_assault else min(1.0, R_raw[t] / (area[t] * density))
        rate_j[t] = lethality * intensity[t] * pr[t]
        rate_r[t] = lethality * intensity[t] * pj[t] * found + air_kill * air[t]
    return rate_j, rate_r


def air_strikes(s: Situation, P: Powers, assault: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Air strikes of the day by town, by doctrine.

    Pre-emptive: at every assault from its first day, and where the junta attacks.
    Reactive: only after `air_delay_days` of a siege, and as reprisal on towns
    recently lost [DW-2025: air force now used at the start of an engagement].
    """
    jp, air = s.p.junta, s.p.model.air
    k = rng.poisson(jp.air_strikes_per_day * (s.p.model.season.air if s.monsoon else 1.0))
    if k == 0:
        return np.zeros(s.geo.n)
    if jp.air_doctrine == "preemptive":
        junta_attacks = assault & (SIDE[s.holder] == 1)
        opening = assault & (s.engaged_days < air.opening_days)
        w = assault * 1.0 + air.attack_weight * junta_attacks + air.opening_weight * opening
    else:
        sieged = assault & (s.holder == 0) & (s.engaged_days >= s.p.model.air_delay_days)
        reprisal = (SIDE[s.holder] == 1) & (s.day - s.captured_day <= air.reprisal_days)
        w = sieged * 1.0 + reprisal * 1.0
    w = w * (1 + P.R_raw)
    if w.sum() <= 0:
        return np.zeros(s.geo.n)
    return rng.multinomial(k, w / w.sum()).astype(float)


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


def ammo_used(s: Situation, P: Powers, f: Fight) -> np.ndarray:
    """Ammunition (fighter-days) each faction spent today."""
    return s.p.model.ammo_use * (P.Rf_raw * f.intensity).sum(1)


def morale_after(s: Situation, P: Powers, f: Fight) -> np.ndarray:
    """Morale of both sides falls with losses and adverse odds under assault (air
    strikes shake the resistance, isolation the junta) and recovers toward its
    baseline out of combat; broken units give up the fight [Epstein 2002: action
    when a threshold is crossed]."""
    u = s.units
    mp, jp = s.p.model, s.p.junta
    return _morale_after(
        u.faction, u.node, u.morale, SIDE, P.J_raw, P.R_raw, P.supplied, f.assault, f.air, f.pj, f.pr,
        f.cas_j, f.cas_r, mp.morale_shock, mp.morale_pressure, mp.leadership.morale_loss_base - jp.leadership,
        mp.isolation_morale, mp.air_morale, mp.morale_recovery, jp.morale, s.p.resistance.morale,
    )  # fmt: skip


@njit
def _morale_after(
    faction, node, morale, side, J_raw, R_raw, supplied, assault, air, pj, pr, cas_j, cas_r, shock,
    pressure, command, isolation, air_morale, recovery, junta_base, rebel_base,
):  # fmt: skip
    n = len(J_raw)
    loss_j, loss_r = np.empty(n), np.empty(n)
    for t in range(n):
        odds_j = max(0.0, (pr[t] / pj[t] if pj[t] > 0 else 0.0) - 1) if assault[t] else 0.0
        odds_r = max(0.0, (pj[t] / pr[t] if pr[t] > 0 else 0.0) - 1) if assault[t] else 0.0
        hit_j = cas_j[t] / J_raw[t] if J_raw[t] > 0 else 0.0
        hit_r = cas_r[t] / R_raw[t] if R_raw[t] > 0 else 0.0
        loss_j[t] = (shock * hit_j + pressure * odds_j) * command + (0.0 if supplied[t] else isolation)
        loss_r[t] = shock * hit_r + pressure * odds_r + air_morale * air[t]
    out = np.empty(len(morale))
    for i in range(len(morale)):
        t = node[i]
        junta = side[faction[i]] == 0
        loss = loss_j[t] if junta else loss_r[t]
        base = junta_base if junta else rebel_base
        recover = 0.0 if assault[t] else max(recovery * (base - morale[i]), 0.0)
        out[i] = min(max(morale[i] - loss + recover, 0.0), 1.0)
    return out


@dataclass(frozen=True)
class OutpostLosses:
    towns: np.ndarray  # towns whose outposts were hit
    lost: np.ndarray  # outposts lost there
    taken_by: np.ndarray  # faction index that took them (and their arms)


def outpost_losses(s: Situation, P: Powers, f: Fight, rng: np.random.Generator) -> OutpostLosses:
    """Outposts around a besieged junta town fall one by one [AP-2023: >180 in five weeks];
    at even odds each falls with `outpost_fall_rate` a day."""
    hit = f.assault & (s.holder == 0) & (s.outposts > 0)
    if not hit.any():
        return OutpostLosses(np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0, dtype=np.int64))
    p = np.minimum(1.0, 2 * s.p.model.outpost_fall_rate * f.pr / np.maximum(f.pr + f.pj, 1e-9))
    lost = rng.binomial(s.outposts[hit].astype(np.int64), p[hit]).astype(float)
    return OutpostLosses(np.flatnonzero(hit), lost, P.Rf_raw[:, hit].argmax(0))


@dataclass(frozen=True)
class Breaks:
    """Junta units whose morale broke: what surrendered, to whom, and where the rest go."""

    units: list[int]
    surrendered: list[float]
    captor: list[int]  # faction index
    withdraw: list[int]
    withdraw_to: list[int]


def breaks(s: Situation, P: Powers, f: Fight) -> Breaks:
    """Junta units whose morale breaks in combat give up: part surrenders (arms to the
    captor, some men defect), the rest withdraws along a road the junta holds;
    encircled, all surrender [AP-2023: surrenders, defections, abandoned positions]."""
    u = s.units
    mp, lp = s.p.model, s.p.model.leadership
    out = Breaks([], [], [], [], [])
    broken = np.flatnonzero(
        u.alive & (u.faction == 0) & (u.busy == 0) & (u.morale < mp.morale_break) & f.assault[u.node]
    )
    for i in broken.tolist():
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
        out.captor.append(int(P.Rf_raw[:, town].argmax()))
        if back and u.strength[i] - given >= 1.0:
            supplied = [v for v in back if P.supplied[v]]
            out.withdraw.append(i)
            out.withdraw_to.append((supplied or back)[0])
    return out


@dataclass(frozen=True)
class Captures:
    """Towns that change hands today."""

    by_resistance: list[tuple[int, int]]  # (town, faction that takes it)
    by_junta: list[int]
    taken: np.ndarray  # bool per town: either


def captures(s: Situation) -> Captures:
    """A town changes hands when its holder has no fighters left there and the enemy has."""
    P = presence(s)
    lost_j = (s.holder == 0) & (P.J_raw < 1) & (P.R_raw >= 1)
    lost_r = (SIDE[s.holder] == 1) & (P.R_raw < 1) & (P.J_attack >= 1)
    by_resistance = [(n, int(P.Rf_raw[:, n].argmax())) for n in np.flatnonzero(lost_j).tolist()]
    return Captures(by_resistance, np.flatnonzero(lost_r).tolist(), lost_j | lost_r)


def needs_garrison(s: Situation, town: int) -> bool:
    """A retaken town has junta units but none of them a garrison."""
    u = s.units
    here = np.flatnonzero(u.alive & (u.node == town) & (u.faction == 0))
    return bool(len(here)) and not (u.kind[here] == GARRISON).any()


def displacement(s: Situation, P: Powers, f: Fight) -> np.ndarray:
    """Share of residents fleeing each town today: an assault drives out more people than
    a sweep of the countryside, air strikes and a change of hands more still."""
    mp = s.p.model
    return _displacement(
        f.engaged, f.assault, f.air, s.holder, P.R_attack, s.captured_day, s.day, mp.displacement_clearance,
        mp.displacement_assault, mp.displacement_harassment, mp.displacement_air, mp.displacement_capture,
    )  # fmt: skip


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
