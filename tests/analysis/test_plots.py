"""The figures a user reads: every run shown and told apart, layouts that wrap, runs of other
periods on their own dates, the comparison drawn, the interval convention stated, no label on
top of another."""

from __future__ import annotations

import itertools

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PatchCollection

from sim.analysis import maps, plots, style
from sim.analysis.summary import differences
from tests.analysis.fake import fake_results

NAMES = [f"run number {i} with a long descriptive name" for i in range(8)]


@pytest.fixture
def figures(monkeypatch, tmp_path):
    """Figures as built, kept open instead of saved (path -> figure)."""
    kept = {}

    def keep(fig, path):
        kept[path.name] = fig
        return path

    monkeypatch.setattr(plots, "save", keep)
    monkeypatch.setattr(style, "save", keep)
    yield kept
    plt.close("all")


def _texts(fig) -> str:
    """Every word of the figure's title and notes, line breaks undone."""
    parts = [t.get_text() for t in fig.texts]
    if fig._suptitle is not None:
        parts.append(fig._suptitle.get_text())
    return " ".join(" ".join(parts).split())


def _panels(fig):
    return [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]


def test_eight_runs_each_get_a_panel_of_their_own_colour_in_a_wrapping_grid(geo, figures, tmp_path):
    runs = [fake_results(n, geo) for n in NAMES]
    plots.fan_chart(runs, "townships_junta", tmp_path)
    fig = figures["fan_townships_junta.png"]
    panels = _panels(fig)
    assert [ax.get_title().replace("\n", " ") for ax in panels] == NAMES
    colours = {tuple(np.round(ax.lines[0].get_color(), 3)) for ax in panels}
    assert len(colours) == 8  # told apart by colour
    assert fig.get_size_inches()[0] <= 10.5  # wraps instead of growing sideways
    assert "5-95th percentiles" in _texts(fig)


def test_more_runs_than_colours_differ_in_colour_or_line_style():
    looks = {(style.colour(i), style.dash(i)) for i in range(20)}
    assert len(looks) == 20


def test_runs_of_different_periods_keep_their_own_dates(geo, figures, tmp_path):
    runs = [fake_results("2023", geo, start="2023-10-27", days=66), fake_results("2025", geo, days=90)]
    plots.fan_chart(runs, "townships_junta", tmp_path)
    panels = _panels(figures["fan_townships_junta.png"])
    assert len(panels) == 2
    for ax, res in zip(panels, runs, strict=True):
        start, end = ax.get_xlim()
        dates = res.timeseries["date"]
        assert plt.matplotlib.dates.num2date(start).date() == dates.min().date()
        assert plt.matplotlib.dates.num2date(end).date() == dates.max().date()


def test_a_few_runs_of_one_period_share_one_axis_with_a_legend_naming_each(geo, figures, tmp_path):
    runs = [fake_results(n, geo) for n in NAMES[:3]]
    plots.fan_chart(runs, "displaced", tmp_path)
    (ax,) = _panels(figures["fan_displaced.png"])
    labels = [t.get_text().replace("\n", " ") for t in ax.get_legend().get_texts()]
    assert labels == NAMES[:3]


def test_end_distributions_name_every_run_once_per_row(geo, figures, tmp_path):
    runs = [fake_results(n, geo) for n in NAMES]
    plots.end_distributions(runs, tmp_path)
    fig = figures["end_state.png"]
    first = _panels(fig)[0]
    labels = [t.get_text().replace("\n", " ") for t in first.get_yticklabels()]
    assert labels == NAMES
    assert "5-95 %" in _texts(fig)


def test_difference_chart_shows_each_run_minus_the_baseline_with_its_95_percent_interval(
    geo, figures, tmp_path
):
    runs = [fake_results(n, geo) for n in NAMES[:4]]
    plots.difference_chart(runs, tmp_path)
    fig = figures["differences.png"]
    assert NAMES[0] in _texts(fig) and "95 % confidence interval" in _texts(fig)
    panel = _panels(fig)[0]
    assert panel.get_title() == style.title("townships_junta_change")
    expected = differences(runs)
    for i, res in enumerate(runs[1:]):
        x = panel.lines[i * 3].get_xdata()[0]  # each errorbar: its dot, then two caps
        assert x == pytest.approx(expected[res.label].loc["townships_junta_change", "diff_mean"])


def test_difference_map_colours_each_township_by_the_change_in_probability(geo, figures, tmp_path):
    base = fake_results("base", geo, p_junta=0.9, replicates=10)
    other = fake_results("other", geo, p_junta=0.2, replicates=10)
    maps.difference_maps([base, other], tmp_path, geo)
    fig = figures["map_difference.png"]
    (ax,) = _panels(fig)
    (townships,) = [c for c in ax.collections if isinstance(c, PatchCollection) and c.get_array() is not None]
    assert len(townships.get_paths()) == geo.n  # a polygon per township
    values = np.asarray(townships.get_array())

    def p(res):
        fc = res.final_control
        return (fc["side"] == "junta").groupby(fc["pcode"]).mean().reindex(list(geo.ids)).to_numpy()

    np.testing.assert_allclose(values, p(other) - p(base))
    assert "minus the baseline" in _texts(fig)


def test_maps_wrap_after_four_panels(geo, figures, tmp_path):
    runs = [fake_results(n, geo) for n in NAMES]
    maps.control_maps(runs, tmp_path, geo)
    fig = figures["map_junta_control.png"]
    panels = _panels(fig)
    assert len(panels) == 8
    rows = {round(ax.get_position().y0, 2) for ax in panels}
    assert len(rows) == 2
    assert fig.get_size_inches()[0] < 16


def test_map_labels_never_overlap(geo, figures, tmp_path):
    maps.control_maps([fake_results("a", geo)], tmp_path, geo)
    fig = figures["map_junta_control.png"]
    renderer = fig.canvas.get_renderer()
    (ax,) = _panels(fig)
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    assert len(boxes) == int(geo.capital.sum())
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b)


def test_attribution_chart_titles_metrics_in_words_and_has_a_legend(figures, tmp_path):
    rows = []
    for metric in ("townships_junta_change", "outposts_lost"):
        for group, value in (("drones", 3.0), ("ceasefires", -1.0), ("total difference", 2.0)):
            rows.append(
                {"group": group, "metric": metric, "shapley": value, "low": value - 1, "high": value + 1}
            )
    plots.attribution_chart(pd.DataFrame(rows), tmp_path, "heading", "caption")
    fig = figures["attribution.png"]
    titles = [ax.get_title(loc="left") for ax in _panels(fig)]
    assert titles == [style.title("townships_junta_change"), style.title("outposts_lost")]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert any("raises" in t for t in legend) and any("lowers" in t for t in legend)


@pytest.mark.slow
def test_plot_all_draws_the_comparison_only_for_several_runs(geo, tmp_path):
    one = plots.plot_all([fake_results("a", geo, days=5)], tmp_path / "one")
    names = {p.name for p in one}
    assert "differences.png" not in names and "fan_resistance_casualties.png" in names
    two = plots.plot_all([fake_results("a", geo, days=5), fake_results("b", geo, days=5)], tmp_path / "two")
    names = {p.name for p in two}
    assert {"differences.png", "map_difference.png", "map_junta_control.png", "end_state.png"} <= names
    assert all(p.stat().st_size > 10_000 for p in two)


def test_figures_state_every_runs_replicate_count_and_difference_axes_say_run_minus_baseline(
    geo, figures, tmp_path
):
    runs = [fake_results("base", geo, replicates=5), fake_results("other", geo, replicates=8)]
    assert "5 to 8 replicates per run" in style.source(runs)
    assert "5 replicates per run" in style.source(runs[:1])
    plots.difference_chart(runs, tmp_path)
    labels = [ax.get_xlabel() for ax in _panels(figures["differences.png"])]
    assert labels and all(label.endswith(": run minus baseline") for label in labels)
