"""Run many variants of a scenario on one executor and keep only their end states.

Attribution and sensitivity analysis evaluate hundreds of scenario variants;
each variant's replicates share seeds with every other variant (common random
numbers), and only the end-state metrics per replicate come back. With a folder to keep
them in, each variant's end states are written there as soon as they are known (named by
the variant, its seed, its replicates and the model's version), so an interrupted analysis
run again with the same settings reuses them and gives the numbers an uninterrupted one would.
"""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import Executor
from pathlib import Path
from types import TracebackType

import pandas as pd

from sim.analysis.summary import end_metrics_of
from sim.errors import UserError
from sim.run.ensemble import Progress, chunks, run_chunk
from sim.run.executors import make_executor
from sim.run.folder import model_version
from sim.run.store import encode, write_atomic
from sim.scenario import Scenario


class EndStates:
    """Callable: scenario -> end metrics (one row per replicate 0..replicates-1)."""

    def __init__(
        self,
        replicates: int,
        seed: int,
        executor: str = "serial",
        workers: int = 1,
        address: str | None = None,
        keep: Path | None = None,
        progress: bool = False,
    ) -> None:
        self.replicates, self.seed, self.keep, self.progress = replicates, seed, keep, progress
        self.bar: Progress | None = None
        self.pool: Executor = make_executor(executor, workers, address)
        self.runs = 0  # variants evaluated (computed or read back)
        self.reused = 0  # of them, read back from `keep`

    def expect(self, variants: int, name: str) -> None:
        """Show progress over the `variants` the analysis will evaluate (if asked to)."""
        self.bar = Progress(variants, 0, enabled=self.progress, name=name, unit="variant")

    def __call__(self, scenario: Scenario) -> pd.DataFrame:
        path = self._kept(scenario)
        if path is not None and path.is_file():
            self.runs += 1
            self.reused += 1
            ends = pd.read_parquet(path).set_index("replicate")
        else:
            ends = self._run(scenario)
            if path is not None:
                write_atomic(path, encode(ends.reset_index()).data)
        if self.bar is not None:
            self.bar.update(1)
        return ends

    def _kept(self, scenario: Scenario) -> Path | None:
        """Where this variant's end states are kept, if anywhere."""
        if self.keep is None:
            return None
        what = {"scenario": scenario.data, "seed": self.seed, "replicates": self.replicates}
        if scenario.posterior is not None:  # the particles drawn, and what a variant holds fixed
            what["posterior"] = [scenario.posterior.digest, sorted(scenario.fixed)]
        what["model"] = model_version()
        key = hashlib.sha256(json.dumps(what, sort_keys=True, default=str).encode()).hexdigest()[:24]
        self.keep.mkdir(parents=True, exist_ok=True)
        return self.keep / f"{key}.parquet"

    def _run(self, scenario: Scenario) -> pd.DataFrame:
        pieces = chunks(list(range(self.replicates)), getattr(self.pool, "slots", 1))  # every slot busy
        futures = [self.pool.submit(run_chunk, scenario, self.seed, c) for c in pieces]
        parts = []
        for fut in futures:
            res = fut.result()
            if res.failures:
                f = res.failures[0]
                raise UserError(f"replicate {f['replicate']} (seed {f['seed']}) failed: {f['error']}")
            parts.append(res.tables["timeseries"])
        self.runs += 1
        return end_metrics_of(pd.concat(parts, ignore_index=True))

    def __enter__(self) -> EndStates:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.pool.shutdown(wait=exc_type is None, cancel_futures=True)
        if self.bar is not None:
            self.bar.close()
