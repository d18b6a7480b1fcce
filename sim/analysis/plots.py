"""Publication-ready matplotlib figures of outcome distributions and comparisons.

Every figure states its interval convention (see sim.analysis.summary): spreads
are the 50 % and 90 % (5-95 %) ranges of replicates around the median;
differences are run minus baseline with 95 % confidence intervals.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from sim.analysis import style
from sim.analysis.maps import control_maps, difference_maps
from sim.analysis.style import colour, dash, footnote, save, scale, title, unit, wrap
from sim.analysis.summary import HIGH, LOW, differences, end_metrics, paired
from sim.run.store import Results

__all__ = [
    "attribution_chart",
    "control_maps",
    "difference_chart",
    "difference_maps",
    "end_distributions",
    "fan_charts",
    "plot_all",
    "sensitivity_chart",
]

COLOURS = style.PALETTE  # kept for callers of the old name
QUANTILES = (LOW, 0.25, 0.5, 0.75, HIGH)

FAN_METRICS = (
    "junta_area_share",
    "junta_full_control_share",
    "townships_junta",
    "outposts_lost",
    "china_crossings_junta",
    "displaced",
    "junta_strength",
    "resistance_strength",
    "junta_casualties",
    "resistance_casualties",
)
END_METRICS = (
    "junta_full_control_share",
    "junta_area_share_change",
    "townships_junta_change",
    "townships_AA_change",
    "outposts_lost",
    "displaced",
    "junta_surrendered",
    "junta_casualties",
    "resistance_casualties",
)
DIFF_METRICS = (
    "townships_junta_change",
    "junta_area_share_change",
    "junta_full_control_share",
    "outposts_lost",
    "china_crossings_junta",
    "junta_surrendered",
    "junta_casualties",
    "resistance_casualties",
    "displaced",
)
OVERLAY_UP_TO = 3  # runs of one period drawn on one axis; more get a panel each


def _period(res: Results) -> tuple[pd.Timestamp, pd.Timestamp]:
    dates = res.timeseries["date"]
    return dates.min(), dates.max()


def _fan(ax, res: Results, metric: str, i: int) -> None:
    q = res.timeseries.groupby("date")[metric].quantile(list(QUANTILES)).unstack() * scale(metric)
    c = colour(i)
    ax.fill_between(q.index, q[LOW], q[HIGH], color=c, alpha=0.15, lw=0)
    ax.fill_between(q.index, q[0.25], q[0.75], color=c, alpha=0.35, lw=0)
    ax.plot(q.index, q[0.5], color=c, lw=2, ls=dash(i), label=wrap(res.label, 40))


def _dates(ax, start, end) -> None:
    locator = mdates.AutoDateLocator(minticks=3, maxticks=6)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.xaxis.get_offset_text().set_fontsize(8)
    ax.set_xlim(start, end)
    ax.grid(alpha=0.3)


def fan_chart(runs: list[Results], metric: str, out: Path) -> Path:
    """Median and 50 %/90 % bands of one metric over time. A few runs of one period share an
    axis; otherwise each run gets a panel with its own date axis (shared y), the baseline's
    median drawn dashed in the panels of its period."""
    periods = [_period(r) for r in runs]
    overlay = len(set(periods)) == 1 and len(runs) <= OVERLAY_UP_TO
    rows, cols = (1, 1) if overlay else style.grid(len(runs), 3)
    width = 8.0 if overlay else min(10.0, 3.4 * cols + 0.6)
    fig, axes = style.figure(rows, cols, width, 4.2 if overlay else 2.5 * rows + 1.1, sharey=True)
    if overlay:
        ax = axes[0, 0]
        for i, res in enumerate(runs):
            _fan(ax, res, metric, i)
        _dates(ax, *periods[0])
        ax.set_ylabel(unit(metric))
        ax.legend(loc="best", fontsize=8)
    else:
        base = runs[0].timeseries.groupby("date")[metric].median() * scale(metric)
        for i, (ax, res) in enumerate(zip(axes.flat, runs, strict=False)):
            _fan(ax, res, metric, i)
            if i and periods[i] == periods[0]:
                ax.plot(base.index, base.to_numpy(), color="0.15", lw=1, ls="--")
            _dates(ax, *periods[i])
            ax.set_title(wrap(res.label, 34), fontsize=8.5, color=colour(i))
            ax.tick_params(labelsize=7.5)
        for ax in axes[:, 0]:
            ax.set_ylabel(unit(metric), fontsize=8)
        for ax in axes.flat[len(runs) :]:
            ax.set_visible(False)
    style.heading(fig, title(metric))
    notes = [style.SPREAD]
    if not overlay and any(p == periods[0] for p in periods[1:]):
        notes.append(f"Dashed black line: median of the baseline, {runs[0].label}.")
    if not overlay and len(set(periods)) > 1:
        notes.append("Runs cover different periods: each panel has its own dates.")
    footnote(fig, " ".join(notes), style.source(runs))
    return save(fig, out / f"fan_{metric}.png")


def fan_charts(runs: list[Results], out: Path) -> list[Path]:
    """One fan chart per headline metric (see `fan_chart`)."""
    return [fan_chart(runs, m, out) for m in FAN_METRICS if m in runs[0].timeseries]


def _labels(runs: list[Results]) -> list[str]:
    return [wrap(r.label, 26) for r in runs]


def end_distributions(runs: list[Results], out: Path) -> Path:
    """Horizontal violins of end-state metrics: a panel per metric, a row per run, with the
    median and the 5-95 % range marked."""
    ends = [end_metrics(r) for r in runs]
    metrics = [m for m in END_METRICS if m in ends[0]]
    rows, cols = style.grid(len(metrics), 3)
    height = rows * (0.3 * len(runs) + 1.1) + 0.9
    fig, axes = style.figure(rows, cols, 10.0, height, sharey=True)
    y = np.arange(len(runs))
    for ax, metric in zip(axes.flat, metrics, strict=False):
        data = [e[metric].to_numpy() * scale(metric) for e in ends]
        for i, d in enumerate(data):
            if np.ptp(d) == 0:  # all replicates alike: no shape to draw
                continue
            body = ax.violinplot(d, positions=[i], orientation="horizontal", showextrema=False, widths=0.8)
            body["bodies"][0].set(facecolor=colour(i), edgecolor=colour(i), alpha=0.45)
        for i, d in enumerate(data):
            lo, med, hi = np.quantile(d, [LOW, 0.5, HIGH])
            ax.plot([lo, hi], [i, i], color="0.15", lw=1.2)
            ax.plot(med, i, "o", color="white", mec="0.15", ms=4.5)
        _axis(ax, metric)
    for ax in axes[:, 0]:
        ax.set_yticks(y, _labels(runs), fontsize=7.5)
        ax.set_ylim(len(runs) - 0.4, -0.6)
    for ax in axes.flat[len(metrics) :]:
        ax.set_visible(False)
    style.heading(fig, "End-state distributions over replicates")
    footnote(
        fig,
        "Shape: distribution over replicates; dot: median; line: 5-95 % of replicates (90 % range).",
        style.source(runs),
    )
    return save(fig, out / "end_state.png")


def _axis(ax, metric: str) -> None:
    ax.set_title(title(metric), fontsize=9)
    ax.set_xlabel(unit(metric), fontsize=8)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
    ax.tick_params(labelsize=7.5)
    ax.grid(alpha=0.3, axis="x")


def difference_chart(runs: list[Results], out: Path) -> Path:
    """Each run minus the baseline (the first run): mean difference of end-state metrics with
    95 % confidence intervals, paired by seed, a panel per metric."""
    diffs = differences(runs)
    compared = runs[1:]
    metrics = [m for m in DIFF_METRICS if m in next(iter(diffs.values())).index]
    rows, cols = style.grid(len(metrics), 3)
    height = rows * (0.36 * len(compared) + 1.0) + 1.2
    fig, axes = style.figure(rows, cols, 10.0, height, sharey=True)
    y = np.arange(len(compared))
    for ax, metric in zip(axes.flat, metrics, strict=False):
        k = scale(metric)
        for i, res in enumerate(compared, start=1):
            d = diffs[res.label].loc[metric]
            mean, lo, hi = d["diff_mean"] * k, d["diff_low"] * k, d["diff_high"] * k
            ax.errorbar(
                mean, i - 1, xerr=[[mean - lo], [hi - mean]], fmt="o", color=colour(i), ms=5, capsize=3
            )
        ax.axvline(0, color="0.3", lw=0.8)
        _axis(ax, metric)
        ax.set_xlabel(f"{unit(metric)}: run minus baseline", fontsize=8)
    for ax in axes[:, 0]:
        ax.set_yticks(y, _labels(compared), fontsize=7.5)
        ax.set_ylim(len(compared) - 0.5, -0.5)
    for ax in axes.flat[len(metrics) :]:
        ax.set_visible(False)
    style.heading(fig, f"Each run minus the baseline, {runs[0].label}, at the end of the run")
    unpaired = [r.label for r in compared if not paired(runs[0], r)]
    notes = [
        "Dot: mean of run minus baseline over replicates with the same seed; bar: 95 % confidence "
        "interval (Student's t)."
    ]
    if unpaired:
        notes.append("Different seeds, so unpaired (difference of two means): " + "; ".join(unpaired) + ".")
    footnote(fig, " ".join(notes), style.source(runs))
    return save(fig, out / "differences.png")


def plot_all(runs: list[Results], out: Path, compared: list[Results] | None = None) -> list[Path]:
    """Every figure of a set of runs; the first run is the baseline of the difference figures.
    `compared`: the runs over the same days (`windows.same_days`), for the end states, maps and
    differences; the fan charts show each run's whole window."""
    out.mkdir(parents=True, exist_ok=True)
    ends = compared or runs
    paths = [*fan_charts(runs, out), end_distributions(ends, out), control_maps(ends, out)]
    if len(runs) > 1:
        paths += [difference_chart(ends, out), difference_maps(ends, out)]
    return paths


def attribution_chart(table: pd.DataFrame, out: Path, heading: str, caption: str) -> Path:
    """Waterfall per metric: each lever group's Shapley value (95 % interval) stacking up
    from the BASE-levers outcome to the TARGET outcome."""
    metrics = list(dict.fromkeys(table["metric"]))
    up, down, total_c = colour(0), colour(3), "0.45"
    fig, axes = style.figure(len(metrics), 1, 9.0, 2.7 * len(metrics) + 1.4)
    for ax, metric in zip(axes[:, 0], metrics, strict=True):
        rows = table[(table["metric"] == metric) & ~table["group"].isin(["sum of parts", "total difference"])]
        total = table[(table["metric"] == metric) & (table["group"] == "total difference")].iloc[0]
        start = 0.0
        for y, (_, r) in enumerate(rows.iterrows()):
            ax.barh(y, r["shapley"], left=start, color=up if r["shapley"] >= 0 else down, alpha=0.85)
            err = [[r["shapley"] - r["low"]], [r["high"] - r["shapley"]]]
            ax.errorbar(start + r["shapley"], y, xerr=err, color="0.2", capsize=3, lw=1)
            start += r["shapley"]
        y = len(rows)
        ax.barh(y, total["shapley"], color=total_c, alpha=0.85)
        err = [[total["shapley"] - total["low"]], [total["high"] - total["shapley"]]]
        ax.errorbar(total["shapley"], y, xerr=err, color="0.1", capsize=3)
        ax.set_yticks(range(len(rows) + 1), [*rows["group"], "total difference"], fontsize=8)
        ax.invert_yaxis()
        ax.axvline(0, color="0.3", lw=0.8)
        ax.set_title(title(metric), fontsize=10, loc="left")
        ax.set_xlabel(unit(metric), fontsize=8)
        ax.grid(alpha=0.3, axis="x")
    handles = [
        Patch(color=up, alpha=0.85, label="lever group raises the metric"),
        Patch(color=down, alpha=0.85, label="lever group lowers the metric"),
        Patch(color=total_c, alpha=0.85, label="total difference"),
        Line2D([], [], color="0.2", marker="|", ms=8, lw=1, label="95 % confidence interval"),
    ]
    style.heading(fig, heading)
    footnote(fig, caption)
    style.legend_above_footnote(fig, handles)
    return save(fig, out / "attribution.png")


def sensitivity_chart(table: pd.DataFrame, out: Path, heading: str, caption: str) -> Path:
    """Horizontal bars of the main index with its 95 % interval, most influential first."""
    index, conf = ("mu_star", "mu_star_conf") if "mu_star" in table else ("ST", "ST_conf")
    fig, axes = style.figure(1, 1, 8.0, 0.4 * len(table) + 2.0)
    ax = axes[0, 0]
    y = np.arange(len(table))
    ax.barh(y, table[index], xerr=table[conf], color=colour(0), alpha=0.8, capsize=3, label=index)
    if "S1" in table:
        ax.scatter(table["S1"], y, color=colour(3), zorder=3, label="first-order S1")
        ax.legend(fontsize=8)
    ax.set_yticks(y, table["parameter"], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("Morris μ* (elementary effect)" if index == "mu_star" else "total-order Sobol index ST")
    ax.set_title(heading, fontsize=10)
    ax.grid(alpha=0.3, axis="x")
    footnote(fig, caption)
    return save(fig, out / "sensitivity.png")


SKILL_ORDER = ("model", "null", "frozen", "persistence", "state share", "logistic")


def _skill_names(names) -> list[str]:
    return [n for n in SKILL_ORDER if n in names] + sorted(set(names) - set(SKILL_ORDER))


def reliability_diagram(frame: pd.DataFrame, out: Path, caption: str, bins: int = 10) -> Path:
    """Forecast P(junta holds) against the observed frequency in bins, one line per
    forecaster, marker area by the townships in the bin (per_township's table, scored sets
    only)."""
    names = _skill_names(
        [c.removeprefix("p_").replace("_", " ") for c in frame.columns if c.startswith("p_")]
    )
    fig, axes = style.figure(1, 2, 9.5, 4.8, width_ratios=(3, 2))
    ax, hist = axes[0]
    edges = np.linspace(0, 1, bins + 1)
    for i, name in enumerate(names):
        p = frame[f"p_{name.replace(' ', '_')}"].to_numpy(float)
        k = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
        grouped = pd.DataFrame({"bin": k, "p": p, "o": frame["junta_held"].astype(float)}).groupby("bin")
        stats = grouped.agg(p=("p", "mean"), o=("o", "mean"), n=("o", "size"))
        ax.plot(stats["p"], stats["o"], color=colour(i), ls=dash(i), lw=1.2, label=name)
        ax.scatter(stats["p"], stats["o"], s=6 + stats["n"] / 2, color=colour(i), zorder=3)
        hist.hist(p, bins=edges, histtype="step", color=colour(i), ls=dash(i), lw=1.2, label=name)
    ax.plot([0, 1], [0, 1], color="0.6", lw=0.8, zorder=0)
    ax.set(
        xlim=(0, 1), ylim=(0, 1), xlabel="forecast P(junta holds the township)", ylabel="observed frequency"
    )
    ax.set_title("Reliability: on the diagonal, forecasts mean what they say", fontsize=9)
    hist.set(xlabel="forecast P(junta holds the township)", ylabel="townships", yscale="log")
    hist.set_title("How sharp: townships per forecast bin", fontsize=9)
    for a in (ax, hist):
        a.grid(alpha=0.3)
        a.tick_params(labelsize=8)
    ax.legend(fontsize=8, loc="upper left")
    dates = [f"{d:%d %b %Y}" for d in sorted(set(pd.to_datetime(frame["date"])))]
    style.heading(fig, f"Reliability of P(junta holds each township), {', '.join(dates)}")
    footnote(fig, "Marker area: townships in the bin. " + caption)
    return save(fig, out / "reliability.png")


def skill_by_horizon(table: pd.DataFrame, out: Path, caption: str, cutoff) -> Path:
    """Each score by date, one line per forecaster, for the scored sets (scores' table)."""
    sets = list(dict.fromkeys(table["set"]))
    fig, axes = style.figure(2, len(sets), 4.0 * len(sets), 6.4, sharex=True)
    names = _skill_names(table["forecaster"].unique())
    for col, set_name in enumerate(sets):
        for row, metric in enumerate(("brier", "log")):
            ax = axes[row, col]
            part = table[table["set"] == set_name]
            for i, name in enumerate(names):
                line = part[part["forecaster"] == name].sort_values("date")
                if line.empty:
                    continue
                ax.plot(pd.to_datetime(line["date"]), line[metric], marker="o", ms=3, color=colour(i),
                        ls=dash(i), lw=1.2, label=name)  # fmt: skip
            ax.axvline(pd.Timestamp(cutoff), color="0.4", lw=0.8, ls=":")
            ax.set_title(f"{set_name}: {metric} score", fontsize=9)
            ax.grid(alpha=0.3)
            ax.tick_params(labelsize=7)
            locator = mdates.AutoDateLocator(maxticks=5)
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    axes[0, 0].legend(fontsize=7)
    style.heading(fig, "Scores by date (lower is better); dotted: the training cut-off")
    footnote(fig, caption)
    return save(fig, out / "skill_by_date.png")
