"""Route fields over the road map that agents and kernels read: where the junta's supply
reaches, where the UWSA's deliveries can go, and each faction's way to its front.

Each is a breadth-first field (`routing.bfs_field`) that only changes when a town changes
hands, so it is computed once per map version and kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.model.situation import frozen
from sim.world.factions import FACTIONS, SIDE, faction_index
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
            indptr, nbr, _ = m.geo.csr
            hostile, friendly = m.holder == 0, SIDE[m.holder] != 0
            dist = np.full((len(FACTIONS), m.geo.n), -1, dtype=np.int64)
            nexthop = dist.copy()
            for f in np.flatnonzero(SIDE == 1):
                area = m.operating[f]
                dist[f], nexthop[f] = bfs_field(indptr, nbr, hostile & area & ~m.cease[f], friendly & area)
            return frozen(dist), frozen(nexthop)

        return self._field(("front", m.cease.tobytes()), make)
