"""The results directory on disk: what counts as done, what a kill or damage leaves, and its repair."""

import json

import pandas as pd
import pytest

from sim.errors import UserError
from sim.model.recorder import COLUMNS
from sim.run.store import RECORDS, TABLES, encode, load_results, verify, write_chunk, write_json


def _empty_dir(tmp_path):
    out = tmp_path / "out"
    for table in TABLES:
        (out / f"{table}.parquet").mkdir(parents=True)
    write_json(out / "manifest.json", {"scenario": {"run": {}}, "scenario_name": "test"})
    return out


def _chunk(replicates: list[int]) -> dict[str, pd.DataFrame]:
    """Two days of timeseries, one change of hands and two towns of final control per replicate."""
    ts = pd.DataFrame(
        {
            "replicate": [r for r in replicates for _ in range(2)],
            "day": [0, 1] * len(replicates),
            **{c: [0.0, 0.0] * len(replicates) for c in COLUMNS},  # every column a replicate records
            "townships_junta": [100, 99] * len(replicates),
        }
    )
    fc = pd.DataFrame(
        {"replicate": [r for r in replicates for _ in range(2)], "town": ["Lashio", "Muse"] * len(replicates)}
    )
    changes = pd.DataFrame(
        {"replicate": replicates, "day": [1] * len(replicates), "town": ["Muse"] * len(replicates)}
    )
    params = pd.DataFrame({"replicate": replicates, "junta.morale": [0.5] * len(replicates)})
    return {"timeseries": ts, "control_changes": changes, "parameters": params, "final_control": fc}


def _shards(replicates: list[int]):
    """`_chunk`, encoded as a worker sends it."""
    return {table: encode(frame) for table, frame in _chunk(replicates).items()}


EXPECT = {"timeseries": 2, "parameters": 1, "final_control": 2}


def _names(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _shard(out, table, first):
    return out / f"{table}.parquet" / f"part-{first:07d}.parquet"


def test_done_replicates_are_those_every_table_holds(tmp_path):
    out = _empty_dir(tmp_path)
    assert verify(out).done == set()
    assert verify(tmp_path / "nowhere").done == set()
    write_chunk(out, 0, [0, 1], _shards([0, 1]))
    write_chunk(out, 2, [2, 3, 4], _shards([2, 3, 4]))
    check = verify(out, EXPECT)
    assert check.done == {0, 1, 2, 3, 4} and check.notes == []
    for table in TABLES:  # one shard per chunk, named by its first replicate; no temporary left
        assert _names(out / f"{table}.parquet") == ["part-0000000.parquet", "part-0000002.parquet"]
    record = json.loads((out / RECORDS / "part-0000002.json").read_text())
    assert record["replicates"] == [2, 3, 4] and record["tables"]["timeseries"]["rows"] == 6
    assert len(record["tables"]["final_control"]["sha256"]) == 64
    back = pd.read_parquet(_shard(out, "timeseries", 2))
    pd.testing.assert_frame_equal(back, _chunk([2, 3, 4])["timeseries"])


def test_a_chunk_cut_off_before_its_last_table_is_removed(tmp_path):
    """Final control is written last: a chunk with only its timeseries was cut off by a kill."""
    out = _empty_dir(tmp_path)
    write_chunk(out, 0, [0, 1], _shards([0, 1]))
    _chunk([2, 3])["timeseries"].to_parquet(_shard(out, "timeseries", 2))
    for table in TABLES:  # killed while writing a shard
        (out / f"{table}.parquet" / ".part-0000004.parquet.tmp").write_bytes(b"half a shard")
    check = verify(out, EXPECT)
    assert check.done == {0, 1}
    assert len(check.notes) == 1 and "part-0000002" in check.notes[0] and "2-3" in check.notes[0]
    for table in TABLES:
        assert _names(out / f"{table}.parquet") == ["part-0000000.parquet"]
    assert verify(out, EXPECT).notes == []  # nothing left to repair


def test_a_whole_chunk_killed_before_its_record_is_adopted(tmp_path):
    out = _empty_dir(tmp_path)
    write_chunk(out, 0, [0, 1], _shards([0, 1]))
    (out / RECORDS / "part-0000000.json").unlink()
    check = verify(out, EXPECT)
    assert check.done == {0, 1} and check.notes == []
    assert (out / RECORDS / "part-0000000.json").is_file()  # recorded now
    (out / RECORDS / "part-0000000.json").write_text("{ not json")  # a damaged record: same
    assert verify(out, EXPECT).done == {0, 1}


def test_an_adopted_chunk_must_hold_every_day_and_town(tmp_path):
    out = _empty_dir(tmp_path)
    write_chunk(out, 0, [0, 1], _shards([0, 1]))
    (out / RECORDS / "part-0000000.json").unlink()
    check = verify(out, {"timeseries": 3, "final_control": 2})  # a run of three days
    assert check.done == set() and "incomplete" in check.notes[0]


@pytest.mark.parametrize("damage", ["flipped byte", "truncated", "deleted", "emptied"])
@pytest.mark.parametrize("table", TABLES)
def test_a_damaged_shard_is_found_removed_and_named(tmp_path, damage, table):
    out = _empty_dir(tmp_path)
    write_chunk(out, 0, [0, 1], _shards([0, 1]))
    write_chunk(out, 2, [2, 3], _shards([2, 3]))
    path = _shard(out, table, 2)
    data = path.read_bytes()
    if damage == "flipped byte":
        path.write_bytes(data[:100] + bytes([data[100] ^ 1]) + data[101:])
    elif damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "deleted":
        path.unlink()
    else:
        path.write_bytes(b"")
    check = verify(out, EXPECT)
    assert check.done == {0, 1}
    assert (
        len(check.notes) == 1 and str(path) in check.notes[0] and "2-3 will be recomputed" in check.notes[0]
    )
    assert "\n" not in check.notes[0]
    for t in TABLES:  # the whole chunk goes, in every table
        assert _names(out / f"{t}.parquet") == ["part-0000000.parquet"]
    assert _names(out / RECORDS) == ["part-0000000.json"]


def test_load_results_reads_recorded_chunks_and_names_a_damaged_shard(tmp_path):
    out = _empty_dir(tmp_path)
    with pytest.raises(UserError, match="no finished replicates"):
        load_results(out)
    write_chunk(out, 0, [0, 1], _shards([0, 1]))
    _chunk([2])["timeseries"].to_parquet(_shard(out, "timeseries", 2))  # a chunk not finished yet
    res = load_results(out)
    assert sorted(res.timeseries["replicate"].unique()) == [0, 1]
    assert sorted(res.final_control["replicate"].unique()) == [0, 1]
    _shard(out, "final_control", 0).write_bytes(b"PAR1 garbage")
    with pytest.raises(UserError, match=r"truncated or changed.*--resume") as err:
        load_results(out)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: p.write_text("x"), "is a file"),
        (lambda p: None, "no such results folder"),
        (lambda p: p.mkdir(), "no manifest.json"),
        (lambda p: (p.mkdir(), (p / "manifest.json").write_text("{")), "damaged, not JSON"),
        (lambda p: (p.mkdir(), (p / "manifest.json").write_text("[1]")), "not the manifest"),
    ],
)
def test_load_results_of_something_else_is_one_line(tmp_path, make, message):
    path = tmp_path / "res"
    make(path)
    with pytest.raises(UserError, match=message) as err:
        load_results(path)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("claimed", [[0, 1, 10**9], [0]])
def test_a_record_that_names_other_replicates_than_its_shards_is_not_trusted(tmp_path, claimed):
    """An edited record (more replicates, or fewer) must neither plan a billion replicates nor
    let a resume write a replicate twice: the chunk is removed and recomputed."""
    out = _empty_dir(tmp_path)
    write_chunk(out, 0, [0, 1], _shards([0, 1]))
    write_chunk(out, 2, [2, 3], _shards([2, 3]))
    path = out / RECORDS / "part-0000000.json"
    record = json.loads(path.read_text())
    record["replicates"] = claimed
    path.write_text(json.dumps(record))
    check = verify(out, EXPECT)
    assert check.done == {2, 3}
    assert "names other replicates than its shards hold" in check.notes[0]
    assert not _shard(out, "timeseries", 0).exists()


def test_the_run_summary_reads_only_the_first_and_last_days(short, tmp_path):
    """`sim run`'s summary holds two rows a replicate, not one a day, and says the same."""
    from sim.analysis.summary import text_summary
    from sim.run.ensemble import run_ensemble
    from sim.run.store import load_ends

    out = tmp_path / "run"
    run_ensemble(short, out, executor="serial", progress=False)
    ends, full = load_ends(out), load_results(out)
    assert sorted(ends.timeseries["day"].unique()) == [0, short.days - 1]
    assert len(ends.timeseries) == 2 * 12 < len(full.timeseries)
    assert text_summary(ends) == text_summary(full)
