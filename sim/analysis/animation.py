"""One replicate on the map, day by day, rebuilt from its record of every change of hands.

The map of day d is the initial control of the scenario's map with every row of
`control_changes` up to and including day d applied in order, which is what the
model held at the end of that day (the daily metrics are recorded at the same
moment). `TownshipMap` draws such a map; the explorer (`sim explore`) reuses it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.animation as manimation
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from sim.analysis import shapes
from sim.errors import UserError
from sim.run.store import Results
from sim.world.factions import FACTIONS, SIDE, SIDES
from sim.world.geography import Geography, load_geography

JUNTA_COLOUR = "#b2182b"
# resistance factions in cool and earthy colours, neutral groups in greys
_RESISTANCE_COLOURS = ("#2166ac", "#1b9e77", "#e6ab02", "#7570b3", "#e7298a", "#a6761d", "#66a61e", "#4393c3")
_NEUTRAL_COLOURS = ("#8c8c8c", "#a8a8a8", "#737373", "#bdbdbd")
SIDE_COLOURS = {"junta": JUNTA_COLOUR, "resistance": "#2166ac", "neutral": "#8c8c8c"}


def faction_colours() -> dict[str, str]:
    """A colour per faction code: the junta red, resistance factions distinct, neutral groups grey."""
    out, res, neu = {}, iter(_RESISTANCE_COLOURS), iter(_NEUTRAL_COLOURS)
    for code, side in zip(FACTIONS, SIDE, strict=True):
        if SIDES[side] == "junta":
            out[code] = JUNTA_COLOUR
        elif SIDES[side] == "resistance":
            out[code] = next(res, "#2166ac")
        else:
            out[code] = next(neu, "#8c8c8c")
    return out


COLOURS = faction_colours()


def holders_by_day(
    ids: Sequence[str], initial: Sequence[str], changes: pd.DataFrame, days: int
) -> np.ndarray:
    """(days, towns) faction indices (into FACTIONS): who held each town at the end of each day."""
    town = {t: i for i, t in enumerate(ids)}
    holder = np.array([FACTIONS.index(c) for c in initial], dtype=np.int16)
    out = np.empty((days, len(ids)), dtype=np.int16)
    rows = changes.sort_values("day", kind="stable") if len(changes) else changes
    day = rows["day"].to_numpy() if len(rows) else np.zeros(0, dtype=int)
    where = [town[t] for t in rows["pcode"]] if len(rows) else []
    to = [FACTIONS.index(c) for c in rows["to"]] if len(rows) else []
    k = 0
    for d in range(days):
        while k < len(day) and day[k] <= d:
            holder[where[k]] = to[k]
            k += 1
        out[d] = holder
    return out


def side_counts(holders: np.ndarray) -> dict[str, np.ndarray]:
    """Towns held by each side on each day of a (days, towns) holder array."""
    sides = SIDE[holders]
    return {name: (sides == k).sum(axis=1) for k, name in enumerate(SIDES)}


class TownshipMap:
    """Townships coloured by holder, state outlines, capitals named; `show` recolours them and
    can mark the troops standing at each seat."""

    def __init__(self, ax, geo: Geography, legend: bool = True, label_size: float = 6) -> None:
        self.ax, self.geo = ax, geo
        self.patches = shapes.townships(geo, facecolor="0.8", linewidth=0.1)
        ax.add_collection(self.patches)
        ax.add_collection(shapes.state_outlines(linewidths=0.4))
        self.troops = None
        for i in np.flatnonzero(geo.capital):
            ax.annotate(
                geo.seats[i], (geo.lon[i], geo.lat[i]), fontsize=label_size, xytext=(3, 2),
                textcoords="offset points",
                path_effects=[patheffects.withStroke(linewidth=1.5, foreground="white")], zorder=4,
            )  # fmt: skip
        self.stamp = ax.text(
            0.03, 0.985, "", transform=ax.transAxes, fontsize=12, fontweight="bold", va="top", zorder=4
        )
        shapes.frame(ax)
        ax.set_xticks([])
        ax.set_yticks([])
        self.legend = legend

    def show(self, holders: np.ndarray, stamp: str = "", sizes: np.ndarray | None = None) -> None:
        """Colour each township by its holder (faction indices); optional marker areas at the
        seats (the troops there)."""
        self.patches.set_facecolors([COLOURS[FACTIONS[h]] for h in holders])
        if sizes is not None:
            if self.troops is None:
                self.troops = self.ax.scatter(
                    self.geo.lon, self.geo.lat, s=sizes, facecolors="none", edgecolors="0.1", linewidths=0.5,
                    zorder=3,
                )  # fmt: skip
            self.troops.set_sizes(sizes)
        self.stamp.set_text(stamp)
        if self.legend:
            self.add_legend(sorted(set(int(h) for h in holders)))
            self.legend = False

    def add_legend(self, present: Sequence[int], **where) -> None:
        handles = [Patch(facecolor=COLOURS[FACTIONS[k]], edgecolor="0.3", linewidth=0.4) for k in present]
        self.ax.legend(
            handles,
            [FACTIONS[k] for k in present],
            fontsize=7,
            title="holder",
            title_fontsize=7,
            **(where or {"loc": "lower left"}),
        )


def initial_control(res: Results, geo: Geography) -> np.ndarray:
    """The control column of the map the run started from (manifest: run.initial_control)."""
    label = str(res.manifest["scenario"]["run"]["initial_control"])
    if label not in geo.control:
        raise UserError(f"{res.path}: initial control {label!r} is not a start in sim/data/start.csv")
    return geo.control[label]


def replicate_days(res: Results, replicate: int) -> pd.Series:
    """The dates of one replicate's days; a one-line error if the replicate is not there."""
    ts = res.timeseries
    dates = ts.loc[ts["replicate"] == replicate, "date"]
    if dates.empty:
        have = sorted(int(r) for r in ts["replicate"].unique())
        shown = f"{have[0]} to {have[-1]}" if have == list(range(have[0], have[-1] + 1)) else str(have)
        raise UserError(f"--replicate: {res.path} has no replicate {replicate}; it has {shown}")
    return pd.to_datetime(dates).reset_index(drop=True)


def replicate_holders(res: Results, replicate: int, geo: Geography | None = None) -> np.ndarray:
    """(days, towns) holders of one replicate, rebuilt from control_changes."""
    geo = geo or load_geography()
    changes = res.control_changes
    if "day" not in changes.columns:
        raise UserError(f"{res.path}: has no control_changes table (written by an older version); rerun it")
    days = len(replicate_days(res, replicate))
    mine = changes[changes["replicate"] == replicate]
    return holders_by_day(geo.ids, initial_control(res, geo), mine, days)


def frame_days(days: int, every: int) -> list[int]:
    """Every `every`-th day, the last day always included."""
    picked = list(range(0, days, every))
    if picked[-1] != days - 1:
        picked.append(days - 1)
    return picked


def writer_for(out: Path, fps: int) -> manimation.AbstractMovieWriter:
    """Pillow for .gif; ffmpeg for .mp4 only where it is installed."""
    suffix = out.suffix.lower()
    if suffix == ".gif":
        return manimation.PillowWriter(fps=fps)
    if suffix == ".mp4":
        if not manimation.writers.is_available("ffmpeg"):
            raise UserError(f"--out: {out}: writing .mp4 needs ffmpeg on the PATH (not found); write a .gif")
        return manimation.FFMpegWriter(fps=fps, codec="h264", extra_args=["-pix_fmt", "yuv420p"])
    raise UserError(f"--out: {out}: must end in .gif or .mp4")


def animation_figure(res: Results, replicate: int, geo: Geography, holders: np.ndarray):
    """The figure and its per-frame update function: map above, townships held per day beneath."""
    dates = replicate_days(res, replicate)
    counts = side_counts(holders)
    fig = Figure(figsize=(4.8, 8.6), layout="constrained")
    ax_map, ax_line = fig.subplots(2, 1, height_ratios=(4.2, 1))
    town_map = TownshipMap(ax_map, geo, legend=False)
    town_map.add_legend(np.unique(holders).tolist())
    ax_map.set_title(f"{res.label}\nreplicate {replicate}: who holds each township", fontsize=10)
    lines = {}
    for side, values in counts.items():
        if values.max() == 0:
            continue
        ax_line.plot(dates, values, color=SIDE_COLOURS[side], lw=0.8, alpha=0.25)
        (lines[side],) = ax_line.plot([], [], color=SIDE_COLOURS[side], lw=1.8, label=side)
    marker = ax_line.axvline(dates.iloc[0], color="0.3", lw=0.8)
    ax_line.set_xlim(dates.iloc[0], dates.iloc[-1])
    ax_line.set_ylim(0, max(v.max() for v in counts.values()) * 1.08)
    ax_line.set_ylabel("townships held", fontsize=8)
    ax_line.tick_params(labelsize=7)
    locator = mdates.AutoDateLocator(maxticks=6)
    ax_line.xaxis.set_major_locator(locator)
    ax_line.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax_line.legend(fontsize=7, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3, frameon=False)
    ax_line.grid(alpha=0.3)
    fig.get_layout_engine().execute(fig)
    fig.set_layout_engine("none")  # frozen: every frame has the same layout

    def update(day: int) -> None:
        town_map.show(holders[day], f"{dates.iloc[day]:%d %b %Y}  (day {day})")
        for side, line in lines.items():
            line.set_data(dates.iloc[: day + 1], counts[side][: day + 1])
        marker.set_xdata([dates.iloc[day]] * 2)

    return fig, update


def animate(res: Results, replicate: int, out: Path, fps: int = 12, every: int = 1, dpi: int = 80) -> int:
    """Write one replicate's days as a GIF or MP4; returns the number of frames.

    Written to a hidden temporary file and renamed, so a failure leaves no partial file.
    """
    out = Path(out)
    writer = writer_for(out, fps)
    geo = load_geography()
    holders = replicate_holders(res, replicate, geo)
    fig, update = animation_figure(res, replicate, geo, holders)
    days = frame_days(len(holders), every)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.stem}.tmp{out.suffix}")
    try:
        with writer.saving(fig, str(tmp), dpi):
            for day in days:
                update(day)
                writer.grab_frame()
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return len(days)


def save_frame(res: Results, replicate: int, day: int, out: Path, dpi: int = 110) -> Path:
    """One day of the animation as a PNG (the README's figure)."""
    geo = load_geography()
    holders = replicate_holders(res, replicate, geo)
    if not -len(holders) <= day < len(holders):
        raise UserError(f"--day: replicate {replicate} has days 0 to {len(holders) - 1} (or -1 for the last)")
    fig, update = animation_figure(res, replicate, geo, holders)
    update(range(len(holders))[day])  # negative: from the end
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.stem}.tmp{out.suffix}")
    try:
        fig.savefig(tmp, dpi=dpi)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out
