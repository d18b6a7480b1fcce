"""One replicate from a scenario and its index: seeds, parameter draw, model run, tables.

Seeds: replicate r of root seed S uses numpy.random.SeedSequence(S, spawn_key=(r,)),
the r-th child of SeedSequence(S).spawn(...). Its own two children seed the
parameter draw and the model, so a replicate's numbers depend only on (S, r),
never on the executor, worker count or order of completion.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.model.model import ConflictModel
from sim.model.recorder import COLUMNS
from sim.run.store import CAUSES
from sim.scenario import Scenario
from sim.world.factions import FACTIONS, side_name


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
    tables: dict[str, pd.DataFrame]  # timeseries, control_changes, final_control
    agents_at_start: int


def run_replicate(scenario: Scenario, seed: int, replicate: int) -> ReplicateResult:
    model = build_model(scenario, seed, replicate)
    model.run()
    values = model.recorder.values
    days = np.arange(len(values), dtype=np.int32)
    columns = {
        "replicate": np.full(len(values), replicate, dtype=np.int32),
        "day": days,
        "date": pd.to_datetime(scenario.start) + pd.to_timedelta(days, unit="D"),
    }
    for k, col in enumerate(COLUMNS):  # counts as integers, in one constructor (pandas' own cost)
        counted = col.startswith("townships_") or col in INTEGER_COLUMNS
        columns[col] = values[:, k].astype(np.int32) if counted else values[:, k]
    ts = pd.DataFrame(columns)
    controller, side = model.recorder.final_control(model)
    geo = scenario.geography
    final = pd.DataFrame(
        {
            "replicate": np.full(geo.n, replicate, dtype=np.int32),
            "township": list(geo.names),
            "pcode": list(geo.ids),
            "controller": controller,
            "side": side,
        }
    )
    tables = {
        "timeseries": ts,
        "control_changes": _changes(model, scenario, replicate),
        "parameters": _parameters(model, scenario, replicate),
        "final_control": final,
    }
    return ReplicateResult(replicate, tables, model.initial_agents)


INTEGER_COLUMNS = ("air_strikes", "junta_commands_offensive", "offensive_factions")


def _parameters(model: ConflictModel, scenario: Scenario, replicate: int) -> pd.DataFrame:
    """One row: every value this replicate drew from the file's distributions or its posterior, by dotted key
    (the inputs beside the outputs, for regression and scenario discovery)."""
    row: dict[str, Any] = {"replicate": np.int32(replicate)}
    if scenario.posterior is not None:  # which of the fit's particles this replicate drew
        row["particle"] = np.int32(model.initial_params.particle)
    for dotted in scenario.uncertain():
        value: Any = model.initial_params
        for part in dotted.split("."):
            value = value[part] if isinstance(value, dict) else getattr(value, part)
        row[dotted] = float(value)
    return pd.DataFrame([row])


def _changes(model: ConflictModel, scenario: Scenario, replicate: int) -> pd.DataFrame:
    """One row per change of holder: enough to rebuild any day's map from the initial control."""
    geo = scenario.geography
    rows = model.recorder.changes
    day = np.array([r[0] for r in rows], dtype=np.int32)
    town = np.array([r[1] for r in rows], dtype=np.int64)
    before = [FACTIONS[r[2]] for r in rows]
    after = [FACTIONS[r[3]] for r in rows]
    return pd.DataFrame(
        {
            "replicate": np.full(len(rows), replicate, dtype=np.int32),
            "day": day,
            "date": pd.to_datetime(scenario.start) + pd.to_timedelta(day, unit="D"),
            "township": pd.Series([geo.names[i] for i in town], dtype=object),
            "pcode": pd.Series([geo.ids[i] for i in town], dtype=object),
            "from": pd.Series(before, dtype=object),
            "to": pd.Series(after, dtype=object),
            "from_side": pd.Series([side_name(c) for c in before], dtype=object),
            "to_side": pd.Series([side_name(c) for c in after], dtype=object),
            "cause": pd.Categorical([r[4] for r in rows], categories=CAUSES),
        }
    )
