"""What a replicate records: daily headline metrics, every change of hands, the final holders."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

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
        alive = f.view("alive")
        fac = f.view("faction")
        side = SIDE[fac]
        s = f.view("strength")
        armed = alive & (side == 1) & ~m.cease[fac]
        contested = np.bincount(f.view("node")[armed], minlength=m.geo.n) > 0
        junta = m.holder == 0
        full = junta & ~contested
        by_faction = np.bincount(m.holder, minlength=len(FACTIONS))
        self.values[m.day] = (
            self._area[junta].sum(),
            self._pop[junta].sum(),
            self._area[full].sum(),
            junta.sum(),
            (SIDE[m.holder] == 1).sum(),
            m.outposts_lost,
            (junta & m.geo.china_crossing).sum(),
            s[alive & (side == 0)].sum(),
            s[alive & (side == 1)].sum(),
            m.killed[0],
            m.killed[1],
            m.surrendered[0],
            m.displaced,
            m.air_strikes,
            float(m.junta.offensive),
            float(sum(f.offensive for f in m.resistance_factions)),
            *by_faction[self._codes],
        )

    def final_control(self, m: ConflictModel) -> tuple[list[str], list[str]]:
        """Controller code and side of every town at the end."""
        return [FACTIONS[h] for h in m.holder], [SIDES[SIDE[h]] for h in m.holder]
