"""China and the UWSA: outside powers that act on their own interests.

China weighs, once a week, what it wants on its border [USIP 2023; Crisis Group, 27 Mar
2024; DW-2025]:
- **the scam compounds** of the junta's Border Guard Forces in Kokang (`geography.scam`),
  which it pressed the junta to close from May 2023: while the junta holds them, China
  tolerates the offensive against them (stance "pro_resistance": its gates stay open);
- **a neighbour that does not collapse**: once the junta loses a regional command's
  headquarters (as at Lashio, 3 Aug 2024), China backs the junta (stance "pro_junta"): it
  closes its gates to resistance trade (`embargo`), presses the UWSA to stop supplying its
  clients, and presses the factions on its border for ceasefires; it keeps doing so for
  `china.memory_days` after the junta has its commands back;
- **trade through its gates and its pipelines** (`geography.pipeline`): otherwise neutral,
  it brokers talks when fighting shuts them (assaults at a gate or pipeline township on
  `china.trade_days` of the last 28), as at Haigeng in Jan 2024.

A dated `china_stance` or `embargo` event (a counterfactual, or what China did that its rule
cannot produce) fixes that decision from its date; `china.decides = false` fixes both from
the start. The UWSA supplies its clients unless China presses it to stop [Myanmar Now;
DW-2025], or a dated `uwsa_supply` event fixes its choice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.scenario.schema import ChinaParams, UwsaParams
from sim.world.factions import FACTIONS

if TYPE_CHECKING:
    from sim.model.agents import Faction
    from sim.model.model import ConflictModel

WEEK, WINDOW = 7, 28


class China(mesa.Agent):
    """China's stance, border trade and pressure for ceasefires, from its interests."""

    model: ConflictModel

    def __init__(self, model: ConflictModel, params: ChinaParams) -> None:
        super().__init__(model)
        self.stance = params.stance
        self.embargo = params.embargo
        self.fixed: set[str] = set() if params.decides else {"stance", "embargo"}
        self.brokering = False  # pressing the factions on its border for a ceasefire
        self.backing_until = -1  # the last day it backs the junta after a collapse threat ended
        geo = model.geo
        self.interests = geo.china_crossing | geo.pipeline  # where fighting shuts its trade
        self.fighting = np.zeros(WINDOW, dtype=bool)  # fighting at its interests, the last 4 weeks
        self._income: tuple[tuple, list[float]] | None = None

    def fix(self, decision: str) -> None:
        """A dated event sets this decision ("stance" or "embargo") from now on."""
        self.fixed.add(decision)

    def trade_factor(self) -> float:
        """Share of normal trade income a resistance-held China crossing yields today."""
        return 0.0 if self.embargo else self.model.p.china.trade_share.of(self.stance)

    def junta_support(self) -> float:
        return self.model.p.china.junta_support if self.stance == "pro_junta" else 0.0

    def pressure(self) -> float:
        """How hard it presses the factions on its border for a ceasefire: 1 backing the junta,
        `brokering_pressure` brokering talks while neutral, else 0."""
        if not self.model.p.china.brokers:
            return 0.0
        if self.stance == "pro_junta":
            return 1.0
        return self.model.p.model.china.brokering_pressure if self.brokering else 0.0

    def presses(self, faction: Faction) -> bool:
        """Whether its pressure reaches a faction: one that lives off the UWSA's supplies or
        holds a township on China's border, its levers."""
        m = self.model
        return faction.params.uwsa_client or bool(((m.holder == faction.index) & m.china_border).any())

    def review(self) -> None:
        """Its stance from its interests (module docstring)."""
        m, rules = self.model, self.model.p.model.china
        lost_command = bool((m.holder[m.geo.hq] != 0).any())
        if lost_command:
            self.backing_until = m.day + rules.memory_days
        scams_stand = bool((m.holder[m.geo.scam] == 0).any())
        trade_shut = int(self.fighting.sum()) >= rules.trade_days
        if m.day <= self.backing_until:
            stance, embargo, self.brokering = "pro_junta", True, True
        elif scams_stand:
            stance, embargo, self.brokering = "pro_resistance", False, False
        else:
            stance, embargo, self.brokering = "neutral", False, trade_shut
        if "stance" not in self.fixed:
            self.stance = stance
        if "embargo" not in self.fixed:
            self.embargo = embargo

    def income(self) -> list[float]:
        """Each faction's trade income a day (ammunition): China's share of trade at its own
        gates, full elsewhere, from the crossings it holds. It changes only with a town's
        holder, China's stance or embargo, or the parameters, so it is kept until one does."""
        m = self.model
        key = (m.holder_version, self.stance, self.embargo, id(m.p))
        if self._income is None or self._income[0] != key:
            geo = m.geo
            weight = np.where(geo.china_crossing, self.trade_factor(), 1.0) * geo.crossing
            income = m.p.china.trade_income * np.bincount(m.holder, weight, minlength=len(FACTIONS))
            self._income = (key, income.tolist())
        return self._income[1]

    def step(self) -> None:
        m = self.model
        self.fighting[m.day % WINDOW] = bool((m.engaged_days[self.interests] > 0).any())
        if m.day % WEEK == 0:
            self.review()
        income = self.income()
        for faction in m.resistance_factions:
            faction.ammo += income[faction.index]


class Uwsa(mesa.Agent):
    """The United Wa State Army: not fighting, the main arms and ammunition supplier of client
    factions, until China, on which it depends, pressed it to stop [DW-2025; Myanmar Now]."""

    model: ConflictModel

    def __init__(self, model: ConflictModel, params: UwsaParams) -> None:
        super().__init__(model)
        self.supplying = params.supply
        self.fixed = not params.supply  # no supply line in the file, or a dated `uwsa_supply` event

    def step(self) -> None:
        m = self.model
        if not self.fixed:
            self.supplying = m.china.stance != "pro_junta"
        if not self.supplying:
            return
        reach = m.routes.uwsa_reach()
        f_ = m.forces
        alive = f_.view("alive")
        there = reach[f_.view("node")] & alive
        reached = set(f_.view("faction")[there].tolist()) | set(m.holder[reach].tolist())
        clients = [
            f
            for f in m.resistance_factions
            if f.params.uwsa_client and not f.ceasefire and f.index in reached  # by road from Wa
        ]
        weights = np.array([f.strength for f in clients])
        if weights.sum() <= 0:
            return
        share = weights / weights.sum()
        for f, s in zip(clients, share, strict=True):
            f.ammo += m.p.uwsa.deliveries_per_day * s
            f.arms += m.p.uwsa.arms_per_day * s
