"""Results folders made up in memory: any number of runs, any period, no model run needed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.model.recorder import COLUMNS
from sim.run.store import Results


def fake_results(
    label: str,
    geo,
    start: str = "2025-06-01",
    days: int = 30,
    replicates: int = 5,
    seed: int = 1,
    p_junta: float = 0.7,
) -> Results:
    """Random metrics that drift over time; each town held by the junta with probability p_junta."""
    rng = np.random.default_rng(abs(hash(label)) % 2**32)
    dates = pd.date_range(start, periods=days, freq="D")
    rows = []
    for r in range(replicates):
        walk = rng.normal(0, 1, (days, len(COLUMNS))).cumsum(axis=0) + 100
        frame = pd.DataFrame(walk, columns=list(COLUMNS))
        frame.insert(0, "date", dates)
        frame.insert(0, "day", np.arange(days))
        frame.insert(0, "replicate", r)
        rows.append(frame)
    ts = pd.concat(rows, ignore_index=True)
    for share in [c for c in COLUMNS if "share" in c]:
        ts[share] = ts[share] / 200
    held = rng.random((replicates, geo.n)) < p_junta
    fc = pd.DataFrame(
        {
            "replicate": np.repeat(np.arange(replicates), geo.n),
            "township": np.tile(np.array(geo.names), replicates),
            "pcode": np.tile(np.array(geo.ids), replicates),
            "side": np.where(held.ravel(), "junta", "resistance"),
        }
    )
    fc["controller"] = np.where(fc["side"] == "junta", "JUNTA", "PDF")
    manifest = {"scenario_name": label, "seed": seed, "package_version": "test"}
    return Results(Path(label), manifest, ts, fc, pd.DataFrame())
