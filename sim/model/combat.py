"""Engagements, vectorised over towns: Lanchester-type attrition with stochastic losses.

Each town where junta and resistance fighters meet is one engagement a day.
Losses follow Lanchester's aimed-fire (square) law, dB/dt = -a R, drawn as
Poisson counts [Lanchester 1916; Epstein 1985 on adaptive defence], with the
effective strengths scaled by quality, morale, supply, drones, air strikes,
fortification and terrain. Junta garrisons break when their morale does and
then surrender or withdraw [AP-2023: surrenders, defections, abandoned posts].
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING

import numpy as np

from sim.model.units import ATTACK, GARRISON, HOLD, MOBILE
from sim.world.factions import SIDE

if TYPE_CHECKING:
    from sim.model.model import ConflictModel


def _fighters(m: ConflictModel) -> tuple[np.ndarray, ...]:
    """Masks of junta and resistance units fighting where they stand today."""
    f = m.forces
    alive = f.view("alive") & (f.view("busy") == 0)
    fac = f.view("faction")
    node = f.view("node")
    side = SIDE[fac]
    junta = alive & (side == 0)
    rebel = alive & (side == 1) & ~m.cease[fac] & ((f.view("mode") != HOLD) | (SIDE[m.holder[node]] == 1))
    return junta, rebel, fac, node


def presence(m: ConflictModel) -> SimpleNamespace:
    """Raw strengths per town (no multipliers): who is left standing where."""
    f = m.forces
    junta, rebel, fac, node = _fighters(m)
    s = f.view("strength")
    n_nodes, n_fac = m.geo.n, len(m.codes)
    attacking = junta & (f.view("mode") == ATTACK)
    rf_raw = np.bincount(fac[rebel] * n_nodes + node[rebel], s[rebel], n_fac * n_nodes).reshape(
        n_fac, n_nodes
    )
    return SimpleNamespace(
        J_raw=np.bincount(node[junta], s[junta], n_nodes),
        J_attack=np.bincount(node[attacking], s[attacking], n_nodes),
        Rf_raw=rf_raw,
        R_raw=rf_raw.sum(0),
        junta=junta,
        rebel=rebel,
    )


def junta_multiplier(m: ConflictModel) -> float:
    """Command, drones and Chinese materiel: what multiplies every junta unit's strength."""
    jp, mp = m.p.junta, m.p.model
    lp = mp.leadership
    return (
        (lp.strength_base + lp.strength_gain * jp.leadership)
        * (1 + mp.drone_effect * jp.drones)
        * (1 + m.china.junta_support())
    )


def powers(m: ConflictModel) -> SimpleNamespace:
    """Effective and raw fighting strength per town: junta, and each resistance faction."""
    P = presence(m)
    f = m.forces
    n_nodes, n_fac = m.geo.n, len(m.codes)
    junta, rebel = P.junta, P.rebel
    fac, node = f.view("faction"), f.view("node")
    s = f.view("strength")
    floor = m.p.model.morale_floor
    eff = s * f.view("quality") * (floor + (1 - floor) * f.view("morale"))
    P.supplied = m.junta_supplied()
    eff_j = eff * junta_multiplier(m) * np.where(P.supplied[node], 1.0, m.p.model.unsupplied_effect)
    eff_r = eff * m.supply[fac] * (1 + m.p.model.drone_effect * m.p.resistance.drones)
    P.J = np.bincount(node[junta], eff_j[junta], n_nodes)
    P.Rf = np.bincount(fac[rebel] * n_nodes + node[rebel], eff_r[rebel], n_fac * n_nodes).reshape(
        n_fac, n_nodes
    )
    P.R = P.Rf.sum(0)
    assaulting = rebel & (f.view("mode") == ATTACK)
    P.R_attack = np.bincount(node[assaulting], s[assaulting], n_nodes)
    return P


def defence(m: ConflictModel) -> tuple[np.ndarray, np.ndarray]:
    """Defence multipliers of the holder of each town: (if junta holds it, if resistance does)."""
    mp = m.p.model
    fort = np.sqrt(m.outposts / m.outposts_base)
    naval = np.where(m.coast, mp.naval_support, 1.0)  # naval guns on the Rakhine coast [AP-2023]
    return m.terrain * naval * (1 + (mp.fortification - 1) * fort), m.terrain * mp.field_fortification


def allocate_air(m: ConflictModel, P: SimpleNamespace, assault: np.ndarray) -> np.ndarray:
    """Air strikes of the day by town, by doctrine.

    Pre-emptive: at every assault from its first day, and where the junta attacks.
    Reactive: only after `air_delay_days` of a siege, and as reprisal on towns
    recently lost [DW-2025: air force now used at the start of an engagement].
    """
    jp, air = m.p.junta, m.p.model.air
    k = m.rng.poisson(jp.air_strikes_per_day)
    if k == 0:
        return np.zeros(m.geo.n)
    if jp.air_doctrine == "preemptive":
        junta_attacks = assault & (SIDE[m.holder] == 1)
        opening = assault & (m.engaged_days < air.opening_days)
        w = assault * 1.0 + air.attack_weight * junta_attacks + air.opening_weight * opening
    else:
        sieged = assault & (m.holder == 0) & (m.engaged_days >= m.p.model.air_delay_days)
        reprisal = (SIDE[m.holder] == 1) & (m.day - m.captured_day <= air.reprisal_days)
        w = sieged * 1.0 + reprisal * 1.0
    w = w * (1 + P.R_raw)
    if w.sum() <= 0:
        return np.zeros(m.geo.n)
    return m.rng.multinomial(k, w / w.sum()).astype(float)


def _share_losses(m: ConflictModel, mask: np.ndarray, node_loss: np.ndarray, node_raw: np.ndarray) -> None:
    f = m.forces
    s = f.view("strength")
    node = f.view("node")
    idx = np.flatnonzero(mask)
    raw = node_raw[node[idx]]
    frac = np.divide(node_loss[node[idx]], raw, out=np.zeros(len(idx)), where=raw > 0)
    s[idx] -= s[idx] * np.minimum(frac, 1.0)


def resolve(m: ConflictModel) -> None:
    """All of today's engagements, then breaks, captures and displacement."""
    rng = m.rng
    mp = m.p.model
    P = powers(m)
    engaged = (P.J_raw > 0) & (P.R_raw > 0)
    # an assault on a town, or a junta clearance of the countryside around its own town
    assault = engaged & (((P.R_attack > 0) & (m.holder == 0)) | (P.J_attack > 0))
    intensity = np.where(assault, 1.0, mp.harassment) * engaged
    air = allocate_air(m, P, assault)
    air = air * (P.R_raw > 0)
    m.air_strikes += int(air.sum())

    d_junta, d_rebel = defence(m)
    junta_holds = m.holder == 0
    rebel_holds = SIDE[m.holder] == 1
    pj = P.J * np.where(junta_holds, d_junta, 1.0) * (1 + mp.air_effect * air)
    allied = (P.Rf_raw > 0).sum(0) >= 2
    coord = 1 + mp.coordination_bonus * m.p.resistance.coordination * allied
    pr = P.R * np.where(rebel_holds, d_rebel, 1.0) * coord

    cas_j = np.minimum(rng.poisson(mp.lethality * intensity * pr), P.J_raw)
    cas_r = np.minimum(rng.poisson(mp.lethality * intensity * pj + mp.air_kill * air), P.R_raw)
    _share_losses(m, P.junta, cas_j, P.J_raw)
    _share_losses(m, P.rebel, cas_r, P.R_raw)
    m.killed += (cas_j.sum(), cas_r.sum())
    for fac in m.resistance_factions:
        fac.ammo = max(0.0, fac.ammo - mp.ammo_use * float((P.Rf_raw[fac.index] * intensity).sum()))

    _morale(m, P, assault, cas_j, cas_r, pj, pr, air)
    _outposts(m, P, assault, pj, pr)
    _breaks(m, P, assault)
    _captures(m)

    m.engaged_days = np.where(assault, m.engaged_days + 1, 0)
    # an assault on a town drives out more people than a sweep of its countryside
    clearance = assault & (m.holder == 0) & (P.R_attack == 0)
    rate = np.select(
        [clearance, assault, engaged],
        [mp.displacement_clearance, mp.displacement_assault, mp.displacement_harassment],
        0.0,
    )
    rate = np.minimum(
        1.0, rate + mp.displacement_air * air + mp.displacement_capture * (m.captured_day == m.day)
    )
    fled = m.residents * rate
    m.residents -= fled
    m.displaced += fled.sum()


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.divide(a, b, out=np.zeros_like(a), where=b > 0)


def _morale(m, P, assault, cas_j, cas_r, pj, pr, air) -> None:
    """Morale of both sides falls with losses and adverse odds under assault (air
    strikes shake the resistance, isolation the junta) and recovers toward its
    baseline out of combat; broken units give up the fight [Epstein 2002: action
    when a threshold is crossed]."""
    f = m.forces
    mp, jp = m.p.model, m.p.junta
    alive = f.view("alive")
    side = SIDE[f.view("faction")]
    node = f.view("node")
    morale = f.view("morale")
    odds_j = np.maximum(0.0, _ratio(pr, pj) - 1) * assault
    odds_r = np.maximum(0.0, _ratio(pj, pr) - 1) * assault
    loss_j = (mp.morale_shock * _ratio(cas_j, P.J_raw) + mp.morale_pressure * odds_j) * (
        mp.leadership.morale_loss_base - jp.leadership
    )
    loss_j = loss_j + mp.isolation_morale * ~P.supplied
    loss_r = mp.morale_shock * _ratio(cas_r, P.R_raw) + mp.morale_pressure * odds_r + mp.air_morale * air
    junta = side == 0
    loss = np.where(junta, loss_j[node], loss_r[node])
    base = np.where(junta, jp.morale, m.p.resistance.morale)
    recover = np.maximum(mp.morale_recovery * (base - morale), 0.0) * ~assault[node]
    morale[alive] = np.clip(morale - loss + recover, 0.0, 1.0)[alive]


def _outposts(m, P, assault, pj, pr) -> None:
    """Outposts around a besieged junta town fall one by one [AP-2023: >180 in five weeks]."""
    hit = assault & (m.holder == 0) & (m.outposts > 0)
    if not hit.any():
        return
    p = np.minimum(1.0, 2 * m.p.model.outpost_fall_rate * pr / np.maximum(pr + pj, 1e-9))
    lost = m.rng.binomial(m.outposts[hit].astype(np.int64), p[hit]).astype(float)
    m.outposts[hit] -= lost
    m.outposts_lost += lost.sum()
    winners = P.Rf_raw[:, hit].argmax(0)
    for fac, n in zip(winners.tolist(), lost.tolist(), strict=True):
        m.by_index[fac].arms += n * m.p.model.arms_per_outpost


def _breaks(m, P, assault) -> None:
    """Junta units whose morale breaks in combat give up: part surrenders (arms to the
    captor, some men defect), the rest withdraws along a road the junta holds;
    encircled, all surrender [AP-2023: surrenders, defections, abandoned positions]."""
    f = m.forces
    mp, jp = m.p.model, m.p.junta
    node = f.view("node")
    broken = np.flatnonzero(
        f.view("alive")
        & (f.view("faction") == 0)
        & (f.view("busy") == 0)
        & (f.view("morale") < mp.morale_break)
        & assault[node]
    )
    if len(broken) == 0:
        return
    withdraw, dest = [], []
    for i in broken.tolist():
        u = int(node[i])
        back = [v for v in m.geo.neighbours[u] if m.holder[v] == 0]
        if not back:  # encircled: nowhere to go
            share = 1.0
        elif m.holder[u] != 0:  # a failed assault: most fall back, stragglers are taken
            share = mp.failed_assault_surrender * mp.surrender_share
        else:  # a garrison: worse when cut off from supply and badly led
            cut_off = not P.supplied[u]
            lp = mp.leadership
            cut = mp.cut_off_surrender if cut_off else 1.0
            share = min(
                1.0, mp.surrender_share * cut * (lp.surrender_base - lp.surrender_gain * jp.leadership)
            )
        s = float(f.strength[i]) * share
        captor = m.by_index[int(P.Rf_raw[:, u].argmax())]
        f.strength[i] -= s
        m.surrendered[0] += s
        captor.arms += s
        defectors = mp.defection_share * s
        captor.pool += defectors
        m.recruited[1] += defectors
        if back and f.strength[i] >= 1.0:
            supplied = [v for v in back if P.supplied[v]]
            withdraw.append(i)
            dest.append((supplied or back)[0])
    if withdraw:
        idx = np.array(withdraw)
        m.move_units(idx, np.array(dest))
        f.morale[idx] = mp.morale_break + mp.withdrawal_morale
        f.mode[idx] = HOLD
        f.kind[idx] = MOBILE


def _captures(m) -> None:
    """A town changes hands when its holder has no fighters left there and the enemy
    has; the victors stay to consolidate it for a while."""
    f = m.forces
    P = presence(m)
    lost_j = (m.holder == 0) & (P.J_raw < 1) & (P.R_raw >= 1)
    lost_r = (SIDE[m.holder] == 1) & (P.R_raw < 1) & (P.J_attack >= 1)
    taken = lost_j | lost_r
    if not taken.any():
        return
    for n in np.flatnonzero(lost_j).tolist():
        m.set_holder(n, int(P.Rf_raw[:, n].argmax()))
    node = f.view("node")
    victors = f.view("alive") & taken[node]
    f.view("mode")[victors] = HOLD
    f.view("rest")[victors] = m.p.model.consolidation_days
    for n in np.flatnonzero(lost_r).tolist():
        m.set_holder(n, 0)
        here = np.flatnonzero(f.view("alive") & (f.view("node") == n) & (f.view("faction") == 0))
        if len(here) and not (f.kind[here] == GARRISON).any():
            m.detach_garrison(n, here[np.argmax(f.strength[here])])
