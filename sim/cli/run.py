"""Run a scenario's replicates into a results directory, or only check scenario files."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.common import (
    FORCE_HELP,
    UNTIL_HELP,
    date_arg,
    ensemble_args,
    load,
    replacing,
    replicates_arg,
    run_one,
    seed_arg,
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run a scenario's replicates into a results directory")
    p.add_argument("scenario", type=Path, help="scenario file (TOML); see scenarios/ and docs/ODD.md")
    p.add_argument(
        "--replicates",
        type=replicates_arg,
        help="replicates to run (default: run.replicates of the file)",
    )
    p.add_argument(
        "--seed",
        type=seed_arg,
        help="seed of the ensemble: replicate r uses SeedSequence(seed, spawn_key=(r,)) "
        "(default: run.seed of the file)",
    )
    p.add_argument("--until", type=date_arg, help=UNTIL_HELP)
    p.add_argument("--out", type=Path, help="results directory (default: results/<scenario name>)")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run in --out")
    p.add_argument("--force", action="store_true", help=FORCE_HELP)
    p.add_argument(
        "--null",
        action="store_true",
        help="run the null model instead: the same file with every commander forced onto the defensive",
    )
    ensemble_args(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("check", help="validate scenario files without running them")
    p.add_argument("scenario", type=Path, nargs="+", help="scenario files (TOML) to check")
    p.set_defaults(func=cmd_check)


def cmd_run(args) -> int:
    scenario = load(args.scenario, replicates=args.replicates, seed=args.seed, end=args.until)
    if args.null:
        from sim.analysis.validation import null_model

        scenario = null_model(scenario)
    out = args.out or Path("results") / args.scenario.stem
    return replacing(out, args.force, lambda folder: run_one(scenario, folder, args))


def cmd_check(args) -> int:
    for path in args.scenario:
        scenario = load(path)
        post = scenario.posterior
        fitted = (
            f"; {len(post.names)} rules' numbers from {post.path} ({len(post.weights)} particles, "
            f"fitted to {post.fitted_until})"
            if post is not None
            else ""
        )
        print(
            f"{path}: ok ({scenario.name}; {scenario.start} to {scenario.end}, "
            f"{scenario.data['run']['replicates']} replicates{fitted})"
        )
    return 0
