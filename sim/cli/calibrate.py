"""Fit behavioural numbers to what was observed up to the end of the training window."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.common import load, positive, seed_arg


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "calibrate",
        help="ABC-SMC fit of behavioural numbers to observations up to 30 Jun 2024 (calibrate extra)",
    )
    p.add_argument(
        "scenario",
        type=Path,
        nargs="?",
        default=Path(__file__).resolve().parents[2] / "scenarios" / "replay_2023_2025.toml",
        help="scenario run to the end of the window (default: scenarios/replay_2023_2025.toml)",
    )
    p.add_argument(
        "--particles", type=positive, default=30, help="population size per generation (default 30)"
    )
    p.add_argument("--generations", type=positive, default=3, help="ABC-SMC generations (default 3)")
    p.add_argument("--seed", type=seed_arg, default=0, help="seed of the fit (default 0)")
    p.add_argument(
        "--workers", type=positive, default=1, help="processes; only 1 makes the fit reproducible (default 1)"
    )
    p.add_argument(
        "--out", type=Path, required=True, help="folder for the posterior table, figure and scenario"
    )
    p.set_defaults(func=cmd_calibrate)


def cmd_calibrate(args) -> int:
    import os

    from sim.analysis.calibration import TRAINING_END, calibrate, posterior_chart, posterior_scenario
    from sim.analysis.summary import to_markdown, write_table

    scenario = load(args.scenario)
    cal = calibrate(scenario, args.out, args.particles, args.generations, args.seed, args.workers)
    parent = os.path.relpath(Path(args.scenario).resolve(), args.out.resolve())
    toml = args.out / "posterior.toml"
    toml.write_text(posterior_scenario(cal.table, parent, f"{scenario.name} (calibrated)"), encoding="utf-8")
    print(to_markdown(cal.table))
    print(
        f"fitted on observations up to {TRAINING_END}: {cal.generations} generations, "
        f"{cal.simulations} simulations, seed {args.seed}"
    )
    chart = posterior_chart(cal, args.out, f"Posterior of {scenario.name}, fitted up to {TRAINING_END}")
    for path in (*write_table(cal.table, args.out, "posterior"), chart, toml):
        print(path)
    return 0
