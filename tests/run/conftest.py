import datetime as dt

import pytest

from sim.run import replicate
from sim.scenario import load_scenario
from tests.conftest import SHORT_2023, write_scenario


@pytest.fixture
def short(tmp_path):
    """12 replicates of a week of the 2023 file: fast, and every table has rows."""
    scenario = load_scenario(write_scenario(tmp_path, SHORT_2023, "short.toml"))
    return scenario.with_run(replicates=12, end=scenario.start + dt.timedelta(days=7))


def fail_replicate(monkeypatch, failing: int, error: BaseException | None = None) -> None:
    """Make replicate `failing` raise (RuntimeError("boom") unless told); the others run."""
    real = replicate.run_replicate

    def flaky(scenario, seed, replicate):
        if replicate == failing:
            raise error or RuntimeError("boom")
        return real(scenario, seed, replicate)

    monkeypatch.setattr(replicate, "run_replicate", flaky)  # what run_chunk calls
