import json

import pandas as pd
import pytest

from sim.errors import UserError
from sim.run import ensemble
from sim.run.ensemble import run_ensemble
from sim.run.store import load_results
from tests.run.conftest import fail_replicate


def _tables(path):
    res = load_results(path)
    return res.timeseries, res.final_control


def test_results_identical_for_any_executor_and_worker_count(tmp_path, short):
    run_ensemble(short, tmp_path / "serial", executor="serial", workers=1, progress=False)
    run_ensemble(short, tmp_path / "two", executor="process", workers=2, progress=False)
    for a, b in zip(_tables(tmp_path / "serial"), _tables(tmp_path / "two"), strict=True):
        pd.testing.assert_frame_equal(a, b)
        assert a.to_csv().encode() == b.to_csv().encode()


def test_results_contract(tmp_path, short):
    report = run_ensemble(short, tmp_path / "out", executor="serial", progress=False)
    assert report.done == 12 and not report.failures
    ts, fc = _tables(tmp_path / "out")
    for col in (
        "replicate",
        "day",
        "date",
        "junta_area_share",
        "junta_population_share",
        "townships_junta",
        "townships_resistance",
        "townships_contested",
        "townships_junta_full",
        "resistance_area_share",
        "outposts_lost",
        "china_crossings_junta",
        "junta_strength",
        "resistance_strength",
        "junta_casualties",
        "resistance_casualties",
        "displaced",
    ):
        assert col in ts.columns
    assert len(ts) == 12 * short.days
    assert ts["junta_area_share"].between(0, 1).all()
    assert list(fc.columns) == ["replicate", "township", "pcode", "controller", "side"]
    assert fc["pcode"].str.fullmatch(r"MMR\d{6}").all()
    assert len(fc) == 12 * short.geography.n
    assert set(fc["side"]) <= {"junta", "resistance", "neutral"}
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["replicates_done"] == 12
    assert manifest["mesa_agents_at_start"] > 100
    assert manifest["scenario"]["run"]["seed"] == 2023
    assert "spawn_key" in manifest["seeds"]


def test_resume_completes_to_the_same_tables(tmp_path, short):
    full = tmp_path / "full"
    run_ensemble(short, full, executor="serial", progress=False)
    part = tmp_path / "part"
    run_ensemble(short.with_run(replicates=5), part, executor="serial", progress=False)
    with pytest.raises(UserError, match="--resume"):
        run_ensemble(short, part, executor="serial", progress=False)
    report = run_ensemble(short, part, executor="serial", resume=True, progress=False)
    assert report.done == 12
    for a, b in zip(_tables(full), _tables(part), strict=True):
        pd.testing.assert_frame_equal(a, b)


def test_resume_refuses_another_scenario_or_seed(tmp_path, short):
    out = tmp_path / "out"
    run_ensemble(short.with_run(replicates=2), out, executor="serial", progress=False)
    with pytest.raises(UserError, match="different scenario or seed"):
        run_ensemble(short.with_run(seed=99), out, executor="serial", resume=True, progress=False)
    with pytest.raises(UserError, match="different scenario or seed"):
        run_ensemble(
            short.with_values({"junta.drones": 0.9}), out, executor="serial", resume=True, progress=False
        )


def test_a_failing_replicate_is_reported_and_the_others_kept(tmp_path, short, monkeypatch):
    fail_replicate(monkeypatch, 3)
    report = run_ensemble(short, tmp_path / "out", executor="serial", progress=False)
    assert [f["replicate"] for f in report.failures] == [3]
    assert report.failures[0]["seed"] == 2023 and "boom" in report.failures[0]["error"]
    ts, _ = _tables(tmp_path / "out")
    assert sorted(ts["replicate"].unique()) == [r for r in range(12) if r != 3]
    monkeypatch.undo()
    report = run_ensemble(short, tmp_path / "out", executor="serial", resume=True, progress=False)
    assert report.done == 12 and not report.failures


def test_ctrl_c_that_a_library_re_raised_as_its_own_error_still_interrupts(tmp_path, short, monkeypatch):
    reraised = RuntimeError("a library's own error")
    reraised.__context__ = KeyboardInterrupt()  # raised while handling Ctrl-C
    fail_replicate(monkeypatch, 5, reraised)
    report = run_ensemble(short, tmp_path / "out", executor="serial", progress=False)
    assert report.interrupted and not report.failures and report.done < 12


class _Tty:
    def __init__(self, tty: bool) -> None:
        self.tty, self.text = tty, ""

    def isatty(self) -> bool:
        return self.tty

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


def test_progress_is_a_bar_on_a_terminal_and_periodic_lines_elsewhere(monkeypatch):
    import itertools

    from sim.run.ensemble import Progress

    stream = _Tty(True)
    bar = Progress(total=10, done=2, stream=stream)
    bar.update(3)
    bar.close()
    assert "5/10 replicates" in stream.text and "/s" in stream.text and "\r" in stream.text

    clock = itertools.chain([0.0, 1.0, 30.0, 31.0, 32.0], itertools.repeat(99.0))
    monkeypatch.setattr(ensemble.time, "perf_counter", lambda: next(clock))
    log = _Tty(False)
    bar = Progress(total=10, done=2, stream=log, every=20)  # starts at t=0
    bar.update(1)  # t=1: too soon for a line
    bar.update(2)  # t=30: a line
    bar.update(4)  # t=31: too soon
    bar.update(1)  # t=32: done, a last line
    bar.close()
    lines = log.text.splitlines()
    assert "\r" not in log.text and lines[0] == "sim: 8 replicates to run (2 of 10 already done)"
    assert [line.split()[1] for line in lines[1:]] == ["5/10", "10/10"]
    assert "eta" in lines[1] and "/s" in lines[1]

    quiet = _Tty(False)
    Progress(total=10, done=0, enabled=False, stream=quiet).update(10)
    assert quiet.text == ""


def test_a_run_says_when_it_must_compile_the_kernels_first(monkeypatch, tmp_path):
    from sim import jit
    from sim.run.ensemble import Progress

    assert jit.cached_here()  # the test session has compiled them
    monkeypatch.setattr(jit, "__file__", str(tmp_path / "jit.py"))  # a package folder with no cache
    assert not jit.cached_here()
    monkeypatch.setattr(ensemble, "cached_here", jit.cached_here)
    log = _Tty(False)
    Progress(total=4, done=0, stream=log)
    assert log.text.startswith("sim: the model's kernels are not compiled on this machine yet")
    quiet = _Tty(False)
    Progress(total=4, done=0, enabled=False, stream=quiet)
    assert quiet.text == ""
