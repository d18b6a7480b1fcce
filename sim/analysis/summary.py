"""Summaries of outcome distributions and paired comparisons between runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.model.recorder import COLUMNS, FACTION_TOWNS
from sim.run.store import Results

# End-state metrics reported by `sim run`, `sim compare` and the tables.
HEADLINE = tuple(c for c in COLUMNS if c != "air_strikes" and c not in FACTION_TOWNS)

# Change over the run (end minus start) for stock metrics, named "<metric>_change".
CHANGES = ("towns_junta", "junta_area_share", "junta_full_control_share", "towns_AA")


def end_metrics(res: Results) -> pd.DataFrame:
    """One row per replicate: the last day's metrics plus their change since day 0."""
    return end_metrics_of(res.timeseries)


def end_metrics_of(ts: pd.DataFrame) -> pd.DataFrame:
    """`end_metrics` of a timeseries table."""
    end = ts[ts["day"] == ts["day"].max()].set_index("replicate").sort_index()
    start = ts[ts["day"] == 0].set_index("replicate").sort_index()
    out = end[list(HEADLINE)].astype(float)
    for col in CHANGES:
        out[f"{col}_change"] = end[col].astype(float) - start[col].astype(float)
    return out


def summarise(values: pd.DataFrame) -> pd.DataFrame:
    """Median and 10-90 % range of each column."""
    return pd.DataFrame(
        {
            "median": values.median(),
            "p10": values.quantile(0.10),
            "p90": values.quantile(0.90),
        }
    )


def paired_difference(base: pd.DataFrame, other: pd.DataFrame, z: float = 1.96) -> pd.DataFrame:
    """Mean of other - base over replicates with the same seed, with a 95 % interval.

    Common random numbers make replicate r of both runs share its seed, so the
    paired difference has far less noise than the difference of two means.
    """
    common = base.index.intersection(other.index)
    diff = other.loc[common] - base.loc[common]
    n = len(diff)
    mean = diff.mean()
    half = z * diff.std(ddof=1) / np.sqrt(n) if n > 1 else diff.mean() * np.nan
    return pd.DataFrame({"diff_mean": mean, "diff_low": mean - half, "diff_high": mean + half, "pairs": n})


def compare_table(runs: list[Results]) -> pd.DataFrame:
    """Long table: scenario x metric with median, 10-90 % and paired difference to the first run."""
    ends = [end_metrics(r) for r in runs]
    rows = []
    for res, end in zip(runs, ends, strict=True):
        summary = summarise(end)
        diff = paired_difference(ends[0], end)
        for metric in end.columns:
            rows.append(
                {
                    "scenario": res.label,
                    "metric": metric,
                    "median": summary.loc[metric, "median"],
                    "p10": summary.loc[metric, "p10"],
                    "p90": summary.loc[metric, "p90"],
                    "diff_mean": diff.loc[metric, "diff_mean"],
                    "diff_low": diff.loc[metric, "diff_low"],
                    "diff_high": diff.loc[metric, "diff_high"],
                }
            )
    return pd.DataFrame(rows)


def _fmt(x: float) -> str:
    if pd.isna(x):
        return ""
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.3f}"


def to_markdown(table: pd.DataFrame) -> str:
    """A GitHub-flavoured Markdown table (no optional dependency needed)."""
    cols = list(table.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for _, row in table.iterrows():
        cells = [_fmt(v) if isinstance(v, float | np.floating) else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def text_summary(res: Results) -> str:
    """The end state of a run as a short aligned text table."""
    s = summarise(end_metrics(res))
    width = max(len(m) for m in s.index)
    lines = [
        f"{res.label}: {res.end_state.shape[0]} replicates, end {res.timeseries['date'].max():%Y-%m-%d}",
        f"  {'metric':<{width}}  {'median':>12}  {'10-90 %':>25}",
    ]
    for metric, row in s.iterrows():
        spread = _fmt(row["p10"]) + " .. " + _fmt(row["p90"])
        lines.append(f"  {metric:<{width}}  {_fmt(row['median']):>12}  {spread:>25}")
    return "\n".join(lines)


def write_table(table: pd.DataFrame, out: Path, stem: str) -> tuple[Path, Path]:
    """The same table as CSV (for scripts) and Markdown (for reports)."""
    out.mkdir(parents=True, exist_ok=True)
    csv_path, md_path = out / f"{stem}.csv", out / f"{stem}.md"
    table.to_csv(csv_path, index=False)
    md_path.write_text(to_markdown(table), encoding="utf-8")
    return csv_path, md_path
