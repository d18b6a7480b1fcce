"""Throughput, a replicate-day against the reference kernel, a process's fixed cost, map-size
scaling, memory, the scaling curve over worker counts and the replay's cost per day, in one run.

    python benchmarks/bench_ensemble.py                  # everything (long: 1000-replicate curve)
    python benchmarks/bench_ensemble.py --quick          # fewer replicates, no memory run
    python benchmarks/bench_ensemble.py --scaling-only   # only the scaling curve (e) and replay (f)
    python benchmarks/bench_ensemble.py --json out.json  # where the figures go

Prints a table and writes the figures as JSON (default benchmarks/results.json;
generated output, not to be committed). Every comparison is a ratio of two
timings taken in this same run, on this machine. Sections (c)-(d) are in
bench_sizes.py, (e)-(f) in bench_scaling.py. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_report import ROOT, Row, environment, table
from bench_scaling import (
    dask_available,
    replay_cost,
    replay_rows,
    scaling_curve,
    scaling_rows,
    worker_counts,
)
from bench_sizes import map_scaling, peak_memory, seconds_per_replicate
from reference_day import microseconds_per_day, state_of

from sim.run.cpus import available_cpus
from sim.run.ensemble import run_ensemble
from sim.run.replicate import build_model
from sim.scenario import Scenario, load_scenario

S2023 = ROOT / "scenarios" / "2023_operation_1027.toml"
S2025 = ROOT / "scenarios" / "2025_counteroffensive.toml"
REPLAY = ROOT / "scenarios" / "replay_2023_2025.toml"
DEFAULT_JSON = ROOT / "benchmarks" / "results.json"

TARGET_SECONDS_PER_REPLICATE = 0.2  # 2025 scenario, one core
TARGET_DAY_RATIO = 2.0  # a replicate-day of sim run vs the reference kernel's day (issue 29)
TARGET_FIXED_S = 1.0  # seconds of a sim run process beyond its replicates (issue 29)
TARGET_MEMORY_MB = 500.0  # parent + workers, 10,000-replicate ensemble


# --- a) ensemble throughput ---------------------------------------------------------


def ensemble_seconds(scenario: Scenario, replicates: int, workers: int) -> float:
    """Wall time of run_ensemble into a temporary folder (serial for 1 worker, as `sim run`)."""
    executor = "serial" if workers == 1 else "process"
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        t0 = time.perf_counter()
        report = run_ensemble(
            scenario.with_run(replicates=replicates),
            Path(tmp) / "out",
            executor=executor,
            workers=workers,
            progress=False,
        )
        seconds = time.perf_counter() - t0
    if report.done != replicates:
        raise RuntimeError(f"{scenario.name}: {report.done}/{replicates} replicates done: {report.failures}")
    return seconds


# --- b) a replicate-day against the reference kernel ---------------------------------------


def replicate_day_costs(scenarios: dict[str, Scenario], replicates: int, rounds: int = 3) -> dict[str, Any]:
    """Microseconds per replicate-day of `sim run`'s ensemble on one core (the serial executor,
    Parquet shards included; the best of `rounds`), and of the reference kernel on the same
    map and unit table (reference_day.py), for each scenario; and their ratio."""
    out: dict[str, Any] = {}
    for label, sc in scenarios.items():
        best = min(ensemble_seconds(sc, replicates, 1) for _ in range(rounds))
        run_us = best / (replicates * sc.days) * 1e6
        ref_us = microseconds_per_day(state_of(sc), sc.days)
        out[label] = {"run_us": run_us, "reference_us": ref_us, "ratio": run_us / ref_us, "days": sc.days}
    return out


def process_fixed_cost(scenario_path: Path, rounds: int = 3) -> float:
    """Seconds of a whole `sim run` process that simulates next to nothing (1 replicate, 1 day):
    the interpreter, the imports, loading the cached kernels, the map and the results folder."""
    start = load_scenario(scenario_path).start
    best = float("inf")
    for _ in range(rounds):
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
            one_day = ["--until", str(start + dt.timedelta(days=1)), "--replicates", "1", "--workers", "1"]
            one_day += ["--quiet", "--out", f"{tmp}/o"]
            t0 = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "sim", "run", str(scenario_path), *one_day],
                check=True,
                capture_output=True,
                cwd=ROOT,
            )
            best = min(best, time.perf_counter() - t0)
    return best


# --- the run --------------------------------------------------------------------------


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--replicates", type=int, help="replicates per ensemble in a) (default 200; quick 20)")
    p.add_argument("--json", type=Path, default=DEFAULT_JSON, help=f"default {DEFAULT_JSON}")
    p.add_argument("--quick", action="store_true", help="fewer replicates everywhere, no memory run (d)")
    p.add_argument(
        "--memory-replicates", type=int, default=10_000, help="replicates of the memory run (default 10000)"
    )
    p.add_argument("--scaling-only", action="store_true", help="only the scaling curve (e) and replay (f)")
    p.add_argument(
        "--scaling-replicates",
        type=int,
        help="replicates of the 2025 file per run in e) (default 1000; quick 40)",
    )
    p.add_argument(
        "--baseline-replicates",
        type=int,
        help="replicates of the 1-worker run in e), at least 2; if they differ from the run's, it "
        "stands for the run's count by its wall time plus (or less) what each replicate adds, "
        "measured against a run a tenth as long (default: as --scaling-replicates)",
    )
    p.add_argument(
        "--workers",
        type=_ints,
        help="worker counts in e), e.g. 1,2,4,8,16 (default 1, 2, 4, ... up to the CPUs it may use)",
    )
    p.add_argument(
        "--executors",
        type=lambda t: [x for x in t.split(",") if x],
        help="executors in e): process, dask (default both, dask if installed)",
    )
    p.add_argument(
        "--replay-replicates", type=int, help="replicates per run in f), 0 to skip it (default 5; quick 2)"
    )
    return p.parse_args(argv)


def throughput_and_costs(args: argparse.Namespace, figures: dict[str, Any], rows: list[Row]) -> None:
    """Sections a) to d)."""
    quick = args.quick
    n = args.replicates or (20 if quick else 200)
    serial_n = 5 if quick else 20
    day_n = 5 if quick else 20
    scale_n = 1 if quick else 5
    s2023, s2025 = load_scenario(S2023), load_scenario(S2025)
    figures["throughput"] = {}

    print(f"a) ensembles of {n} replicates on 1 worker ...", file=sys.stderr)
    for label, sc in (("2023", s2023), ("2025", s2025)):
        one = ensemble_seconds(sc, n, 1)
        rate = n * sc.days / one
        figures["throughput"][label] = {
            "replicates": n,
            "days": sc.days,
            "seconds_1_worker": one,
            "replicate_days_per_s_1": rate,
        }
        rows.append(Row(f"{label}: replicate-days/s, 1 worker (serial)", rate, "/s"))
    per_rep = seconds_per_replicate(s2025, serial_n)
    figures["seconds_per_replicate_2025"] = per_rep
    rows.append(
        Row(
            f"2025: s per replicate, 1 core (mean of {serial_n})",
            per_rep,
            "s",
            f"<= {TARGET_SECONDS_PER_REPLICATE}",
            per_rep <= TARGET_SECONDS_PER_REPLICATE,
        )
    )

    print("b) a replicate-day against the reference kernel, and a process's fixed cost ...", file=sys.stderr)
    costs = replicate_day_costs({"2023": s2023, "2025": s2025}, day_n)
    fixed = process_fixed_cost(S2025)
    figures["replicate_day"] = {**costs, "process_fixed_s": fixed}
    for label, cost in costs.items():
        rows += [
            Row(f"{label}: sim run, us per replicate-day, 1 core", cost["run_us"], "us"),
            Row(f"{label}: reference kernel, us per day (same map and units)", cost["reference_us"], "us"),
            Row(
                f"{label}: replicate-day / reference day",
                cost["ratio"],
                "x",
                f"<= {TARGET_DAY_RATIO:g}",
                cost["ratio"] <= TARGET_DAY_RATIO,
            ),
        ]
    rows.append(
        Row(
            "fixed cost of a sim run process (1 replicate, 1 day)",
            fixed,
            "s",
            f"< {TARGET_FIXED_S:g}",
            fixed < TARGET_FIXED_S,
        )
    )

    print("c) map size 1x, 2x, 4x ...", file=sys.stderr)
    scaling = map_scaling(s2025, scale_n, (1, 2, 4))
    figures["map_scaling"] = {str(k): v for k, v in scaling.items()}
    base = scaling[1]["seconds_per_replicate"]
    rows.append(Row(f"2025 on 1x map ({scaling[1]['townships']:.0f} townships): s per replicate", base, "s"))
    for k in (2, 4):
        ratio = scaling[k]["seconds_per_replicate"] / base
        figures["map_scaling"][str(k)]["time_ratio_vs_1x"] = ratio
        rows.append(
            Row(
                f"{k}x map ({scaling[k]['townships']:.0f} townships, "
                f"{scaling[k]['agents_at_start']:.0f} agents): "
                "time ratio vs 1x",
                ratio,
                "x",
                f"<= {k}",
                ratio <= k,
            )
        )

    if quick:
        figures["memory"] = None
        return
    reps = args.memory_replicates
    print(f"d) memory of {reps // 10}- and {reps}-replicate ensembles on 2 workers ...", file=sys.stderr)
    short, mem = peak_memory(reps // 10, 2), peak_memory(reps, 2)
    figures["memory"] = {"short": short, "long": mem}
    total = mem["total_pss_mb"] if mem["total_pss_mb"] is not None else mem["rss_sum_mb"]
    total_name = "PSS, sampled" if mem["total_pss_mb"] is not None else "RSS parent + 2 x worker"
    short_total = short["total_pss_mb"] if short["total_pss_mb"] is not None else short["rss_sum_mb"]
    rows += [
        Row(f"{reps} replicates x 5 days, 2 workers: wall time", mem["seconds"], "s"),
        Row("peak RSS, parent (before the run)", mem["parent_baseline_mb"], "MB"),
        Row("peak RSS, parent", mem["parent_mb"], "MB"),
        Row("peak RSS, largest worker", mem["child_mb"], "MB"),
        Row("peak RSS, parent + 2 x worker (upper bound)", mem["rss_sum_mb"], "MB"),
        Row(f"peak total memory ({total_name}), {reps // 10} replicates", short_total, "MB"),
        Row(
            f"peak total memory ({total_name}), {reps} replicates",
            total,
            "MB",
            f"< {TARGET_MEMORY_MB:g}",
            total < TARGET_MEMORY_MB,
        ),
    ]


def scaling_and_replay(args: argparse.Namespace, figures: dict[str, Any], rows: list[Row]) -> None:
    """Sections e) and f)."""
    replicates = args.scaling_replicates or (40 if args.quick else 1000)
    executors = args.executors or ["process", *(["dask"] if dask_available() else [])]
    if "dask" in executors and not dask_available():
        raise SystemExit("--executors dask: install the dask extra (pip install -e '.[dask]')")
    if args.baseline_replicates not in (None, replicates) and args.baseline_replicates < 2:
        raise SystemExit("--baseline-replicates: at least 2 (a replicate's cost is measured against fewer)")
    curve = scaling_curve(
        S2025,
        replicates,
        args.baseline_replicates or replicates,
        args.workers or worker_counts(available_cpus()),
        executors,
        lambda line: print(line, file=sys.stderr),
    )
    figures["scaling"] = curve
    rows += scaling_rows(curve)
    replay_n = (2 if args.quick else 5) if args.replay_replicates is None else args.replay_replicates
    if replay_n > 0:
        print("f) cost per day: the 2025 file and the 2023-2025 replay ...", file=sys.stderr)
        cost = replay_cost(load_scenario(S2025), load_scenario(REPLAY), replay_n)
        figures["replay_per_day"] = cost
        rows += replay_rows(cost)


def run(args: argparse.Namespace) -> tuple[list[Row], dict[str, Any]]:
    build_model(load_scenario(S2025), 0, 0).run()  # warm up imports and cached map properties
    rows: list[Row] = []
    figures: dict[str, Any] = {}
    if not args.scaling_only:
        throughput_and_costs(args, figures, rows)
    scaling_and_replay(args, figures, rows)
    return rows, figures


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    t0 = time.perf_counter()
    rows, figures = run(args)
    print(table(rows))
    report = {
        "environment": environment(),
        "quick": args.quick,
        "scaling_only": args.scaling_only,
        "seconds": time.perf_counter() - t0,
        "targets": {
            "seconds_per_replicate_2025": TARGET_SECONDS_PER_REPLICATE,
            "replicate_day_ratio": TARGET_DAY_RATIO,
            "process_fixed_s": TARGET_FIXED_S,
            "map_time_ratio": "<= map size factor (linear)",
            "memory_mb": TARGET_MEMORY_MB,
            "speedup": "N workers >= 0.8 N x 1 worker",
            "day_cost_ratio": "per replicate-day: replay <= 1.25 x the 2025 file, whole <= 1.25 x quarter",
        },
        "figures": figures,
        "rows": [dataclasses.asdict(r) for r in rows],
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
