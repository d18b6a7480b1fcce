import pandas as pd

from sim.analysis import sweep
from sim.analysis.sweep import EndStates
from sim.run.executors import SerialExecutor
from sim.scenario import load_scenario
from tests.conftest import SHORT_2023, write_scenario


class _FourSlots(SerialExecutor):
    """Runs tasks here, but says it has four slots, and keeps the chunks it was given."""

    slots = 4

    def __init__(self) -> None:
        self.chunks: list[list[int]] = []

    def submit(self, fn, /, *args, **kwargs):
        self.chunks.append(args[2])
        return super().submit(fn, *args, **kwargs)


def test_a_variant_is_split_over_every_slot_with_the_same_end_states(tmp_path, monkeypatch):
    scenario = load_scenario(write_scenario(tmp_path, SHORT_2023, "short.toml"))
    with EndStates(8, 7) as one_slot:
        expected = one_slot(scenario)
    pool = _FourSlots()
    monkeypatch.setattr(sweep, "make_executor", lambda *args: pool)
    with EndStates(8, 7, executor="process", workers=4) as four:
        got = four(scenario)
    assert len(pool.chunks) >= 4 and sorted(r for c in pool.chunks for r in c) == list(range(8))
    pd.testing.assert_frame_equal(got, expected)
