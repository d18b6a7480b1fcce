"""`sim calibrate` end to end on a tiny fit: one posterior for any worker count, a fit that
resumes with more generations, a resume that asks for another fit refused, and a child
scenario that draws from what it wrote."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from sim.scenario import load_scenario

pytest.importorskip("SALib")
TINY = ["calibrate", "--particles", "6", "--trajectories", "1", "--checks", "4", "--seed", "3"]


@pytest.mark.slow
def test_calibrate_is_reproducible_resumable_and_usable(tmp_path, capsys):
    from sim.cli import main

    a, b = tmp_path / "a", tmp_path / "b"
    assert main([*TINY, "--generations", "2", "--workers", "1", "--out", str(a)]) == 0
    assert main([*TINY, "--generations", "2", "--workers", "2", "--out", str(b)]) == 0
    pa, pb = pd.read_parquet(a / "posterior.parquet"), pd.read_parquet(b / "posterior.parquet")
    assert pa.equals(pb)
    pinned = pd.read_csv(a / "pinned.csv")
    assert list(pinned["parameter"]) == [c for c in pa.columns if c != "weight"]
    assert ((pinned["q05"] <= pinned["median"]) & (pinned["median"] <= pinned["q95"])).all()
    for name in ("posterior.png", "pairs.png", "predictive.png"):
        assert (a / name).stat().st_size > 0

    assert main([*TINY, "--generations", "3", "--workers", "2", "--resume", "--out", str(a)]) == 0
    assert len(pd.read_csv(a / "generations.csv")) == 3
    assert json.loads((a / "fit.json").read_text())["stopped"] == "reached 3 generations"

    capsys.readouterr()
    assert main([*TINY[:-1], "4", "--generations", "3", "--resume", "--out", str(a)]) == 2
    assert "is a fit with another settings" in capsys.readouterr().err
    assert main([*TINY, "--generations", "3", "--out", str(a)]) == 2
    assert "continue it with --resume" in capsys.readouterr().err

    fitted = load_scenario(a / "posterior.toml")
    assert fitted.posterior is not None and fitted.posterior.names == tuple(pinned["parameter"])
    assert str(fitted.data["run"]["fitted_until"]) == "2024-06-30"
