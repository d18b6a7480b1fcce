"""The `sim` command. Mistakes a user can make end in one line on stderr and exit status 2."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Callable
from pathlib import Path

from sim.errors import UserError

EXIT_USER = 2
EXIT_INTERRUPTED = 130


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not usage + traceback
        raise UserError(f"{self.prog}: {message}")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _int_at_least(low: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, got {value}")
        return value

    return parse


_positive = _int_at_least(1)
_seed = _int_at_least(0)


def _ensemble_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--workers",
        type=_positive,
        default=min(2, os.cpu_count() or 1),
        help="parallel worker processes (default: up to 2)",
    )
    p.add_argument(
        "--executor",
        choices=("serial", "process", "dask"),
        default=None,
        help="where replicates run (default: process, or serial with 1 worker)",
    )
    p.add_argument(
        "--address", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (with --executor dask)"
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def _executor(args) -> str:
    return args.executor or ("serial" if args.workers == 1 else "process")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="sim", description="Agent-based simulation of Myanmar's civil war.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("run", help="run a scenario's replicates into a results directory")
    p.add_argument("scenario", type=Path)
    p.add_argument("--replicates", type=_positive)
    p.add_argument("--seed", type=_seed)
    p.add_argument("--until", type=_date, help="stop after this date (YYYY-MM-DD)")
    p.add_argument("--out", type=Path, help="results directory (default: results/<scenario name>)")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run in --out")
    _ensemble_args(p)

    p = sub.add_parser("check", help="validate scenario files without running them")
    p.add_argument("scenario", type=Path, nargs="+")

    p = sub.add_parser("plot", help="fan charts, end-state distributions and maps of results")
    p.add_argument("results", type=Path, nargs="+")
    p.add_argument("--out", type=Path, required=True)

    p = sub.add_parser("compare", help="run scenarios with common random numbers; plots and a table")
    p.add_argument("scenario", type=Path, nargs="+")
    p.add_argument("--replicates", type=_positive)
    p.add_argument("--seed", type=_seed)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--resume", action="store_true")
    _ensemble_args(p)
    p = sub.add_parser("validate", help="check the brief's stylized facts on fresh ensembles")
    p.add_argument("scenario", type=Path, nargs="*", help="default: the two shipped scenario files")
    p.add_argument("--replicates", type=_positive)
    p.add_argument("--seed", type=_seed)
    p.add_argument("--out", type=Path, help="keep the runs and the table here (default: a temporary folder)")
    _ensemble_args(p)

    p = sub.add_parser("attribute", help="Shapley attribution of the difference between two scenarios")
    p.add_argument("base", type=Path)
    p.add_argument("target", type=Path)
    p.add_argument("--replicates", type=_positive, default=20)
    p.add_argument("--seed", type=_seed, help="default: the target's seed")
    p.add_argument("--until", type=_date, help="stop the target's run after this date")
    p.add_argument("--groups", help="comma-separated lever groups (default: all that differ)")
    p.add_argument("--permutations", type=_positive, default=12, help="sampled orders beyond 5 groups")
    p.add_argument("--out", type=Path, required=True)
    _ensemble_args(p)

    p = sub.add_parser("sensitivity", help="global sensitivity to the scenario's uncertain parameters")
    p.add_argument("scenario", type=Path)
    p.add_argument("--method", choices=("morris", "sobol"), default="morris")
    p.add_argument(
        "--samples", type=_positive, default=8, help="trajectories (morris) or base samples (sobol)"
    )
    p.add_argument("--replicates", type=_positive, default=4, help="replicates averaged per sample point")
    p.add_argument("--metric", default="towns_junta_change")
    p.add_argument("--seed", type=_seed, help="default: the scenario's seed")
    p.add_argument("--until", type=_date)
    p.add_argument("--out", type=Path, required=True)
    _ensemble_args(p)

    p = sub.add_parser("score", help="Brier and log scores of an ensemble against observed control")
    p.add_argument("results", type=Path)
    p.add_argument("observed", type=Path, help="CSV with columns town, date, side (and source)")
    p.add_argument("--out", type=Path, help="also write the per-town table here (CSV and Markdown)")
    return parser


def _load(path: Path, **run):
    from sim.scenario import load_scenario

    scenario = load_scenario(path)
    return scenario.with_run(**run) if any(v is not None for v in run.values()) else scenario


def _run_one(scenario, out: Path, args, summary: bool = True) -> int:
    from sim.analysis.summary import text_summary
    from sim.run.ensemble import run_ensemble
    from sim.run.store import load_results

    report = run_ensemble(
        scenario,
        out,
        executor=_executor(args),
        workers=args.workers,
        resume=getattr(args, "resume", False),
        address=args.address,
        progress=not args.quiet,
    )
    for fail in report.failures:
        print(
            f"sim: replicate {fail['replicate']} (seed {fail['seed']}, spawn_key {fail['spawn_key']}) "
            f"failed: {fail['error']}",
            file=sys.stderr,
        )
    if report.interrupted:
        print(
            f"sim: {report.error or 'interrupted'}: {report.done} of {report.total} replicates saved "
            f"in {out}; continue with --resume",
            file=sys.stderr,
        )
        return 1 if report.error else EXIT_INTERRUPTED
    if summary:
        if report.done:
            print(text_summary(load_results(out)))
        print(f"{report.done} of {report.total} replicates in {out}")
    return 1 if report.failures else 0


def cmd_run(args) -> int:
    scenario = _load(args.scenario, replicates=args.replicates, seed=args.seed, end=args.until)
    out = args.out or Path("results") / args.scenario.stem
    return _run_one(scenario, out, args)


def cmd_check(args) -> int:
    for path in args.scenario:
        scenario = _load(path)
        print(
            f"{path}: ok ({scenario.name}; {scenario.start} to {scenario.end}, "
            f"{scenario.data['run']['replicates']} replicates)"
        )
    return 0


def cmd_plot(args) -> int:
    from sim.analysis.plots import plot_all
    from sim.run.store import load_results

    runs = [load_results(p) for p in args.results]
    for path in plot_all(runs, args.out):
        print(path)
    return 0


def cmd_compare(args) -> int:
    from sim.analysis.plots import plot_all
    from sim.analysis.summary import compare_table, write_table
    from sim.run.store import load_results

    scenarios = [_load(p, replicates=args.replicates, seed=args.seed) for p in args.scenario]
    if args.seed is None:  # common random numbers: every run uses the first file's seed
        seed = scenarios[0].data["run"]["seed"]
        scenarios = [s.with_run(seed=seed) for s in scenarios]
    if args.replicates is None:
        n = scenarios[0].data["run"]["replicates"]
        scenarios = [s.with_run(replicates=n) for s in scenarios]
    dirs = []
    for path, scenario in zip(args.scenario, scenarios, strict=True):
        out = args.out / "runs" / path.stem
        status = _run_one(scenario, out, args)
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


def cmd_validate(args) -> int:
    import tempfile

    import pandas as pd

    from sim.analysis.summary import to_markdown, write_table
    from sim.analysis.validation import evaluate
    from sim.run.store import load_results

    root = Path(__file__).resolve().parent.parent / "scenarios"
    paths = args.scenario or [root / "2023_operation_1027.toml", root / "2025_counteroffensive.toml"]
    scenarios = [_load(p, replicates=args.replicates, seed=args.seed) for p in paths]
    with tempfile.TemporaryDirectory(prefix="sim-validate-") as tmp:
        base = args.out or Path(tmp)
        tables = []
        for path, scenario in zip(paths, scenarios, strict=True):
            out = base / "runs" / Path(path).stem
            status = _run_one(scenario, out, args, summary=False)
            if status:
                return status
            tables.append(evaluate(load_results(out), scenario.geography))
        table = pd.concat(tables, ignore_index=True)
        if args.out:
            write_table(table, args.out, "validation")
    print(to_markdown(table.drop(columns="source")))
    failed = int((~table["pass"]).sum())
    print(f"{len(table) - failed} passed, {failed} failed")
    return 1 if failed else 0


def cmd_score(args) -> int:
    from sim.analysis.scoring import read_observed, score
    from sim.analysis.summary import to_markdown, write_table
    from sim.run.store import load_results
    from sim.world.geography import load_geography

    geo = load_geography()
    table = score(load_results(args.results), read_observed(args.observed, geo), geo)
    print(to_markdown(table))
    if args.out:
        write_table(table, args.out, "scores")
    return 0


def cmd_attribute(args) -> int:
    from sim.analysis.attribution import GROUPS, differing_groups, shapley
    from sim.analysis.plots import attribution_chart
    from sim.analysis.summary import to_markdown, write_table
    from sim.analysis.sweep import EndStates

    base = _load(args.base)
    target = _load(args.target, end=args.until)
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
    with EndStates(args.replicates, seed, _executor(args), args.workers, args.address) as run:
        result = shapley(base, target, run, groups, permutations=args.permutations, seed=seed)
        runs = run.runs
    table = result.table
    args.out.mkdir(parents=True, exist_ok=True)
    caption = (
        f"{target.name} with each lever group set back to {base.name}: Shapley values ({result.method}, "
        f"{result.replicates} paired replicates, {runs} scenario variants, seed {seed}); "
        "bars 95 % intervals over replicates."
    )
    chart = attribution_chart(
        table, args.out, f"What moved the outcome from {base.name}'s levers to {target.name}'s", caption
    )
    print(to_markdown(table))
    print(caption)
    for path in (*write_table(table, args.out, "attribution"), chart):
        print(path)
    return 0


def cmd_sensitivity(args) -> int:
    from sim.analysis.plots import sensitivity_chart
    from sim.analysis.sensitivity import analyse
    from sim.analysis.summary import CHANGES, HEADLINE, to_markdown, write_table
    from sim.analysis.sweep import EndStates

    allowed = [*HEADLINE, *(f"{c}_change" for c in CHANGES)]
    if args.metric not in allowed:
        raise UserError(f"--metric: unknown metric {args.metric!r}; allowed: " + ", ".join(allowed))
    scenario = _load(args.scenario, end=args.until)
    seed = args.seed if args.seed is not None else scenario.data["run"]["seed"]
    with EndStates(args.replicates, seed, _executor(args), args.workers, args.address) as run:
        result = analyse(scenario, run, args.method, args.samples, args.metric, seed)
    args.out.mkdir(parents=True, exist_ok=True)
    caption = (
        f"{args.method} over {result.points} sample points x {args.replicates} replicates (seed {seed}); "
        f"seed noise is {result.noise_share:.0%} of the variance of the point means; bars: 95 % intervals."
    )
    chart = sensitivity_chart(
        result.table, args.out, f"{scenario.name}: sensitivity of {args.metric}", caption
    )
    print(to_markdown(result.table))
    print(caption)
    for path in (*write_table(result.table, args.out, "sensitivity"), chart):
        print(path)
    return 0


COMMANDS = {
    "run": cmd_run,
    "check": cmd_check,
    "plot": cmd_plot,
    "compare": cmd_compare,
    "validate": cmd_validate,
    "score": cmd_score,
    "attribute": cmd_attribute,
    "sensitivity": cmd_sensitivity,
}


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except UserError as exc:
        print(f"sim: error: {exc}", file=sys.stderr)
        return EXIT_USER
    except KeyboardInterrupt:
        print("sim: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        sys.stderr.close()
        return 1
