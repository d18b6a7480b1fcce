"""Read a results directory (manifest + Parquet tables) into tidy pandas frames."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import UserError


@dataclass
class Results:
    path: Path
    manifest: dict[str, Any]
    timeseries: pd.DataFrame
    final_control: pd.DataFrame

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
    )
