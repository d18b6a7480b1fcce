"""Scenario discovery finds the input range that decides an outcome, ignores one that does
not, and refuses outcomes it cannot work with in one line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis.discover import cases, discover, parse_outcome
from sim.errors import UserError
from sim.model.recorder import COLUMNS
from sim.run.store import Results

pytest.importorskip("ema_workbench")


def made_up(n: int = 300) -> Results:
    """The junta gains townships exactly where input a is above 0.6; b is noise."""
    rng = np.random.default_rng(3)
    params = pd.DataFrame(
        {"replicate": np.arange(n), "particle": rng.integers(0, 9, n), "model.a": rng.random(n),
         "model.b": rng.random(n), "model.fixed": np.full(n, 2.0)}
    )  # fmt: skip
    gain = np.where(params["model.a"] > 0.6, 5.0, -5.0)
    rows = []
    for day, value in ((0, np.full(n, 100.0)), (9, 100.0 + gain)):
        frame = pd.DataFrame(np.ones((n, len(COLUMNS))), columns=list(COLUMNS))
        frame["townships_junta"] = value
        frame.insert(0, "day", day)
        frame.insert(0, "replicate", np.arange(n))
        rows.append(frame)
    ts = pd.concat(rows, ignore_index=True)
    return Results(
        Path("made-up"), {"scenario": {"name": "made up"}}, ts, pd.DataFrame(), pd.DataFrame(), params
    )


def test_the_box_is_the_range_that_decides():
    res = made_up()
    outcome = parse_outcome("townships_junta_change>0")
    x, y = cases(res, outcome)
    assert list(x.columns) == ["model.a", "model.b"]  # neither the particle nor a constant
    disc = discover(x, y, outcome, density=0.9)
    row = disc.trajectory.iloc[disc.chosen]
    assert row.density >= 0.9 and row.coverage >= 0.9
    lim = disc.limits.set_index("input")
    assert list(lim.index) == ["model.a"]
    # the widest box at 90 % density keeps every case (a > 0.6) and a few below it
    assert 0.5 < lim.loc["model.a", "low"] <= 0.6 and lim.loc["model.a", "high"] == pytest.approx(
        x["model.a"].max()
    )


@pytest.mark.parametrize(
    "text, message",
    [
        ("townships_junta", "write METRIC<NUMBER"),
        ("towns>3", "unknown metric 'towns'"),
        ("townships_junta_change>100", "no replicate meets it"),
        ("townships_junta_change>-100", "every replicate meets it"),
    ],
)
def test_outcomes_it_cannot_use_are_one_line(text, message):
    with pytest.raises(UserError, match=message):
        cases(made_up(50), parse_outcome(text))


def test_a_run_without_drawn_inputs_is_refused():
    res = made_up(20)
    res.parameters = res.parameters[["replicate", "model.fixed"]]
    with pytest.raises(UserError, match="no input varies"):
        cases(res, parse_outcome("townships_junta_change>0"))
