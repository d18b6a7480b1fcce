"""The records the orders' kernels (`tactics.py`) take their inputs in, by name: the strengths
they weigh, the map and the command's plan they read, their rule numbers, and the groups
they form. `tactics.resistance_inputs` and `junta_inputs` build them from the day's view.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.jit import njit
from sim.model.situation import Units
from sim.model.strength import Powers


class Odds(NamedTuple):
    """The strengths the orders weigh (`strength._tally`'s; see `Powers`)."""

    Rf: np.ndarray
    R: np.ndarray
    R_attack: np.ndarray
    J: np.ndarray
    J_attack: np.ndarray
    J_def: np.ndarray
    R_def: np.ndarray
    d_junta: np.ndarray
    junta_power: np.ndarray


class Board(NamedTuple):
    """The map as the resistance's orders read it: sides, holders, who is in a ceasefire or on
    the offensive, where each faction fights, the roads, what each township is worth, and
    each faction's route toward its front."""

    side: np.ndarray
    holder: np.ndarray
    cease: np.ndarray
    offensive: np.ndarray  # faction x township: on the offensive on the township's front
    operating: np.ndarray
    indptr: np.ndarray
    nbr: np.ndarray
    value: np.ndarray
    front_dist: np.ndarray
    front_next: np.ndarray


class ResistanceRules(NamedTuple):
    """The rule numbers of the resistance's orders (`[model]`, `[model.tactics]`)."""

    attack_ratio: float
    retreat_ratio: float
    morale_break: float
    hold_danger: float
    reinforce_danger: float
    ratio_cap: float
    joint_assault: float
    coordination: float
    reinforce_chance: float
    redeploy_chance: float


class Groups(NamedTuple):
    """Ready units grouped by (faction, township) (`orders.groups`), and the groups' roads."""

    faction: np.ndarray
    town: np.ndarray
    count: np.ndarray
    owner: np.ndarray  # the group of each road
    road_to: np.ndarray  # where each road leads
    first: np.ndarray  # the first unit of each group
    group_of: np.ndarray  # each unit's group
    units: np.ndarray


class Command(NamedTuple):
    """What the junta's formations read of the command's plan and the map."""

    side_of: np.ndarray  # the holder's side per township
    indptr: np.ndarray
    nbr: np.ndarray
    targets: np.ndarray
    dist: np.ndarray
    nexthop: np.ndarray
    value_junta: np.ndarray
    attacking: np.ndarray  # per township: its regional command is on the offensive
    reaction: np.ndarray  # per township: chance a group's command there reacts today


class JuntaRules(NamedTuple):
    retreat_ratio: float
    attack_ratio: float
    ratio_cap: float


class Formations(NamedTuple):
    """Mobile formations ready to move, grouped by the junta township they are in."""

    towns: np.ndarray
    owner: np.ndarray  # the group of each road
    road_to: np.ndarray
    power: np.ndarray  # each group's effective strength
    units: np.ndarray
    group_of: np.ndarray


def odds_of(P: Powers) -> Odds:
    return Odds(P.Rf, P.R, P.R_attack, P.J, P.J_attack, P.J_def, P.R_def, P.d_junta, P.junta_power)


@njit
def named_orders(resistance, junta):
    """`resistance_inputs`' and `junta_inputs`' records named again, from the plain tuples a
    compiled caller was handed (`records.plain`)."""
    r_units, board, r_rules = resistance
    j_units, command, j_rules = junta
    return (
        (Units(*r_units), Board(*board), ResistanceRules(*r_rules)),
        (Units(*j_units), Command(*command), JuntaRules(*j_rules)),
    )
