"""Throughput, per-agent cost, map-size scaling, memory, the scaling curve over worker counts
and the replay's cost per day, in one run.

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
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import mesa
import numpy as np
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

from sim.run.cpus import available_cpus
from sim.run.ensemble import run_ensemble
from sim.run.replicate import build_model
from sim.scenario import Scenario, load_scenario

S2023 = ROOT / "scenarios" / "2023_operation_1027.toml"
S2025 = ROOT / "scenarios" / "2025_counteroffensive.toml"
REPLAY = ROOT / "scenarios" / "replay_2023_2025.toml"
DEFAULT_JSON = ROOT / "benchmarks" / "results.json"

TARGET_SECONDS_PER_REPLICATE = 0.2  # 2025 scenario, one core
TARGET_AGENT_STEP_RATIO = 1.5  # cost per agent-step vs a do-nothing Mesa model (issue 15)
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


# --- b) cost per agent-step -----------------------------------------------------------


class _IdleAgent(mesa.Agent):
    def step(self) -> None:
        pass


class IdleModel(mesa.Model):
    """Mesa's floor: `agents` trivial agents stepped in random order each day."""

    def __init__(self, agents: int, days: int, rng: np.random.Generator) -> None:
        super().__init__(rng=rng)
        self.days = days
        for _ in range(agents):
            _IdleAgent(self)

    def step(self) -> None:
        self.agents.shuffle_do("step")

    def run(self) -> None:
        for _ in range(self.days):
            self.step()


def agent_step_costs(scenario: Scenario, replicates: int, rounds: int = 3) -> dict[str, float]:
    """Seconds per agent-step of the model and of an idle Mesa model of the same size and length.

    Each replicate runs `rounds` times, interleaved with its idle model, and the fastest of its
    runs counts, for both: what a busy or throttled machine adds to a run only ever makes it
    slower, so the minimum is the steadiest estimate of what the code costs (as `timeit` does)."""
    seed = scenario.data["run"]["seed"]
    model_s = idle_s = 0.0
    agent_steps = 0
    agents = []
    for r in range(replicates):
        best_model = best_idle = float("inf")
        for _ in range(rounds):  # interleaved, so drift in machine speed hits both alike
            model = build_model(scenario, seed, r)
            n = len(model.agents)
            t0 = time.perf_counter()
            model.run()
            best_model = min(best_model, time.perf_counter() - t0)
            idle = IdleModel(n, model.days, np.random.default_rng(r))
            t0 = time.perf_counter()
            idle.run()
            best_idle = min(best_idle, time.perf_counter() - t0)
        model_s += best_model
        idle_s += best_idle
        agent_steps += n * model.days
        agents.append(n)
    model_cost = model_s / agent_steps
    idle_cost = idle_s / agent_steps
    return {
        "agents_at_start": float(np.mean(agents)),
        "days": float(scenario.days),
        "rounds": float(rounds),
        "model_us": model_cost * 1e6,
        "idle_us": idle_cost * 1e6,
        "ratio": model_cost / idle_cost,
    }


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
    agent_n = 2 if quick else 5
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

    print("b) cost per agent-step against an idle Mesa model ...", file=sys.stderr)
    cost = agent_step_costs(s2025, agent_n)
    figures["agent_step"] = cost
    rows += [
        Row(f"2025: model, per agent-step ({cost['agents_at_start']:.0f} agents)", cost["model_us"], "us"),
        Row("idle Mesa model, per agent-step", cost["idle_us"], "us"),
        Row(
            "model / idle cost per agent-step",
            cost["ratio"],
            "x",
            f"<= {TARGET_AGENT_STEP_RATIO:g}",
            cost["ratio"] <= TARGET_AGENT_STEP_RATIO,
        ),
    ]

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
            "agent_step_ratio": TARGET_AGENT_STEP_RATIO,
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
