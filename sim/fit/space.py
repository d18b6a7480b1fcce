"""The numbers a fit may move, and their priors.

Candidates are every behavioural number of the rules (the `[model]` table: each `number`
field, about a hundred), not the scenario's conditions (a file's junta strength or drone
level is what it describes, not what the fit learns). Each candidate's prior is uniform in
log space over a factor of `SPAN` either side of the value the scenario gives it (the hand
value), inside the range its Field allows: a scale-free prior for rates and weights whose
order of magnitude, not their digits, was set by hand. A fit works in the unit cube; `Box`
maps it to values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.scenario import Scenario, schema
from sim.scenario.fields import get_path, is_distribution, leaves

SPAN = 2.5  # prior: hand value / SPAN to hand value x SPAN
ZERO_SHARE = 0.1  # a hand value of 0: uniform over the first tenth of the key's range

# The levers' coefficients and each side's margins are fitted whatever the screening says:
# the attribution rests on them (issue #31), so the fit must say whether the record pins them.
ALWAYS = (
    "model.drone_effect",
    "model.air_effect",
    "model.leadership.strength_gain",
    "model.leadership.reaction_floor",
    "model.strategy.junta_margin",
    "model.strategy.resistance_margin",
    "model.ceasefire.resolve",
    "model.china.brokering_pressure",
)


@dataclass(frozen=True)
class Box:
    """Candidate keys with their prior bounds; `log` keys are uniform in log value."""

    names: tuple[str, ...]
    low: np.ndarray
    high: np.ndarray
    log: np.ndarray  # bool

    def values(self, u: np.ndarray) -> np.ndarray:
        """Values of unit-cube points (rows)."""
        u = np.asarray(u, dtype=float)
        lo = np.where(self.log, np.log(np.maximum(self.low, 1e-300)), self.low)
        hi = np.where(self.log, np.log(np.maximum(self.high, 1e-300)), self.high)
        t = lo + u * (hi - lo)
        return np.where(self.log, np.exp(t), t)

    def subset(self, keep: list[str]) -> Box:
        idx = [self.names.index(k) for k in keep]
        return Box(tuple(keep), self.low[idx], self.high[idx], self.log[idx])

    def to_dict(self) -> dict:
        return {
            n: {"low": float(lo), "high": float(hi), "scale": "log" if lg else "linear"}
            for n, lo, hi, lg in zip(self.names, self.low, self.high, self.log, strict=True)
        }


def centre(value: float | dict) -> float:
    """The value a file gives a key, or its distribution's centre (a fit's prior is centred
    there, never on an earlier fit's interval: that would count the record twice)."""
    if not is_distribution(value):
        return float(value)
    if "mode" in value:
        return float(value["mode"])
    if "mean" in value:
        return float(value["mean"])
    return float(
        np.sqrt(value["low"] * value["high"]) if value["low"] > 0 else (value["low"] + value["high"]) / 2
    )


def candidates(scenario: Scenario) -> Box:
    """Every behavioural number of the rules with its prior around the scenario's value."""
    names, low, high, log = [], [], [], []
    for dotted, field in leaves(schema.FULL):
        if not dotted.startswith("model.") or field.kind != "float" or not field.uncertain:
            continue
        value = centre(get_path(scenario.data, dotted))
        if value > 0:
            lo, hi = max(value / SPAN, field.low), min(value * SPAN, field.high)
            lg = lo > 0
        else:
            lo, hi, lg = field.low, field.low + ZERO_SHARE * (field.high - field.low), False
        if hi > lo:
            names.append(dotted)
            low.append(lo)
            high.append(hi)
            log.append(lg)
    return Box(tuple(names), np.array(low, float), np.array(high, float), np.array(log, bool))
