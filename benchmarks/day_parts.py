"""Where a replicate's time goes: each part of the day timed inside the model, in ms per
replicate, best of several rounds.

Whole-replicate timings on a shared machine vary by half from one run to the next; a part's
own time, taken as the best of a few rounds, is steady enough to compare two checkouts (run
this in each, alternately). Parts nest (the march holds the orders), so they do not add up.

    python benchmarks/day_parts.py [scenario] [--replicates 4] [--rounds 5]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from bench_report import ROOT

import sim.model.agents as agents
import sim.model.model as model
import sim.model.outcomes as outcomes
import sim.model.recorder as recorder
import sim.model.tactics as tactics
from sim.run.replicate import build_model
from sim.scenario import load_scenario

# (owner, attribute, label): the model calls each through that attribute, so timing it there
# times every call the model makes
PARTS = [
    (model.ConflictModel, "step", "the day (ConflictModel.step)"),
    (model.ConflictModel, "_march", "  marches and orders"),
    (model, "march", "    the compiled march"),
    (model.ConflictModel, "move_cells", "    the units' Mesa cells"),
    # before the compiled march (strengths, both sides' orders and the moves in one call):
    # its parts, each its own call
    (model, "powers", "    strengths (the fight's; before, both passes)"),
    (tactics, "resistance_orders", "    the resistance's orders"),
    (tactics, "junta_orders", "    the junta's orders"),
    (model.ConflictModel, "carry_out", "    carrying out the moves"),
    (model.ConflictModel, "fight", "  engagements and what they decide"),
    (model, "battle", "    the compiled fight (strengths, engagements, toll)"),
    (model, "engage", "    the engagements' compiled pass"),
    (outcomes, "breaks", "    broken units"),
    (outcomes, "captures", "    captures"),
    (outcomes, "flight", "    flight"),
    (model.ConflictModel, "balance", "  the balance of forces (every commander's)"),
    (agents.JuntaCommand, "step", "  the command's step"),
    (agents, "junta_plan", "    its plan"),
    (agents.Faction, "step", "  the factions' steps"),
    (recorder.Recorder, "record", "  the record"),
]


def timed(fn: Callable[..., Any], label: str, spent: dict[str, float]) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[label] = spent.get(label, 0.0) + time.perf_counter() - t0

    return call


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios" / "2025_counteroffensive.toml"))
    parser.add_argument("--replicates", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    seed = scenario.data["run"]["seed"]
    build_model(scenario, seed, 0).run()  # loads (or compiles) the kernels
    spent: dict[str, float] = {}
    for owner, name, label in PARTS:
        if hasattr(owner, name):  # an older checkout may lack a part
            setattr(owner, name, timed(getattr(owner, name), label, spent))
    best: dict[str, float] = {}
    for _ in range(args.rounds):
        spent.clear()
        t0 = time.perf_counter()
        for r in range(args.replicates):
            build_model(scenario, seed, r).run()
        spent["a replicate (build and run)"] = time.perf_counter() - t0
        for label, seconds in spent.items():
            best[label] = min(best.get(label, float("inf")), seconds)
    print(f"{scenario.name}: ms per replicate, best of {args.rounds} rounds of {args.replicates}")
    for label in ["a replicate (build and run)", *(label for *_, label in PARTS)]:
        if label in best:
            print(f"{label:40s} {best[label] / args.replicates * 1e3:7.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
