"""Check the stylized facts on fresh ensembles; score an ensemble against observed control."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.common import date_arg, ensemble_args, load, replicates_arg, run_one, seed_arg


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="check the brief's stylized facts on fresh ensembles")
    p.add_argument("scenario", type=Path, nargs="*", help="default: the two shipped scenario files")
    p.add_argument(
        "--replicates", type=replicates_arg, help="replicates of each file (default: its run.replicates)"
    )
    p.add_argument("--seed", type=seed_arg, help="seed of every run (default: each file's run.seed)")
    p.add_argument("--out", type=Path, help="keep the runs and the table here (default: a temporary folder)")
    ensemble_args(p)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("score", help="Brier and log scores of an ensemble against observed control")
    p.add_argument("results", type=Path, help="results folder of `sim run`")
    p.add_argument(
        "observed", type=Path, nargs="?", help="CSV with columns town, date, side (and source); or use --at"
    )
    p.add_argument(
        "--at",
        type=date_arg,
        help="score against the whole observed map of this date, rebuilt from the record",
    )
    p.add_argument(
        "--null", type=Path, help="results folder of the null model's run, scored next to the model"
    )
    p.add_argument("--out", type=Path, help="also write the per-town table here (CSV and Markdown)")
    p.set_defaults(func=cmd_score)


def cmd_validate(args) -> int:
    import tempfile

    import pandas as pd

    from sim.analysis.summary import to_markdown, write_table
    from sim.analysis.validation import evaluate, null_model
    from sim.run.store import load_results

    root = Path(__file__).resolve().parents[2] / "scenarios"
    paths = args.scenario or [root / "2023_operation_1027.toml", root / "2025_counteroffensive.toml"]
    scenarios = [load(p, replicates=args.replicates, seed=args.seed) for p in paths]
    with tempfile.TemporaryDirectory(prefix="sim-validate-") as tmp:
        base = args.out or Path(tmp)
        tables = []
        for path, scenario in zip(paths, scenarios, strict=True):
            outs = [base / "runs" / Path(path).stem, base / "runs" / f"{Path(path).stem}_null"]
            for variant, out in zip((scenario, null_model(scenario)), outs, strict=True):
                status = run_one(variant, out, args, summary=False)
                if status:
                    return status
            model, null = (load_results(out) for out in outs)
            tables.append(evaluate(model, scenario.geography, null))
        table = pd.concat(tables, ignore_index=True)
        if args.out:
            write_table(table, args.out, "validation")
    print(to_markdown(table.drop(columns="source")))
    failed = int((~table["pass"]).sum())
    print(f"{len(table) - failed} passed, {failed} failed")
    print(
        f"the null model (every commander on the defensive) passes {int(table['null_pass'].sum())} "
        f"of the {len(table)} checks; {int(table['informative'].sum())} checks tell the model from it"
    )
    return 1 if failed else 0


def cmd_score(args) -> int:
    from sim.analysis.scoring import observed_table, read_observed, score
    from sim.analysis.summary import to_markdown, write_table
    from sim.errors import UserError
    from sim.run.store import load_results
    from sim.world.geography import load_geography

    if (args.observed is None) == (args.at is None):
        raise UserError("sim score: give an observed CSV or --at DATE, one of the two")
    geo = load_geography()
    null = load_results(args.null) if args.null else None
    observed = read_observed(args.observed, geo) if args.observed else observed_table(geo, args.at)
    table = score(load_results(args.results), observed, geo, null)
    print(to_markdown(table))
    if args.out:
        write_table(table, args.out, "scores")
    return 0
