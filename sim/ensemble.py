"""Many replicates on an executor, streamed to a results directory as they finish.

Replicates are cut into fixed chunks (independent of the worker count); each
finished chunk becomes one Parquet shard per table, written to a hidden
temporary file and renamed into place, so a kill at any moment leaves only
whole shards. `resume` runs just the replicates no shard holds yet.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import hashlib
import json
import multiprocessing
import os
import platform
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from sim import __version__
from sim.errors import UserError
from sim.replicate import run_replicate
from sim.scenario import Scenario

TABLES = ("timeseries", "final_control")
CHUNK = 10  # replicates per task and shard
SEED_RULE = (
    "replicate r uses numpy.random.SeedSequence(seed, spawn_key=(r,)); "
    "its spawn(2) children seed the parameter draw and the model"
)


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
        parts["timeseries"].append(res.timeseries)
        parts["final_control"].append(res.final_control)
        agents = res.agents_at_start if agents is None else agents
    tables = {t: pd.concat(v, ignore_index=True) for t, v in parts.items() if v}
    done = [r for r in replicates if r not in {f["replicate"] for f in failures}]
    return ChunkResult(replicates[0], done, tables, agents, failures)


class SerialExecutor(Executor):
    """Runs each task when submitted, in this process (no pickling, easy debugging)."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        fut: Future = Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            fut.set_exception(exc)
        return fut


def make_executor(kind: str, workers: int, address: str | None = None) -> Executor:
    if kind == "serial":
        return SerialExecutor()
    if kind == "process":  # forkserver: no fork of a threaded parent
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        return cf.ProcessPoolExecutor(max_workers=workers, mp_context=context)
    if kind == "dask":
        return _DaskExecutor.start(workers, address)
    raise UserError(f"--executor: unknown executor {kind!r}; allowed: serial, process, dask")


class _DaskExecutor(Executor):
    """A Dask client seen through the concurrent.futures interface.

    Without an address it starts a LocalCluster of `workers` single-threaded worker
    processes on 127.0.0.1 (no dashboard, only errors logged) and closes it on
    shutdown; with an address (tcp://HOST:PORT) it connects to a running scheduler and
    on shutdown only disconnects, cancelling what this run still has queued there.
    """

    CONNECT_TIMEOUT = "10s"

    def __init__(self, client, cluster=None) -> None:
        self.client = client
        self.cluster = cluster
        self._inner = client.get_executor(pure=False)

    @classmethod
    def start(cls, workers: int, address: str | None = None) -> _DaskExecutor:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise UserError(
                "--executor dask needs the optional extra: pip install 'myanmar-conflict-sim[dask]'"
            ) from None
        import logging

        if address:
            try:
                client = Client(address, timeout=cls.CONNECT_TIMEOUT, set_as_default=False)
            except (OSError, TimeoutError, ValueError) as exc:
                raise UserError(f"--address: cannot reach a Dask scheduler at {address!r}: {exc}") from None
            return cls(client)
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        try:
            client = Client(cluster, set_as_default=False)
        except BaseException:
            cluster.close()
            raise
        return cls(client, cluster)

    @property
    def slots(self) -> int:
        """Worker threads the scheduler has now (on a remote cluster, more than --workers)."""
        return max(1, sum(self.client.nthreads().values()))

    def submit(self, fn, /, *args, **kwargs) -> Future:
        return self._inner.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        try:
            self._inner.shutdown(wait=wait and not cancel_futures)
        finally:
            self.client.close()
            if self.cluster is not None:
                self.cluster.close()


def fingerprint(scenario: Scenario, seed: int) -> str:
    """What must match for results to be mixed in one directory: resolved scenario and seed."""
    data = {k: v for k, v in scenario.data.items()}
    data["run"] = {k: v for k, v in data["run"].items() if k not in ("replicates", "seed")}
    text = json.dumps({"scenario": data, "seed": seed}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def _write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    tmp = path.with_name("." + path.name + ".tmp")
    write(tmp)
    os.replace(tmp, path)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, default=str)
            fh.flush()
            os.fsync(fh.fileno())

    _write_atomic(path, write)


def done_replicates(out: Path) -> set[int]:
    """Replicates whose rows are in both tables (final control is written last)."""
    folder = out / "final_control.parquet"
    if not folder.is_dir():
        return set()
    done: set[int] = set()
    for shard in sorted(folder.glob("part-*.parquet")):
        col = pq.read_table(shard, columns=["replicate"]).column("replicate")
        done.update(int(x) for x in col.unique().to_pylist())
    return done


def _drop_orphans(out: Path) -> None:
    """Remove what a kill left half done: temporary files and shards without their pair."""
    for stale in out.glob("*.parquet/.*.tmp"):
        stale.unlink()
    finished = {p.name for p in (out / "final_control.parquet").glob("part-*.parquet")}
    for shard in (out / "timeseries.parquet").glob("part-*.parquet"):
        if shard.name not in finished:
            shard.unlink()


class Progress:
    """A one-line progress bar on a terminal; silent otherwise."""

    def __init__(self, total: int, done: int, enabled: bool = True, stream=sys.stderr) -> None:
        self.total, self.done, self.start_done = total, done, done
        self.stream = stream
        self.on = enabled and hasattr(stream, "isatty") and stream.isatty()
        self.t0 = time.perf_counter()

    def update(self, n: int) -> None:
        self.done += n
        if not self.on:
            return
        elapsed = time.perf_counter() - self.t0
        rate = (self.done - self.start_done) / elapsed if elapsed > 0 else 0.0
        left = (self.total - self.done) / rate if rate > 0 else 0.0
        width = 30
        filled = int(width * self.done / max(self.total, 1))
        bar = "#" * filled + "." * (width - filled)
        eta = str(dt.timedelta(seconds=int(left)))
        self.stream.write(f"\r[{bar}] {self.done}/{self.total} replicates  {rate:.1f}/s  eta {eta} ")
        self.stream.flush()

    def close(self) -> None:
        if self.on:
            self.stream.write("\n")
            self.stream.flush()


@dataclass
class RunReport:
    out: Path
    done: int
    total: int
    failures: list[dict[str, Any]]
    interrupted: bool = False
    error: str | None = None


def prepare_dir(out: Path, scenario: Scenario, seed: int, replicates: int, resume: bool) -> dict[str, Any]:
    """Create or reopen a results directory; refuse to mix runs or overwrite results."""
    manifest_path = out / "manifest.json"
    fp = fingerprint(scenario, seed)
    if out.exists() and any(out.iterdir()):
        if not resume:
            raise UserError(
                f"{out}: already holds results; use --resume to continue it or choose another --out"
            )
        if not manifest_path.is_file():
            raise UserError(f"{out}: not a results directory (no manifest.json); choose another --out")
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("fingerprint") != fp:
            raise UserError(
                f"{out}: holds results of a different scenario or seed "
                f"({manifest.get('scenario_path')}, seed {manifest.get('seed')}); refusing to mix them"
            )
        _drop_orphans(out)
        manifest["replicates"] = replicates
        return manifest
    out.mkdir(parents=True, exist_ok=True)
    for table in TABLES:
        (out / f"{table}.parquet").mkdir(exist_ok=True)
    return {
        "scenario_path": scenario.path,
        "scenario_name": scenario.name,
        "scenario": scenario.data,
        "seed": seed,
        "seeds": SEED_RULE,
        "replicates": replicates,
        "replicates_done": 0,
        "fingerprint": fp,
        "package_version": __version__,
        "git_commit": _git_commit(),
        "python": platform.python_version(),
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "finished": None,
        "status": "running",
        "mesa_agents_at_start": None,
        "failures": [],
    }


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
    _write_json(out / "manifest.json", manifest)
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
                _store(out, res)
                failures.extend(res.failures)
                if res.agents_at_start is not None and manifest.get("mesa_agents_at_start") is None:
                    manifest["mesa_agents_at_start"] = res.agents_at_start
                done.update(res.done)
                manifest["replicates_done"] = len(done)
                manifest["failures"] = failures
                _write_json(out / "manifest.json", manifest)
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
    _write_json(out / "manifest.json", manifest)
    return RunReport(out, len(done), total, failures, interrupted, broken)


def _store(out: Path, res: ChunkResult) -> None:
    """Timeseries first, final control last: a chunk counts as done once both are in."""
    for table, frame in res.tables.items():
        path = out / f"{table}.parquet" / f"part-{res.first:07d}.parquet"
        _write_atomic(path, lambda tmp, frame=frame: frame.to_parquet(tmp, index=False))
