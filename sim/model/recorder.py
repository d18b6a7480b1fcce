"""What a replicate records: daily headline metrics, every change of hands, the final holders."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.jit import njit
from sim.world.factions import FACTIONS, RESISTANCE, SIDE, SIDES

if TYPE_CHECKING:
    from sim.model.model import ConflictModel

FACTION_TOWNS = tuple(f"towns_{code}" for code in RESISTANCE)

COLUMNS = (
    "junta_area_share",  # area of the towns the junta holds, contested or not
    "junta_population_share",
    "junta_full_control_share",  # area of junta towns with no armed opponent present
    "towns_junta",
    "towns_resistance",
    "outposts_lost",
    "china_crossings_junta",
    "junta_strength",
    "resistance_strength",
    "junta_casualties",
    "resistance_casualties",
    "junta_surrendered",
    "displaced",
    "air_strikes",
    "junta_offensive",  # 1 while the junta command is on the offensive
    "offensive_factions",  # resistance factions on the offensive
    *FACTION_TOWNS,
)


class Recorder:
    """Preallocated daily table (days x COLUMNS); the model fills one row a day."""

    def __init__(self, model: ConflictModel) -> None:
        self.values = np.zeros((model.days, len(COLUMNS)))
        geo = model.geo
        self._area = geo.area / geo.area.sum()
        self._pop = geo.population / geo.population.sum()
        self._codes = np.array([FACTIONS.index(c) for c in RESISTANCE])
        self.changes: list[tuple[int, int, int, int, str]] = []  # (day, town, from, to, cause)

    def change(self, day: int, town: int, before: int, after: int, cause: str) -> None:
        """A town changed hands (faction indices), and why."""
        self.changes.append((day, town, before, after, cause))

    def record(self, m: ConflictModel) -> None:
        f = m.forces
        n = f.n
        junta, full, junta_units, rebel_units, counts = _control(
            m.holder,
            SIDE,
            f.alive[:n],
            f.faction[:n],
            f.node[:n],
            m.cease,
            m.geo.china_crossing,
            len(FACTIONS),
        )
        strength = f.strength[:n]
        self.values[m.day] = (
            self._area[junta].sum(),
            self._pop[junta].sum(),
            self._area[full].sum(),
            counts[0],
            counts[1],
            m.outposts_lost,
            counts[2],
            strength[junta_units].sum(),
            strength[rebel_units].sum(),
            m.killed[0],
            m.killed[1],
            m.surrendered[0],
            m.displaced,
            m.air_strikes,
            float(m.junta.offensive),
            float(sum(f.offensive for f in m.resistance_factions)),
            *counts[3:][self._codes],
        )

    def final_control(self, m: ConflictModel) -> tuple[list[str], list[str]]:
        """Controller code and side of every town at the end."""
        return [FACTIONS[h] for h in m.holder], [SIDES[SIDE[h]] for h in m.holder]


@njit
def _control(holder, side, alive, faction, node, cease, china_crossing, n_factions):
    """Junta towns, those of them with no armed opponent inside, live units by side, and
    counts: (towns of the junta, of the resistance, China crossings the junta holds, then
    towns per faction)."""
    contested = np.zeros(len(holder), dtype=np.bool_)
    junta_units = np.zeros(len(node), dtype=np.bool_)
    rebel_units = np.zeros(len(node), dtype=np.bool_)
    for i in range(len(node)):
        if alive[i]:
            junta_units[i] = side[faction[i]] == 0
            rebel_units[i] = side[faction[i]] == 1
            if rebel_units[i] and not cease[faction[i]]:
                contested[node[i]] = True
    junta = holder == 0
    counts = np.zeros(3 + n_factions, dtype=np.int64)
    for t in range(len(holder)):
        counts[0] += junta[t]
        counts[1] += side[holder[t]] == 1
        counts[2] += junta[t] and china_crossing[t]
        counts[3 + holder[t]] += 1
    return junta, junta & ~contested, junta_units, rebel_units, counts
