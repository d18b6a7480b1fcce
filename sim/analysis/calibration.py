"""Calibration on the past only: ABC-SMC (pyabc) of behavioural numbers against what was
observed up to the end of a training window, and nothing after it.

Each simulation runs one replicate of a scenario (normally the continuous replay) to the end
of the window with the candidate parameters; its summary statistics are compared with the
observed ones by pyabc's adaptive weighted distance. The posterior is reported per parameter
with how much the data narrowed it, and written as a child scenario file whose distributions
other runs can use.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.animation import holders_by_day
from sim.analysis.observed import observed_map, read_changes
from sim.errors import UserError
from sim.run.replicate import run_replicate
from sim.scenario import Scenario
from sim.world.factions import FACTIONS, side_name

TRAINING_END = dt.date(2024, 6, 30)

# The behavioural numbers fitted, with their prior ranges (uniform).
PRIORS: dict[str, tuple[float, float]] = {
    "model.strategy.resistance_margin": (0.3, 1.2),
    "model.strategy.junta_margin": (1.0, 2.5),
    "model.lethality": (0.001, 0.004),
    "model.outpost_fall_rate": (0.02, 0.10),
    "model.displacement_assault": (0.002, 0.012),
    "model.guerrilla_density": (0.2, 3.0),
    # the ammunition economy: with 4x the hand value the AA takes its 2024 townships and the
    # junta never turns; with the hand value every faction runs dry (docs/ODD.md section 9)
    "model.local_ammo_per_day": (25.0, 400.0),
}


@dataclass(frozen=True)
class Target:
    name: str
    observed: float
    source: str
    value: Callable[[dict[str, pd.DataFrame], Scenario], float]


def _at(day: int, metric: str) -> Callable[[dict[str, pd.DataFrame], Scenario], float]:
    def value(tables: dict[str, pd.DataFrame], scenario: Scenario) -> float:
        ts = tables["timeseries"]
        return float(ts.loc[ts["day"] == min(day, int(ts["day"].max())), metric].iloc[0])

    return value


def holders_on(tables: dict[str, pd.DataFrame], scenario: Scenario, day: int) -> dict[str, str]:
    """Side holding each town (by id) at the end of a day (before day 0: the start), rebuilt
    from the initial control and the record of changes, as `sim animate` rebuilds its maps."""
    geo = scenario.geography
    initial = geo.control[scenario.data["run"]["initial_control"]]
    if day < 0:
        codes = list(initial)
    else:
        codes = [
            FACTIONS[h] for h in holders_by_day(geo.ids, initial, tables["control_changes"], day + 1)[-1]
        ]
    return {town: side_name(code) for town, code in zip(geo.ids, codes, strict=True)}


def _control(at: dt.date) -> Callable[[dict[str, pd.DataFrame], Scenario], float]:
    """Share of the townships held by the side the record has holding them on a date."""
    observed: dict[int, pd.DataFrame] = {}  # rebuilt once per map, not once per simulation

    def value(tables: dict[str, pd.DataFrame], scenario: Scenario) -> float:
        geo = scenario.geography
        if id(geo) not in observed:
            observed[id(geo)] = observed_map(geo, at, read_changes(geo))
        table = observed[id(geo)]
        day = (at - scenario.start).days
        sides = holders_on(tables, scenario, day)
        return float(np.mean([sides[t] == s for t, s in zip(table["pcode"], table["side"], strict=True)]))

    return value


DAY_1_DEC_2023 = 35
TARGETS = (
    Target(
        "log outposts lost by 1 Dec 2023",
        math.log1p(180),
        "AP-2023: more than 180",
        _at(DAY_1_DEC_2023, "outposts_lost"),
    ),
    Target(
        "China crossings held by the junta, 1 Dec 2023",
        5,
        "AP-2023: 4 of 9 lost",
        _at(DAY_1_DEC_2023, "china_crossings_junta"),
    ),
    Target(
        "log newly displaced by 1 Dec 2023", math.log1p(335_000), "AP-2023", _at(DAY_1_DEC_2023, "displaced")
    ),
    Target(
        "townships as observed, 31 Dec 2023",
        1.0,
        "observed/changes.csv to 2023-12-31",
        _control(dt.date(2023, 12, 31)),
    ),
    Target(
        "townships as observed, 30 Jun 2024",
        1.0,
        "observed/changes.csv to 2024-06-30",
        _control(dt.date(2024, 6, 30)),
    ),
)
LOG_TARGETS = {TARGETS[0].name: "outposts_lost", TARGETS[2].name: "displaced"}


def summaries(tables: dict[str, pd.DataFrame], scenario: Scenario) -> dict[str, float]:
    out = {t.name: t.value(tables, scenario) for t in TARGETS}
    for name in LOG_TARGETS:
        out[name] = math.log1p(out[name])
    return out


@dataclass
class Calibration:
    table: pd.DataFrame  # one row per parameter
    samples: pd.DataFrame  # the last population, with a `weight` column
    generations: int
    simulations: int


def calibrate(
    scenario: Scenario, out: Path, particles: int, generations: int, seed: int, workers: int = 1
) -> Calibration:
    """ABC-SMC over PRIORS; with one worker the fit is reproducible from the seed."""
    try:
        import pyabc
    except ImportError:
        raise UserError(
            "sim calibrate needs the optional extra: pip install 'myanmar-conflict-sim[calibrate]'"
        ) from None
    if scenario.end > TRAINING_END:
        scenario = scenario.with_run(end=TRAINING_END)
    first_control = scenario.start + dt.timedelta(days=DAY_1_DEC_2023)
    if scenario.end < first_control:
        raise UserError(f"{scenario.path}: the run must reach 1 Dec 2023 to be calibrated")
    rng = np.random.default_rng(seed)
    counter = iter(range(10**9))

    def model(theta: dict[str, float]) -> dict[str, float]:
        variant = scenario.with_values({k: float(v) for k, v in theta.items()}, source="calibration")
        return summaries(run_replicate(variant, seed, next(counter)).tables, variant)

    prior = pyabc.Distribution(**{k: pyabc.RV("uniform", lo, hi - lo) for k, (lo, hi) in PRIORS.items()})
    if workers > 1:
        sampler = pyabc.sampler.MulticoreEvalParallelSampler(n_procs=workers)
    else:
        sampler = pyabc.sampler.SingleCoreSampler()
    np.random.seed(int(rng.integers(2**31)))  # pyabc draws from numpy's global generator
    abc = pyabc.ABCSMC(
        model, prior, pyabc.AdaptivePNormDistance(p=2), population_size=particles, sampler=sampler
    )
    out.mkdir(parents=True, exist_ok=True)
    abc.new("sqlite:///" + str((out / "abc.db").resolve()), {t.name: t.observed for t in TARGETS})
    history = abc.run(max_nr_populations=generations)
    samples, weights = history.get_distribution(m=0, t=history.max_t)
    samples = samples[list(PRIORS)].assign(weight=weights)
    return Calibration(_table(samples), samples, history.max_t + 1, int(history.total_nr_simulations))


def _quantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    order = np.argsort(x)
    cum = np.cumsum(w[order]) / w.sum()
    return float(x[order][np.searchsorted(cum, q)])


def _table(samples: pd.DataFrame) -> pd.DataFrame:
    w = samples["weight"].to_numpy()
    rows = []
    for key, (lo, hi) in PRIORS.items():
        x = samples[key].to_numpy()
        mean = float(np.average(x, weights=w))
        q05, q95 = _quantile(x, w, 0.05), _quantile(x, w, 0.95)
        narrowed = 1 - (q95 - q05) / (0.9 * (hi - lo))  # 0: as wide as the prior's 90 %
        rows.append(
            {
                "parameter": key,
                "prior_low": lo,
                "prior_high": hi,
                "mean": mean,
                "sd": float(np.sqrt(np.average((x - mean) ** 2, weights=w))),
                "q05": q05,
                "q95": q95,
                "narrowed": narrowed,
                "pinned": narrowed >= 0.5,
            }
        )
    return pd.DataFrame(rows)


def posterior_scenario(table: pd.DataFrame, parent: str, name: str) -> str:
    """A child scenario file: the parent with each fitted number drawn from its posterior
    (triangular over the 5-95 % range, mode at the posterior mean)."""
    lines = [f'extends = "{parent}"', f'name = "{name}"', "", "[run]", f"fitted_until = {TRAINING_END}", ""]
    by_table: dict[str, list[str]] = {}
    for row in table.itertuples():
        section, _, leaf = row.parameter.rpartition(".")
        mode = min(max(row.mean, row.q05), row.q95)
        dist = f'dist = "triangular", low = {row.q05:.6g}, mode = {mode:.6g}, high = {row.q95:.6g}'
        by_table.setdefault(section, []).append(f"{leaf} = {{ {dist} }}")
    for section, entries in by_table.items():
        lines += [f"[{section}]", *entries, ""]
    return "\n".join(lines)


def posterior_chart(cal: Calibration, out: Path, title: str) -> Path:
    """Weighted histograms of the last population over each prior range."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = list(PRIORS)
    cols = 3
    rows = math.ceil(len(keys) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(10, 3 * rows), squeeze=False)
    w = cal.samples["weight"].to_numpy()
    for ax, key, row in zip(axes.flat, keys, cal.table.itertuples(), strict=False):
        lo, hi = PRIORS[key]
        ax.hist(cal.samples[key], bins=15, range=(lo, hi), weights=w, color="#1f77b4", alpha=0.8)
        ax.axvspan(row.q05, row.q95, color="#ff7f0e", alpha=0.15, lw=0)
        ax.set_xlim(lo, hi)
        ax.xaxis.set_major_locator(plt.MaxNLocator(4))
        ax.ticklabel_format(axis="x", style="sci", scilimits=(-2, 3))
        ax.set_title(key.removeprefix("model.") + ("  (pinned)" if row.pinned else ""), fontsize=9)
        ax.set_yticks([])
    for ax in list(axes.flat)[len(keys) :]:
        ax.axis("off")
    fig.suptitle(title, fontsize=10)
    fig.text(
        0.01,
        0.005,
        f"ABC-SMC (pyabc), {cal.generations} generations, {cal.simulations} simulations; x axis: the "
        "uniform prior's range; shaded: posterior 5-95 %.",
        fontsize=7,
        color="0.35",
    )
    fig.tight_layout(rect=(0, 0.03, 1, 0.95))
    path = out / "posterior.png"
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path
