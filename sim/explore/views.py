"""Matplotlib figures of the explorer: the map and live charts of one replicate, and the
ensemble's fan chart and maps. Plain `Figure`s (no pyplot), so pages never leak them."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates
import numpy as np
from matplotlib.figure import Figure

from sim.analysis import shapes
from sim.analysis.animation import SIDE_COLOURS, TownshipMap
from sim.analysis.style import METRICS
from sim.explore.ensemble import Pair, by_town, fan
from sim.explore.replicate import Replicate
from sim.world.geography import Geography

RUN_COLOURS = ("#b2182b", "#4d4d4d")  # explored, baseline

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


def map_figure(rep: Replicate) -> Figure:
    """Townships coloured by holder, rings at the seats by the troops of both sides there."""
    geo = rep.setup.base.geography
    fig = Figure(figsize=(4.6, 7.4), layout="constrained")
    ax = fig.subplots()
    town_map = TownshipMap(ax, geo, legend=False)
    junta, rebels = rep.strength_at_towns()
    sizes = 6 + 1.1 * np.sqrt(junta + rebels)
    town_map.show(rep.holder, rep.stamp, sizes=sizes)
    town_map.add_legend(sorted(set(rep.holder.tolist())))
    ax.set_title(
        f"{rep.setup.scenario.name}, replicate {rep.replicate}\n"
        "colour: who holds the township · rings: troops of both sides there",
        fontsize=8,
    )
    return fig


def charts_figure(rep: Replicate) -> Figure:
    """Townships held, area share, troops and displacement of the replicate so far."""
    hist = rep.history()
    dates = rep.dates
    fig = Figure(figsize=(6.4, 5.0), layout="constrained")
    axes = fig.subplots(2, 2, sharex=True).flat
    series = {
        "townships_junta": {"junta": "townships_junta", "resistance": "townships_resistance"},
        "junta_area_share": {"junta": "junta_area_share"},
        "strength": {"junta": "junta_strength", "resistance": "resistance_strength"},
        "displaced": {"people": "displaced"},
    }
    for ax, (key, (title, unit, scale)) in zip(axes, CHARTS.items(), strict=True):
        for label, column in series[key].items():
            colour = SIDE_COLOURS.get(label, "0.3")
            ax.plot(hist.index, hist[column] * scale, color=colour, lw=1.6, label=label)
        ax.set_title(title, fontsize=9)
        ax.set_ylabel(unit, fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
        ax.set_xlim(dates[0], dates[-1])
        if len(series[key]) > 1 and len(hist):
            ax.legend(fontsize=7)
        if key == "junta_area_share":
            ax.set_ylim(0, 1)
    for ax in fig.axes[2:]:  # the bottom row carries the shared dates
        locator = mdates.AutoDateLocator(maxticks=5)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    fig.suptitle(f"{rep.stamp}: {rep.days_done} of {rep.days} days", fontsize=9)
    return fig


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
