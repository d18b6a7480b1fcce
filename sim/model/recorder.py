"""What a replicate records: daily headline metrics, every change of hands, the final holders."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.jit import njit
from sim.model.sums import masked_total
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
# the columns `record` sets from the model's counters; `_fill` sets the rest
_OUTPOSTS, _KILLED_J, _KILLED_R, _SURRENDERED, _DISPLACED, _AIR, _JUNTA_OFFENSIVE, _OFFENSIVE = (
    COLUMNS.index(c)
    for c in (
        "outposts_lost",
        "junta_casualties",
        "resistance_casualties",
        "junta_surrendered",
        "displaced",
        "air_strikes",
        "junta_offensive",
        "offensive_factions",
    )
)
_AREA, _POP, _FULL, _TOWNS_J, _TOWNS_R, _CROSSINGS, _STRENGTH_J, _STRENGTH_R, _FIRST_FACTION = (
    COLUMNS.index(c)
    for c in (
        "junta_area_share",
        "junta_population_share",
        "junta_full_control_share",
        "towns_junta",
        "towns_resistance",
        "china_crossings_junta",
        "junta_strength",
        "resistance_strength",
        FACTION_TOWNS[0],
    )
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
        row = self.values[m.day]
        _fill(
            row, m.holder, SIDE, f.alive[:n], f.faction[:n], f.node[:n], f.strength[:n], m.cease,
            m.geo.china_crossing, self._area, self._pop, self._codes, len(FACTIONS),
        )  # fmt: skip
        row[_OUTPOSTS] = m.outposts_lost
        row[_KILLED_J], row[_KILLED_R] = m.killed
        row[_SURRENDERED] = m.surrendered[0]
        row[_DISPLACED] = m.displaced
        row[_AIR] = m.air_strikes
        row[_JUNTA_OFFENSIVE] = m.junta.offensive
        row[_OFFENSIVE] = sum(f.offensive for f in m.resistance_factions)

    def final_control(self, m: ConflictModel) -> tuple[list[str], list[str]]:
        """Controller code and side of every town at the end."""
        return [FACTIONS[h] for h in m.holder], [SIDES[SIDE[h]] for h in m.holder]


@njit
def _fill(
    row, holder, side, alive, faction, node, strength, cease, china_crossing, area, pop, codes, n_factions
):
    """The columns of a day's row that come from the map and the units (in `COLUMNS` order;
    sums in numpy's order)."""
    junta, full, junta_units, rebel_units, counts = _control(
        holder, side, alive, faction, node, cease, china_crossing, n_factions
    )
    row[_AREA] = masked_total(area, junta)
    row[_POP] = masked_total(pop, junta)
    row[_FULL] = masked_total(area, full)
    row[_TOWNS_J], row[_TOWNS_R], row[_CROSSINGS] = counts[0], counts[1], counts[2]
    row[_STRENGTH_J] = masked_total(strength, junta_units)
    row[_STRENGTH_R] = masked_total(strength, rebel_units)
    for k in range(len(codes)):
        row[_FIRST_FACTION + k] = counts[3 + codes[k]]


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
