"""The results directory: manifest.json plus Parquet tables, written and read here only.

Each table is a folder of shards, one per chunk of replicates, written to a
hidden temporary file and renamed into place, so a kill at any moment leaves
only whole shards. Final control is written after the timeseries: a replicate
is done once it is in final control.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from sim import __version__
from sim.errors import UserError
from sim.scenario import Scenario

TABLES = ("timeseries", "control_changes", "final_control")  # written in this order
SEED_RULE = (
    "replicate r uses numpy.random.SeedSequence(seed, spawn_key=(r,)); "
    "its spawn(2) children seed the parameter draw and the model"
)


def fingerprint(scenario: Scenario, seed: int) -> str:
    """What must match for results to be mixed in one directory: resolved scenario and seed."""
    data = {k: v for k, v in scenario.data.items()}
    data["run"] = {k: v for k, v in data["run"].items() if k not in ("replicates", "seed")}
    text = json.dumps({"scenario": data, "seed": seed}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def _write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    tmp = path.with_name("." + path.name + ".tmp")
    write(tmp)
    os.replace(tmp, path)


def write_json(path: Path, data: dict[str, Any]) -> None:
    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, default=str)
            fh.flush()
            os.fsync(fh.fileno())

    _write_atomic(path, write)


def done_replicates(out: Path) -> set[int]:
    """Replicates whose rows are in both tables (final control is written last)."""
    folder = out / "final_control.parquet"
    if not folder.is_dir():
        return set()
    done: set[int] = set()
    for shard in sorted(folder.glob("part-*.parquet")):
        col = pq.read_table(shard, columns=["replicate"]).column("replicate")
        done.update(int(x) for x in col.unique().to_pylist())
    return done


def drop_orphans(out: Path) -> None:
    """Remove what a kill left half done: temporary files and shards without their pair."""
    for stale in out.glob("*.parquet/.*.tmp"):
        stale.unlink()
    finished = {p.name for p in (out / "final_control.parquet").glob("part-*.parquet")}
    for table in TABLES[:-1]:
        for shard in (out / f"{table}.parquet").glob("part-*.parquet"):
            if shard.name not in finished:
                shard.unlink()


def prepare_dir(out: Path, scenario: Scenario, seed: int, replicates: int, resume: bool) -> dict[str, Any]:
    """Create or reopen a results directory; refuse to mix runs or overwrite results."""
    manifest_path = out / "manifest.json"
    fp = fingerprint(scenario, seed)
    if out.exists() and any(out.iterdir()):
        if not resume:
            raise UserError(
                f"{out}: already holds results; use --resume to continue it or choose another --out"
            )
        if not manifest_path.is_file():
            raise UserError(f"{out}: not a results directory (no manifest.json); choose another --out")
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("fingerprint") != fp:
            raise UserError(
                f"{out}: holds results of a different scenario or seed "
                f"({manifest.get('scenario_path')}, seed {manifest.get('seed')}); refusing to mix them"
            )
        drop_orphans(out)
        manifest["replicates"] = replicates
        return manifest
    out.mkdir(parents=True, exist_ok=True)
    for table in TABLES:
        (out / f"{table}.parquet").mkdir(exist_ok=True)
    return {
        "scenario_path": scenario.path,
        "scenario_name": scenario.name,
        "scenario": scenario.data,
        "seed": seed,
        "seeds": SEED_RULE,
        "replicates": replicates,
        "replicates_done": 0,
        "fingerprint": fp,
        "package_version": __version__,
        "git_commit": _git_commit(),
        "python": platform.python_version(),
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "finished": None,
        "status": "running",
        "mesa_agents_at_start": None,
        "failures": [],
    }


def write_shards(out: Path, first: int, tables: dict[str, pd.DataFrame]) -> None:
    """One shard per table, named by the chunk's first replicate, in the order of TABLES:
    final control last, so a chunk counts as done once all are in."""
    for table, frame in tables.items():
        path = out / f"{table}.parquet" / f"part-{first:07d}.parquet"
        _write_atomic(path, lambda tmp, frame=frame: frame.to_parquet(tmp, index=False))


@dataclass
class Results:
    path: Path
    manifest: dict[str, Any]
    timeseries: pd.DataFrame
    final_control: pd.DataFrame
    control_changes: pd.DataFrame  # empty for results written before the table existed

    name: str | None = None  # shown in legends and tables; default: the scenario's name

    @property
    def label(self) -> str:
        return self.name or self.manifest.get("scenario_name") or self.path.name

    @property
    def end_state(self) -> pd.DataFrame:
        """The last day of every replicate, one row per replicate."""
        ts = self.timeseries
        return ts[ts["day"] == ts["day"].max()].set_index("replicate").sort_index()


def _read_table(path: Path) -> pd.DataFrame:
    if path.is_dir() and not any(path.glob("*.parquet")):
        raise UserError(f"{path}: no finished replicates yet")
    frame = pd.read_parquet(path)
    keys = [k for k in ("replicate", "day", "town_id") if k in frame.columns]
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


def load_results(path: str | Path) -> Results:
    """Load `sim run` output; raises UserError if the folder is not one."""
    path = Path(path)
    manifest_path = path / "manifest.json"
    if not manifest_path.is_file():
        raise UserError(f"{path}: not a results directory (no manifest.json)")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    return Results(
        path,
        manifest,
        _read_table(path / "timeseries.parquet"),
        _read_table(path / "final_control.parquet"),
        _read_table(changes) if (changes := path / "control_changes.parquet").exists() else pd.DataFrame(),
    )
