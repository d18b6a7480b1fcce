"""The brief's stylized facts as named checks with stated tolerances.

Each check reads a results directory (timeseries and final control) and the
map's initial control, computes one number per replicate, and passes when the
ensemble's median (and, where stated, share of replicates) falls in the
tolerance. Checks apply to runs started from the matching initial control.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.run.store import Results
from sim.scenario import Scenario
from sim.world.factions import FACTIONS, RESISTANCE
from sim.world.geography import Geography

EAST = ("Shan", "Kayah", "Kayin", "Mon", "Mandalay")  # the eastern fronts of [DW-2025]


@dataclass(frozen=True)
class Check:
    name: str
    applies_to: tuple[str, ...]  # initial_control labels
    target: str
    source: str
    value: Callable[[Results, Geography], np.ndarray]  # one number per replicate
    passes: Callable[[np.ndarray], bool]


def _at_day(res: Results, metric: str, day: int) -> np.ndarray:
    ts = res.timeseries
    day = min(day, int(ts["day"].max()))
    return ts[ts["day"] == day].sort_values("replicate")[metric].to_numpy(float)


def _change(res: Results, metric: str) -> np.ndarray:
    ts = res.timeseries
    end = ts[ts["day"] == ts["day"].max()].sort_values("replicate")[metric].to_numpy(float)
    return end - _at_day(res, metric, 0)


def _initial(res: Results, geo: Geography) -> pd.Series:
    label = res.manifest["scenario"]["run"]["initial_control"]
    return pd.Series(geo.control[label], index=list(geo.ids))


def _towns(res: Results, geo: Geography, faction: str, states: tuple[str, ...] | None = None) -> np.ndarray:
    """Change in towns held by a faction (or by the junta) through the fighting, per replicate,
    optionally in some states: towns moved by a dated agreement (handover, ceasefire term) are
    taken out, so they never count as the model's skill."""
    fc = res.final_control
    start = _initial(res, geo)
    state = pd.Series(geo.state, index=list(geo.ids))
    keep = fc["town_id"].map(state).isin(states) if states else pd.Series(True, index=fc.index)
    end = (fc[keep]["controller"] == faction).groupby(fc[keep]["replicate"]).sum()
    in_states = state.isin(states) if states else pd.Series(True, index=state.index)
    change = end.sort_index() - float(((start == faction) & in_states).sum())
    ch = res.control_changes
    if len(ch):
        dated = ch[(ch["cause"] != "assault") & (ch["town_id"].map(state).isin(states) if states else True)]
        moved = (dated["to"] == faction).astype(int) - (dated["from"] == faction).astype(int)
        change = change - moved.groupby(dated["replicate"]).sum().reindex(change.index, fill_value=0)
    return change.to_numpy(float)


def _fronts(res: Results, geo: Geography) -> np.ndarray:
    """States and regions where the junta lost at least one town, per replicate."""
    fc = res.final_control
    start = _initial(res, geo)
    state = pd.Series(geo.state, index=list(geo.ids))
    lost = fc[(fc["town_id"].map(start) == "JUNTA") & (fc["side"] != "junta")]
    per = lost.assign(state=lost["town_id"].map(state)).groupby("replicate")["state"].nunique()
    return per.reindex(sorted(fc["replicate"].unique()), fill_value=0).to_numpy(float)


def _crossings_lost(res: Results, geo: Geography, day: int) -> np.ndarray:
    start = (np.array([FACTIONS.index(c) for c in _initial(res, geo)]) == 0) & geo.china_crossing
    return start.sum() - _at_day(res, "china_crossings_junta", day)


def _median_in(low: float, high: float) -> Callable[[np.ndarray], bool]:
    return lambda v: bool(low <= np.median(v) <= high)


def _mostly(test: Callable[[np.ndarray], np.ndarray], share: float) -> Callable[[np.ndarray], bool]:
    return lambda v: bool(np.mean(test(v)) >= share)


DAY_35 = 35  # 1 December 2023, five weeks into Operation 1027

CHECKS = (
    Check(
        "outposts lost by 1 Dec 2023",
        ("2023",),
        "about 180 (90 to 360)",
        "AP-2023",
        lambda r, g: _at_day(r, "outposts_lost", DAY_35),
        _median_in(90, 360),
    ),
    Check(
        "China crossings lost by 1 Dec 2023",
        ("2023",),
        "4 (at least 3)",
        "AP-2023",
        lambda r, g: _crossings_lost(r, g, DAY_35),
        _median_in(3, np.inf),
    ),
    Check(
        "newly displaced by 1 Dec 2023",
        ("2023",),
        "about 335,000 (100,000 to 1,000,000)",
        "AP-2023",
        lambda r, g: _at_day(r, "displaced", DAY_35),
        _median_in(1e5, 1e6),
    ),
    Check(
        "junta area share falls (2023)",
        ("2023",),
        "below its start in >= 80 % of replicates",
        "AP-2023",
        lambda r, g: _change(r, "junta_area_share"),
        _mostly(lambda v: v < 0, 0.8),
    ),
    Check(
        "fronts where the junta loses towns (2023)",
        ("2023",),
        "at least 4 states or regions",
        "AP-2023",
        _fronts,
        _median_in(4, np.inf),
    ),
    Check(
        "newly displaced Jun-Dec 2025",
        ("2025",),
        "about 600,000 (200,000 to 1,200,000)",
        "UNHCR via ReliefWeb: 2.6 million at end-2023, 3.6 million by Mar 2025",
        lambda r, g: _at_day(r, "displaced", 10**6),
        _median_in(2e5, 1.2e6),
    ),
    Check(
        "junta gains towns (2025)",
        ("2025",),
        "more towns at the end in >= 80 % of replicates",
        "DW-2025",
        lambda r, g: _towns(r, g, "JUNTA"),
        _mostly(lambda v: v > 0, 0.8),
    ),
    Check(
        "junta gains towns in the east (2025)",
        ("2025",),
        "median gain of at least 3 towns",
        "DW-2025",
        lambda r, g: _towns(r, g, "JUNTA", EAST),
        _median_in(3, np.inf),
    ),
    Check(
        "the AA does not lose ground (2025)",
        ("2025",),
        "median change in AA towns >= 0",
        "DW-2025",
        lambda r, g: _towns(r, g, "AA"),
        _median_in(0, np.inf),
    ),
    Check(
        "the KIA mostly holds (2025)",
        ("2025",),
        "median loss of at most 3 towns",
        "DW-2025",
        lambda r, g: _towns(r, g, "KIA"),
        _median_in(-3, np.inf),
    ),
    Check(
        "junta full control well under half",
        ("2023", "2025"),
        "median below 0.45 at the end",
        "DW-2025; BBC Dec 2024 (21 %)",
        lambda r, g: _at_day(r, "junta_full_control_share", 10**6),
        _median_in(0, 0.45),
    ),
)


def null_model(scenario: Scenario) -> Scenario:
    """The same scenario with every commander forced onto the defensive: nobody attacks, so
    towns move only by dated agreements. A check this null model passes proves nothing."""
    settings: dict[str, object] = {
        "junta.posture": "defensive",
        "name": f"{scenario.name} (null: no offensives)",
    }
    settings.update({f"factions.{code}.posture": "defensive" for code in RESISTANCE})
    return scenario.with_settings(settings)


def evaluate(res: Results, geo: Geography, null: Results | None = None) -> pd.DataFrame:
    """One row per applicable check: target, median, 5-95 % range, pass; with `null`, the null
    model's median and pass, and whether the check is informative (the model passes, the null fails)."""
    label = res.manifest["scenario"]["run"]["initial_control"]
    rows = []
    for check in CHECKS:
        if label not in check.applies_to:
            continue
        values = check.value(res, geo)
        row = {
            "scenario": res.label,
            "check": check.name,
            "target": check.target,
            "median": float(np.median(values)),
            "p05": float(np.quantile(values, 0.05)),
            "p95": float(np.quantile(values, 0.95)),
            "pass": check.passes(values),
        }
        if null is not None:
            null_values = check.value(null, geo)
            row["null_median"] = float(np.median(null_values))
            row["null_pass"] = check.passes(null_values)
            row["informative"] = row["pass"] and not row["null_pass"]
        row["source"] = check.source
        rows.append(row)
    return pd.DataFrame(rows)
