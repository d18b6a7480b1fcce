"""The explorer's ensemble: N replicates of the explored scenario and of a baseline, paired seeds.

Both runs use the explored scenario's seed, so replicate r of one pairs with
replicate r of the other (common random numbers, as in `sim compare`). They run
through `sim.run.ensemble.run_ensemble` into a temporary folder; progress is
read from the shards finished so far.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.summary import end_metrics, paired_difference
from sim.errors import UserError
from sim.run.ensemble import run_ensemble
from sim.run.store import Results, load_results
from sim.scenario import Scenario

POLL_S = 0.5


@dataclass
class Pair:
    """Finished runs of the explored scenario and its baseline, in `folder`."""

    current: Results
    baseline: Results
    folder: Path

    def junta_probability(self) -> tuple[pd.Series, pd.Series]:
        """P(junta holds the town at the end) by town id, explored and baseline."""
        return tuple(  # type: ignore[return-value]
            (r.final_control["side"] == "junta").groupby(r.final_control["pcode"]).mean()
            for r in (self.current, self.baseline)
        )

    def differences(self) -> pd.DataFrame:
        """Paired differences of the end-state metrics, explored minus baseline."""
        return paired_difference(end_metrics(self.baseline), end_metrics(self.current))

    @property
    def same(self) -> bool:
        return self.current.path == self.baseline.path


def _workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def replicates_done(out: Path) -> int:
    """What the manifest says is finished so far (0 before it exists)."""
    try:
        return int(json.loads((out / "manifest.json").read_text(encoding="utf-8"))["replicates_done"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0


def _same(a: Scenario, b: Scenario) -> bool:
    text = [json.dumps(s.data, sort_keys=True, default=str) for s in (a, b)]
    return text[0] == text[1]


def run_pair(
    current: Scenario,
    baseline: Scenario,
    replicates: int,
    folder: Path | None = None,
    executor: str = "process",
    on_progress: Callable[[int, int], None] | None = None,
) -> Pair:
    """Run both with the explored scenario's seed; `on_progress(done, total)` as shards land.
    A baseline identical to the explored scenario is run once."""
    seed = int(current.data["run"]["seed"])
    runs = {
        "current": current.with_run(replicates=replicates, seed=seed),
        "baseline": baseline.with_run(replicates=replicates, seed=seed),
    }
    folder = Path(folder or tempfile.mkdtemp(prefix="sim-explore-"))
    same = _same(runs["current"], runs["baseline"])
    todo = ["current"] if same else ["current", "baseline"]
    total = replicates * len(todo)
    finished = 0
    for name in todo:
        out = folder / name
        with cf.ThreadPoolExecutor(1) as pool:
            job = pool.submit(
                run_ensemble, runs[name], out, executor=executor, workers=_workers(), progress=False
            )
            while True:
                try:
                    report = job.result(timeout=POLL_S)
                    break
                except cf.TimeoutError:
                    if on_progress:
                        on_progress(finished + replicates_done(out), total)
        if report.failures or report.interrupted:
            first = report.failures[0]["error"] if report.failures else (report.error or "interrupted")
            raise UserError(f"ensemble: {report.total - report.done} replicates failed: {first}")
        finished += report.done
        if on_progress:
            on_progress(finished, total)
    current_res = load_results(folder / "current")
    baseline_res = current_res if same else load_results(folder / "baseline")
    return Pair(current_res, baseline_res, folder)


def discard(pair: Pair | None) -> None:
    """Remove a pair's temporary folder."""
    if pair is not None:
        shutil.rmtree(pair.folder, ignore_errors=True)


def fan(res: Results, metric: str) -> pd.DataFrame:
    """5, 25, 50, 75 and 95 % quantiles of a metric over replicates, by date."""
    return res.timeseries.groupby("date")[metric].quantile([0.05, 0.25, 0.5, 0.75, 0.95]).unstack()


def by_town(values: pd.Series, ids: tuple[str, ...]) -> np.ndarray:
    return np.array([values.get(t, np.nan) for t in ids], dtype=float)
