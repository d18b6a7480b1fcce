"""Route fields over the road map that agents and kernels read: where the junta's supply
reaches, where the UWSA's deliveries can go, and each faction's way to its front.

Each is a breadth-first field (`routing.bfs_field`) that only changes when a town changes
hands, so it is computed once per map version and kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.jit import njit
from sim.model.situation import frozen
from sim.world.factions import SIDE, faction_index
from sim.world.routing import bfs_field

if TYPE_CHECKING:
    from sim.model.model import ConflictModel


class RouteFields:
    """The model's route fields, recomputed only after a change of hands."""

    def __init__(self, model: ConflictModel) -> None:
        self.model = model
        self._fields: dict[object, Any] = {}
        self._version = model.holder_version

    def _field[T](self, key: object, make: Callable[[], T]) -> T:
        """The field `key`, from `make()` on this version of the map."""
        if self._version != self.model.holder_version:
            self._fields, self._version = {}, self.model.holder_version
        if key not in self._fields:
            self._fields[key] = make()
        return self._fields[key]

    def junta_supplied(self) -> np.ndarray:
        """Junta-held towns connected by junta-held roads to a headquarters or capital (read-only)."""
        m = self.model

        def make() -> np.ndarray:
            g = m.geo
            held = m.holder == 0
            # headquarters and capitals by road; coastal towns by sea (the navy) [AP-2023]
            dist, _ = bfs_field(*g.csr[:2], held & (g.hq | g.capital | m.coast), held)
            return frozen(dist >= 0)

        return self._field("supply", make)

    def uwsa_reach(self) -> np.ndarray:
        """Towns linked by road to Wa territory through towns the junta does not hold: where
        UWSA deliveries can go (read-only)."""
        m = self.model

        def make() -> np.ndarray:
            dist, _ = bfs_field(*m.geo.csr[:2], m.holder == faction_index("UWSA"), SIDE[m.holder] != 0)
            return frozen(dist >= 0)

        return self._field("uwsa", make)

    def front_fields(self) -> tuple[np.ndarray, np.ndarray]:
        """For every resistance faction (rows): hops to the nearest town it can attack,
        through friendly towns it operates in, and the next hop there; -1 where none."""
        m = self.model

        def make() -> tuple[np.ndarray, np.ndarray]:
            dist, nexthop = _fronts(*m.geo.csr[:2], m.holder, SIDE, m.operating, m.cease)
            return frozen(dist), frozen(nexthop)

        return self._field(("front", m.cease.tobytes()), make)


@njit
def _fronts(indptr, nbr, holder, side, operating, cease):
    """`front_fields` for every faction in one call (rows of factions not of the resistance,
    and of those in a ceasefire, which have nothing to attack, stay -1)."""
    n_fac, n = operating.shape
    dist, nexthop = np.full((n_fac, n), -1, dtype=np.int64), np.full((n_fac, n), -1, dtype=np.int64)
    hostile, friendly = holder == 0, side[holder] != 0
    for f in range(n_fac):
        if side[f] == 1 and not cease[f]:
            dist[f], nexthop[f] = bfs_field(indptr, nbr, hostile & operating[f], friendly & operating[f])
    return dist, nexthop
