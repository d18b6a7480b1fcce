"""The Mesa model SolaraViz steps: one replicate of the explored scenario, one day a step.

SolaraViz re-creates the model on Reset from its keyword arguments, so the
model takes the explorer's `Setup` (or a reactive holding it) and a replicate
index; inside it is the simulator's own `ConflictModel`, built exactly as an
ensemble builds replicate r (`sim.run.replicate.build_model`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import mesa
import numpy as np
import pandas as pd

from sim.explore.levers import Setup
from sim.model.recorder import COLUMNS
from sim.run.replicate import build_model
from sim.world.factions import SIDE


class Replicate(mesa.Model):
    """One replicate for the browser. `error` holds the one line of anything that went wrong,
    so the page shows it instead of breaking."""

    def __init__(self, setup: Any = None, replicate: int = 0, rng=None) -> None:
        super().__init__(rng=rng)
        self.setup: Setup = setup if isinstance(setup, Setup) else setup.value  # or a reactive of one
        self.replicate = int(replicate)
        self.error: str | None = None
        self.war = None
        try:
            scenario = self.setup.scenario
            self.war = build_model(scenario, self.setup.seed, self.replicate)
        except Exception as exc:
            self.fail(exc)

    def fail(self, exc: Exception) -> None:
        self.error = f"{type(exc).__name__}: {exc}".splitlines()[0]
        self.running = False

    def step(self) -> None:
        war = self.war
        if war is None or war.day >= war.days:
            self.running = False
            return
        try:
            war.step()
        except Exception as exc:  # a bug in the model: shown on the page, the app goes on
            self.fail(exc)
            return
        self.running = war.day < war.days

    # --- what the page shows -------------------------------------------------------

    @property
    def days_done(self) -> int:
        return 0 if self.war is None else self.war.day

    @property
    def days(self) -> int:
        return 0 if self.war is None else self.war.days

    @property
    def dates(self) -> pd.DatetimeIndex:
        return pd.date_range(self.setup.scenario.start, periods=max(self.days, 1), freq="D")

    @property
    def stamp(self) -> str:
        """The one day counter the page shows: the date the state is at, and days run of all."""
        start = self.setup.scenario.start
        if self.days_done == 0:
            return f"{start:%d %b %Y}, start · day 0 of {self.days}"
        shown = start + dt.timedelta(days=self.days_done - 1)  # the end of the last day run
        return f"{shown:%d %b %Y} · day {self.days_done} of {self.days}"

    @property
    def holder(self) -> np.ndarray:
        """Faction index of each town's holder now."""
        if self.war is None:
            return np.zeros(self.setup.base.geography.n, dtype=int)
        return self.war.holder

    def strength_at_towns(self) -> tuple[np.ndarray, np.ndarray]:
        """Junta and resistance troops at each town now."""
        n = self.setup.base.geography.n
        if self.war is None:
            return np.zeros(n), np.zeros(n)
        f = self.war.forces
        alive = f.view("alive")
        side = SIDE[f.view("faction")]
        node, strength = f.view("node"), f.view("strength")
        by_side = [
            np.bincount(node[alive & (side == k)], strength[alive & (side == k)], minlength=n) for k in (0, 1)
        ]
        return by_side[0], by_side[1]

    def history(self) -> pd.DataFrame:
        """The daily metrics (columns of sim.model.recorder.COLUMNS) by date: the days run so far,
        or before the first, the state at the start, so that charts begin where the run does."""
        if self.war is None:
            return pd.DataFrame(np.zeros((0, len(COLUMNS))), columns=list(COLUMNS))
        done = self.days_done
        values = self.war.recorder.values[:done] if done else self.war.recorder.snapshot(self.war)[None]
        return pd.DataFrame(values, columns=list(COLUMNS), index=self.dates[: max(done, 1)])
