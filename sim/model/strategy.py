"""Strategy: whether a commander goes on the offensive, from the balance of forces it faces.

A commander attacks when the forces it can bring outweigh the enemy's where it
fights by a margin, and stays on the defensive otherwise; once committed it
holds course until the balance falls clearly below the margin (hysteresis).
The margin is the same for every faction of a side, so who attacks, and when,
follows from strengths, training, morale, supply, drones, command and allies,
not from a setting [Epstein 2002: action when a net balance crosses a
threshold; the attacker's 3:1 rule of thumb].

- A resistance faction weighs, on each front (the part of the states where it fights that
  lies in one regional command's area), its own effective strength there plus its allies'
  in proportion to the resistance's coordination against the junta's strength there, and
  attacks on the fronts where the balance allows.
- Each of the junta's regional commands weighs the junta's effective strength in its area
  against the resistance factions fighting there that are not in a ceasefire with it, and
  attacks only where it has a front: a town of such a faction next to one of its own
  (model/regional.py).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.jit import njit
from sim.model.situation import Situation, Units, plain
from sim.model.strength import (
    Sides,
    StrengthRules,
    junta_strength,
    rebel_strength,
    tally_inputs,
    unit_strength,
)
from sim.model.sums import total
from sim.world.factions import SIDE


class Balance(NamedTuple):
    factions: np.ndarray  # per faction index: (own + allies) / junta strength where it fights
    fronts: np.ndarray  # faction x regional command: the same, in the part of its area in the command's
    commands: np.ndarray  # per regional command: junta / fighting resistance strength in its area
    front: np.ndarray  # per regional command: a fighting faction holds a town next to its junta towns
    need: np.ndarray  # per regional command: the junta's towns' worth there x resistance / junta


def balance(s: Situation) -> Balance:
    area = s.operating.astype(float)
    units, sides, holdings, rules = tally_inputs(s)
    own, facing, fighting, by_town, fighting_by_town, junta_by_town = _weigh(
        plain((units, sides, rules)), holdings.supplied, area
    )
    everyone = area @ fighting_by_town  # every fighting faction's strength in each one's area
    allies = everyone - np.where(fighting, own, 0.0)
    local = (own + s.p.resistance.coordination * allies) / (facing + 1.0)
    of, n_cmd = s.geo.commands.of, s.geo.commands.n
    junta, resistance = (np.bincount(of, t, minlength=n_cmd) for t in (junta_by_town, fighting_by_town))
    held = np.bincount(of, np.where(s.holder == 0, s.value_junta, 0.0), minlength=n_cmd)
    indptr, nbr, _ = s.geo.csr
    return Balance(
        factions=local,
        fronts=_by_front(s, area, fighting, by_town, fighting_by_town, junta_by_town),
        commands=junta / (resistance + 1.0),
        front=_fronts(indptr, nbr, s.holder, SIDE, s.cease, of, n_cmd),
        need=held * resistance / (junta + 1.0),
    )


def _by_front(s: Situation, area, fighting, by_town, fighting_by_town, junta_by_town) -> np.ndarray:
    """Each faction's balance on each of its fronts (its area within a command's), summed by
    command in township order (`Commands.sums`)."""
    sums = s.geo.commands.sums
    own, facing, everyone = sums(by_town * area), sums(junta_by_town * area), sums(fighting_by_town * area)
    allies = everyone - np.where(fighting[:, None], own, 0.0)
    return (own + s.p.resistance.coordination * allies) / (facing + 1.0)


@njit
def _weigh(records, supplied, area):
    """Effective strength by faction and town (`strength.unit_strength` and the side's), then
    per faction: its own in its area, the junta's there, whether it fights; each faction's by
    town, every fighting faction's by town and the junta's by town (sums in numpy's order).
    Reads the records
    `situation.Units`, `strength.Sides` and `strength.StrengthRules`."""
    units, sides, r = Units(*records[0]), Sides(*records[1]), StrengthRules(*records[2])
    n_fac, n = area.shape
    by_town, junta_town = np.zeros((n_fac, n)), np.zeros(n)
    side, cease, node = sides.side, sides.cease, units.node
    for i in range(len(node)):
        if not units.alive[i]:
            continue
        f = units.faction[i]
        eff = unit_strength(units.strength[i], units.quality[i], units.morale[i], r.morale_floor)
        if side[f] == 1:
            by_town[f, node[i]] += rebel_strength(eff, sides.supply[f], r.rebel_multiplier)
        elif side[f] == 0:
            junta_town[node[i]] += junta_strength(
                eff, r.junta_multiplier, supplied[node[i]], r.unsupplied_effect
            )
    fighting = np.zeros(n_fac, dtype=np.bool_)
    own, facing = np.empty(n_fac), np.empty(n_fac)
    fighting_by_town = np.zeros(n)
    for f in range(n_fac):
        fighting[f] = side[f] == 1 and not cease[f]
        own[f] = total(by_town[f] * area[f])
        facing[f] = total(junta_town * area[f])
        if fighting[f]:
            fighting_by_town += by_town[f]
    return own, facing, fighting, by_town, fighting_by_town, junta_town


@njit
def _fronts(indptr, nbr, holder, side, cease, of, n_cmd):
    """Per regional command: whether a resistance town of a faction not in a ceasefire lies
    in its area next to a town the junta holds (something to attack)."""
    front = np.zeros(n_cmd, dtype=np.bool_)
    for t in range(len(holder)):
        if side[holder[t]] == 1 and not cease[holder[t]] and not front[of[t]]:
            for e in range(indptr[t], indptr[t + 1]):
                if holder[nbr[e]] == 0:
                    front[of[t]] = True
                    break
    return front


def decide(offensive: bool, ratio: float, margin: float, hysteresis: float) -> bool:
    """Attack once the ratio reaches the margin; keep attacking until it falls below
    margin x (1 - hysteresis)."""
    return ratio >= (margin * (1 - hysteresis) if offensive else margin)
