"""Summaries of outcome distributions and paired comparisons between runs.

One convention for every table and figure: the spread of an outcome over
replicates is its median and 5-95 % range (90 % of replicates); a difference
between two runs is "run minus baseline", paired by replicate seed, as a mean
with a 95 % confidence interval (Student's t).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.metrics import CHANGES, HEADLINE
from sim.run.store import Results

LOW, HIGH = 0.05, 0.95  # quantiles of the spread over replicates
LEVEL = 0.95  # confidence level of a difference's interval
SPREAD_TEXT = "median and 5-95 % range of replicates"
DIFF_TEXT = "run minus baseline, paired by seed: mean and 95 % confidence interval (Student's t)"


def is_count(metric: str) -> bool:
    """Counts (towns, troops, people) print as whole numbers; shares (0..1) do not."""
    return "share" not in metric


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
    """Median and 5-95 % range of each column."""
    return pd.DataFrame({"median": values.median(), "p5": values.quantile(LOW), "p95": values.quantile(HIGH)})


def t_quantile(level: float, df):
    """The two-sided `level` quantile of Student's t with `df` degrees of freedom: a mean of few
    replicates needs it (the normal's 1.96 is too narrow: t is 4.30 at 2 replicates, 2.13 at 16)."""
    # scipy.special, imported here: every `sim run` reads this module before its workers start
    from scipy.special import stdtrit

    return stdtrit(df, 0.5 + level / 2)


def paired_difference(base: pd.DataFrame, other: pd.DataFrame, level: float = LEVEL) -> pd.DataFrame:
    """Mean of other - base over replicates with the same seed, with a `level` confidence interval.

    Common random numbers make replicate r of both runs share its seed, so the
    paired difference has far less noise than the difference of two means.
    """
    common = base.index.intersection(other.index)
    diff = other.loc[common] - base.loc[common]
    n = len(diff)
    mean = diff.mean()
    half = t_quantile(level, n - 1) * diff.std(ddof=1) / np.sqrt(n) if n > 1 else mean * np.nan
    return pd.DataFrame({"diff_mean": mean, "diff_low": mean - half, "diff_high": mean + half, "pairs": n})


def unpaired_difference(base: pd.DataFrame, other: pd.DataFrame, level: float = LEVEL) -> pd.DataFrame:
    """Difference of the means of two independent samples (runs of different seeds), with
    Welch's interval (t with the Welch-Satterthwaite degrees of freedom)."""
    mean = other.mean() - base.mean()
    va, vb = other.var(ddof=1) / len(other), base.var(ddof=1) / len(base)
    se = np.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (len(other) - 1) + vb**2 / (len(base) - 1))
    half = t_quantile(level, df) * se
    return pd.DataFrame({"diff_mean": mean, "diff_low": mean - half, "diff_high": mean + half, "pairs": 0})


def paired(a: Results, b: Results) -> bool:
    """Runs share their seeds (common random numbers), so replicate r pairs with replicate r."""
    return a.manifest.get("seed") == b.manifest.get("seed")


def differences(runs: list[Results]) -> dict[str, pd.DataFrame]:
    """Each run after the first minus the first (the baseline), by run label."""
    ends = [end_metrics(r) for r in runs]
    out = {}
    for res, end in zip(runs[1:], ends[1:], strict=True):
        diff = paired_difference if paired(runs[0], res) else unpaired_difference
        out[res.label] = diff(ends[0], end)
    return out


# Column names that say what is subtracted from what, and which interval.
DIFF_COLUMNS = (
    "run minus baseline: mean",
    "run minus baseline: 95 % CI low",
    "run minus baseline: 95 % CI high",
)


def compare_table(runs: list[Results]) -> pd.DataFrame:
    """Long table, metric by metric: each run's median and 5-95 % range, and its difference
    from the first run (the baseline; its own difference cells are empty)."""
    ends = [end_metrics(r) for r in runs]
    diffs = differences(runs)
    mean_col, low_col, high_col = DIFF_COLUMNS
    rows = []
    for metric in ends[0].columns:
        for i, (res, end) in enumerate(zip(runs, ends, strict=True)):
            summary = summarise(end[[metric]])
            diff = diffs.get(res.label) if i else None
            rows.append(
                {
                    "run": res.label,
                    "role": "baseline" if i == 0 else "compared",
                    "metric": metric,
                    "replicates": len(end),
                    "median": summary.loc[metric, "median"],
                    "p5": summary.loc[metric, "p5"],
                    "p95": summary.loc[metric, "p95"],
                    mean_col: np.nan if diff is None else diff.loc[metric, "diff_mean"],
                    low_col: np.nan if diff is None else diff.loc[metric, "diff_low"],
                    high_col: np.nan if diff is None else diff.loc[metric, "diff_high"],
                    "paired": "" if diff is None else ("yes" if diff["pairs"].iloc[0] else "no"),
                }
            )
    return pd.DataFrame(rows)


def compare_caption(runs: list[Results]) -> str:
    """What the comparison table's columns mean, naming the baseline."""
    return (
        f"Baseline: {runs[0].label}. median, p5, p95: the median and 5-95 % range (5th and 95th "
        "percentiles) of each run's replicates. 'run minus baseline' columns: mean of the differences "
        "between replicates with the same seed and its 95 % confidence interval (Student's t); "
        "'paired: no' where the seeds differ (then the difference of the two means). Shares are in 0..1, "
        "counts are whole numbers, <metric>_change is end minus start."
    )


def _fmt(x, kind: str | None = None, diff: bool = False) -> str:
    """A number for a table: kind "count" whole (one decimal for a difference),
    "share" three decimals, None by size; differences signed."""
    if pd.isna(x):
        return ""
    sign = "+" if diff else ""
    if kind == "count":
        return f"{x:{sign},.{1 if diff else 0}f}"
    if kind == "share":
        return f"{x:{sign}.3f}"
    if float(x).is_integer() or abs(x) >= 1000:
        return f"{x:{sign},.0f}"
    return f"{x:{sign}.1f}" if abs(x) >= 10 else f"{x:{sign}.3f}"


def kind(metric: str) -> str:
    return "count" if is_count(metric) else "share"


def format_compare(table: pd.DataFrame) -> pd.DataFrame:
    """The comparison table as text cells: counts whole, shares to 3 decimals, signed differences."""
    out = table.drop(columns=["role"]).astype(object)
    for i, row in table.iterrows():
        for col in ("median", "p5", "p95"):
            out.at[i, col] = _fmt(row[col], kind(row["metric"]))
        for col in DIFF_COLUMNS:
            out.at[i, col] = _fmt(row[col], kind(row["metric"]), diff=True)
    return out


_NUMBER = re.compile(r"^[+-]?[\d,]*\.?\d+$")


def to_markdown(table: pd.DataFrame, caption: str | None = None) -> str:
    """A GitHub-flavoured Markdown table (pandas with tabulate), numbers shortened and
    right-aligned, with an optional caption line above it."""
    cells = table.astype(object).map(lambda v: _fmt(v) if isinstance(v, float | np.floating) else str(v))
    align = [
        "right" if all(_NUMBER.match(v) for v in cells[c] if v) and any(cells[c]) else "left"
        for c in cells.columns
    ]
    text = cells.to_markdown(index=False, disable_numparse=True, colalign=align) + "\n"
    return f"{caption}\n\n{text}" if caption else text


def text_summary(res: Results) -> str:
    """The end state of a run as a short aligned text table."""
    s = summarise(end_metrics(res))
    width = max(len(m) for m in s.index)
    lines = [
        f"{res.label}: {res.end_state.shape[0]} replicates, end {res.timeseries['date'].max():%Y-%m-%d}",
        f"  {'metric':<{width}}  {'median':>12}  {'5-95 % of replicates':>25}",
    ]
    for metric, row in s.iterrows():
        k = kind(str(metric))
        spread = _fmt(row["p5"], k) + " .. " + _fmt(row["p95"], k)
        lines.append(f"  {metric:<{width}}  {_fmt(row['median'], k):>12}  {spread:>25}")
    return "\n".join(lines)


def write_table(
    table: pd.DataFrame, out: Path, stem: str, caption: str | None = None, cells: pd.DataFrame | None = None
) -> tuple[Path, Path]:
    """The same table as CSV (for scripts, full precision) and Markdown (for reports: `cells`,
    already formatted, if given), the caption above the Markdown table."""
    out.mkdir(parents=True, exist_ok=True)
    csv_path, md_path = out / f"{stem}.csv", out / f"{stem}.md"
    table.to_csv(csv_path, index=False)
    md_path.write_text(to_markdown(table if cells is None else cells, caption), encoding="utf-8")
    return csv_path, md_path
