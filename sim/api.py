"""The package's Python interface: what a script or a notebook uses, as the `sim` command does.

import sim
scenario = sim.load_scenario("scenarios/2025_counteroffensive.toml")
results = sim.run(scenario, "results/q3", replicates=20, until="2025-09-30")
model = sim.model_of(scenario, replicate=0)   # one replicate, stepped as a Mesa model
model.step()
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sim.errors import UserError
from sim.model.model import ConflictModel
from sim.run.replicate import build_model
from sim.run.store import Results, load_results
from sim.scenario import Scenario, load_scenario


def scenario_of(scenario: Scenario | str | Path, **run) -> Scenario:
    """A loaded scenario, with run settings (replicates, seed, end) if given."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    settings = {k: v for k, v in run.items() if v is not None}
    if isinstance(settings.get("end"), str):
        settings["end"] = dt.date.fromisoformat(settings["end"])
    return scenario.with_run(**settings) if settings else scenario


def simulate(
    scenario: Scenario | str | Path,
    out: str | Path,
    *,
    replicates: int | None = None,
    seed: int | None = None,
    until: str | dt.date | None = None,
    workers: int = 1,
    resume: bool = False,
) -> Results:
    """Run a scenario's replicates into the results folder `out` (as the `sim run` command; the
    name `sim.run` is the package's layer that runs replicates) and load them. Raises UserError
    for a mistake in the input, as the command reports it."""
    from sim.run.ensemble import run_ensemble

    chosen = scenario_of(scenario, replicates=replicates, seed=seed, end=until)
    report = run_ensemble(
        chosen, Path(out), executor="serial" if workers == 1 else "process", workers=workers, resume=resume,
        progress=False,
    )  # fmt: skip
    if report.error or report.failures:
        what = (
            report.error
            or f"{len(report.failures)} replicates failed, the first: {report.failures[0]['error']}"
        )
        raise UserError(f"{out}: {what}")
    return load_results(out)


def model_of(scenario: Scenario | str | Path, replicate: int = 0, seed: int | None = None) -> ConflictModel:
    """Replicate `replicate` of the scenario as a Mesa model, ready to step: the same numbers
    as that replicate of `sim run` with the same seed (default: the file's run.seed)."""
    chosen = scenario_of(scenario)
    return build_model(chosen, chosen.data["run"]["seed"] if seed is None else seed, replicate)


__all__ = ["ConflictModel", "Results", "Scenario", "load_results", "load_scenario", "model_of", "simulate"]
