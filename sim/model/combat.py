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

from sim.model.situation import Situation
from sim.model.strength import Powers, defence, presence
from sim.model.units import GARRISON
from sim.world.factions import FACTIONS, SIDE


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
    engaged = (P.J_raw > 0) & (P.R_raw > 0)
    assault = engaged & (((P.R_attack > 0) & (s.holder == 0)) | (P.J_attack > 0))
    intensity = np.where(assault, 1.0, mp.harassment) * engaged
    air = air_strikes(s, P, assault, rng) * (P.R_raw > 0)
    pj, pr = fighting_power(s, P, air)
    rate_j, rate_r = loss_rates(s, P, intensity, pj, pr, air)
    cas_j = np.minimum(rng.poisson(rate_j), P.J_raw)
    cas_r = np.minimum(rng.poisson(rate_r), P.R_raw)
    return Fight(engaged, assault, intensity, air, pj, pr, cas_j, cas_r)


def fighting_power(s: Situation, P: Powers, air: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Effective strength in today's engagements: the holder's defence, air support for the
    junta (bounded: it saturates), a bonus where allied factions fight together."""
    mp = s.p.model
    d_junta, d_rebel = defence(s)
    support = 1 + mp.air_effect * (1 - np.exp(-air / mp.air_saturation))
    pj = P.J * np.where(s.holder == 0, d_junta, 1.0) * support
    allied = (P.Rf_raw > 0).sum(0) >= 2
    coord = 1 + mp.coordination_bonus * s.p.resistance.coordination * allied
    return pj, P.R * np.where(SIDE[s.holder] == 1, d_rebel, 1.0) * coord


def loss_rates(
    s: Situation, P: Powers, intensity: np.ndarray, pj: np.ndarray, pr: np.ndarray, air: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Expected casualties per town (junta, resistance). An assault on a town is aimed fire
    both ways (Lanchester square law); elsewhere the junta sweeps for guerrillas hidden in the
    countryside: area fire, which finds fewer the thinner they are spread [Deitchman 1962]."""
    mp = s.p.model
    town_assault = ((P.R_attack > 0) & (s.holder == 0)) | ((P.J_attack > 0) & (SIDE[s.holder] == 1))
    density = np.minimum(1.0, P.R_raw / (s.geo.area * mp.guerrilla_density))
    found = np.where(town_assault, 1.0, density)
    return mp.lethality * intensity * pr, mp.lethality * intensity * pj * found + mp.air_kill * air


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
    u = s.units
    idx = np.flatnonzero(mask)
    raw = node_raw[u.node[idx]]
    frac = np.divide(node_loss[u.node[idx]], raw, out=np.zeros(len(idx)), where=raw > 0)
    loss = np.zeros(len(u.strength))
    loss[idx] = u.strength[idx] * np.minimum(frac, 1.0)
    return loss


def ammo_used(s: Situation, P: Powers, f: Fight) -> np.ndarray:
    """Ammunition (fighter-days) each faction spent today."""
    used = [float((P.Rf_raw[i] * f.intensity).sum()) for i in range(len(FACTIONS))]
    return np.array([s.p.model.ammo_use * x for x in used])


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.divide(a, b, out=np.zeros_like(a), where=b > 0)


def morale_after(s: Situation, P: Powers, f: Fight) -> np.ndarray:
    """Morale of both sides falls with losses and adverse odds under assault (air
    strikes shake the resistance, isolation the junta) and recovers toward its
    baseline out of combat; broken units give up the fight [Epstein 2002: action
    when a threshold is crossed]."""
    u = s.units
    mp, jp = s.p.model, s.p.junta
    odds_j = np.maximum(0.0, _ratio(f.pr, f.pj) - 1) * f.assault
    odds_r = np.maximum(0.0, _ratio(f.pj, f.pr) - 1) * f.assault
    loss_j = mp.morale_shock * _ratio(f.cas_j, P.J_raw) + mp.morale_pressure * odds_j
    loss_j = loss_j * (mp.leadership.morale_loss_base - jp.leadership)
    loss_j = loss_j + mp.isolation_morale * ~P.supplied
    loss_r = mp.morale_shock * _ratio(f.cas_r, P.R_raw) + mp.morale_pressure * odds_r + mp.air_morale * f.air
    junta = SIDE[u.faction] == 0
    loss = np.where(junta, loss_j[u.node], loss_r[u.node])
    base = np.where(junta, jp.morale, s.p.resistance.morale)
    recover = np.maximum(mp.morale_recovery * (base - u.morale), 0.0) * ~f.assault[u.node]
    return np.clip(u.morale - loss + recover, 0.0, 1.0)


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
    clearance = f.assault & (s.holder == 0) & (P.R_attack == 0)
    rate = np.select(
        [clearance, f.assault, f.engaged],
        [mp.displacement_clearance, mp.displacement_assault, mp.displacement_harassment],
        0.0,
    )
    return np.minimum(
        1.0, rate + mp.displacement_air * f.air + mp.displacement_capture * (s.captured_day == s.day)
    )
