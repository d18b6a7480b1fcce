"""Maps of the end state: P(junta holds each town) per run, and its change from a baseline."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib import pyplot as plt
from matplotlib.colors import TwoSlopeNorm

from sim.analysis import shapes, style
from sim.run.store import Results
from sim.world.geography import Geography, load_geography

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
    "Each of the 330 townships coloured by who holds its seat; hatched grey: held by neutral groups "
    "(UWSA, NDAA) in every replicate. Dark lines: state and region borders. Labels: state and "
    "region capitals. " + shapes.CREDIT
)


def _p_junta(res: Results, geo: Geography) -> np.ndarray:
    fc = res.final_control
    p = (fc["side"] == "junta").groupby(fc["pcode"]).mean()
    return p.reindex(list(geo.ids)).to_numpy(float, copy=True)


def _neutral(res: Results, geo: Geography) -> np.ndarray:
    fc = res.final_control
    always = (fc["side"] == "neutral").groupby(fc["pcode"]).mean() == 1
    return always.reindex(list(geo.ids)).astype("boolean").fillna(False).to_numpy(bool)


def _choropleth(ax, geo: Geography, values: np.ndarray, neutral: np.ndarray, **kw):
    """The townships coloured by `values` (neutral ones hatched grey), the states outlined."""
    shown = np.ma.masked_invalid(np.where(neutral, np.nan, values))
    cmap = plt.get_cmap(kw.pop("cmap")).with_extremes(bad="0.85")
    patches = shapes.townships(geo, cmap=cmap, **kw)
    patches.set_array(shown)
    ax.add_collection(patches)
    if neutral.any():
        ax.add_collection(shapes.townships(geo, neutral, facecolor="none", edgecolor="0.5", hatch="////"))
    ax.add_collection(shapes.state_outlines())
    shapes.frame(ax)
    return patches


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
                geo.seats[i],
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
    """Each township coloured by the probability the junta holds it at the end, a panel per
    run, wrapping after four panels."""
    geo = geo or load_geography()
    fig, axes = _panels(len(runs))
    sc = None
    capitals = np.flatnonzero(geo.capital)
    for i, (ax, res) in enumerate(zip(axes.flat, runs, strict=False)):
        sc = _choropleth(ax, geo, _p_junta(res, geo), _neutral(res, geo), cmap="RdBu_r", clim=(0, 1))
        end = pd.Timestamp(res.timeseries["date"].max())
        ax.set_title(f"{style.wrap(res.label, 36)}\non {end:%d %b %Y}", fontsize=9, color=style.colour(i))
    _finish(fig, axes, runs, len(runs), sc, "probability the junta holds the township", NOTE)
    style.heading(fig, "Probability that the junta holds each township at the end of the run")
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
        changed = np.abs(np.nan_to_num(np.where(neutral, 0.0, diff))) >= 0.05
        sc = _choropleth(ax, geo, diff, neutral, cmap="PuOr_r", norm=norm)
        ax.set_title(
            f"{style.wrap(res.label, 36)}\n{changed.sum()} townships change by 5 points or more",
            fontsize=9,
            color=style.colour(i),
        )
    _finish(
        fig,
        axes,
        runs,
        len(compared),
        sc,
        "P(junta holds the township): run minus baseline",
        f"Baseline: {runs[0].label}. Orange: the junta is more likely to hold the township than in the "
        "baseline; purple: less likely; white: no change. " + NOTE,
    )
    style.heading(
        fig, f"Probability that the junta holds each township: each run minus the baseline ({runs[0].label})"
    )
    place_labels(fig, axes.flat[: len(compared)], geo, np.flatnonzero(geo.capital))
    return style.save(fig, out / "map_difference.png")
