"""Sections (c) and (d) of bench_ensemble.py: run time against the size of the map, and the
peak memory of a long ensemble (run here, in a fresh interpreter, as `bench_sizes.py R W`).
See benchmarks/README.md.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import multiprocessing.forkserver
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
from bench_report import ROOT

from sim.run.ensemble import run_ensemble
from sim.scenario import Scenario, load_scenario
from sim.world.commands import Commands
from sim.world.geography import Geography

S2023 = ROOT / "scenarios" / "2023_operation_1027.toml"
LINK_ROADS = 3  # roads joining map copy k to copy k+1
LINK_KM = 150.0


def seconds_per_replicate(scenario: Scenario, replicates: int) -> float:
    """Mean wall time of build_model + run, serially in this process."""
    from sim.run.replicate import build_model

    seed = scenario.data["run"]["seed"]
    t0 = time.perf_counter()
    for r in range(replicates):
        build_model(scenario, seed, r).run()
    return (time.perf_counter() - t0) / replicates


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
        seats=names,
        state=tile(geo.state),
        lat=tile(geo.lat),
        lon=np.concatenate([geo.lon + k * shift for k in range(copies)]),
        area=tile(geo.area),
        population=tile(geo.population),
        terrain=tile(geo.terrain),
        border=tile(geo.border),
        crossing=tile(geo.crossing),
        china_gates=tile(geo.china_gates),
        corridor=tile(geo.corridor),
        mine=tile(geo.mine),
        hq=tile(geo.hq),
        scam=tile(geo.scam),
        pipeline=tile(geo.pipeline),
        capital=tile(geo.capital),
        control={label: tile(c) for label, c in geo.control.items()},
        contested={label: tile(c) for label, c in geo.contested.items()},
        presence={label: list(p) * copies for label, p in geo.presence.items()},
        presence_inferred={label: tile(c) for label, c in geo.presence_inferred.items()},
        edge_a=edge_a,
        edge_b=edge_b,
        edge_km=edge_km,
        edge_kind=edge_kind,
        commands=Commands(
            tuple(f"{code}{suffix(k)}" for k in range(copies) for code in geo.commands.codes),
            tuple(f"{name}{suffix(k)}" for k in range(copies) for name in geo.commands.names),
            np.concatenate([geo.commands.hq + k * n for k in range(copies)]),
            np.concatenate([geo.commands.of + k * geo.commands.n for k in range(copies)]),
        ),
        lookup=lookup,
    )
    import networkx as nx

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
    from sim.run.replicate import build_model

    out = {}
    for k in sizes:
        sc = scenario if k == 1 else scaled_scenario(scenario, k)
        build_model(sc, 0, 0).run()  # warm caches (csr, neighbours) outside the timing
        agents = [len(build_model(sc, sc.data["run"]["seed"], r).agents) for r in range(replicates)]
        out[k] = {
            "townships": float(sc.geography.n),
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
    """Runs in a fresh interpreter: a long, short-dated 2023 ensemble; returns memory in MB.
    This module imports no more than `sim run` does (the model only inside functions), so
    the parent holds what a user's would."""
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
    cmd = [sys.executable, str(Path(__file__).resolve()), str(replicates), str(workers)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"memory run failed ({done.returncode}):\n{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["workers"] = workers
    result["rss_sum_mb"] = result["parent_mb"] + workers * result["child_mb"]
    return result


if __name__ == "__main__":
    print(json.dumps(memory_child(int(sys.argv[1]), int(sys.argv[2]))))
