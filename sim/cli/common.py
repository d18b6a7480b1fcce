"""What the commands share: argument types, ensemble options, loading, running one ensemble."""

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


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not usage + traceback
        raise UserError(f"{self.prog}: {message}")


def date_arg(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def int_at_least(low: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, got {value}")
        return value

    return parse


positive = int_at_least(1)
seed_arg = int_at_least(0)


def ensemble_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--workers",
        type=positive,
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


def executor_of(args) -> str:
    return args.executor or ("serial" if args.workers == 1 else "process")


def load(path: Path, **run):
    from sim.scenario import load_scenario

    scenario = load_scenario(path)
    return scenario.with_run(**run) if any(v is not None for v in run.values()) else scenario


def run_one(scenario, out: Path, args, summary: bool = True) -> int:
    from sim.analysis.summary import text_summary
    from sim.run.ensemble import run_ensemble
    from sim.run.store import load_results

    report = run_ensemble(
        scenario,
        out,
        executor=executor_of(args),
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


FORCE_HELP = "replace what --out holds, but only once the new run has succeeded"


def replacing(out: Path, force: bool, work: Callable[[Path], int]) -> int:
    """`work(folder)` into `out`; with --force and `out` not empty, into a fresh sibling folder
    that takes `out`'s place only if `work` returns 0 (else `out` is left as it was)."""
    import shutil

    if not force or not out.is_dir() or not any(out.iterdir()):
        return work(out)
    new, old = (out.with_name(f".{out.name}.{tag}-{os.getpid()}") for tag in ("new", "old"))
    shutil.rmtree(new, ignore_errors=True)
    try:
        status = work(new)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    if status != 0:
        shutil.rmtree(new, ignore_errors=True)
        print(f"sim: --force: the new run did not succeed; {out} is unchanged", file=sys.stderr)
        return status
    os.replace(out, old)
    os.replace(new, out)
    shutil.rmtree(old, ignore_errors=True)
    print(f"sim: --force: replaced {out}", file=sys.stderr)
    return status
