"""Resume decides what is done from every table together, repairs what is damaged, and never
calls a run complete unless every table holds every replicate; one writer per folder."""

import errno
import json
import shutil

import pandas as pd
import pytest

from sim.errors import UserError
from sim.run import folder as folder_module
from sim.run.ensemble import run_ensemble
from sim.run.folder import ResultsDir
from sim.run.store import TABLES, load_results
from sim.scenario import load_scenario
from tests.conftest import SHORT_2023, write_scenario


@pytest.fixture(scope="module")
def short(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scenario")
    return load_scenario(write_scenario(folder, SHORT_2023, "short.toml")).with_run(replicates=20)


@pytest.fixture(scope="module")
def full(short, tmp_path_factory):
    """An uninterrupted run of 20 replicates: what every repaired folder must equal."""
    out = tmp_path_factory.mktemp("full") / "out"
    assert run_ensemble(short, out, executor="serial", progress=False).done == 20
    return out


def _run(scenario, out, **kw):
    lines: list[str] = []
    report = run_ensemble(scenario, out, executor="serial", progress=False, log=lines.append, **kw)
    return report, lines


def _assert_same(a, b):
    ra, rb = load_results(a), load_results(b)
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(ra, table), getattr(rb, table))
    manifest = json.loads((b / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["replicates_done"] == 20


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("damage", ["deleted", "truncated", "flipped"])
def test_resume_recomputes_a_missing_or_damaged_shard_of_any_table(tmp_path, short, full, table, damage):
    out = tmp_path / "out"
    shutil.copytree(full, out)
    shard = out / f"{table}.parquet" / "part-0000010.parquet"
    data = shard.read_bytes()
    if damage == "deleted":
        shard.unlink()
    elif damage == "truncated":
        shard.write_bytes(data[: len(data) // 3])
    else:
        shard.write_bytes(data[:-50] + bytes(b ^ 0x55 for b in data[-50:-40]) + data[-40:])
    report, lines = _run(short, out, resume=True)
    assert report.done == 20 and report.total == 20
    assert len(lines) == 1 and str(shard) in lines[0] and "replicates 10-19 will be recomputed" in lines[0]
    _assert_same(full, out)


def test_the_issues_case_one_shard_gone_and_more_replicates_asked(tmp_path, short, full):
    """A finished run of 10, one timeseries shard deleted, resumed to 20: every table holds 20."""
    out = tmp_path / "out"
    assert _run(short.with_run(replicates=10), out)[0].done == 10
    (out / "timeseries.parquet" / "part-0000000.parquet").unlink()
    report, lines = _run(short, out, resume=True)
    assert report.done == 20 and "will be recomputed" in lines[0]
    _assert_same(full, out)


def test_resume_with_fewer_replicates_keeps_them_all(tmp_path, short, full):
    out = tmp_path / "out"
    shutil.copytree(full, out)
    report, lines = _run(short.with_run(replicates=5), out, resume=True)
    assert (report.done, report.total) == (20, 20)
    assert lines == [f"{out} already holds 20 replicates, more than the 5 asked for; keeping them all"]
    _assert_same(full, out)


def test_a_damaged_manifest_is_rebuilt_from_the_records_of_the_same_run(tmp_path, short, full):
    out = tmp_path / "out"
    shutil.copytree(full, out)
    (out / "manifest.json").write_text('{"half a manifest')
    with pytest.raises(UserError, match="cannot tell which run"):
        _run(short.with_run(seed=7), out, resume=True)  # records of another seed: refused, untouched
    assert (out / "manifest.json").read_text() == '{"half a manifest'
    report, lines = _run(short, out, resume=True)
    assert report.done == 20 and "rebuilt from the chunk records" in lines[0]
    _assert_same(full, out)


def test_a_lying_manifest_is_reconciled_from_the_tables(tmp_path, short, full):
    out = tmp_path / "out"
    shutil.copytree(full, out)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest.update(replicates_done=3, status="running")
    (out / "manifest.json").write_text(json.dumps(manifest))
    shutil.rmtree(out / "final_control.parquet")  # every chunk loses its last table
    report, lines = _run(short, out, resume=True)
    assert report.done == 20 and len(lines) == 2  # two chunks, each one line
    _assert_same(full, out)


def test_a_failed_write_stops_the_run_keeps_what_is_done_and_resume_completes(
    tmp_path, short, full, monkeypatch
):
    out = tmp_path / "out"
    real = folder_module.write_chunk
    calls = []

    def disk_full(out_, first, *args, **kwargs):
        calls.append(first)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device", str(out_ / "timeseries.parquet"))
        return real(out_, first, *args, **kwargs)

    monkeypatch.setattr(folder_module, "write_chunk", disk_full)
    report, _ = _run(short, out)
    assert report.interrupted and report.exit_status == 1 and "No space left on device" in report.error
    assert "\n" not in report.error and report.done == 10
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["replicates_done"] == 10 and manifest["status"] == "interrupted"
    monkeypatch.setattr(folder_module, "write_chunk", real)
    assert _run(short, out, resume=True)[0].done == 20
    _assert_same(full, out)


def test_two_writers_never_share_a_folder(tmp_path, short):
    out = tmp_path / "out"
    first = ResultsDir.open(out, short, 2023, 20, resume=False)
    try:
        with pytest.raises(UserError, match=r"another sim process .* is writing this folder"):
            ResultsDir.open(out, short, 2023, 20, resume=True)
    finally:
        first.close()
    ResultsDir.open(out, short, 2023, 20, resume=True).close()  # free again once closed


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: p.write_text("x"), "is a file, not a folder"),
        (lambda p: (p.mkdir(), (p / "notes.txt").write_text("mine")), "not empty and not a results folder"),
    ],
)
def test_an_out_that_is_not_a_results_folder_is_left_alone(tmp_path, short, make, message):
    out = tmp_path / "out"
    make(out)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    with pytest.raises(UserError, match=message):
        _run(short, out)
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_a_refused_out_under_a_file_creates_nothing(tmp_path, short):
    (tmp_path / "file").write_text("x")
    with pytest.raises(UserError, match="Not a directory"):
        _run(short, tmp_path / "file" / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]
