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

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import UserError
from sim.run.store import Results
from sim.world.factions import FACTIONS, SIDE, SIDES
from sim.world.geography import Geography

CLIP = 0.01
COLUMNS = ("town", "date", "side")


def read_observed(path: Path, geo: Geography) -> pd.DataFrame:
    """Read and check an observed table: columns town, date, side (junta|resistance|neutral), source."""
    try:
        obs = pd.read_csv(path, comment="#", dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise UserError(f"{path}: file not found") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: not a CSV table ({exc})") from None
    missing = [c for c in COLUMNS if c not in obs.columns]
    if missing:
        raise UserError(f"{path}: missing columns {', '.join(missing)}; needs town, date, side (and source)")
    for i, row in obs.iterrows():
        line = i + 2
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
    obs["town_id"] = [geo.ids[geo.find(t)] for t in obs["town"]]
    return obs


def _brier(p: np.ndarray) -> np.ndarray:
    return (1.0 - p) ** 2


def _log(p: np.ndarray) -> np.ndarray:
    return -np.log(np.clip(p, CLIP, 1 - CLIP))


def score(res: Results, observed: pd.DataFrame, geo: Geography, tolerance_days: int = 7) -> pd.DataFrame:
    """Per observed town: probability of the observed side and scores of model and baselines."""
    end = res.timeseries["date"].max().date()
    for d in observed["date"]:
        if abs((dt.date.fromisoformat(d) - end).days) > tolerance_days:
            raise UserError(f"observed date {d} is not the run's last day {end}; rerun with --until {d}")
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
