"""A fit in a folder: screening, then ABC-SMC generations, then the posterior file, each kept
on disk as soon as it is finished, so that an interrupted fit resumes where it stopped and
ends with the same posterior.

The folder holds `fit.json` (what was asked: the scenario, seed, particles, candidates and
their priors, the targets; later the fitted names, the summaries' scales and why the fit
stopped), `screening.csv`, `generation_NNN.parquet` and, at the end, `posterior.parquet`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import UserError
from sim.fit import abc
from sim.fit.screen import chosen, screen
from sim.fit.simulate import evaluate
from sim.fit.space import Box, candidates
from sim.fit.targets import CUT_OFF, Training, training
from sim.run.executors import make_executor
from sim.run.folder import model_version
from sim.run.store import write_atomic
from sim.scenario import Scenario
from sim.scenario.fields import get_path
from sim.scenario.posterior import META_KEY, WEIGHT, rules_digest

POSTERIOR = "posterior.parquet"


@dataclass
class Fit:
    scenario: Scenario  # cut at the cut-off, without a posterior
    training: Training
    box: Box  # the fitted numbers
    screening: pd.DataFrame
    generations: list[abc.Generation]
    scale: np.ndarray
    settings: abc.Settings
    stopped: str

    @property
    def last(self) -> abc.Generation:
        return self.generations[-1]

    def scenario_value(self, name: str) -> float:
        """The value the scenario file gives a key (a distribution's middle): the hand value."""
        value = get_path(self.scenario.data, name)
        if isinstance(value, dict):
            return float(
                value.get("mode", value.get("mean", (value.get("low", 0) + value.get("high", 0)) / 2))
            )
        return float(value)


def calibrate(scenario: Scenario, out: Path, settings: abc.Settings, trajectories: int, workers: int,
              resume: bool, say: Callable[[str], None] = print) -> Fit:  # fmt: skip
    """Run (or resume) a fit of `scenario`'s rules to the record up to the cut-off in `out`."""
    base = scenario.without_posterior()
    if base.end < CUT_OFF:
        raise UserError(f"{scenario.path}: the run ends {base.end}; a fit needs it to reach {CUT_OFF}")
    base = base.with_run(end=CUT_OFF)
    train = training(base)
    space = candidates(base)
    asked = {
        "scenario": str(Path(scenario.path).resolve()),  # however the path is spelt on resume
        "model_version": model_version(),
        "cut_off": str(CUT_OFF),
        "settings": asdict(settings),
        "trajectories": trajectories,
        "candidates": space.to_dict(),
        "targets": dict(zip(train.names, map(float, train.observed), strict=True)),
    }
    record = _open(out, asked, resume)
    pool = make_executor("process", workers) if workers > 1 else make_executor("serial", 1)
    try:
        if (out / "screening.csv").is_file() and "fitted" in record:
            table = pd.read_csv(out / "screening.csv")
        else:
            say(f"screening {len(space.names)} numbers: {trajectories * (len(space.names) + 4)} simulations")
            table = screen(space, trajectories, settings.seed, partial(evaluate, pool, base, train, space))
            write_atomic(out / "screening.csv", table.to_csv(index=False).encode())
            record["fitted"] = chosen(table, space)
            _write(out, record)
        box = space.subset(record["fitted"])
        run = partial(evaluate, pool, base, train, box)
        gens = abc.load(out, box.names, train.names)
        if gens:
            scale = np.array(record["scales"])
        else:
            say(f"generation 0: {settings.particles} draws from the prior of {len(box.names)} numbers")
            gen, scale = abc.first(settings, len(box.names), train.observed, run)
            record["scales"] = scale.tolist()
            _write(out, record)
            abc.save(gen, out, box.names, train.names)
            gens = [gen]
        while not (stopped := _stop(gens, settings)):
            t = len(gens)

            def progress(done: int, passes: int, t: int = t) -> None:
                say(f"generation {t}: {done} of {passes} passes of moves")

            gen = abc.step(gens[-1], settings, train.observed, scale, run, progress)
            abc.save(gen, out, box.names, train.names)
            gens.append(gen)
            say(_line(gen))
        record["stopped"] = stopped
        _write(out, record)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    fit = Fit(base, train, box, table, gens, scale, settings, stopped)
    write_posterior(fit, out / POSTERIOR)
    return fit


def _line(gen: abc.Generation) -> str:
    return (
        f"generation {gen.t}: epsilon {gen.epsilon:.3f}, {gen.moves} passes, {gen.acceptance:.1%} of "
        f"moves accepted, {gen.unique} distinct particles, {gen.simulations} simulations, {gen.seconds:.0f} s"
    )


def _stop(gens: list[abc.Generation], settings: abc.Settings) -> str:
    """Why the fit ends after these generations ('' to go on)."""
    if len(gens) >= settings.generations:
        return f"reached {settings.generations} generations"
    if len(gens) >= 3 and gens[-1].epsilon > (1 - settings.min_shrink) * gens[-2].epsilon:
        return f"epsilon shrank by less than {settings.min_shrink:.0%} in generation {gens[-1].t}"
    if len(gens) >= 2 and gens[-1].acceptance < settings.min_acceptance:
        return f"generation {gens[-1].t} accepted under {settings.min_acceptance:.0%} of its moves"
    return ""


def _open(out: Path, asked: dict, resume: bool) -> dict:
    """The fit's record: new, or the one a resumed fit left (which must ask the same)."""
    path = out / "fit.json"
    if path.is_file():
        if not resume:
            raise UserError(
                f"--out {out}: holds a fit already; continue it with --resume, or choose another folder"
            )
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise UserError(f"{path}: damaged; start the fit again in another folder") from None
        differs = [k for k in asked if _kept(record.get(k), k) != _kept(asked[k], k)]
        if differs:
            raise UserError(
                f"--resume: {path} is a fit with another {differs[0]}; use the same, or another --out"
            )
        return record
    if out.exists() and any(out.iterdir()):
        raise UserError(f"--out {out}: is not empty and holds no fit; choose another folder")
    out.mkdir(parents=True, exist_ok=True)
    _write(out, dict(asked))
    return dict(asked)


def _kept(value: object, key: str) -> object:
    """What a resumed fit must share with the first: all it asked, except when to stop (more
    or fewer generations leave the finished ones as they are)."""
    if key == "settings" and isinstance(value, dict):
        return {k: v for k, v in value.items() if k != "generations"}
    return value


def _write(out: Path, record: dict) -> None:
    write_atomic(out / "fit.json", (json.dumps(record, indent=1) + "\n").encode())


def write_posterior(fit: Fit, path: Path) -> None:
    """The last generation's particles as a posterior scenario files can draw from, with the
    cut-off, the rules' digest and the fit's schedule in the file's metadata."""
    import pyarrow as pa

    values = fit.box.values(fit.last.u)
    columns = {name: pa.array(values[:, k], pa.float64()) for k, name in enumerate(fit.box.names)}
    columns[WEIGHT] = pa.array(fit.last.weight, pa.float64())
    meta = {
        "fitted_until": str(fit.training.cut_off),
        "rules": rules_digest(fit.box.names),
        "model_version": model_version(),
        "scenario": fit.scenario.path,
        "seed": fit.settings.seed,
        "particles": fit.settings.particles,
        "stopped": fit.stopped,
        "priors": fit.box.to_dict(),
        "generations": [
            {
                "t": g.t,
                "epsilon": g.epsilon,
                "acceptance": g.acceptance,
                "ess": g.ess,
                "simulations": g.simulations,
            }
            for g in fit.generations
        ],
    }
    write_atomic(path, abc.parquet_bytes(pa.table(columns), META_KEY, meta))
