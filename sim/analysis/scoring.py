"""Hindcast scoring: how well the ensemble's probabilities predicted who held each town.

An observed table lists towns, a date and the side that held each; the
ensemble's probability for that side is the share of replicates ending with it.
Scores, as conflict forecasters report them: Brier (p - o)^2 and the
logarithmic score -ln p (p clipped to [0.01, 0.99]), lower is better, next to
two baselines: persistence (nothing changes since the run's start) and a base
rate (every town the same probability: the ensemble's overall share of towns
held by that side).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import UserError, os_error
from sim.run.store import Results
from sim.world.factions import FACTIONS, SIDE, SIDES
from sim.world.geography import Geography

CLIP = 0.01
COLUMNS = ("town", "date", "side")
NEEDS = "town, date, side (and source)"


def read_observed(path: Path, geo: Geography) -> pd.DataFrame:
    """Read and check an observed table: columns town, date, side (junta|resistance|neutral), source.

    Lines starting with # are comments. Every mistake is one UserError naming the file and line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a folder, not a CSV file") from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: not a text file (UTF-8); needs CSV with columns {NEEDS}") from None
    except OSError as exc:
        raise os_error(exc, "observed file") from None
    rows: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for fields in reader:
            if fields and not fields[0].lstrip().startswith("#") and any(f.strip() for f in fields):
                rows.append((reader.line_num, [f.strip() for f in fields]))
    except csv.Error as exc:
        raise UserError(f"{path}: line {reader.line_num}: not a CSV table ({exc})") from None
    if not rows:
        raise UserError(f"{path}: empty; needs a header line and rows with columns {NEEDS}")
    (_, header), body = rows[0], rows[1:]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise UserError(f"{path}: line {rows[0][0]}: missing columns {', '.join(missing)}; needs {NEEDS}")
    if len(set(header)) < len(header):
        twice = sorted({h for h in header if header.count(h) > 1})
        raise UserError(f"{path}: line {rows[0][0]}: column {twice[0]!r} appears twice")
    if not body:
        raise UserError(f"{path}: only a header, no rows; needs one row per observed town")
    for line, fields in body:
        if len(fields) != len(header):
            raise UserError(f"{path}: line {line}: {len(fields)} fields, but the header has {len(header)}")
        row = dict(zip(header, fields, strict=True))
        if geo.find(row["town"]) is None:
            close = geo.suggest(row["town"])
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise UserError(f"{path}: line {line}: town: unknown town {row['town']!r}{hint}")
        if row["side"] not in SIDES:
            raise UserError(f"{path}: line {line}: side: {row['side']!r}; allowed: {', '.join(SIDES)}")
        try:
            dt.date.fromisoformat(row["date"])
        except ValueError:
            raise UserError(f"{path}: line {line}: date: not a date (YYYY-MM-DD): {row['date']!r}") from None
    obs = pd.DataFrame([f for _, f in body], columns=header, dtype=str)
    obs["town_id"] = [geo.ids[geo.find(t)] for t in obs["town"]]
    return obs


def _brier(p: np.ndarray) -> np.ndarray:
    return (1.0 - p) ** 2


def _log(p: np.ndarray) -> np.ndarray:
    return -np.log(np.clip(p, CLIP, 1 - CLIP))


def score(res: Results, observed: pd.DataFrame, geo: Geography, tolerance_days: int = 7) -> pd.DataFrame:
    """Per observed town: probability of the observed side and scores of model and baselines."""
    start, end = res.timeseries["date"].min().date(), res.timeseries["date"].max().date()
    for d in observed["date"]:
        day = dt.date.fromisoformat(d)
        if abs((day - end).days) > tolerance_days:
            advice = (
                f"rerun with --until {d}"
                if start < day < end
                else f"score a run that ends on {d} (set run.end in a scenario file)"
            )
            raise UserError(f"observed date {d} is not the run's last day ({start} to {end}); {advice}")
    fc = res.final_control
    n_rep = fc["replicate"].nunique()
    share = fc.groupby(["town_id", "side"]).size().unstack(fill_value=0) / n_rep
    base_rate = fc["side"].value_counts(normalize=True)
    label = res.manifest["scenario"]["run"]["initial_control"]
    start_side = {geo.ids[i]: SIDES[SIDE[FACTIONS.index(c)]] for i, c in enumerate(geo.control[label])}
    rows = []
    for _, row in observed.iterrows():
        side, town = row["side"], row["town_id"]
        p = float(share.loc[town].get(side, 0.0)) if town in share.index else 0.0
        persist = 1.0 if start_side[town] == side else 0.0
        rate = float(base_rate.get(side, 0.0))
        ps = np.array([p, persist, rate])
        b, lg = _brier(ps), _log(ps)
        rows.append(
            {
                "town": row["town"],
                "date": row["date"],
                "observed": side,
                "p_model": p,
                "brier_model": b[0],
                "brier_persistence": b[1],
                "brier_base_rate": b[2],
                "log_model": lg[0],
                "log_persistence": lg[1],
                "log_base_rate": lg[2],
            }
        )
    table = pd.DataFrame(rows)
    overall = {"town": "ALL", "date": "", "observed": "", "p_model": table["p_model"].mean()}
    for col in table.columns[4:]:
        overall[col] = table[col].mean()
    return pd.concat([table, pd.DataFrame([overall])], ignore_index=True)
