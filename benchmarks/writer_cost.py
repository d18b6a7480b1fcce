"""What the process writing a results folder spends per finished chunk, and how many workers'
output it can take in at most.

`sim run` hands out chunks and writes every worker's shards in turn, in one process: each
finished chunk costs it the unpickling of what the worker sent and `ResultsDir.add` (the
shards, the chunk's record and the manifest, written atomically). Workers finishing faster
than that wait. This times both for a chunk of 10 replicates and for one of 1 (the tail of a
run), best of several, and sets them against one replicate's own time here: the number of
workers whose output that process keeps up with. No workers run, so it needs no many-core
machine; the IPC of a real pool is not counted.

    python benchmarks/writer_cost.py [scenario] [--rounds 15]
"""

from __future__ import annotations

import argparse
import pickle
import tempfile
import time
from pathlib import Path

from bench_report import ROOT, Row, table

from sim.run.ensemble import run_chunk
from sim.run.folder import ResultsDir
from sim.run.replicate import run_replicate
from sim.scenario import load_scenario


def writer_seconds(scenario, seed: int, size: int, rounds: int) -> float:
    """Best time of unpickling a finished chunk of `size` replicates and adding it to a folder."""
    sent = pickle.dumps(run_chunk(scenario, seed, list(range(size)), encoded=True))
    best = float("inf")
    with tempfile.TemporaryDirectory(prefix="bench-writer-") as tmp:
        for k in range(rounds):
            folder = ResultsDir.open(Path(tmp) / str(k), scenario, seed, size, resume=False)
            try:
                t0 = time.perf_counter()
                res = pickle.loads(sent)
                folder.add(res.done, res.shards, res.failures)
                best = min(best, time.perf_counter() - t0)
            finally:
                folder.close()
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios" / "2025_counteroffensive.toml"))
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    seed = scenario.data["run"]["seed"]
    replicate = float("inf")
    for r in range(3):  # the first also loads (or compiles) the kernels
        t0 = time.perf_counter()
        run_replicate(scenario, seed, r)
        replicate = min(replicate, time.perf_counter() - t0)
    rows = [Row("one replicate, here (best of 3)", replicate * 1e3, "ms")]
    for size in (10, 1):
        seconds = writer_seconds(scenario, seed, size, args.rounds)
        rows += [
            Row(f"writer per chunk of {size} (unpickle + write)", seconds * 1e3, "ms"),
            Row("  replicates a second it takes in at most", size / seconds, "/s"),
            Row("  workers whose output it keeps up with", size * replicate / seconds, ""),
        ]
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
