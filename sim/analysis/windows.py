"""Comparing runs of different lengths like with like: over the same number of days from
each start.

A 66-day window and a 211-day one do not compare by their ends: every cumulative count
(casualties, displaced, outposts) and every change since the start grows with the days. So
when the runs differ in length, each is cut to the shortest one's days (its timeseries, its
changes of hands, and its map rebuilt at that day), and named with the dates it then covers.
"""

from __future__ import annotations

import copy
import datetime as dt

import numpy as np
import pandas as pd

from sim.analysis.animation import holders_by_day, initial_control
from sim.run.store import Results
from sim.world.factions import FACTIONS, SIDE, SIDES
from sim.world.geography import load_geography


def days_of(res: Results) -> int:
    return int(res.timeseries["day"].max()) + 1


def window(res: Results) -> str:
    """The dates and days a run covers, e.g. "1 Jun 2025 to 5 Aug 2025, 66 days"."""
    dates = pd.to_datetime(res.timeseries["date"])
    return f"{_day(dates.min())} to {_day(dates.max())}, {days_of(res)} days"


def same_days(runs: list[Results]) -> tuple[list[Results], str]:
    """The runs cut to the same number of days from each start (unchanged if they all have
    it), and a sentence saying which windows are compared."""
    n = min(days_of(r) for r in runs)
    if all(days_of(r) == n for r in runs):
        return runs, "Every run covers " + "; ".join(f"{r.label}: {window(r)}" for r in runs) + "."
    said = "; ".join(f"{r.label}: {window(r)}" for r in runs)
    return [first_days(r, n) for r in runs], (
        f"The runs cover windows of different lengths ({said}); every end state and difference "
        f"here compares the first {n} days of each, named by their dates."
    )


def first_days(res: Results, n: int) -> Results:
    """A copy of the run that ends after its first `n` days."""
    out = copy.copy(res)
    if days_of(res) > n:
        out.timeseries = res.timeseries[res.timeseries["day"] < n].reset_index(drop=True)
        changes = res.control_changes
        out.control_changes = changes[changes["day"] < n].reset_index(drop=True) if len(changes) else changes
        out.final_control = _map_at(res, out.control_changes, n)
    dates = pd.to_datetime(out.timeseries["date"])
    out.name = f"{res.label} ({_day(dates.min())} to {_day(dates.max())})"
    return out


def _map_at(res: Results, changes: pd.DataFrame, n: int) -> pd.DataFrame:
    """Each replicate's holders at the end of day n - 1, in final_control's layout."""
    geo = load_geography()
    start = initial_control(res, geo)
    frames = []
    for rep in sorted(res.final_control["replicate"].unique()):
        mine = changes[changes["replicate"] == rep] if len(changes) else changes
        holder = holders_by_day(geo.ids, start, mine, n)[-1]
        frames.append(
            pd.DataFrame(
                {
                    "replicate": np.full(geo.n, rep, dtype=np.int32),
                    "township": list(geo.names),
                    "pcode": list(geo.ids),
                    "controller": [FACTIONS[h] for h in holder],
                    "side": [SIDES[SIDE[h]] for h in holder],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _day(t: pd.Timestamp | dt.date) -> str:
    return pd.Timestamp(t).strftime("%-d %b %Y")
