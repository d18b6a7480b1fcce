"""Fit the rules to what was observed up to the training cut-off (30 Jun 2024)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sim import shipped
from sim.cli import common
from sim.cli.common import EXIT_INTERRUPTED, MAX_WORKERS, load, positive, seed_arg, workers_arg


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "calibrate",
        help="ABC-SMC fit of the rules to the record up to 30 Jun 2024: screening, posterior, checks "
        "(calibrate extra)",
    )
    p.add_argument(
        "scenario",
        type=Path,
        nargs="?",
        default=shipped.scenario("replay_2023_2025.toml"),
        help="scenario whose rules are fitted, run to the cut-off; its values centre the priors "
        "(default: scenarios/replay_2023_2025.toml)",
    )
    p.add_argument("--out", type=Path, required=True, help="folder of the fit (resumable with --resume)")
    p.add_argument("--particles", type=positive, default=1000, help="particles per generation (default 1000)")
    p.add_argument(
        "--generations",
        type=positive,
        default=10,
        help="at most this many generations; the fit stops earlier once epsilon stops shrinking (default 10)",
    )
    p.add_argument(
        "--trajectories", type=positive, default=10, help="Morris trajectories of the screening (default 10)"
    )
    p.add_argument(
        "--min-acceptance",
        type=float,
        default=0.03,
        help="stop when a generation accepts fewer of its moves (default 0.03)",
    )
    p.add_argument("--checks", type=int, default=200, help="posterior predictive replicates (default 200)")
    p.add_argument("--seed", type=seed_arg, default=0, help="seed of the fit (default 0)")
    cpus = min(common.available_cpus(), MAX_WORKERS)
    p.add_argument(
        "--workers",
        type=workers_arg,
        default=cpus,
        help=f"processes (default: the CPUs this process may use, here {cpus}); any number gives the "
        "same posterior",
    )
    p.add_argument(
        "--resume", action="store_true", help="continue the fit in --out after its last generation"
    )
    p.set_defaults(func=cmd_calibrate)


def cmd_calibrate(args) -> int:
    from sim.errors import UserError
    from sim.fit.abc import Settings
    from sim.fit.fit import POSTERIOR, calibrate

    try:
        import SALib  # noqa: F401
    except ImportError:
        raise UserError(
            "sim calibrate needs the optional extra: pip install 'myanmar-conflict-sim[calibrate]'"
        ) from None
    if not 0 < args.min_acceptance < 1:
        raise UserError(f"--min-acceptance: {args.min_acceptance} must lie between 0 and 1")
    scenario = load(args.scenario)
    workers = args.workers
    settings = Settings(args.particles, args.generations, args.seed, min_acceptance=args.min_acceptance)
    try:
        fit = calibrate(scenario, args.out, settings, args.trajectories, workers, args.resume, say=_say)
    except KeyboardInterrupt:
        print(
            f"sim: interrupted; the finished generations are kept in {args.out}; continue with --resume",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    paths = report(fit, args.out, args.checks, workers, args.scenario)
    print(f"fitted up to {fit.training.cut_off}; stopped: {fit.stopped}")
    for path in (args.out / POSTERIOR, *paths):
        print(path)
    return 0


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def report(fit, out: Path, checks: int, workers: int, scenario_path: Path) -> list[Path]:
    """The fit's tables, figures and child scenario file."""
    from sim.analysis.summary import to_markdown, write_table
    from sim.fit import figures
    from sim.fit.report import pinned, predictive, schedule
    from sim.fit.simulate import evaluate
    from sim.run.executors import make_executor

    table = pinned(fit)
    steps = schedule(fit)
    print(to_markdown(steps))
    print(to_markdown(table))
    print(
        f"pinned: 90 % interval under {table.attrs['flat']:.2f} of the prior's (what a flat posterior of "
        f"{min(fit.last.unique, round(fit.last.ess))} particles shows in 5 % of draws)"
    )
    pool = make_executor("process", workers) if workers > 1 else make_executor("serial", 1)
    try:
        post = predictive(fit, lambda u, s: evaluate(pool, fit.scenario, fit.training, fit.box, u, s), checks)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    title = f"{fit.scenario.name}: rules fitted to the record up to {fit.training.cut_off}"
    parent = os.path.relpath(Path(scenario_path).resolve(), out.resolve())
    child = out / "posterior.toml"
    child.write_text(
        f'extends = "{parent}"\nname = "{fit.scenario.name} (fitted)"\nposterior = "posterior.parquet"\n',
        encoding="utf-8",
    )
    return [
        *write_table(table, out, "pinned"),
        *write_table(steps, out, "generations"),
        figures.marginals(fit, table, out, title),
        figures.pairs(fit, table, out, title),
        figures.predictive(fit, post, out, title),
        child,
    ]
