"""Compare runs (scenario files run under common random numbers, or finished results folders),
and plot finished results."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sim.cli.common import (
    FORCE_HELP,
    ensemble_args,
    load,
    replacing,
    replicates_arg,
    run_one,
    seed_arg,
)
from sim.errors import UserError

INDEX = "compare.json"  # in a compare folder: its runs, baseline first

INPUTS_HELP = (
    "scenario files (.toml), run here, and/or finished results folders (of `sim run`, or a "
    "`sim compare` folder for all its runs); the first is the baseline the others are compared to"
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "compare",
        help="compare scenario files or finished runs: figures, differences and a table",
        description="Compare runs. Scenario files are run with the same seeds (common random numbers); "
        "results folders are read as they are. The first input is the baseline: the table and the "
        "difference figures show each other run minus it.",
    )
    p.add_argument("inputs", type=Path, nargs="+", metavar="SCENARIO_OR_RESULTS", help=INPUTS_HELP)
    p.add_argument(
        "--replicates",
        type=replicates_arg,
        help="replicates of each scenario file (default: the first input's, from its run.replicates "
        "or from the replicates its results folder holds)",
    )
    p.add_argument(
        "--seed",
        type=seed_arg,
        help="seed of every scenario file (default: the first input's run.seed or results seed, "
        "so replicate r of every run shares its random numbers)",
    )
    p.add_argument(
        "--out",
        type=Path,
        required=True,
        help="folder for the runs of scenario files (runs/<file name>), the figures and comparison.md/.csv",
    )
    p.add_argument("--resume", action="store_true", help="finish an interrupted comparison in --out")
    p.add_argument("--force", action="store_true", help=FORCE_HELP)
    ensemble_args(p)
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser(
        "plot",
        help="figures of finished runs: fan charts, distributions, maps and differences",
        description="Figures of finished results folders. With several runs, the first is the baseline "
        "of the difference chart and map.",
    )
    p.add_argument(
        "results",
        type=Path,
        nargs="+",
        metavar="RESULTS",
        help="results folders of `sim run`, or `sim compare` folders (all their runs, in order)",
    )
    p.add_argument("--out", type=Path, required=True, help="folder for the PNG figures")
    p.set_defaults(func=cmd_plot)


def results_folders(path: Path) -> list[Path] | None:
    """The results folders a path stands for: itself, a compare folder's runs, or None for a file."""
    if (path / "manifest.json").is_file():
        return [path]
    if (path / INDEX).is_file():
        try:
            runs = json.loads((path / INDEX).read_text(encoding="utf-8"))["runs"]
            if not (isinstance(runs, list) and runs and all(isinstance(r, str) for r in runs)):
                raise TypeError
        except (ValueError, KeyError, TypeError):  # damaged: the runs folder still says what it holds
            runs = sorted(p.name for p in (path / "runs").glob("*") if (p / "manifest.json").is_file())
            if not runs:
                raise UserError(f"{path / INDEX}: damaged, and {path / 'runs'} holds no results") from None
            print(
                f"sim: {path / INDEX}: damaged; taking the runs in {path / 'runs'} in name order "
                f"(the baseline: {runs[0]})",
                file=sys.stderr,
            )
            return [path / "runs" / r for r in runs]
        folders = [path / r for r in runs]
        if any(not f.resolve().is_relative_to(path.resolve()) for f in folders):
            raise UserError(f"{path / INDEX}: names runs outside its folder; it is not one sim compare wrote")
        return folders
    if path.is_dir():
        runs = sorted(p for p in (path / "runs").glob("*") if (p / "manifest.json").is_file())
        if runs:
            return runs
        raise UserError(f"{path}: neither a results folder (no manifest.json) nor a scenario file")
    return None


def _inputs(paths: list[Path]) -> list[tuple[Path, Path | None]]:
    """(path, results folder or None for a scenario file to run), compare folders expanded."""
    out = []
    for path in paths:
        folders = results_folders(path)
        out += [(path, None)] if folders is None else [(f, f) for f in folders]
    return out


def cmd_compare(args) -> int:
    from sim.run.store import load_results

    inputs = _inputs(args.inputs)
    out = args.out
    if out.is_dir() and any(out.iterdir()) and not (args.resume or args.force):
        raise UserError(
            f"{out}: already holds results; use --force to replace them (once the new comparison has "
            "succeeded), --resume to finish them, or choose another --out"
        )
    inside = [f for _, f in inputs if f is not None and f.resolve().is_relative_to(out.resolve())]
    if args.force and inside:
        raise UserError(
            f"--force: {inside[0]} lies inside --out {out}, which would be replaced; copy it first"
        )
    first_path, first_folder = inputs[0]
    if first_folder is not None:
        first = load_results(first_folder)
        seed, replicates = first.manifest.get("seed"), first.end_state.shape[0]
    else:
        run = load(first_path).data["run"]
        seed, replicates = run["seed"], run["replicates"]
    seed = args.seed if args.seed is not None else seed
    replicates = args.replicates or replicates
    scenarios = {path: load(path, replicates=replicates, seed=seed) for path, f in inputs if f is None}
    return replacing(out, args.force, lambda folder: _compare(inputs, scenarios, folder, out, args))


def _names(inputs: list[tuple[Path, Path | None]]) -> list[str]:
    """Folder names under runs/ for the scenario files: their stems, numbered if two share one."""
    names: list[str] = []
    for path, _ in inputs:
        name, k = path.stem, 2
        while name in names:
            name, k = f"{path.stem}_{k}", k + 1
        names.append(name)
    return names


def _compare(inputs, scenarios, folder: Path, final: Path, args) -> int:
    from sim.analysis.plots import plot_all
    from sim.analysis.summary import compare_caption, compare_table, format_compare, write_table
    from sim.analysis.windows import same_days
    from sim.run.store import load_results

    dirs, index = [], []
    for (path, results), name in zip(inputs, _names(inputs), strict=True):
        if results is None:
            results = folder / "runs" / name
            status = run_one(scenarios[path], results, args)
            if status:
                return status
            index.append(f"runs/{name}")
        else:
            index.append(str(results.resolve()))
        dirs.append(results)
    runs = [load_results(d) for d in dirs]
    if len({r.label for r in runs}) < len(runs):  # same names: tell them apart by file
        for res, name in zip(runs, _names(inputs), strict=True):
            res.name = f"{res.label} ({name})"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / INDEX).write_text(json.dumps({"runs": index}, indent=2), encoding="utf-8")
    compared, windows = same_days(runs)
    table = compare_table(compared)
    caption = f"{compare_caption(compared)} {windows}"
    written = [
        *write_table(table, folder, "comparison", caption, format_compare(table)),
        *plot_all(runs, folder, compared),
    ]
    for path in written:
        print(final / path.relative_to(folder))
    return 0


def cmd_plot(args) -> int:
    from sim.analysis.plots import plot_all
    from sim.analysis.windows import same_days
    from sim.run.store import load_results

    folders = []
    for path in args.results:
        found = results_folders(path)
        if found is None:
            raise UserError(f"{path}: not a results folder; run it first (sim run or sim compare)")
        folders += found
    runs = [load_results(p) for p in folders]
    if len({r.label for r in runs}) < len(runs):
        for res, path in zip(runs, folders, strict=True):
            res.name = f"{res.label} ({path.name})"
    compared, windows = same_days(runs)
    print(f"sim: {windows}", file=sys.stderr)
    for path in plot_all(runs, args.out, compared):
        print(path)
    return 0
