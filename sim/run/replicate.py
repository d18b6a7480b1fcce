"""One replicate from a scenario and its index: seeds, parameter draw, model run, tables.

Seeds: replicate r of root seed S uses numpy.random.SeedSequence(S, spawn_key=(r,)),
the r-th child of SeedSequence(S).spawn(...). Its own two children seed the
parameter draw and the model, so a replicate's numbers depend only on (S, r),
never on the executor, worker count or order of completion.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.model.model import ConflictModel
from sim.model.recorder import COLUMNS
from sim.scenario import Scenario


def replicate_seeds(seed: int, replicate: int) -> tuple[np.random.SeedSequence, np.random.SeedSequence]:
    """(parameter seed, model seed) of one replicate."""
    params, model = np.random.SeedSequence(seed, spawn_key=(replicate,)).spawn(2)
    return params, model


def build_model(scenario: Scenario, seed: int, replicate: int) -> ConflictModel:
    p_seed, m_seed = replicate_seeds(seed, replicate)
    params = scenario.sample(np.random.default_rng(p_seed))
    return ConflictModel(params, scenario.geography, rng=np.random.default_rng(m_seed))


@dataclass
class ReplicateResult:
    replicate: int
    timeseries: pd.DataFrame
    final_control: pd.DataFrame
    agents_at_start: int


def run_replicate(scenario: Scenario, seed: int, replicate: int) -> ReplicateResult:
    model = build_model(scenario, seed, replicate)
    model.run()
    values = model.recorder.values
    days = np.arange(len(values), dtype=np.int32)
    ts = pd.DataFrame(values, columns=list(COLUMNS))
    for col in COLUMNS:
        if col.startswith("towns_") or col in ("china_crossings_junta", "air_strikes"):
            ts[col] = ts[col].astype(np.int32)
    ts.insert(0, "date", pd.to_datetime(scenario.start) + pd.to_timedelta(days, unit="D"))
    ts.insert(0, "day", days)
    ts.insert(0, "replicate", np.int32(replicate))
    controller, side = model.recorder.final_control(model)
    geo = scenario.geography
    final = pd.DataFrame(
        {
            "replicate": np.full(geo.n, replicate, dtype=np.int32),
            "town": list(geo.names),
            "town_id": list(geo.ids),
            "controller": controller,
            "side": side,
        }
    )
    return ReplicateResult(replicate, ts, final, model.initial_agents)
