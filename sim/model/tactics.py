"""Where units go each day: attack, hold, reinforce, fall back. Vectorised over units.

Commanders assault a neighbouring town when the local force ratio they can
bring exceeds `attack_ratio` (the classic 3:1 rule softened for irregular war)
and fall back under `retreat_ratio`. A coordinated resistance concentrates on
the best target; a loosely aligned one scatters its choices [AP-2023:
"coordinated nationwide attacks"]. The junta command plans a route field to its
objectives every few days; better leadership plans more often and reacts faster
[DW-2025].
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING

import numpy as np

from sim.model.combat import defence, junta_multiplier, powers
from sim.model.units import ATTACK, GUERRILLA, HOLD, MOBILE
from sim.world.factions import SIDE
from sim.world.routing import bfs_field

if TYPE_CHECKING:
    from sim.model.model import ConflictModel


def _edges(m: ConflictModel, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each entry of `nodes`, its neighbours: (owner position, neighbour)."""
    indptr, nbr, _ = m.geo.csr
    counts = indptr[nodes + 1] - indptr[nodes]
    owner = np.repeat(np.arange(len(nodes)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return owner, nbr[np.repeat(indptr[nodes], counts) + offsets]


def _groups(keys: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Like np.unique(keys, return_index, return_inverse, return_counts) for small
    non-negative keys below `size`, without sorting: (groups, first, group_of, count)."""
    count_all = np.bincount(keys, minlength=size)
    groups = np.flatnonzero(count_all)
    lut = np.empty(size, dtype=np.int64)
    lut[groups] = np.arange(len(groups))
    group_of = lut[keys]
    first = np.full(len(groups), len(keys), dtype=np.int64)
    np.minimum.at(first, group_of, np.arange(len(keys)))
    return groups, first, group_of, count_all[groups]


def _best(owner: np.ndarray, score: np.ndarray, ok: np.ndarray, n_owner: int) -> np.ndarray:
    """Per owner, the index of the highest-scoring ok entry, or -1."""
    best = np.full(n_owner, -1)
    idx = np.flatnonzero(ok)
    if len(idx) == 0:
        return best
    order = idx[np.lexsort((-score[idx], owner[idx]))]
    first = np.unique(owner[order], return_index=True)
    best[first[0]] = order[first[1]]
    return best


def _fall_back(m: ConflictModel, idx: np.ndarray, safe) -> np.ndarray:
    """Move units to the first neighbouring town where `safe(town)`; returns those with none."""
    node = m.forces.view("node")
    dest = []
    for i in idx.tolist():
        back = [v for v in m.geo.neighbours[node[i]] if safe(v)]
        dest.append(back[0] if back else -1)
    dest = np.array(dest, dtype=np.int64)
    go = idx[dest >= 0]
    m.move_units(go, dest[dest >= 0])
    m.forces.mode[go] = HOLD
    return idx[dest < 0]


def move(m: ConflictModel) -> None:
    """Today's decisions of every unit not on the march."""
    for name in ("busy", "rest"):
        days = m.forces.view(name)
        days[days > 0] -= 1
    P = powers(m)
    d_junta, d_rebel = defence(m)
    P.J_def = P.J * np.where(m.holder == 0, d_junta, 1.0)
    P.R_def = P.R * np.where(SIDE[m.holder] == 1, d_rebel, 1.0)
    _resistance(m, P)
    _junta(m, P, d_junta)


def _resistance(m: ConflictModel, P: SimpleNamespace) -> None:
    f = m.forces
    mp = m.p.model
    tp = mp.tactics
    n_nodes = m.geo.n
    fac = f.view("faction")
    node = f.view("node")
    mode = f.view("mode")
    ready = f.view("alive") & (f.view("busy") == 0) & (f.view("rest") == 0) & (SIDE[fac] == 1)
    offensive, cease = m.offensive, m.cease

    # units in a junta-held town's countryside: press the assault, lie low, or fall back
    inside = ready & (m.holder[node] == 0)
    ratio = P.R[node] / (P.J_def[node] + 1.0)
    mode[inside & cease[fac]] = HOLD
    fighting = inside & ~cease[fac]
    assault = fighting & (mode == GUERRILLA) & offensive[fac] & m.operating[fac, node]
    mode[assault & (ratio >= mp.attack_ratio)] = ATTACK
    mode[fighting & (mode == ATTACK) & ~offensive[fac]] = GUERRILLA
    pressed = (mode == ATTACK) | (P.J_attack[node] > 0)  # assaulting, or hunted by a clearance
    broken = f.view("morale") < mp.morale_break
    retreat = np.flatnonzero(fighting & ((pressed & (ratio < mp.retreat_ratio)) | broken))
    stuck = _fall_back(m, retreat, lambda v: SIDE[m.holder[v]] != 0)
    mode[stuck] = GUERRILLA

    # defenders whose morale broke under a junta assault abandon the town
    fleeing = np.flatnonzero(ready & (SIDE[m.holder[node]] == 1) & (P.J_attack[node] > 0) & broken)
    _fall_back(m, fleeing, lambda v: SIDE[m.holder[v]] != 0 and P.J_attack[v] == 0)

    # units in friendly towns, decided per (faction, town) group
    staying = ready.copy()
    staying[fleeing] = False
    home = np.flatnonzero(staying & (SIDE[m.holder[node]] != 0))
    if len(home) == 0:
        return
    key = fac[home] * n_nodes + node[home]
    groups, first, group_of, count = _groups(key, len(m.codes) * n_nodes)
    gf, gu = groups // n_nodes, groups % n_nodes
    owner, v = _edges(m, gu)
    of = gf[owner]
    hostile = (m.holder[v] == 0) & ~cease[of] & m.operating[of, v]
    front = np.bincount(owner, hostile, len(groups)) > 0
    # a faction keeps one unit in a front town it holds, and all of them while junta
    # forces mass against it
    danger = _threat(m, P) / (P.R_def + 1.0)
    keeps = (m.holder[gu] == gf) & front
    hold_all = (m.holder[gu] == gf) & (danger[gu] > tp.hold_danger)
    is_first = np.zeros(len(home), dtype=bool)
    is_first[first] = True
    keeper = (keeps[group_of] & is_first) | hold_all[group_of]
    movable = np.where(hold_all, 0, count - keeps)
    power = P.Rf[gf, gu] * movable / count
    ratio_v = (power[owner] + P.R[v]) / (P.J_def[v] + 1.0)
    ok = hostile & offensive[of] & (ratio_v >= mp.attack_ratio) & (movable[owner] > 0)
    coordinated = m.rng.random(len(groups)) < m.p.resistance.coordination
    # coordinated commanders concentrate on the best target, above all one allies already assault
    joint = 1.0 + tp.joint_assault * (P.R_attack[v] > 0)
    score = np.where(
        coordinated[owner], m.value[v] * np.minimum(ratio_v, tp.ratio_cap) * joint, m.rng.random(len(v))
    )
    target = _best(owner, score, ok, len(groups))
    g_dest = np.where(target >= 0, v[np.maximum(target, 0)], -1)
    g_mode = np.where(target >= 0, ATTACK, HOLD)

    # no assault: reinforce the neighbouring friendly town most outmatched by the junta
    # forces assaulting it or massing next to it, if worse off than this one; else march
    # to the front
    need = (
        (SIDE[m.holder[v]] == 1)
        & (danger[v] > tp.reinforce_danger)
        & (danger[v] > danger[gu[owner]])
        & m.operating[of, v]
        & (movable[owner] > 0)
    )
    help_ = _best(owner, danger[v], need, len(groups))
    answer = (target < 0) & (help_ >= 0) & (m.rng.random(len(groups)) < tp.reinforce_chance)
    g_dest = np.where(answer, v[np.maximum(help_, 0)], g_dest)
    idle = (g_dest < 0) & ~front & (m.rng.random(len(groups)) < tp.redeploy_chance)
    for g in np.flatnonzero(idle).tolist():
        dist, nexthop = m.front_field(int(gf[g]))
        if dist[gu[g]] > 1:
            g_dest[g] = nexthop[gu[g]]
    unit_dest = g_dest[group_of]
    go = np.flatnonzero((unit_dest >= 0) & ~keeper)
    idx = home[go]
    m.move_units(idx, unit_dest[go])
    mode[idx] = g_mode[group_of[go]]


def _threat(m: ConflictModel, P: SimpleNamespace) -> np.ndarray:
    """Junta power that can strike each town: assaulting it, or on the roads next to it."""
    nbr = m.geo.csr[1]
    near = np.zeros(m.geo.n)
    np.add.at(near, m.geo.edge_src, P.J[nbr] * (m.holder[nbr] == 0))
    return near + P.J * (P.J_attack > 0)


def _junta(m: ConflictModel, P: SimpleNamespace, d_junta: np.ndarray) -> None:
    f = m.forces
    mp, jp = m.p.model, m.p.junta
    node = f.view("node")
    mode = f.view("mode")
    ready = f.view("alive") & (f.view("busy") == 0) & (f.view("rest") == 0) & (f.view("kind") == MOBILE)

    # formations assaulting a resistance town fall back when outmatched
    out = np.flatnonzero(ready & (SIDE[m.holder[node]] == 1))
    ratio = P.J[node[out]] / (P.R_def[node[out]] + 1.0)
    _fall_back(m, out[ratio < mp.retreat_ratio], lambda v: m.holder[v] == 0)

    here = np.flatnonzero(ready & (m.holder[node] == 0))
    if len(here) == 0:
        return
    nodes, _, group_of, _ = _groups(node[here], m.geo.n)
    mobile_power = np.bincount(group_of, _eff(m, here), len(nodes))
    owner, v = _edges(m, nodes)
    ratio_v = (mobile_power[owner] + P.J[v]) / (P.R_def[v] + 1.0)
    ok = m.junta_targets[v] & (SIDE[m.holder[v]] == 1) & (ratio_v >= mp.attack_ratio)
    target = _best(owner, m.value_junta[v] * np.minimum(ratio_v, mp.tactics.ratio_cap), ok, len(nodes))
    g_dest = np.where(target >= 0, v[np.maximum(target, 0)], -1)
    g_mode = np.where(target >= 0, ATTACK, HOLD)
    # a formation leaves a contested town only if what stays can hold it
    staying = (P.J[nodes] - mobile_power) * d_junta[nodes]
    can_leave = staying >= P.R[nodes]
    floor = mp.leadership.reaction_floor
    react = m.rng.random(len(nodes)) < floor + (1 - floor) * jp.leadership
    g_dest = np.where(can_leave, g_dest, -1)
    step = (g_dest < 0) & can_leave & react & (m.junta_dist[nodes] > 0)
    g_dest = np.where(step, m.junta_next[nodes], g_dest)
    # on the offensive, formations kept in a contested town clear its countryside
    # [DW-2025: retaking highways and trade routes]
    clearing = (g_dest < 0) & (P.R[nodes] > 0) & m.junta.offensive
    mode[here] = np.where(clearing[group_of], ATTACK, HOLD)
    unit_dest = g_dest[group_of]
    go = np.flatnonzero(unit_dest >= 0)
    m.move_units(here[go], unit_dest[go])
    mode[here[go]] = g_mode[group_of[go]]


def _eff(m: ConflictModel, idx: np.ndarray) -> np.ndarray:
    """Effective strength of some junta units (as in `powers`)."""
    f = m.forces
    floor = m.p.model.morale_floor
    return f.strength[idx] * f.quality[idx] * (floor + (1 - floor) * f.morale[idx]) * junta_multiplier(m)


def plan_junta(m: ConflictModel, offensive: bool) -> None:
    """The command's plan: defend towns under assault; on the offensive, pick the most
    valuable weakly held resistance towns; then a route field from every junta town."""
    P = powers(m)
    jp, mp = m.p.junta, m.p.model
    held = m.holder == 0
    threatened = held & (P.R_attack > 0)
    targets = np.zeros(m.geo.n, dtype=bool)
    if offensive:
        cease = m.cease
        _, d_rebel = defence(m)
        r_def = P.R * d_rebel
        near_junta = np.zeros(m.geo.n, dtype=bool)
        np.logical_or.at(near_junta, m.geo.csr[1], held[m.geo.edge_src])
        cand = np.flatnonzero((SIDE[m.holder] == 1) & ~cease[m.holder] & near_junta)
        if len(cand):
            noise = np.exp(m.rng.normal(0.0, mp.leadership.target_noise * (1.0 - jp.leadership), len(cand)))
            score = m.value_junta[cand] / np.sqrt(r_def[cand] + mp.tactics.target_defence_offset) * noise
            mobile = (m.forces.view("kind") == MOBILE) & m.forces.view("alive")
            k = max(1, int(int(mobile.sum()) // mp.tactics.formations_per_target))
            targets[cand[np.argsort(-score)[:k]]] = True
    staging = np.zeros(m.geo.n, dtype=bool)
    np.logical_or.at(staging, m.geo.edge_src, targets[m.geo.csr[1]])
    sources = threatened | (staging & held)
    m.junta_targets = targets
    m.junta_dist, m.junta_next = bfs_field(m.geo.neighbours, sources, held)
