"""When a resistance faction accepts a ceasefire China presses for, on what terms, and when
it takes up arms again.

At each strategic review a faction China presses (`china.China.presses`) weighs what it
expects to gain by fighting on against what fighting costs it, and settles when the cost
outweighs the gain [Fearon 1995: a bargain both prefer once fighting's expected costs
exceed its expected gains]. Its gain is its balance of forces where it fights over the
margin it needs to attack (`strategy`); its cost is the sum of
- China's pressure (`China.pressure`): closed gates, cut power and fuel, the UWSA's
  ammunition stopped [DVB; Shan Herald Agency for News: before the MNDAA's Kunming truce of
  Jan 2025 and the TNLA's of Oct 2025];
- its losses: the share of its townships the junta took in the last `ceasefire.loss_days`
  (the TNLA signed after losing Nawnghkio, Kyaukme and Hsipaw in Jul-Oct 2025 [Shan News]);
- the junta's counteroffensive: the share of its townships in the areas of regional commands
  on the offensive.
It fights on while gain >= `ceasefire.resolve` x cost; once it has settled, the agreement holds
for `ceasefire.min_days` (Haigeng held five months), and it takes up arms again only when the
gain clears that bar by the strategy's hysteresis (`strategy.decide`).
Terms: it hands back the regional command headquarters it holds (Lashio, Apr 2025 [DVB]) and
its townships outside the states where it stood at the start (Mogok, Nov 2025 [Shan News]).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model.strategy import decide

if TYPE_CHECKING:
    from sim.model.agents import Faction


def fights_on(f: Faction, gain: float) -> bool:
    """Whether the faction fights on (or takes up arms again) at today's review."""
    m = f.model
    if f.ceasefire and m.day < f.settled_day + m.p.model.ceasefire.min_days:
        return False  # an agreement holds for a while whatever the day's balance
    china = m.china
    pressure = china.pressure() if china.presses(f) else 0.0
    if not f.ceasefire and pressure == 0.0:
        return True  # no one brokers a ceasefire
    cost = pressure + losses(f) + counteroffensive(f)
    rules = m.p.model
    return decide(not f.ceasefire, gain / max(cost, 1e-9), rules.ceasefire.resolve, rules.strategy.hysteresis)


def losses(f: Faction) -> float:
    """Share of its townships (held now or lost since) the junta took in the last `loss_days`."""
    m = f.model
    since = m.day - m.p.model.ceasefire.loss_days
    lost = {t for day, t, was, now, _ in m.recorder.changes if day >= since and was == f.index and now == 0}
    held = int((m.holder == f.index).sum())
    return len(lost) / max(held + len(lost), 1)


def counteroffensive(f: Faction) -> float:
    """Share of its townships in the areas of the junta's regional commands on the offensive."""
    m = f.model
    mine = m.holder == f.index
    if not mine.any():
        return 0.0
    attacking = m.junta.command_attacking[m.geo.commands.of]
    return float((mine & attacking).sum() / mine.sum())


def terms(f: Faction) -> np.ndarray:
    """The townships it hands back: command headquarters, and those outside its home states."""
    m = f.model
    geo = m.geo
    home = np.isin(geo.state, geo.state[f.home])
    return np.flatnonzero((m.holder == f.index) & (geo.hq | ~home))
