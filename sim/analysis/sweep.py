"""Run many variants of a scenario on one executor and keep only their end states.

Attribution and sensitivity analysis evaluate hundreds of scenario variants;
each variant's replicates share seeds with every other variant (common random
numbers), and only the end-state metrics per replicate come back.
"""

from __future__ import annotations

from concurrent.futures import Executor
from types import TracebackType

import pandas as pd

from sim.analysis.summary import end_metrics_of
from sim.errors import UserError
from sim.run.ensemble import chunks, run_chunk
from sim.run.executors import make_executor
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
    ) -> None:
        self.replicates, self.seed = replicates, seed
        self.pool: Executor = make_executor(executor, workers, address)
        self.runs = 0

    def __call__(self, scenario: Scenario) -> pd.DataFrame:
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
