"""Maps of the end state: P(junta holds each town) per run, and its change from a baseline."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.collections import LineCollection
from matplotlib.colors import TwoSlopeNorm

from sim.analysis import style
from sim.run.store import Results
from sim.world.geography import DATA, Geography, load_geography

MAP_COLS = 4  # panels per row before wrapping
LABEL_PT = 6.5
# Where a label may sit relative to its town, in points (dx, dy, ha, va), tried in order;
# the far ones get a leader line.
SPOTS = (
    (4, 2, "left", "bottom"),
    (4, -2, "left", "top"),
    (-4, 2, "right", "bottom"),
    (-4, -2, "right", "top"),
    (0, 5, "center", "bottom"),
    (0, -5, "center", "top"),
    (12, 0, "left", "center"),
    (-12, 0, "right", "center"),
    (12, 10, "left", "bottom"),
    (-12, 10, "right", "bottom"),
    (12, -10, "left", "top"),
    (-12, -10, "right", "top"),
)
HALO = [patheffects.withStroke(linewidth=2, foreground="white", alpha=0.85)]
NOTE = (
    "Dot size: population the town stands for. Dark lines: main trade corridors. "
    "Labels: state and region capitals. Grey squares: towns held by "
    "neutral groups (UWSA, NDAA) in every replicate. Outline: sim/data/BOUNDARIES.md."
)


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


def _p_junta(res: Results, geo: Geography) -> np.ndarray:
    fc = res.final_control
    p = (fc["side"] == "junta").groupby(fc["town_id"]).mean()
    return p.reindex(list(geo.ids)).to_numpy(float, copy=True)


def _neutral(res: Results, geo: Geography) -> np.ndarray:
    fc = res.final_control
    always = (fc["side"] == "neutral").groupby(fc["town_id"]).mean() == 1
    return always.reindex(list(geo.ids)).astype("boolean").fillna(False).to_numpy(bool)


def _base_map(ax, geo: Geography, neutral: np.ndarray) -> None:
    _outline(ax)
    main = geo.corridor[geo.edge_a] & geo.corridor[geo.edge_b]
    segments = np.stack(
        [
            np.column_stack([geo.lon[geo.edge_a], geo.lat[geo.edge_a]]),
            np.column_stack([geo.lon[geo.edge_b], geo.lat[geo.edge_b]]),
        ],
        axis=1,
    )
    ax.add_collection(LineCollection(segments[~main], colors="0.75", linewidths=0.4, zorder=1))
    ax.add_collection(LineCollection(segments[main], colors="0.3", linewidths=1.4, zorder=1))
    ax.scatter(geo.lon[neutral], geo.lat[neutral], marker="s", s=18, color="0.6", zorder=2)
    ax.set_aspect(1.0 / np.cos(np.radians(20)))
    ax.set_xlim(92, 101.5)
    ax.set_ylim(9.5, 28.6)
    ax.tick_params(labelsize=7)


def _towns(ax, geo: Geography, values: np.ndarray, **kw):
    return ax.scatter(
        geo.lon,
        geo.lat,
        c=values,
        s=12 + 40 * np.sqrt(geo.population / geo.population.max()),
        edgecolors="0.2",
        linewidths=0.3,
        zorder=2,
        **kw,
    )


def place_labels(fig, axes, geo: Geography, towns: np.ndarray) -> list:
    """Name the towns on each map without overlaps: each label takes the first spot around its
    town that touches no label or labelled town already placed (largest towns first)."""
    fig.canvas.draw()  # settle the layout, so display coordinates are final
    renderer = fig.canvas.get_renderer()
    return [label for ax in axes for label in _place(ax, renderer, geo, towns)]


def _place(ax, renderer, geo: Geography, towns: np.ndarray) -> list:
    order = sorted(towns, key=lambda i: -geo.population[i])
    to_px = ax.transData.transform
    pad = 3.0
    taken = []
    for i in order:
        x, y = to_px((geo.lon[i], geo.lat[i]))
        taken.append((x - pad, y - pad, x + pad, y + pad))
    frame = ax.get_window_extent(renderer)
    placed = []
    for i in order:
        for n, (dx, dy, ha, va) in enumerate(SPOTS):
            far = n >= 6
            label = ax.annotate(
                geo.names[i],
                (geo.lon[i], geo.lat[i]),
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=LABEL_PT,
                zorder=4,
                path_effects=HALO,
                arrowprops={"arrowstyle": "-", "color": "0.3", "lw": 0.5} if far else None,
            )
            label.set_in_layout(False)
            bb = label.get_window_extent(renderer)
            box = (bb.x0 - 1, bb.y0 - 1, bb.x1 + 1, bb.y1 + 1)
            own = taken[order.index(i)]
            clash = any(_overlap(box, other) for other in taken if other is not own)
            inside = frame.x0 <= box[0] and box[2] <= frame.x1 and frame.y0 <= box[1] and box[3] <= frame.y1
            if (not clash and inside) or n == len(SPOTS) - 1:
                taken.append(box)
                placed.append(label)
                break
            label.remove()
    return placed


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _panels(n: int):
    rows, cols = style.grid(n, MAP_COLS)
    width = max(3.3 * cols + 1.2, 6.0)
    return style.figure(rows, cols, width, 5.9 * rows + 0.9)


def _finish(fig, axes, runs: list[Results], n: int, mappable, bar_label: str, notes: str) -> None:
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel("latitude (°N)", fontsize=8)
    for ax in axes[-1, :]:
        ax.set_xlabel("longitude (°E)", fontsize=8)
    bar = fig.colorbar(mappable, ax=axes.ravel().tolist(), shrink=0.5)
    bar.set_label(bar_label, fontsize=9)
    bar.ax.tick_params(labelsize=8)
    style.footnote(fig, notes, style.source(runs))


def control_maps(runs: list[Results], out: Path, geo: Geography | None = None) -> Path:
    """Each town coloured by the probability the junta holds it at the end, a panel per run,
    wrapping after four panels."""
    geo = geo or load_geography()
    fig, axes = _panels(len(runs))
    sc = None
    capitals = np.flatnonzero(geo.capital)
    for i, (ax, res) in enumerate(zip(axes.flat, runs, strict=False)):
        neutral = _neutral(res, geo)
        prob = _p_junta(res, geo)
        prob[neutral] = np.nan
        _base_map(ax, geo, neutral)
        sc = _towns(ax, geo, prob, cmap="RdBu_r", vmin=0, vmax=1)
        end = pd.Timestamp(res.timeseries["date"].max())
        ax.set_title(f"{style.wrap(res.label, 36)}\non {end:%d %b %Y}", fontsize=9, color=style.colour(i))
    _finish(fig, axes, runs, len(runs), sc, "probability the junta holds the town", NOTE)
    style.heading(fig, "Probability that the junta holds each town at the end of the run")
    place_labels(fig, axes.flat[: len(runs)], geo, capitals)
    return style.save(fig, out / "map_junta_control.png")


def difference_maps(runs: list[Results], out: Path, geo: Geography | None = None) -> Path:
    """P(junta holds the town) in each run minus the same in the baseline (the first run)."""
    geo = geo or load_geography()
    compared = runs[1:]
    fig, axes = _panels(len(compared))
    base = _p_junta(runs[0], geo)
    base_neutral = _neutral(runs[0], geo)
    norm = TwoSlopeNorm(vcenter=0.0, vmin=-1.0, vmax=1.0)
    sc = None
    for i, (ax, res) in enumerate(zip(axes.flat, compared, strict=False), start=1):
        neutral = _neutral(res, geo) | base_neutral
        diff = _p_junta(res, geo) - base
        diff[neutral] = np.nan
        _base_map(ax, geo, neutral)
        changed = np.abs(np.nan_to_num(diff)) >= 0.05
        sc = _towns(ax, geo, diff, cmap="PuOr_r", norm=norm)
        ax.set_title(
            f"{style.wrap(res.label, 36)}\n{changed.sum()} towns change by 5 points or more",
            fontsize=9,
            color=style.colour(i),
        )
    _finish(
        fig,
        axes,
        runs,
        len(compared),
        sc,
        "P(junta holds the town): run minus baseline",
        f"Baseline: {runs[0].label}. Orange: the junta is more likely to hold the town than in the "
        "baseline; purple: less likely; white: no change. " + NOTE,
    )
    style.heading(
        fig, f"Probability that the junta holds each town: each run minus the baseline ({runs[0].label})"
    )
    place_labels(fig, axes.flat[: len(compared)], geo, np.flatnonzero(geo.capital))
    return style.save(fig, out / "map_difference.png")
