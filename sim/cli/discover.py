"""Scenario discovery: which drawn inputs lead to an outcome (PRIM)."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "discover",
        help="PRIM scenario discovery: the input ranges whose replicates meet an outcome (discover extra)",
    )
    p.add_argument("results", type=Path, help="a `sim run` results folder")
    p.add_argument(
        "--outcome",
        required=True,
        help="condition on an end-state metric, e.g. 'townships_junta_change>0' or 'townships_junta<=120'",
    )
    p.add_argument(
        "--density",
        type=float,
        default=0.8,
        help="choose the widest box whose replicates meet the outcome at least this often (default 0.8)",
    )
    p.add_argument("--out", type=Path, required=True, help="folder for box.csv/.md, tradeoff.png and box.png")
    p.set_defaults(func=cmd_discover)


def cmd_discover(args) -> int:
    from sim.analysis.discover import cases, discover, figures, parse_outcome
    from sim.analysis.summary import to_markdown, write_table
    from sim.errors import UserError
    from sim.run.store import load_results

    if not 0 < args.density <= 1:
        raise UserError(f"--density: {args.density} must lie in (0, 1]")
    outcome = parse_outcome(args.outcome)
    res = load_results(args.results)
    x, y = cases(res, outcome)
    disc = discover(x, y, outcome, args.density)
    row = disc.trajectory.iloc[disc.chosen]
    caption = (
        f"{res.manifest['scenario']['name']}: {outcome} in {int(y.sum())} of {len(y)} replicates; the box "
        f"holds {row.coverage:.0%} of them (coverage) and {row.density:.0%} of its replicates meet it "
        f"(density), over {len(x.columns)} inputs drawn per replicate (PRIM, EMA Workbench)"
    )
    print(caption)
    print(to_markdown(disc.limits))
    args.out.mkdir(parents=True, exist_ok=True)
    paths = [*write_table(disc.limits, args.out, "box", caption)]
    paths += [*write_table(disc.trajectory, args.out, "trajectory")]
    paths += figures(disc, args.out, res.manifest["scenario"]["name"])
    for path in paths:
        print(path)
    return 0
