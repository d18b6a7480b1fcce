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
    p.add_argument("--at", type=date_arg, help="the date (YYYY-MM-DD), 2023-10-27 or later")
    p.add_argument(
        "--beside",
        type=Path,
        metavar="RESULTS",
        help="instead: the sources' national counts (observed/totals.csv) dated within this run, "
        "beside the run's median and 5-95 %% range of the same measure",
    )
    p.add_argument("--changes", type=Path, help="the record of changes (default: observed/changes.csv)")
    p.add_argument("--out", type=Path, help="write the map here as CSV (one row per township)")
    p.set_defaults(func=cmd_observed)


def cmd_observed(args) -> int:
    import pandas as pd

    from sim.analysis.observed import CHANGES, check_covered, observed_map, read_changes
    from sim.analysis.summary import to_markdown
    from sim.errors import UserError
    from sim.world.geography import load_geography

    if (args.at is None) == (args.beside is None):
        raise UserError("sim observed: give --at DATE or --beside RESULTS, one of the two")
    if args.beside is not None:
        return _beside(args.beside)
    geo = load_geography()
    path = args.changes or CHANGES
    changes = read_changes(geo, path)
    check_covered(args.at, changes, path)
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


def _beside(results: Path) -> int:
    from sim.analysis.observed import beside_totals, read_totals
    from sim.analysis.summary import to_markdown
    from sim.run.store import load_results

    res = load_results(results)
    table = beside_totals(res.timeseries, read_totals())
    replicates = res.timeseries["replicate"].nunique()
    print(f"the sources' national counts beside {res.label} ({replicates} replicates):")
    print(to_markdown(table) if len(table) else "no national count of the sources is dated within this run")
    return 0
