"""ABC-SMC with MCMC moves (Del Moral, Doucet & Jasra 2012, Statistics and Computing 22(5);
the number of moves as in Drovandi & Pettitt 2011, Biometrics 67(1)), written so that its
answer depends on the seed only.

Generation 0 draws `particles` points from the prior (uniform on the unit cube that `Box`
maps to values) and fixes each summary's scale (its median absolute deviation from the
record there). Each later generation t sets its tolerance to the `alpha` quantile of the last
one's distances, keeps the particles within it, resamples them back to `particles` with
equal weights, and moves each by Metropolis-Hastings steps: a Gaussian step with the kept
particles' covariance times 2.38^2 / d (Roberts, Gelman & Gilks 1997), folded back into the
cube at its faces, accepted when its simulation falls within the tolerance. A first pass
measures the acceptance rate p; the generation makes log(c) / log(1 - p) passes in all
(between 1 and `max_moves`), so that a particle stays where it was with chance about c.
Equal weights keep the effective sample size at the particle count (importance weights
collapsed it to a few dozen in 27 dimensions); the distinct particles say how much the
moves renewed. Step i of pass r takes every draw
from `SeedSequence(seed, spawn_key=(t, r * particles + i))` and the resampling from
`SeedSequence(seed, spawn_key=(t,))`, so a generation is the same on one core or many and
after a resume. The fit stops when the tolerance shrinks by less than `min_shrink`, when a
generation accepts fewer than `min_acceptance` of its moves, or at `generations`.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import UserError
from sim.scenario.posterior import weighted_quantile

Evaluate = Callable[[np.ndarray, list[np.random.SeedSequence]], np.ndarray]


@dataclass
class Generation:
    t: int
    u: np.ndarray  # particles x parameters, unit cube
    summaries: np.ndarray  # particles x targets
    distance: np.ndarray
    weight: np.ndarray  # normalised (equal after generation 0's)
    epsilon: float
    simulations: int
    seconds: float
    moves: int = 0  # MCMC passes over the particles
    accepted: int = 0  # moves accepted

    @property
    def acceptance(self) -> float:
        """Share of the moves accepted (generation 0: 1, every prior draw is kept)."""
        return self.accepted / (self.moves * len(self.weight)) if self.moves else 1.0

    @property
    def ess(self) -> float:
        return float(1.0 / np.sum(self.weight**2))

    @property
    def unique(self) -> int:
        """Distinct particles: after resampling, those the moves renewed."""
        return len(np.unique(self.u, axis=0))


@dataclass(frozen=True)
class Settings:
    particles: int
    generations: int
    seed: int
    alpha: float = 0.5
    min_shrink: float = 0.05
    min_acceptance: float = 0.03
    stay: float = 0.1  # c: the chance a particle is never moved in a generation
    max_moves: int = 8


def distance(summaries: np.ndarray, observed: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Root mean square of the scaled differences from the record."""
    return np.sqrt(np.mean(((summaries - observed) / scale) ** 2, axis=1))


def scales(summaries: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Each summary's scale over the prior's generation: its median absolute deviation from
    the observed value (pyabc's `mado`; Schaelte et al. 2022, Bioinformatics 38(10)), so that
    every target weighs about the same under the prior, one the prior misses by far (a map
    agreement of 1) as much as one it brackets; the mean deviation where the median is 0, and
    1 where the prior always matches it."""
    dev = np.abs(summaries - observed)
    mado = np.median(dev, axis=0)
    mean = dev.mean(axis=0)
    return np.where(mado > 0, mado, np.where(mean > 0, mean, 1.0))


def _seeds(seed: int, t: int, ids: range) -> list[np.random.SeedSequence]:
    return [np.random.SeedSequence(seed, spawn_key=(t, i)) for i in ids]


def _move(u: np.ndarray, chol: np.ndarray, ss: np.random.SeedSequence) -> np.ndarray:
    """A Gaussian step from `u`, from the step's own draws, folded back into the cube at its
    faces: a reflected random walk is as likely to step from a to b as from b to a, so under a
    flat prior the move needs no other correction, and no step is lost outside the cube."""
    x = np.abs(u + chol @ np.random.default_rng(ss.spawn(1)[0]).standard_normal(len(chol))) % 2.0
    return np.where(x > 1.0, 2.0 - x, x)


def first(
    settings: Settings, dims: int, observed: np.ndarray, evaluate: Evaluate
) -> tuple[Generation, np.ndarray]:
    """Generation 0 from the prior, and the summaries' scales it fixes."""
    tick = time.perf_counter()
    n = settings.particles
    seeds = _seeds(settings.seed, 0, range(n))
    u = np.array([np.random.default_rng(s.spawn(1)[0]).random(dims) for s in seeds])
    summaries = evaluate(u, seeds)
    scale = scales(summaries, observed)
    return Generation(0, u, summaries, distance(summaries, observed, scale), np.full(n, 1.0 / n), np.inf, n,
                      time.perf_counter() - tick), scale  # fmt: skip


def _passes(p: float, settings: Settings) -> int:
    """Passes after which a particle has stayed put with chance about `stay`, at acceptance p."""
    if p <= 0:
        return settings.max_moves
    if p >= 1:
        return 1
    return min(settings.max_moves, max(1, math.ceil(math.log(settings.stay) / math.log(1 - p))))


def step(last: Generation, settings: Settings, observed: np.ndarray, scale: np.ndarray,
         evaluate: Evaluate, progress: Callable[[int, int], None]) -> Generation:  # fmt: skip
    """The next generation: tolerance, resampling within it, Metropolis-Hastings moves."""
    tick = time.perf_counter()
    t, n = last.t + 1, settings.particles
    eps = weighted_quantile(last.distance, last.weight, settings.alpha)
    alive = np.flatnonzero(last.distance <= eps)
    resample = np.random.default_rng(np.random.SeedSequence(settings.seed, spawn_key=(t,)))
    pick = alive[resample.integers(len(alive), size=n)]
    u, s, d = last.u[pick].copy(), last.summaries[pick].copy(), last.distance[pick].copy()
    dims = u.shape[1]
    # the random walk's optimal scale for d dimensions (Roberts, Gelman & Gilks 1997)
    cov = 2.38**2 / dims * np.atleast_2d(np.cov(last.u[alive].T, bias=True)) + 1e-10 * np.eye(dims)
    chol = np.linalg.cholesky(cov)
    moves, passes, accepted = 0, 1, 0
    while moves < passes:
        seeds = _seeds(settings.seed, t, range(moves * n, (moves + 1) * n))
        proposal = np.array([_move(u[i], chol, seeds[i]) for i in range(n)])
        new = evaluate(proposal, seeds)
        dist = distance(new, observed, scale)
        take = dist <= eps
        u[take], s[take], d[take] = proposal[take], new[take], dist[take]
        accepted += int(take.sum())
        moves += 1
        if moves == 1:  # the first pass's acceptance sets how many passes the generation makes
            passes = _passes(accepted / n, settings)
        progress(moves, passes)
    return Generation(
        t, u, s, d, np.full(n, 1.0 / n), eps, moves * n, time.perf_counter() - tick, moves, accepted
    )


# --- the generations on disk ---------------------------------------------------------------


def save(gen: Generation, folder: Path, names: tuple[str, ...], targets: tuple[str, ...]) -> None:
    from sim.run.store import write_atomic

    table = pd.DataFrame(gen.u, columns=[f"u:{n}" for n in names])
    table = pd.concat([table, pd.DataFrame(gen.summaries, columns=[f"s:{n}" for n in targets])], axis=1)
    table["distance"] = gen.distance
    table["weight"] = gen.weight
    meta = {"t": gen.t, "epsilon": gen.epsilon, "simulations": gen.simulations, "seconds": gen.seconds,
            "moves": gen.moves, "accepted": gen.accepted}  # fmt: skip
    import pyarrow as pa

    arrow = pa.Table.from_pandas(table, preserve_index=False)
    write_atomic(folder / f"generation_{gen.t:03d}.parquet", parquet_bytes(arrow, b"sim.generation", meta))


def parquet_bytes(table, key: bytes, meta: dict) -> bytes:
    """An Arrow table as a Parquet file's bytes, with `meta` as JSON under `key` in its schema's
    metadata (a generation's record, a posterior's fit record)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(table.replace_schema_metadata({key: json.dumps(meta).encode()}), sink)
    return sink.getvalue().to_pybytes()


def load(folder: Path, names: tuple[str, ...], targets: tuple[str, ...]) -> list[Generation]:
    """The finished generations in a fit's folder, in order; a damaged one ends the list (it is
    computed again)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out: list[Generation] = []
    while (path := folder / f"generation_{len(out):03d}.parquet").is_file():
        try:
            arrow = pq.read_table(path)
            meta = json.loads(arrow.schema.metadata[b"sim.generation"])
            table = arrow.to_pandas()
            gen = Generation(
                int(meta["t"]),
                # row-major, as a generation computed in memory is: BLAS rounds by layout
                np.ascontiguousarray(table[[f"u:{n}" for n in names]].to_numpy(float)),
                np.ascontiguousarray(table[[f"s:{n}" for n in targets]].to_numpy(float)),
                table["distance"].to_numpy(float),
                table["weight"].to_numpy(float),
                float(meta["epsilon"]),
                int(meta["simulations"]),
                float(meta["seconds"]),
                int(meta["moves"]),
                int(meta["accepted"]),
            )
        except (OSError, KeyError, ValueError, TypeError, pa.ArrowException):
            break
        if gen.t != len(out):
            raise UserError(f"{path}: holds generation {gen.t}; the folder is not one fit's")
        out.append(gen)
    return out
