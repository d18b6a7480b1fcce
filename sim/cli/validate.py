"""Check the stylized facts on fresh ensembles; score an ensemble against observed control."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from sim import shipped
from sim.cli.common import (
    EXIT_CHECKS_FAILED,
    date_arg,
    ensemble_args,
    load,
    replicates_arg,
    run_one,
    seed_arg,
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate",
        help="check the stylized facts of docs/BRIEF.md on fresh ensembles",
        description="Check the stylized facts on fresh ensembles, next to a null model. Exit status 0 when "
        "every check passes, 3 when one fails (1 is a failure of the machine, 2 a mistake in the input).",
    )
    p.add_argument("scenario", type=Path, nargs="*", help="default: the two shipped scenario files")
    p.add_argument(
        "--replicates", type=replicates_arg, help="replicates of each file (default: its run.replicates)"
    )
    p.add_argument("--seed", type=seed_arg, help="seed of every run (default: each file's run.seed)")
    p.add_argument("--out", type=Path, help="keep the runs and the table here (default: a temporary folder)")
    p.add_argument(
        "--resume", action="store_true", help="continue an interrupted validation in --out (its runs)"
    )
    ensemble_args(p)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser(
        "score",
        help="Brier, log and CRPS scores of an ensemble against the observed map of a date, beside "
        "baselines that knew only the record up to the training cut-off",
    )
    p.add_argument("results", type=Path, help="results folder of `sim run`")
    p.add_argument(
        "--at", type=date_arg, action="append", required=True, help="a date to score (repeat for several)"
    )
    p.add_argument("--null", type=Path, help="results folder of the null model's run (`sim run --null`)")
    p.add_argument(
        "--frozen", type=Path, help="results folder of the replay with its `change` events removed"
    )
    p.add_argument(
        "--cutoff",
        type=date_arg,
        help="the training cut-off (default: the run's run.fitted_until, else the calibration's 2024-06-30)",
    )
    p.add_argument(
        "--changes", type=Path, help="the record of changes of hands (default: observed/changes.csv)"
    )
    p.add_argument("--out", type=Path, help="also write the tables and figures here")
    p.set_defaults(func=cmd_score)


def cmd_validate(args) -> int:
    import tempfile

    import pandas as pd

    from sim.analysis.summary import to_markdown, write_table
    from sim.analysis.validation import evaluate, null_model
    from sim.errors import UserError
    from sim.run.store import load_results

    root = shipped.path("scenarios")
    paths = args.scenario or [root / "2023_operation_1027.toml", root / "2025_counteroffensive.toml"]
    scenarios = [load(p, replicates=args.replicates, seed=args.seed) for p in paths]
    stems = [Path(p).stem for p in paths]
    if len(set(stems)) < len(stems):  # two files of one name in different folders: numbered runs
        stems = [f"{k + 1}_{stem}" for k, stem in enumerate(stems)]
    if args.resume and not args.out:
        raise UserError("--resume: continues the validation kept in --out; give --out")
    with tempfile.TemporaryDirectory(prefix="sim-validate-") as tmp:
        base = args.out or Path(tmp)
        tables = []
        for stem, scenario in zip(stems, scenarios, strict=True):
            outs = [base / "runs" / stem, base / "runs" / f"{stem}_null"]
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
    return EXIT_CHECKS_FAILED if failed else 0


SCORE_LEGEND = (
    "brier: mean (p - o)^2 of P(junta holds) per township; log: mean -ln p of what happened (p clipped "
    "to 0.01..0.99); crps_national / crps_state_mean: CRPS of the count of junta-held townships, "
    "nationally and averaged over the states (the same unit as the count). Lower is better. "
    "sample: in (on or before the cut-off: the fit saw it) or out. persistence, state share and "
    "logistic know only the record up to the cut-off; the base rate of the scored set knows the "
    "answer's average and is a yardstick, not a forecaster."
)


def _span(res) -> tuple[str, str, str]:
    """What a run covers: its first and last day and the start it begins from."""
    run = res.manifest["scenario"]["run"]
    return str(run["start"]), str(run["end"]), str(run["initial_control"])


def cmd_score(args) -> int:
    import pandas as pd

    from sim.analysis.observed import CHANGES, beside_totals, check_covered, read_changes, read_totals
    from sim.analysis.plots import reliability_diagram, skill_by_horizon
    from sim.analysis.scoring import SETS, forecasts, per_township, scores
    from sim.analysis.summary import to_markdown, write_table
    from sim.errors import UserError
    from sim.fit.targets import CUT_OFF as TRAINING_END
    from sim.run.store import load_results
    from sim.world.geography import load_geography

    geo = load_geography()
    res = load_results(args.results)
    others = {
        name: load_results(path) for name, path in (("null", args.null), ("frozen", args.frozen)) if path
    }
    for run in (res, *others.values()):
        pcodes = set(run.final_control["pcode"]) if "pcode" in run.final_control else set()
        if pcodes != set(geo.ids):
            raise UserError(
                f"{run.path}: results of another map ({len(pcodes)} places; this map has {geo.n})"
            )
    span = _span(res)
    for name, run in others.items():
        if _span(run) != span:
            raise UserError(
                f"--{name} {run.path}: a run from {_span(run)[0]} to {_span(run)[1]} on the {_span(run)[2]} "
                f"start; {res.path} runs from {span[0]} to {span[1]} on the {span[2]} start; "
                "compare runs of the same period"
            )
    changes_path = args.changes or CHANGES
    changes = read_changes(geo, changes_path)
    for at in args.at:
        check_covered(at, changes, changes_path)
    fitted = res.manifest["scenario"]["run"].get("fitted_until")
    cutoff = args.cutoff or (dt.date.fromisoformat(str(fitted)) if fitted else TRAINING_END)
    fcs = [forecasts(res, geo, changes, at, cutoff, others) for at in sorted(set(args.at))]
    table = pd.concat([scores(fc, geo, cutoff) for fc in fcs], ignore_index=True)
    shown_path = changes_path.relative_to(CHANGES.parents[1]) if changes_path == CHANGES else changes_path
    print(f"{res.label}: P(junta holds each township) against the record ({shown_path}); cut-off {cutoff}")
    shown = table[table["set"] == SETS[0]].drop(columns="set")
    print(to_markdown(shown))
    for set_name in SETS[1:]:
        part = table[table["set"] == set_name]
        print(f"\n{set_name}:")
        print(
            to_markdown(
                part.drop(columns=[c for c in ("set", "crps_national", "crps_state_mean") if c in part])
            )
        )
    beside = beside_totals(res.timeseries, read_totals(), set(args.at))
    if len(beside):
        print("\nthe sources' national counts on these dates, beside the model's (docs/ODD.md, 10):")
        print(to_markdown(beside))
    print(f"\n{SCORE_LEGEND}")
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        write_table(table, args.out, "scores")
        townships = pd.concat([per_township(fc, geo) for fc in fcs], ignore_index=True)
        townships.to_csv(args.out / "townships.csv", index=False)
        caption = f"{res.label}; the training cut-off {cutoff}; record: {changes_path.name}."
        reliability_diagram(townships[~townships["dated"]], args.out, caption)
        if len(fcs) > 1:
            skill_by_horizon(table, args.out, caption, cutoff)
        print(f"tables and figures in {args.out}")
    return 0
