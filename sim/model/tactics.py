"""Decision kernels: where units go today (attack, hold, reinforce, fall back). Pure
functions of a `Situation`; they return orders.

Commanders assault a neighbouring town when the local force ratio they can
bring exceeds `attack_ratio` (the classic 3:1 rule softened for irregular war)
and fall back under `retreat_ratio`. A coordinated resistance concentrates on
the best target; a loosely aligned one scatters its choices [AP-2023:
"coordinated nationwide attacks"]. The junta's formations follow the command's plan
(`plan.py`); better leadership reacts faster [DW-2025].
"""

from __future__ import annotations

import numpy as np

from sim.jit import generator_ref, njit
from sim.model.order_records import (
    Board,
    Command,
    Formations,
    Groups,
    JuntaRules,
    ResistanceRules,
    odds_of,
)
from sim.model.orders import Orders, edges, fall_back_moves, groups
from sim.model.situation import Situation, Units, numbers
from sim.model.strength import Powers
from sim.model.units import ATTACK, GUERRILLA, HOLD, MOBILE
from sim.world.factions import SIDE


def resistance_orders(s: Situation, P: Powers, rng: np.random.Generator) -> Orders:
    """Today's orders to every resistance unit not on the march or consolidating.

    Units in a junta-held town's countryside press the assault, lie low, or fall back;
    defenders whose morale broke under a junta assault abandon the town; the rest are
    decided per (faction, town) group: assault the best neighbouring target, reinforce
    the most endangered neighbour, or march toward the front.
    """
    orders = Orders(s)
    moves, fell_back, ordered = _resistance_orders(
        generator_ref(rng), orders.node, orders.mode, odds_of(P), *resistance_inputs(s)
    )
    # in turn: a unit may fall back, then flee on from where it fell back to; then the groups
    for batch in (moves[:, :fell_back], moves[:, fell_back:], ordered):
        if batch.shape[1]:
            orders.moves.append((batch[0], batch[1]))
    return orders


def resistance_inputs(s: Situation) -> tuple[Units, Board, ResistanceRules]:
    """What `_resistance_orders` reads of the day besides the units' places, modes and the
    strengths, as its records (also for a kernel that calls it)."""
    mp = s.p.model
    tp = mp.tactics
    indptr, nbr = s.geo.csr[:2]
    front_dist, front_next = s.front_fields()
    board = Board(
        SIDE, s.holder, s.cease, s.offensive, s.operating, indptr, nbr, s.value, front_dist, front_next
    )
    rules = numbers(
        ResistanceRules, mp.attack_ratio, mp.retreat_ratio, mp.morale_break, tp.hold_danger,
        tp.reinforce_danger, tp.ratio_cap, tp.joint_assault, s.p.resistance.coordination,
        tp.reinforce_chance, tp.redeploy_chance,
    )  # fmt: skip
    return s.units, board, rules


@njit
def _resistance_orders(draws, node, mode, odds, units, board, rules):
    """`_contact`; then the units left to decide, grouped by (faction, town) with each group's
    roads (`orders.groups`, `orders.edges`), take `_group_orders` on one block of draws. Packed:
    the contact moves (units; destinations: those falling back, then those fleeing), how many
    fall back, and the groups' moves (units; destinations). Reads the records `Odds`,
    `situation.Units`, `Board` and `ResistanceRules`."""
    holder = board.holder
    side_of = board.side[holder]
    retreats, to_safety, fled, to_shelter, home = _contact(units, node, mode, board, side_of, odds, rules)
    k = len(retreats)
    moves = np.empty((2, k + len(fled)), dtype=np.int64)
    moves[0, :k], moves[1, :k], moves[0, k:], moves[1, k:] = retreats, to_safety, fled, to_shelter
    if len(home) == 0:
        return moves, k, np.empty((2, 0), dtype=np.int64)
    n_nodes = len(holder)
    found, first, group_of, count = groups(
        units.faction[home] * n_nodes + node[home], len(board.cease) * n_nodes
    )
    gf, gu = found // n_nodes, found % n_nodes
    owner, v = edges(board.indptr, board.nbr, gu)
    # one block of draws, consumed as: coordination per group, a random score per road,
    # reinforcement and redeployment per group
    uniform = draws.rng.random(3 * len(gf) + len(v))
    danger = _danger(board.indptr, board.nbr, holder, odds.J, odds.J_attack, odds.R_def)
    grouped = Groups(gf, gu, count, owner, v, first, group_of, home)
    idx, dest = _group_orders(grouped, uniform, node, mode, side_of, danger, odds, board, rules)
    ordered = np.empty((2, len(idx)), dtype=np.int64)
    ordered[0], ordered[1] = idx, dest
    return moves, k, ordered


@njit
def _contact(units, node, mode, board, side_of, odds, rules):
    """Resistance units in contact, in the kernel's own node and mode arrays.

    In a junta-held town's countryside: in a ceasefire they lie low, and take up the fight
    again as guerrillas once it ends; on the offensive,
    guerrillas assault once the odds reach `attack_ratio`; off it, assaults stop. Those
    outmatched while assaulting or hunted, or broken, fall back to a friendly neighbour
    (guerrillas again if there is none). Defenders whose morale broke under a junta
    assault abandon the town for a friendly neighbour not under assault or, with none,
    disperse into the countryside of any neighbour not under assault [Mao 1936, the
    sixteen-character formula: the enemy advances, we retreat]. Returns those moves,
    and the units left to decide by group: those ready in friendly towns.
    """
    faction, morale, busy, rest, alive = units.faction, units.morale, units.busy, units.rest, units.alive
    side, holder, cease, offensive, operating = (
        board.side,
        board.holder,
        board.cease,
        board.offensive,
        board.operating,
    )
    indptr, nbr, R, J_def, J_attack = board.indptr, board.nbr, odds.R, odds.J_def, odds.J_attack
    n_units = len(node)
    ready = np.zeros(n_units, dtype=np.bool_)
    retreat = np.zeros(n_units, dtype=np.bool_)
    for i in range(n_units):
        f, town = faction[i], node[i]
        ready[i] = alive[i] and busy[i] == 0 and rest[i] == 0 and side[f] == 1
        if not ready[i] or holder[town] != 0:
            continue
        if cease[f]:
            mode[i] = HOLD
            continue
        if mode[i] == HOLD:  # lay low through a truce that has ended: back in the fight
            mode[i] = GUERRILLA
        ratio = R[town] / (J_def[town] + 1.0)
        if mode[i] == GUERRILLA and offensive[f, town] and operating[f, town] and ratio >= rules.attack_ratio:
            mode[i] = ATTACK
        if mode[i] == ATTACK and not offensive[f, town]:
            mode[i] = GUERRILLA
        pressed = mode[i] == ATTACK or J_attack[town] > 0
        retreat[i] = (pressed and ratio < rules.retreat_ratio) or morale[i] < rules.morale_break
    friendly = side_of != 0
    retreats, to_safety, stuck = fall_back_moves(indptr, nbr, node, mode, np.flatnonzero(retreat), friendly)
    for i in stuck:
        mode[i] = GUERRILLA
    fleeing = np.zeros(n_units, dtype=np.bool_)
    for i in range(n_units):
        town = node[i]
        fleeing[i] = ready[i] and side_of[town] == 1 and J_attack[town] > 0 and morale[i] < rules.morale_break
    quiet = J_attack == 0
    fled, to_shelter, trapped = fall_back_moves(
        indptr, nbr, node, mode, np.flatnonzero(fleeing), friendly & quiet
    )
    # no friendly town out of the assault: they slip away into the countryside of any quiet
    # neighbour, as guerrillas where the junta holds it, rather than die in place
    slipped, to_hills, _ = fall_back_moves(indptr, nbr, node, mode, trapped, quiet)
    for k in range(len(slipped)):
        if side_of[to_hills[k]] == 0:
            mode[slipped[k]] = GUERRILLA
    fled, to_shelter = np.concatenate((fled, slipped)), np.concatenate((to_shelter, to_hills))
    home = np.flatnonzero(ready & ~fleeing & (side_of[node] != 0))
    return retreats, to_safety, fled, to_shelter, home


@njit
def _group_orders(grouped, draws, node, mode, side_of, danger, odds, board, rules):
    """Orders per (faction, town) group, carried out in the kernel's node and mode arrays;
    returns the moves (units, destinations).

    A group assaults the neighbouring town whose odds reach `attack_ratio`: coordinated
    commanders pick the most valuable at the best odds, above all one allies already
    assault; the others pick at random [AP-2023: "coordinated nationwide attacks"]. With
    no assault, it reinforces the neighbouring friendly town most outmatched by junta
    forces, if worse off than its own, with `reinforce_chance`; idle away from the front,
    it marches toward it with `redeploy_chance`. A faction keeps one unit in a front town
    it holds, and all of them while junta forces mass against it.
    """
    gf, gu, count, owner, v = grouped.faction, grouped.town, grouped.count, grouped.owner, grouped.road_to
    home, first, group_of = grouped.units, grouped.first, grouped.group_of
    holder, cease, offensive, operating, value = (
        board.holder,
        board.cease,
        board.offensive,
        board.operating,
        board.value,
    )
    Rf, R, R_attack, J_def, r = odds.Rf, odds.R, odds.R_attack, odds.J_def, rules
    n_g, n_e = len(gf), len(v)
    g_dest = np.full(n_g, -1, dtype=np.int64)
    g_mode = np.full(n_g, HOLD, dtype=np.int8)
    keeps = np.zeros(n_g, dtype=np.bool_)
    hold_all = np.zeros(n_g, dtype=np.bool_)
    e = 0
    for g in range(n_g):
        f, town = gf[g], gu[g]
        lo = e
        while e < n_e and owner[e] == g:
            e += 1
        front = False
        for k in range(lo, e):
            if holder[v[k]] == 0 and not cease[f] and operating[f, v[k]]:
                front = True
        keeps[g] = holder[town] == f and front
        hold_all[g] = holder[town] == f and danger[town] > r.hold_danger
        movable = 0 if hold_all[g] else count[g] - keeps[g]
        power = Rf[f, town] * movable / count[g]
        coordinated = draws[g] < r.coordination
        target, best_score, helps, worst = -1, 0.0, -1, 0.0
        for k in range(lo, e):
            w = v[k]
            ratio = (power + R[w]) / (J_def[w] + 1.0)
            hostile = holder[w] == 0 and not cease[f] and operating[f, w]
            if hostile and offensive[f, w] and ratio >= r.attack_ratio and movable > 0:
                joint = 1.0 + r.joint_assault * (1.0 if R_attack[w] > 0 else 0.0)
                score = value[w] * min(ratio, r.ratio_cap) * joint if coordinated else draws[n_g + k]
                if target < 0 or score > best_score:
                    target, best_score = k, score
            if (
                side_of[w] == 1
                and danger[w] > r.reinforce_danger
                and danger[w] > danger[town]
                and operating[f, w]
                and movable > 0
                and (helps < 0 or danger[w] > worst)
            ):
                helps, worst = k, danger[w]
        if target >= 0:
            g_dest[g], g_mode[g] = v[target], ATTACK
        elif helps >= 0 and draws[n_g + n_e + g] < r.reinforce_chance:
            g_dest[g] = v[helps]
        idle = g_dest[g] < 0 and not front and draws[2 * n_g + n_e + g] < r.redeploy_chance
        if idle and board.front_dist[f, town] > 1:
            g_dest[g] = board.front_next[f, town]
    moving = np.zeros(len(home), dtype=np.bool_)
    for p in range(len(home)):
        g = group_of[p]
        keeper = (keeps[g] and p == first[g]) or hold_all[g]
        moving[p] = g_dest[g] >= 0 and not keeper
    return _move_groups(home, moving, group_of, g_dest, g_mode, node, mode)


@njit
def _move_groups(units, moving, group_of, g_dest, g_mode, node, mode):
    """The moving units go where their group goes, in its mode (in the kernel's node and mode
    arrays); returns the moves (units, destinations)."""
    idx, groups_moving = units[moving], group_of[moving]
    dest = g_dest[groups_moving]
    for k in range(len(idx)):
        node[idx[k]] = dest[k]
        mode[idx[k]] = g_mode[groups_moving[k]]
    return idx, dest


def danger(s: Situation, P: Powers) -> np.ndarray:
    """Junta power that can strike each town, assaulting it or on the roads next to it, per
    fighter the holder can defend it with (the orders' kernel computes it itself)."""
    indptr, nbr, _ = s.geo.csr
    return _danger(indptr, nbr, s.holder, P.J, P.J_attack, P.R_def)


@njit
def _danger(indptr, nbr, holder, J, J_attack, R_def):
    out = np.zeros(len(holder))
    for town in range(len(holder)):
        for e in range(indptr[town], indptr[town + 1]):
            if holder[nbr[e]] == 0:
                out[town] += J[nbr[e]]
        if J_attack[town] > 0:
            out[town] += J[town]
        out[town] /= R_def[town] + 1.0
    return out


def junta_orders(s: Situation, P: Powers, rng: np.random.Generator) -> Orders:
    """Today's orders to the junta's mobile formations, following the command's plan."""
    orders = Orders(s)
    withdrawn, ordered = _junta_orders(
        generator_ref(rng), orders.node, orders.mode, odds_of(P), *junta_inputs(s)
    )
    for batch in (withdrawn, ordered):
        if batch.shape[1]:
            orders.moves.append((batch[0], batch[1]))
    return orders


def junta_inputs(s: Situation) -> tuple[Units, Command, JuntaRules]:
    """What `_junta_orders` reads of the day besides the units' places, modes and the
    strengths, as its records (also for a kernel that calls it)."""
    mp, jp = s.p.model, s.p.junta
    floor = mp.leadership.reaction_floor
    indptr, nbr = s.geo.csr[:2]
    command = Command(
        SIDE[s.holder], indptr, nbr, s.plan.targets, s.plan.dist, s.plan.next, s.value_junta,
        s.junta_attacking, floor + (1 - floor) * jp.leadership * s.junta_capacity,
    )  # fmt: skip
    rules = JuntaRules(float(mp.retreat_ratio), float(mp.attack_ratio), float(mp.tactics.ratio_cap))
    return s.units, command, rules


@njit
def _junta_orders(draws, node, mode, odds, units, command, rules):
    """`_formations`, then whether each group's command reacts today (chance `reaction`), then
    `_formation_orders`. Packed: the withdrawals and the groups' moves (units; destinations).
    Reads the records `Odds`, `situation.Units`, `Command` and `JuntaRules`."""
    withdrawn, formations = _formations(units, node, mode, command, odds, rules.retreat_ratio)
    if len(formations.units) == 0:
        return withdrawn, np.empty((2, 0), dtype=np.int64)
    react = draws.rng.random(len(formations.towns)) < command.reaction[formations.towns]
    idx, dest = _formation_orders(formations, react, node, mode, command, odds, rules)
    ordered = np.empty((2, len(idx)), dtype=np.int64)
    ordered[0], ordered[1] = idx, dest
    return withdrawn, ordered


@njit
def _formations(units, node, mode, command, odds, retreat_ratio):
    """Mobile formations ready to move: those assaulting a resistance town fall back to a
    junta-held neighbour when outmatched; the rest are grouped by the junta town they are in,
    with the effective strength of each group and its roads. Returns the withdrawals (units;
    destinations) and the `Formations` left."""
    kind, busy, rest, alive = units.kind, units.busy, units.rest, units.alive
    side_of, indptr, nbr, J, R_def = command.side_of, command.indptr, command.nbr, odds.J, odds.R_def
    ready = np.zeros(len(node), dtype=np.bool_)
    outmatched = np.zeros(len(node), dtype=np.bool_)
    for i in range(len(node)):
        ready[i] = alive[i] and busy[i] == 0 and rest[i] == 0 and kind[i] == MOBILE
        town = node[i]
        outmatched[i] = ready[i] and side_of[town] == 1 and J[town] / (R_def[town] + 1.0) < retreat_ratio
    withdrawn, to_safety, _ = fall_back_moves(
        indptr, nbr, node, mode, np.flatnonzero(outmatched), side_of == 0
    )
    here = np.flatnonzero(ready & (side_of[node] == 0))
    nodes, _, group_of, _ = groups(node[here], len(side_of))
    mobile_power = np.zeros(len(nodes))
    for p in range(len(here)):
        mobile_power[group_of[p]] += odds.junta_power[here[p]]
    owner, v = edges(indptr, nbr, nodes)
    moves = np.empty((2, len(withdrawn)), dtype=np.int64)
    moves[0], moves[1] = withdrawn, to_safety
    return moves, Formations(nodes, owner, v, mobile_power, here, group_of)


@njit
def _formation_orders(formations, react, node, mode, command, odds, rules):
    """Orders per junta-held town with mobile formations, carried out in the kernel's node
    and mode arrays; returns the moves (units, destinations).

    They assault the planned target next to them with the best value at the best odds,
    once the odds reach `attack_ratio`; else, if the command reacts, step along the plan's
    route. They leave a contested town only if what stays can hold it; kept there on the
    offensive, they clear its countryside [DW-2025: retaking highways and trade routes].
    """
    nodes, owner, v, mobile_power = formations.towns, formations.owner, formations.road_to, formations.power
    here, group_of, c = formations.units, formations.group_of, command
    J, R, R_def, d_junta = odds.J, odds.R, odds.R_def, odds.d_junta
    n_g, n_e = len(nodes), len(v)
    g_dest = np.full(n_g, -1, dtype=np.int64)
    g_mode = np.full(n_g, HOLD, dtype=np.int8)
    clearing = np.zeros(n_g, dtype=np.bool_)
    e = 0
    for g in range(n_g):
        town = nodes[g]
        target, best_score = -1, 0.0
        while e < n_e and owner[e] == g:
            w = v[e]
            ratio = (mobile_power[g] + J[w]) / (R_def[w] + 1.0)
            if c.targets[w] and c.side_of[w] == 1 and ratio >= rules.attack_ratio:
                score = c.value_junta[w] * min(ratio, rules.ratio_cap)
                if target < 0 or score > best_score:
                    target, best_score = e, score
            e += 1
        can_leave = (J[town] - mobile_power[g]) * d_junta[town] >= R[town]
        if can_leave and target >= 0:
            g_dest[g], g_mode[g] = v[target], ATTACK
        elif can_leave and react[g] and c.dist[town] > 0:
            g_dest[g] = c.nexthop[town]
        clearing[g] = g_dest[g] < 0 and R[town] > 0 and c.attacking[town]
    moving = np.zeros(len(here), dtype=np.bool_)
    for p in range(len(here)):
        g = group_of[p]
        mode[here[p]] = ATTACK if clearing[g] else HOLD
        moving[p] = g_dest[g] >= 0
    return _move_groups(here, moving, group_of, g_dest, g_mode, node, mode)
