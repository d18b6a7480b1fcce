"""Sections (e) and (f) of bench_ensemble.py: the scaling curve over worker counts, and the
continuous replay's cost per simulated day. See benchmarks/README.md.

(e) R replicates of the 2025 file with `sim run` in a fresh interpreter, as a user runs it
    (imports, the pool's start, chunks, Parquet shards, the summary): on 1 worker (the serial
    executor), then on 2, 4, ... workers of the process pool and of a local Dask cluster.
    Speedup on N = wall time on 1 / on N, in this same run; target 0.8 N. A smaller 1-worker
    run stands for R replicates by its wall time plus the further replicates at what each adds
    (measured against a tenth as long a run: `one_worker_seconds`), not by its throughput,
    which would spread the run's fixed cost over fewer replicates and so flatter every speedup.
    Every run's tables must have the same fingerprint.
(f) Seconds per replicate-day of the 2025 file and of the 2023-2025 replay (and of the replay
    cut at a quarter and a half of its days): flat per-day cost means linear in days.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from bench_report import ROOT, Row
from hash_tables import frame_digest

from sim.run.replicate import build_model
from sim.run.store import TABLES, load_results
from sim.scenario import Scenario, load_scenario

TARGET_EFFICIENCY = 0.8  # N workers at least 0.8 N x one worker
TARGET_DAY_COST_RATIO = 1.25  # seconds per replicate-day, longest run / shortest: linear in days


def worker_counts(cpus: int) -> list[int]:
    """1, 2, 4, ... up to `cpus`, and `cpus` itself if it is not a power of two."""
    counts = [1]
    while counts[-1] * 2 <= cpus:
        counts.append(counts[-1] * 2)
    return counts if counts[-1] == cpus else [*counts, cpus]


def dask_available() -> bool:
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


def fingerprint(out: Path, upto: int) -> str:
    """SHA-256 of every table of a results folder, replicates 0..upto-1 only."""
    res = load_results(out)
    total = hashlib.sha256()
    for table in TABLES:
        frame: pd.DataFrame = getattr(res, table)
        total.update(frame_digest(frame[frame["replicate"] < upto]).encode())
    return total.hexdigest()


def timed_ensemble(
    scenario: Path, replicates: int, executor: str, workers: int, common: int
) -> dict[str, Any]:
    """Wall time of `sim run` in a fresh interpreter, as a user runs it (its imports, the pool's
    start, chunks, Parquet shards), and its tables' fingerprints (of every replicate, and of the
    first `common`, which every run of the curve holds)."""
    with tempfile.TemporaryDirectory(prefix="bench-scaling-") as tmp:
        out = Path(tmp) / "out"
        cmd = [sys.executable, "-m", "sim", "run", str(scenario), "--replicates", str(replicates)]
        cmd += ["--workers", str(workers), "--executor", executor, "--quiet", "--out", str(out)]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        busy0, t0 = cpu_busy_seconds(), time.perf_counter()
        with tempfile.TemporaryFile() as err:
            proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err)
            # its own CPU time: the workers are the forkserver's children, not counted here
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            seconds, busy = time.perf_counter() - t0, cpu_busy_seconds() - busy0
            if proc.returncode != 0:
                err.seek(0)
                raise RuntimeError(f"{' '.join(cmd)}: exit {proc.returncode}\n{err.read().decode()}")
        # the ensemble alone: from the folder's opening (its lock written) to the manifest's last
        # write, without the interpreter's start, the imports and the summary
        ensemble = (out / "manifest.json").stat().st_mtime - (out / ".lock").stat().st_mtime
        return {
            "executor": executor,
            "workers": workers,
            "replicates": replicates,
            "seconds": seconds,
            "replicates_per_s": replicates / seconds,
            "ensemble_seconds": ensemble,
            "fixed_seconds": seconds - ensemble,
            "cpus_busy": busy / seconds,  # the whole machine's: more than `workers` means others ran
            # the share of one CPU that sim run's own process used: it hands out chunks and writes
            # shards for every worker in turn, so near 1 it is what the workers wait for
            "parent_busy": (usage.ru_utime + usage.ru_stime) / seconds,
            "chunks": len(list((out / "chunks").glob("*.json"))),
            "fingerprint": fingerprint(out, replicates),
            "fingerprint_common": fingerprint(out, common),
        }


def cpu_busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (Linux /proc/stat), 0 where unknown."""
    try:
        ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # minus idle and iowait


def scaling_curve(
    path: Path,
    replicates: int,
    baseline_replicates: int,
    counts: list[int],
    executors: list[str],
    log: Callable[[str], None],
) -> dict[str, Any]:
    """The baseline on 1 worker, then every executor on every count above 1."""
    scenario = load_scenario(path)
    common = min(replicates, baseline_replicates)
    log(f"e) {baseline_replicates} replicates on 1 worker (serial) ...")
    base = timed_ensemble(path, baseline_replicates, "serial", 1, common)
    short = None
    if baseline_replicates != replicates:  # what a replicate adds: the difference from a shorter run
        log(f"e) {max(1, baseline_replicates // 10)} replicates on 1 worker (serial) ...")
        short = timed_ensemble(path, max(1, baseline_replicates // 10), "serial", 1, 1)
    one = one_worker_seconds(base, short, replicates)
    base["seconds_for_replicates"] = one
    remaining = sum(one / n for n in counts if n > 1) * len(executors)
    log(f"   {base['seconds']:.0f} s; the other runs should take about {remaining:.0f} s")
    runs = []
    for executor in executors:
        for n in (n for n in counts if n > 1):
            log(f"e) {replicates} replicates on {n} workers ({executor}) ...")
            run = timed_ensemble(path, replicates, executor, n, common)
            run["speedup"] = one / run["seconds"]
            run["efficiency"] = run["speedup"] / n
            run["speedup_ensemble"] = (
                replicates / run["ensemble_seconds"] / (base["replicates"] / base["ensemble_seconds"])
            )
            run["excess_s"] = run["seconds"] - one / n  # beyond perfect scaling
            runs.append(run)
    same = all(r["fingerprint_common"] == base["fingerprint_common"] for r in runs)
    same = same and len({r["fingerprint"] for r in runs}) <= 1
    return {
        "scenario": scenario.name,
        "days": scenario.days,
        "replicates": replicates,
        "baseline": base,
        "runs": runs,
        "tables_identical": same,
        "target_efficiency": TARGET_EFFICIENCY,
    }


def one_worker_seconds(base: dict[str, Any], short: dict[str, Any] | None, replicates: int) -> float:
    """Wall time of `sim run` on 1 worker for `replicates`: measured, if the baseline ran as many;
    else the baseline's plus (or less) the replicates between them at what each adds to a serial
    run (the difference from a `short` serial run of fewer, over the replicates between those)."""
    extra = replicates - base["replicates"]
    if not extra or short is None:
        return base["seconds"]
    each = (base["seconds"] - short["seconds"]) / (base["replicates"] - short["replicates"])
    return base["seconds"] + extra * each


def scaling_rows(curve: dict[str, Any]) -> list[Row]:
    base = curve["baseline"]
    rows = [
        Row(
            f"{curve['scenario']}: {base['replicates']} replicates, 1 worker (serial)",
            base["replicates_per_s"],
            "replicates/s",
        ),
        Row("  sim run's fixed cost (start, imports, summary)", base["fixed_seconds"], "s"),
    ]
    if base["replicates"] != curve["replicates"]:
        rows.append(
            Row(
                f"  so on 1 worker, {curve['replicates']} replicates (and the rest at what each adds)",
                base["seconds_for_replicates"],
                "s",
            )
        )
    for run in curve["runs"]:
        n = run["workers"]
        target = TARGET_EFFICIENCY * n
        rows += [
            Row(
                f"speedup, {n} workers ({run['executor']}, {run['replicates']} replicates)",
                run["speedup"],
                "x",
                f">= {target:g}",
                run["speedup"] >= target,
            ),
            Row("  the ensemble alone (no start, imports, summary)", run["speedup_ensemble"], "x"),
            Row("  sim run's own process busy (share of one CPU)", run["parent_busy"], ""),
        ]
    rows.append(
        Row(
            "tables identical across executors and worker counts",
            float(curve["tables_identical"]),
            "",
            "1",
            curve["tables_identical"],
        )
    )
    return rows


def replay_cost(short: Scenario, replay: Scenario, replicates: int) -> dict[str, Any]:
    """Seconds per replicate-day of build_model + run, serially in this process: the short file,
    and the replay cut at 1/4, 1/2 and its whole length. Interleaved replicate by replicate, so
    a drift in the machine's speed hits all alike."""
    span = replay.end - replay.start
    runs = {
        "short": short,
        "quarter": replay.with_run(end=replay.start + span / 4),
        "half": replay.with_run(end=replay.start + span / 2),
        "whole": replay,
    }
    for sc in (runs["short"], runs["quarter"]):  # warm the maps' caches outside the timing
        build_model(sc, 0, replicates).run()
    seconds = dict.fromkeys(runs, 0.0)
    for r in range(replicates):
        for label, sc in runs.items():
            t0 = time.perf_counter()
            build_model(sc, sc.data["run"]["seed"], r).run()
            seconds[label] += time.perf_counter() - t0
    figures = {
        label: {
            "days": float(sc.days),
            "replicates": float(replicates),
            "seconds_per_replicate": seconds[label] / replicates,
            "seconds_per_replicate_day": seconds[label] / (replicates * sc.days),
        }
        for label, sc in runs.items()
    }
    per_day = {k: v["seconds_per_replicate_day"] for k, v in figures.items()}
    return {
        "short_scenario": short.name,
        "replay_scenario": replay.name,
        "runs": figures,
        "replay_vs_short_per_day": per_day["whole"] / per_day["short"],
        "whole_vs_quarter_per_day": per_day["whole"] / per_day["quarter"],
        "target_ratio": TARGET_DAY_COST_RATIO,
    }


def replay_rows(cost: dict[str, Any]) -> list[Row]:
    runs = cost["runs"]
    rows = [
        Row(
            f"{cost['short_scenario']} ({runs['short']['days']:.0f} days): per replicate-day",
            runs["short"]["seconds_per_replicate_day"] * 1e3,
            "ms",
        )
    ]
    for label in ("quarter", "half", "whole"):
        rows.append(
            Row(
                f"{cost['replay_scenario']}, {label} ({runs[label]['days']:.0f} days): per replicate-day",
                runs[label]["seconds_per_replicate_day"] * 1e3,
                "ms",
            )
        )
    limit = f"<= {TARGET_DAY_COST_RATIO:g}"
    for key, what in (
        ("replay_vs_short_per_day", "replay / 2025 file, per replicate-day"),
        ("whole_vs_quarter_per_day", "replay whole / its first quarter, per replicate-day"),
    ):
        rows.append(Row(what, cost[key], "x", limit, cost[key] <= TARGET_DAY_COST_RATIO))
    return rows
