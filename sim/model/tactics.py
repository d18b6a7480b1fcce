"""Decision kernels: where units go today (attack, hold, reinforce, fall back), and the
junta command's plan. Pure functions of a `Situation`; they return orders.

Commanders assault a neighbouring town when the local force ratio they can
bring exceeds `attack_ratio` (the classic 3:1 rule softened for irregular war)
and fall back under `retreat_ratio`. A coordinated resistance concentrates on
the best target; a loosely aligned one scatters its choices [AP-2023:
"coordinated nationwide attacks"]. The junta command plans a route field to its
objectives every few days; better leadership plans more often and reacts faster
[DW-2025].
"""

from __future__ import annotations

import numpy as np

from sim.model.orders import Orders, best, edges, fall_back, groups
from sim.model.situation import JuntaPlan, Situation
from sim.model.strength import Powers, defence, junta_effective, powers
from sim.model.units import ATTACK, GUERRILLA, HOLD, MOBILE
from sim.world.factions import FACTIONS, SIDE
from sim.world.routing import bfs_field


def held_powers(s: Situation, P: Powers) -> tuple[np.ndarray, np.ndarray]:
    """Effective strength of each side where it holds the town, with the holder's defence."""
    d_junta, d_rebel = defence(s)
    return P.J * np.where(s.holder == 0, d_junta, 1.0), P.R * np.where(SIDE[s.holder] == 1, d_rebel, 1.0)


def resistance_orders(s: Situation, P: Powers, rng: np.random.Generator) -> Orders:
    """Today's orders to every resistance unit not on the march or consolidating."""
    u = s.units
    mp = s.p.model
    tp = mp.tactics
    n_nodes = s.geo.n
    orders = Orders(s)
    fac = u.faction
    node, mode = orders.node, orders.mode
    ready = u.alive & (u.busy == 0) & (u.rest == 0) & (SIDE[fac] == 1)
    offensive, cease = s.offensive, s.cease
    J_def, R_def = held_powers(s, P)

    # units in a junta-held town's countryside: press the assault, lie low, or fall back
    inside = ready & (s.holder[node] == 0)
    ratio = P.R[node] / (J_def[node] + 1.0)
    mode[inside & cease[fac]] = HOLD
    fighting = inside & ~cease[fac]
    assault = fighting & (mode == GUERRILLA) & offensive[fac] & s.operating[fac, node]
    mode[assault & (ratio >= mp.attack_ratio)] = ATTACK
    mode[fighting & (mode == ATTACK) & ~offensive[fac]] = GUERRILLA
    pressed = (mode == ATTACK) | (P.J_attack[node] > 0)  # assaulting, or hunted by a clearance
    broken = u.morale < mp.morale_break
    retreat = np.flatnonzero(fighting & ((pressed & (ratio < mp.retreat_ratio)) | broken))
    stuck = fall_back(s, orders, retreat, lambda v: SIDE[s.holder[v]] != 0)
    mode[stuck] = GUERRILLA

    # defenders whose morale broke under a junta assault abandon the town
    fleeing = np.flatnonzero(ready & (SIDE[s.holder[node]] == 1) & (P.J_attack[node] > 0) & broken)
    fall_back(s, orders, fleeing, lambda v: SIDE[s.holder[v]] != 0 and P.J_attack[v] == 0)

    # units in friendly towns, decided per (faction, town) group
    staying = ready.copy()
    staying[fleeing] = False
    home = np.flatnonzero(staying & (SIDE[s.holder[node]] != 0))
    if len(home) == 0:
        return orders
    key = fac[home] * n_nodes + node[home]
    found, first, group_of, count = groups(key, len(FACTIONS) * n_nodes)
    gf, gu = found // n_nodes, found % n_nodes
    owner, v = edges(s, gu)
    of = gf[owner]
    hostile = (s.holder[v] == 0) & ~cease[of] & s.operating[of, v]
    front = np.bincount(owner, hostile, len(found)) > 0
    # a faction keeps one unit in a front town it holds, and all of them while junta
    # forces mass against it
    danger = threat(s, P) / (R_def + 1.0)
    keeps = (s.holder[gu] == gf) & front
    hold_all = (s.holder[gu] == gf) & (danger[gu] > tp.hold_danger)
    is_first = np.zeros(len(home), dtype=bool)
    is_first[first] = True
    keeper = (keeps[group_of] & is_first) | hold_all[group_of]
    movable = np.where(hold_all, 0, count - keeps)
    power = P.Rf[gf, gu] * movable / count
    ratio_v = (power[owner] + P.R[v]) / (J_def[v] + 1.0)
    ok = hostile & offensive[of] & (ratio_v >= mp.attack_ratio) & (movable[owner] > 0)
    coordinated = rng.random(len(found)) < s.p.resistance.coordination
    # coordinated commanders concentrate on the best target, above all one allies already assault
    joint = 1.0 + tp.joint_assault * (P.R_attack[v] > 0)
    score = np.where(
        coordinated[owner], s.value[v] * np.minimum(ratio_v, tp.ratio_cap) * joint, rng.random(len(v))
    )
    target = best(owner, score, ok, len(found))
    g_dest = np.where(target >= 0, v[np.maximum(target, 0)], -1)
    g_mode = np.where(target >= 0, ATTACK, HOLD)

    # no assault: reinforce the neighbouring friendly town most outmatched by the junta
    # forces assaulting it or massing next to it, if worse off than this one; else march
    # to the front
    need = (
        (SIDE[s.holder[v]] == 1)
        & (danger[v] > tp.reinforce_danger)
        & (danger[v] > danger[gu[owner]])
        & s.operating[of, v]
        & (movable[owner] > 0)
    )
    help_ = best(owner, danger[v], need, len(found))
    answer = (target < 0) & (help_ >= 0) & (rng.random(len(found)) < tp.reinforce_chance)
    g_dest = np.where(answer, v[np.maximum(help_, 0)], g_dest)
    idle = (g_dest < 0) & ~front & (rng.random(len(found)) < tp.redeploy_chance)
    for g in np.flatnonzero(idle).tolist():
        dist, nexthop = s.front_field(int(gf[g]))
        if dist[gu[g]] > 1:
            g_dest[g] = nexthop[gu[g]]
    unit_dest = g_dest[group_of]
    go = np.flatnonzero((unit_dest >= 0) & ~keeper)
    idx = home[go]
    orders.move(idx, unit_dest[go])
    mode[idx] = g_mode[group_of[go]]
    return orders


def threat(s: Situation, P: Powers) -> np.ndarray:
    """Junta power that can strike each town: assaulting it, or on the roads next to it."""
    nbr = s.geo.csr[1]
    near = np.zeros(s.geo.n)
    np.add.at(near, s.geo.edge_src, P.J[nbr] * (s.holder[nbr] == 0))
    return near + P.J * (P.J_attack > 0)


def junta_orders(s: Situation, P: Powers, rng: np.random.Generator) -> Orders:
    """Today's orders to the junta's mobile formations, following the command's plan."""
    u = s.units
    mp, jp = s.p.model, s.p.junta
    orders = Orders(s)
    node, mode = orders.node, orders.mode
    ready = u.alive & (u.busy == 0) & (u.rest == 0) & (u.kind == MOBILE)
    _, R_def = held_powers(s, P)
    d_junta, _ = defence(s)

    # formations assaulting a resistance town fall back when outmatched
    out = np.flatnonzero(ready & (SIDE[s.holder[node]] == 1))
    ratio = P.J[node[out]] / (R_def[node[out]] + 1.0)
    fall_back(s, orders, out[ratio < mp.retreat_ratio], lambda v: s.holder[v] == 0)

    here = np.flatnonzero(ready & (s.holder[node] == 0))
    if len(here) == 0:
        return orders
    nodes, _, group_of, _ = groups(node[here], s.geo.n)
    mobile_power = np.bincount(group_of, junta_effective(s, here), len(nodes))
    owner, v = edges(s, nodes)
    ratio_v = (mobile_power[owner] + P.J[v]) / (R_def[v] + 1.0)
    ok = s.plan.targets[v] & (SIDE[s.holder[v]] == 1) & (ratio_v >= mp.attack_ratio)
    target = best(owner, s.value_junta[v] * np.minimum(ratio_v, mp.tactics.ratio_cap), ok, len(nodes))
    g_dest = np.where(target >= 0, v[np.maximum(target, 0)], -1)
    g_mode = np.where(target >= 0, ATTACK, HOLD)
    # a formation leaves a contested town only if what stays can hold it
    staying = (P.J[nodes] - mobile_power) * d_junta[nodes]
    can_leave = staying >= P.R[nodes]
    floor = mp.leadership.reaction_floor
    react = rng.random(len(nodes)) < floor + (1 - floor) * jp.leadership
    g_dest = np.where(can_leave, g_dest, -1)
    step = (g_dest < 0) & can_leave & react & (s.plan.dist[nodes] > 0)
    g_dest = np.where(step, s.plan.next[nodes], g_dest)
    # on the offensive, formations kept in a contested town clear its countryside
    # [DW-2025: retaking highways and trade routes]
    clearing = (g_dest < 0) & (P.R[nodes] > 0) & s.junta_offensive
    mode[here] = np.where(clearing[group_of], ATTACK, HOLD)
    unit_dest = g_dest[group_of]
    go = np.flatnonzero(unit_dest >= 0)
    orders.move(here[go], unit_dest[go])
    mode[here[go]] = g_mode[group_of[go]]
    return orders


def junta_plan(s: Situation, rng: np.random.Generator) -> JuntaPlan:
    """The command's plan: defend towns under assault; on the offensive, pick the most
    valuable weakly held resistance towns; then a route field from every junta town."""
    P = powers(s)
    jp, mp = s.p.junta, s.p.model
    held = s.holder == 0
    threatened = held & (P.R_attack > 0)
    targets = np.zeros(s.geo.n, dtype=bool)
    if s.junta_offensive:
        _, d_rebel = defence(s)
        r_def = P.R * d_rebel
        near_junta = np.zeros(s.geo.n, dtype=bool)
        np.logical_or.at(near_junta, s.geo.csr[1], held[s.geo.edge_src])
        cand = np.flatnonzero((SIDE[s.holder] == 1) & ~s.cease[s.holder] & near_junta)
        if len(cand):
            noise = np.exp(rng.normal(0.0, mp.leadership.target_noise * (1.0 - jp.leadership), len(cand)))
            score = s.value_junta[cand] / np.sqrt(r_def[cand] + mp.tactics.target_defence_offset) * noise
            mobile = (s.units.kind == MOBILE) & s.units.alive
            k = max(1, int(int(mobile.sum()) // mp.tactics.formations_per_target))
            targets[cand[np.argsort(-score)[:k]]] = True
    staging = np.zeros(s.geo.n, dtype=bool)
    np.logical_or.at(staging, s.geo.edge_src, targets[s.geo.csr[1]])
    sources = threatened | (staging & held)
    dist, nexthop = bfs_field(s.geo.neighbours, sources, held)
    return JuntaPlan(targets, dist, nexthop)
