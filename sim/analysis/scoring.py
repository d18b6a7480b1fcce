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

from sim.analysis.csv_table import read_rows
from sim.errors import UserError
from sim.run.store import Results
from sim.world.factions import FACTIONS, SIDE, SIDES
from sim.world.geography import Geography

CLIP = 0.01
COLUMNS = ("town", "date", "side")
NEEDS = "town, date, side (and source)"


def read_observed(path: Path, geo: Geography) -> pd.DataFrame:
    """Read and check an observed table: columns town, date, side (junta|resistance|neutral), source.

    Lines starting with # are comments. Every mistake is one UserError naming the file and line."""
    body = read_rows(path, COLUMNS, NEEDS)
    for line, row in body:
        if geo.find(row["town"]) is None:
            close = geo.suggest(row["town"])
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise UserError(f"{path}: line {line}: town: unknown township {row['town']!r}{hint}")
        if row["side"] not in SIDES:
            raise UserError(f"{path}: line {line}: side: {row['side']!r}; allowed: {', '.join(SIDES)}")
        try:
            dt.date.fromisoformat(row["date"])
        except ValueError:
            raise UserError(f"{path}: line {line}: date: not a date (YYYY-MM-DD): {row['date']!r}") from None
    obs = pd.DataFrame([row for _, row in body], dtype=str)
    obs["pcode"] = [geo.ids[geo.find(t)] for t in obs["town"]]
    return obs


def observed_table(geo: Geography, at: dt.date) -> pd.DataFrame:
    """The observed map of a date, rebuilt from the record (sim.analysis.observed), as an
    observed table of every township."""
    from sim.analysis.observed import observed_map, read_changes

    table = observed_map(geo, at, read_changes(geo))
    return pd.DataFrame(
        {"town": table["name"], "date": at.isoformat(), "side": table["side"], "source": table["source"],
         "pcode": table["pcode"]}
    )  # fmt: skip


def _brier(p: np.ndarray) -> np.ndarray:
    return (1.0 - p) ** 2


def _log(p: np.ndarray) -> np.ndarray:
    return -np.log(np.clip(p, CLIP, 1 - CLIP))


def _probabilities(res: Results) -> pd.DataFrame:
    """Share of replicates ending with each side holding each town (pcode x side)."""
    fc = res.final_control
    return fc.groupby(["pcode", "side"]).size().unstack(fill_value=0) / fc["replicate"].nunique()


def _p(share: pd.DataFrame, town: str, side: str) -> float:
    return float(share.loc[town].get(side, 0.0)) if town in share.index else 0.0


def dated_towns(res: Results, geo: Geography) -> set[str]:
    """Towns a dated agreement moves in this run (handovers, ceasefire terms): never skill."""
    names = set()
    for ev in res.manifest["scenario"].get("events", []):
        names.update(ev.get("towns") or [])
        names.update(ev.get("hand_over") or [])
    return {geo.ids[geo.find(n)] for n in names if geo.find(n) is not None}


def score(
    res: Results, observed: pd.DataFrame, geo: Geography, null: Results | None = None, tolerance_days: int = 7
) -> pd.DataFrame:
    """Per observed town: probability of the observed side and the scores of the model and of
    the baselines: persistence (the map at the run's start), a climatology (every town the share
    of towns each side held at the start) and, if given, a null model's ensemble. Towns a dated
    agreement moved are listed but left out of the overall scores (`skill` false)."""
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
    share = _probabilities(res)
    null_share = _probabilities(null) if null is not None else None
    label = res.manifest["scenario"]["run"]["initial_control"]
    start_side = {geo.ids[i]: SIDES[SIDE[FACTIONS.index(c)]] for i, c in enumerate(geo.control[label])}
    climate = pd.Series(list(start_side.values())).value_counts(normalize=True)
    dated = dated_towns(res, geo)
    forecasts = ["model", "persistence", "climatology", *(["null"] if null is not None else [])]
    rows = []
    for _, row in observed.iterrows():
        side, town = row["side"], row["pcode"]
        ps = [_p(share, town, side), float(start_side[town] == side), float(climate.get(side, 0.0))]
        if null_share is not None:
            ps.append(_p(null_share, town, side))
        ps = np.array(ps)
        b, lg = _brier(ps), _log(ps)
        entry = {"town": row["town"], "date": row["date"], "observed": side, "skill": town not in dated}
        entry["p_model"] = ps[0]
        entry.update({f"brier_{name}": b[k] for k, name in enumerate(forecasts)})
        entry.update({f"log_{name}": lg[k] for k, name in enumerate(forecasts)})
        rows.append(entry)
    table = pd.DataFrame(rows)
    scored = table[table["skill"]]
    overall = {
        "town": "ALL (skill)",
        "date": "",
        "observed": "",
        "skill": True,
        "p_model": scored["p_model"].mean(),
    }
    for col in table.columns[5:]:
        overall[col] = scored[col].mean()
    return pd.concat([table, pd.DataFrame([overall])], ignore_index=True)
