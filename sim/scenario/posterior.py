"""A fitted posterior a scenario file draws its behavioural numbers from: the weighted
particles of `sim calibrate`'s last generation, kept whole so that their correlations survive.

A scenario writes `posterior = "FILE.parquet"` (relative to itself). Each replicate draws one
particle by weight with its own parameter seed and takes every fitted number from it; the
rest of the file is drawn as written. The file carries its training cut-off (which `sim score`
reads as the start of what is out of sample) and the digest of the rules it was fitted for.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.errors import ScenarioError
from sim.scenario.fields import Field
from sim.scenario.keys import field_at

META_KEY = b"sim.posterior"
WEIGHT = "weight"


def rules_digest(names: list[str] | tuple[str, ...]) -> str:
    """What a posterior must match to be used: each fitted key with the range its Field allows
    and its default today. A key renamed, re-ranged or re-defaulted is another rule, and a
    posterior fitted for the old one is refused rather than silently misread."""
    h = hashlib.sha256()
    for name in sorted(names):
        f = field_at(name, "posterior")
        h.update(f"{name}|{f.low}|{f.high}|{f.default}\n".encode())
    return h.hexdigest()[:16]


def weighted_quantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    """The smallest value whose share of the weight, with all below it, reaches q."""
    order = np.argsort(x, kind="stable")
    cum = np.cumsum(w[order])
    return float(x[order][min(np.searchsorted(cum, q * cum[-1]), len(x) - 1)])


@dataclass(frozen=True)
class Posterior:
    path: str
    names: tuple[str, ...]  # dotted scenario keys
    values: np.ndarray  # particles x names
    weights: np.ndarray  # normalised
    fitted_until: str  # ISO date
    meta: dict

    @property
    def digest(self) -> str:
        h = hashlib.sha256(self.values.tobytes())
        h.update(self.weights.tobytes())
        h.update("|".join(self.names).encode())
        return h.hexdigest()[:16]

    def quantile(self, name: str, q: float) -> float:
        """The weighted q-quantile of a fitted key."""
        return weighted_quantile(self.values[:, self.names.index(name)], self.weights, q)

    def draw(self, rng: np.random.Generator) -> tuple[int, dict[str, float]]:
        """One particle by weight: its index and its values by key."""
        i = int(np.searchsorted(np.cumsum(self.weights), rng.random() * self.weights.sum(), side="right"))
        i = min(i, len(self.weights) - 1)
        return i, {k: float(v) for k, v in zip(self.names, self.values[i], strict=True)}


def read_posterior(path: Path, file: str, key: str = "posterior", shown: str | None = None) -> Posterior:
    """The posterior at `path`, checked; every fault is one ScenarioError naming the scenario
    file and key: missing, not a posterior, damaged, of other rules, an unknown key, no weight."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    shown = shown or str(path)
    if not path.is_file():
        raise ScenarioError(file, key, f"file not found: {shown}")
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise ScenarioError(file, key, f"{shown}: not a readable Parquet file ({exc})") from None
    raw = (table.schema.metadata or {}).get(META_KEY)
    if raw is None:
        raise ScenarioError(file, key, f"{shown}: not a posterior written by `sim calibrate` (no fit record)")
    try:
        meta = json.loads(raw)
        fitted_until, rules = str(meta["fitted_until"]), str(meta["rules"])
    except (ValueError, KeyError, TypeError):
        raise ScenarioError(file, key, f"{shown}: its fit record is damaged") from None
    if WEIGHT not in table.column_names:
        raise ScenarioError(file, key, f"{shown}: has no {WEIGHT!r} column")
    names = tuple(n for n in table.column_names if n != WEIGHT)
    if not names:
        raise ScenarioError(file, key, f"{shown}: names no fitted parameter")
    for name in names:
        try:
            field = _field(name)
        except ScenarioError as exc:
            raise ScenarioError(file, key, f"{shown}: column {name!r}: {exc.message}") from None
        if field.kind != "float" or not field.uncertain:
            raise ScenarioError(file, key, f"{shown}: column {name!r} is not a behavioural number")
    if rules_digest(names) != rules:
        raise ScenarioError(
            file,
            key,
            f"{shown}: fitted for another version of the rules (a key's range or default has "
            "changed since); refit with `sim calibrate`",
        )
    try:
        values = np.column_stack([table[n].to_numpy().astype(float) for n in names])
        weights = table[WEIGHT].to_numpy().astype(float)
    except (pa.ArrowException, ValueError, TypeError) as exc:
        raise ScenarioError(file, key, f"{shown}: unreadable values ({exc})") from None
    if not len(weights) or not np.all(np.isfinite(values)) or not np.all(np.isfinite(weights)):
        raise ScenarioError(file, key, f"{shown}: has no particles, or values that are not numbers")
    if np.any(weights < 0) or weights.sum() <= 0:
        raise ScenarioError(file, key, f"{shown}: weights must be non-negative with a positive sum")
    for k, name in enumerate(names):
        f = _field(name)
        if np.any(values[:, k] < f.low) or np.any(values[:, k] > f.high):
            raise ScenarioError(file, key, f"{shown}: {name} has values outside {f.allowed()}")
    return Posterior(shown, names, values, weights / weights.sum(), fitted_until, meta)


def _field(name: str) -> Field:
    return field_at(name, "posterior")
