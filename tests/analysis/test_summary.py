"""paired_difference on numbers small enough to check by hand."""

import math

import numpy as np
import pandas as pd
import pytest
import scipy.stats

from sim.analysis.summary import end_metrics, paired_difference
from tests.analysis.fake import fake_results

T95_2DF = 4.302652729911275  # Student's t, 2 degrees of freedom, 97.5th percentile (tables)


def test_paired_difference_pairs_by_replicate_and_gives_a_95_percent_interval():
    """Differences 1, 2, 1: mean 4/3, sd sqrt(1/3), so t sd / sqrt(3) = t / 3 with t = 4.3027
    (Student's t with 2 degrees of freedom)."""
    base = pd.DataFrame({"m": [1.0, 2.0, 3.0], "k": [5.0, 5.0, 5.0]}, index=[0, 1, 2])
    # other's rows in another order, plus a replicate base lacks: pairing is by replicate, not row
    other = pd.DataFrame({"m": [4.0, 2.0, 4.0, 100.0], "k": [7.0, 7.0, 7.0, 7.0]}, index=[2, 0, 1, 3])
    got = paired_difference(base, other)
    assert list(got.columns) == ["diff_mean", "diff_low", "diff_high", "pairs"]
    m = got.loc["m"]
    assert m["pairs"] == 3
    assert m["diff_mean"] == pytest.approx(4 / 3)
    assert m["diff_low"] == pytest.approx(4 / 3 - T95_2DF / 3)
    assert m["diff_high"] == pytest.approx(4 / 3 + T95_2DF / 3)
    assert (m["diff_high"] - m["diff_low"]) / 2 == pytest.approx(T95_2DF * math.sqrt(1 / 3) / math.sqrt(3))
    k = got.loc["k"]  # the same shift in every pair: no spread, a zero-width interval
    assert (k["diff_mean"], k["diff_low"], k["diff_high"]) == pytest.approx((2.0, 2.0, 2.0))


def test_paired_difference_of_a_run_with_itself_is_zero_and_the_level_sets_the_width():
    base = pd.DataFrame({"m": [1.0, 4.0, 2.0, 7.0]})
    same = paired_difference(base, base)
    assert (same[["diff_mean", "diff_low", "diff_high"]] == 0).all().all()
    other = base + pd.DataFrame({"m": [0.0, 2.0, 0.0, 2.0]})  # differences 0, 2, 0, 2: sd 2/sqrt(3)
    half = paired_difference(base, other, level=0.60899778).loc["m"]  # t with 3 df = 1 (tables)
    assert half["diff_mean"] == pytest.approx(1.0)
    assert half["diff_high"] - half["diff_mean"] == pytest.approx(2 / math.sqrt(3) / 2, rel=1e-6)


def test_one_pair_has_a_mean_but_no_interval():
    got = paired_difference(pd.DataFrame({"m": [1.0]}), pd.DataFrame({"m": [3.0]})).loc["m"]
    assert got["diff_mean"] == 2.0 and got["pairs"] == 1
    assert np.isnan(got["diff_low"]) and np.isnan(got["diff_high"])


def test_comparison_table_says_what_is_subtracted_and_leaves_the_baseline_blank(geo):
    from sim.analysis.summary import DIFF_COLUMNS, compare_caption, compare_table

    runs = [fake_results("base", geo), fake_results("other", geo)]
    table = compare_table(runs)
    assert all("run minus baseline" in c for c in DIFF_COLUMNS)
    assert "95 % CI" in DIFF_COLUMNS[1] and "95 % CI" in DIFF_COLUMNS[2]
    assert {"median", "p5", "p95", *DIFF_COLUMNS} <= set(table.columns)
    base = table[table["run"] == "base"]
    assert base[list(DIFF_COLUMNS)].isna().all().all()  # blank, not 0.000
    other = table[(table["run"] == "other") & (table["metric"] == "townships_junta")].iloc[0]
    ends = [end_metrics(r) for r in runs]
    diff = ends[1]["townships_junta"] - ends[0]["townships_junta"]
    assert other[DIFF_COLUMNS[0]] == pytest.approx(diff.mean())
    assert other["p5"] == pytest.approx(ends[1]["townships_junta"].quantile(0.05))
    caption = compare_caption(runs)
    assert "Baseline: base" in caption and "5-95 %" in caption and "95 % confidence interval" in caption


def test_markdown_comparison_prints_counts_whole_and_baseline_cells_empty(geo):
    from sim.analysis.summary import compare_table, format_compare, to_markdown

    runs = [fake_results("base", geo), fake_results("other", geo)]
    text = to_markdown(format_compare(compare_table(runs)))
    rows = {tuple(c.strip() for c in line.strip("|").split("|")) for line in text.splitlines()[2:]}
    base_towns = next(r for r in rows if r[0] == "base" and r[1] == "townships_junta")
    assert all("." not in cell for cell in base_towns[3:6])  # median, p5, p95 of a count
    assert base_towns[6:9] == ("", "", "")
    other_share = next(r for r in rows if r[0] == "other" and r[1] == "junta_area_share")
    assert other_share[6][0] in "+-" and len(other_share[6].split(".")[1]) == 3


def test_runs_with_different_seeds_are_compared_unpaired(geo):
    from sim.analysis.summary import compare_table

    runs = [fake_results("base", geo, seed=1), fake_results("other", geo, seed=2)]
    row = compare_table(runs).iloc[1]
    assert row["paired"] == "no"
    ends = [end_metrics(r)[row["metric"]] for r in runs]
    va, vb = ends[1].var() / 5, ends[0].var() / 5
    df = (va + vb) ** 2 / (va**2 / 4 + vb**2 / 4)  # Welch-Satterthwaite, 5 replicates each
    t = scipy.stats.t.ppf(0.975, df)  # Welch's interval, from scipy.stats as a check of summary's own
    half = t * math.sqrt(va + vb)
    assert 2.3 < t < 2.8  # between t with 8 degrees of freedom (2.31) and with 4 (2.78)
    assert row["run minus baseline: 95 % CI high"] - row["run minus baseline: mean"] == pytest.approx(half)
