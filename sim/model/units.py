"""Numbers of every fighting unit as columns (structure of arrays).

Mesa agents (`Formation`, `RebelUnit`) make the decisions and carry identity;
their strength, position and mode live here so that combat and movement are
vectorised over all units at once.
"""

from __future__ import annotations

import numpy as np

GARRISON, MOBILE, REBEL = 0, 1, 2
HOLD, ATTACK, GUERRILLA = 0, 1, 2

_COLUMNS = {
    "faction": np.int64,
    "node": np.int64,
    "strength": np.float64,
    "quality": np.float64,
    "morale": np.float64,
    "kind": np.int8,
    "mode": np.int8,
    "busy": np.int64,  # days left on the march (not fighting)
    "rest": np.int64,  # days left consolidating a captured town (fights, does not move)
    "alive": np.bool_,
}


class Forces:
    """Growable columns; slot i belongs to the unit agent with `idx == i`."""

    def __init__(self, capacity: int = 256) -> None:
        self.n = 0
        for name, dtype in _COLUMNS.items():
            setattr(self, name, np.zeros(capacity, dtype=dtype))

    def add(
        self,
        faction: int,
        node: int,
        strength: float,
        quality: float,
        morale: float,
        kind: int,
        mode: int,
    ) -> int:
        if self.n == len(self.alive):
            for name in _COLUMNS:
                old = getattr(self, name)
                new = np.zeros(2 * len(old), dtype=old.dtype)
                new[: self.n] = old[: self.n]
                setattr(self, name, new)
        i = self.n
        self.faction[i], self.node[i], self.strength[i] = faction, node, strength
        self.quality[i], self.morale[i], self.kind[i], self.mode[i] = quality, morale, kind, mode
        self.busy[i], self.rest[i], self.alive[i] = 0, 0, True
        self.n += 1
        return i

    def view(self, name: str) -> np.ndarray:
        """The live part of a column (a view: writes go through)."""
        return getattr(self, name)[: self.n]
