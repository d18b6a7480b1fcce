"""Scenario discovery: which ranges of a run's drawn inputs lead to an outcome.

PRIM (Friedman & Fisher 1999, Statistics and Computing 9(2)) as EMA Workbench implements
it (Kwakkel 2017, Environmental Modelling & Software 96), the method of Bryant & Lempert
(2010, Technological Forecasting and Social Change 77(1)): peel the box of inputs that
holds the replicates of interest, trading how many of them it covers (coverage) against
how pure it is (density). The inputs are what every replicate drew (`parameters.parquet`:
the file's distributions and the posterior's particles); the outcome is a condition on an
end-state metric, e.g. `townships_junta_change>0`.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.metrics import END_METRICS
from sim.analysis.summary import end_metrics
from sim.errors import UserError
from sim.run.store import Results

OPS = {"<=": np.less_equal, ">=": np.greater_equal, "<": np.less, ">": np.greater}
PATTERN = re.compile(r"^\s*([A-Za-z_]+)\s*(<=|>=|<|>)\s*(-?[0-9.]+(?:e-?[0-9]+)?)\s*$")


@dataclass(frozen=True)
class Outcome:
    metric: str
    op: str
    value: float

    def __str__(self) -> str:
        return f"{self.metric} {self.op} {self.value:g}"


def parse_outcome(text: str) -> Outcome:
    """METRIC OP NUMBER, METRIC an end-state metric of `sim run` (one line if not)."""
    match = PATTERN.match(text)
    if not match:
        raise UserError(
            f"--outcome {text!r}: write METRIC<NUMBER (or <=, >, >=), e.g. townships_junta_change>0"
        )
    metric, op, value = match[1], match[2], float(match[3])
    if metric not in END_METRICS:
        raise UserError(f"--outcome: unknown metric {metric!r}; one of " + ", ".join(END_METRICS))
    return Outcome(metric, op, value)


def cases(res: Results, outcome: Outcome) -> tuple[pd.DataFrame, np.ndarray]:
    """The drawn inputs that vary (one row per replicate) and whether each replicate meets
    the outcome."""
    params = res.parameters
    if params is None or params.empty:
        raise UserError(f"{res.path}: holds no drawn inputs (parameters.parquet); rerun it with this version")
    x = params.set_index("replicate").sort_index().drop(columns=["particle"], errors="ignore")
    x = x.loc[:, x.nunique() > 1]
    if x.empty:
        raise UserError(f"{res.path}: no input varies between its replicates; nothing to discover")
    values = end_metrics(res)[outcome.metric].reindex(x.index)
    y = OPS[outcome.op](values.to_numpy(float), outcome.value)
    if y.all() or not y.any():
        share = "every" if y.all() else "no"
        raise UserError(f"--outcome {outcome}: {share} replicate meets it; choose a threshold between")
    return x, y


@dataclass
class Discovery:
    outcome: Outcome
    trajectory: pd.DataFrame  # one row per box: coverage, density, mass, res_dim
    chosen: int
    limits: pd.DataFrame  # restricted inputs of the chosen box
    share: float  # replicates meeting the outcome


def discover(x: pd.DataFrame, y: np.ndarray, outcome: Outcome, density: float) -> Discovery:
    """PRIM's peeling trajectory and the box with the widest coverage at `density` or above
    (the densest where none reaches it)."""
    try:
        with warnings.catch_warnings():  # it warns about optional parallel back-ends at import
            warnings.simplefilter("ignore")
            from ema_workbench.analysis import prim
    except ImportError:
        raise UserError(
            "sim discover needs the optional extra: pip install 'myanmar-conflict-sim[discover]'"
        ) from None
    import logging

    logging.getLogger("EMA").setLevel(logging.WARNING)
    with warnings.catch_warnings():  # its own pandas deprecations, nothing a user can act on
        warnings.simplefilter("ignore")
        box = prim.Prim(x, y, peel_alpha=0.05, paste_alpha=0.05, mass_min=0.05).find_box()
    trajectory = box.peeling_trajectory[["coverage", "density", "mass", "res_dim"]].reset_index(drop=True)
    dense = trajectory[trajectory["density"] >= density]
    chosen = int(dense["coverage"].idxmax() if len(dense) else trajectory["density"].idxmax())
    _, lims = box.inspect(chosen, style="data")[0]
    rows = []
    for name in lims.index:
        low, high = lims.loc[name].iloc[0], lims.loc[name].iloc[1]
        qp = lims.loc[name].iloc[2:].dropna()
        rows.append(
            {
                "input": name,
                "low": float(low),
                "high": float(high),
                "drawn from": float(x[name].min()),
                "drawn to": float(x[name].max()),
                "qp": float(qp.max()) if len(qp) else float("nan"),
            }
        )
    return Discovery(outcome, trajectory, chosen, pd.DataFrame(rows), float(np.mean(y)))


def figures(disc: Discovery, out: Path, title: str) -> list[Path]:
    """The trade-off (coverage against density along the peeling) and the chosen box."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = disc.trajectory
    fig, ax = plt.subplots(figsize=(6, 4.5))
    points = ax.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", s=18)
    ax.scatter(
        t["coverage"][disc.chosen], t["density"][disc.chosen], s=120, facecolors="none", edgecolors="r"
    )
    fig.colorbar(points, ax=ax, label="inputs restricted")
    ax.set_xlabel("coverage (share of the replicates of interest inside the box)")
    ax.set_ylabel("density (share of the box's replicates of interest)")
    ax.set_title(f"{title}\n{disc.outcome}: {disc.share:.0%} of replicates; red: the box chosen", fontsize=9)
    fig.tight_layout()
    paths = [out / "tradeoff.png"]
    fig.savefig(paths[0], dpi=120)
    plt.close(fig)
    lim = disc.limits
    fig, ax = plt.subplots(figsize=(7, 0.5 * len(lim) + 1.6))
    for k, (_, row) in enumerate(lim.iterrows()):
        first, span = row["drawn from"], (row["drawn to"] - row["drawn from"]) or 1.0
        ax.barh(
            k, (row["high"] - row["low"]) / span, left=(row["low"] - first) / span, color="#1f77b4", alpha=0.7
        )
        ax.text(1.02, k, f"{row['low']:.3g} to {row['high']:.3g}", va="center", fontsize=8)
    ax.set_yticks(range(len(lim)), [n.removeprefix("model.") for n in lim["input"]], fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_xlabel("position in the range the replicates drew (0 = lowest drawn, 1 = highest)")
    row = t.iloc[disc.chosen]
    ax.set_title(
        f"{title}\nbox for {disc.outcome}: coverage {row.coverage:.0%}, density {row.density:.0%}", fontsize=9
    )
    ax.invert_yaxis()
    fig.tight_layout()
    paths.append(out / "box.png")
    fig.savefig(paths[1], dpi=120)
    plt.close(fig)
    return paths
