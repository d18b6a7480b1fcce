"""The first day (initialisation, ODD §5): town values, operating areas, where forces stand.

Pure functions of the map, the parameters and the generator; they return the
units to create, and the model creates them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.units import GARRISON, GUERRILLA, HOLD, MOBILE, REBEL
from sim.scenario.rules import TownValueParams
from sim.scenario.schema import Params
from sim.world.factions import FACTIONS, RESISTANCE, SIDE, faction_index
from sim.world.geography import Geography


@dataclass(frozen=True)
class NewUnit:
    faction: int
    node: int
    strength: float
    quality: float
    morale: float
    kind: int
    mode: int


def town_values(geo: Geography, tv: TownValueParams, election: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """What a town is worth to fight for, to the resistance and to the junta (ODD §7.5).

    While an announced election's polls are ahead, every town gains `junta.election`
    to the junta: a township with voters is worth taking, not only one with trade."""
    base = 1 + np.log1p(geo.population / tv.population_scale)

    def worth(w, extra: float) -> np.ndarray:
        flags = (geo.crossing, geo.corridor, geo.mine, geo.capital, geo.hq)
        weights = (w.crossing, w.corridor, w.mine, w.capital, w.hq)
        total = 1 + extra
        for weight, flag in zip(weights, flags, strict=True):
            total = total + weight * flag
        return base * total

    return worth(tv.resistance, 0.0), worth(tv.junta, tv.junta.election if election else 0.0)


def operating_masks(geo: Geography, p: Params) -> np.ndarray:
    """Which towns each faction fights over: its declared states, else where it holds or operates."""
    label = p.run.initial_control
    masks = np.zeros((len(FACTIONS), geo.n), dtype=bool)
    masks[0] = True
    for code in RESISTANCE:
        states = p.factions[code].operating_states
        if not states:
            here = [
                i for i in range(geo.n) if geo.control[label][i] == code or code in geo.presence[label][i]
            ]
            states = sorted(set(geo.state[here].tolist()))
        masks[faction_index(code)] = np.isin(geo.state, states)
    return masks


def armed_presence(geo: Geography, p: Params, rng: np.random.Generator) -> list[tuple[str, ...]]:
    """The armed groups in each township at the start of this replicate: those the start
    places there on a report, and, each with chance `inferred_presence`, those it places on a
    general basis (one draw per township, every replicate, so the draws that follow do not
    depend on the map's data)."""
    label = p.run.initial_control
    keep = rng.random(geo.n) < p.model.inferred_presence
    return [
        there if not inferred or kept else ()
        for there, inferred, kept in zip(geo.presence[label], geo.presence_inferred[label], keep, strict=True)
    ]


def junta_bases(geo: Geography, holder: np.ndarray) -> np.ndarray:
    """Command headquarters and capitals the junta holds: where the mobile formations stand at
    the start (later ones form up at the regional commands' headquarters, `JuntaCommand.form_up`)."""
    bases = np.flatnonzero((geo.hq | geo.capital) & (holder == 0))
    return bases if len(bases) else np.flatnonzero(holder == 0)


def junta_deployment(
    geo: Geography,
    p: Params,
    holder: np.ndarray,
    outposts_base: np.ndarray,
    presence: list[tuple[str, ...]],
    rng: np.random.Generator,
) -> list[NewUnit]:
    """Garrisons in the outposts around each town and, above all, in command headquarters,
    capitals, border gates and corridor towns, more on the front; mobile formations at bases."""
    jp, gw = p.junta, p.model.garrison
    held = np.flatnonzero(holder == 0)
    garrison_total = jp.strength * (1 - jp.mobile_share)
    front = np.array([any(c in RESISTANCE for c in x) for x in presence])
    base = (
        gw.base
        + outposts_base
        + gw.hq * geo.hq
        + gw.capital * geo.capital
        + gw.crossing * geo.crossing
        + gw.corridor * geo.corridor
    )
    w = (base * (1 + gw.front * front) + geo.population / gw.population_scale)[held]
    units = [
        NewUnit(0, int(node), s, jp.quality, jp.morale, GARRISON, HOLD)
        for node, s in zip(held, garrison_total * w / w.sum(), strict=True)
    ]
    bases = junta_bases(geo, holder)
    mobile_total = jp.strength * jp.mobile_share
    count = round(mobile_total / jp.unit_size)
    if count and len(bases):
        for node in rng.choice(bases, size=count):
            units.append(NewUnit(0, int(node), mobile_total / count, jp.quality, jp.morale, MOBILE, HOLD))
    return units


def resistance_deployment(
    geo: Geography,
    p: Params,
    holder: np.ndarray,
    operating: np.ndarray,
    presence: list[tuple[str, ...]],
    rng: np.random.Generator,
) -> list[NewUnit]:
    """Local guerrilla detachments in the countryside of every town where a faction operates
    (the map's presence data); its main force in units of `rebel_unit_size` over the towns it
    holds and operates around."""
    size = p.model.rebel_unit_size
    morale = p.resistance.morale
    units = []
    for code in RESISTANCE:
        fp, index = p.factions[code], faction_index(code)
        strength = fp.strength
        if strength <= 0:
            continue
        held = holder == index
        present = np.array([code in x for x in presence])
        sites = np.flatnonzero(present)
        local = p.model.guerrilla_share * strength if len(sites) else 0.0
        count = max(1, round((strength - local) / size))
        # main forces stand where the faction means to fight: around junta towns on
        # the offensive, in its own towns on the defensive
        attack = fp.posture != "defensive"  # auto: where it would fight
        weight = held * (1.0 if attack else p.model.tactics.defensive_home_weight) + present * 1.0
        if weight.sum() == 0:
            weight = (operating[index] & (SIDE[holder] != 0)) * 1.0
        if weight.sum() == 0:
            weight = operating[index] * 1.0
        main = rng.choice(geo.n, size=count, p=weight / weight.sum())
        placements = [(n, local / len(sites)) for n in sites] + [
            (n, (strength - local) / count) for n in main
        ]
        for node, s in placements:
            mode = HOLD if SIDE[holder[node]] != 0 else GUERRILLA
            units.append(NewUnit(index, int(node), s, fp.quality, morale, REBEL, mode))
    return units
