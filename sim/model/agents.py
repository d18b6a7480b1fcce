"""Mesa agents: fighting units, the factions that command them, China and the UWSA.

Units are thin agents over `Forces` columns so that the daily engagement and
movement kernels run vectorised; factions, the junta's command, China and the
UWSA are the agents whose decisions change the war's course.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import mesa
import numpy as np
from mesa.discrete_space import CellAgent

from sim.jit import njit
from sim.model.ceasefire import fights_on, terms
from sim.model.deployment import NewUnit, town_values
from sim.model.events import hand_over
from sim.model.plan import junta_plan
from sim.model.regional import RegionalCommand
from sim.model.situation import JuntaPlan, frozen
from sim.model.strategy import decide
from sim.model.units import HOLD, MOBILE, REBEL
from sim.scenario.schema import FactionParams, JuntaParams
from sim.world.factions import JUNTA, SIDE, faction_index

if TYPE_CHECKING:
    from sim.model.model import ConflictModel


class Unit(CellAgent):
    """A body of fighters at a town; its numbers are row `idx` of `model.forces`."""

    model: ConflictModel

    def __init__(self, model: ConflictModel, idx: int) -> None:
        super().__init__(model)
        self.idx = idx
        self.cell = model.grid[int(model.forces.node[idx])]


class Formation(Unit):
    """A junta garrison (holds its town and outposts) or mobile formation (LID, reserve, conscripts)."""


class RebelUnit(Unit):
    """A resistance unit of one faction (battalion-sized)."""


class Faction(mesa.Agent):
    """A resistance faction: its strategy, ceasefire, arms, ammunition and recruits.

    Every `strategy.plan_days` it reviews the balance of forces where it fights
    and decides to attack or hold (model/strategy.py). Ammunition is counted in
    fighter-days of assault; a faction short of it fights less well and, under
    `shortage_threshold`, turns to defence (as the TNLA did in 2025, citing
    shortages of ammunition, money and fighters). A ceasefire stops its attacks.
    """

    model: ConflictModel

    def __init__(self, model: ConflictModel, code: str, params: FactionParams | JuntaParams) -> None:
        super().__init__(model)
        self.code = code
        self.index = faction_index(code)
        self.side = int(SIDE[self.index])
        self.chosen_posture = params.posture  # "auto", or a forced counterfactual override
        n_fronts = model.geo.commands.n  # its fronts: its area within each regional command's
        self.attacking = np.zeros(n_fronts, dtype=bool)  # its own choice per front, used under "auto"
        self.offensive = np.zeros(n_fronts, dtype=bool)
        self.ceasefire = bool(getattr(params, "ceasefire", False))
        self.ceasefire_fixed = False  # a dated ceasefire event overrides its own decision
        self.settled_day = -(10**6)  # the day its ceasefire began (one in force at the start: long before)
        label = model.p.run.initial_control
        geo = model.geo
        held, present = geo.control[label], geo.presence[label]
        self.home = np.array(  # the townships it held or stood in at the start
            [c == code or code in there for c, there in zip(held, present, strict=True)]
        )
        strength = getattr(params, "strength", 0.0)
        self.ammo = strength * getattr(params, "ammo_days", 0.0)
        self.arms = model.p.resistance.arms_per_fighter * strength
        self.pool = 0.0
        self.supply = 1.0
        self.update_posture()

    @property
    def params(self) -> FactionParams | JuntaParams:
        """Its parameters as they stand today (a dated change event may have set some)."""
        return self.model.p.junta if self.index == 0 else self.model.p.factions[self.code]

    @property
    def strength(self) -> float:
        """Fighters in the faction's units at the start of the day."""
        return self.model.faction_strength[self.index]

    def wants_offensive(self) -> np.ndarray:
        """Per front: its own choice, unless a counterfactual forces a posture on all."""
        if self.chosen_posture == "auto":
            return self.attacking
        return np.full(len(self.attacking), self.chosen_posture == "offensive")

    def review_strategy(self, ratios: np.ndarray, margin: float) -> None:
        """Attack or hold on each front, from the balance of forces there (model/strategy.py)."""
        h = self.model.p.model.strategy.hysteresis
        self.attacking = np.array(
            [decide(a, r, margin, h) for a, r in zip(self.attacking, ratios, strict=True)]
        )

    def update_posture(self) -> None:
        """Offence when it wants it, not in ceasefire and stocked; defence otherwise."""
        if self.side != 1:
            return
        mp = self.model.p.model
        need = max(self.strength, 1.0) * mp.ammo_reserve_days
        ratio = self.ammo / need
        floor = mp.supply_floor
        self.supply = min(max(floor + (1 - floor) * ratio, floor), 1.0)
        short = ratio < mp.shortage_threshold
        self.offensive = self.wants_offensive() & (not self.ceasefire and not short)

    def settle(self, gain: float) -> None:
        """Accept a ceasefire China presses for, handing back what its terms say, or take up
        arms again (model/ceasefire.py)."""
        fight = fights_on(self, gain)
        if fight and self.ceasefire:
            self.ceasefire = False
        elif not fight and not self.ceasefire:
            self.ceasefire = True
            self.settled_day = self.model.day
            for town in terms(self).tolist():
                hand_over(self.model, town, 0, "settlement")

    def recruit_node(self) -> int | None:
        """Where the faction's new unit forms: a random town it holds, else where its units are."""
        m = self.model
        f = m.forces
        held = np.flatnonzero(m.holder == self.index)
        if len(held) == 0:
            mine = f.view("alive") & (f.view("faction") == self.index)
            held = np.unique(f.view("node")[mine])
        if len(held) == 0:
            return None
        return int(held[m.rng.integers(len(held))])  # rng.choice(held)'s draw, at a fifth of its cost

    def step(self) -> None:
        if self.side != 1:
            return
        m = self.model
        mp = m.p.model
        if m.day % mp.strategy.plan_days == 0:
            balance = m.balance()
            if not self.ceasefire_fixed:
                self.settle(float(balance.factions[self.index]) / mp.strategy.resistance_margin)
            self.review_strategy(balance.fronts[self.index].tolist(), mp.strategy.resistance_margin)
        params = self.params
        self.ammo += mp.local_ammo_per_day * self.strength / 1000.0
        recruits = min(params.recruitment_per_day, max(self.arms, 0.0))
        self.arms -= recruits
        self.pool += recruits
        m.recruited[1] += recruits
        if self.pool >= mp.rebel_unit_size * mp.tactics.form_up_share:
            node = self.recruit_node()
            if node is not None:
                m.spawn_unit(
                    NewUnit(self.index, node, self.pool, params.quality, m.p.resistance.morale, REBEL, HOLD)
                )
                self.pool = 0.0
        self.update_posture()


class JuntaCommand(Faction):
    """The junta's national command: its regional commands decide on their own fronts
    (model/regional.py); it sets their margin, plans where mobile formations go, and turns
    recruits and conscripts into formations where the most is at stake."""

    def __init__(self, model: ConflictModel, params: JuntaParams) -> None:
        self.commands = [RegionalCommand(model, c) for c in range(model.geo.commands.n)]
        super().__init__(model, JUNTA, params)
        self.training: list[tuple[int, float]] = []  # (ready day, recruits)
        n = model.geo.n
        self.plan = JuntaPlan(np.zeros(n, dtype=bool), np.full(n, -1), np.full(n, -1))
        c = params.conscription
        self.conscription_start = (c.start or model.start) if c.enabled else None
        self.polling: dt.date | None = None  # first day of voting in an announced election
        self.peace_values, self.election_values = (
            frozen(town_values(model.geo, model.p.model.town_value, election)[1])
            for election in (False, True)
        )
        self.deadline_odds = float(self.peace_values.mean() / self.election_values.mean())

    def update_posture(self) -> None:
        """Each command's posture: its own choice, unless a counterfactual forces one on all;
        a command without capacity never attacks. `offensive`: any command attacks."""
        chosen = self.chosen_posture
        self.command_attacking = np.array(
            [
                (c.attacking if chosen == "auto" else chosen == "offensive") and not c.disrupted
                for c in self.commands
            ],
            dtype=bool,
        )
        self.offensive = bool(self.command_attacking.any())

    def command_capacity(self) -> np.ndarray:
        """Per regional command: 1, or 0 while it has lost its headquarters."""
        return np.array([0.0 if c.disrupted else 1.0 for c in self.commands])

    def campaigning(self) -> bool:
        """Whether an announced election's polls are still ahead: the deadline to retake ground."""
        return self.polling is not None and self.model.date <= self.polling

    def values(self) -> np.ndarray:
        """What each town is worth to the command today (ODD 7.5)."""
        return self.election_values if self.campaigning() else self.peace_values

    def margin(self) -> float:
        """The balance of forces the command needs to attack. A deadline raises what the towns
        are worth, and the command accepts worse odds in proportion: it attacks when value x
        chance of success outweighs the cost, and the chance rises with the balance."""
        margin = self.model.p.model.strategy.junta_margin
        if self.campaigning():
            margin *= self.deadline_odds
        return margin

    def step(self) -> None:
        m = self.model
        jp = self.params
        day = m.day
        self.pool += jp.recruitment_per_day
        if self.conscription_start is not None:
            since = (m.date - self.conscription_start).days
            if since >= 0 and since % jp.conscription.intake_every_days == 0:
                self.training.append((day + jp.conscription.training_days, jp.conscription.monthly_intake))
        ready = [r for r in self.training if r[0] <= day]
        if ready:
            self.training = [r for r in self.training if r[0] > day]
            self.form_up(sum(r[1] for r in ready), jp.conscription.quality)
        if self.pool >= jp.unit_size:
            self.form_up(self.pool, jp.quality)
            self.pool = 0.0
        self.desert()
        if day % self.plan_every() == 0:
            balance, margin = m.balance(), self.margin()
            ratios, fronts = balance.commands.tolist(), balance.front.tolist()
            for c in self.commands:
                c.review(ratios[c.index], margin, fronts[c.index])
            self.update_posture()
            self.plan = junta_plan(m.situation(), m.rng)

    def plan_every(self) -> int:
        """Days between plans: better command plans more often [DW-2025]."""
        lp = self.model.p.model.leadership
        return max(1, round(lp.plan_days - lp.plan_gain * self.params.leadership))

    def desert(self) -> None:
        """Desertion, heavier where morale is low [AP-2023: surrenders and defections]."""
        f = self.model.forces
        n = f.n
        rate = self.params.desertion_rate
        self.model.deserted[0] += _desert(f.alive[:n], f.faction[:n], f.morale[:n], f.strength[:n], rate)

    def form_up(self, recruits: float, quality: float) -> None:
        """New mobile formations of `unit_size` at the headquarters of the regional commands
        the junta holds, each sent to a command with a chance in proportion to its front's need:
        the worth of the towns it holds times the resistance's strength against its own there
        (`strategy.Balance.need`), so reserves go where the most is at stake and in danger."""
        m = self.model
        hq = np.array([c.hq for c in self.commands])
        held = m.holder[hq] == 0
        if not held.any() or recruits <= 0:
            return
        need = m.balance().need[held]
        chance = need / need.sum() if need.sum() > 0 else None
        size = self.params.unit_size
        count = max(1, round(recruits / size))
        for node in m.rng.choice(hq[held], size=count, p=chance):
            m.spawn_unit(NewUnit(0, int(node), recruits / count, quality, self.params.morale, MOBILE, HOLD))
        m.recruited[0] += recruits


@njit
def _desert(alive, faction, morale, strength, rate):
    """Each live junta unit loses `rate` x (1 - morale) of its men; returns how many left."""
    left = 0.0
    for i in range(len(strength)):
        if alive[i] and faction[i] == 0:
            loss = rate * (1 - morale[i]) * strength[i]
            strength[i] -= loss
            left += loss
    return left
