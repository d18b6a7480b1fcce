"""Scores that cannot flatter: the ensemble's probability that the junta holds each township
on a date, against the observed map of that date rebuilt from the record, next to baselines
that knew only what a forecaster knew at the training cut-off.

Forecasters (each a P(junta holds) per township):
- the model: the share of replicates in which the junta holds the township on the date;
- persistence: the observed map at the cut-off;
- the state's share: the share of its state's townships the junta held at the cut-off;
- a logistic regression on township covariates (docs/ODD.md, section 10), fitted on how the
  record moved from its start to the cut-off and applied to the map at the cut-off;
- optionally the null model's and a frozen replay's ensembles (runs given by the user);
- the base rate of the scored set, which knows the answer's average: a yardstick, not a
  forecaster.

Scores per township, lower is better: Brier and logarithmic (scikit-learn's
`brier_score_loss`, `log_loss`), over all townships, those that changed hands since the run's
start and those that changed since the cut-off; and the CRPS (scoringrules) of the count of
junta-held townships, nationally and per state. Townships a dated agreement moved in the run
(handovers, ceasefire terms) are left out of every set: never skill.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis.animation import holders_by_day, initial_control
from sim.analysis.observed import RECORD_START, START_LABEL, observed_map
from sim.errors import UserError
from sim.run.store import DATED_CAUSES, Results
from sim.world.factions import SIDE
from sim.world.geography import Geography

CLIP = 0.01  # probabilities are clipped to [CLIP, 1 - CLIP] for the log score
ETHNIC_STATES = ("Kachin", "Kayah", "Kayin", "Chin", "Mon", "Rakhine", "Shan")
BASE_RATE = "base rate of the scored set"
SETS = ("all townships", "changed since the run's start", "changed since the cut-off")
COUNT_DRAWS = 2000  # maps drawn from a baseline's probabilities for the CRPS of its counts


@dataclass(frozen=True)
class Forecasts:
    """P(junta holds) per township on one date, by forecaster, and the observed map."""

    date: dt.date
    p: dict[str, np.ndarray]
    counts: dict[str, np.ndarray]  # (draws or replicates, townships) of junta-held 0/1
    observed: np.ndarray  # bool: the junta held the township
    changed_since_start: np.ndarray
    changed_since_cutoff: np.ndarray
    dated: np.ndarray  # moved by a dated agreement in the run: never scored


def junta_held(res: Results, geo: Geography, day: int) -> np.ndarray:
    """(replicates, townships) 1 where the junta holds the township at the end of `day`,
    rebuilt from the run's start and its control_changes."""
    initial = initial_control(res, geo)
    ch = res.control_changes
    holder = np.array(
        [
            holders_by_day(geo.ids, initial, ch[ch["replicate"] == r] if len(ch) else ch, day + 1)[-1]
            for r in np.sort(res.timeseries["replicate"].unique())
        ]
    )
    return (SIDE[holder] == 0).astype(np.int8)


def dated_townships(res: Results, geo: Geography, at: dt.date) -> np.ndarray:
    """Townships a dated agreement moved in any replicate of the run, or that one of the run's
    agreements dated on or before `at` names (taken by assault first, they are still the
    file's, not the model's)."""
    ch = res.control_changes
    moved = set(ch.loc[ch["cause"].isin(DATED_CAUSES), "pcode"]) if len(ch) else set()
    for ev in res.manifest["scenario"].get("events", []):
        if dt.date.fromisoformat(str(ev["date"])) <= at:
            for name in [*(ev.get("towns") or []), *(ev.get("hand_over") or [])]:
                if geo.find(name) is not None:
                    moved.add(geo.ids[geo.find(name)])
    return np.array([pc in moved for pc in geo.ids])


def _junta(table: pd.DataFrame) -> np.ndarray:
    return (table["side"] == "junta").to_numpy()


def _resistance_share_of_neighbours(geo: Geography, side: np.ndarray) -> np.ndarray:
    resistance = side == "resistance"
    return np.array([resistance[n].mean() if n else 0.0 for n in geo.neighbours])


def covariates(geo: Geography, table: pd.DataFrame) -> np.ndarray:
    """The logistic baseline's inputs per township, from the map and an observed map: ethnic
    state, distances (100 km) to a land border, to Naypyidaw and to the nearest main road,
    log population, hills and mountains, the junta holding it, contested on 27 Oct 2023, and
    the share of its neighbours the resistance holds."""
    lon, lat = np.radians(geo.lon), np.radians(geo.lat)

    def km_to(mask: np.ndarray) -> np.ndarray:
        d = _great_circle(lon[:, None], lat[:, None], lon[mask][None, :], lat[mask][None, :])
        return d.min(axis=1) / 100

    road = np.zeros(geo.n, dtype=bool)
    road[geo.edge_a[geo.edge_kind == "road"]] = True
    road[geo.edge_b[geo.edge_kind == "road"]] = True
    capital = np.array([geo.find("Naypyidaw") == i for i in range(geo.n)])
    junta = _junta(table)
    side = table["side"].to_numpy()
    return np.column_stack(
        [
            np.isin(geo.state, ETHNIC_STATES),
            km_to(geo.border != ""),
            km_to(capital),
            km_to(road),
            np.log(geo.population),
            geo.terrain == "hill",
            geo.terrain == "mountain",
            junta,
            geo.contested[START_LABEL],
            _resistance_share_of_neighbours(geo, side),
        ]
    ).astype(float)


def _great_circle(lon1, lat1, lon2, lat2) -> np.ndarray:
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(h))


def logistic_baseline(geo: Geography, start: pd.DataFrame, at_cutoff: pd.DataFrame) -> np.ndarray:
    """P(junta holds) per township from a logistic regression fitted on the record up to the
    cut-off only: the map at the record's start (`start`) explains who held what at the
    cut-off (`at_cutoff`); the map at the cut-off then gives the forecast."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    fit = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000))
    fit.fit(covariates(geo, start), _junta(at_cutoff))
    return fit.predict_proba(covariates(geo, at_cutoff))[:, list(fit.classes_).index(True)]


def state_share_baseline(geo: Geography, at_cutoff: pd.DataFrame) -> np.ndarray:
    share = pd.Series(_junta(at_cutoff), index=geo.state).groupby(level=0).mean()
    return share.reindex(geo.state).to_numpy(float)


def forecasts(
    res: Results,
    geo: Geography,
    changes: pd.DataFrame,
    at: dt.date,
    cutoff: dt.date,
    others: dict[str, Results] | None = None,
    seed: int = 0,
) -> Forecasts:
    """Every forecaster's P(junta holds) per township on `at`, the observed map, and the
    sets to score. Baselines see only the record up to the cut-off."""
    start = res.timeseries["date"].min().date()
    end = res.timeseries["date"].max().date()
    if not start <= at <= end:
        raise UserError(f"--at {at}: the run covers {start} to {end}; score a date within it")
    past = changes[changes["date"] <= cutoff]
    at_cutoff = observed_map(geo, cutoff, past)
    p: dict[str, np.ndarray] = {}
    counts: dict[str, np.ndarray] = {}
    for name, run in {"model": res, **(others or {})}.items():
        run_start = run.timeseries["date"].min().date()
        if not run_start <= at <= run.timeseries["date"].max().date():
            raise UserError(f"--{name}: {run.path} does not cover {at}")
        counts[name] = junta_held(run, geo, (at - run_start).days)
        p[name] = counts[name].mean(axis=0)
    p["persistence"] = _junta(at_cutoff).astype(float)
    p["state share"] = state_share_baseline(geo, at_cutoff)
    p["logistic"] = logistic_baseline(geo, observed_map(geo, RECORD_START, past), at_cutoff)
    rng = np.random.default_rng(seed)
    for name in ("persistence", "state share", "logistic"):
        counts[name] = (rng.random((COUNT_DRAWS, geo.n)) < p[name]).astype(np.int8)
    now = observed_map(geo, at, changes)
    observed = _junta(now)
    side_now = now["holder"].to_numpy()
    side_start = observed_map(geo, start, changes)["holder"].to_numpy() if start >= RECORD_START else side_now
    return Forecasts(
        date=at,
        p=p,
        counts=counts,
        observed=observed,
        changed_since_start=side_now != side_start,
        changed_since_cutoff=side_now != at_cutoff["holder"].to_numpy(),
        dated=dated_townships(res, geo, at),
    )


def scores(fc: Forecasts, geo: Geography, cutoff: dt.date) -> pd.DataFrame:
    """One row per scored set and forecaster: townships scored, Brier and log scores, and the
    CRPS of the national count of junta-held townships and its mean over the states."""
    import scoringrules as sr
    from sklearn.metrics import brier_score_loss, log_loss

    rows = []
    sets = {SETS[0]: ~fc.dated, SETS[1]: fc.changed_since_start & ~fc.dated}
    if fc.date > cutoff:  # before it, what differs from the cut-off's map has not happened yet
        sets[SETS[2]] = fc.changed_since_cutoff & ~fc.dated
    states = sorted(set(geo.state.tolist()))
    for set_name, keep in sets.items():
        y = fc.observed[keep].astype(int)
        n = int(keep.sum())
        base = y.mean() if n else np.nan
        forecasters = {**fc.p, BASE_RATE: np.full(geo.n, base)}
        for name, prob in forecasters.items():
            row = {"date": fc.date, "sample": "in" if fc.date <= cutoff else "out", "set": set_name,
                   "forecaster": name, "townships": n}  # fmt: skip
            if n:
                q = np.clip(prob[keep], CLIP, 1 - CLIP)
                row["brier"] = brier_score_loss(y, prob[keep], pos_label=1)
                row["log"] = log_loss(y, q, labels=[0, 1])
            if set_name == SETS[0] and name in fc.counts:
                held = fc.counts[name][:, keep]
                row["crps_national"] = float(sr.crps_ensemble(float(y.sum()), held.sum(axis=1).astype(float)))
                per_state = [
                    float(sr.crps_ensemble(float(y[geo.state[keep] == s].sum()),
                                           held[:, geo.state[keep] == s].sum(axis=1).astype(float)))
                    for s in states if (geo.state[keep] == s).any()
                ]  # fmt: skip
                row["crps_state_mean"] = float(np.mean(per_state))
            rows.append(row)
    return pd.DataFrame(rows)


def per_township(fc: Forecasts, geo: Geography) -> pd.DataFrame:
    """Every forecaster's probability for each township, beside what was observed."""
    out = pd.DataFrame(
        {
            "date": fc.date,
            "pcode": list(geo.ids),
            "township": list(geo.names),
            "state": geo.state,
            "junta_held": fc.observed,
            "changed_since_start": fc.changed_since_start,
            "changed_since_cutoff": fc.changed_since_cutoff,
            "dated": fc.dated,
        }
    )
    for name, prob in fc.p.items():
        out[f"p_{name.replace(' ', '_')}"] = prob
    return out
