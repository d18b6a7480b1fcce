"""The fit's figures: each fitted number's marginal, the pairs of the best-pinned ones, and
the posterior predictive check of every training target against the prior's."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from sim.fit.fit import Fit

PAIRS = 6


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _label(name: str) -> str:
    return name.removeprefix("model.")


def marginals(fit: Fit, table: pd.DataFrame, out: Path, title: str) -> Path:
    """Weighted histogram of each fitted number over its prior's range."""
    plt = _plt()
    names = fit.box.names
    cols = 4
    rows = math.ceil(len(names) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(12, 2.3 * rows), squeeze=False)
    w = fit.last.weight
    values = fit.box.values(fit.last.u)
    for k, ax in enumerate(list(axes.flat)[: len(names)]):
        row = table.iloc[k]
        lo, hi, log = fit.box.low[k], fit.box.high[k], bool(fit.box.log[k])
        bins = np.geomspace(lo, hi, 16) if log else np.linspace(lo, hi, 16)
        ax.hist(values[:, k], bins=bins, weights=w, color="#1f77b4", alpha=0.8)
        ax.axvspan(row["q05"], row["q95"], color="#ff7f0e", alpha=0.15, lw=0)
        ax.axvline(row["hand value"], color="0.2", lw=1, ls=":")
        if log:
            ax.set_xscale("log")
        ax.set_xlim(lo, hi)
        ticks = [lo, math.sqrt(lo * hi) if log else (lo + hi) / 2, hi]  # the ends and the middle
        ax.set_xticks(ticks, [f"{t:.3g}" for t in ticks])
        ax.set_xticks([], minor=True)
        ax.set_yticks([])
        ax.tick_params(labelsize=7)
        ax.set_title(_label(names[k]) + ("  (pinned)" if row["pinned"] else ""), fontsize=8)
    for ax in list(axes.flat)[len(names) :]:
        ax.axis("off")
    fig.suptitle(title, fontsize=10)
    fig.text(
        0.01,
        0.004,
        f"{len(w)} particles ({fit.last.unique} distinct) of generation {fit.last.t}; x axis: the "
        "prior's range (log where the prior is log-uniform); shaded: posterior 5-95 %; dotted: the hand "
        "value.\nPinned: 90 % interval narrower than a flat posterior of as many distinct particles "
        "shows in 95 % of draws.",
        fontsize=7,
        color="0.35",
    )
    fig.tight_layout(rect=(0, 0.04, 1, 0.97))
    path = out / "posterior.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def pairs(fit: Fit, table: pd.DataFrame, out: Path, title: str) -> Path:
    """Corner plot of the numbers the record narrowed most: correlations the posterior keeps."""
    plt = _plt()
    order = table.sort_values("spread / prior", kind="stable").index[:PAIRS].tolist()
    n = len(order)
    fig, axes = plt.subplots(n, n, figsize=(1.9 * n + 1, 1.9 * n + 1), squeeze=False)
    u, w = fit.last.u, fit.last.weight
    alpha = np.clip(w / w.max(), 0.05, 1.0)
    for i, a in enumerate(order):
        for j, b in enumerate(order):
            ax = axes[i][j]
            if j > i:
                ax.axis("off")
                continue
            if i == j:
                ax.hist(u[:, a], bins=15, range=(0, 1), weights=w, color="#1f77b4")
                ax.set_yticks([])
            else:
                ax.scatter(u[:, b], u[:, a], s=4, c="#1f77b4", alpha=alpha, lw=0)
                ax.set_ylim(0, 1)
                r = _weighted_corr(u[:, b], u[:, a], w)
                ax.text(0.03, 0.9, f"r={r:+.2f}", transform=ax.transAxes, fontsize=7)
            ax.set_xlim(0, 1)
            ax.tick_params(labelsize=6)
            if i == n - 1:
                ax.set_xlabel(_label(fit.box.names[b]), fontsize=7)
            if j == 0 and i > 0:
                ax.set_ylabel(_label(fit.box.names[a]), fontsize=7)
    fig.suptitle(
        title + "\naxes: position in the prior's range (0 to 1); r: weighted correlation", fontsize=9
    )
    fig.tight_layout()
    path = out / "pairs.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _weighted_corr(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    mx, my = w @ x, w @ y
    cov = w @ ((x - mx) * (y - my))
    sd = math.sqrt((w @ (x - mx) ** 2) * (w @ (y - my) ** 2))
    return float(cov / sd) if sd > 0 else 0.0


def predictive(fit: Fit, post: np.ndarray, out: Path, title: str) -> Path:
    """Observed against the posterior's and the prior's 5-95 % bands, target by target."""
    plt = _plt()
    train, prior = fit.training, fit.generations[0].summaries
    m = len(train.dates)
    fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(15, 5.2), gridspec_kw={"width_ratios": [1, 1, 1.4]})
    for ax, cols, label in ((ax1, slice(0, m), "townships the junta holds"),
                            (ax2, slice(m, 2 * m), "share of townships on the record's side")):  # fmt: skip
        x = np.arange(m)
        for sims, color, name in ((prior, "0.75", "prior"), (post, "#1f77b4", "posterior")):
            lo, mid, hi = np.percentile(sims[:, cols], [5, 50, 95], axis=0)
            ax.fill_between(x, lo, hi, color=color, alpha=0.4, lw=0, label=f"{name} 5-95 %")
            ax.plot(x, mid, color=color, lw=1.5)
        ax.plot(x, train.observed[cols], "o-", color="#d62728", ms=4, label="the record")
        ax.set_xticks(x, [d.strftime("%b %y") for d in train.dates], fontsize=7)
        ax.set_title(label, fontsize=9)
        ax.legend(fontsize=7)
    rest = list(range(2 * m, len(train.names)))
    scale = np.array(fit.scale)[rest]
    for sims, color, dy in ((prior, "0.6", 0.15), (post, "#1f77b4", -0.15)):
        z = (sims[:, rest] - train.observed[rest]) / scale
        lo, mid, hi = np.percentile(z, [5, 50, 95], axis=0)
        y = np.arange(len(rest)) + dy
        ax3.hlines(y, lo, hi, color=color, lw=2)
        ax3.plot(mid, y, "o", color=color, ms=3)
    ax3.axvline(0, color="#d62728", lw=1)
    ax3.set_yticks(np.arange(len(rest)), [train.names[k] for k in rest], fontsize=7)
    ax3.invert_yaxis()
    ax3.set_xlabel(
        "model - record, in units of the prior's median distance from the record\n"
        "(grey: prior, blue: posterior)",
        fontsize=8,
    )
    ax3.set_title("the other targets", fontsize=9)
    fig.suptitle(title, fontsize=10)
    fig.text(0.01, 0.005, f"posterior: {len(post)} fresh replicates, one particle each by weight; prior: "
             f"generation 0's {len(prior)} draws. Red: the record (observed/changes.csv and the dated "
             "figures).", fontsize=7, color="0.35")  # fmt: skip
    fig.tight_layout(rect=(0, 0.03, 1, 0.95))
    path = out / "predictive.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
