"""What the commands share: argument types, ensemble options, loading, running one ensemble."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

from sim.errors import EnvError, UserError
from sim.run.cpus import available_cpus

EXIT_USER = 2
EXIT_CHECKS_FAILED = 3  # `sim validate`: it ran, and a check of the model failed
EXIT_INTERRUPTED = 130


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not usage + traceback
        raise UserError(f"{self.prog}: {message}")


def date_arg(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def int_at_least(low: int, high: int | None = None) -> Callable[[str], int]:
    def parse(text: str) -> int:
        allowed = f"from {low:,} to {high:,}" if high is not None else f"at least {low:,}"
        digits = text.strip().lstrip("+-")
        if digits.isdigit() and len(digits) > 30:  # Python refuses to convert over 4,300 digits
            raise argparse.ArgumentTypeError(f"must be {allowed}, got a {len(digits)}-digit number")
        try:
            value = int(text)
        except ValueError:
            shown = text if len(text) <= 40 else f"{text[:40]}..."
            raise argparse.ArgumentTypeError(f"not a whole number: {shown!r}") from None
        if value < low or (high is not None and value > high):
            shown = f"{value:,}" if len(str(value)) <= 30 else f"a {len(str(value))}-digit number"
            raise argparse.ArgumentTypeError(f"must be {allowed}, got {shown}")
        return value

    return parse


MAX_REPLICATES = 1_000_000  # as run.replicates in sim/scenario/schema.py
MAX_SEED = 2**63 - 1  # as run.seed
positive = int_at_least(1)
MAX_WORKERS = 1024
workers_arg = int_at_least(1, MAX_WORKERS)
replicates_arg = int_at_least(1, MAX_REPLICATES)
seed_arg = int_at_least(0, MAX_SEED)
ADDRESS = re.compile(r"^(?:(?:tcp|tls)://)?(?P<host>[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\]):(?P<port>\d{1,5})$")


def address_arg(text: str) -> str:
    match = ADDRESS.match(text.strip())
    if not match or not 0 < int(match["port"]) < 65536:
        raise argparse.ArgumentTypeError(f"not a scheduler address (tcp://HOST:PORT): {text!r}")
    return text.strip()


def ensemble_args(p: argparse.ArgumentParser) -> None:
    cpus = min(available_cpus(), MAX_WORKERS)
    p.add_argument(
        "--workers",
        type=workers_arg,
        default=cpus,
        help=f"parallel worker processes (default: the CPUs this process may use, here {cpus})",
    )
    p.add_argument(
        "--executor",
        choices=("serial", "process", "dask"),
        default=None,
        help="where replicates run (default: process, or serial with 1 worker)",
    )
    p.add_argument(
        "--address",
        type=address_arg,
        help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (with --executor dask)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")


FOLDER_OUT = ("run", "compare", "plot", "validate", "score", "attribute", "sensitivity", "discover")


def check_out(args) -> None:
    """Before any work: --out must be creatable where it is asked for (no file in its way,
    a writable folder above it), so a late failure never throws a computation away."""
    out = getattr(args, "out", None)
    if not isinstance(out, Path):
        return
    if out.exists() and not out.is_dir() and args.command in FOLDER_OUT:
        raise UserError(f"--out {out}: is a file, not a folder; choose another --out")
    for parent in out.parents:
        if parent.exists() or parent.is_symlink():
            if not parent.is_dir():
                raise UserError(f"--out {out}: {parent} is a file, not a folder; choose another --out")
            break
    else:
        parent = Path(".")
    top = out if out.is_dir() else parent  # a folder is written into; a file is replaced in its folder
    if not os.access(top, os.W_OK | os.X_OK):
        raise EnvError(f"--out {out}: no permission to write in {top}; choose another --out")


def executor_of(args) -> str:
    if args.address and args.executor != "dask":
        raise UserError("--address: only used with --executor dask; add --executor dask or drop --address")
    return args.executor or ("serial" if args.workers == 1 else "process")


def start_workers(args) -> None:
    """A command that will run replicates on the process pool or a local Dask cluster starts its
    forkserver first, so that the workers' imports overlap this process's own."""
    if not (hasattr(args, "executor") and hasattr(args, "address")):
        return
    kind = executor_of(args)
    if kind == "process" or (kind == "dask" and not args.address):
        from sim.run.executors import start_forkserver

        start_forkserver(dask=kind == "dask")


UNTIL_HELP = "last simulated day (YYYY-MM-DD), after the start and at most the file's run.end"


def load(path: Path, **run):
    """A scenario file with run settings from the command line (`end` from --until: it can
    only stop the run earlier; a longer run needs run.end in a scenario file)."""
    from sim.scenario import load_scenario

    scenario = load_scenario(path)
    end = run.get("end")
    if end is not None and not scenario.start < end <= scenario.end:
        raise UserError(
            f"--until {end}: must be after the run's start {scenario.start} and at most its end "
            f"{scenario.end} (run.end of {path}); to run longer, set run.end in a scenario file"
        )
    return scenario.with_run(**run) if any(v is not None for v in run.values()) else scenario


def run_one(scenario, out: Path, args, summary: bool = True) -> int:
    from sim.analysis.summary import text_summary
    from sim.run.ensemble import run_ensemble
    from sim.run.store import load_ends

    report = run_ensemble(
        scenario,
        out,
        executor=executor_of(args),
        workers=args.workers,
        resume=getattr(args, "resume", False),
        address=args.address,
        progress=not args.quiet,
        log=lambda line: print(f"sim: {line}", file=sys.stderr),
    )
    for fail in report.failures:
        print(
            f"sim: replicate {fail['replicate']} (seed {fail['seed']}, spawn_key {fail['spawn_key']}) "
            f"failed: {' '.join(fail['error'].split())}",
            file=sys.stderr,
        )
    if report.interrupted:
        what = f"error: {report.error}" if report.error else "interrupted"
        print(
            f"sim: {what}; {report.done} of {report.total} replicates saved in {out}; continue with --resume",
            file=sys.stderr,
        )
        return report.exit_status or (1 if report.error else EXIT_INTERRUPTED)
    if summary:
        if report.done:
            print(text_summary(load_ends(out)))
        print(f"{report.done} of {report.total} replicates in {out}")
    return 1 if report.failures else 0


FORCE_HELP = (
    "replace the results folder --out holds, but only once the new run has succeeded "
    "(a folder that holds anything but results is never replaced)"
)


def replacing(out: Path, force: bool, work: Callable[[Path], int]) -> int:
    """`work(folder)` into `out`; with --force and `out` not empty, into a sibling folder that
    takes `out`'s place only once `work` returned 0. `out` must be a results folder, not the
    current folder, and not held by another sim process (its lock is held until the swap).
    A new run that fails or is interrupted is kept beside `out`, and the message says where."""
    import shutil

    from sim.run.folder import LOCK, RESULTS_MARKERS, hold_lock

    if not force or not out.is_dir() or not any(out.iterdir()):
        return work(out)
    if Path.cwd().resolve().is_relative_to(out.resolve()):
        raise UserError(f"--force: --out {out} is the current folder or holds it; choose another --out")
    held = sorted(p.name for p in out.iterdir() if p.name != LOCK)
    if held and not any(name in RESULTS_MARKERS for name in held):
        raise UserError(
            f"--out {out}: not a results folder (holds {held[0]!r}); --force replaces only a results "
            "folder; choose another --out"
        )
    lock = hold_lock(out)
    new = out.with_name(f"{out.name}.new-{os.getpid()}")
    try:
        status = work(new)
    except BaseException:
        _kept(out, new)
        os.close(lock)
        raise
    if status != 0:
        _kept(out, new)
        os.close(lock)
        return status
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    os.replace(out, old)
    os.replace(new, out)
    os.close(lock)
    shutil.rmtree(old, ignore_errors=True)
    print(f"sim: --force: replaced {out} with the new results (written as {new.name})", file=sys.stderr)
    return status


def _kept(out: Path, new: Path) -> None:
    """Say where an unfinished replacement's work is (or remove the folder if it holds none)."""
    import shutil

    from sim.run.folder import LOCK

    if new.is_dir() and any(p.name != LOCK for p in new.iterdir()):
        print(
            f"sim: --force: the new run did not finish; {out} is unchanged and what the new run "
            f"computed is in {new} (continue it there with --resume, or remove it)",
            file=sys.stderr,
        )
    else:
        shutil.rmtree(new, ignore_errors=True)
        print(f"sim: --force: the new run did not finish; {out} is unchanged", file=sys.stderr)
