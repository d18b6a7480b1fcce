"""Many replicates on an executor, streamed to a results directory as they finish.

Replicates are cut into chunks, largest first and down to single replicates at
the tail, so every worker stays busy to the end (see `chunks`); each finished
chunk becomes one Parquet shard per table, written to a hidden temporary file
and renamed into place, so a kill at any moment leaves only whole shards.
`resume` runs just the replicates not every table holds yet. A replicate's seed
depends on its index alone, so the tables are the same for any chunking.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from sim.errors import UserError, os_error
from sim.jit import cached_here
from sim.run.executors import ClusterLost, make_executor
from sim.run.folder import ResultsDir
from sim.run.store import TABLES, Shard, encode
from sim.scenario import Scenario

CHUNK_MAX = 10  # replicates per task and shard at most; what one worker slot gets in turn
SPREAD = 2  # a chunk is at most 1/(SPREAD x slots) of the replicates not yet handed out


@dataclass
class ChunkResult:
    done: list[int]
    tables: dict[str, pd.DataFrame]  # empty when encoded
    agents_at_start: int | None
    failures: list[dict[str, Any]] = field(default_factory=list)
    shards: dict[str, Shard] = field(default_factory=dict)  # the tables, when encoded


def run_chunk(scenario: Scenario, seed: int, replicates: list[int], encoded: bool = False) -> ChunkResult:
    """Worker task: run some replicates; a replicate that raises is reported, not fatal.

    `encoded`: the tables come back as Parquet shards, encoded here: the process writing the
    results folder then only writes bytes, and at many workers it keeps up with all of them."""
    from sim.run.replicate import run_replicate  # the model (Mesa, numba) only where it runs

    parts: dict[str, list[pd.DataFrame]] = {t: [] for t in TABLES}
    failures = []
    agents = None
    for r in replicates:
        try:
            res = run_replicate(scenario, seed, r)
        except Exception as exc:  # reported with its seed; the others are kept
            if _interrupted(exc):  # Ctrl-C inside a library that re-raised it as its own error
                raise KeyboardInterrupt from exc
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
    if encoded:
        return ChunkResult(done, {}, agents, failures, {t: encode(frame) for t, frame in tables.items()})
    return ChunkResult(done, tables, agents, failures)


def _interrupted(exc: BaseException) -> bool:
    """Whether a KeyboardInterrupt lies anywhere in the chain of causes of `exc`."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        if isinstance(cur, KeyboardInterrupt):
            return True
        seen.add(id(cur))
        cur = cur.__cause__ or cur.__context__
    return False


class Progress:
    """Progress on stderr: a tqdm bar on a terminal; elsewhere (logs, CI) a line when the run
    starts, then one at most every `every` seconds and one when it is done."""

    def __init__(
        self,
        total: int,
        done: int,
        enabled: bool = True,
        stream=None,
        every: float = 20.0,
        name: str = "",
        unit: str = "replicate",
    ) -> None:
        self.total, self.done, self.start_done, self.unit = total, done, done, unit
        self.name = f"{name}: " if name else ""
        self.stream, self.every, self.on = stream or sys.stderr, every, enabled
        self.t0 = self.last = time.perf_counter()
        tty = enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        self.bar = (
            tqdm(
                total=total,
                initial=done,
                file=self.stream,
                unit=unit,
                dynamic_ncols=True,
                desc=name or None,
                bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} "
                + unit
                + "s [{elapsed}<{remaining}, {rate_fmt}]",
            )
            if tty
            else None
        )
        if enabled and not cached_here():
            self.stream.write(
                "sim: the model's kernels are not compiled on this machine yet: compiling them first "
                "(about a minute, once; `make setup` does it ahead)\n"
            )
            self.stream.flush()
        if enabled and not tty:
            todo = f"{total - done} {unit}s to run ({done} of {total} already done)"
            self.stream.write(f"sim: {self.name}{todo}\n")
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
            share = self.done / max(self.total, 1)
            self.stream.write(
                f"sim: {self.name}{self.done}/{self.total} {self.unit}s ({share:.0%}), "
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
    error: str | None = None  # why the run stopped early (a worker died, a write failed)
    exit_status: int = 0  # 1 for the machine's failure (disk full, no permission), else 0


def chunk_size(remaining: int, slots: int) -> int:
    """Replicates in the next chunk: CHUNK_MAX while plenty remain, then shrinking with what is
    left (factoring: half the remainder split over the slots), so the last chunks are single
    replicates and no slot waits long for another's last chunk. One slot gets CHUNK_MAX
    throughout: nothing to balance, fewest shards."""
    if slots <= 1:
        return min(CHUNK_MAX, remaining)
    return max(1, min(CHUNK_MAX, -(-remaining // (SPREAD * slots))))


def chunks(todo: list[int], slots: int = 1) -> Iterator[list[int]]:
    """Consecutive runs of the sorted `todo`, sized by `chunk_size` for `slots` tasks at once;
    every replicate in exactly one chunk. Sizes depend only on how many were handed out before,
    never on timing, and no table depends on them."""
    todo = sorted(todo)
    start = 0
    while start < len(todo):
        size = chunk_size(len(todo) - start, slots)
        yield todo[start : start + size]
        start += size


def run_ensemble(
    scenario: Scenario,
    out: Path,
    *,
    executor: str = "process",
    workers: int = 1,
    resume: bool = False,
    address: str | None = None,
    progress: bool = True,
    log: Callable[[str], None] = lambda line: None,
) -> RunReport:
    """Run the scenario's replicates into `out`; returns what was done and what failed.

    `log` gets one line for each thing repaired on resume (a damaged shard recomputed).
    A failed write (disk full, no permission) stops the run with everything finished
    before it kept and the manifest counting exactly what every table holds.
    """
    seed = scenario.data["run"]["seed"]
    pool = make_executor(executor, workers, address)  # first: a bad --address leaves no folder
    try:
        folder = ResultsDir.open(out, scenario, seed, scenario.data["run"]["replicates"], resume, log)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    try:
        return _run(scenario, seed, folder, pool, workers, progress)
    finally:
        folder.close()


def _run(scenario: Scenario, seed: int, folder: ResultsDir, pool, workers: int, progress: bool) -> RunReport:
    out, total, done = folder.out, folder.total, folder.done
    todo = [r for r in range(total) if r not in done]
    bar = Progress(total, len(done), enabled=progress, name=scenario.name)
    failures: list[dict[str, Any]] = []
    interrupted, error, status = False, None, 0
    try:
        slots = getattr(pool, "slots", workers)  # a remote cluster may be larger than --workers
        window = max(2, 2 * slots)
        pieces = chunks(todo, slots)
        pending: set[Future] = set()
        while True:
            while len(pending) < window:
                chunk = next(pieces, None)
                if chunk is None:
                    break
                pending.add(pool.submit(run_chunk, scenario, seed, chunk, encoded=True))
            if not pending:
                break
            finished, pending = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            for fut in finished:
                res: ChunkResult = fut.result()
                if res.agents_at_start is not None and folder.manifest.get("mesa_agents_at_start") is None:
                    folder.manifest["mesa_agents_at_start"] = res.agents_at_start
                folder.add(res.done, res.shards, res.failures)
                failures.extend(res.failures)
                bar.update(len(res.done))
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM (the CLI raises sim.cli.Terminated)
        interrupted = True
    except BrokenProcessPool as exc:  # a worker died (killed, out of memory)
        interrupted, error, status = True, f"a worker process died ({exc})", 1
    except ClusterLost as exc:  # a remote cluster lost its workers
        interrupted, error, status = True, str(exc), 1
    except OSError as exc:  # a write failed: disk full, file-size limit, no permission
        failure = os_error(exc, f"--out {out}")
        interrupted, error = True, str(failure)
        status = 2 if isinstance(failure, UserError) else 1
    finally:
        pool.shutdown(wait=not interrupted, cancel_futures=True)
        bar.close()
    final = "interrupted" if interrupted else ("complete" if folder.complete else "incomplete")
    try:
        folder.save(final)
    except OSError as exc:  # the disk is still full: the records count for the manifest on resume
        if error is None:
            error, status = str(os_error(exc, f"--out {out}")), 1
    return RunReport(out, len(done), total, failures, interrupted, error, status)
