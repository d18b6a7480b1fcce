"""Explain differences: Shapley attribution over lever groups, global sensitivity."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

from sim.cli.common import (
    UNTIL_HELP,
    date_arg,
    ensemble_args,
    executor_of,
    int_at_least,
    load,
    replicates_arg,
    seed_arg,
)
from sim.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:
    from sim.analysis.metrics import END_METRICS

    p = sub.add_parser("attribute", help="Shapley attribution of the difference between two scenarios")
    p.add_argument("base", type=Path, help="scenario file whose lever settings are switched in")
    p.add_argument(
        "target", type=Path, help="scenario file that is run, with its lever groups set back to BASE's"
    )
    p.add_argument(
        "--replicates", type=replicates_arg, default=20, help="paired replicates per variant (default: 20)"
    )
    p.add_argument("--seed", type=seed_arg, help="default: the target's seed")
    p.add_argument("--until", type=date_arg, help="the target's " + UNTIL_HELP)
    p.add_argument("--groups", help="comma-separated lever groups (default: all that differ)")
    p.add_argument(
        "--permutations",
        type=int_at_least(1, 10_000),
        default=12,
        help="orders of switching sampled when more than 5 groups differ (default: 12)",
    )
    p.add_argument(
        "--out", type=Path, required=True, help="folder for attribution.csv/.md and attribution.png"
    )
    p.add_argument("--resume", action="store_true", help=RESUME_HELP)
    ensemble_args(p)
    p.set_defaults(func=cmd_attribute)

    p = sub.add_parser("sensitivity", help="global sensitivity to the scenario's uncertain parameters")
    p.add_argument("scenario", type=Path, help="scenario file whose distributions are varied")
    p.add_argument(
        "--method",
        choices=("morris", "sobol"),
        default="morris",
        help="Morris elementary effects (cheap screening) or Sobol indices (default: morris)",
    )
    p.add_argument(
        "--samples",
        type=int_at_least(1, 10_000),
        default=8,
        help="trajectories (morris) or base samples (sobol), at most 10,000",
    )
    p.add_argument(
        "--replicates",
        type=replicates_arg,
        default=4,
        help="replicates averaged per sample point; 2 or more to estimate seed noise (default: 4)",
    )
    p.add_argument(
        "--metric",
        default="townships_junta_change",
        choices=END_METRICS,
        metavar="METRIC",
        help="end-state metric to explain (default: townships_junta_change); one of: "
        + ", ".join(END_METRICS),
    )
    p.add_argument("--seed", type=seed_arg, help="default: the scenario's seed")
    p.add_argument("--until", type=date_arg, help=UNTIL_HELP)
    p.add_argument(
        "--out", type=Path, required=True, help="folder for sensitivity.csv/.md and sensitivity.png"
    )
    p.add_argument("--resume", action="store_true", help=RESUME_HELP)
    ensemble_args(p)
    p.set_defaults(func=cmd_sensitivity)


RESUME_HELP = (
    "continue an interrupted analysis in --out: the variants it finished (kept in --out/variants "
    "as they finish) are read back, the rest computed, to the numbers an uninterrupted run gives"
)


def _variants(out: Path, resume: bool) -> Path:
    """Where the variants' end states are kept as they finish; a folder that holds an earlier
    analysis is continued only with --resume."""
    kept = out / "variants"
    if not resume and out.is_dir() and any(out.iterdir()):
        raise UserError(
            f"--out {out}: already holds an analysis; use --resume to continue it or choose another --out"
        )
    return kept


@contextlib.contextmanager
def _keeping(kept: Path) -> Iterator[None]:
    """Say, when the analysis stops short, what it kept and how to go on."""
    try:
        yield
    except (KeyboardInterrupt, UserError, OSError):
        done = len(list(kept.glob("*.parquet"))) if kept.is_dir() else 0
        print(f"sim: {done} finished variants kept in {kept}; continue with --resume", file=sys.stderr)
        raise


@contextlib.contextmanager
def _end_states(args, seed: int) -> Iterator:
    """The analysis's runner of variants (`sweep.EndStates`) on the command's executor, keeping
    each variant in --out as it finishes and saying what it kept if the analysis stops short."""
    from sim.analysis.sweep import EndStates

    keep = _variants(args.out, args.resume)
    with (
        _keeping(keep),
        EndStates(
            args.replicates, seed, executor_of(args), args.workers, args.address, keep, not args.quiet
        ) as run,
    ):
        yield run


def cmd_attribute(args) -> int:
    from sim.analysis.attribution import GROUPS, differing_groups, shapley
    from sim.analysis.plots import attribution_chart
    from sim.analysis.summary import to_markdown, write_table

    base = load(args.base)
    target = load(args.target, end=args.until)
    seed = args.seed if args.seed is not None else target.data["run"]["seed"]
    groups = differing_groups(base, target)
    if args.groups:
        chosen = [g.strip() for g in args.groups.split(",")]
        unknown = [g for g in chosen if g not in GROUPS]
        if unknown:
            raise UserError(f"--groups: unknown group {unknown[0]!r}; allowed: " + ", ".join(GROUPS))
        groups = [g for g in chosen if g in groups]
    if not groups:
        raise UserError(f"{args.base} and {args.target} set every lever group alike; nothing to attribute")
    with _end_states(args, seed) as run:
        result = shapley(base, target, run, groups, permutations=args.permutations, seed=seed)
        runs = run.runs
    table = result.table
    args.out.mkdir(parents=True, exist_ok=True)
    caption = (
        f"{target.name} with each lever group set back to {base.name}: Shapley values ({result.method}, "
        f"{result.replicates} paired replicates, {runs} scenario variants, seed {seed}); "
        "bars 95 % intervals over replicates."
    )
    heading = f"What moved the outcome, lever group by lever group\nfrom: {base.name}\nto: {target.name}"
    chart = attribution_chart(table, args.out, heading, caption)
    print(to_markdown(table))
    print(caption)
    for path in (*write_table(table, args.out, "attribution"), chart):
        print(path)
    return 0


def cmd_sensitivity(args) -> int:
    from sim.analysis.plots import sensitivity_chart
    from sim.analysis.sensitivity import analyse
    from sim.analysis.summary import to_markdown, write_table

    scenario = load(args.scenario, end=args.until)
    seed = args.seed if args.seed is not None else scenario.data["run"]["seed"]
    with _end_states(args, seed) as run:
        result = analyse(scenario, run, args.method, args.samples, args.metric, seed)
    args.out.mkdir(parents=True, exist_ok=True)
    caption = (
        f"{args.method} over {result.points} sample points x {args.replicates} replicates (seed {seed}); "
        + (
            f"seed noise is {result.noise_share:.0%} of the variance of the point means"
            if args.replicates > 1
            else "seed noise not estimated (one replicate per point; use --replicates 2 or more)"
        )
        + "; bars: 95 % intervals."
    )
    chart = sensitivity_chart(
        result.table, args.out, f"{scenario.name}: sensitivity of {args.metric}", caption
    )
    print(to_markdown(result.table))
    print(caption)
    for path in (*write_table(result.table, args.out, "sensitivity"), chart):
        print(path)
    return 0
