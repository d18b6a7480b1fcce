"""Throughput, per-agent cost, map-size scaling and memory of ensembles, in one run.

    python benchmarks/bench_ensemble.py                  # everything (a few minutes)
    python benchmarks/bench_ensemble.py --quick          # fewer replicates, no memory run
    python benchmarks/bench_ensemble.py --json out.json  # where the figures go

Prints a table and writes the figures as JSON (default benchmarks/results.json;
generated output, not to be committed). Every comparison is a ratio of two
timings taken in this same run, on this machine. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import datetime as dt
import json
import multiprocessing.forkserver
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import mesa
import networkx as nx
import numpy as np

import sim
from sim.run.ensemble import run_ensemble
from sim.run.replicate import build_model
from sim.scenario import Scenario, load_scenario
from sim.world.geography import Geography

ROOT = Path(__file__).resolve().parent.parent
S2023 = ROOT / "scenarios" / "2023_operation_1027.toml"
S2025 = ROOT / "scenarios" / "2025_counteroffensive.toml"
DEFAULT_JSON = ROOT / "benchmarks" / "results.json"

TARGET_SECONDS_PER_REPLICATE = 0.2  # 2025 scenario, one core
TARGET_AGENT_STEP_RATIO = 3.0  # cost per agent-step vs a do-nothing Mesa model
TARGET_MEMORY_MB = 500.0  # parent + workers, 10,000-replicate ensemble
LINK_ROADS = 3  # roads joining map copy k to copy k+1
LINK_KM = 150.0


@dataclasses.dataclass
class Row:
    """One line of the printed table (and of the JSON `rows`)."""

    figure: str
    value: float
    unit: str
    target: str = ""
    ok: bool | None = None

    def cells(self) -> list[str]:
        verdict = "" if self.ok is None else ("ok" if self.ok else "MISSED")
        return [self.figure, f"{self.value:,.3f}".rstrip("0").rstrip("."), self.unit, self.target, verdict]


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


def seconds_per_replicate(scenario: Scenario, replicates: int) -> float:
    """Mean wall time of build_model + run, serially in this process."""
    seed = scenario.data["run"]["seed"]
    t0 = time.perf_counter()
    for r in range(replicates):
        build_model(scenario, seed, r).run()
    return (time.perf_counter() - t0) / replicates


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


def agent_step_costs(scenario: Scenario, replicates: int) -> dict[str, float]:
    """Seconds per agent-step of the model and of an idle Mesa model of the same size and length."""
    seed = scenario.data["run"]["seed"]
    model_s = idle_s = 0.0
    agent_steps = 0
    agents = []
    for r in range(replicates):  # interleaved, so drift in machine speed hits both alike
        model = build_model(scenario, seed, r)
        n = len(model.agents)
        t0 = time.perf_counter()
        model.run()
        model_s += time.perf_counter() - t0
        idle = IdleModel(n, model.days, np.random.default_rng(r))
        t0 = time.perf_counter()
        idle.run()
        idle_s += time.perf_counter() - t0
        agent_steps += n * model.days
        agents.append(n)
    model_cost = model_s / agent_steps
    idle_cost = idle_s / agent_steps
    return {
        "agents_at_start": float(np.mean(agents)),
        "days": float(scenario.days),
        "model_us": model_cost * 1e6,
        "idle_us": idle_cost * 1e6,
        "ratio": model_cost / idle_cost,
    }


# --- c) scaling with map size ---------------------------------------------------------


def tile_geography(geo: Geography, copies: int) -> Geography:
    """`copies` copies of the map side by side (ids suffixed, longitudes shifted), joined by roads.

    Copy 0 keeps the real ids, so scenario events naming towns still find them.
    Copy k's town i is joined to copy k+1's town i for LINK_ROADS towns spread over the list.
    """
    n = geo.n
    shift = float(geo.lon.max() - geo.lon.min()) + 1.0

    def suffix(k: int) -> str:
        return "" if k == 0 else f"__{k}"

    def tile(a: np.ndarray) -> np.ndarray:
        return np.concatenate([a] * copies)

    ids = tuple(f"{i}{suffix(k)}" for k in range(copies) for i in geo.ids)
    names = tuple(f"{name}{suffix(k)}" for k in range(copies) for name in geo.names)
    lookup = {key: node + k * n for k in range(copies) for key, node in _suffixed(geo.lookup, suffix(k))}
    linked = np.linspace(0, n - 1, LINK_ROADS).astype(np.int64)
    link_a = np.concatenate([linked + k * n for k in range(copies - 1)]).astype(np.int64)
    link_b = link_a + n
    edge_a = np.concatenate([geo.edge_a + k * n for k in range(copies)] + [link_a])
    edge_b = np.concatenate([geo.edge_b + k * n for k in range(copies)] + [link_b])
    edge_km = np.concatenate([tile(geo.edge_km), np.full(len(link_a), LINK_KM)])
    edge_kind = np.concatenate([tile(geo.edge_kind), np.full(len(link_a), "road")])
    out = Geography(
        ids=ids,
        names=names,
        state=tile(geo.state),
        lat=tile(geo.lat),
        lon=np.concatenate([geo.lon + k * shift for k in range(copies)]),
        area=tile(geo.area),
        population=tile(geo.population),
        terrain=tile(geo.terrain),
        border=tile(geo.border),
        crossing=tile(geo.crossing),
        corridor=tile(geo.corridor),
        mine=tile(geo.mine),
        hq=tile(geo.hq),
        capital=tile(geo.capital),
        control={label: tile(c) for label, c in geo.control.items()},
        presence={label: list(p) * copies for label, p in geo.presence.items()},
        edge_a=edge_a,
        edge_b=edge_b,
        edge_km=edge_km,
        edge_kind=edge_kind,
        lookup=lookup,
    )
    if nx.is_connected(geo.graph()) and not nx.is_connected(out.graph()):
        raise AssertionError("tiled map is not connected")
    return out


def _suffixed(lookup: dict[str, int], suffix: str) -> list[tuple[str, int]]:
    return [(key + suffix.casefold(), node) for key, node in lookup.items()]


def _scale_value(value: Any, factor: float) -> Any:
    """A number or a distribution table times `factor`."""
    if isinstance(value, dict):
        keys = ("low", "high", "mode", "mean", "sd")
        return {k: (v * factor if k in keys else v) for k, v in value.items()}
    return value * factor


def scaled_scenario(scenario: Scenario, copies: int) -> Scenario:
    """The scenario on a tiled map, with every force (and the conscript intake) times `copies`,

    so troops per town are as on the real map and only the map's size changes.
    """
    geo = tile_geography(scenario.geography, copies)
    data = copy.deepcopy(scenario.data)
    data["junta"]["strength"] = _scale_value(data["junta"]["strength"], copies)
    conscription = data["junta"]["conscription"]
    conscription["monthly_intake"] = _scale_value(conscription["monthly_intake"], copies)
    for table in data["factions"].values():
        table["strength"] = _scale_value(table["strength"], copies)
    return Scenario(scenario.path, data, geo)


def map_scaling(scenario: Scenario, replicates: int, sizes: tuple[int, ...]) -> dict[int, dict[str, float]]:
    """Seconds per replicate and agents at the start on maps `sizes` times the real one."""
    out = {}
    for k in sizes:
        sc = scenario if k == 1 else scaled_scenario(scenario, k)
        build_model(sc, 0, 0).run()  # warm caches (csr, neighbours) outside the timing
        agents = [len(build_model(sc, sc.data["run"]["seed"], r).agents) for r in range(replicates)]
        out[k] = {
            "towns": float(sc.geography.n),
            "roads": float(len(sc.geography.edge_a)),
            "agents_at_start": float(np.mean(agents)),
            "seconds_per_replicate": seconds_per_replicate(sc, replicates),
        }
    return out


# --- d) peak memory of a long ensemble ------------------------------------------------


def _tree(root: int) -> list[int]:
    """`root` and all its live descendants, from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def _pss_mb(pid: int) -> float:
    """Proportional set size: shared pages split among the processes sharing them."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class PssSampler(threading.Thread):
    """Samples the summed PSS of this process and its descendants; keeps the peak."""

    def __init__(self, interval: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.peak_mb = 0.0
        self.available = Path("/proc/self/smaps_rollup").exists()
        self._stop_event = threading.Event()

    def run(self) -> None:
        while self.available and not self._stop_event.wait(self.interval):
            self.peak_mb = max(self.peak_mb, sum(_pss_mb(pid) for pid in _tree(os.getpid())))

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def memory_child(replicates: int, workers: int) -> dict[str, float | None]:
    """Runs in a fresh interpreter: a long, short-dated 2023 ensemble; returns memory in MB."""
    scenario = load_scenario(S2023)
    scenario = scenario.with_run(replicates=replicates, end=scenario.start + dt.timedelta(days=4))
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sampler = PssSampler()
    sampler.start()
    with tempfile.TemporaryDirectory(prefix="bench-mem-") as tmp:
        t0 = time.perf_counter()
        report = run_ensemble(
            scenario, Path(tmp) / "out", executor="process", workers=workers, progress=False
        )
        seconds = time.perf_counter() - t0
    sampler.stop()
    # workers are children of the forkserver, which reaps them; stop and reap it so that
    # RUSAGE_CHILDREN covers the workers too (ru_maxrss: the largest single descendant)
    forkserver = getattr(multiprocessing.forkserver, "_forkserver", None)
    if forkserver is not None and hasattr(forkserver, "_stop"):
        forkserver._stop()
    return {
        "replicates": float(report.done),
        "seconds": seconds,
        "parent_baseline_mb": baseline,
        "parent_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "child_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "total_pss_mb": sampler.peak_mb if sampler.available else None,
    }


def peak_memory(replicates: int, workers: int) -> dict[str, Any]:
    """Run memory_child in a subprocess (so earlier parts do not count) and read its answer."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--memory-child", str(replicates), str(workers)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"memory run failed ({done.returncode}):\n{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["workers"] = workers
    result["rss_sum_mb"] = result["parent_mb"] + workers * result["child_mb"]
    return result


# --- the run --------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--replicates", type=int, help="replicates per ensemble in a) (default 200; quick 20)")
    p.add_argument("--json", type=Path, default=DEFAULT_JSON, help=f"default {DEFAULT_JSON}")
    p.add_argument("--quick", action="store_true", help="fewer replicates everywhere, no memory run (d)")
    p.add_argument(
        "--memory-replicates", type=int, default=10_000, help="replicates of the memory run (default 10000)"
    )
    p.add_argument(
        "--memory-child", nargs=2, type=int, metavar=("REPLICATES", "WORKERS"), help=argparse.SUPPRESS
    )
    return p.parse_args(argv)


def run(args: argparse.Namespace) -> tuple[list[Row], dict[str, Any]]:
    quick = args.quick
    n = args.replicates or (20 if quick else 200)
    serial_n = 5 if quick else 20
    agent_n = 2 if quick else 5
    scale_n = 1 if quick else 5
    s2023, s2025 = load_scenario(S2023), load_scenario(S2025)
    build_model(s2025, 0, 0).run()  # warm up imports and cached map properties
    rows: list[Row] = []
    figures: dict[str, Any] = {"throughput": {}}

    print(f"a) ensembles of {n} replicates on 1 and 2 workers ...", file=sys.stderr)
    for label, sc in (("2023", s2023), ("2025", s2025)):
        one = ensemble_seconds(sc, n, 1)
        two = ensemble_seconds(sc, n, 2)
        rate1, rate2 = n * sc.days / one, n * sc.days / two
        figures["throughput"][label] = {
            "replicates": n,
            "days": sc.days,
            "seconds_1_worker": one,
            "seconds_2_workers": two,
            "replicate_days_per_s_1": rate1,
            "replicate_days_per_s_2": rate2,
            "speedup_2_vs_1": one / two,
        }
        rows += [
            Row(f"{label}: replicate-days/s, 1 worker (serial)", rate1, "/s"),
            Row(f"{label}: replicate-days/s, 2 workers (process)", rate2, "/s"),
            Row(f"{label}: speedup 2 vs 1 workers", one / two, "x", f"ideal {min(2, os.cpu_count() or 1)}"),
        ]
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
    rows.append(Row(f"2025 on 1x map ({scaling[1]['towns']:.0f} towns): s per replicate", base, "s"))
    for k in (2, 4):
        ratio = scaling[k]["seconds_per_replicate"] / base
        figures["map_scaling"][str(k)]["time_ratio_vs_1x"] = ratio
        rows.append(
            Row(
                f"{k}x map ({scaling[k]['towns']:.0f} towns, {scaling[k]['agents_at_start']:.0f} agents): "
                "time ratio vs 1x",
                ratio,
                "x",
                f"<= {k}",
                ratio <= k,
            )
        )

    if quick:
        figures["memory"] = None
    else:
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
    return rows, figures


def table(rows: list[Row]) -> str:
    header = ["figure", "value", "unit", "target", ""]
    cells = [header, *(r.cells() for r in rows)]
    widths = [max(len(c[i]) for c in cells) for i in range(len(header))]
    lines = []
    for k, c in enumerate(cells):
        just = [
            c[0].ljust(widths[0]),
            c[1].rjust(widths[1]),
            *(x.ljust(w) for x, w in zip(c[2:], widths[2:], strict=True)),
        ]
        lines.append("  ".join(just).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def environment() -> dict[str, Any]:
    return {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "mesa": mesa.__version__,
        "numpy": np.__version__,
        "sim": sim.__version__,
        "machine": platform.machine(),
        "system": platform.platform(),
        "cpus": os.cpu_count(),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.memory_child:
        print(json.dumps(memory_child(*args.memory_child)))
        return 0
    t0 = time.perf_counter()
    rows, figures = run(args)
    print(table(rows))
    report = {
        "environment": environment(),
        "quick": args.quick,
        "seconds": time.perf_counter() - t0,
        "targets": {
            "seconds_per_replicate_2025": TARGET_SECONDS_PER_REPLICATE,
            "agent_step_ratio": TARGET_AGENT_STEP_RATIO,
            "map_time_ratio": "<= map size factor (linear)",
            "memory_mb": TARGET_MEMORY_MB,
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
