"""How the fit's simulations scale with workers: one batch of candidates (a generation's
worth at a small size) evaluated on 1 worker, then on each worker count, in one run. Prints
simulations a second and the speed-up over one worker, and checks that every count gave
the same summaries.

    .venv/bin/python benchmarks/fit_scaling.py --simulations 96 --workers 1,2
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim.fit.simulate import evaluate
from sim.fit.space import candidates
from sim.fit.targets import CUT_OFF, training
from sim.run.executors import make_executor
from sim.scenario import load_scenario

REPLAY = Path(__file__).resolve().parents[1] / "scenarios" / "replay_2023_2025.toml"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--simulations", type=int, default=96)
    ap.add_argument("--workers", default="1,2")
    args = ap.parse_args()
    scenario = load_scenario(REPLAY).without_posterior().with_run(end=CUT_OFF)
    train = training(scenario)
    box = candidates(scenario)
    rng = np.random.default_rng(0)
    u = rng.random((args.simulations, len(box.names)))
    counts = [int(w) for w in args.workers.split(",")]
    first, base = None, None
    print(f"{args.simulations} simulations of the replay to {CUT_OFF}, {len(box.names)} numbers varied")
    print("| workers | seconds | simulations/s | speed-up | same summaries |")
    print("|---:|---:|---:|---:|:---|")
    for w in counts:
        pool = make_executor("process", w) if w > 1 else make_executor("serial", 1)
        evaluate(
            pool,
            scenario,
            train,
            box,
            u[: 2 * w],
            [np.random.SeedSequence(1, spawn_key=(i,)) for i in range(2 * w)],
        )
        seeds = [np.random.SeedSequence(7, spawn_key=(i,)) for i in range(args.simulations)]
        tick = time.perf_counter()
        out = evaluate(pool, scenario, train, box, u, seeds)
        secs = time.perf_counter() - tick
        pool.shutdown()
        first = out if first is None else first
        base = secs if base is None else base
        same = np.array_equal(out, first)
        print(f"| {w} | {secs:.1f} | {args.simulations / secs:.1f} | {base / secs:.2f} | {same} |")


if __name__ == "__main__":
    main()
