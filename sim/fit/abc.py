"""ABC-SMC (Beaumont et al. 2009, Biometrika 96(4); Del Moral et al. 2012's adaptive
tolerances), written so that its answer depends on the seed only.

Generation 0 draws `particles` points from the prior (uniform on the unit cube that `Box`
maps to values) and fixes each summary's scale (its median absolute deviation from the
record there). Each
later generation t sets its tolerance to the `alpha` quantile of the last one's distances and
proposes candidates 0, 1, 2, ...: candidate i takes every draw from
`SeedSequence(seed, spawn_key=(t, i))` (its ancestor, the Gaussian move with twice the
weighted covariance, the model's seeds). Candidates run in fixed-size batches and are
accepted by id, so the generation is the same on one core or many. Weights are the
prior over the mixture of moves. The fit stops when the tolerance shrinks by less than
`min_shrink`, when a generation accepts fewer than `min_acceptance` of its candidates, or at
`generations`. Every finished generation is written at once; a rerun resumes after the last.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import UserError

Evaluate = Callable[[np.ndarray, list[np.random.SeedSequence]], np.ndarray]


@dataclass
class Generation:
    t: int
    u: np.ndarray  # particles x parameters, unit cube
    summaries: np.ndarray  # particles x targets
    distance: np.ndarray
    weight: np.ndarray  # normalised
    epsilon: float
    simulations: int
    seconds: float

    @property
    def acceptance(self) -> float:
        return len(self.weight) / self.simulations

    @property
    def ess(self) -> float:
        return float(1.0 / np.sum(self.weight**2))


@dataclass(frozen=True)
class Settings:
    particles: int
    generations: int
    seed: int
    alpha: float = 0.5
    min_shrink: float = 0.05
    min_acceptance: float = 0.01


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


def weighted_quantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    order = np.argsort(x, kind="stable")
    cum = np.cumsum(w[order])
    return float(x[order][min(np.searchsorted(cum, q * cum[-1]), len(x) - 1)])


def _seeds(seed: int, t: int, ids: range) -> list[np.random.SeedSequence]:
    return [np.random.SeedSequence(seed, spawn_key=(t, i)) for i in ids]


def _propose(last: Generation, chol: np.ndarray, ss: np.random.SeedSequence) -> np.ndarray:
    """Candidate's point: an ancestor by weight, moved until inside the cube (its own draws)."""
    rng = np.random.default_rng(ss.spawn(1)[0])
    cum = np.cumsum(last.weight)
    for _ in range(1000):
        j = min(int(np.searchsorted(cum, rng.random() * cum[-1], side="right")), len(cum) - 1)
        u = last.u[j] + chol @ rng.standard_normal(len(chol))
        if np.all((u >= 0) & (u <= 1)):
            return u
    return last.u[j]  # a kernel far wider than the cube: stay (never met with 2 x covariance)


def _kernel(u: np.ndarray, last: Generation, cov: np.ndarray) -> np.ndarray:
    """New weights: prior (flat) over the weighted mixture of Gaussian moves."""
    white = np.linalg.inv(np.linalg.cholesky(cov))  # Mahalanobis distance as Euclidean
    z, zl = u @ white.T, last.u @ white.T
    sq = (z**2).sum(1)[:, None] + (zl**2).sum(1)[None, :] - 2.0 * z @ zl.T
    dens = np.exp(-0.5 * np.maximum(sq, 0.0)) @ last.weight
    w = 1.0 / np.maximum(dens, 1e-300)
    return w / w.sum()


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


def step(last: Generation, settings: Settings, observed: np.ndarray, scale: np.ndarray,
         evaluate: Evaluate, progress: Callable[[int, int], None]) -> Generation | None:  # fmt: skip
    """The next generation, or None when it would accept too few candidates to go on."""
    tick = time.perf_counter()
    t, n = last.t + 1, settings.particles
    eps = weighted_quantile(last.distance, last.weight, settings.alpha)
    mean = last.weight @ last.u
    cov = 2.0 * ((last.u - mean).T * last.weight) @ (last.u - mean) + 1e-10 * np.eye(last.u.shape[1])
    chol = np.linalg.cholesky(cov)
    kept_u, kept_s, kept_d, tried = [], [], [], 0
    limit = int(np.ceil(n / settings.min_acceptance))
    while len(kept_u) < n:
        if tried >= limit:
            return None
        ids = range(tried, tried + n)
        seeds = _seeds(settings.seed, t, ids)
        u = np.array([_propose(last, chol, s) for s in seeds])
        s = evaluate(u, seeds)
        d = distance(s, observed, scale)
        for i in np.flatnonzero(d <= eps)[: n - len(kept_u)]:
            kept_u.append(u[i])
            kept_s.append(s[i])
            kept_d.append(d[i])
            last_id = ids[i]
        tried += n
        progress(len(kept_u), tried)
    simulations = last_id + 1  # candidates up to the last accepted: what the fit needed
    u = np.array(kept_u)
    return Generation(t, u, np.array(kept_s), np.array(kept_d), _kernel(u, last, cov), eps, simulations,
                      time.perf_counter() - tick)  # fmt: skip


# --- the generations on disk ---------------------------------------------------------------


def save(gen: Generation, folder: Path, names: tuple[str, ...], targets: tuple[str, ...]) -> None:
    from sim.run.store import write_atomic

    table = pd.DataFrame(gen.u, columns=[f"u:{n}" for n in names])
    table = pd.concat([table, pd.DataFrame(gen.summaries, columns=[f"s:{n}" for n in targets])], axis=1)
    table["distance"] = gen.distance
    table["weight"] = gen.weight
    meta = {"t": gen.t, "epsilon": gen.epsilon, "simulations": gen.simulations, "seconds": gen.seconds}
    table.attrs["meta"] = meta
    write_atomic(folder / f"generation_{gen.t:03d}.parquet", _parquet(table, meta))


def _parquet(table: pd.DataFrame, meta: dict) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = pa.Table.from_pandas(table, preserve_index=False)
    arrow = arrow.replace_schema_metadata({b"sim.generation": json.dumps(meta).encode()})
    sink = pa.BufferOutputStream()
    pq.write_table(arrow, sink)
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
            )
        except (OSError, KeyError, ValueError, TypeError, pa.ArrowException):
            break
        if gen.t != len(out):
            raise UserError(f"{path}: holds generation {gen.t}; the folder is not one fit's")
        out.append(gen)
    return out
