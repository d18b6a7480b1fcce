"""Runs of different lengths are compared over the same number of days from each start."""

import numpy as np

from sim.analysis.windows import same_days
from sim.cli import main
from sim.run.store import load_results
from tests.conftest import S2023, S2025


def test_runs_of_different_lengths_are_compared_over_the_shortest_window(tmp_path):
    short, longer = tmp_path / "short", tmp_path / "long"
    common = ["--replicates", "2", "--workers", "1", "--quiet"]
    assert main(["run", str(S2023), "--until", "2023-11-05", *common, "--out", str(short)]) == 0  # 10 days
    assert main(["run", str(S2025), "--until", "2025-06-30", *common, "--out", str(longer)]) == 0  # 30 days
    runs = [load_results(short), load_results(longer)]
    cut, said = same_days(runs)
    assert "first 10 days" in said and "30 days" in said
    assert cut[1].timeseries["day"].max() == 9 and cut[1].label.endswith("(1 Jun 2025 to 10 Jun 2025)")
    last = cut[1].timeseries[cut[1].timeseries["day"] == 9].set_index("replicate")["townships_junta"]
    held = (cut[1].final_control["side"] == "junta").groupby(cut[1].final_control["replicate"]).sum()
    np.testing.assert_array_equal(
        held.sort_index().to_numpy(), last.sort_index().to_numpy()
    )  # the map at day 10
    assert cut[0].timeseries.equals(runs[0].timeseries)
    out = tmp_path / "cmp"
    assert main(["compare", str(short), str(longer), "--out", str(out)]) == 0
    assert "compares the first 10 days of each" in (out / "comparison.md").read_text()
