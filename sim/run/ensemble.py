"""Many replicates on an executor, streamed to a results directory as they finish.

Replicates are cut into fixed chunks (independent of the worker count); each
finished chunk becomes one Parquet shard per table, written to a hidden
temporary file and renamed into place, so a kill at any moment leaves only
whole shards. `resume` runs just the replicates no shard holds yet.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import sys
import time
import traceback
from collections.abc import Iterator
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from sim.run.executors import make_executor
from sim.run.replicate import run_replicate
from sim.run.store import TABLES, done_replicates, prepare_dir, write_json, write_shards
from sim.scenario import Scenario

CHUNK = 10  # replicates per task and shard


@dataclass
class ChunkResult:
    first: int
    done: list[int]
    tables: dict[str, pd.DataFrame]
    agents_at_start: int | None
    failures: list[dict[str, Any]] = field(default_factory=list)


def run_chunk(scenario: Scenario, seed: int, replicates: list[int]) -> ChunkResult:
    """Worker task: run some replicates; a replicate that raises is reported, not fatal."""
    parts: dict[str, list[pd.DataFrame]] = {t: [] for t in TABLES}
    failures = []
    agents = None
    for r in replicates:
        try:
            res = run_replicate(scenario, seed, r)
        except Exception as exc:  # reported with its seed; the others are kept
            failures.append(
                {
                    "replicate": r,
                    "seed": seed,
                    "spawn_key": [r],
                    "error": repr(exc),
                    "traceback": traceback.format_exc(limit=5),
                }
            )
            continue
        for name, frame in res.tables.items():
            parts[name].append(frame)
        agents = res.agents_at_start if agents is None else agents
    tables = {t: pd.concat(v, ignore_index=True) for t, v in parts.items() if v}
    done = [r for r in replicates if r not in {f["replicate"] for f in failures}]
    return ChunkResult(replicates[0], done, tables, agents, failures)


class Progress:
    """Progress on stderr: a tqdm bar on a terminal; elsewhere (logs, CI) a line when the run
    starts, then one at most every `every` seconds and one when it is done."""

    def __init__(
        self, total: int, done: int, enabled: bool = True, stream=sys.stderr, every: float = 20.0
    ) -> None:
        self.total, self.done, self.start_done = total, done, done
        self.stream, self.every, self.on = stream, every, enabled
        self.t0 = self.last = time.perf_counter()
        tty = enabled and hasattr(stream, "isatty") and stream.isatty()
        self.bar = (
            tqdm(
                total=total,
                initial=done,
                file=stream,
                unit="replicate",
                dynamic_ncols=True,
                bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} replicates [{elapsed}<{remaining}, {rate_fmt}]",
            )
            if tty
            else None
        )
        if enabled and not tty:
            self.stream.write(f"sim: {total - done} replicates to run ({done} of {total} already done)\n")
            self.stream.flush()

    def update(self, n: int) -> None:
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
            return
        now = time.perf_counter()
        if self.on and (now - self.last >= self.every or self.done >= self.total):
            self.last = now
            elapsed = now - self.t0
            rate = (self.done - self.start_done) / elapsed if elapsed > 0 else 0.0
            eta = str(dt.timedelta(seconds=int((self.total - self.done) / rate))) if rate > 0 else "?"
            self.stream.write(
                f"sim: {self.done}/{self.total} replicates ({self.done / max(self.total, 1):.0%}), "
                f"{rate:.2f}/s, elapsed {dt.timedelta(seconds=int(elapsed))}, eta {eta}\n"
            )
            self.stream.flush()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@dataclass
class RunReport:
    out: Path
    done: int
    total: int
    failures: list[dict[str, Any]]
    interrupted: bool = False
    error: str | None = None


def chunks(todo: list[int]) -> Iterator[list[int]]:
    """Fixed chunks by replicate index, so shard contents do not depend on workers."""
    by_block: dict[int, list[int]] = {}
    for r in todo:
        by_block.setdefault(r // CHUNK, []).append(r)
    for block in sorted(by_block):
        yield by_block[block]


def run_ensemble(
    scenario: Scenario,
    out: Path,
    *,
    executor: str = "process",
    workers: int = 1,
    resume: bool = False,
    address: str | None = None,
    progress: bool = True,
) -> RunReport:
    """Run the scenario's replicates into `out`; returns what was done and what failed."""
    seed = scenario.data["run"]["seed"]
    total = scenario.data["run"]["replicates"]
    pool = make_executor(executor, workers, address)  # first: a bad --address leaves no folder
    try:
        manifest = prepare_dir(out, scenario, seed, total, resume)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    manifest["status"] = "running"
    write_json(out / "manifest.json", manifest)
    done = done_replicates(out) if resume else set()
    todo = [r for r in range(total) if r not in done]
    bar = Progress(total, len(done), enabled=progress)
    failures: list[dict[str, Any]] = []
    interrupted = False
    broken = None
    try:
        window = max(2, 2 * getattr(pool, "slots", workers))  # a remote cluster may be larger
        pieces = chunks(todo)
        pending: set[Future] = set()
        while True:
            while len(pending) < window:
                chunk = next(pieces, None)
                if chunk is None:
                    break
                pending.add(pool.submit(run_chunk, scenario, seed, chunk))
            if not pending:
                break
            finished, pending = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            for fut in finished:
                res: ChunkResult = fut.result()
                write_shards(out, res.first, res.tables)
                failures.extend(res.failures)
                if res.agents_at_start is not None and manifest.get("mesa_agents_at_start") is None:
                    manifest["mesa_agents_at_start"] = res.agents_at_start
                done.update(res.done)
                manifest["replicates_done"] = len(done)
                manifest["failures"] = failures
                write_json(out / "manifest.json", manifest)
                bar.update(len(res.done))
    except KeyboardInterrupt:
        interrupted = True
    except BrokenProcessPool as exc:  # a worker died (killed, out of memory)
        interrupted = True
        broken = f"a worker process died ({exc})"
    finally:
        pool.shutdown(wait=not interrupted, cancel_futures=True)
        bar.close()
    manifest["replicates_done"] = len(done)
    manifest["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    manifest["status"] = (
        "interrupted" if interrupted else ("complete" if len(done) == total else "incomplete")
    )
    write_json(out / "manifest.json", manifest)
    return RunReport(out, len(done), total, failures, interrupted, broken)
