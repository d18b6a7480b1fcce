"""The junta's regional military commands: each fights its own front.

Every plan day a command weighs the junta's strength in its area against the resistance
factions fighting there (`strategy.Balance.commands`) and, where it has a front (a
resistance town next to its own), goes on the offensive, or stays on it, by the same rule
and margin as every commander (`strategy.decide`); the national
command (`agents.JuntaCommand`) only sets the margin (an election deadline lowers it) and
sends new formations where the most is at stake. A command whose headquarters falls loses
its command capacity for `strategy.hq_loss_days`: it cannot attack and its formations react
no faster than at the leadership floor; meanwhile its headquarters move to the nearest
township of its area that the junta holds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.model.strategy import decide
from sim.world.routing import bfs_field

if TYPE_CHECKING:
    from sim.model.model import ConflictModel


class RegionalCommand(mesa.Agent):
    """One regional military command: whether it attacks on its front, and where it sits."""

    model: ConflictModel

    def __init__(self, model: ConflictModel, index: int) -> None:
        super().__init__(model)
        self.index = index
        self.code = model.geo.commands.codes[index]
        self.hq = int(model.geo.commands.hq[index])
        self.attacking = False  # its own choice, used when the junta's posture is "auto"
        self.disrupted_until = -1  # the last day without command capacity

    @property
    def disrupted(self) -> bool:
        return self.model.day <= self.disrupted_until

    def review(self, ratio: float, margin: float, front: bool) -> None:
        """Check its headquarters, then attack or hold on its front (`strategy.decide`); with
        no front (no resistance town next to its own) there is nothing to attack."""
        m = self.model
        if m.holder[self.hq] != 0:
            self.disrupted_until = m.day + m.p.model.strategy.hq_loss_days
            self.relocate()
        self.attacking = (
            front
            and not self.disrupted
            and decide(self.attacking, ratio, margin, m.p.model.strategy.hysteresis)
        )

    def relocate(self) -> None:
        """Headquarters move to the junta township of the area nearest the lost one by road;
        if the junta holds none, the command stays where it was, without capacity."""
        m = self.model
        mine = (m.geo.commands.of == self.index) & (m.holder == 0)
        if not mine.any():
            return
        indptr, nbr, _ = m.geo.csr
        start = np.zeros(m.geo.n, dtype=bool)
        start[self.hq] = True
        hops, _ = bfs_field(indptr, nbr, start, np.ones(m.geo.n, dtype=bool))
        reach = np.where(mine & (hops >= 0), hops, np.iinfo(np.int64).max)
        self.hq = int(np.argmin(reach))
