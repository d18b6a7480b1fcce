"""Publication-ready matplotlib figures of outcome distributions."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.analysis.summary import end_metrics
from sim.run.store import Results
from sim.world.geography import DATA, Geography, load_geography

COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")
SOURCE = "Source: myanmar-conflict-sim {version}, {n} replicates per run; model and data in docs/ODD.md."

# metric: (title, unit label, scale)
FAN_METRICS = {
    "junta_area_share": ("Territory of the towns the junta holds", "share of land area", 1.0),
    "junta_full_control_share": ("Territory under full junta control", "share of land area", 1.0),
    "towns_junta": ("Towns held by the junta", "towns", 1.0),
    "outposts_lost": ("Junta outposts lost (cumulative)", "outposts", 1.0),
    "china_crossings_junta": ("China border crossings held by the junta", "crossings", 1.0),
    "displaced": ("Civilians newly displaced (cumulative)", "thousands of people", 1e-3),
    "junta_strength": ("Junta combat strength", "thousands of troops", 1e-3),
    "resistance_strength": ("Resistance strength", "thousands of fighters", 1e-3),
    "junta_casualties": ("Junta casualties (cumulative)", "killed and wounded", 1.0),
}

END_METRICS = {
    "junta_full_control_share": ("Full junta control at the end", "share of land area"),
    "towns_junta_change": ("Change in junta-held towns", "towns (end - start)"),
    "towns_AA_change": ("Change in AA-held towns", "towns (end - start)"),
    "outposts_lost": ("Outposts lost", "outposts"),
    "displaced": ("Civilians newly displaced", "thousands of people"),
    "junta_surrendered": ("Junta troops surrendered", "troops"),
}


def _caption(fig, runs: list[Results]) -> None:
    version = runs[0].manifest.get("package_version", "")
    n = min(r.end_state.shape[0] for r in runs)
    fig.text(0.01, 0.005, SOURCE.format(version=version, n=n), fontsize=7, color="0.35")


def fan_charts(runs: list[Results], out: Path) -> list[Path]:
    """Median and 50 %/90 % bands of each headline metric over calendar time, runs overlaid."""
    paths = []
    for metric, (title, unit, scale) in FAN_METRICS.items():
        fig, ax = plt.subplots(figsize=(8, 4.5))
        for colour, res in zip(COLOURS, runs, strict=False):
            ts = res.timeseries
            q = ts.groupby("date")[metric].quantile([0.05, 0.25, 0.5, 0.75, 0.95]).unstack() * scale
            ax.fill_between(q.index, q[0.05], q[0.95], color=colour, alpha=0.15, lw=0)
            ax.fill_between(q.index, q[0.25], q[0.75], color=colour, alpha=0.35, lw=0)
            ax.plot(q.index, q[0.5], color=colour, lw=2, label=res.label)
        ax.set_title(title + "\nmedian, 50 % and 90 % of replicates")
        ax.set_ylabel(unit)
        locator = mdates.AutoDateLocator(maxticks=8)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.grid(alpha=0.3)
        ax.legend(loc="best", fontsize=8)
        _caption(fig, runs)
        fig.tight_layout(rect=(0, 0.03, 1, 1))
        path = out / f"fan_{metric}.png"
        fig.savefig(path, dpi=150)
        plt.close(fig)
        paths.append(path)
    return paths


def end_distributions(runs: list[Results], out: Path) -> Path:
    """Violins of end-state metrics, one per run, side by side."""
    ends = [end_metrics(r) for r in runs]
    fig, axes = plt.subplots(2, 3, figsize=(12, 7))
    for ax, (metric, (title, unit)) in zip(axes.flat, END_METRICS.items(), strict=True):
        scale = 1e-3 if unit.startswith("thousands") else 1.0
        data = [e[metric].to_numpy() * scale for e in ends]
        parts = ax.violinplot(data, showmedians=True, showextrema=False)
        for body, colour in zip(parts["bodies"], COLOURS, strict=False):
            body.set_facecolor(colour)
            body.set_alpha(0.5)
        ax.set_xticks(range(1, len(runs) + 1), [r.label for r in runs], fontsize=7, rotation=10)
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(unit, fontsize=8)
        ax.grid(alpha=0.3, axis="y")
    fig.suptitle("End-state distributions (median line; width = share of replicates)")
    _caption(fig, runs)
    fig.tight_layout(rect=(0, 0.03, 1, 0.96))
    path = out / "end_state.png"
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path


def _outline(ax) -> None:
    path = DATA / "myanmar_states.geojson"
    if not path.is_file():
        return
    shapes = json.loads(path.read_text(encoding="utf-8"))
    for feature in shapes["features"]:
        geom = feature["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        for poly in polys:
            ring = np.asarray(poly[0])
            ax.fill(ring[:, 0], ring[:, 1], facecolor="0.95", edgecolor="0.55", lw=0.5, zorder=0)


def control_maps(runs: list[Results], out: Path, geo: Geography | None = None) -> Path:
    """Each town coloured by the probability the junta holds it at the end, one panel per run."""
    geo = geo or load_geography()
    fig, axes = plt.subplots(
        1, len(runs), figsize=(4.4 * len(runs) + 1.4, 8.4), squeeze=False, layout="constrained"
    )
    cmap = plt.get_cmap("RdBu_r")
    for ax, res in zip(axes[0], runs, strict=True):
        fc = res.final_control
        p = (fc["side"] == "junta").groupby(fc["town_id"]).mean()
        prob = np.array([p.get(t, np.nan) for t in geo.ids])
        _outline(ax)
        corridor = geo.corridor
        for a, b in zip(geo.edge_a, geo.edge_b, strict=True):
            main = corridor[a] and corridor[b]
            ax.plot(
                geo.lon[[a, b]],
                geo.lat[[a, b]],
                color="0.3" if main else "0.75",
                lw=1.4 if main else 0.4,
                zorder=1,
            )
        neutral = ((fc["side"] == "neutral").groupby(fc["town_id"]).mean() == 1).reindex(list(geo.ids))
        neutral = neutral.fillna(False).to_numpy(bool)
        ax.scatter(
            geo.lon[neutral],
            geo.lat[neutral],
            marker="s",
            s=18,
            color="0.6",
            zorder=2,
            label="held by neutral groups (UWSA, NDAA)",
        )
        prob[neutral] = np.nan
        sc = ax.scatter(
            geo.lon,
            geo.lat,
            c=prob,
            cmap=cmap,
            vmin=0,
            vmax=1,
            s=12 + 40 * np.sqrt(geo.population / geo.population.max()),
            edgecolors="0.2",
            linewidths=0.3,
            zorder=2,
        )
        for i in np.flatnonzero(geo.capital):
            ax.annotate(
                geo.names[i],
                (geo.lon[i], geo.lat[i]),
                fontsize=6,
                xytext=(3, 2),
                textcoords="offset points",
                zorder=3,
            )
        ax.set_title(
            f"{res.label}\nP(junta holds town) on {res.timeseries['date'].max():%d %b %Y}",
            fontsize=10,
        )
        ax.set_xlabel("longitude (°E)")
        ax.set_ylabel("latitude (°N)")
        ax.set_aspect(1.0 / np.cos(np.radians(20)))
        ax.set_xlim(92, 101.5)
        ax.set_ylim(9.5, 28.6)
    fig.colorbar(sc, ax=axes[0].tolist(), shrink=0.6, label="probability the junta holds the town")
    version = runs[0].manifest.get("package_version", "")
    n = min(r.end_state.shape[0] for r in runs)
    fig.supxlabel(
        "Dark lines: main trade corridors. Labels: state and region capitals. Grey squares: towns held by "
        "neutral groups (UWSA, NDAA). Outline: sim/data/BOUNDARIES.md.\n"
        + SOURCE.format(version=version, n=n),
        fontsize=7,
        color="0.35",
        x=0.01,
        ha="left",
    )
    path = out / "map_junta_control.png"
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path


def plot_all(runs: list[Results], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    return [*fan_charts(runs, out), end_distributions(runs, out), control_maps(runs, out)]


def attribution_chart(table: pd.DataFrame, out: Path, title: str, caption: str) -> Path:
    """Waterfall per metric: each lever group's Shapley value (95 % interval) stacking up
    from the BASE-levers outcome to the TARGET outcome."""
    metrics = list(dict.fromkeys(table["metric"]))
    fig, axes = plt.subplots(len(metrics), 1, figsize=(9, 2.6 * len(metrics) + 1), squeeze=False)
    for ax, metric in zip(axes[:, 0], metrics, strict=True):
        rows = table[(table["metric"] == metric) & ~table["group"].isin(["sum of parts", "total difference"])]
        total = table[(table["metric"] == metric) & (table["group"] == "total difference")].iloc[0]
        start = 0.0
        for y, (_, r) in enumerate(rows.iterrows()):
            colour = COLOURS[0] if r["shapley"] >= 0 else COLOURS[1]
            ax.barh(y, r["shapley"], left=start, color=colour, alpha=0.8)
            ax.errorbar(
                start + r["shapley"],
                y,
                xerr=[[r["shapley"] - r["low"]], [r["high"] - r["shapley"]]],
                color="0.2",
                capsize=3,
                lw=1,
            )
            start += r["shapley"]
        y = len(rows)
        ax.barh(y, total["shapley"], color="0.4", alpha=0.8)
        ax.errorbar(
            total["shapley"],
            y,
            xerr=[[total["shapley"] - total["low"]], [total["high"] - total["shapley"]]],
            color="0.1",
            capsize=3,
        )
        ax.set_yticks(range(len(rows) + 1), [*rows["group"], "total difference"], fontsize=8)
        ax.invert_yaxis()
        ax.axvline(0, color="0.3", lw=0.8)
        ax.set_title(metric.replace("_", " "), fontsize=10)
        ax.grid(alpha=0.3, axis="x")
    fig.suptitle(title)
    return _save(fig, out / "attribution.png", caption, width=160, bottom=0.03, top=0.97)


def sensitivity_chart(table: pd.DataFrame, out: Path, title: str, caption: str) -> Path:
    """Horizontal bars of the main index with its 95 % interval, most influential first."""
    index, conf = ("mu_star", "mu_star_conf") if "mu_star" in table else ("ST", "ST_conf")
    fig, ax = plt.subplots(figsize=(8, 0.4 * len(table) + 1.8))
    y = np.arange(len(table))
    ax.barh(y, table[index], xerr=table[conf], color=COLOURS[0], alpha=0.8, capsize=3)
    if "S1" in table:
        ax.scatter(table["S1"], y, color=COLOURS[1], zorder=3, label="first-order S1")
        ax.legend(fontsize=8)
    ax.set_yticks(y, table["parameter"], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("Morris μ* (elementary effect)" if index == "mu_star" else "total-order Sobol index ST")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3, axis="x")
    return _save(fig, out / "sensitivity.png", caption, width=130, bottom=0.05, top=1.0)


def _save(fig, path: Path, caption: str, width: int, bottom: float, top: float) -> Path:
    """Caption line at the foot, tight layout, 150 dpi PNG."""
    fig.text(0.01, 0.005, textwrap.fill(caption, width), fontsize=7, color="0.35")
    fig.tight_layout(rect=(0, bottom, 1, top))
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path
