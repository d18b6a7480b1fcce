"""ConflictModel: one replicate of the war, one step per day. No I/O here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import mesa
import numpy as np
from mesa.agentset import AgentSet
from mesa.discrete_space import Network

from sim.model import combat, tactics
from sim.model.agents import China, Faction, Formation, JuntaCommand, RebelUnit, Unit, Uwsa
from sim.model.recorder import Recorder
from sim.model.units import GARRISON, GUERRILLA, HOLD, MOBILE, REBEL, Forces
from sim.scenario.schema import Event, Params
from sim.world.factions import FACTIONS, RESISTANCE, SIDE
from sim.world.geography import Geography
from sim.world.routing import bfs_field


class ConflictModel(mesa.Model):
    """Junta formations and resistance units contest the towns of Myanmar.

    `params` is one draw of a scenario (`Scenario.sample`); the daily schedule is
    in `step`. Everything random goes through `self.rng`.
    """

    def __init__(self, params: Params, geography: Geography, rng=None) -> None:
        super().__init__(rng=rng)
        self.p = params
        self.geo = geo = geography
        self.codes = FACTIONS
        self.start: dt.date = params.run.start
        self.date = self.start
        self.day = 0
        self.days = (params.run.end - params.run.start).days + 1
        layout = {i: (float(geo.lon[i]), float(geo.lat[i])) for i in range(geo.n)}
        self.grid = Network(geo.graph(), random=self.random, layout=layout)

        mp = params.model
        self.holder = np.array([FACTIONS.index(c) for c in geo.control[params.run.initial_control]])
        self.holder_version = 0
        terrain = {"hill": mp.terrain_hill, "mountain": mp.terrain_mountain}
        self.terrain = np.array([terrain.get(t, 1.0) for t in geo.terrain])
        self.coast = geo.terrain == "coast"
        self.outposts_base = np.maximum(1.0, np.round(geo.area / mp.outpost_area_km2))
        self.outposts = np.where(self.holder == 0, self.outposts_base, 0.0)
        self.residents = geo.population.astype(float).copy()
        self.engaged_days = np.zeros(geo.n, dtype=np.int64)
        self.captured_day = np.full(geo.n, -10_000, dtype=np.int64)
        self.value, self.value_junta = self._values()

        # cumulative counters, index 0 junta, 1 resistance
        self.killed = np.zeros(2)
        self.surrendered = np.zeros(2)
        self.deserted = np.zeros(2)
        self.recruited = np.zeros(2)
        self.outposts_lost = 0.0
        self.displaced = 0.0
        self.air_strikes = 0

        self.forces = Forces()
        self.units: list[Unit] = []
        self.faction_strength = np.array([getattr(params.factions.get(c), "strength", 0.0) for c in FACTIONS])
        self.junta = JuntaCommand(self, params.junta)
        self.resistance_factions = [
            Faction(self, code, FACTIONS.index(code), params.factions[code], side=1) for code in RESISTANCE
        ]
        self.by_index: list[Faction | None] = [None] * len(FACTIONS)
        for f in [self.junta, *self.resistance_factions]:
            self.by_index[f.index] = f
        self.factions = AgentSet([self.junta, *self.resistance_factions], random=self.random)
        self.china = China(self, params.china)
        self.uwsa = Uwsa(self, params.uwsa)
        self.operating = self._operating_masks()
        self._place_junta()
        self._place_resistance()
        self.initial_people = self.people()

        self.events: dict[dt.date, list[Event]] = {}
        for ev in params.events:
            self.events.setdefault(ev.date, []).append(ev)
        self._fields: dict[object, tuple[np.ndarray, np.ndarray]] = {}  # BFS fields of this map version
        self._fields_version = self.holder_version
        self.junta_dist = np.full(geo.n, -1)
        self.junta_next = np.full(geo.n, -1)
        self.junta_targets = np.zeros(geo.n, dtype=bool)
        self._faction_state()
        self.recorder = Recorder(self)
        self.initial_agents = len(self.agents)

    # --- set-up -----------------------------------------------------------------

    def _values(self) -> tuple[np.ndarray, np.ndarray]:
        """What a town is worth to fight for, to the resistance and to the junta.

        Both prize border crossings; the junta's 2025 campaign aimed above all at
        trade corridors and mines [DW-2025], the resistance also at seats of power.
        """
        g = self.geo
        tv = self.p.model.town_value
        base = 1 + np.log1p(g.population / tv.population_scale)

        def worth(w) -> np.ndarray:
            return base * (
                1
                + w.crossing * g.crossing
                + w.corridor * g.corridor
                + w.mine * g.mine
                + w.capital * g.capital
                + w.hq * g.hq
            )

        return worth(tv.resistance), worth(tv.junta)

    def _operating_masks(self) -> np.ndarray:
        """Which towns each faction fights over: its declared states, else where it holds or operates."""
        g = self.geo
        label = self.p.run.initial_control
        masks = np.zeros((len(FACTIONS), g.n), dtype=bool)
        masks[0] = True
        for f in self.resistance_factions:
            states = f.params.operating_states
            if not states:
                here = [
                    i for i in range(g.n) if g.control[label][i] == f.code or f.code in g.presence[label][i]
                ]
                states = sorted(set(g.state[here].tolist()))
            masks[f.index] = np.isin(g.state, states)
        return masks

    def _place_junta(self) -> None:
        jp = self.p.junta
        g = self.geo
        held = np.flatnonzero(self.holder == 0)
        garrison_total = jp.strength * (1 - jp.mobile_share)
        # troops sit in the outposts around each town and, above all, in command
        # headquarters, capitals, border gates and corridor towns; front towns get more
        front = np.array([len(p) > 0 for p in g.presence[self.p.run.initial_control]])
        gw = self.p.model.garrison
        base = (
            gw.base
            + self.outposts_base
            + gw.hq * g.hq
            + gw.capital * g.capital
            + gw.crossing * g.crossing
            + gw.corridor * g.corridor
        )
        w = (base * (1 + gw.front * front) + g.population / gw.population_scale)[held]
        for node, s in zip(held, garrison_total * w / w.sum(), strict=True):
            self.spawn_unit(Formation, 0, int(node), s, jp.quality, jp.morale, GARRISON, HOLD)
        bases = self.junta_bases()
        mobile_total = jp.strength * jp.mobile_share
        count = round(mobile_total / jp.unit_size)
        if count and len(bases):
            for node in self.rng.choice(bases, size=count):
                self.spawn_unit(
                    Formation,
                    0,
                    int(node),
                    mobile_total / count,
                    jp.quality,
                    jp.morale,
                    MOBILE,
                    HOLD,
                )
        self.recruited[0] = 0.0

    def _place_resistance(self) -> None:
        g = self.geo
        label = self.p.run.initial_control
        size = self.p.model.rebel_unit_size
        morale = self.p.resistance.morale
        for f in self.resistance_factions:
            strength = f.params.strength
            if strength <= 0:
                continue
            held = self.holder == f.index
            present = np.array([f.code in p for p in g.presence[label]])
            # local guerrilla detachments in the countryside of every town where the
            # faction operates (the map's presence data); its main force in units of
            # `rebel_unit_size` over the towns it holds and operates around
            sites = np.flatnonzero(present)
            local = self.p.model.guerrilla_share * strength if len(sites) else 0.0
            count = max(1, round((strength - local) / size))
            # main forces stand where the faction means to fight: around junta towns on
            # the offensive, in its own towns on the defensive
            attack = f.params.posture == "offensive"
            weight = held * (1.0 if attack else self.p.model.tactics.defensive_home_weight) + present * 1.0
            if weight.sum() == 0:
                weight = (self.operating[f.index] & (SIDE[self.holder] != 0)) * 1.0
            if weight.sum() == 0:
                weight = self.operating[f.index] * 1.0
            main = self.rng.choice(g.n, size=count, p=weight / weight.sum())
            placements = [(n, local / len(sites)) for n in sites] + [
                (n, (strength - local) / count) for n in main
            ]
            for node, s in placements:
                mode = HOLD if SIDE[self.holder[node]] != 0 else GUERRILLA
                self.spawn_unit(RebelUnit, f.index, int(node), s, f.params.quality, morale, REBEL, mode)

    # --- helpers used by agents and submodels -------------------------------------

    def spawn_unit(
        self,
        cls,
        faction: int,
        node: int,
        strength: float,
        quality: float,
        morale: float,
        kind: int,
        mode: int,
    ) -> Unit:
        idx = self.forces.add(faction, node, strength, quality, morale, kind, mode)
        unit = cls(self, idx)
        self.units.append(unit)
        return unit

    def junta_bases(self) -> np.ndarray:
        """Command headquarters and capitals the junta still holds: where formations form up."""
        g = self.geo
        bases = np.flatnonzero((g.hq | g.capital) & (self.holder == 0))
        return bases if len(bases) else np.flatnonzero(self.holder == 0)

    def recruit_node(self, faction: int) -> int | None:
        """Where a faction's new unit forms: a random town it holds, else where its units are."""
        f = self.forces
        held = np.flatnonzero(self.holder == faction)
        if len(held) == 0:
            mine = f.view("alive") & (f.view("faction") == faction)
            held = np.unique(f.view("node")[mine])
        if len(held) == 0:
            return None
        return int(self.rng.choice(held))

    def set_holder(self, node: int, faction: int) -> None:
        if self.holder[node] == faction:
            return
        self.holder[node] = faction
        self.holder_version += 1
        self.captured_day[node] = self.day
        self.engaged_days[node] = 0
        if faction == 0:
            self.outposts[node] = np.round(self.p.model.recaptured_outposts * self.outposts_base[node])
        else:
            self.outposts_lost += self.outposts[node]
            self.outposts[node] = 0.0

    def move_units(self, idx: np.ndarray, dest: np.ndarray) -> None:
        """Send units along a road; they arrive after the march (`busy` days)."""
        if len(idx) == 0:
            return
        f = self.forces
        src = f.node[idx]
        lengths = np.where(src == dest, 0.0, self.geo.road_km(src, dest))
        f.node[idx] = dest
        f.busy[idx] = np.maximum(1, np.ceil(lengths / self.p.model.move_km_per_day)).astype(np.int64)
        for i, node in zip(idx.tolist(), dest.tolist(), strict=True):
            self.units[i].cell = self.grid[node]

    def remove_dead(self) -> None:
        f = self.forces
        dead = np.flatnonzero(f.view("alive") & (f.view("strength") < 1.0))
        for i in dead.tolist():
            self.killed[SIDE[f.faction[i]]] += f.strength[i]  # the last stragglers count as lost
            f.alive[i] = False
            f.strength[i] = 0.0
            self.units[i].remove()

    def _field(
        self, key: object, make: Callable[[], tuple[np.ndarray, np.ndarray]]
    ) -> tuple[np.ndarray, np.ndarray]:
        """A BFS field from `make()` = (sources, passable), computed once per map version
        (the map changes only when a town falls)."""
        if self._fields_version != self.holder_version:
            self._fields, self._fields_version = {}, self.holder_version
        if key not in self._fields:
            self._fields[key] = bfs_field(self.geo.neighbours, *make())
        return self._fields[key]

    def junta_supplied(self) -> np.ndarray:
        """Junta-held towns connected by junta-held roads to a headquarters or capital."""

        def make() -> tuple[np.ndarray, np.ndarray]:
            g = self.geo
            held = self.holder == 0
            # headquarters and capitals by road; coastal towns by sea (the navy) [AP-2023]
            return held & (g.hq | g.capital | self.coast), held

        return self._field("supply", make)[0] >= 0

    def front_field(self, faction: int) -> tuple[np.ndarray, np.ndarray]:
        """Hops to the nearest town the faction can attack, through friendly towns it operates in."""
        cease = bool(self.cease[faction])

        def make() -> tuple[np.ndarray, np.ndarray]:
            hostile = (self.holder == 0) & self.operating[faction] & (not cease)
            return hostile, (SIDE[self.holder] != 0) & self.operating[faction]

        return self._field(("front", faction, cease), make)

    def desert(self) -> None:
        """Junta desertion, heavier where morale is low [AP-2023: surrenders and defections]."""
        f = self.forces
        mask = f.view("alive") & (f.view("faction") == 0)
        s = f.view("strength")
        loss = self.p.junta.desertion_rate * (1 - f.view("morale")[mask]) * s[mask]
        s[mask] -= loss
        self.deserted[0] += loss.sum()

    def people(self) -> np.ndarray:
        """Fighters by side (junta, resistance), counting recruits not yet formed up."""
        f = self.forces
        alive = f.view("alive")
        side = SIDE[f.view("faction")]
        s = f.view("strength")
        return np.array([s[alive & (side == 0)].sum(), s[alive & (side == 1)].sum()])

    # --- events -------------------------------------------------------------------

    def apply_event(self, ev: Event) -> None:
        """Dated political events: ceasefires, handovers, postures, China and the UWSA."""
        kind = ev.kind
        faction = self.by_index[FACTIONS.index(ev.faction)] if ev.faction else None
        if kind == "ceasefire":
            faction.ceasefire = True
            faction.update_posture()
            for name in ev.hand_over or []:
                self.hand_over(self.geo.find(name), 0)
        elif kind == "ceasefire_end":
            faction.ceasefire = False
            faction.update_posture()
        elif kind == "handover":
            for name in ev.towns:
                self.hand_over(self.geo.find(name), FACTIONS.index(ev.to))
        elif kind in ("offensive", "defensive"):
            faction.chosen_posture = kind
            faction.update_posture()
        elif kind == "embargo":
            self.china.embargo = ev.active
        elif kind == "uwsa_supply":
            self.uwsa.supplying = ev.active
        elif kind == "china_stance":
            self.china.stance = ev.stance

    def hand_over(self, node: int, to: int) -> None:
        """A negotiated handover: the other side's units leave, the receiver garrisons it."""
        f = self.forces
        here = np.flatnonzero(
            f.view("alive") & (f.view("node") == node) & (SIDE[f.view("faction")] != SIDE[to])
        )
        friendly = np.flatnonzero(SIDE[self.holder[self.geo.neighbours[node]]] == SIDE[self.holder[node]])
        if len(here):
            nbrs = self.geo.neighbours[node]
            dest = nbrs[friendly[0]] if len(friendly) else nbrs[0]
            self.move_units(here, np.full(len(here), dest))
            f.mode[here] = HOLD
        self.set_holder(node, to)
        if to == 0:
            mobile = np.flatnonzero(f.view("alive") & (f.view("kind") == MOBILE))
            if len(mobile):
                self.detach_garrison(node, mobile[np.argmax(f.strength[mobile])])

    def detach_garrison(self, node: int, donor: int) -> None:
        """A mobile formation leaves part of itself to hold a town it took or was handed."""
        f = self.forces
        share = self.p.model.garrison_share * f.strength[donor]
        f.strength[donor] -= share
        self.spawn_unit(Formation, 0, node, share, f.quality[donor], f.morale[donor], GARRISON, HOLD)

    # --- schedule -----------------------------------------------------------------

    def step(self) -> None:
        """One day: events, outside powers, faction decisions, moves, engagements, record."""
        self.date = self.start + dt.timedelta(days=self.day)
        for ev in self.events.get(self.date, ()):
            self.apply_event(ev)
        f = self.forces
        alive = f.view("alive")
        self.faction_strength = np.bincount(
            f.view("faction")[alive], f.view("strength")[alive], minlength=len(FACTIONS)
        )
        self.china.step()
        self.uwsa.step()
        self.factions.shuffle_do("step")
        self._faction_state()
        tactics.move(self)
        combat.resolve(self)
        self.remove_dead()
        self.recorder.record(self)
        self.day += 1

    def _faction_state(self) -> None:
        """Today's ceasefires, postures and supply by faction index, for the vectorised submodels."""
        present = [f for f in self.by_index if f is not None]
        self.cease = np.zeros(len(FACTIONS), dtype=bool)
        self.offensive = np.zeros(len(FACTIONS), dtype=bool)
        self.supply = np.ones(len(FACTIONS))
        for f in present:
            self.cease[f.index] = f.ceasefire
            self.offensive[f.index] = f.offensive and f.side == 1
            self.supply[f.index] = f.supply

    def run(self) -> None:
        for _ in range(self.days):
            self.step()
