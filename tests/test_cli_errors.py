"""Every failure a user or the machine can cause ends in one line: exit 2 for a mistake, 1 for
the machine, never a traceback, never a partial result, never a process left behind."""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.cli.common import MAX_REPLICATES, MAX_SEED
from sim.errors import UserError
from sim.scenario import schema
from tests.conftest import SHORT_2023, write_scenario


@pytest.fixture
def files(tmp_path):
    short = write_scenario(tmp_path, SHORT_2023, "short.toml")
    (tmp_path / "afile").write_text("x")
    (tmp_path / "folder.toml").mkdir()
    (tmp_path / "notres").mkdir()
    (tmp_path / "notres" / "mine.txt").write_text("keep me")
    (tmp_path / "loop.toml").symlink_to(tmp_path / "loop2.toml")
    (tmp_path / "loop2.toml").symlink_to(tmp_path / "loop.toml")
    (tmp_path / "empty.csv").write_text("")
    return tmp_path, short


def _one_line(capsys) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err and "internal error" not in err
    return lines[0]


# (arguments with {t} for the folder and {s} for a short scenario, exit status, words of the line)
CASES = {
    "out is a file": ("run {s} --out {t}/afile", 2, "--out {t}/afile: is a file, not a folder"),
    "out under a file": ("run {s} --out {t}/afile/sub", 2, "afile is a file, not a folder"),
    "out not a results folder": ("run {s} --out {t}/notres", 2, "not empty and not a results folder"),
    "replicates 10**12": ("run {s} --replicates 1000000000000 --out {t}/o", 2, "from 1 to 1,000,000"),
    "replicates 0": ("run {s} --replicates 0 --out {t}/o", 2, "--replicates: must be from 1"),
    "seed 2**64": ("run {s} --seed 18446744073709551616 --out {t}/o", 2, "--seed: must be from 0 to"),
    "negative seed": ("run {s} --seed -1 --out {t}/o", 2, "--seed"),
    "seed of 5,000 digits": ("run {s} --seed " + "9" * 5000 + " --out {t}/o", 2, "got a 5000-digit number"),
    "force on a folder of other files": ("run {s} --out {t}/notres --force", 2, "not a results folder"),
    "workers 10**6": ("run {s} --workers 1000000 --out {t}/o", 2, "--workers: must be from 1 to 1,024"),
    "until far away": ("run {s} --until 2099-12-31 --out {t}/o", 2, "--until 2099-12-31: must be after"),
    "until before start": ("run {s} --until 2000-01-01 --out {t}/o", 2, "--until 2000-01-01"),
    "until not a date": ("run {s} --until tomorrow --out {t}/o", 2, "not a date"),
    "address without dask": ("run {s} --address tcp://127.0.0.1:8786 --out {t}/o", 2, "--executor dask"),
    "address not a url": (
        "run {s} --executor dask --address not_a_url --out {t}/o",
        2,
        "not a scheduler address",
    ),
    "scenario is a folder": ("run {t}/folder.toml --out {t}/o", 2, "is a folder"),
    "scenario symlink loop": ("run {t}/loop.toml --out {t}/o", 2, "loop.toml"),
    "scenario missing": ("run {t}/none.toml --out {t}/o", 2, "file not found"),
    "check a folder": ("check {t}/folder.toml", 2, "is a folder"),
    "plot out is a file": ("plot {t}/notres --out {t}/afile", 2, "is a file, not a folder"),
    "plot not results": ("plot {t}/notres --out {t}/figs", 2, "no manifest.json"),
    "plot missing results": ("plot {t}/none --out {t}/figs", 2, "none: not a results folder"),
    "score out under a file": ("score {t}/notres --at 2024-12-31 --out {t}/afile/x", 2, "is a file"),
    "unknown command": ("fly", 2, "invalid choice"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_mistake_is_one_line_exit_2_and_leaves_nothing(files, capsys, case):
    tmp, short = files
    args, status, words = CASES[case]
    argv = args.format(t=tmp, s=short).split()
    before = sorted(str(p) for p in tmp.rglob("*"))
    assert main(argv) == status
    assert words.format(t=tmp) in _one_line(capsys)
    assert sorted(str(p) for p in tmp.rglob("*")) == before  # no partial output, nothing removed


def test_the_cli_bounds_are_the_schemas():
    assert schema.RUN["replicates"].high == MAX_REPLICATES and schema.RUN["seed"].high == MAX_SEED


def test_a_bug_is_one_line_with_the_traceback_kept_in_a_file(files, capsys, monkeypatch):
    tmp, short = files
    from sim.cli import run as run_module

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug\nover two lines")

    monkeypatch.setattr(run_module, "run_one", broken)
    assert main(["run", str(short), "--out", str(tmp / "o")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error: ZeroDivisionError: a bug" in err
    saved = Path(err.split("please report it with ")[1].rstrip(")\n"))
    assert "ZeroDivisionError" in saved.read_text()
    saved.unlink()


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(f"/proc/{entry.name}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        kids = _children(todo.pop())
        found += kids
        todo += kids
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its parent has not reaped it


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_no_process_outlives_a_killed_run(tmp_path, sig):
    """SIGTERM is handled like Ctrl-C; after SIGKILL the workers, the forkserver and the
    resource tracker end too, because every worker exits when its parent does."""
    path = write_scenario(tmp_path, SHORT_2023, "short.toml")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "sim", "run", str(path), "--replicates", "2000", "--workers", "2"]
    proc = subprocess.Popen([*cmd, "--quiet", "--out", str(out)], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list(out.glob("chunks/part-*.json")):
        time.sleep(0.05)
    family = _descendants(proc.pid)
    assert len(family) >= 3  # resource tracker, forkserver, workers
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(_alive(p) for p in family):
        time.sleep(0.05)
    assert not [p for p in family if _alive(p)]
    manifest = json.loads((out / "manifest.json").read_text())
    if sig == signal.SIGTERM:
        assert proc.returncode == 130 and manifest["status"] == "interrupted"
        assert err.strip().splitlines() == [
            f"sim: interrupted; {manifest['replicates_done']} of 2000 replicates saved in {out}; "
            "continue with --resume"
        ]
    assert 0 < len(list(out.glob("chunks/part-*.json"))) < 200


# --- fuzz: any command line, any scenario file: exit 0, or one line with 1 or 2 ------------

TOKENS = st.sampled_from(
    ["--replicates", "--seed", "--until", "--workers", "--executor", "--address", "--resume", "--quiet"]
)
VALUES = st.one_of(
    st.integers(-(2**70), 2**70).map(str),
    st.sampled_from(["2023-10-29", "2023-11-15", "2099-01-01", "1-1-1", "", "serial", "tcp://x:1", "-"]),
    st.text(alphabet="ab01-:/._ ", max_size=8),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzz_the_command_line(files, capsys, data):
    tmp, short = files
    command = data.draw(st.sampled_from(["run", "check", "plot", "score", "compare"]))
    argv = [command, str(short)]
    for _ in range(data.draw(st.integers(0, 4))):
        token = data.draw(TOKENS)
        argv += [token] if token in ("--resume", "--quiet") else [token, data.draw(VALUES)]
    out = Path(tempfile.mkdtemp(dir=tmp)) / "out"  # a new folder for every example
    if command != "check":
        argv += ["--out", str(out)]
    # what succeeds stays cheap (the last value of an option wins): a drawn "--replicates 100101"
    # would otherwise run a comparison for half an hour
    if command == "run":
        argv += ["--until", "2023-10-29"]
    if command in ("run", "compare"):
        argv += ["--replicates", "1", "--workers", "1", "--executor", "serial"]
    capsys.readouterr()
    status = main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err, (argv, err, _saved(err))
    if status:
        assert status in (1, 2) and len(err.strip().splitlines()) == 1, (argv, err)
        assert err.startswith("sim: error: ")
        if status == 2:
            assert not out.exists(), argv  # no partial result


def _saved(err: str) -> str:
    return Path(err.split("report it with ")[1].rstrip(")\n")).read_text() if "report it" in err else ""


SECTIONS = {
    "run": ["start", "end", "replicates", "seed", "initial_control"],
    "junta": ["drones", "strength", "leadership", "air_doctrine"],
    "china": ["stance", "embargo"],
}
ANY = st.one_of(
    st.integers(-(2**80), 2**80),
    st.floats(allow_nan=False),
    st.booleans(),
    st.text(max_size=6),
    st.dates().map(lambda d: d),
    st.sampled_from(["pro_junta", "TNLA", "Mogok", "Lashio", "handover", "ceasefire"]),
)


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, float):
        return repr(value).replace("inf", "inf")
    return str(value)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzz_scenario_files(files, capsys, data):
    tmp, _ = files
    lines = ['extends = "2025_counteroffensive.toml"', 'name = "fuzz"']
    if data.draw(st.booleans()):
        names = data.draw(
            st.lists(st.sampled_from(["tnla_ceasefire", "handover", "nothing", "x"]), max_size=2)
        )
        lines.append(f"remove_events = {json.dumps(names)}")
    for section, keys in SECTIONS.items():
        picked = data.draw(st.lists(st.sampled_from(keys), max_size=2, unique=True))
        if picked:
            lines.append(f"[{section}]")
            lines += [f"{k} = {_toml(data.draw(ANY))}" for k in picked]
    for _ in range(data.draw(st.integers(0, 3))):
        lines.append("[[events]]")
        for key in data.draw(
            st.lists(
                st.sampled_from(["id", "date", "kind", "faction", "towns", "to", "hand_over"]), unique=True
            )
        ):
            value = data.draw(ANY)
            if key in ("towns", "hand_over"):
                value = [value] if isinstance(value, str) else value
                lines.append(f"{key} = {json.dumps(value) if isinstance(value, list) else _toml(value)}")
            else:
                lines.append(f"{key} = {_toml(value)}")
    path = tmp / "fuzz.toml"
    path.write_text("\n".join(lines) + "\n")
    capsys.readouterr()
    status = main(["check", str(path)])
    captured = capsys.readouterr()
    assert status in (0, 2), captured.err
    if status:
        assert len(captured.err.strip().splitlines()) == 1 and captured.err.startswith("sim: error: ")
        assert "Traceback" not in captured.err
    else:
        assert "fuzz.toml: ok" in captured.out


def test_results_of_another_model_version_are_refused_in_one_line(tmp_path, capsys):
    import pandas as pd

    short = write_scenario(tmp_path, SHORT_2023, "short.toml")
    out = tmp_path / "old"
    assert main(["run", str(short), "--replicates", "1", "--workers", "1", "--quiet", "--out", str(out)]) == 0
    shard = next((out / "timeseries.parquet").glob("*.parquet"))
    pd.read_parquet(shard).drop(columns=["civilians_killed"]).to_parquet(shard)  # as an older version wrote
    from sim.run import store

    record = next((out / "chunks").glob("*.json"))
    data = json.loads(record.read_text())
    data["tables"]["timeseries"].update(bytes=shard.stat().st_size, sha256=store._sha256(shard))
    record.write_text(json.dumps(data))
    assert main(["plot", str(out), "--out", str(tmp_path / "figs")]) == 2
    assert "another version of the model" in _one_line(capsys)


def test_an_unknown_matplotlib_backend_in_the_environment_does_not_stop_a_figure(tmp_path):
    short = write_scenario(tmp_path, SHORT_2023, "short.toml")
    out = tmp_path / "r"
    env = {**os.environ, "MPLBACKEND": "nonsense"}
    run = [sys.executable, "-m", "sim", "run", str(short), "--replicates", "1", "--workers", "1", "--quiet"]
    subprocess.run([*run, "--out", str(out)], env=env, check=True, capture_output=True, timeout=300)
    done = subprocess.run(
        [sys.executable, "-m", "sim", "plot", str(out), "--out", str(tmp_path / "figs")],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert any((tmp_path / "figs").glob("*.png"))


def test_control_characters_in_a_file_name_are_shown_escaped(tmp_path, capsys):
    name = tmp_path / "evil\x1b]0;owned\x07\x1b[2J.toml"
    assert main(["check", str(name)]) == 2
    line = _one_line(capsys)
    assert "\x1b" not in line and "\x07" not in line
    assert "evil\\x1b]0;owned\\x07\\x1b[2J.toml: file not found" in line


def test_a_terminal_that_cannot_show_a_name_gets_it_escaped(tmp_path):
    path = write_scenario(tmp_path, SHORT_2023.replace('name = "short 2023"', 'name = "ရှမ်း 2023"'), "s.toml")
    done = subprocess.run(
        [sys.executable, "-m", "sim", "check", str(path)],
        env={**os.environ, "PYTHONIOENCODING": "ascii"}, capture_output=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert b"\\u101b" in done.stdout


@pytest.mark.parametrize(("index", "message"), [("{bad", "damaged"), ('{"runs": ["../../etc"]}', "outside")])
def test_a_damaged_or_foreign_compare_index_is_never_an_internal_error(tmp_path, capsys, index, message):
    from sim.cli.compare import results_folders

    folder = tmp_path / "cmp"
    (folder / "runs").mkdir(parents=True)
    (folder / "compare.json").write_text(index)
    with pytest.raises(UserError, match=message):
        results_folders(folder)
