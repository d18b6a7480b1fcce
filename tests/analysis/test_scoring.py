"""Scores that cannot flatter: the model's P(junta holds) per township against the record's map
of a date, beside baselines that know only the record up to the training cut-off."""

import datetime as dt

import numpy as np
import pytest

from sim.analysis.observed import read_changes
from sim.analysis.scoring import BASE_RATE, SETS, forecasts, junta_held, scores
from sim.cli import main
from sim.run.store import load_results
from tests.conftest import ROOT

CUTOFF = dt.date(2024, 6, 30)
END = dt.date(2025, 7, 31)


@pytest.fixture(scope="module")
def july_2025(tmp_path_factory):
    out = tmp_path_factory.mktemp("score") / "run"
    args = ["run", str(ROOT / "scenarios" / "2025_counteroffensive.toml"), "--until", str(END)]
    assert main([*args, "--replicates", "6", "--workers", "1", "--quiet", "--out", str(out)]) == 0
    return load_results(out)


def test_the_model_forecast_is_the_share_of_replicates_holding_each_township(july_2025, geo):
    fc = forecasts(july_2025, geo, read_changes(geo), END, CUTOFF)
    final = july_2025.final_control
    share = (final["side"] == "junta").groupby(final["pcode"]).mean().reindex(list(geo.ids)).to_numpy()
    np.testing.assert_allclose(fc.p["model"], share)  # rebuilt from the changes, as the run ended
    day0 = junta_held(july_2025, geo, 0)
    assert day0.shape == (6, geo.n)


def test_persistence_is_the_map_at_the_cutoff_and_scores_nothing_wrong_there(july_2025, geo):
    changes = read_changes(geo)
    fc = forecasts(july_2025, geo, changes, dt.date(2025, 6, 1), CUTOFF)
    table = scores(fc, geo, CUTOFF).set_index(["set", "forecaster"])
    everything = table.loc[SETS[0]]
    assert everything.loc["model", "sample"] == "out"
    # what changed since the cut-off is exactly where persistence is wrong
    wrong = (fc.p["persistence"] > 0.5) != fc.observed
    assert (wrong == fc.changed_since_cutoff).all()
    assert everything.loc["persistence", "brier"] == pytest.approx(wrong[~fc.dated].mean())
    # the base rate of the scored set knows the answer's average
    y = fc.observed[~fc.dated]
    assert everything.loc[BASE_RATE, "brier"] == pytest.approx(y.mean() * (1 - y.mean()))
    assert {"persistence", "state share", "logistic", "model"} <= set(everything.index)
    assert everything["townships"].iloc[0] == (~fc.dated).sum()


def test_no_baseline_sees_past_the_cutoff(july_2025, geo):
    changes = read_changes(geo)
    later = changes[changes["date"] > CUTOFF].index
    moved = changes.copy()
    moved = moved.drop(index=later[-3:])  # forget the last changes: the record after the cut-off differs
    a = forecasts(july_2025, geo, changes, END, CUTOFF)
    b = forecasts(july_2025, geo, moved, END, CUTOFF)
    for name in ("persistence", "state share", "logistic"):
        np.testing.assert_array_equal(a.p[name], b.p[name])
    # and one change moved to before the cut-off does change them
    earlier = changes.copy()
    first_after = later[0]
    earlier.loc[first_after, "date"] = CUTOFF
    earlier = earlier.sort_values("date", kind="stable")
    c = forecasts(july_2025, geo, earlier, END, CUTOFF)
    assert not np.array_equal(a.p["persistence"], c.p["persistence"])


def test_townships_a_dated_agreement_moved_are_never_scored(tmp_path, geo):
    out = tmp_path / "run"
    dated = tmp_path / "dated.toml"
    dated.write_text(
        f'extends = "{ROOT / "scenarios" / "2025_counteroffensive.toml"}"\nname = "dated handover"\n'
        '[[events]]\ndate = 2025-11-25\nkind = "handover"\nfaction = "TNLA"\ntowns = ["Mogok", "Mongmit"]\n'
    )
    args = ["run", str(dated), "--until", "2025-12-01"]
    assert main([*args, "--replicates", "2", "--workers", "1", "--quiet", "--out", str(out)]) == 0
    res = load_results(out)
    fc = forecasts(res, geo, read_changes(geo), dt.date(2025, 12, 1), CUTOFF)
    moved = {geo.names[i] for i in np.flatnonzero(fc.dated)}
    assert moved == {"Mogoke", "Mongmit"}  # the TNLA's handover of Oct 2025
    table = scores(fc, geo, CUTOFF)
    assert (table.loc[table["set"] == SETS[0], "townships"] == geo.n - 2).all()


def test_sim_score_prints_every_forecaster_and_writes_the_figures(july_2025, tmp_path, capsys):
    out = tmp_path / "scores"
    args = ["score", str(july_2025.path), "--at", "2025-06-15", "--at", str(END), "--out", str(out)]
    assert main([*args, "--null", str(july_2025.path)]) == 0
    printed = capsys.readouterr().out
    for name in ("persistence", "state share", "logistic", "null", BASE_RATE, "cut-off 2024-06-30"):
        assert name in printed
    assert {p.name for p in out.iterdir()} >= {"scores.csv", "scores.md", "townships.csv", "reliability.png",
                                               "skill_by_date.png"}  # fmt: skip


@pytest.mark.parametrize(
    ("at", "message"),
    [("2025-09-01", "the run covers 2025-06-01 to 2025-07-31"), ("2023-01-01", "covers 2023-10-27 to")],
)
def test_a_date_the_run_or_the_record_does_not_cover_is_one_line(july_2025, at, message, capsys):
    assert main(["score", str(july_2025.path), "--at", at]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_a_null_run_of_another_period_is_refused(july_2025, tmp_path, capsys):
    shorter = tmp_path / "null"
    args = ["run", str(ROOT / "scenarios" / "2025_counteroffensive.toml"), "--until", "2025-06-20", "--null"]
    assert main([*args, "--replicates", "1", "--workers", "1", "--quiet", "--out", str(shorter)]) == 0
    capsys.readouterr()
    assert main(["score", str(july_2025.path), "--at", "2025-06-15", "--null", str(shorter)]) == 2
    err = capsys.readouterr().err
    assert "compare runs of the same period" in err and len(err.strip().splitlines()) == 1


def test_a_figure_of_an_unfinished_run_says_so(july_2025):
    import copy

    from sim.analysis.style import source

    assert "UNFINISHED" not in source([july_2025])
    stopped = copy.copy(july_2025)
    stopped.manifest = {**july_2025.manifest, "status": "interrupted", "replicates": 50}
    assert "UNFINISHED: 2025: junta counteroffensive holds 6 of the 50 replicates asked for." in source(
        [stopped]
    )
