"""paired_difference on numbers small enough to check by hand."""

import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis.summary import paired_difference


def test_paired_difference_pairs_by_replicate_and_gives_a_95_percent_interval():
    """Differences 1, 2, 1: mean 4/3, sd sqrt(1/3), so 1.96 sd / sqrt(3) = 1.96 / 3."""
    base = pd.DataFrame({"m": [1.0, 2.0, 3.0], "k": [5.0, 5.0, 5.0]}, index=[0, 1, 2])
    # other's rows in another order, plus a replicate base lacks: pairing is by replicate, not row
    other = pd.DataFrame({"m": [4.0, 2.0, 4.0, 100.0], "k": [7.0, 7.0, 7.0, 7.0]}, index=[2, 0, 1, 3])
    got = paired_difference(base, other)
    assert list(got.columns) == ["diff_mean", "diff_low", "diff_high", "pairs"]
    m = got.loc["m"]
    assert m["pairs"] == 3
    assert m["diff_mean"] == pytest.approx(4 / 3)
    assert m["diff_low"] == pytest.approx(4 / 3 - 1.96 / 3)
    assert m["diff_high"] == pytest.approx(4 / 3 + 1.96 / 3)
    assert (m["diff_high"] - m["diff_low"]) / 2 == pytest.approx(1.96 * math.sqrt(1 / 3) / math.sqrt(3))
    k = got.loc["k"]  # the same shift in every pair: no spread, a zero-width interval
    assert (k["diff_mean"], k["diff_low"], k["diff_high"]) == pytest.approx((2.0, 2.0, 2.0))


def test_paired_difference_of_a_run_with_itself_is_zero_and_z_sets_the_width():
    base = pd.DataFrame({"m": [1.0, 4.0, 2.0, 7.0]})
    same = paired_difference(base, base)
    assert (same[["diff_mean", "diff_low", "diff_high"]] == 0).all().all()
    other = base + pd.DataFrame({"m": [0.0, 2.0, 0.0, 2.0]})  # differences 0, 2, 0, 2: sd 2/sqrt(3)
    half = paired_difference(base, other, z=1.0).loc["m"]
    assert half["diff_mean"] == pytest.approx(1.0)
    assert half["diff_high"] - half["diff_mean"] == pytest.approx(2 / math.sqrt(3) / 2)


def test_one_pair_has_a_mean_but_no_interval():
    got = paired_difference(pd.DataFrame({"m": [1.0]}), pd.DataFrame({"m": [3.0]})).loc["m"]
    assert got["diff_mean"] == 2.0 and got["pairs"] == 1
    assert np.isnan(got["diff_low"]) and np.isnan(got["diff_high"])
