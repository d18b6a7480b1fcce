"""Calibration fits only to the training window, and its posterior is a usable scenario file."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from sim.analysis.calibration import PRIORS, TARGETS, TRAINING_END, holders_on, posterior_scenario, summaries
from sim.run.replicate import run_replicate
from sim.scenario import load_scenario
from tests.conftest import ROOT

REPLAY = ROOT / "scenarios" / "replay_2023_2025.toml"


def test_targets_are_observed_before_the_end_of_the_training_window():
    dated = [t.source for t in TARGETS if t.source.startswith("observed/")]
    assert dated and all(dt.date.fromisoformat(s.split(" to ")[-1]) <= TRAINING_END for s in dated)


def test_holders_on_a_day_are_rebuilt_from_the_changes(s2023, geo):
    short = s2023.with_run(end=s2023.start + dt.timedelta(days=20))
    tables = run_replicate(short, 3, 0).tables
    end = holders_on(tables, short, short.days)
    final = dict(zip(tables["final_control"]["pcode"], tables["final_control"]["side"], strict=True))
    assert end == final
    start = holders_on(tables, short, -1)
    assert start[geo.ids[geo.find("Laukkaing")]] == "junta"


def test_summaries_of_a_short_replay(s2023):
    short = s2023.with_run(end=s2023.start + dt.timedelta(days=40))
    s = summaries(run_replicate(short, 1, 0).tables, short)
    assert set(s) == {t.name for t in TARGETS}
    assert 0 <= s["townships as observed, 31 Dec 2023"] <= 1
    assert s["log outposts lost by 1 Dec 2023"] > 0


def test_the_posterior_is_a_scenario_file_that_loads(tmp_path):
    table = pd.DataFrame(
        {
            "parameter": list(PRIORS),
            "mean": [np.mean(b) for b in PRIORS.values()],
            "q05": [b[0] for b in PRIORS.values()],
            "q95": [b[1] for b in PRIORS.values()],
        }
    )
    path = tmp_path / "posterior.toml"
    path.write_text(posterior_scenario(table, str(REPLAY), "calibrated"), encoding="utf-8")
    s = load_scenario(path)
    for key, (lo, hi) in PRIORS.items():
        node = s.data
        for part in key.split("."):
            node = node[part]
        assert (
            node["dist"] == "triangular"
            and node["low"] == pytest.approx(lo)
            and node["high"] == pytest.approx(hi)
        )


@pytest.mark.slow
def test_calibrate_runs_and_reports_every_parameter(tmp_path):
    pytest.importorskip("pyabc")
    from sim.cli import main

    assert main(["calibrate", "--particles", "4", "--generations", "1", "--out", str(tmp_path)]) == 0
    table = pd.read_csv(tmp_path / "posterior.csv")
    assert list(table["parameter"]) == list(PRIORS)
    assert ((table["prior_low"] <= table["q05"]) & (table["q95"] <= table["prior_high"])).all()
    assert (tmp_path / "posterior.png").stat().st_size > 0
    load_scenario(tmp_path / "posterior.toml")
