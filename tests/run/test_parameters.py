"""Every results folder keeps the inputs beside the outputs: one row per replicate with every
value it drew from the file's distributions."""

from sim.cli import main
from sim.run.store import load_results
from tests.conftest import SHORT_2023, write_scenario


def test_each_replicate_keeps_the_values_it_drew(tmp_path):
    path = write_scenario(tmp_path, SHORT_2023, "short.toml")
    out = tmp_path / "out"
    assert main(["run", str(path), "--replicates", "3", "--workers", "1", "--quiet", "--out", str(out)]) == 0
    res = load_results(out)
    params = res.parameters.set_index("replicate").sort_index()
    assert list(params.index) == [0, 1, 2]
    assert "junta.strength" in params and "factions.PDF.strength" in params and "junta.drones" not in params
    assert params["junta.strength"].between(60_000, 80_000).all()  # the file's uniform(60,000, 80,000)
    assert params["junta.strength"].nunique() == 3
    start = res.timeseries[res.timeseries["day"] == 0].set_index("replicate").sort_index()
    assert (start["junta_strength"] <= params["junta.strength"] + 1e-6).all()  # what the run started from
