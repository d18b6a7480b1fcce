"""`sim observed`: the observed map of a date, rebuilt from the sourced start and the record
of changes of hands."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.common import date_arg


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "observed", help="who held every township on a date, rebuilt from the record of changes of hands"
    )
    p.add_argument("--at", type=date_arg, required=True, help="the date (YYYY-MM-DD), 2023-10-27 or later")
    p.add_argument("--changes", type=Path, help="the record of changes (default: observed/changes.csv)")
    p.add_argument("--out", type=Path, help="write the map here as CSV (one row per township)")
    p.set_defaults(func=cmd_observed)


def cmd_observed(args) -> int:
    import pandas as pd

    from sim.analysis.observed import CHANGES, observed_map, read_changes, record_end
    from sim.analysis.summary import to_markdown
    from sim.errors import UserError
    from sim.world.geography import load_geography

    geo = load_geography()
    path = args.changes or CHANGES
    changes = read_changes(geo, path)
    if args.at > record_end(changes):
        raise UserError(f"{path}: the record ends on {record_end(changes)}; no observed map for {args.at}")
    table = observed_map(geo, args.at, changes)
    counts = pd.crosstab(table["state"], table["side"], margins=True, margins_name="all")
    print(f"who held the seats of Myanmar's {len(table)} townships at the end of {args.at} ({path}):")
    print(to_markdown(counts.reset_index()))
    moved = table[table["since"] > table["since"].min()]
    print(f"{len(moved)} townships changed hands since 27 Oct 2023")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(args.out, index=False)
        print(f"map written to {args.out}")
    return 0
