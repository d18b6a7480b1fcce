"""The casualty checks: their data files parse and cite real sources, and each check fails when
the model's number lies outside the published range (hand-built frames, no model run)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis import casualties
from sim.analysis.validation import CHECKS, STYLIZED, casualty_checks, evaluate
from sim.errors import UserError
from sim.run.store import Results
from tests.analysis.fake import fake_results


def _results(start: str, end: str, final: dict[str, list[float]], label: str = "2023") -> Results:
    """Replicates whose cumulative counts rise linearly from 0 on `start` to `final` on `end`."""
    dates = pd.date_range(start, end, freq="D")
    ramp = np.linspace(0.0, 1.0, len(dates))
    frames = []
    for r in range(len(next(iter(final.values())))):
        frame = pd.DataFrame({m: ramp * v[r] for m, v in final.items()})
        frame.insert(0, "date", dates)
        frame.insert(0, "day", np.arange(len(dates)))
        frame.insert(0, "replicate", r)
        frames.append(frame)
    manifest = {"scenario_name": "hand-built", "scenario": {"run": {"initial_control": label}}}
    return Results(
        Path("hand-built"), manifest, pd.concat(frames, ignore_index=True), pd.DataFrame(), pd.DataFrame()
    )


def _check(name: str):
    return next(c for c in CHECKS if c.name == name)


def _passes(name: str, res: Results) -> bool:
    check = _check(name)
    return check.passes(check.value(res, None))


def test_the_data_files_parse_and_every_range_cites_named_sources():
    figures = casualties.read_figures()
    targets = casualties.read_targets(figures=figures)
    assert {t.quantity for t in targets.values()} == set(casualties.QUANTITIES)
    for t in targets.values():
        assert t.figures and all(f in figures for f in t.figures) and t.note
    for f in figures.values():
        assert f.publisher and f.title and f.date and f.url.startswith("http")
    cited = {f for t in targets.values() for f in t.figures}
    assert cited == set(figures), "every figure in the table bounds or explains some check"


def test_one_check_per_target_row_next_to_the_stylized_facts():
    targets = casualties.read_targets()
    assert len(CHECKS) == len(STYLIZED) + len(targets) - 1  # the dead share is a factor, not a check
    assert {c.name for c in casualty_checks()} == {
        t.check for t in targets.values() if t.quantity != "dead_share"
    }


@pytest.mark.parametrize(("label", "fixture"), [("2023", "s2023"), ("2025", "s2025")])
def test_each_window_is_the_window_of_its_scenario_file(label, fixture, request):
    run = request.getfixturevalue(fixture).data["run"]
    for t in casualties.read_targets().values():
        if t.applies_to == label:
            assert (t.start, t.end) == (str(run["start"]), str(run["end"]))


def test_surrenders_outside_the_published_range_fail():
    name = "junta surrendered by 31 Dec 2023"
    target = casualties.read_targets()["junta_surrendered_2023"]
    assert _passes(name, _results("2023-10-27", "2023-12-31", {"junta_surrendered": [1500, 2000, 2500]}))
    assert not _passes(name, _results("2023-10-27", "2023-12-31", {"junta_surrendered": [0, 0, 0]}))
    too_many = target.high * 1.5
    assert not _passes(name, _results("2023-10-27", "2023-12-31", {"junta_surrendered": [too_many] * 3}))


def test_dead_are_compared_through_the_dead_share():
    """500 to 10,900 junta dead at 0.2 to 0.5 dead per casualty: 1,000 to 54,500 casualties."""
    name = "junta dead (Operation 1027 window)"

    def run(n: float) -> Results:
        return _results(
            "2023-10-27", "2023-12-31", {"junta_casualties": [n] * 3, "resistance_casualties": [n] * 3}
        )

    assert _passes(name, run(2_000))
    assert not _passes(name, run(900))  # at most 450 dead: under the 500 counted on one front
    assert not _passes(name, run(60_000))  # at least 12,000 dead: over ACLED's whole year of battles


def test_a_lopsided_ratio_of_dead_fails():
    name = "ratio of dead junta:resistance (2025)"

    def run(junta: float, resistance: float) -> Results:
        final = {"junta_casualties": [junta] * 3, "resistance_casualties": [resistance] * 3}
        return _results("2025-06-01", "2025-12-28", final, "2025")

    assert _passes(name, run(3_000, 5_000))
    assert not _passes(name, run(1_000, 19_000))  # the 19:1 of the issue
    assert not _passes(name, run(12_000, 1_000))
    assert not _passes(name, run(0, 0))  # nobody died: no ratio, no pass


def test_only_the_window_counts_when_a_run_starts_earlier():
    """The replay starts before a window or runs past it: counts outside it are left out."""
    res = _results("2023-10-01", "2024-01-31", {"junta_surrendered": [1230.0]})
    value = _check("junta surrendered by 31 Dec 2023").value(res, None)
    days = pd.date_range("2023-10-01", "2024-01-31").size - 1
    inside = (pd.Timestamp("2023-12-31") - pd.Timestamp("2023-10-26")).days
    assert value[0] == pytest.approx(1230.0 * inside / days)


def test_evaluate_reports_the_casualty_checks_with_the_null_model(geo):
    """A null run where nobody dies fails the ratio check that the model passes."""

    def run(name: str, junta: float, resistance: float) -> Results:
        res = fake_results(name, geo, start="2025-06-01", days=211, replicates=4)
        ramp = res.timeseries["day"] / 210
        res.timeseries["junta_casualties"] = ramp * junta
        res.timeseries["resistance_casualties"] = ramp * resistance
        res.manifest["scenario"] = {"run": {"initial_control": "2025"}}
        return res

    table = evaluate(run("model", 2000.0, 1600.0), geo, run("null", 0.0, 0.0)).set_index("check")
    row = table.loc["ratio of dead junta:resistance (2025)"]
    assert row["pass"] and not row["null_pass"] and row["informative"]
    assert "Dupuy" in row["source"]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: s.replace("shan_herald_2024_dead;", "no_such_figure;"), "unknown id 'no_such_figure'"),
        (lambda s: s.replace(",500,10900,", ",10900,500,"), "need 0 <= low <= high"),
        (
            lambda s: s.replace(",2023-10-27,2023-12-31,500,", ",27 Oct 2023,2023-12-31,500,"),
            "write YYYY-MM-DD",
        ),
        (
            lambda s: s.replace(",junta_surrendered,2023", ",junta_deserted,2023"),
            "quantity: 'junta_deserted'",
        ),
        (lambda s: s.replace(",plausibility,", ",hunch,", 1), "kind: 'hunch'"),
        (lambda s: s.replace("id,check,", "id,name,"), "missing columns check"),
    ],
)
def test_mistakes_in_the_targets_file_are_one_line(tmp_path, edit, message):
    path = tmp_path / "targets.csv"
    path.write_text(edit(casualties.TARGETS.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(UserError, match=message):
        casualties.read_targets(path)


def test_a_figure_without_a_source_is_refused(tmp_path):
    text = casualties.FIGURES.read_text(encoding="utf-8")
    path = tmp_path / "figures.csv"
    path.write_text(text.replace("https://www.eastmojo.com", "www.eastmojo.com"), encoding="utf-8")
    with pytest.raises(UserError, match="not a web address"):
        casualties.read_figures(path)
    path.write_text(
        text.replace(",2023-11-30,https://www.eastmojo", ",,https://www.eastmojo"), encoding="utf-8"
    )
    with pytest.raises(UserError, match="date: empty"):
        casualties.read_figures(path)
