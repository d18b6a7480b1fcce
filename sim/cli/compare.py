"""Compare scenarios under common random numbers, and plot finished results."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.common import ensemble_args, load, positive, run_one, seed_arg


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compare", help="run scenarios with common random numbers; plots and a table")
    p.add_argument("scenario", type=Path, nargs="+")
    p.add_argument("--replicates", type=positive)
    p.add_argument("--seed", type=seed_arg)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--resume", action="store_true")
    ensemble_args(p)
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("plot", help="fan charts, end-state distributions and maps of results")
    p.add_argument("results", type=Path, nargs="+")
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(func=cmd_plot)


def cmd_compare(args) -> int:
    from sim.analysis.plots import plot_all
    from sim.analysis.summary import compare_table, write_table
    from sim.run.store import load_results

    scenarios = [load(p, replicates=args.replicates, seed=args.seed) for p in args.scenario]
    if args.seed is None:  # common random numbers: every run uses the first file's seed
        seed = scenarios[0].data["run"]["seed"]
        scenarios = [s.with_run(seed=seed) for s in scenarios]
    if args.replicates is None:
        n = scenarios[0].data["run"]["replicates"]
        scenarios = [s.with_run(replicates=n) for s in scenarios]
    dirs = []
    for path, scenario in zip(args.scenario, scenarios, strict=True):
        out = args.out / "runs" / path.stem
        status = run_one(scenario, out, args)
        if status:
            return status
        dirs.append(out)
    runs = [load_results(d) for d in dirs]
    if len({r.label for r in runs}) < len(runs):  # same names: tell them apart by file
        for res, path in zip(runs, args.scenario, strict=True):
            res.name = f"{res.label} ({path.stem})"
    table = compare_table(runs)
    for path in (*write_table(table, args.out, "comparison"), *plot_all(runs, args.out)):
        print(path)
    return 0


def cmd_plot(args) -> int:
    from sim.analysis.plots import plot_all
    from sim.run.store import load_results

    runs = [load_results(p) for p in args.results]
    for path in plot_all(runs, args.out):
        print(path)
    return 0
