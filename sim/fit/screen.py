"""Which candidates the record can see: Morris screening (Morris 1991; SALib) of every
behavioural number on the training summaries, before the fit spends its simulations.

Each trajectory moves one number at a time across the unit cube. Every run has its own
seed: an agent-based model's runs part ways after any change, so common random numbers would
not take the seed's noise out of an effect, only hide it from the dummies. Three dummy
numbers the model never reads so show the size of an effect that is noise alone. A number's
score is its effect on the fit's distance (root mean square over targets of mu*, each target
in units of its spread over the screening runs); it is kept when its score exceeds the
largest dummy's by `KEEP_OVER_DUMMY`, up to `MAX_FITTED` by score, plus the levers that are
always fitted.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from sim.fit.abc import Evaluate
from sim.fit.space import ALWAYS, Box

DUMMIES = 3
KEEP_OVER_DUMMY = 1.5
MAX_FITTED = 20
LEVELS = 4
STREAM = 0x5C12EE  # the screening's seeds: apart from the fit's (seed, t, i)


def screen(box: Box, trajectories: int, seed: int, evaluate: Evaluate) -> pd.DataFrame:
    """One row per candidate: its score, the dummies' floor, and whether it is fitted."""
    from SALib.analyze import morris as analyze
    from SALib.sample import morris as sample

    dims = len(box.names) + DUMMIES
    names = [*box.names, *(f"dummy {k + 1}" for k in range(DUMMIES))]
    problem = {"num_vars": dims, "names": names, "bounds": [[0.0, 1.0]] * dims}
    X = sample.sample(problem, trajectories, num_levels=LEVELS, seed=seed)
    seeds = [np.random.SeedSequence([seed, STREAM], spawn_key=(row,)) for row in range(len(X))]
    Y = evaluate(X[:, : len(box.names)], seeds)
    spread = Y.std(axis=0)
    spread = np.where(spread > 0, spread, 1.0)
    with warnings.catch_warnings(), np.errstate(all="ignore"):  # a target no run moves: mu* 0
        warnings.simplefilter("ignore", RuntimeWarning)
        mu = np.column_stack(
            [
                analyze.analyze(problem, X, Y[:, k] / spread[k], num_levels=LEVELS)["mu_star"]
                for k in range(Y.shape[1])
            ]
        )  # candidates x targets
    score = np.sqrt(np.mean(np.asarray(mu) ** 2, axis=1))
    floor = float(score[len(box.names) :].max())
    table = pd.DataFrame({"parameter": names, "score": score, "over_dummy": score / floor})
    table["dummy"] = table["parameter"].str.startswith("dummy ")
    ranked = table[~table["dummy"] & (table["over_dummy"] >= KEEP_OVER_DUMMY)].sort_values(
        "score", ascending=False, kind="stable"
    )
    chosen = set(ranked["parameter"].head(MAX_FITTED)) | {n for n in ALWAYS if n in box.names}
    table["fitted"] = table["parameter"].isin(chosen)
    table["why"] = np.where(
        table["parameter"].isin(ranked["parameter"].head(MAX_FITTED)),
        "moves the training summaries",
        np.where(table["fitted"], "a lever's coefficient or a margin: always fitted", ""),
    )
    return table.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)


def chosen(table: pd.DataFrame, box: Box) -> list[str]:
    """The fitted candidates, in the box's order."""
    keep = set(table.loc[table["fitted"], "parameter"])
    return [n for n in box.names if n in keep]
