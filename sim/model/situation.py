"""What the deciding agents and the combat kernels may read: a read-only view of one day.

Kernels take a `Situation` and return orders or results; they never write into
the model. Arrays here are read-only views of the model's state, so a kernel
that tried to write would fail loudly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from sim.scenario.schema import Params
from sim.world.factions import SIDE
from sim.world.geography import Geography


def frozen(a: np.ndarray) -> np.ndarray:
    """A read-only view of an array."""
    v = a.view()
    v.flags.writeable = False
    return v


class Units(NamedTuple):
    """The live rows of the unit table (`units.Forces`), read-only."""

    faction: np.ndarray
    node: np.ndarray
    strength: np.ndarray
    quality: np.ndarray
    morale: np.ndarray
    kind: np.ndarray
    mode: np.ndarray
    busy: np.ndarray  # days left on the march
    rest: np.ndarray  # days left consolidating a captured town
    alive: np.ndarray


class Ground(NamedTuple):
    """What the engagements read of the townships and the day."""

    side: np.ndarray  # side of each faction index
    holder: np.ndarray
    supplied: np.ndarray
    outposts: np.ndarray
    engaged_days: np.ndarray
    captured_day: np.ndarray
    area: np.ndarray
    day: int


class JuntaPlan(NamedTuple):
    """The junta command's current plan: its objectives and a route field toward them."""

    targets: np.ndarray  # bool per town
    dist: np.ndarray  # hops to the nearest staging or threatened town, -1 unreachable
    next: np.ndarray  # next hop toward it


class Situation(NamedTuple):
    geo: Geography
    p: Params
    day: int
    monsoon: bool  # the rains slow marches and ground aircraft
    holder: np.ndarray  # faction index per town
    outposts: np.ndarray
    outposts_base: np.ndarray
    terrain: np.ndarray  # defence multiplier per town
    coast: np.ndarray
    engaged_days: np.ndarray
    captured_day: np.ndarray
    operating: np.ndarray  # factions x towns: where each faction fights
    value: np.ndarray  # worth of each town to the resistance
    value_junta: np.ndarray
    cease: np.ndarray  # per faction index: in a ceasefire today
    offensive: np.ndarray  # faction x town: a resistance faction on the offensive on the town's front
    supply: np.ndarray  # per faction index: ammunition-limited effectiveness
    junta_attacking: np.ndarray  # per town: its regional command is on the offensive
    junta_capacity: np.ndarray  # per town: 1, or 0 while its regional command has lost its headquarters
    china_support: float  # materiel gain of the junta from China today
    supplied: np.ndarray  # junta towns linked to a headquarters, capital or the sea
    plan: JuntaPlan
    units: Units
    front_fields: Callable[[], tuple[np.ndarray, np.ndarray]]  # (hops, next hop) to each faction's front


def ground(s: Situation) -> Ground:
    return Ground(
        SIDE, s.holder, s.supplied, s.outposts, s.engaged_days, s.captured_day, s.geo.area, int(s.day)
    )


def plain(records: tuple) -> tuple:
    """Records as plain tuples, to hand to a compiled function: numba takes a plain tuple in
    about 0.5 µs, a named one in about 1.5 µs; the kernel names them again (`Ground(*g)`)."""
    return tuple([tuple(r) for r in records])


def numbers(record: type, *values: float):
    """A record of rule numbers, each a float (so a kernel compiles once for every file)."""
    return record._make([float(v) for v in values])
