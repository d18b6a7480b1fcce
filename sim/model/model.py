"""ConflictModel: one replicate of the war, one step per day. No I/O here.

The model holds the state and carries out what agents decide and what the
combat kernels compute; it makes no choices of its own.
"""

from __future__ import annotations

import datetime as dt

import mesa
import numpy as np
from mesa.agentset import AgentSet
from mesa.discrete_space import Network

from sim.jit import njit
from sim.model import outcomes
from sim.model.agents import Faction, Formation, JuntaCommand, RebelUnit, Unit
from sim.model.battle import battle
from sim.model.china import China, Uwsa
from sim.model.deployment import (
    NewUnit,
    armed_presence,
    junta_deployment,
    operating_masks,
    resistance_deployment,
    town_values,
)
from sim.model.events import apply_event
from sim.model.march import march
from sim.model.recorder import Recorder
from sim.model.routes import RouteFields
from sim.model.situation import Situation, Units, frozen
from sim.model.strategy import Balance, balance
from sim.model.units import GARRISON, HOLD, MOBILE, Forces
from sim.scenario.schema import Event, Params
from sim.world.factions import FACTIONS, RESISTANCE, SIDE, faction_index
from sim.world.geography import Geography


class ConflictModel(mesa.Model):
    """Junta formations and resistance units contest the towns of Myanmar.

    `params` is one draw of a scenario (`Scenario.sample`); the daily schedule is
    in `step`. Everything random goes through `self.rng`.
    """

    def __init__(self, params: Params, geography: Geography, rng=None) -> None:
        super().__init__(rng=rng)
        self.p = params
        self.initial_params = params  # as drawn: dated `change` events replace self.p later
        self.geo = geo = geography
        self.start: dt.date = params.run.start
        self.date = self.start
        self.day = 0
        self.days = (params.run.end - params.run.start).days + 1
        layout = {i: (float(geo.lon[i]), float(geo.lat[i])) for i in range(geo.n)}
        self.grid = Network(geo.graph(), random=self.random, layout=layout)

        mp = params.model
        self.holder = np.array([faction_index(c) for c in geo.control[params.run.initial_control]])
        self.holder_version = 0
        terrain = {"hill": mp.terrain_hill, "mountain": mp.terrain_mountain}
        self.terrain = np.array([terrain.get(t, 1.0) for t in geo.terrain])
        self.coast = geo.terrain == "coast"
        self.china_border = geo.border == "china"
        self.outposts_base = np.maximum(1.0, np.round(geo.area / mp.outpost_area_km2))
        self.outposts = np.where(self.holder == 0, self.outposts_base, 0.0)
        self.residents = geo.population.astype(float).copy()
        self.engaged_days = np.zeros(geo.n, dtype=np.int64)
        self.captured_day = np.full(geo.n, -10_000, dtype=np.int64)
        self.value = town_values(geo, mp.town_value)[0]

        # cumulative counters, index 0 junta, 1 resistance
        self.killed = np.zeros(2)
        self.surrendered = np.zeros(2)
        self.deserted = np.zeros(2)
        self.recruited = np.zeros(2)
        self.outposts_lost = 0.0
        self.displaced = 0.0
        self.air_strikes = 0
        self.civilians_killed = 0.0  # by air strikes

        self.forces = Forces()
        self.units: list[Unit] = []
        # fighters by faction at the start of the day (floats, as the factions read them)
        self.faction_strength = [getattr(params.factions.get(c), "strength", 0.0) for c in FACTIONS]
        self.junta = JuntaCommand(self, params.junta)
        self.resistance_factions = [Faction(self, code, params.factions[code]) for code in RESISTANCE]
        self.by_index: list[Faction | None] = [None] * len(FACTIONS)
        for f in [self.junta, *self.resistance_factions]:
            self.by_index[f.index] = f
        self.factions = AgentSet([self.junta, *self.resistance_factions], random=self.random)
        self.china = China(self, params.china)
        self.uwsa = Uwsa(self, params.uwsa)
        self.operating = operating_masks(geo, params)
        presence = armed_presence(geo, params, self.rng)
        for unit in junta_deployment(geo, params, self.holder, self.outposts_base, presence, self.rng):
            self.spawn_unit(unit)
        for unit in resistance_deployment(geo, params, self.holder, self.operating, presence, self.rng):
            self.spawn_unit(unit)
        self.initial_people = self.people()

        self.events: dict[dt.date, list[Event]] = {}
        for ev in params.events:
            self.events.setdefault(ev.date, []).append(ev)
        self.routes = RouteFields(self)
        self._balance: tuple[int, Balance] | None = None
        self.cease = np.zeros(len(FACTIONS), dtype=bool)
        self.offensive = np.zeros((len(FACTIONS), geo.n), dtype=bool)  # on the offensive on the town's front
        self.supply = np.ones(len(FACTIONS))
        self._faction_state()
        # read-only views handed to agents and kernels: the arrays above are only ever
        # written in place, so one view each serves the whole run (units: until one is added)
        # (every array a kernel sees read-only, also those that never change: to numba a
        # writeable array is another type, and each type compiles the kernel again)
        self._views = {
            name: frozen(getattr(self, name))
            for name in (
                *("holder", "outposts", "engaged_days", "captured_day", "cease", "offensive", "supply"),
                *("outposts_base", "terrain", "coast", "operating", "value"),
            )
        }
        self._units: tuple[int, Units] | None = None
        self._situation: tuple[tuple, Situation] | None = None
        self.recorder = Recorder(self)
        self.initial_agents = len(self.agents)

    # --- what agents and kernels see ----------------------------------------------

    def situation(self) -> Situation:
        """A read-only view of today for the deciding agents and the combat kernels.

        Its arrays are views, so one serves until something it holds by value changes: the
        day, the parameters, a town's holder (the supply network), a new unit, the command's
        plan, posture or election, China's stance."""
        f, j = self.forces, self.junta
        capacity = j.command_capacity()
        key = (self.day, id(self.p), self.holder_version, f.n, id(j.plan), j.polling, self.china.stance)
        key += (j.command_attacking.tobytes(), capacity.tobytes())
        if self._situation is not None and self._situation[0] == key:
            return self._situation[1]
        if self._units is None or self._units[0] != f.n:
            self._units = (f.n, Units(**{name: frozen(f.view(name)) for name in Units._fields}))
        v = self._views
        s = Situation(
            geo=self.geo,
            p=self.p,
            day=self.day,
            monsoon=self.monsoon(),
            holder=v["holder"],
            outposts=v["outposts"],
            outposts_base=v["outposts_base"],
            terrain=v["terrain"],
            coast=v["coast"],
            engaged_days=v["engaged_days"],
            captured_day=v["captured_day"],
            operating=v["operating"],
            value=v["value"],
            value_junta=self.junta.values(),
            cease=v["cease"],
            offensive=v["offensive"],
            supply=v["supply"],
            junta_attacking=frozen(j.command_attacking[self.geo.commands.of]),
            junta_capacity=frozen(capacity[self.geo.commands.of]),
            china_support=self.china.junta_support(),
            supplied=self.routes.junta_supplied(),
            plan=self.junta.plan,
            units=self._units[1],
            front_fields=self.routes.front_fields,
        )
        self._situation = (key, s)
        return s

    def balance(self) -> Balance:
        """Today's balance of forces (model/strategy.py), computed once a day for every commander."""
        if self._balance is None or self._balance[0] != self.day:
            self._balance = (self.day, balance(self.situation()))
        return self._balance[1]

    def monsoon(self) -> bool:
        season = self.p.model.season
        return season.monsoon_start <= self.date.month <= season.monsoon_end

    def people(self) -> np.ndarray:
        """Fighters by side (junta, resistance), counting recruits not yet formed up."""
        f = self.forces
        alive = f.view("alive")
        side = SIDE[f.view("faction")]
        s = f.view("strength")
        return np.array([s[alive & (side == 0)].sum(), s[alive & (side == 1)].sum()])

    # --- carrying out decisions and results ------------------------------------------

    def spawn_unit(self, unit: NewUnit) -> Unit:
        idx = self.forces.add(
            unit.faction, unit.node, unit.strength, unit.quality, unit.morale, unit.kind, unit.mode
        )
        agent = (Formation if unit.faction == 0 else RebelUnit)(self, idx)
        self.units.append(agent)
        return agent

    def set_holder(self, node: int, faction: int, cause: str) -> None:
        """A change of hands, recorded with its cause: "assault" (the fighting decided it),
        "settlement" (the terms of a ceasefire a faction decided on, model/ceasefire.py), or
        "handover" / "ceasefire" (a dated agreement did, so it never counts as skill)."""
        if self.holder[node] == faction:
            return
        self.recorder.change(self.day, node, int(self.holder[node]), faction, cause)
        self.holder[node] = faction
        self.holder_version += 1
        self.captured_day[node] = self.day
        self.engaged_days[node] = 0
        if faction == 0:
            self.outposts[node] = np.round(self.p.model.recaptured_outposts * self.outposts_base[node])
        else:
            self.outposts_lost += self.outposts[node]
            self.outposts[node] = 0.0

    def pace(self) -> float:
        """Km a unit marches a day: less in the rains."""
        return self.p.model.move_km_per_day * (self.p.model.season.march if self.monsoon() else 1.0)

    def move_units(self, idx: np.ndarray, dest: np.ndarray) -> None:
        """Send units along a road; they arrive after the march (`busy` days)."""
        if len(idx) == 0:
            return
        f = self.forces
        f.busy[idx] = self.geo.march_days(f.node[idx], dest, self.pace())
        f.node[idx] = dest

    def sync_cells(self) -> None:
        """Put each live unit's Mesa agent in the cell of the township its row of the unit
        table names. The table is where a unit is; the cells follow it only when something
        asks for Mesa's view of the map (nothing inside the day's schedule reads them)."""
        f = self.forces
        for unit in self.units:
            if f.alive[unit.idx]:
                cell = self.grid[int(f.node[unit.idx])]
                if unit.cell is not cell:
                    unit.cell = cell

    def remove_dead(self) -> None:
        f = self.forces
        for i in _dead(f.view("alive"), f.view("strength")).tolist():
            self.killed[SIDE[f.faction[i]]] += f.strength[i]  # the last stragglers count as lost
            f.alive[i] = False
            f.strength[i] = 0.0
            self.units[i].remove()

    def detach_garrison(self, node: int, donor: int) -> None:
        """A mobile formation leaves part of itself to hold a town it took or was handed."""
        f = self.forces
        share = self.p.model.garrison_share * f.strength[donor]
        f.strength[donor] -= share
        self.spawn_unit(NewUnit(0, node, share, f.quality[donor], f.morale[donor], GARRISON, HOLD))

    # --- schedule -----------------------------------------------------------------

    def step(self) -> None:
        """One day: events, outside powers, faction decisions, moves, engagements, record."""
        self.date = self.start + dt.timedelta(days=self.day)
        today = self.events.get(self.date, ())
        for ev in today:
            apply_event(self, ev)
        if today:  # a ceasefire or posture from today is seen by everyone deciding today
            self._faction_state()
        f = self.forces
        alive = f.view("alive")
        self.faction_strength = np.bincount(
            f.view("faction")[alive], f.view("strength")[alive], minlength=len(FACTIONS)
        ).tolist()
        self.china.step()
        self.uwsa.step()
        self.factions.shuffle_do("step")
        self._faction_state()
        self._march()
        self.fight()
        self.remove_dead()
        self.recorder.record(self)
        self.day += 1

    def _faction_state(self) -> None:
        """Today's ceasefires, postures and supply by faction index, for the vectorised kernels."""
        present = [f for f in self.by_index if f is not None]
        for f in present:
            self.cease[f.index] = f.ceasefire
            self.offensive[f.index] = f.offensive[self.geo.commands.of] if f.side == 1 else False
            self.supply[f.index] = f.supply

    def _march(self) -> None:
        """A day's march and consolidation pass; then both sides' orders (model/march.py)."""
        for name in ("busy", "rest"):
            days = self.forces.view(name)
            days -= days > 0
        f = self.forces
        march(self.situation(), f.view("node"), f.view("busy"), f.view("mode"), self.pace(), self.rng)

    def fight(self) -> None:
        """All of today's engagements and their toll (model/battle.py), then what they decide:
        ammunition and arms, breaks, captures and displacement.

        One Situation serves the whole pass: its arrays are views, so each kernel sees what the
        ones before it changed (no unit is added before the captures)."""
        s = self.situation()
        f = self.forces
        P, fight, broken, killed, ammo, lost = battle(
            s, f.view("strength"), f.view("morale"), self.outposts, self.rng
        )
        self.air_strikes += int(fight.air.sum())
        self._air_deaths(fight.air)
        self.killed += killed
        used = ammo.tolist()
        for fac in self.resistance_factions:
            fac.ammo = max(0.0, fac.ammo - used[fac.index])

        if len(lost.towns):
            self.outposts_lost += lost.lost.sum()
            for fac, n in zip(lost.taken_by.tolist(), lost.lost.tolist(), strict=True):
                self.by_index[fac].arms += n * self.p.model.arms_per_outpost

        self._breaks(outcomes.breaks(s, P, broken))
        self._captures(outcomes.captures(s))

        np.multiply(self.engaged_days + 1, fight.assault, out=self.engaged_days)  # count on, or reset
        fled, total = outcomes.flight(s, P, fight, self.residents)
        self.residents -= fled
        self.displaced += total

    def _air_deaths(self, air: np.ndarray) -> None:
        """Civilians killed by the day's air strikes: `air_civilians` a strike, fewer where
        people have fled (in proportion to the residents left) [NLTA]."""
        if not air.any():
            return
        left = self.residents / np.maximum(self.geo.population, 1.0)
        killed = self.p.model.air_civilians * air * left
        self.residents -= np.minimum(killed, self.residents)
        self.civilians_killed += float(killed.sum())

    def _breaks(self, b: outcomes.Breaks) -> None:
        f, mp = self.forces, self.p.model
        for i, given, captor in zip(b.units, b.surrendered, b.captor, strict=True):
            f.strength[i] -= given
            self.surrendered[0] += given
            self.by_index[captor].arms += given
            defectors = mp.defection_share * given
            self.by_index[captor].pool += defectors
            self.recruited[1] += defectors
        if b.withdraw:
            idx = np.array(b.withdraw)
            self.move_units(idx, np.array(b.withdraw_to))
            f.morale[idx] = mp.morale_break + mp.withdrawal_morale
            f.mode[idx] = HOLD
            f.kind[idx] = MOBILE

    def _captures(self, c: outcomes.Captures) -> None:
        """Towns change hands; the victors stay to consolidate them for a while."""
        if not c.taken.any():
            return
        for town, faction in c.by_resistance:
            self.set_holder(town, faction, "assault")
        f = self.forces
        victors = f.view("alive") & c.taken[f.view("node")]
        f.view("mode")[victors] = HOLD
        f.view("rest")[victors] = self.p.model.consolidation_days
        for town in c.by_junta:
            self.set_holder(town, 0, "assault")
            if outcomes.needs_garrison(self.situation(), town):
                u = f.view("node")
                here = np.flatnonzero(f.view("alive") & (u == town) & (f.view("faction") == 0))
                self.detach_garrison(town, here[np.argmax(f.strength[here])])

    def run(self) -> None:
        for _ in range(self.days):
            self.step()


@njit
def _dead(alive, strength):
    """Live units down to their last stragglers (fewer than one fighter)."""
    return np.flatnonzero(alive & (strength < 1.0))
