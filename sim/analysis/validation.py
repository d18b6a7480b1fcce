"""The stylized facts of the brief (docs/BRIEF.md) and the published casualty ranges as
named checks.

Each check reads a results directory (timeseries and final control) and the
map's initial control, computes one number per replicate, and passes when the
ensemble's median (and, where stated, share of replicates) falls in the
tolerance. Checks apply to runs started from the matching initial control. The
casualty checks take their ranges and sources from sim/data/casualty_targets.csv
and casualty_figures.csv (sim.analysis.casualties), never from this file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis import casualties
from sim.run.store import DATED_CAUSES, Results
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
    taken out, so they never count as the model's skill (a ceasefire the faction decided on is
    the model's)."""
    fc = res.final_control
    start = _initial(res, geo)
    state = pd.Series(geo.state, index=list(geo.ids))
    keep = fc["pcode"].map(state).isin(states) if states else pd.Series(True, index=fc.index)
    end = (fc[keep]["controller"] == faction).groupby(fc[keep]["replicate"]).sum()
    in_states = state.isin(states) if states else pd.Series(True, index=state.index)
    change = end.sort_index() - float(((start == faction) & in_states).sum())
    ch = res.control_changes
    if len(ch):
        dated = ch[ch["cause"].isin(DATED_CAUSES) & (ch["pcode"].map(state).isin(states) if states else True)]
        moved = (dated["to"] == faction).astype(int) - (dated["from"] == faction).astype(int)
        change = change - moved.groupby(dated["replicate"]).sum().reindex(change.index, fill_value=0)
    return change.to_numpy(float)


def _capitals_lost(res: Results, geo: Geography) -> np.ndarray:
    """State and region capitals (their townships) the junta does not hold at the end."""
    fc = res.final_control
    capitals = set(np.asarray(geo.ids)[geo.capital])
    lost = fc[fc["pcode"].isin(capitals) & (fc["side"] != "junta")]
    reps = sorted(fc["replicate"].unique())
    return lost.groupby("replicate").size().reindex(reps, fill_value=0).to_numpy(float)


def _not_junta_on(res: Results, date: str) -> np.ndarray:
    """Townships the junta does not hold on a date (the run's last day if it ends before)."""
    ts = res.timeseries
    rows = ts[pd.to_datetime(ts["date"]) <= pd.Timestamp(date)].sort_values("day").groupby("replicate").last()
    return (rows["townships_resistance"] + rows["townships_neutral"]).to_numpy(float)


def _fronts(res: Results, geo: Geography) -> np.ndarray:
    """States and regions where the junta lost at least one township, per replicate."""
    fc = res.final_control
    start = _initial(res, geo)
    state = pd.Series(geo.state, index=list(geo.ids))
    lost = fc[(fc["pcode"].map(start) == "JUNTA") & (fc["side"] != "junta")]
    per = lost.assign(state=lost["pcode"].map(state)).groupby("replicate")["state"].nunique()
    return per.reindex(sorted(fc["replicate"].unique()), fill_value=0).to_numpy(float)


def _crossings_lost(res: Results, geo: Geography, day: int) -> np.ndarray:
    start = (np.array([FACTIONS.index(c) for c in _initial(res, geo)]) == 0) * geo.china_gates
    return start.sum() - _at_day(res, "china_crossings_junta", day)


def _median_in(low: float, high: float) -> Callable[[np.ndarray], bool]:
    return lambda v: bool(low <= np.median(v) <= high)


def _mostly(test: Callable[[np.ndarray], np.ndarray], share: float) -> Callable[[np.ndarray], bool]:
    return lambda v: bool(np.mean(test(v)) >= share)


DAY_35 = 35  # 1 December 2023, five weeks into Operation 1027

STYLIZED = (
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
        "fronts where the junta loses townships (2023)",
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
        "junta gains townships (2025)",
        ("2025",),
        "more townships at the end in >= 80 % of replicates",
        "DW-2025",
        lambda r, g: _towns(r, g, "JUNTA"),
        _mostly(lambda v: v > 0, 0.8),
    ),
    Check(
        "junta gains townships in the east (2025)",
        ("2025",),
        "median gain of at least 3 townships",
        "DW-2025",
        lambda r, g: _towns(r, g, "JUNTA", EAST),
        _median_in(3, np.inf),
    ),
    Check(
        "the AA does not lose ground (2025)",
        ("2025",),
        "median change in AA townships >= 0",
        "DW-2025",
        lambda r, g: _towns(r, g, "AA"),
        _median_in(0, np.inf),
    ),
    Check(
        "the KIA mostly holds (2025)",
        ("2025",),
        "median loss of at most 3 townships",
        "DW-2025",
        lambda r, g: _towns(r, g, "KIA"),
        _median_in(-3, np.inf),
    ),
    Check(
        "the junta keeps the state and region capitals",
        ("2023", "2025"),
        "median 0 of the 15 lost at the end",
        "observed/changes.csv: no capital's seat changed hands to 28 Dec 2025",
        _capitals_lost,
        _median_in(0, 0),
    ),
    Check(
        "townships the junta does not hold, 14 Sep 2025",
        ("2025",),
        "50 to 70: the election commission's 56 without a vote (14 Sep 2025), 65 by 27 Dec",
        "observed/totals.csv (UEC); observed/changes.csv: 55 seats not junta-held that day",
        lambda r, g: _not_junta_on(r, "2025-09-14"),
        _median_in(50, 70),
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


def _window(res: Results, metric: str, start: str, end: str) -> np.ndarray:
    """Growth of a cumulative count from `start` to `end` (inclusive) per replicate, within the
    part of the window the run covers: a window-bound check compares like with like even when a
    run starts earlier (the replay) or stops earlier (--until)."""
    ts = res.timeseries
    reps = sorted(ts["replicate"].unique())

    def last(rows: pd.DataFrame) -> pd.Series:
        return rows.sort_values("day").groupby("replicate")[metric].last().reindex(reps, fill_value=0.0)

    dates = pd.to_datetime(ts["date"])
    return (last(ts[dates <= pd.Timestamp(end)]) - last(ts[dates < pd.Timestamp(start)])).to_numpy(float)


def _casualties(quantity: str, start: str, end: str) -> Callable[[Results, Geography], np.ndarray]:
    """Per replicate: killed and wounded (junta, or both sides), surrendered, or the ratio of the
    junta's casualties to the resistance's (the ratio of dead when both sides share a dead share)."""

    def value(res: Results, geo: Geography) -> np.ndarray:
        if quantity == "junta_surrendered":
            return _window(res, "junta_surrendered", start, end)
        junta = _window(res, "junta_casualties", start, end)
        if quantity == "junta_dead":
            return junta
        resistance = _window(res, "resistance_casualties", start, end)
        if quantity == "combatant_dead":
            return junta + resistance
        return junta / np.maximum(resistance, 1.0)  # dead_ratio; no dead at all gives 0, a failure

    return value


def casualty_checks(targets: Path | None = None) -> tuple[Check, ...]:
    """One check per row of casualty_targets.csv. The model counts fighters put out of action
    (killed and wounded); a published range of dead [low, high] becomes a range of casualties
    through the dead share [s_lo, s_hi]: consistent when s_hi x median >= low and
    s_lo x median <= high."""
    figures = casualties.read_figures()
    rows = casualties.read_targets(targets or casualties.TARGETS, figures)
    share = next(t for t in rows.values() if t.quantity == "dead_share")
    checks = []
    for t in rows.values():
        if t.quantity == "dead_share":
            continue
        label = {"observation": "published", "derived": "derived from published figures"}.get(t.kind, t.kind)
        if t.quantity.endswith("_dead"):
            low, high = t.low / share.high, t.high / share.low
            target = (
                f"{t.low:,.0f} to {t.high:,.0f} dead ({label}): {low:,.0f} to {high:,.0f} killed and "
                f"wounded at {share.low:g}-{share.high:g} dead per casualty"
            )
        elif t.quantity == "dead_ratio":
            low, high = t.low, t.high
            target = f"median {low:.2g} to {high:g} ({label} bound, not observed)"
        else:
            low, high = t.low, t.high
            target = f"{low:,.0f} to {high:,.0f} ({label})"
        source = casualties.sources(t, figures)
        if t.quantity.endswith("_dead"):
            source += "; " + casualties.sources(share, figures)
        value = _casualties(t.quantity, t.start, t.end)
        checks.append(Check(t.check, (t.applies_to,), target, source, value, _median_in(low, high)))
    return tuple(checks)


CHECKS = (*STYLIZED, *casualty_checks())


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
