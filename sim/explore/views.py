"""Matplotlib figures of the explorer: the map and live charts of one replicate, and the
ensemble's fan chart and maps. Plain `Figure`s (no pyplot), so pages never leak them."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates
import numpy as np
from matplotlib.figure import Figure

from sim.analysis import shapes, style
from sim.analysis.animation import SIDE_COLOURS, TownshipMap
from sim.analysis.style import METRICS
from sim.analysis.summary import end_metrics
from sim.explore.ensemble import Pair, by_town, fan
from sim.explore.replicate import Replicate
from sim.world.geography import Geography

RUN_COLOURS = ("#b2182b", "#4d4d4d")  # explored, baseline
LABEL_SIZE = 8.5  # points: the capitals' names, readable at the page's scale

# metric: (title, unit, scale) for the small live charts of one replicate
CHARTS = {
    "townships_junta": ("Townships held", "townships", 1.0),
    "junta_area_share": ("Junta's share of the land area", "share", 1.0),
    "strength": ("Troops", "thousands", 1e-3),
    "displaced": ("Civilians displaced (cumulative)", "thousands", 1e-3),
}
# the ensemble's fan chart offers these; titles, units and scales are the figures' own (style.METRICS)
FAN_METRICS = (
    "townships_junta",
    "townships_resistance",
    "junta_area_share",
    "junta_full_control_share",
    "junta_strength",
    "resistance_strength",
    "displaced",
    "outposts_lost",
)


def _map_axes(ax) -> None:
    shapes.frame(ax)
    ax.set_xticks([])
    ax.set_yticks([])


class LiveMap:
    """The replicate's map: townships coloured by holder, rings at the seats by the troops of both
    sides there. Drawn once and updated in place, so a frame while playing costs only its image
    (about 0.13 s, where drawing it afresh cost 0.35 s)."""

    def __init__(self, rep: Replicate) -> None:
        self.fig = Figure(figsize=(5.6, 8.4))
        ax = self.fig.add_axes((0.01, 0.01, 0.98, 0.92))
        self.map = TownshipMap(ax, rep.setup.base.geography, legend=False, label_size=LABEL_SIZE)
        ax.set_title(
            f"{rep.setup.scenario.name}, replicate {rep.replicate}\n"
            "colour: who holds the township · rings: troops of both sides there",
            fontsize=9,
        )
        self.present: list[int] = []

    def update(self, rep: Replicate) -> Figure:
        junta, rebels = rep.strength_at_towns()
        self.map.show(rep.holder, rep.stamp, sizes=6 + 1.1 * np.sqrt(junta + rebels))
        present = sorted(set(rep.holder.tolist()))
        if present != self.present:  # a new holder appeared (or one went)
            self.map.add_legend(present)
            self.present = present
        return self.fig


# each chart's lines: label -> column of the daily record
SERIES = {
    "townships_junta": {"junta": "townships_junta", "resistance": "townships_resistance"},
    "junta_area_share": {"junta": "junta_area_share"},
    "strength": {"junta": "junta_strength", "resistance": "resistance_strength"},
    "displaced": {"people": "displaced"},
}


class LiveCharts:
    """Townships held, area share, troops and displacement of the replicate so far, over the
    whole run's dates from the start (before the first day, the state at the start as a dot).
    Drawn once; each frame moves the lines' data (about 0.2 s a frame, where drawing afresh
    with a layout engine cost 0.3 to 0.4 s)."""

    def __init__(self, rep: Replicate) -> None:
        hist, dates = rep.history(), rep.dates
        self.fig = Figure(figsize=(6.4, 5.2))
        self.fig.subplots_adjust(left=0.1, right=0.98, top=0.88, bottom=0.08, hspace=0.3, wspace=0.3)
        self.axes = list(self.fig.subplots(2, 2, sharex=True).flat)
        self.lines: list[tuple[object, str, float, object]] = []  # (axes, column, scale, line)
        for ax, (key, (title, unit, scale)) in zip(self.axes, CHARTS.items(), strict=True):
            for label, column in SERIES[key].items():
                colour = SIDE_COLOURS.get(label, "0.3")
                (line,) = ax.plot(hist.index, hist[column] * scale, color=colour, lw=1.6, label=label)
                self.lines.append((ax, column, scale, line))
            ax.set_title(title, fontsize=9)
            ax.set_ylabel(unit, fontsize=8)
            ax.tick_params(labelsize=7)
            ax.grid(alpha=0.3)
            ax.set_xlim(dates[0], dates[-1])
            if len(SERIES[key]) > 1:
                ax.legend(fontsize=7, loc="lower left")
        for ax in self.axes[2:]:  # the bottom row carries the shared dates
            locator = mdates.AutoDateLocator(maxticks=5)
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        self.title = self.fig.suptitle("", fontsize=10)
        self.share = self.axes[list(CHARTS).index("junta_area_share")]  # shown over its whole range

    def update(self, rep: Replicate) -> Figure:
        hist = rep.history()
        top = dict.fromkeys(self.axes, 0.0)
        for ax, column, scale, line in self.lines:
            values = hist[column].to_numpy() * scale
            line.set_data(hist.index, values)
            line.set_marker("o" if len(hist) == 1 else "")  # the start alone: a dot, not nothing
            top[ax] = max(top[ax], float(np.nanmax(values, initial=0.0)))
        for ax, high in top.items():  # counts from zero; the area share over its whole range
            ax.set_ylim(0, 1 if ax is self.share else max(1.08 * high, 1.0))
        self.title.set_text(rep.stamp)
        return self.fig


def fan_figure(pair: Pair, metric: str) -> Figure:
    """Median, 50 % and 90 % of replicates over time: explored and baseline."""
    title, unit, scale = METRICS[metric]
    fig = Figure(figsize=(6.4, 3.6), layout="constrained")
    ax = fig.subplots()
    runs = [(pair.current, "explored")] + ([] if pair.same else [(pair.baseline, "baseline")])
    for (res, role), colour in zip(runs, RUN_COLOURS, strict=False):
        q = fan(res, metric) * scale
        ax.fill_between(q.index, q[0.05], q[0.95], color=colour, alpha=0.15, lw=0)
        ax.fill_between(q.index, q[0.25], q[0.75], color=colour, alpha=0.3, lw=0)
        ax.plot(q.index, q[0.5], color=colour, lw=2, label=f"{role}: {res.label}")
    ax.set_title(f"{title}: median, 50 % and 90 % of {len(pair.current.end_state)} replicates", fontsize=9)
    ax.set_ylabel(unit, fontsize=8)
    locator = mdates.AutoDateLocator(maxticks=7)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    return fig


def probability_figure(pair: Pair, geo: Geography) -> Figure:
    """P(junta holds the township at the end), and its paired difference from the baseline."""
    p_now, p_base = (by_town(p, geo.ids) for p in pair.junta_probability())
    fig = Figure(figsize=(7.2, 6.4), layout="constrained")
    axes = fig.subplots(1, 2)
    panels = [
        (p_now, "RdBu_r", (0, 1), "P(junta holds township) at the end"),
        (p_now - p_base, "PuOr_r", (-1, 1), "explored minus baseline\n(paired seeds)"),
    ]
    for ax, (values, cmap, (lo, hi), title) in zip(axes, panels, strict=True):
        sc = shapes.townships(geo, cmap=cmap, clim=(lo, hi), linewidth=0.1)
        sc.set_array(values)
        ax.add_collection(sc)
        ax.add_collection(shapes.state_outlines(linewidths=0.4))
        _map_axes(ax)
        ax.set_title(title, fontsize=9)
        fig.colorbar(sc, ax=ax, shrink=0.5, location="bottom", pad=0.02)
    return fig


def difference_table(pair: Pair) -> str:
    """The end state of both runs and their paired difference, as a Markdown table: metrics by
    their titles, runs by their names, numbers in each metric's unit (thousands where charts use
    them), shares to three decimals and counts with separators."""
    explored, baseline = (end_metrics(r) for r in (pair.current, pair.baseline))
    diff = pair.differences()
    runs = f"explored ({pair.current.label})", f"baseline ({pair.baseline.label})"
    lines = [
        f"| metric | unit | {runs[0]} | {runs[1]} | explored − baseline | 95 % interval |",
        "|:--|:--|--:|--:|--:|:--|",
    ]
    for metric, row in diff.iterrows():
        title, unit, scale = style.title(metric), style.unit(metric), style.scale(metric)
        share = "share" in unit
        cells = [explored[metric].mean(), baseline[metric].mean(), row["diff_mean"]]
        low, high = row["diff_low"] * scale, row["diff_high"] * scale
        shown = [_number(v * scale, share, signed=k == 2) for k, v in enumerate(cells)]
        interval = "n/a (one pair)" if np.isnan(low) else f"{_number(low, share)} to {_number(high, share)}"
        lines.append(f"| {title} | {unit} | {' | '.join(shown)} | {interval} |")
    return "\n".join(lines)


def _number(value: float, share: bool, signed: bool = False) -> str:
    sign = "+" if signed else ""
    text = f"{value:{sign},.3f}" if share else f"{value:{sign},.{1 if abs(value) < 100 else 0}f}"
    return text.replace("-", "−")
