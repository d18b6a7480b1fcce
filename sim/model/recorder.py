"""What a replicate records: daily headline metrics, every change of hands, the final holders."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from sim.jit import njit
from sim.model.sums import masked_total
from sim.world.factions import FACTIONS, RESISTANCE, SIDE, SIDES

if TYPE_CHECKING:
    from sim.model.model import ConflictModel

FACTION_TOWNSHIPS = tuple(f"townships_{code}" for code in RESISTANCE)

COLUMNS = (
    "junta_area_share",  # land of the townships the junta holds, contested or not
    "junta_population_share",
    "junta_full_control_share",  # land of junta townships with no armed opponent present
    "resistance_area_share",
    "resistance_population_share",
    "townships_junta",
    "townships_resistance",
    "townships_neutral",
    "townships_contested",  # held by one side with an armed opponent in the township
    "townships_junta_full",  # held by the junta with no armed opponent: the sources' "full control"
    "outposts_lost",
    "china_crossings_junta",  # China gates the junta still guards (they fall with the outposts)
    "junta_strength",
    "resistance_strength",
    "junta_casualties",
    "resistance_casualties",
    "junta_surrendered",
    "displaced",
    "air_strikes",
    "civilians_killed",  # by air strikes (model.air_civilians)
    "junta_commands_offensive",  # regional commands on the offensive (model/regional.py)
    "offensive_factions",  # resistance factions on the offensive
    *FACTION_TOWNSHIPS,
)
# the columns `record` sets from the model's counters; `_fill` sets the rest
_OUTPOSTS, _KILLED_J, _KILLED_R, _SURRENDERED, _DISPLACED, _AIR, _CIVILIANS, _JUNTA_OFFENSIVE, _OFFENSIVE = (
    COLUMNS.index(c)
    for c in (
        "outposts_lost",
        "junta_casualties",
        "resistance_casualties",
        "junta_surrendered",
        "displaced",
        "air_strikes",
        "civilians_killed",
        "junta_commands_offensive",
        "offensive_factions",
    )
)
(
    _AREA,
    _POP,
    _FULL,
    _AREA_R,
    _POP_R,
    _TOWNS_J,
    _TOWNS_R,
    _TOWNS_N,
    _CONTESTED,
    _TOWNS_FULL,
    _CROSSINGS,
    _STRENGTH_J,
    _STRENGTH_R,
    _FIRST_FACTION,
) = (
    COLUMNS.index(c)
    for c in (
        "junta_area_share",
        "junta_population_share",
        "junta_full_control_share",
        "resistance_area_share",
        "resistance_population_share",
        "townships_junta",
        "townships_resistance",
        "townships_neutral",
        "townships_contested",
        "townships_junta_full",
        "china_crossings_junta",
        "junta_strength",
        "resistance_strength",
        FACTION_TOWNSHIPS[0],
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
        # China's gates are guarded posts at the border, away from the seat: the junta's share of a
        # township's outposts still standing is the share of its gates it still guards [AP-2023:
        # 4 crossings among 180 outposts lost while Muse's and Laukkaing's seats held]
        self._gates = np.zeros(len(geo.china_gates))
        # what the day's row weighs townships by (the gates' buffer is refilled each day)
        self._weights = Weights(self._area, self._pop, self._gates, self._codes, len(FACTIONS))
        self.changes: list[tuple[int, int, int, int, str]] = []  # (day, town, from, to, cause)

    def change(self, day: int, town: int, before: int, after: int, cause: str) -> None:
        """A town changed hands (faction indices), and why."""
        self.changes.append((day, town, before, after, cause))

    def record(self, m: ConflictModel) -> None:
        """The day's row: the state at the end of day `m.day`."""
        self._fill_row(m, self.values[m.day])

    def snapshot(self, m: ConflictModel) -> np.ndarray:
        """A row of the state now, recorded nowhere (the explorer's charts before the first day)."""
        row = np.zeros(len(COLUMNS))
        self._fill_row(m, row)
        return row

    def _fill_row(self, m: ConflictModel, row: np.ndarray) -> None:
        f = m.forces
        n = f.n
        np.multiply(m.geo.china_gates, m.outposts / m.outposts_base, out=self._gates)
        _fill(
            row, m.holder, SIDE, f.alive[:n], f.faction[:n], f.node[:n], f.strength[:n], m.cease,
            self._weights,
        )  # fmt: skip
        row[_OUTPOSTS] = m.outposts_lost
        row[_KILLED_J], row[_KILLED_R] = m.killed
        row[_SURRENDERED] = m.surrendered[0]
        row[_DISPLACED] = m.displaced
        row[_AIR] = m.air_strikes
        row[_CIVILIANS] = m.civilians_killed
        row[_JUNTA_OFFENSIVE] = m.junta.command_attacking.sum()
        row[_OFFENSIVE] = sum(bool(f.offensive.any()) for f in m.resistance_factions)

    def final_control(self, m: ConflictModel) -> tuple[list[str], list[str]]:
        """Controller code and side of every town at the end."""
        return [FACTIONS[h] for h in m.holder], [SIDES[SIDE[h]] for h in m.holder]


class Weights(NamedTuple):
    """What a day's row weighs townships by: land and population shares, the China gates the
    junta still guards, and which factions get a column."""

    area: np.ndarray
    population: np.ndarray
    gates: np.ndarray
    codes: np.ndarray  # faction index of each FACTION_TOWNSHIPS column
    n_factions: int


@njit
def _fill(row, holder, side, alive, faction, node, strength, cease, weights):
    """The columns of a day's row that come from the map and the units (in `COLUMNS` order;
    sums in numpy's order)."""
    area, pop, gates, codes = weights.area, weights.population, weights.gates, weights.codes
    n_factions = weights.n_factions
    junta, full, rebel, junta_units, rebel_units, counts = _control(
        holder, side, alive, faction, node, cease, n_factions
    )
    row[_AREA] = masked_total(area, junta)
    row[_POP] = masked_total(pop, junta)
    row[_FULL] = masked_total(area, full)
    row[_AREA_R] = masked_total(area, rebel)
    row[_POP_R] = masked_total(pop, rebel)
    row[_CROSSINGS] = masked_total(gates, junta)
    row[_TOWNS_J], row[_TOWNS_R], row[_TOWNS_N] = counts[0], counts[1], counts[2]
    row[_CONTESTED], row[_TOWNS_FULL] = counts[3], counts[4]
    row[_STRENGTH_J] = masked_total(strength, junta_units)
    row[_STRENGTH_R] = masked_total(strength, rebel_units)
    for k in range(len(codes)):
        row[_FIRST_FACTION + k] = counts[_PER_FACTION + codes[k]]


_PER_FACTION = 5  # counts' first per-faction entry


@njit
def _control(holder, side, alive, faction, node, cease, n_factions):
    """Junta and resistance townships, the junta's with no armed opponent inside, live units
    by side, and counts: (townships of the junta, of the resistance, of neutral groups,
    contested townships, the junta's uncontested ones, then townships per faction). A township
    is contested while a live unit of the side its holder fights stands in it (a faction in a
    ceasefire fights no one)."""
    rebel_in = np.zeros(len(holder), dtype=np.bool_)
    junta_in = np.zeros(len(holder), dtype=np.bool_)
    junta_units = np.zeros(len(node), dtype=np.bool_)
    rebel_units = np.zeros(len(node), dtype=np.bool_)
    for i in range(len(node)):
        if alive[i]:
            junta_units[i] = side[faction[i]] == 0
            rebel_units[i] = side[faction[i]] == 1
            if rebel_units[i] and not cease[faction[i]]:
                rebel_in[node[i]] = True
            if junta_units[i]:
                junta_in[node[i]] = True
    junta = holder == 0
    rebel = np.zeros(len(holder), dtype=np.bool_)
    counts = np.zeros(_PER_FACTION + n_factions, dtype=np.int64)
    for t in range(len(holder)):
        rebel[t] = side[holder[t]] == 1
        contested = (junta[t] and rebel_in[t]) or (rebel[t] and junta_in[t] and not cease[holder[t]])
        counts[0] += junta[t]
        counts[1] += rebel[t]
        counts[2] += side[holder[t]] == 2
        counts[3] += contested
        counts[4] += junta[t] and not rebel_in[t]
        counts[_PER_FACTION + holder[t]] += 1
    return junta, junta & ~rebel_in, rebel, junta_units, rebel_units, counts
