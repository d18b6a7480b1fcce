"""What every figure shares: run colours, grid layout, metric titles, the caption line."""

from __future__ import annotations

import math
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from sim.run.store import Results

# Nine distinguishable colours (Tableau 10 without its grey, kept for "no data" and references);
# beyond nine runs the colours repeat with other line styles.
PALETTE = tuple(c for i, c in enumerate(plt.get_cmap("tab10").colors) if i != 7)
DASHES = ("-", "--", ":", "-.")
SOURCE = "Source: myanmar-conflict-sim {version}, {n} per run; model and data in docs/ODD.md."
SPREAD = "Line: median; bands: 50 % and 90 % of replicates (25-75th and 5-95th percentiles)."

# metric: (title, unit label, scale applied before plotting)
METRICS = {
    "junta_area_share": ("Land of the townships the junta holds", "share of land area", 1.0),
    "junta_population_share": ("Population of the townships the junta holds", "share of population", 1.0),
    "junta_full_control_share": ("Land under full junta control", "share of land area", 1.0),
    "resistance_area_share": ("Land of the townships the resistance holds", "share of land area", 1.0),
    "resistance_population_share": (
        "Population of the townships the resistance holds",
        "share of population",
        1.0,
    ),
    "townships_junta": ("Townships held by the junta", "townships", 1.0),
    "townships_resistance": ("Townships held by the resistance", "townships", 1.0),
    "townships_neutral": ("Townships held by neutral groups", "townships", 1.0),
    "townships_contested": ("Contested townships (an armed opponent inside)", "townships", 1.0),
    "townships_junta_full": ("Townships under full junta control", "townships", 1.0),
    "outposts_lost": ("Junta outposts lost (cumulative)", "outposts", 1.0),
    "china_crossings_junta": ("China border gates the junta guards", "gates", 1.0),
    "displaced": ("Civilians newly displaced (cumulative)", "thousands of people", 1e-3),
    "junta_strength": ("Junta combat strength", "thousands of troops", 1e-3),
    "resistance_strength": ("Resistance strength", "thousands of fighters", 1e-3),
    "junta_casualties": ("Junta casualties (cumulative)", "killed and wounded", 1.0),
    "resistance_casualties": ("Resistance casualties (cumulative)", "killed and wounded", 1.0),
    "junta_surrendered": ("Junta troops surrendered (cumulative)", "troops", 1.0),
    "civilians_killed": ("Civilians killed by air strikes (cumulative)", "people", 1.0),
    "townships_junta_change": ("Change in junta-held townships", "townships (end - start)", 1.0),
    "townships_AA_change": ("Change in AA-held townships", "townships (end - start)", 1.0),
    "junta_area_share_change": ("Change in the junta's territory", "share of land area (end - start)", 1.0),
    "junta_full_control_share_change": (
        "Change in full junta control",
        "share of land area (end - start)",
        1.0,
    ),
}


def title(metric: str) -> str:
    return METRICS[metric][0] if metric in METRICS else metric.replace("_", " ")


def unit(metric: str) -> str:
    return METRICS[metric][1] if metric in METRICS else ""


def scale(metric: str) -> float:
    return METRICS[metric][2] if metric in METRICS else 1.0


def colour(i: int) -> tuple[float, float, float]:
    return PALETTE[i % len(PALETTE)]


def dash(i: int) -> str:
    return DASHES[(i // len(PALETTE)) % len(DASHES)]


def grid(n: int, max_cols: int) -> tuple[int, int]:
    """Rows and columns for n panels, wrapping after max_cols."""
    cols = max(1, min(n, max_cols))
    return math.ceil(n / cols), cols


def wrap(label: str, width: int = 28) -> str:
    """A label wrapped to `width` characters a line, keeping the line breaks it has."""
    return "\n".join(part for line in label.splitlines() for part in textwrap.wrap(line, width)) or label


def source(runs: list[Results]) -> str:
    version = runs[0].manifest.get("package_version", "")
    counts = sorted({r.end_state.shape[0] for r in runs})
    n = f"{counts[0]} replicates" if len(counts) == 1 else f"{counts[0]} to {counts[-1]} replicates"
    unfinished = [r for r in runs if r.manifest.get("status") not in (None, "complete")]
    note = "".join(
        f" UNFINISHED: {r.label} holds {r.end_state.shape[0]} of the {r.manifest.get('replicates')} "
        "replicates asked for."
        for r in unfinished
    )
    return SOURCE.format(version=version, n=n) + note


def figure(rows: int, cols: int, width: float, height: float, **kw):
    """A constrained-layout figure of rows x cols panels (always a 2-D array of axes)."""
    return plt.subplots(rows, cols, figsize=(width, height), squeeze=False, layout="constrained", **kw)


def footnote(fig, *notes: str) -> None:
    """Grey notes at the foot of a constrained-layout figure, wrapped to its width, with room kept."""
    width_in, height_in = fig.get_size_inches()
    chars = int(width_in * 72 / 4.3)  # 7-point text: about 4 points a character
    lines = [line for note in notes for line in textwrap.wrap(note, chars)]
    fig.text(0.01, 0.004, "\n".join(lines), fontsize=7, color="0.35", va="bottom", ha="left")
    bottom = (len(lines) * 8.5 + 4) / 72 / height_in
    fig.get_layout_engine().set(rect=(0, bottom, 1, 1 - bottom))


def legend_above_footnote(fig, handles: list) -> None:
    """A one-row legend for the whole figure, between the panels and the footnote."""
    engine = fig.get_layout_engine()
    _, bottom, _, height = engine.get()["rect"]
    legend = fig.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, bottom),
        ncols=len(handles),
        fontsize=8,
        frameon=False,
    )
    legend.set_in_layout(False)
    room = 0.3 / fig.get_size_inches()[1]
    engine.set(rect=(0, bottom + room, 1, height - room))


def heading(fig, text: str, size: float = 11) -> None:
    """The figure's title, wrapped to its width."""
    chars = int(fig.get_size_inches()[0] * 72 / (0.6 * size))
    fig.suptitle(wrap(text, chars), fontsize=size)


def save(fig, path):
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path
