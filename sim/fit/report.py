"""What a fit pinned, and how its posterior reproduces what it was fitted on.

`pinned` compares each fitted number's posterior 90 % interval with its prior's: a ratio of
1 means the record said nothing about it (and where in the prior the posterior's median
lies, 0 to 1, shows a lean the interval may not). A sample of n particles from a flat posterior
would show a ratio below 1 by chance alone; a number counts as pinned only when its ratio
is below the 5th percentile of what a flat posterior shows with n the distinct particles
(fewer than the particles after resampling, and fewer than the effective sample size).
`predictive` runs fresh replicates of the posterior (one particle by weight each, with seeds
of their own) for the posterior predictive check of every training target.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.fit.fit import Fit
from sim.scenario.posterior import weighted_quantile

NULL_DRAWS = 2000
STREAM = 0x99C  # the predictive check's seeds: apart from the fit's (seed, t, i)


def flat_ratio(ess: float, seed: int) -> float:
    """5th percentile of the 90 % interval's share of the prior for a flat posterior of `ess`."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, STREAM, 1]))
    n = max(2, round(ess))
    draws = rng.random((NULL_DRAWS, n))
    ratio = (np.quantile(draws, 0.95, axis=1) - np.quantile(draws, 0.05, axis=1)) / 0.9
    return float(np.quantile(ratio, 0.05))


def pinned(fit: Fit) -> pd.DataFrame:
    """One row per fitted number: prior, posterior median and 90 % interval, the interval's
    share of the prior's, and whether that is narrower than a flat posterior's would be."""
    last = fit.last
    floor = flat_ratio(min(last.ess, last.unique), fit.settings.seed)
    values = fit.box.values(last.u)
    rows = []
    for k, name in enumerate(fit.box.names):
        u, x, w = last.u[:, k], values[:, k], last.weight
        ratio = (weighted_quantile(u, w, 0.95) - weighted_quantile(u, w, 0.05)) / 0.9
        rows.append(
            {
                "parameter": name,
                "prior": f"{fit.box.low[k]:.3g} to {fit.box.high[k]:.3g}"
                + (" (log)" if fit.box.log[k] else ""),
                "hand value": float(fit.scenario_value(name)),
                "median": weighted_quantile(x, w, 0.5),
                "q05": weighted_quantile(x, w, 0.05),
                "q95": weighted_quantile(x, w, 0.95),
                "spread / prior": ratio,
                "median in prior": weighted_quantile(u, w, 0.5),  # 0.5: where the prior's is
                "pinned": bool(ratio < floor),
            }
        )
    table = pd.DataFrame(rows)
    table.attrs["flat"] = floor
    return table


def schedule(fit: Fit) -> pd.DataFrame:
    """One row per generation: tolerance, passes of moves and the share accepted, effective
    sample size and distinct particles, cost."""
    return pd.DataFrame(
        [
            {
                "generation": g.t,
                "epsilon": g.epsilon,
                "passes": g.moves,
                "acceptance": g.acceptance,
                "ESS": g.ess,
                "distinct": g.unique,
                "simulations": g.simulations,
                "seconds": round(g.seconds),
            }
            for g in fit.generations
        ]
    )


def predictive(fit: Fit, run, n: int) -> np.ndarray:
    """Training summaries of `n` fresh replicates of the posterior (rows)."""
    seeds = [np.random.SeedSequence([fit.settings.seed, STREAM], spawn_key=(j,)) for j in range(n)]
    cum = np.cumsum(fit.last.weight)
    picks = [
        min(
            int(np.searchsorted(cum, np.random.default_rng(s.spawn(1)[0]).random() * cum[-1], side="right")),
            len(cum) - 1,
        )
        for s in seeds
    ]
    return run(fit.last.u[picks], seeds)
