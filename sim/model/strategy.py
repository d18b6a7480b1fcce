"""Strategy: whether a commander goes on the offensive, from the balance of forces it faces.

A commander attacks when the forces it can bring outweigh the enemy's where it
fights by a margin, and stays on the defensive otherwise; once committed it
holds course until the balance falls clearly below the margin (hysteresis).
The margin is the same for every faction of a side, so who attacks, and when,
follows from strengths, training, morale, supply, drones, command and allies,
not from a setting [Epstein 2002: action when a net balance crosses a
threshold; the attacker's 3:1 rule of thumb].

- A resistance faction weighs its own effective strength in the states where
  it fights, plus its allies' there in proportion to the resistance's
  coordination, against the junta's strength in the same states.
- The junta command weighs its own effective strength nationwide against the
  resistance factions that are not in a ceasefire with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.situation import Situation
from sim.model.strength import junta_effective, morale_factor
from sim.world.factions import FACTIONS, SIDE


@dataclass(frozen=True)
class Balance:
    junta: float  # junta strength / fighting resistance strength, nationwide
    factions: np.ndarray  # per faction index: (own + allies) / junta strength where it fights


def balance(s: Situation) -> Balance:
    u = s.units
    n_fac, n = len(FACTIONS), s.geo.n
    side = SIDE[u.faction]
    alive = u.alive
    eff_r = u.strength * u.quality * morale_factor(s, u.morale) * s.supply[u.faction]
    eff_r = eff_r * (1 + s.p.model.drone_effect * s.p.resistance.drones)
    rebel = alive & (side == 1)
    by_town = np.bincount(u.faction[rebel] * n + u.node[rebel], eff_r[rebel], n_fac * n).reshape(n_fac, n)
    junta = alive & (side == 0)
    junta_town = np.bincount(u.node[junta], junta_effective(s)[junta], n)

    fighting = (SIDE[np.arange(n_fac)] == 1) & ~s.cease
    area = s.operating.astype(float)
    own = (by_town * area).sum(1)
    everyone = area @ by_town[fighting].sum(0)  # every fighting faction's strength in each one's area
    allies = everyone - np.where(fighting, own, 0.0)
    facing = (junta_town[None, :] * area).sum(1)
    local = (own + s.p.resistance.coordination * allies) / (facing + 1.0)
    national = junta_town.sum() / (by_town[fighting].sum() + 1.0)
    return Balance(float(national), local)


def decide(offensive: bool, ratio: float, margin: float, hysteresis: float) -> bool:
    """Attack once the ratio reaches the margin; keep attacking until it falls below
    margin x (1 - hysteresis)."""
    return ratio >= (margin * (1 - hysteresis) if offensive else margin)
