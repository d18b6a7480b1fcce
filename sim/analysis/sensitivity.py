"""Global sensitivity of an end-state metric to a scenario's uncertain parameters (SALib).

The parameters are those the scenario writes as distributions; their ranges
come from the distributions. Each sample point fixes them and runs the same
replicates (common random numbers); the metric is averaged over replicates,
and the share of the variance that is seed noise is reported next to the indices.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.errors import UserError
from sim.scenario import Scenario, schema
from sim.scenario.fields import get_path, is_distribution, leaves

METHODS = ("morris", "sobol")


def uncertain_parameters(scenario: Scenario) -> list[tuple[str, float, float]]:
    """(dotted key, low, high) of every parameter written as a distribution."""
    found: list[tuple[str, float, float]] = []
    for dotted, field in leaves(schema.FULL):
        d = get_path(scenario.data, dotted)
        if not is_distribution(d):
            continue
        if d["dist"] == "normal":
            lo = max(d["mean"] - 2 * d["sd"], d.get("low", -np.inf), field.low)
            hi = min(d["mean"] + 2 * d["sd"], d.get("high", np.inf), field.high)
        else:
            lo, hi = d["low"], d["high"]
        if hi > lo:
            found.append((dotted, float(lo), float(hi)))
    return found


@dataclass
class Sensitivity:
    table: pd.DataFrame
    noise_share: float
    points: int


def analyse(
    scenario: Scenario,
    run: Callable[[Scenario], pd.DataFrame],
    method: str,
    samples: int,
    metric: str,
    seed: int,
) -> Sensitivity:
    """Sample the uncertain parameters, run every point, and compute the indices."""
    try:
        from SALib.analyze import morris as morris_analyze
        from SALib.analyze import sobol as sobol_analyze
        from SALib.sample import morris as morris_sample
        from SALib.sample import sobol as sobol_sample
    except ImportError:
        raise UserError(
            "sim sensitivity needs the optional extra: pip install 'myanmar-conflict-sim[sensitivity]'"
        ) from None
    params = uncertain_parameters(scenario)
    if not params:
        raise UserError(f"{scenario.path}: no parameter is written as a distribution; nothing to vary")
    problem = {
        "num_vars": len(params),
        "names": [p[0] for p in params],
        "bounds": [[p[1], p[2]] for p in params],
    }
    if method == "morris":
        X = morris_sample.sample(problem, samples, num_levels=4, seed=seed)
    else:
        X = sobol_sample.sample(problem, samples, calc_second_order=False, seed=seed)
    means, noise = [], []
    if hasattr(run, "expect"):
        run.expect(len(X), f"{scenario.name}: {method}")
    for point in X:
        values = run(
            scenario.with_values({name: float(v) for name, v in zip(problem["names"], point, strict=True)})
        )
        y = values[metric].to_numpy(float)
        means.append(y.mean())
        noise.append(y.var(ddof=1) / len(y) if len(y) > 1 else 0.0)
    Y = np.asarray(means)
    total = Y.var(ddof=1) if len(Y) > 1 else 0.0
    noise_share = float(np.mean(noise) / total) if total > 0 else float("nan")
    lows, highs = [b[0] for b in problem["bounds"]], [b[1] for b in problem["bounds"]]
    if method == "morris":
        with warnings.catch_warnings(), np.errstate(all="ignore"):  # one trajectory: no sigma, no warning
            warnings.simplefilter("ignore", RuntimeWarning)
            res = morris_analyze.analyze(problem, X, Y, conf_level=0.95, num_resamples=200, seed=seed)
        table = pd.DataFrame(
            {
                "parameter": problem["names"],
                "low": lows,
                "high": highs,
                "mu_star": res["mu_star"],
                "mu_star_conf": res["mu_star_conf"],
                "sigma": res["sigma"],
            }
        )
        table = table.sort_values("mu_star", ascending=False)
    else:
        res = sobol_analyze.analyze(problem, Y, calc_second_order=False, num_resamples=200, seed=seed)
        table = pd.DataFrame(
            {
                "parameter": problem["names"],
                "low": lows,
                "high": highs,
                "S1": res["S1"],
                "S1_conf": res["S1_conf"],
                "ST": res["ST"],
                "ST_conf": res["ST_conf"],
            }
        )
        table = table.sort_values("ST", ascending=False)
    return Sensitivity(table.reset_index(drop=True), noise_share, len(X))
