import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from tests.conftest import ROOT, SHORT_2023, write_scenario


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sim", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        check=False,
    )


def test_run_writes_the_results_contract_and_prints_a_summary(tmp_path, capsys):
    path = write_scenario(tmp_path, SHORT_2023, "short.toml")
    out = tmp_path / "out"
    status = main(["run", str(path), "--replicates", "3", "--seed", "5", "--out", str(out), "--workers", "1"])
    assert status == 0
    printed = capsys.readouterr().out
    assert "townships_junta" in printed and "3 of 3 replicates" in printed
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 5 and manifest["replicates_done"] == 3
    assert pd.read_parquet(out / "timeseries.parquet")["replicate"].nunique() == 3
    assert len(pd.read_parquet(out / "final_control.parquet")) == 3 * 330
    changes = pd.read_parquet(out / "control_changes.parquet")
    columns = ["replicate", "day", "date", "township", "pcode", "from", "to", "from_side", "to_side", "cause"]
    assert list(changes.columns) == columns and changes["replicate"].nunique() == 3


def test_until_shortens_the_run(tmp_path):
    path = write_scenario(tmp_path, SHORT_2023, "short.toml")
    out = tmp_path / "out"
    assert (
        main(
            [
                "run",
                str(path),
                "--replicates",
                "1",
                "--until",
                "2023-11-01",
                "--out",
                str(out),
                "--workers",
                "1",
                "--quiet",
            ]
        )
        == 0
    )
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert ts["date"].max() == pd.Timestamp("2023-11-01") and len(ts) == 6


BAD_ARGS = {
    "unknown key": ("[junta]\ndrone = 1\n", [], "junta.drone"),
    "zero replicates": ("", ["--replicates", "0"], "--replicates"),
    "bad until": ("", ["--until", "1st of May"], "--until"),
    "until before start": ("", ["--until", "2020-01-01"], "--until 2020-01-01: must be after"),
}


@pytest.mark.parametrize("case", sorted(BAD_ARGS))
def test_bad_input_is_one_line_exit_2_and_no_output(tmp_path, case):
    extra, args, needle = BAD_ARGS[case]
    path = write_scenario(tmp_path, SHORT_2023 + extra, "bad.toml")
    out = tmp_path / "out"
    proc = run_cli("run", str(path), "--out", str(out), *args)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in proc.stderr
    assert not out.exists()


def test_missing_file_and_unknown_command(tmp_path):
    proc = run_cli("run", str(tmp_path / "nope.toml"))
    assert proc.returncode == 2 and "file not found" in proc.stderr
    proc = run_cli("fly")
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1


def test_check_accepts_the_shipped_scenarios():
    root = Path(__file__).resolve().parent.parent
    files = sorted((root / "scenarios").rglob("*.toml"))
    assert main(["check", *map(str, files)]) == 0


@pytest.mark.slow
def test_compare_runs_plots_and_table_and_takes_finished_runs(tmp_path, capsys):
    a = write_scenario(tmp_path, SHORT_2023, "a.toml")
    b = write_scenario(tmp_path, SHORT_2023 + '[china]\nstance = "pro_junta"\nembargo = true\n', "b.toml")
    out = tmp_path / "cmp"
    base = ["--replicates", "4", "--workers", "1", "--quiet"]
    assert main(["compare", str(a), str(b), *base, "--out", str(out)]) == 0
    table = pd.read_csv(out / "comparison.csv")
    assert list(table["run"].unique()) == ["short 2023 (a)", "short 2023 (b)"]
    diff = "run minus baseline: mean"
    assert {"median", "p5", "p95", diff} <= set(table.columns)
    assert table.loc[table["role"] == "baseline", diff].isna().all()  # blank, not 0
    assert "Baseline: short 2023 (a)" in (out / "comparison.md").read_text()
    for name in ("fan_townships_junta.png", "end_state.png", "map_junta_control.png", "differences.png"):
        assert (out / name).stat().st_size > 1000
    # finished runs: a results folder and a whole compare folder, nothing rerun
    again = tmp_path / "again"
    assert main(["compare", str(out / "runs" / "b"), str(out), "--out", str(again), "--quiet"]) == 0
    table2 = pd.read_csv(again / "comparison.csv")
    assert len(table2["run"].unique()) == 3 and not (again / "runs").exists()
    b_rows = table2[table2["role"] == "compared"]
    assert b_rows[diff].notna().all()
    # sim plot takes the compare folder too
    assert main(["plot", str(out), "--out", str(tmp_path / "figs")]) == 0
    assert (tmp_path / "figs" / "map_difference.png").exists()
    assert (tmp_path / "figs" / "fan_resistance_casualties.png").exists()


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_a_killed_run_resumes_to_the_same_tables(tmp_path, sig):
    path = write_scenario(tmp_path, SHORT_2023, "short.toml")
    full, part = tmp_path / "full", tmp_path / "part"
    # enough replicates that the signal, sent when the first chunk is on disk, finds the run
    # still going however fast the machine (40 could all finish before it on a quiet one)
    base = ["run", str(path), "--replicates", "200", "--workers", "1", "--quiet"]
    assert run_cli(*base, "--out", str(full)).returncode == 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", *base, "--out", str(part)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # a background job of a non-interactive shell (as CI may run us) ignores Ctrl-C, and
        # children inherit that; give this one the default a user's terminal gives
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    shards = part / "timeseries.parquet"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (shards.is_dir() and list(shards.glob("part-*"))):
        time.sleep(0.05)
    os.kill(proc.pid, sig)
    _, err = proc.communicate(timeout=60)
    if sig == signal.SIGINT:
        assert proc.returncode == 130 and "--resume" in err, err
    done = json.loads((part / "manifest.json").read_text())["replicates_done"]
    assert done < 200  # killed before the end
    shards = [p.name for p in part.rglob("*.parquet") if p.is_file()]
    assert all(name.startswith("part-") for name in shards)  # no half-written shard in view
    resumed = run_cli(*base, "--out", str(part), "--resume")
    assert resumed.returncode == 0, resumed.stderr
    for table in ("timeseries", "final_control"):
        a = pd.read_parquet(full / f"{table}.parquet").sort_values(["replicate"], kind="stable")
        b = pd.read_parquet(part / f"{table}.parquet").sort_values(["replicate"], kind="stable")
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))


def test_bare_sim_prints_help_and_version_is_there(capsys):
    assert main([]) == 0
    printed = capsys.readouterr().out
    assert "usage: sim" in printed and "compare" in printed
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    from sim import __version__

    assert capsys.readouterr().out.strip() == f"sim {__version__}"


def _commands():
    import argparse

    from sim.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices


def test_every_command_argument_and_option_has_help():
    missing = [
        f"{name} {action.dest}"
        for name, parser in _commands().items()
        for action in parser._actions
        if not action.help
    ]
    assert not missing


def test_metric_lists_its_choices_and_refuses_others(capsys):
    from sim.analysis.metrics import END_METRICS

    text = _commands()["sensitivity"].format_help()
    assert all(m in " ".join(text.split()) for m in END_METRICS)
    assert main(["sensitivity", "x.toml", "--metric", "towns", "--out", "o"]) == 2
    assert "invalid choice" in capsys.readouterr().err


@pytest.mark.slow
def test_force_replaces_a_finished_out_only_after_the_new_run_succeeds(tmp_path):
    path = write_scenario(tmp_path, SHORT_2023, "short.toml")
    out = tmp_path / "out"
    args = ["run", str(path), "--replicates", "2", "--workers", "1", "--quiet", "--out", str(out)]
    assert main([*args, "--seed", "1"]) == 0
    assert main([*args, "--seed", "2"]) == 2  # refused without --force
    bad = write_scenario(tmp_path, SHORT_2023 + "[junta]\ndrone = 1\n", "bad.toml")
    assert main(["run", str(bad), *args[2:], "--force"]) == 2  # fails: the old results stay
    assert json.loads((out / "manifest.json").read_text())["seed"] == 1
    assert main([*args, "--seed", "2", "--force"]) == 0
    assert json.loads((out / "manifest.json").read_text())["seed"] == 2
    assert pd.read_parquet(out / "timeseries.parquet")["replicate"].nunique() == 2
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out")) == []


def test_workers_default_to_the_cpus_this_process_may_use(monkeypatch):
    """Every command that runs ensembles, and the fit (whose posterior any worker count gives)."""
    from sim.cli import build_parser, common

    monkeypatch.setattr(common, "available_cpus", lambda: 7)
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    defaults = {
        name: next((a.default for a in p._actions if a.dest == "workers"), None)
        for name, p in sub.choices.items()
    }
    ensembles = {"run", "compare", "validate", "attribute", "sensitivity"}
    assert {name: defaults[name] for name in ensembles} == dict.fromkeys(ensembles, 7)
    assert defaults["calibrate"] == 7
    assert "the CPUs this process may use, here 7" in " ".join(sub.choices["run"].format_help().split())


def test_until_stops_the_replay_before_its_laws_come_into_force(tmp_path):
    """The replay cut short before conscription starts (1 Apr 2024) runs, and its days are
    those of a longer run of the same file and seed: --until only stops the clock."""
    replay = ROOT / "scenarios" / "replay_2023_2025.toml"
    tables = {}
    for until in ("2024-02-15", "2024-04-10"):
        out = tmp_path / until
        argv = ["run", str(replay), "--replicates", "1", "--until", until, "--out", str(out)]
        assert main([*argv, "--workers", "1", "--quiet"]) == 0
        tables[until] = pd.read_parquet(out / "timeseries.parquet")
    short, longer = tables["2024-02-15"], tables["2024-04-10"]
    assert short["date"].max() == pd.Timestamp("2024-02-15")
    pd.testing.assert_frame_equal(short, longer[longer["date"] <= short["date"].max()])
