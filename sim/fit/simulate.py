"""One simulation of the fit: a scenario with some fitted numbers set, run to the cut-off
from a given seed, reduced to the training summaries. Every simulation's seeds come from
its own `SeedSequence`, never from a counter or a process, so a fit gives the same numbers
on any executor and worker count; `evaluate` runs a batch in id order on the project's pool.
"""

from __future__ import annotations

from concurrent.futures import Executor

import numpy as np

from sim.fit.space import Box
from sim.fit.targets import Training
from sim.model.model import ConflictModel
from sim.scenario import Scenario
from sim.world.factions import FACTIONS

CHUNK = 8  # simulations a task carries: few round trips, and the last ones balanced


def simulate(scenario: Scenario, training: Training, names: tuple[str, ...], values: np.ndarray,
             seeds: np.random.SeedSequence) -> np.ndarray:  # fmt: skip
    """Training summaries of one replicate with `names` set to `values`."""
    variant = scenario.without_posterior(dict(zip(names, map(float, values), strict=True)))
    p_seed, m_seed = seeds.spawn(2)
    params = variant.sample(np.random.default_rng(p_seed))
    model = ConflictModel(params, variant.geography, rng=np.random.default_rng(m_seed))
    model.run()
    initial = np.array(
        [FACTIONS.index(c) for c in variant.geography.control[variant.data["run"]["initial_control"]]]
    )
    return training.summaries(model.recorder.values, model.recorder.changes, initial)


def _batch(scenario: Scenario, training: Training, names: tuple[str, ...], values: np.ndarray,
           seeds: list[np.random.SeedSequence]) -> np.ndarray:  # fmt: skip
    return np.array([simulate(scenario, training, names, v, s) for v, s in zip(values, seeds, strict=True)])


def evaluate(pool: Executor, scenario: Scenario, training: Training, box: Box, u: np.ndarray,
             seeds: list[np.random.SeedSequence]) -> np.ndarray:  # fmt: skip
    """Summaries (rows in the order of `u`) of unit-cube points, each with its own seeds."""
    values = box.values(u)
    futures = [
        pool.submit(_batch, scenario, training, box.names, values[i : i + CHUNK], seeds[i : i + CHUNK])
        for i in range(0, len(u), CHUNK)
    ]
    return np.concatenate([f.result() for f in futures]) if futures else np.zeros((0, len(training.names)))
