"""The Python interface: a script drives the model as the command does, with the same numbers."""

import datetime as dt

import numpy as np
import pytest

import sim
from sim.errors import UserError
from tests.conftest import S2023


def test_a_script_runs_a_scenario_and_gets_the_commands_numbers(tmp_path):
    from sim.cli import main

    results = sim.simulate(str(S2023), tmp_path / "api", replicates=2, until="2023-11-05")
    assert isinstance(results, sim.Results) and results.end_state.shape[0] == 2
    common = ["--replicates", "2", "--until", "2023-11-05", "--workers", "1", "--quiet"]
    assert main(["run", str(S2023), *common, "--out", str(tmp_path / "cli")]) == 0
    cli = sim.load_results(tmp_path / "cli")
    assert results.timeseries.equals(cli.timeseries)


def test_one_replicate_steps_as_a_mesa_model_and_matches_the_run(tmp_path):
    scenario = sim.load_scenario(S2023).with_run(end=dt.date(2023, 11, 5))
    model = sim.model_of(scenario, replicate=1)
    assert isinstance(model, sim.ConflictModel)
    for _ in range(model.days):
        model.step()
    results = sim.simulate(scenario, tmp_path / "r", replicates=2)
    ts = results.timeseries
    last = ts[(ts["replicate"] == 1) & (ts["day"] == model.days - 1)]
    assert int(last["townships_junta"].iloc[0]) == int((model.holder == 0).sum())
    assert np.isclose(float(last["junta_strength"].iloc[0]), model.people()[0])


def test_a_mistake_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match=r"run\.end: 1999-01-01 must be after run\.start"):
        sim.simulate(str(S2023), tmp_path / "x", until="1999-01-01")
    with pytest.raises(AttributeError):
        sim.no_such_thing  # noqa: B018
